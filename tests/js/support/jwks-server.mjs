// A JWKS endpoint on 127.0.0.1 for the remote key set tests: it serves the public keys of the
// key pairs it holds, and can rotate them, answer slowly, fail, return garbage or a huge
// body; it counts requests. Started and stopped by each test file (node:http, port 0).
import { createServer } from "node:http";
import * as jose from "jose";

/** Starts the server; `close()` stops it. */
export async function startJwksServer() {
  const state = {
    keys: [],
    mode: "ok", // ok | slow | fail | garbage | huge | hang
    delayMs: 0,
    cacheControl: undefined,
    requests: 0,
  };
  const server = createServer(async (req, res) => {
    state.requests += 1;
    if (state.delayMs) await new Promise((resolve) => setTimeout(resolve, state.delayMs));
    if (state.mode === "hang") return; // never answers: the client's timeout must end it
    if (state.mode === "fail") return res.writeHead(503).end("down");
    if (state.mode === "garbage") return res.writeHead(200, { "content-type": "application/json" }).end("<html>nope");
    const headers = { "content-type": "application/json", ...(state.cacheControl ? { "cache-control": state.cacheControl } : {}) };
    if (state.mode === "huge") {
      res.writeHead(200, headers);
      const chunk = " ".repeat(64 * 1024);
      // Bounded: 16 MiB at most, or until the client hangs up.
      for (let i = 0; i < 256 && !res.destroyed; i++) {
        if (!res.write(chunk)) await new Promise((resolve) => res.once("drain", resolve).once("close", resolve));
      }
      return res.end();
    }
    const jwks = { keys: await Promise.all(state.keys.map(async ({ kid, alg, publicKey }) => ({ ...(await jose.exportJWK(publicKey)), kid, alg, use: "sig" }))) };
    res.writeHead(200, headers).end(JSON.stringify(jwks));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${server.address().port}/.well-known/jwks.json`;
  return {
    url,
    state,
    /** Adds a fresh key pair (the provider rotates in a new key); returns a signer for it. */
    async addKey(kid, alg = "RS256") {
      const pair = await jose.generateKeyPair(alg, { extractable: true });
      state.keys.push({ kid, alg, ...pair });
      return (claims, header = {}) =>
        new jose.SignJWT(claims).setProtectedHeader({ alg, kid, typ: "JWT", ...header }).setIssuedAt().setExpirationTime("5m").sign(pair.privateKey);
    },
    removeKey(kid) {
      state.keys = state.keys.filter((key) => key.kid !== kid);
    },
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}
