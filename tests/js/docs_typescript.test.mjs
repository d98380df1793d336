// Every TypeScript snippet of README.md and docs/ compiles with tsc --strict against the built
// package's types (tests/js/tsconfig.json's settings and paths). A snippet may use `issuer`
// without making one, as the pages do; nothing else is assumed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = fileURLToPath(new URL(".", import.meta.url));
const ROOT = join(HERE, "../..");
const PAGES = ["README.md", ...readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
const PRELUDE = 'declare const issuer: import("jwt-refresh").Issuer;\n';

test("every TypeScript snippet in the docs compiles under tsc --strict", () => {
  const snippets = PAGES.flatMap((page) =>
    [...readFileSync(join(ROOT, page), "utf8").matchAll(/```ts\n([\s\S]*?)```/g)].map((m, i) => ({ name: `${page.replace(/\W/g, "_")}_${i}.ts`, code: m[1] })),
  );
  assert.ok(snippets.length >= 1, "the docs have TypeScript snippets");
  const dir = mkdtempSync(join(tmpdir(), "jwt-refresh-snippets-"));
  try {
    for (const { name, code } of snippets) writeFileSync(join(dir, name), `${PRELUDE}export {};\n${code}`);
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ extends: join(HERE, "tsconfig.json"), files: snippets.map((s) => join(dir, s.name)) }));
    try {
      execFileSync(join(HERE, "node_modules/.bin/tsc"), ["-p", join(dir, "tsconfig.json")], { encoding: "utf8", stdio: "pipe" });
    } catch (error) {
      assert.fail(`tsc refused a docs snippet:\n${error.stdout}${error.stderr}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
