// Cloudflare Workers (workerd): wasm must be a module of the Worker, imported statically;
// compiling from bytes at run time is refused.
import wasmModule from "./jwt_refresh_bg.wasm";
import { initSync } from "./jwt_refresh.js";

initSync({ module: wasmModule });

export * from "./jwt_refresh.js";
export * from "./edge.js";
export * from "./stores.js";
