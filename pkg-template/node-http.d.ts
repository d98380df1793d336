// `jwt-refresh/node-http`: node:http and Express-style `(req, res)` handlers over the
// package's fetch-style helpers.
import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * The fetch `Request` of a node:http request (URL from `origin`, default `http://` + Host).
 * @example
 * const response = await handleRefresh(toRequest(req, { origin: "https://auth.example" }), issuer);
 */
export function toRequest(req: IncomingMessage, options?: { origin?: string }): Request;

/**
 * Writes a fetch `Response` to a node:http response, each `Set-Cookie` apart.
 * @example
 * await sendResponse(res, await handleRefresh(toRequest(req), issuer));
 */
export function sendResponse(res: ServerResponse, response: Response): Promise<void>;

/**
 * A `(req, res)` handler from a fetch-style one; a handler that throws answers 500.
 * @example
 * http.createServer(nodeHandler((request) => handleRefresh(request, issuer))).listen(8787);
 */
export function nodeHandler(
  handle: (request: Request) => Response | Promise<Response>,
  options?: { origin?: string },
): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
