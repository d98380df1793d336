// `jwt-refresh/client` in browsers: the AuthClient, in its own wasm (no keys, no Issuer, no
// stores; the main entry in turn has no AuthClient). Fetches the wasm next to this file; the `new URL(..., import.meta.url)` form is what bundlers such as Vite rewrite.
import init from "./jwt_refresh_client.js";

await init({ module_or_path: new URL("./jwt_refresh_client_bg.wasm", import.meta.url) });

export * from "./jwt_refresh_client.js";
