// `jwt-refresh/client` in Node, Deno and Bun: the AuthClient alone, instantiated synchronously
// from the wasm next to this file.
import { readFileSync } from "node:fs";
import { initSync } from "./jwt_refresh_client.js";

initSync({ module: readFileSync(new URL("./jwt_refresh_client_bg.wasm", import.meta.url)) });

export * from "./jwt_refresh_client.js";
