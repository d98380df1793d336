// The demo SPA: an AuthClient over localStorage (shared by every tab of this origin). It loads
// the browser client alone (an app writes: from "jwt-refresh/client").
import { AuthClient, decodeUnverified } from "/pkg/client.js";

const $ = (id) => document.getElementById(id);
const NAMESPACE = "demo";
let stolen = null;

const auth = await AuthClient.create({
  refreshUrl: "/auth/refresh",
  logoutUrl: "/auth/logout",
  storage: "localStorage",
  namespace: NAMESPACE,
  refreshMargin: "5s",
});

function log(kind, text) {
  const item = document.createElement("li");
  item.className = kind;
  item.innerHTML = `<time>${new Date().toLocaleTimeString()}</time> <b>${kind}</b> `;
  item.append(text);
  $("log").prepend(item);
}

auth.on("refresh", ({ source, accessExpiresAt }) => {
  const from = { "this-tab": "this tab refreshed", "other-tab": "adopted from another tab", login: "logged in" }[source] ?? source;
  log("refresh", `${from}; new access token valid until ${new Date(accessExpiresAt * 1000).toLocaleTimeString()}`);
  if (stolen && source !== "login") {
    $("replay").disabled = false;
  }
  render();
});
auth.on("logout", ({ reason }) => {
  log("logout", `logged out (${reason})`);
  stolen = null;
  render();
});
auth.on("error", ({ code, message }) => log("error", `${code}: ${message}`));

function storedTokens() {
  return JSON.parse(localStorage.getItem(`${NAMESPACE}:tokens`) ?? "null");
}

function seconds(n) {
  return n <= 0 ? "expired" : n < 120 ? `${Math.ceil(n)} s left` : `${Math.round(n / 60)} min left`;
}

function render() {
  const state = auth.state;
  const signedIn = state.status !== "unauthenticated";
  $("login-card").hidden = signedIn;
  $("session-card").hidden = !signedIn;
  $("status").textContent = state.status;
  $("status").className = `badge ${state.status}`;
  if (!signedIn) return;
  const tokens = storedTokens();
  const claims = tokens?.accessToken ? decodeUnverified(tokens.accessToken).payload : {};
  $("who").textContent = `${claims.sub ?? "?"} (${claims.role ?? "?"})`;
  const serverNow = Date.now() / 1000 + state.clockSkew;
  const accessLife = Math.max(1, state.accessExpiresAt - (tokens?.accessIssuedAt ?? serverNow));
  const accessLeft = state.accessExpiresAt - serverNow;
  $("access-left").textContent = seconds(accessLeft);
  $("access-bar").style.width = `${Math.max(0, Math.min(100, (accessLeft / accessLife) * 100))}%`;
  const refreshLeft = state.refreshExpiresAt - serverNow;
  $("refresh-left").textContent = seconds(refreshLeft);
  $("refresh-bar").style.width = `${Math.max(0, Math.min(100, (refreshLeft / 3600) * 100))}%`;
  $("skew").textContent = `${state.clockSkew >= 0 ? "+" : ""}${state.clockSkew.toFixed(2)} s`;
}
setInterval(render, 250);

$("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("login-error").textContent = "";
  const res = await fetch("/auth/login", {
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

$("refresh-now").addEventListener("click", () => auth.refresh().catch(() => {}));
$("new-tab").addEventListener("click", () => window.open(location.href, "_blank"));
$("logout").addEventListener("click", () => auth.logout());

$("steal").addEventListener("click", () => {
  stolen = storedTokens();
  $("replay").disabled = true;
  log("attack", "an attacker copied the current refresh token; it will be rotated on the next refresh");
});

$("replay").addEventListener("click", async () => {
  if (!stolen) return;
  const res = await fetch("/auth/refresh", {
    method: "POST",
    headers: { authorization: `Bearer ${stolen.accessToken}`, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: stolen.refreshToken }),
  });
  const body = await res.json();
  if (res.ok) {
    log("attack", "replayed inside the 10 s grace window: the server answered the current token (two tabs racing look like this); wait and replay again");
    return;
  }
  log("attack", `replay refused: ${body.error_description} — the whole session is revoked`);
  stolen = null;
  $("replay").disabled = true;
  // The legitimate tabs find out at their next refresh; do it now to show it.
  await auth.refresh().catch(() => {});
});

render();
log("ready", auth.state.status === "unauthenticated" ? "not signed in" : "signed in from storage");
