// The demo SPA in cookie mode: the access token lives in this tab's memory, the refresh token
// in an HttpOnly cookie the Worker sets on /auth. A reload refreshes through the cookie. It
// loads the browser client alone (an app writes: from "jwt-refresh/client").
import { AuthClient, decodeUnverified } from "/pkg/client.js";

const $ = (id) => document.getElementById(id);
const short = (token) => (token.length > 28 ? `${token.slice(0, 14)}…${token.slice(-8)}` : token);

// Every request the client makes goes through this fetch, which records the exchange for the
// strip below: the request with its Bearer token, what the browser adds (cookies on /auth),
// the answer with its status, WWW-Authenticate and tokens.
async function recordingFetch(input, init) {
  const request = new Request(input, init);
  const url = new URL(request.url);
  const bearer = request.headers.get("authorization")?.replace(/^Bearer /, "");
  const lines = [];
  if (bearer) {
    const { payload } = decodeUnverified(bearer);
    const left = payload.exp - Date.now() / 1000;
    lines.push(`Authorization: Bearer ${short(bearer)} (access token, ${left > 0 ? `${Math.round(left)} s left` : "expired"})`);
  }
  if (url.pathname.startsWith("/auth/")) lines.push("Cookie: whatever /auth cookies the browser holds (HttpOnly: added by the browser, unseen by this page)");
  const body = init?.body ?? (request.method === "POST" ? await request.clone().text() : "");
  if (body) lines.push(`Body: ${String(body).replace(/("password":)"[^"]*"/, '$1"•••"')}`);
  const item = exchange(`${request.method} ${url.pathname}`, lines);
  let response;
  try {
    response = await fetch(request);
  } catch (error) {
    item.answer("network error", [String(error)], 5);
    throw error;
  }
  const answer = [];
  const challenge = response.headers.get("www-authenticate");
  if (challenge) answer.push(`WWW-Authenticate: ${challenge}`);
  const text = await response.clone().text().catch(() => "");
  try {
    const data = JSON.parse(text);
    if (data.access_token) answer.push(`access_token: ${short(data.access_token)}, expires_in ${data.expires_in} s; refresh token: none in the body (Set-Cookie, HttpOnly)`);
    else answer.push(JSON.stringify(data));
  } catch {
    if (text) answer.push(text.slice(0, 120));
  }
  item.answer(`${response.status}`, answer, Math.floor(response.status / 100));
  return response;
}

function exchange(title, lines) {
  const item = document.createElement("li");
  item.innerHTML = `<time>${new Date().toLocaleTimeString()}</time> <span class="req"></span>`;
  item.querySelector(".req").textContent = title;
  for (const line of lines) {
    const detail = document.createElement("span");
    detail.className = "detail";
    detail.textContent = `→ ${line}`;
    item.append(detail);
  }
  $("exchanges").prepend(item);
  return {
    answer(status, answerLines, klass) {
      const head = document.createElement("span");
      head.className = `detail status-${klass}`;
      head.textContent = `← ${status}`;
      item.append(head);
      for (const line of answerLines) {
        const detail = document.createElement("span");
        detail.className = "detail";
        detail.textContent = `← ${line}`;
        item.append(detail);
      }
    },
  };
}

const auth = await AuthClient.create({
  mode: "cookie",
  refreshUrl: "/auth/refresh",
  logoutUrl: "/auth/logout",
  namespace: "demo",
  refreshMargin: "5s",
  fetch: recordingFetch,
});

window.auth = auth; // for the console (and the tests)

function log(kind, text) {
  const item = document.createElement("li");
  item.className = kind;
  item.innerHTML = `<time>${new Date().toLocaleTimeString()}</time> <b>${kind}</b> `;
  item.append(text);
  $("log").prepend(item);
}

const REVOCATIONS = {
  refresh_token_reused: "a refresh token was presented again after it had been rotated (and after the grace window). Someone holds a copy: the server revoked the whole session, in every tab.",
  session_revoked: "the session was revoked on the server (a logout elsewhere, or reuse of a stolen refresh token).",
  session_expired: "the session reached its lifetime or idle limit.",
  refresh_token_expired: "the refresh token expired.",
};

auth.on("refresh", ({ source, accessExpiresAt }) => {
  const from = { "this-tab": "this tab refreshed", "other-tab": "adopted from another tab", login: "logged in" }[source] ?? source;
  log("refresh", `${from}; new access token valid until ${new Date(accessExpiresAt * 1000).toLocaleTimeString()}`);
  $("revoked-banner").hidden = true;
  if (stolen && source !== "login") $("replay").disabled = false;
  showTokens();
});
auth.on("logout", ({ reason }) => {
  log("logout", `logged out (${reason})`);
  stolen = false;
  $("replay").disabled = true;
  // The server names what this tab met (session_revoked); the replay in this tab knows why.
  const cause = revokedBy ?? reason;
  revokedBy = null;
  const why = REVOCATIONS[cause];
  $("revoked-banner").hidden = !why;
  if (why) $("revoked-banner").innerHTML = `<b>Session revoked</b> (<code>${cause}</code>): ${why} Log in again.`;
});
auth.on("error", ({ code, message }) => log("error", `${code}: ${message}`));
auth.on("change", () => render());

let stolen = false;
let revokedBy = null;

function seconds(n) {
  return n <= 0 ? "expired" : n < 120 ? `${Math.ceil(n)} s left` : `${Math.round(n / 60)} min left`;
}

let accessLife = 20;

