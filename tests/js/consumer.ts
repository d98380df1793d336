// Compiled with `tsc --strict --noEmit` against the built package's types: every export
// is used, and the types must be precise enough that no `any` is needed.
import {
  Issuer,
  MemoryStore,
  KvStore,
  D1Store,
  DurableObjectStore,
  handleRefresh,
  handleLogout,
  authenticate,
  authenticateAsync,
  tokenResponse,
  dpopChallenge,
  isExpiredSignal,
  unauthorizedResponse,
  Key,
  KeySet,
  RemoteKeySet,
  ResourceServer,
  Signer,
  Verifier,
  decodeUnverified,
  errorCodes,
  isJwtRefreshError,
  parseDuration,
  type Algorithm,
  type IssuerOptions,
  type KvNamespaceLike,
  type D1DatabaseLike,
  type DurableObjectNamespaceLike,
  type CookieOptions,
  type EndpointRequest,
  type ResponseData,
  type SessionStore,
  type TokenResponse,
  type ErrorCode,
  type JWK,
  type JWKS,
  type JWTPayload,
  type SignOptions,
  type VerifyOptions,
  type VerifyResult,
  type RemoteKeySetOptions,
  type VerifierOptions,
  type IssuerDpopOptions,
  type StartSessionOptions,
  type ClockOptions,
  type ResourceServerOptions,
} from "jwt-refresh";
import {
  AuthClient,
  decodeUnverified as leanDecode,
  errorCodes as leanErrorCodes,
  isJwtRefreshError as leanIsError,
  parseDuration as leanParseDuration,
  type AuthClientOptions,
  type BackoffOptions,
  type ClientDpopOptions,
  type AuthState,
  type TokenResponse as ClientTokenResponse,
} from "jwt-refresh/client";
// The main entry's wasm has no browser client, so its types must not promise one.
// @ts-expect-error AuthClient is exported by "jwt-refresh/client" only
import { AuthClient as NotInMainEntry } from "jwt-refresh";
void NotInMainEntry;

// HMAC keys work with every method; asymmetric ones with the async methods.
const alg: Algorithm = "HS256";
const key: Key = Key.generate(alg, { kid: "k1" });
async function asymmetric(): Promise<void> {
  const edKey: Key = await Key.generateAsync("EdDSA", { kid: "ed" });
  const edToken: string = await edKey.signAsync({ sub: "u" }, { expiresIn: "5m" });
  const fromSet: VerifyResult = await KeySet.fromJwks({ keys: [edKey.toPublicJwk()] }).verifyAsync(edToken, { algorithms: ["EdDSA", "RS256", "PS512", "ES384"] });
  const remoteOptions: RemoteKeySetOptions = { cacheMaxAge: "10m", cooldown: 30, timeout: "5s", staleIfError: "1h", maxBodySize: 65_536 };
  const remote: RemoteKeySet = KeySet.remote("https://login.example/jwks.json", remoteOptions);
  const fromRemote: VerifyResult = await remote.verifyAsync(edToken, { issuer: "https://login.example" });
  const pemKey: Key = await Key.fromPemAsync("-----BEGIN PUBLIC KEY-----\n...\n-----END PUBLIC KEY-----", { alg: "RS256" });
  // @ts-expect-error: the cache option is the Cache API's shape, not a flag
  KeySet.remote("https://login.example/jwks.json", { cache: true });
  void [fromSet, remote.url, fromRemote, pemKey];
}
void asymmetric;
const signOptions: SignOptions = { expiresIn: "15m", typ: "at+jwt", audience: ["api"], jti: true };
const claims: JWTPayload = { sub: "user-1", roles: ["admin"] };
const token: string = key.sign(claims, signOptions);
const verifyOptions: VerifyOptions = {
  algorithms: ["HS256"],
  audience: "api",
  clockTolerance: 5,
  maxTokenAge: "1h",
  currentDate: new Date(),
};
const result: VerifyResult = key.verify(token, verifyOptions);
// @ts-expect-error a cache belongs to a verifier, not to one call
key.verify(token, { cache: 5 });
const signer: Signer = key.signer({ expiresIn: "5m", typ: "at+jwt" });
const verifier: Verifier = key.verifier({ typ: "at+jwt", audience: "api", cache: 1000 });
const prepared: VerifyResult = verifier.verify(signer.sign({ aud: "api" }), new Date());
async function hostVerified(): Promise<void> {
  const viaHost: VerifyResult = await key.verifyAsync(token, { audience: "api" });
  const viaVerifier: VerifyResult = await verifier.verifyAsync(token);
  const hostSigned: string = await key.signAsync(claims, signOptions);
  const hostSignedBySigner: string = await signer.signAsync({ aud: "api" }, new Date());
  void [viaHost, viaVerifier, hostSigned, hostSignedBySigner];
}
void hostVerified;
const exp: number | undefined = result.payload.exp;
const kid: string | undefined = result.protectedHeader.kid;
const headerAlg: Algorithm = result.protectedHeader.alg;

