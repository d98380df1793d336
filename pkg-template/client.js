// `jwt-refresh/client` in browsers: the AuthClient alone, in its own wasm (no keys, no
// Issuer, no stores: well under half the bytes of the full package). Fetches the wasm next to
// this file; the `new URL(..., import.meta.url)` form is what bundlers such as Vite rewrite.
import init from "./jwt_refresh_client.js";

await init({ module_or_path: new URL("./jwt_refresh_client_bg.wasm", import.meta.url) });

export * from "./jwt_refresh_client.js";
