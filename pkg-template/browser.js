// Browsers (plain <script type="module"> or a bundler): fetch the wasm next to this file.
// The `new URL(..., import.meta.url)` form is what bundlers such as Vite rewrite.
import init from "./jwt_refresh.js";

await init({ module_or_path: new URL("./jwt_refresh_bg.wasm", import.meta.url) });

export * from "./jwt_refresh.js";
export * from "./edge.js";
export * from "./stores.js";