const privateJwk: JWK = key.toPrivateJwk();
const imported: Key = Key.fromJwk(privateJwk, { alg: "HS256" });
const thumbprint: string = imported.thumbprint();
const canSign: boolean = imported.canSign;
const keyAlg: Algorithm = imported.alg;
const keyKid: string | undefined = imported.kid;

const set = new KeySet();
set.add(key);
const jwks: JWKS = set.toJwks();
const fromJwks: KeySet = KeySet.fromJwks(jwks);
const size: number = fromJwks.size;
const viaSet: VerifyResult = fromJwks.verify(token);

const decoded: VerifyResult = decodeUnverified(token);
const seconds: number = parseDuration("2h");
const codes: ErrorCode[] = errorCodes();

try {
  key.verify("not.a.token");
} catch (e: unknown) {
  if (isJwtRefreshError(e)) {
    const code: ErrorCode = e.code;
    const message: string = e.message;
    // @ts-expect-error: codes are a closed union, a typo does not compile.
    const typo: ErrorCode = "token_expird";
    void [code, message, typo];
  }
}

// @ts-expect-error: "none" is not an Algorithm.
Key.generate("none");
// @ts-expect-error: options are typed; misspelt names do not compile.
key.verify(token, { audiance: "api" });

void [prepared, exp, kid, headerAlg, privateJwk, thumbprint, canSign, keyAlg, keyKid, size, viaSet, decoded, seconds, codes];

// The edge side.
declare const kv: KvNamespaceLike;
declare const d1: D1DatabaseLike;
declare const durable: DurableObjectNamespaceLike;
const stores: SessionStore[] = [new MemoryStore(), new KvStore(kv), new D1Store(d1, { table: "s" }), new DurableObjectStore(durable)];
const issuerOptions: IssuerOptions = { issuer: "https://auth.example", audience: "api", accessTtl: "5m", store: stores[0]!, signatureCache: 10_000 };
const issuer = new Issuer(key, Key.generate("HS256"), issuerOptions);
const checkedAsync: Promise<VerifyResult> = issuer.verifyAccessAsync("token");
void checkedAsync;
async function edge(request: Request): Promise<Response> {
  const pair: TokenResponse = await issuer.startSession("user-1", { role: "reader" });
  const again: TokenResponse = await issuer.refresh(pair.access_token, pair.refresh_token, { currentDate: new Date() });
  await issuer.revokeSession("user-1", "sid");
  await issuer.revokeByRefreshToken(again.refresh_token);
  const revoked: number = await issuer.revokeAll("user-1");
  const checked: VerifyResult = issuer.verifyAccess(again.access_token);
  const accessVerifier: Verifier = issuer.accessVerifier({ cache: 10_000 });
  const checkedOnHost: VerifyResult = await accessVerifier.verifyAsync(again.access_token);
  void checkedOnHost;
  const auth = authenticate(request, issuer);
  const hostAuth = await authenticateAsync(request, issuer);
  if (!hostAuth.ok) return hostAuth.response;
  if (!auth.ok) return auth.response;
  const sub: string | undefined = auth.payload.sub;
  const denied: ResponseData = unauthorizedResponse("token_expired");
  const expired: boolean = isExpiredSignal(denied.status, denied.headers[0]?.[1]);
  const published: JWKS = issuer.jwks();
  const apiOptions: ResourceServerOptions = { issuer: "https://auth.example", audience: "api", dpop: true };
  const api = new ResourceServer(KeySet.remote("https://auth.example/.well-known/jwks.json"), apiOptions);
  const apiAuth = await authenticateAsync(request, api);
  if (!apiAuth.ok) return apiAuth.response;
  void [revoked, checked, sub, expired, published];
  return request.method === "POST" ? handleRefresh(request, issuer) : tokenResponse(pair);
}
void edge;

