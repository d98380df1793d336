// The main job until the SPA demo lands: issue an access/refresh pair, verify it, and show
// the one signal a client refreshes on. Run it with ./scripts/demo.sh.
import { Key, decodeUnverified, isJwtRefreshError } from "../pkg/node.js";

const ISSUER = "https://auth.example";
// EdDSA: signed and checked by the host's crypto, so through the async methods.
const key = await Key.generateAsync("EdDSA", { kid: "demo-2026-11" });
const now = new Date();
const at = (seconds) => new Date(now.getTime() + seconds * 1000);

// Login: a short access token and a long refresh token, told apart by `typ`.
const access = await key.signAsync(
  { sid: "session-1", roles: ["reader"] },
  { typ: "at+jwt", subject: "user-42", issuer: ISSUER, audience: "api", expiresIn: "15m", jti: true, currentDate: now },
);
const refresh = await key.signAsync(
  { sid: "session-1" },
  { typ: "rt+jwt", subject: "user-42", issuer: ISSUER, expiresIn: "7d", jti: true, currentDate: now },
);
console.log("issued access token  (15 min):", access.slice(0, 48) + "…");
console.log("issued refresh token (7 days):", refresh.slice(0, 48) + "…");
console.log("public JWKS to publish:", JSON.stringify({ keys: [key.toPublicJwk()] }));

const accessRules = { typ: "at+jwt", issuer: ISSUER, audience: "api", algorithms: ["EdDSA"] };
async function check(label, token, options) {
  try {
    const { payload } = await key.verifyAsync(token, options);
    console.log(`✔ ${label}: valid for ${payload.sub}, exp ${new Date(payload.exp * 1000).toISOString()}`);
  } catch (e) {
    if (!isJwtRefreshError(e)) throw e;
    const expired = e.code === "token_expired";
    console.log(`✘ ${label}: ${e.code}${expired ? "  → the client refreshes" : "  → plain 401"}`);
    if (expired) {
      console.log('  401 WWW-Authenticate: Bearer error="invalid_token", error_description="token_expired"');
    }
  }
}

await check("request now", access, { ...accessRules, currentDate: now });
await check("refresh token presented as access token", refresh, { ...accessRules, currentDate: now });
await check("request 16 minutes later", access, { ...accessRules, currentDate: at(16 * 60) });
const tampered = access.slice(0, -6) + (access.endsWith("AAAAAA") ? "BBBBBB" : "AAAAAA");
await check("tampered token 16 minutes later", tampered, { ...accessRules, currentDate: at(16 * 60) });
await check(
  "refresh step: expired access token, exp ignored, signature still checked",
  access,
  { ...accessRules, ignoreExpiration: true, maxTokenAge: "7d", currentDate: at(16 * 60) },
);
console.log("a client reads exp without trusting it:", decodeUnverified(access).payload.exp);
