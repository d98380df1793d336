// node:http and Express-style `(req, res)` handlers over the package's fetch-style helpers:
// an IncomingMessage becomes a `Request`, a `Response` is written to the ServerResponse.
import { Readable } from "node:stream";

/**
 * The fetch `Request` of a node:http request. Its URL is `origin` (default: `http://` and the
 * Host header) and the request's path; the body streams from `req` (not for GET and HEAD).
 * Behind a proxy that terminates TLS, pass the public origin: cookie mode checks it.
 * @param {import("node:http").IncomingMessage} req
 * @param {{ origin?: string }} [options]
 * @returns {Request}
 */
export function toRequest(req, { origin } = {}) {
  const base = origin ?? `http://${req.headers.host ?? "localhost"}`;
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new Request(new URL(req.url ?? "/", base), {
    method: req.method,
    headers,
    ...(hasBody ? { body: Readable.toWeb(req), duplex: "half" } : {}),
  });
}

/**
 * Writes a fetch `Response` to a node:http response: status, every header (each `Set-Cookie`
 * apart), the body.
 * @param {import("node:http").ServerResponse} res
 * @param {Response} response
 */
export async function sendResponse(res, response) {
  const headers = {};
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length) headers["set-cookie"] = cookies;
  res.writeHead(response.status, headers);
  if (response.body) {
    for await (const chunk of Readable.fromWeb(response.body)) res.write(chunk);
  }
  res.end();
}

/**
 * A `(req, res)` handler from a fetch-style one: `http.createServer(nodeHandler(handle))`, or
 * an Express route. A handler that throws answers 500.
 * @param {(request: Request) => Response | Promise<Response>} handle
 * @param {{ origin?: string }} [options]
 */
export function nodeHandler(handle, options) {
  return async (req, res) => {
    let response;
    try {
      response = await handle(toRequest(req, options));
    } catch {
      response = new Response(JSON.stringify({ error: "server_error" }), { status: 500, headers: { "content-type": "application/json" } });
    }
    await sendResponse(res, response);
  };
}