// Cookie mode at the edge.
const cookieOptions: CookieOptions = { path: "/auth", sameSite: "Strict", maxAge: "session", allowedOrigins: ["https://app.example"] };
const cookieIssuer = new Issuer(key, Key.generate("HS256"), { issuer: "https://auth.example", cookies: cookieOptions });
const inCookieMode: boolean = cookieIssuer.cookieMode;
// @ts-expect-error: SameSite has three values.
const badSameSite: CookieOptions = { sameSite: "Sometimes" };
async function cookieEdge(request: Request): Promise<Response> {
  const login: Response = tokenResponse(await cookieIssuer.startSession("user-1"), cookieIssuer);
  const parts: EndpointRequest = { ownOrigin: "https://auth.example", contentType: "application/json", cookie: request.headers.get("cookie"), body: "{}" };
  const refreshed: ResponseData = await cookieIssuer.refreshEndpoint(parts);
  const loggedOut: ResponseData = await cookieIssuer.logoutEndpoint(parts, { currentDate: new Date() });
  const data: ResponseData = cookieIssuer.tokenResponseData(await cookieIssuer.startSession("user-2"));
  void [login, refreshed, loggedOut, data, inCookieMode, badSameSite];
  return new URL(request.url).pathname === "/auth/logout" ? handleLogout(request, cookieIssuer) : handleRefresh(request, cookieIssuer);
}
void cookieEdge;

// The browser client ("jwt-refresh/client") with the session storage and the helpers it
// exports itself.
async function cookieBrowser(): Promise<void> {
  const options: AuthClientOptions = { mode: "cookie", refreshUrl: "/auth/refresh", logoutUrl: "/auth/logout" };
  const client: AuthClient = await AuthClient.create(options);
  client.setProactiveRefresh(false);
  // @ts-expect-error: two modes only.
  const badMode: AuthClientOptions = { mode: "cookies", refreshUrl: "/auth/refresh" };
  void badMode;
}
void cookieBrowser;

// DPoP on both ends: a login answers a refused proof with a challenge the client answers.
async function dpopLogin(request: Request, issuer: Issuer): Promise<Response> {
  try {
    return tokenResponse(await issuer.startSession("user-1"), issuer);
  } catch (error) {
    return dpopChallenge(error, issuer);
  }
}
async function dpopBrowser(): Promise<void> {
  const es256: AuthClientOptions = { refreshUrl: "/auth/refresh", storage: "localStorage", dpop: true };
  const eddsa: AuthClientOptions = { refreshUrl: "/auth/refresh", dpop: { alg: "EdDSA" }, backoff: { baseMs: 100, maxMs: 1000 } };
  const client: AuthClient = await AuthClient.create(es256);
  const tokens: ClientTokenResponse = await (await client.fetch("/auth/login", { method: "POST" })).json();
  const bound: boolean = tokens.token_type === "DPoP";
  const headers: { authorization?: string; dpop?: string } = await client.headersFor(new URL("https://api.example/x"), "PUT");
  void headers;
  const cap: number = cookieIssuer.maxRequestBody;
  // @ts-expect-error: ES256 or EdDSA only.
  const badAlg: AuthClientOptions = { refreshUrl: "/r", dpop: { alg: "RS256" } };
  void [eddsa, bound, cap, badAlg];
}
void [dpopLogin, dpopBrowser];

