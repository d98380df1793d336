// Runs the demo on this machine: the Worker (www/worker.js) in workerd via Miniflare, with a
// local Durable Object for sessions, and the SPA plus the built package served next to it.
//   node www/serve.mjs [port]        (default 8787; 0 picks a free port)
import { createServer } from "node:http";
import { createServer as createTlsServer } from "node:https";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readFile } from "node:fs/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Miniflare } from "miniflare";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".wasm": "application/wasm", ".svg": "image/svg+xml" };

/**
 * A throwaway self-signed certificate for 127.0.0.1 and localhost (openssl): browsers that keep
 * no `Secure` cookie over plain http on a loopback address (WebKit) need https for cookie mode.
 */
export function throwawayCertificate() {
  const dir = mkdtempSync(join(tmpdir(), "jwt-refresh-demo-"));
  try {
    execFileSync("openssl", [
      "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
      "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
      "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"),
    ], { stdio: "ignore" });
    return { key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Starts the demo; resolves to `{ url, exchanges, close }`. `tls` ({ key, cert }) serves https.
 * Tests run another Worker the same way: `worker` ({ scriptPath, durableObjects, bindings }) and
 * `pages` (the folder served at /, relative to the repository).
 */
export async function startDemo({ port = 8787, accessTtl = "20s", refreshTtl = "1h", gracePeriod = "10s", tls, worker, pages = "www/public" } = {}) {
  // Every request to the Worker, its headers and status, for tests (`demo.exchanges`).
  const exchanges = [];
  const mf = new Miniflare({
    modules: true,
    modulesRoot: ROOT,
    scriptPath: worker?.scriptPath ?? `${ROOT}www/worker.js`,
    // The Worker imports "jwt-refresh" as an app would; here it resolves to the built package.
    modulesRules: [
      { type: "ESModule", include: ["**/*.js"] },
      { type: "CompiledWasm", include: ["**/*.wasm"] },
    ],
    compatibilityDate: "2025-06-01",
    durableObjects: worker?.durableObjects ?? { SESSIONS: "SessionStoreObject" },
    bindings: worker?.bindings ?? { ACCESS_TTL: accessTtl, REFRESH_TTL: refreshTtl, GRACE_PERIOD: gracePeriod },
  });
  const server = (tls ? (handler) => createTlsServer(tls, handler) : createServer)(async (req, res) => {
    // The URL as the browser asked for it (host and port), so that the Worker's Origin check
    // sees its own origin.
    const url = new URL(req.url, `${tls ? "https" : "http"}://${req.headers.host ?? "127.0.0.1"}`);
    try {
      if (url.pathname.startsWith("/auth/") || url.pathname.startsWith("/api/") || url.pathname.startsWith("/.well-known/")) {
        // The Worker reads at most 16 KiB of a body; this local front stops buffering at 1 MiB.
        const chunks = [];
        let size = 0;
        for await (const chunk of req) {
          size += chunk.length;
          if (size > 1 << 20) {
            res.writeHead(413, { "content-type": "text/plain", connection: "close" });
            return res.end("request body too large");
          }
          chunks.push(chunk);
        }
        const body = ["GET", "HEAD"].includes(req.method) ? undefined : Buffer.concat(chunks);
        const response = await mf.dispatchFetch(url.href, { method: req.method, headers: req.headers, body });
        // Set-Cookie stays a list: a cookie-mode answer sets several cookies.
        const headers = Object.fromEntries(response.headers);
        const cookies = response.headers.getSetCookie();
        if (cookies.length) headers["set-cookie"] = cookies;
        res.writeHead(response.status, headers);
        exchanges.push({ method: req.method, path: url.pathname, host: url.host, status: response.status, headers: req.headers });
        return res.end(Buffer.from(await response.arrayBuffer()));
      }
      const file = url.pathname === "/" ? `${pages}/index.html`
        : url.pathname.startsWith("/pkg/") ? `pkg/${url.pathname.slice(5)}`
        : `${pages}/${url.pathname.slice(1)}`;
      if (file.split("/").some((part) => part === ".." || part.startsWith("."))) throw new Error("bad path");
      const body = await readFile(ROOT + file);
      res.writeHead(200, { "content-type": TYPES[file.slice(file.lastIndexOf("."))] ?? "application/octet-stream", "cache-control": "no-store" });
      return res.end(body);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" });
      return res.end("not found");
    }
  });
  try {
    await new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", resolve);
    });
  } catch (error) {
    await mf.dispose();
    throw error;
  }
  const url = `${tls ? "https" : "http"}://127.0.0.1:${server.address().port}/`;
  return {
    url,
    exchanges,
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await mf.dispose();
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // --https: a throwaway certificate, for Safari, which keeps no Secure cookie over http.
  const https = process.argv.includes("--https");
  const portArg = process.argv.slice(2).find((arg) => /^\d+$/.test(arg));
  const port = Number(portArg ?? 8787);
  const demo = await startDemo({ port, tls: https ? throwawayCertificate() : undefined }).catch((error) => {
    if (error.code !== "EADDRINUSE") throw error;
    console.error(`Port ${port} on 127.0.0.1 is busy (another demo still running?). Stop it, or pick another: PORT=${port + 1} ./scripts/demo.sh`);
    process.exit(1);
  });
  console.log(`jwt-refresh demo running at ${demo.url}  (Ctrl-C to stop)`);
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.on(signal, async () => {
      await demo.close();
      process.exit(0);
    });
  }
}