function render() {
  const state = auth.state;
  $("restoring-card").hidden = state.status !== "restoring";
  $("login-card").hidden = state.status !== "unauthenticated";
  const signedIn = state.status === "authenticated" || state.status === "refreshing";
  $("session-card").hidden = !signedIn;
  $("tokens-card").hidden = !signedIn;
  if (!signedIn) return;
  $("status").textContent = state.status;
  $("status").className = `badge ${state.status}`;
  const serverNow = Date.now() / 1000 + state.clockSkew;
  const accessLeft = state.accessExpiresAt - serverNow;
  $("access-left").textContent = seconds(accessLeft);
  $("access-bar").style.width = `${Math.max(0, Math.min(100, (accessLeft / accessLife) * 100))}%`;
  const refreshLeft = state.refreshExpiresAt - serverNow;
  $("refresh-left").textContent = seconds(refreshLeft);
  $("refresh-bar").style.width = `${Math.max(0, Math.min(100, (refreshLeft / 3600) * 100))}%`;
  $("skew").textContent = `${state.clockSkew >= 0 ? "+" : ""}${state.clockSkew.toFixed(2)} s`;
}
setInterval(render, 250);

async function showTokens() {
  // Reads the access token without refreshing it (proactive refresh may be paused).
  const token = await auth.getAccessToken().catch(() => null);
  if (token) {
    const { protectedHeader, payload } = decodeUnverified(token);
    accessLife = Math.max(1, payload.exp - payload.iat);
    $("who").textContent = `${payload.sub} (${payload.role})`;
    $("access-decoded").textContent = `header ${JSON.stringify(protectedHeader, null, 2)}\nclaims ${JSON.stringify(payload, null, 2)}`;
  }
  const cookies = await (await fetch("/auth/cookies")).json().catch(() => null);
  $("cookies").textContent = cookies
    ? `${cookies.cookies.map((c) => `${c.name} = ${c.value} (${c.bytes} bytes)`).join("\n") || "(none)"}\n\nset with: ${cookies.attributes}\n\ndocument.cookie on this page: ${JSON.stringify(document.cookie)}`
    : "";
  // The refresh token as the server reads it from the cookie (the page never holds it).
  const refresh = cookies?.cookies.find((c) => c.name === "__Secure-refresh_token")?.decoded;
  $("refresh-decoded").textContent = refresh
    ? `header ${JSON.stringify(refresh.header, null, 2)}\nclaims ${JSON.stringify(refresh.claims, null, 2)}`
    : "(no refresh cookie)";
}

$("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("login-error").textContent = "";
  const res = await recordingFetch("/auth/login", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: $("username").value, password: $("password").value }),
  });
  if (!res.ok) {
    $("login-error").textContent = "Wrong user name or password (the password is demo).";
    return;
  }
  await auth.setTokens(await res.json());
});

$("call-api").addEventListener("click", async () => {
  const res = await auth.fetch("/api/me");
  const body = await res.json().catch(() => ({}));
  $("api-result").hidden = false;
  $("api-result").textContent = `${res.status} ${JSON.stringify(body, null, 2)}`;
  log("api", `GET /api/me → ${res.status}`);
});

$("pause-proactive").addEventListener("change", (event) => {
  auth.setProactiveRefresh(!event.target.checked);
  log("setting", event.target.checked ? "proactive refresh paused: the next API call after expiry meets the expired signal" : "proactive refresh on");
});
$("refresh-now").addEventListener("click", () => auth.refresh().catch(() => {}));
$("new-tab").addEventListener("click", () => window.open(location.href, "_blank"));
$("reload").addEventListener("click", () => location.reload());
$("logout").addEventListener("click", () => auth.logout());

$("xss").addEventListener("click", async () => {
  // Everything a script on this page can reach.
  const databases = (await indexedDB.databases?.()) ?? [];
  const places = {
    "document.cookie": document.cookie,
    localStorage: JSON.stringify({ ...localStorage }),
    sessionStorage: JSON.stringify({ ...sessionStorage }),
    "IndexedDB databases": JSON.stringify(databases.map((d) => d.name)),
    "auth.state": JSON.stringify(auth.state),
  };
  const refreshTokens = (text) =>
    (text.match(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g) ?? []).filter((jwt) => {
      try {
        return decodeUnverified(jwt).protectedHeader.typ === "rt+jwt";
      } catch {
        return false;
      }
    });
  const found = Object.entries(places).filter(([, text]) => refreshTokens(text).length > 0);
  log("attack", found.length ? `found a refresh token in ${found.map(([k]) => k).join(", ")}` : `no refresh token anywhere a script can look (${Object.keys(places).join(", ")}): it is an HttpOnly cookie`);
});

$("steal").addEventListener("click", async () => {
  const { stolen: ok } = await (await recordingFetch("/auth/demo/steal", { method: "POST" })).json();
  stolen = ok;
  $("replay").disabled = true;
  log("attack", ok ? "the attacker copied the current refresh cookie; the app rotates it at its next refresh" : "no refresh cookie to copy");
});

$("replay").addEventListener("click", async () => {
  const answer = await (await recordingFetch("/auth/demo/replay", { method: "POST" })).json();
  if (answer.got_tokens) {
    log("attack", "replayed inside the grace window: the server answered with the current pair (two tabs racing look like this); wait and replay again");
    return;
  }
  log("attack", `replay refused: ${answer.error_description} — the whole session is revoked`);
  stolen = false;
  revokedBy = answer.error_description;
  $("replay").disabled = true;
  // The legitimate tabs find out at their next refresh; do it now to show it.
  await auth.refresh().catch(() => {});
});

render();
if (auth.state.status === "restoring") log("ready", "restoring the session through the refresh cookie");
await showTokens().catch(() => {});
