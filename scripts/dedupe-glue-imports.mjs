// wasm-bindgen 0.2.130 imports a snippet module once per function that the wasm imports from it
// directly (`import * as import1 from "./snippets/…"`, `import2`, …) and lists each under the
// same key of the imports object, so every bundler warns "Duplicate key". The namespaces are
// one module: keep the first import of each path and its one key.
//   node scripts/dedupe-glue-imports.mjs <glue.js>…
import { readFileSync, writeFileSync } from "node:fs";

for (const file of process.argv.slice(2)) {
  let text = readFileSync(file, "utf8");
  const first = new Map(); // module path -> the namespace name kept
  const dropped = new Set();
  for (const [, name, path] of text.matchAll(/^import \* as (import\d+) from "([^"]+)";?\n/gm)) {
    if (first.has(path)) dropped.add(name);
    else first.set(path, name);
  }
  for (const name of dropped) {
    const importLine = new RegExp(`^import \\* as ${name} from "[^"]+";?\\n`, "m");
    const objectKey = new RegExp(`^\\s*"[^"]+": ${name},\\n`, "m");
    if (!importLine.test(text) || !objectKey.test(text)) throw new Error(`${file}: unexpected glue around ${name}`);
    text = text.replace(importLine, "").replace(objectKey, "");
    if (new RegExp(`\\b${name}\\b`).test(text)) throw new Error(`${file}: ${name} is still used`);
  }
  writeFileSync(file, text);
}
