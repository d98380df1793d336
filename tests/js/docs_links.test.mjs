// The README and docs/: every relative link resolves to a file of the repository, and every
// #anchor to a heading of its page (GitHub's slugs); every docs reference in the code names a
// page that exists.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const PAGES = ["README.md", "bench/README.md", ...readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[`*_]/g, "")
    .replace(/[^\p{L}\p{N}\s-]/gu, "")
    .replace(/\s/g, "-");

function anchors(file) {
  const text = readFileSync(join(ROOT, file), "utf8").replace(/```[\s\S]*?```/g, "");
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1])));
}

test("relative links and anchors in the README and docs/ resolve", () => {
  const broken = [];
  for (const page of PAGES) {
    const text = readFileSync(join(ROOT, page), "utf8").replace(/```[\s\S]*?```/g, "");
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/i.test(target)) continue; // http(s), mailto
      const [path, anchor] = target.split("#");
      const file = path ? relative(ROOT, join(ROOT, dirname(page), path)) : page;
      if (!existsSync(join(ROOT, file))) broken.push(`${page}: ${target} (no ${file})`);
      else if (anchor && file.endsWith(".md") && !anchors(file).has(anchor)) broken.push(`${page}: ${target} (no heading #${anchor} in ${file})`);
    }
  }
  assert.deepEqual(broken, []);
});

test("the code's references into docs/ name pages and headings that exist", () => {
  const broken = [];
  const walk = (dir) =>
    readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? walk(join(dir, entry.name)) : entry.name.endsWith(".rs") ? [join(dir, entry.name)] : [],
    );
  for (const file of walk("src")) {
    for (const [, page, anchor] of readFileSync(join(ROOT, file), "utf8").matchAll(/docs\/([a-z-]+\.md)(?:#([a-z0-9-]+))?/g)) {
      if (!existsSync(join(ROOT, "docs", page))) broken.push(`${file}: docs/${page}`);
      else if (anchor && !anchors(`docs/${page}`).has(anchor)) broken.push(`${file}: docs/${page}#${anchor}`);
    }
  }
  assert.deepEqual(broken, []);
  assert.equal(readFileSync(join(ROOT, "src/issuer.rs"), "utf8").includes("DESIGN.md"), false);
});
