// The client's wasm memory over many refreshes: what a tab open all day does. A leak, or an
// allocator that cannot reuse what was freed, grows the memory; past the first cycles it must
// stay where it is. (The client's build has its own allocator: src/wasm/mod.rs.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as server from "../../pkg/node.js";
import { initSync, AuthClient } from "../../pkg/jwt_refresh_client.js";
import { assertMemoryHolds } from "./support/wasm-memory.mjs";

const { memory } = initSync({ module: readFileSync(new URL("../../pkg/jwt_refresh_client_bg.wasm", import.meta.url)) });
const key = server.Key.generate("HS256");

// A refresh endpoint that rotates the pair on every call, as the Issuer does; every pair the
// same size.
let issued = 0;
function tokenResponse() {
  issued += 1;
  const n = String(issued).padStart(8, "0");
  const access_token = key.sign({ sub: "ada", n }, { expiresIn: "15m", typ: "at+jwt" });
  const refresh_token = key.sign({ sub: "ada", jti: `r${n}` }, { expiresIn: "30d" });
  return { access_token, refresh_token, token_type: "Bearer", expires_in: 900 };
}
const refreshEndpoint = async (_url, init) => {
  assert.equal(init.method, "POST");
  return new Response(JSON.stringify(tokenResponse()), { headers: { "content-type": "application/json" } });
};

test("jwt-refresh/client: thousands of refreshes leave the wasm memory where the first ones did", { timeout: 120_000 }, async () => {
  const client = await AuthClient.create({ refreshUrl: "http://127.0.0.1:9/refresh", fetch: refreshEndpoint, storage: "memory" });
  // Closed whatever happens: its refresh timer would keep the test process alive.
  try {
    let refreshes = 0;
    client.on("refresh", () => refreshes++);
    await client.setTokens(tokenResponse());
    const cycle = async (count) => {
      for (let i = 0; i < count; i++) {
        await client.refresh();
        assert.match(await client.getAccessToken(), /^ey/);
      }
    };
    // Each refresh re-arms the client's timer; a closure per timer kept 16 bytes whenever the
    // timer it armed was replaced: 80 KB over 5,000 refreshes, more than a page.
    await assertMemoryHolds(memory, cycle, { window: 5000 });
    assert.equal(refreshes, 1 + 300 + 5000 + 5000, "every refresh was a real one");
  } finally {
    client.close();
  }
});
