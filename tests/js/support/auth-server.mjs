// A local auth server for the browser tests: the package's Issuer behind plain node:http
// on 127.0.0.1, with CORS, and scripted faults so that every client path can be forced.
//   node auth-server.mjs [port]      prints "listening <url>" when ready
// Test controls: POST /test/reset, POST /test/script {refresh:[...], api:[...]}, GET /test/stats
//   refresh steps: "network" (drop the connection), "429", "503", "reject" (400 invalid_grant)
//   api steps: "expired" (the expired signal), "invalid" (a 401 that is not the expired signal)
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { Issuer, Key, MemoryStore, unauthorizedResponse } from "../../../pkg/node.js";

const port = Number(process.argv[2] ?? 0);
// Two issuers over one store and the same keys: long-lived access tokens by default, so that
// no client refreshes behind a test's back; `?short=1` on login/refresh for 4-second tokens.
const signingKey = await Key.generateAsync("EdDSA", { kid: "test" });
const refreshKey = Key.generate("HS256");
const store = new MemoryStore();
const issuerWith = (accessTtl) =>
  new Issuer(signingKey, refreshKey, { issuer: "http://auth.test", accessTtl, refreshTtl: "1h", gracePeriod: "10s", store });
const issuers = { long: issuerWith("10m"), short: issuerWith(process.env.SHORT_ACCESS_TTL ?? "4s") };

let script = { refresh: [], api: [] };
// `refreshes`: each refresh request's time, the end of the refresh token it presented and
// the status it got (what a failed count assertion prints).
let stats = { refreshRequests: 0, refreshSuccesses: 0, apiRequests: 0, refreshes: [] };

// Static files on the same origin as the API, for pages that load the package.
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const STATIC = { "/pkg/": `${ROOT}pkg/`, "/app/": `${ROOT}tests/js/support/app/` };
const TYPES = { ".js": "text/javascript", ".wasm": "application/wasm", ".html": "text/html", ".json": "application/json" };

async function serveStatic(res, pathname) {
  const prefix = Object.keys(STATIC).find((p) => pathname.startsWith(p));
  const rest = pathname.slice(prefix.length);
  if (rest.split("/").some((part) => part === ".." || part.startsWith("."))) return send(res, 404, { error: "not_found" });
  try {
    const body = await readFile(STATIC[prefix] + rest);
    const type = TYPES[rest.slice(rest.lastIndexOf("."))] ?? "application/octet-stream";
    res.writeHead(200, { "content-type": type, "cache-control": "no-store" });
    return res.end(body);
  } catch {
    return send(res, 404, { error: "not_found" });
  }
}

const CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-headers": "authorization, content-type",
  "access-control-allow-methods": "GET, POST, OPTIONS",
  "access-control-expose-headers": "www-authenticate, retry-after",
};

function send(res, status, body, headers = {}) {
  res.writeHead(status, { "content-type": "application/json", ...CORS, ...headers });
  res.end(typeof body === "string" ? body : JSON.stringify(body));
}

function sendData(res, { status, headers, body }) {
  // Pairs as a flat list: repeated names (Set-Cookie) stay separate headers.
  res.writeHead(status, [...headers.flat(), ...Object.entries(CORS).flat()]);
  res.end(body);
}

async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 64 * 1024) throw new Error("body too large");
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

const server = createServer(async (req, res) => {
  try {
    const url = new URL(req.url, "http://127.0.0.1");
    const issuer = url.searchParams.has("short") ? issuers.short : issuers.long;
    if (req.method === "OPTIONS") return send(res, 204, "");
    if (req.method === "GET" && Object.keys(STATIC).some((p) => url.pathname.startsWith(p))) {
      return serveStatic(res, url.pathname);
    }
    const body = await readBody(req);
    switch (url.pathname) {
      case "/test/reset":
        script = { refresh: [], api: [] };
        stats = { refreshRequests: 0, refreshSuccesses: 0, apiRequests: 0, refreshes: [] };
        return send(res, 200, {});
      case "/test/script":
        script = { refresh: [], api: [], ...JSON.parse(body) };
        return send(res, 200, {});
      case "/test/stats":
        return send(res, 200, stats);
      case "/auth/login": {
        const { user } = JSON.parse(body || "{}");
        return send(res, 200, await issuer.startSession(user ?? "user"), { "cache-control": "no-store" });
      }
      case "/auth/refresh": {
        stats.refreshRequests += 1;
        const step = script.refresh.shift();
        if (step === "network") return req.socket.destroy();
        if (step === "429") return send(res, 429, { error: "slow_down" }, { "retry-after": "0" });
        if (step === "503") return send(res, 503, { error: "temporarily_unavailable" });
        if (step === "reject") return send(res, 400, { error: "invalid_grant", error_description: "session_revoked" });
        const data = await issuer.refreshHttp(
          req.headers["content-type"],
          req.headers.authorization,
          body,
        );
        if (data.status === 200) stats.refreshSuccesses += 1;
        let presented;
        try {
          presented = JSON.parse(body).refresh_token;
        } catch {
          presented = new URLSearchParams(body).get("refresh_token");
        }
        presented = String(presented ?? "");
        stats.refreshes.push({ at: Date.now(), token: presented.slice(-8), status: data.status });
        return sendData(res, data);
      }
      case "/auth/stall":
        // Never answers (a stalled server); the connection is dropped after a while.
        setTimeout(() => req.socket.destroy(), 30_000).unref();
        return;
      case "/auth/logout": {
        const { refresh_token } = JSON.parse(body || "{}");
        await issuer.revokeByRefreshToken(refresh_token);
        return send(res, 204, "");
      }
      case "/api/data": {
        stats.apiRequests += 1;
        const step = script.api.shift();
        if (step === "expired") return sendData(res, unauthorizedResponse("token_expired"));
        if (step === "invalid") return sendData(res, unauthorizedResponse("invalid_signature"));
        const auth = await issuer.authenticateHttpAsync(req.headers.authorization);
        if (!auth.ok) return sendData(res, auth.response);
        return send(res, 200, { sub: auth.payload.sub, sid: auth.payload.sid });
      }
      default:
        return send(res, 404, { error: "not_found" });
    }
  } catch (e) {
    return send(res, 500, { error: String(e) });
  }
});

server.listen(port, "127.0.0.1", () => {
  console.log(`listening http://127.0.0.1:${server.address().port}`);
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.close(() => process.exit(0)));
// Never outlive the test run by much.
setTimeout(() => process.exit(0), 30 * 60 * 1000).unref();
