// Runs benches/native.rs compiled to wasm32-wasip1 in Node's own V8 (node:wasi), so that the
// same Rust code is timed as wasm and as native: the wasm/native ratio without the JS API's
// work around it (passing the token in, building the result object). Prints what the native
// bench prints: one JSON object. Usage: node bench/wasi-native.mjs <native-*.wasm>
import { readFileSync } from "node:fs";
import { WASI } from "node:wasi";

const env = process.env.BENCH_QUICK ? { BENCH_QUICK: "1" } : {};
const wasi = new WASI({ version: "preview1", args: ["native"], env, returnOnExit: true });
const module = await WebAssembly.compile(readFileSync(process.argv[2]));
const exitCode = wasi.start(await WebAssembly.instantiate(module, wasi.getImportObject()));
process.exitCode = exitCode;
