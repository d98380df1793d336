// Drops the hash wasm-bindgen appends to each import name (`__wbg_hasCookie_59b6359c5761d1d8`
// becomes `hasCookie`), in the wasm and in its glue alike. The hashes keep names of different
// crates apart; within one binary the names are unique without them (a suffix is added where
// they are not), and sixteen hex digits per import, written in both files, are bytes that
// gzip cannot shrink. bench/README.md has what it saves.
// Usage: node scripts/shorten-import-names.mjs <name>_bg.wasm <name>.js
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(new URL("./package.json", import.meta.url));
const binaryen = (await import(require.resolve("binaryen"))).default;

const [wasmPath, gluePath] = process.argv.slice(2);
if (!wasmPath || !gluePath) {
  console.error("usage: shorten-import-names.mjs <wasm> <glue.js>");
  process.exit(2);
}
const HASHED = /^(.+)_[0-9a-f]{16}$/;

const module = binaryen.readBinary(readFileSync(wasmPath));
// The features rustc enables for wasm32, as build-pkg.sh gives them to wasm-opt (whose
// --enable-bulk-memory and --enable-reference-types each bring a second flag here).
const F = binaryen.Features;
module.setFeatures(
  F.BulkMemory | F.BulkMemoryOpt | F.NontrappingFPToInt | F.SignExt | F.MutableGlobals |
    F.ReferenceTypes | F.CallIndirectOverlong | F.Multivalue,
);

const imports = [];
for (let i = 0; i < module.getNumFunctions(); i++) {
  const info = binaryen.getFunctionInfo(module.getFunctionByIndex(i));
  if (info.module) imports.push(info);
}
// Names stay unique within their module: those without a hash are taken as they are.
const taken = new Set(imports.filter((f) => !HASHED.test(f.base)).map((f) => `${f.module}\n${f.base}`));
const renamed = new Map();
for (const f of imports) {
  const stem = f.base.match(HASHED)?.[1];
  if (!stem) continue;
  let short = stem;
  for (let n = 1; taken.has(`${f.module}\n${short}`); n++) short = `${stem}_${n}`;
  taken.add(`${f.module}\n${short}`);
  renamed.set(f.base, short);
  // The same internal name: every call in the module still reaches it.
  module.removeFunction(f.name);
  module.addFunctionImport(f.name, f.module, short, f.params, f.results);
}
if (!module.validate()) {
  console.error(`shorten-import-names: ${wasmPath} does not validate after renaming`);
  process.exit(1);
}
const glue = readFileSync(gluePath, "utf8");
let missing = 0;
const shortened = glue.replace(/\b__wb\w*_[0-9a-f]{16}\b/g, (name) => {
  if (renamed.has(name)) return renamed.get(name);
  missing++;
  return name;
});
// Every hashed name in the glue is an import of the wasm: one that is not would be a name
// this script does not understand.
if (missing > 0 || [...renamed.keys()].some((name) => !glue.includes(name))) {
  console.error(`shorten-import-names: ${gluePath} and ${wasmPath} do not name the same imports`);
  process.exit(1);
}
writeFileSync(wasmPath, module.emitBinary());
writeFileSync(gluePath, shortened);
module.dispose();
console.log(`shortened ${renamed.size} import names in ${wasmPath}`);
