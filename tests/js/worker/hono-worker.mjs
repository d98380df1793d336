// A Hono app on Workers built on jwt-refresh/hono, for hono.test.mjs (bundled with esbuild):
// the issuer made from the environment on first use, through the context.
import { Hono } from "hono";
import { Issuer, Key, tokenResponse } from "../../../pkg/workerd.js";
import { jwtRefresh, logoutHandler, refreshHandler } from "../../../pkg/hono.js";

let issuer;
const issuerOf = (c) =>
  (issuer ??= new Issuer(Key.fromJwk(JSON.parse(c.env.SIGNING_JWK)), Key.fromJwk(JSON.parse(c.env.REFRESH_JWK)), {
    issuer: "https://auth.test",
    accessTtl: "1m",
  }));

const app = new Hono();
app.post("/auth/login", async (c) => {
  const { user } = await c.req.json();
  return tokenResponse(await issuerOf(c).startSession(user, { role: "reader" }), issuerOf(c));
});
app.post("/auth/refresh", refreshHandler(issuerOf));
app.post("/auth/logout", logoutHandler(issuerOf));
app.use("/api/*", jwtRefresh(issuerOf));
app.get("/api/me", (c) => c.json({ sub: c.get("auth").payload.sub, role: c.get("auth").payload.role }));
// The same route an hour later: the expired signal.
app.use("/later/*", jwtRefresh(issuerOf, { currentDate: new Date(Date.now() + 3_600_000) }));
app.get("/later/me", (c) => c.json({ sub: c.get("auth").payload.sub }));

export default app;
