// The refresh flow in a terminal, on the Issuer and a MemoryStore: start a session, call a
// protected function, let the access token expire and see the expired signal, refresh with
// both tokens, then replay the old refresh token after the grace window and see the session
// revoked. Run it with `node www/quickstart.mjs` after ./scripts/build-pkg.sh.
import { Issuer, Key, MemoryStore, isJwtRefreshError } from "../pkg/node.js";

const issuer = new Issuer(await Key.generateAsync("EdDSA", { kid: "demo" }), Key.generate("HS256"), {
  issuer: "https://auth.example",
  audience: "api",
  accessTtl: "15m",
  gracePeriod: "30s",
  store: new MemoryStore(),
});
const now = Date.now();
const at = (minutes) => ({ currentDate: new Date(now + minutes * 60_000) });

/** A protected function: what `authenticateAsync` does for a route, by hand. */
async function api(label, accessToken, minutes) {
  try {
    const { payload } = await issuer.verifyAccessAsync(accessToken, at(minutes));
    console.log(`✔ ${label}: hello ${payload.sub} (session ${payload.sid})`);
  } catch (e) {
    if (!isJwtRefreshError(e)) throw e;
    const signal = e.code === "token_expired" ? '  → 401 WWW-Authenticate: Bearer error="invalid_token", error_description="token_expired": the client refreshes' : "  → a plain 401";
    console.log(`✘ ${label}: ${e.code}\n${signal}`);
  }
}

async function refresh(label, pair, minutes) {
  try {
    const next = await issuer.refresh(pair.access_token, pair.refresh_token, at(minutes));
    console.log(`✔ ${label}: the session's current pair`);
    return next;
  } catch (e) {
    if (!isJwtRefreshError(e)) throw e;
    console.log(`✘ ${label}: ${e.code}`);
    return null;
  }
}

const login = await issuer.startSession("user-42", { role: "reader" }, at(0));
console.log(`login: access token for ${login.expires_in} s, refresh token for ${Math.round(login.refresh_expires_in / 86400)} days`);
await api("request now", login.access_token, 0);
await api("request 16 minutes later", login.access_token, 16);
const next = await refresh("refresh at 16 minutes, with both tokens", login, 16);
await api("request with the new access token", next.access_token, 16);
await refresh("the old pair again, 10 s later (a second tab, inside the grace window)", login, 16 + 10 / 60);
await refresh("the old pair again, 2 minutes later (a thief, past the grace window)", login, 18);
await refresh("the legitimate client's next refresh", next, 19);
console.log("public JWKS to publish:", JSON.stringify(issuer.jwks()));