// The option interfaces the core declares, as a user names them.
const verifierOptions: VerifierOptions = { algorithms: ["HS256"], cache: 100 };
const issuerDpop: IssuerDpopOptions = { required: true, maxAge: "30s" };
const clock: ClockOptions = { currentDate: new Date() };
const started: StartSessionOptions = { ...clock, dpop: { method: "POST", url: "https://a.example/login" } };
// @ts-expect-error: a verifier fixes no clock.
const verifierWithClock: VerifierOptions = { currentDate: new Date() };
const backoff: BackoffOptions = { baseMs: 250, maxMs: 8000 };
const clientDpop: ClientDpopOptions = { alg: "ES256" };
void [verifierOptions, issuerDpop, started, verifierWithClock, backoff, clientDpop];

async function leanBrowser(): Promise<void> {
  const options: AuthClientOptions = { refreshUrl: "/auth/refresh", storage: "sessionStorage" };
  const client: AuthClient = await AuthClient.create(options);
  const tokens: ClientTokenResponse = await (await fetch("/auth/login", { method: "POST" })).json();
  await client.setTokens(tokens);
  const state: AuthState = client.state;
  const token: string | null = await client.getAccessToken();
  const exp: number | undefined = token === null ? undefined : leanDecode(token).payload.exp;
  const codes: string[] = leanErrorCodes();
  const seconds: number = leanParseDuration("15m");
  try {
    await client.fetch("/api/me");
  } catch (e) {
    if (leanIsError(e) && e.code === "network_error") client.close();
  }
  void [state, exp, codes, seconds];
}
void leanBrowser;

// The browser side.
async function browser(): Promise<void> {
  const options: AuthClientOptions = { refreshUrl: "/auth/refresh", storage: "localStorage", split: true, refreshMargin: "30s" };
  const auth: AuthClient = await AuthClient.create(options);
  const off: () => void = auth.on("logout", (detail) => {
    const reason: string = detail.reason;
    void reason;
  });
  // Every event's payload is typed.
  auth.on("refresh", (detail) => {
    const at: number = detail.accessExpiresAt;
    const source: "this-tab" | "other-tab" | "login" = detail.source;
    void [at, source];
  });
  auth.on("error", (detail) => {
    const code: ErrorCode = detail.code;
    void [code, detail.message];
  });
  // React's useSyncExternalStore(subscribe, getSnapshot) takes these as they are.
  const unsubscribe: () => void = auth.subscribe(() => void auth.state);
  unsubscribe();
  await auth.setTokens(await (await fetch("/auth/login", { method: "POST" })).json());
  const response: Response = await auth.fetch("/api/me", { method: "GET" });
  const token: string | null = await auth.getAccessToken();
  await auth.refresh();
  const state: AuthState = auth.state;
  const status: "authenticated" | "refreshing" | "unauthenticated" | "restoring" = state.status;
  // A discriminated union: an authenticated state has its expiries.
  if (state.status === "authenticated") {
    const expiries: [number, number] = [state.accessExpiresAt, state.refreshExpiresAt];
    void expiries;
  } else if (state.status === "unauthenticated") {
    const reason: string | null = state.reason;
    void reason;
  }
  await auth.logout();
  off();
  auth.close();
  void [response, token, status];
}
void browser;

// jwt-refresh/hono: the middleware's variables typed with the app's claims.
import { Hono } from "hono";
import { jwtRefresh, refreshHandler, logoutHandler, type AuthVariables } from "jwt-refresh/hono";
type AppClaims = JWTPayload & { sub: string; role: "reader" | "admin" };
const honoApp = new Hono<{ Variables: AuthVariables<AppClaims> }>();
honoApp.use("/api/*", jwtRefresh<AppClaims>(issuer));
honoApp.post("/auth/refresh", refreshHandler(issuer));
honoApp.post("/auth/logout", logoutHandler((c) => (c.req.header("x-tenant") ? issuer : issuer)));
honoApp.get("/api/me", (c) => {
  const role: "reader" | "admin" = c.get("auth").payload.role;
  // @ts-expect-error: the claims are typed; a claim the app does not have does not compile.
  void c.get("auth").payload.plan.toUpperCase();
  return c.json({ sub: c.get("auth").payload.sub, role });
});
