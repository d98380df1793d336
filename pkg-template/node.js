// Node, Deno and Bun: read the wasm next to this file and instantiate it synchronously,
// so that `import { Key } from "jwt-refresh"` is ready with no await.
import { readFileSync } from "node:fs";
import { initSync } from "./jwt_refresh.js";

initSync({ module: readFileSync(new URL("./jwt_refresh_bg.wasm", import.meta.url)) });

export * from "./jwt_refresh.js";
export * from "./edge.js";
export * from "./stores.js";
