//! The browser side in real browsers (headless Chrome and Firefox): every token storage,
//! including a throwing one and a full quota, and every AuthClient path against a local
//! auth server (tests/js/support/auth-server.mjs, started by scripts/test.sh).
#![cfg(all(feature = "browser", feature = "keys", target_arch = "wasm32"))]

use js_sys::{Function, Object, Promise, Reflect, JSON};
use jwt_refresh::wasm::{is_jwt_refresh_error, JsAuthClient};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const SERVER: &str = match option_env!("JWT_REFRESH_TEST_SERVER") {
    Some(url) => url,
    None => "http://127.0.0.1:38917",
};

fn obj(json: &str) -> JsValue {
    JSON::parse(json).expect("test JSON")
}

fn get(value: &JsValue, name: &str) -> JsValue {
    Reflect::get(value, &name.into()).unwrap()
}

async fn wait(promise: Promise) -> Result<JsValue, JsValue> {
    JsFuture::from(promise).await
}

async fn http(path: &str, method: &str, body: &str) -> JsValue {
    let fetch: Function = get(&js_sys::global(), "fetch").dyn_into().unwrap();
    let init = obj(&format!(r#"{{"method":"{method}"}}"#));
    if method == "POST" {
        Reflect::set(&init, &"body".into(), &body.into()).unwrap();
    }
    let response = wait(
        fetch
            .call2(&JsValue::NULL, &format!("{SERVER}{path}").into(), &init)
            .unwrap()
            .into(),
    )
    .await
    .expect("the test server is not running (scripts/test.sh starts it)");
    let json: Function = get(&response, "json").dyn_into().unwrap();
    wait(json.call0(&response).unwrap().into())
        .await
        .unwrap_or(JsValue::NULL)
}

async fn reset(script: &str) {
    http("/test/reset", "POST", "").await;
    http("/test/script", "POST", script).await;
}

async fn stat(name: &str) -> f64 {
    get(&http("/test/stats", "GET", "").await, name)
        .as_f64()
        .unwrap()
}

async fn login(user: &str) -> JsValue {
    http("/auth/login", "POST", &format!(r#"{{"user":"{user}"}}"#)).await
}

async fn client_with(storage: JsValue, extra: &str) -> JsAuthClient {
    let options = obj(&format!(
        r#"{{"refreshUrl":"{SERVER}/auth/refresh","logoutUrl":"{SERVER}/auth/logout","namespace":"test-{}","backoff":{{"baseMs":20,"maxMs":100}}{extra}}}"#,
        js_sys::Math::random().to_bits()
    ));
    Reflect::set(&options, &"storage".into(), &storage).unwrap();
    JsAuthClient::open(options).await.expect("client")
}

async fn logged_in(storage: &str, extra: &str) -> JsAuthClient {
    let client = client_with(storage.into(), extra).await;
    wait(client.set_tokens(login("alice").await)).await.unwrap();
    client
}

fn code_of(err: JsValue) -> String {
    assert!(is_jwt_refresh_error(&err), "not a JwtRefreshError: {err:?}");
    get(&err, "code").as_string().unwrap()
}

/// Resolves with the detail of the next `event`.
fn next_event(client: &JsAuthClient, event: &str) -> Promise {
    let mut resolve_slot = None;
    let promise = Promise::new(&mut |resolve, _| resolve_slot = Some(resolve));
    client
        .on(event.into(), JsValue::from(resolve_slot.unwrap()))
        .unwrap();
    promise
}

async fn api(client: &JsAuthClient) -> (u16, JsValue) {
    let response = wait(client.fetch(format!("{SERVER}/api/data").into(), None))
        .await
        .unwrap();
    let status = get(&response, "status").as_f64().unwrap() as u16;
    let json: Function = get(&response, "json").dyn_into().unwrap();
    (
        status,
        wait(json.call0(&response).unwrap().into())
            .await
            .unwrap_or(JsValue::NULL),
    )
}

fn status(client: &JsAuthClient) -> String {
    get(&client.state(), "status").as_string().unwrap()
}

fn storage_item(kind: &str, key: &str) -> Option<String> {
    let storage = get(&js_sys::global(), kind);
    let get_item: Function = get(&storage, "getItem").dyn_into().unwrap();
    get_item.call1(&storage, &key.into()).unwrap().as_string()
}

#[wasm_bindgen_test]
async fn every_storage_keeps_tokens_across_clients_and_logout_clears_them() {
    reset("{}").await;
    for storage in ["localStorage", "sessionStorage", "indexedDB"] {
        let namespace = format!("persist-{storage}");
        let options = format!(r#","namespace":"{namespace}""#);
        let first = client_with(
            storage.into(),
            &options.replace(r#","namespace""#, r#","split":false,"namespace""#),
        )
        .await;
        wait(first.set_tokens(login("bob").await)).await.unwrap();
        // A second client (a reload, or another tab) finds the same tokens.
        let second = client_with(storage.into(), &options).await;
        assert_eq!(status(&second), "authenticated", "{storage}");
        let (code, body) = api(&second).await;
        assert_eq!(
            (code, get(&body, "sub").as_string().unwrap()),
            (200, "bob".into()),
            "{storage}"
        );
        wait(second.logout()).await.unwrap();
        let third = client_with(storage.into(), &options).await;
        assert_eq!(status(&third), "unauthenticated", "{storage}");
        for c in [first, second, third] {
            c.close();
        }
    }
    // Memory keeps nothing across clients.
    let memory = logged_in("memory", "").await;
    assert_eq!(status(&memory), "authenticated");
    let fresh = client_with("memory".into(), "").await;
    assert_eq!(status(&fresh), "unauthenticated");
}

/// A custom async storage over the members of `backing`; one whose `remove` does nothing
/// when `removes` is false.
fn object_storage(backing: &Object, removes: bool) -> JsValue {
    js_sys::eval(
        "((backing, removes) => ({ get: async k => backing[k] ?? null, set: async (k, v) => { backing[k] = v }, remove: async k => { if (removes) delete backing[k] } }))",
    )
    .unwrap()
    .unchecked_into::<Function>()
    .call2(&JsValue::NULL, backing, &removes.into())
    .unwrap()
}

#[wasm_bindgen_test]
async fn a_custom_async_storage_is_used_through_its_methods() {
    let backing = Object::new();
    let storage = object_storage(&backing, true);
    let client = client_with(storage.clone(), r#","namespace":"custom""#).await;
    wait(client.set_tokens(login("carol").await)).await.unwrap();
    let saved = get(&backing, "custom:tokens").as_string().unwrap();
    assert!(saved.contains("refreshToken"));
    let again = client_with(storage, r#","namespace":"custom""#).await;
    assert_eq!(status(&again), "authenticated");
}

#[wasm_bindgen_test]
async fn split_placement_persists_the_refresh_token_only() {
    let client = client_with(
        "localStorage".into(),
        r#","namespace":"split","split":true"#,
    )
    .await;
    let tokens = login("dave").await;
    wait(client.set_tokens(tokens.clone())).await.unwrap();
    let stored = storage_item("localStorage", "split:tokens").unwrap();
    let access = get(&tokens, "access_token").as_string().unwrap();
    let refresh = get(&tokens, "refresh_token").as_string().unwrap();
    assert!(!stored.contains(&access), "the access token was persisted");
    assert!(stored.contains(&refresh));
    assert_eq!(
        api(&client).await.0,
        200,
        "the access token is still used from memory"
    );
    wait(client.logout()).await.unwrap();
}

#[wasm_bindgen_test]
async fn the_stored_pair_keeps_its_format_and_a_garbled_one_is_absent() {
    let client = client_with("localStorage".into(), r#","namespace":"format""#).await;
    wait(client.set_tokens(login("fran").await)).await.unwrap();
    let stored = JSON::parse(&storage_item("localStorage", "format:tokens").unwrap()).unwrap();
    let mut names: Vec<String> = Object::keys(stored.unchecked_ref::<Object>())
        .iter()
        .filter_map(|name| name.as_string())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "accessExpiresAt",
            "accessIssuedAt",
            "accessToken",
            "clockSkew",
            "refreshExpiresAt",
            "refreshToken"
        ]
    );
    assert!(get(&stored, "accessExpiresAt").as_f64().unwrap() > 1.7e9);
    client.close();
    // Another tab opens on it; then on the same pair with one member of the wrong type.
    let again = client_with("localStorage".into(), r#","namespace":"format""#).await;
    assert_eq!(status(&again), "authenticated");
    again.close();
    Reflect::set(&stored, &"accessExpiresAt".into(), &"soon".into()).unwrap();
    let garbled = JSON::stringify(&stored).unwrap().as_string().unwrap();
    let local = get(&js_sys::global(), "localStorage");
    let set_item: Function = get(&local, "setItem").dyn_into().unwrap();
    set_item
        .call2(&local, &"format:tokens".into(), &garbled.into())
        .unwrap();
    let reopened = client_with("localStorage".into(), r#","namespace":"format""#).await;
    assert_eq!(status(&reopened), "unauthenticated");
    reopened.close();
}

#[wasm_bindgen_test]
async fn a_throwing_storage_and_a_full_quota_are_typed_errors() {
    let throwing: JsValue = js_sys::eval(
        "({ get: async () => null, set: async () => { throw new Error('disk on fire') }, remove: async () => {} })",
    )
    .unwrap();
    let client = client_with(throwing, "").await;
    let err = wait(client.set_tokens(login("erin").await))
        .await
        .unwrap_err();
    // The storage's own words reach the app.
    let message = get(&err, "message").as_string().unwrap();
    assert!(message.contains("disk on fire"), "{message}");
    assert_eq!(code_of(err), "storage_unavailable");

    let quota: JsValue = js_sys::eval(
        "({ get: async () => null, set: async () => { throw new DOMException('full', 'QuotaExceededError') }, remove: async () => {} })",
    )
    .unwrap();
    let client = client_with(quota, "").await;
    assert_eq!(
        code_of(
            wait(client.set_tokens(login("erin").await))
                .await
                .unwrap_err()
        ),
        "storage_quota_exceeded"
    );

    // The real thing: fill localStorage until the browser refuses, then save tokens.
    js_sys::eval(
        "localStorage.clear(); { const chunk = 'x'.repeat(256 * 1024); let i = 0;
          try { for (;;) localStorage.setItem('filler-' + i++, chunk); } catch {}
          try { for (;;) localStorage.setItem('filler-small-' + i++, 'x'.repeat(64)); } catch {} }",
    )
    .unwrap();
    let client = client_with("localStorage".into(), r#","namespace":"quota""#).await;
    let result = wait(client.set_tokens(login("erin").await)).await;
    js_sys::eval("localStorage.clear()").unwrap();
    let err = result.unwrap_err();
    let message = get(&err, "message").as_string().unwrap();
    assert!(message.starts_with("setItem: storage is full"), "{message}");
    assert_eq!(code_of(err), "storage_quota_exceeded");

    // Bad storage options are refused up front.
    let bad = JsAuthClient::open(obj(&format!(
        r#"{{"refreshUrl":"{SERVER}/x","storage":"cookies"}}"#
    )))
    .await;
    assert_eq!(code_of(bad.err().unwrap()), "invalid_options");
    let bad = JsAuthClient::open(obj(&format!(
        r#"{{"refreshUrl":"{SERVER}/x","storage":{{"get":1}}}}"#
    )))
    .await;
    assert_eq!(code_of(bad.err().unwrap()), "invalid_options");
}

#[wasm_bindgen_test]
async fn fetch_attaches_the_token_and_refreshes_once_on_the_expired_signal() {
    reset(r#"{"api":["expired"]}"#).await;
    let client = logged_in("memory", "").await;
    let refreshed = next_event(&client, "refresh");
    let (code, body) = api(&client).await;
    assert_eq!(
        (code, get(&body, "sub").as_string().unwrap()),
        (200, "alice".into())
    );
    assert_eq!(
        get(&wait(refreshed).await.unwrap(), "source")
            .as_string()
            .unwrap(),
        "this-tab"
    );
    assert_eq!(
        (stat("refreshRequests").await, stat("apiRequests").await),
        (1.0, 2.0)
    );
}

#[wasm_bindgen_test]
async fn any_other_401_is_delivered_without_refreshing() {
    reset(r#"{"api":["invalid"]}"#).await;
    let client = logged_in("memory", "").await;
    let (code, body) = api(&client).await;
    assert_eq!(
        (code, get(&body, "error").as_string().unwrap()),
        (401, "invalid_signature".into())
    );
    assert_eq!(stat("refreshRequests").await, 0.0);
    assert_eq!(status(&client), "authenticated");
}

#[wasm_bindgen_test]
async fn the_expired_signal_right_after_a_refresh_logs_out() {
    reset(r#"{"api":["expired","expired"]}"#).await;
    let client = logged_in("memory", "").await;
    let logout = next_event(&client, "logout");
    let (code, _) = api(&client).await;
    assert_eq!(code, 401);
    assert_eq!(
        get(&wait(logout).await.unwrap(), "reason")
            .as_string()
            .unwrap(),
        "expired_after_refresh"
    );
    assert_eq!(status(&client), "unauthenticated");
    assert_eq!(stat("refreshRequests").await, 1.0, "no loop");
}

#[wasm_bindgen_test]
async fn network_errors_and_429_back_off_then_succeed() {
    reset(r#"{"refresh":["network","429","503"]}"#).await;
    let client = logged_in("memory", r#","maxRefreshAttempts":5"#).await;
    wait(client.refresh()).await.unwrap();
    assert_eq!(
        (
            stat("refreshRequests").await,
            stat("refreshSuccesses").await
        ),
        (4.0, 1.0)
    );
    assert_eq!(status(&client), "authenticated");
}

#[wasm_bindgen_test]
async fn bounded_attempts_keep_the_tokens_and_report_an_error() {
    reset(r#"{"refresh":["503","503","503","503","503"]}"#).await;
    let client = logged_in("memory", r#","maxRefreshAttempts":3"#).await;
    let error = next_event(&client, "error");
    let err = wait(client.refresh()).await.unwrap_err();
    assert_eq!(code_of(err), "network_error");
    assert_eq!(
        get(&wait(error).await.unwrap(), "code")
            .as_string()
            .unwrap(),
        "network_error"
    );
    assert_eq!(
        stat("refreshRequests").await,
        3.0,
        "exactly maxRefreshAttempts"
    );
    assert_eq!(
        status(&client),
        "authenticated",
        "a flaky network is not a logout"
    );
}

#[wasm_bindgen_test]
async fn a_rejected_refresh_logs_out_and_clears_storage() {
    reset(r#"{"refresh":["reject"]}"#).await;
    let client = logged_in("localStorage", r#","namespace":"rejected""#).await;
    assert!(storage_item("localStorage", "rejected:tokens").is_some());
    let logout = next_event(&client, "logout");
    assert_eq!(
        code_of(wait(client.refresh()).await.unwrap_err()),
        "session_revoked"
    );
    assert_eq!(
        get(&wait(logout).await.unwrap(), "reason")
            .as_string()
            .unwrap(),
        "session_revoked"
    );
    assert_eq!(storage_item("localStorage", "rejected:tokens"), None);
    assert_eq!(status(&client), "unauthenticated");
}

#[wasm_bindgen_test]
async fn concurrent_callers_share_one_refresh() {
    reset("{}").await;
    let client = logged_in("memory", "").await;
    let calls: Vec<Promise> = (0..5).map(|_| client.refresh()).collect();
    for call in calls {
        wait(call).await.unwrap();
    }
    assert_eq!(stat("refreshRequests").await, 1.0);
}

#[wasm_bindgen_test]
async fn proactive_refresh_happens_before_expiry_on_the_server_clock() {
    reset("{}").await;
    let client = client_with(
        "memory".into(),
        &format!(r#","refreshMargin":"1s","refreshUrl":"{SERVER}/auth/refresh?short=1""#),
    )
    .await;
    wait(client.set_tokens(http("/auth/login?short=1", "POST", r#"{"user":"frank"}"#).await))
        .await
        .unwrap();
    let before = get(&client.state(), "accessExpiresAt").as_f64().unwrap();
    // The server's access TTL is a few seconds; the timer fires without any request.
    let detail = wait(next_event(&client, "refresh")).await.unwrap();
    assert!(get(&detail, "accessExpiresAt").as_f64().unwrap() > before);
    assert_eq!(stat("refreshRequests").await, 1.0);
    assert_eq!(stat("apiRequests").await, 0.0);
    client.close();
}

#[wasm_bindgen_test]
async fn logging_out_without_tokens_and_unknown_events_are_handled() {
    let client = client_with("memory".into(), "").await;
    assert_eq!(
        code_of(wait(client.refresh()).await.unwrap_err()),
        "not_authenticated"
    );
    assert!(wait(client.get_access_token()).await.unwrap().is_null());
    wait(client.logout()).await.unwrap();
    assert_eq!(
        code_of(
            client
                .on("refreshed".into(), JsValue::from(Function::new_no_args("")))
                .err()
                .unwrap()
        ),
        "invalid_options"
    );
}

/// Tokens from a server whose clock is an hour ahead of this browser's.
fn skewed_tokens(key: &jwt_refresh::wasm::JsKey, ttl: u32) -> JsValue {
    let ahead = js_sys::Date::new(&JsValue::from_f64(js_sys::Date::now() + 3_600_000.0));
    let options = |typ: &str, ttl: u32| {
        let o = obj(&format!(
            r#"{{"typ":"{typ}","expiresIn":{ttl},"subject":"skew"}}"#
        ));
        Reflect::set(&o, &"currentDate".into(), &ahead).unwrap();
        Some(o)
    };
    let access = key
        .sign(obj(r#"{"sid":"s"}"#), options("at+jwt", ttl))
        .unwrap();
    let refresh = key
        .sign(obj(r#"{"sid":"s"}"#), options("rt+jwt", 3600))
        .unwrap();
    obj(&format!(
        r#"{{"access_token":"{access}","refresh_token":"{refresh}","token_type":"Bearer","expires_in":{ttl},"refresh_expires_in":3600}}"#
    ))
}

#[wasm_bindgen_test]
async fn the_clock_is_anchored_on_the_servers_iat() {
    let key = jwt_refresh::wasm::JsKey::generate(JsValue::from("HS256"), None).unwrap();
    let calls = js_sys::Array::new();
    let next = skewed_tokens(&key, 6);
    let fake_fetch: Function = js_sys::eval(
        "((calls, next) => async (url, init) => { calls.push(String(url)); return new Response(JSON.stringify(next), { status: 200, headers: { 'content-type': 'application/json' } }) })",
    )
    .unwrap()
    .unchecked_into::<Function>()
    .call2(&JsValue::NULL, &calls, &next)
    .unwrap()
    .unchecked_into();
    let options = obj(r#"{"refreshUrl":"https://auth.invalid/refresh","namespace":"skew"}"#);
    Reflect::set(&options, &"fetch".into(), &fake_fetch).unwrap();
    let client = JsAuthClient::open(options).await.unwrap();
    wait(client.set_tokens(skewed_tokens(&key, 6)))
        .await
        .unwrap();
    let skew = get(&client.state(), "clockSkew").as_f64().unwrap();
    assert!((skew - 3600.0).abs() < 5.0, "skew {skew}");
    // An hour "in the future" locally, but fresh on the server's clock: no refresh needed.
    assert!(wait(client.get_access_token()).await.unwrap().is_string());
    assert_eq!(calls.length(), 0);
    // The proactive refresh fires on the server's clock (half of a 6 s life), not in an hour.
    let deadline = Promise::new(&mut |_, reject| {
        let window = js_sys::global();
        let set_timeout: Function = get(&window, "setTimeout").dyn_into().unwrap();
        set_timeout
            .call2(
                &window,
                &reject.bind1(&JsValue::NULL, &"no proactive refresh within 15 s".into()),
                &JsValue::from_f64(15_000.0),
            )
            .unwrap();
    });
    let refreshed = Promise::race(&js_sys::Array::of2(
        &next_event(&client, "refresh"),
        &deadline,
    ));
    wait(refreshed).await.unwrap();
    assert_eq!(calls.length(), 1);
    client.close();
}

/// Holds the cross-tab refresh lock of `namespace` (Web Locks) until `release` is called.
async fn hold_refresh_lock(namespace: &str) -> Function {
    let held: Promise = js_sys::eval(
        "(name => new Promise(granted => navigator.locks.request(name, () => new Promise(release => granted(release)))))",
    )
    .unwrap()
    .unchecked_into::<Function>()
    .call1(&JsValue::NULL, &format!("{namespace}:refresh-lock").into())
    .unwrap()
    .unchecked_into();
    wait(held).await.unwrap().unchecked_into()
}

#[wasm_bindgen_test]
async fn a_tab_logged_out_while_it_waits_for_the_lock_stays_logged_out() {
    reset("{}").await;
    let namespace = format!("waiting-{}", js_sys::Math::random().to_bits());
    let options = format!(r#","namespace":"{namespace}""#);
    // The waiting tab's storage lags behind, as a renderer's copy of localStorage can in
    // Chromium: after the other tab's logout it still holds a pair rotated elsewhere.
    let backing = Object::new();
    let lagging = object_storage(&backing, false);
    let waiting = client_with(lagging, &options).await;
    let other = client_with("memory".into(), &options).await;
    let other_got_tokens = next_event(&other, "refresh");
    wait(waiting.set_tokens(login("gina").await)).await.unwrap();
    wait(other_got_tokens).await.unwrap();

    let release = hold_refresh_lock(&namespace).await;
    let key = format!("{namespace}:tokens");
    let rotated = get(&backing, &key).as_string().unwrap().replace(
        r#""refreshToken":""#,
        r#""refreshToken":"rotated-elsewhere."#,
    );
    Reflect::set(&backing, &key.into(), &rotated.into()).unwrap();
    let refreshing = waiting.refresh();
    let logged_out = next_event(&waiting, "logout");
    wait(other.logout()).await.unwrap();
    wait(logged_out).await.unwrap();
    release.call0(&JsValue::NULL).unwrap();

    assert_eq!(
        code_of(wait(refreshing).await.unwrap_err()),
        "not_authenticated"
    );
    assert_eq!(status(&waiting), "unauthenticated");
    assert_eq!(stat("refreshRequests").await, 0.0);
    for client in [waiting, other] {
        client.close();
    }
}

/// A client over `localStorage`, logged in as `user`, whose refresh has been answered by the
/// server (the pair rotated there) but whose answer is held until `open` is called:
/// `(client, namespace, refreshing, open)`.
async fn refresh_answered_but_held(user: &str) -> (JsAuthClient, String, Promise, Function) {
    let gate: JsValue = js_sys::eval(
        "(() => { let open, arrived; const opened = new Promise(r => open = r); const responded = new Promise(r => arrived = r);
          const held = (url, init) => String(url).includes('/auth/refresh')
            ? fetch(url, init).then(res => { arrived(); return opened.then(() => res); })
            : fetch(url, init);
          return { open, responded, fetch: held }; })()",
    )
    .unwrap();
    let namespace = format!("inflight-{}", js_sys::Math::random().to_bits());
    let options = obj(&format!(
        r#"{{"refreshUrl":"{SERVER}/auth/refresh","logoutUrl":"{SERVER}/auth/logout","namespace":"{namespace}","storage":"localStorage"}}"#
    ));
    Reflect::set(&options, &"fetch".into(), &get(&gate, "fetch")).unwrap();
    let client = JsAuthClient::open(options).await.unwrap();
    wait(client.set_tokens(login(user).await)).await.unwrap();
    let refreshing = client.refresh();
    wait(get(&gate, "responded").unchecked_into())
        .await
        .unwrap();
    assert_eq!(
        stat("refreshSuccesses").await,
        1.0,
        "the server rotated the pair"
    );
    (
        client,
        namespace,
        refreshing,
        get(&gate, "open").unchecked_into(),
    )
}

#[wasm_bindgen_test]
async fn a_logout_while_a_refresh_response_is_on_its_way_is_not_undone() {
    reset("{}").await;
    let (client, namespace, refreshing, open) = refresh_answered_but_held("hana").await;
    wait(client.logout()).await.unwrap();
    open.call0(&JsValue::NULL).unwrap();

    assert_eq!(
        code_of(wait(refreshing).await.unwrap_err()),
        "not_authenticated"
    );
    assert_eq!(status(&client), "unauthenticated");
    assert_eq!(
        storage_item("localStorage", &format!("{namespace}:tokens")),
        None
    );
    client.close();
}

#[wasm_bindgen_test]
async fn a_new_login_while_an_old_refresh_response_is_on_its_way_is_kept() {
    reset("{}").await;
    let (client, namespace, refreshing, open) = refresh_answered_but_held("ivan").await;
    wait(client.logout()).await.unwrap();
    let judy = login("judy").await;
    wait(client.set_tokens(judy.clone())).await.unwrap();
    open.call0(&JsValue::NULL).unwrap();

    // The old session's new pair is dropped: the tab, and storage, keep the new login.
    wait(refreshing).await.unwrap();
    assert_eq!(status(&client), "authenticated");
    let access = wait(client.get_access_token()).await.unwrap();
    assert_eq!(access.as_string(), get(&judy, "access_token").as_string());
    let stored = storage_item("localStorage", &format!("{namespace}:tokens")).unwrap();
    assert!(stored.contains(&get(&judy, "refresh_token").as_string().unwrap()));
    assert_eq!(
        get(&api(&client).await.1, "sub").as_string().unwrap(),
        "judy"
    );
    client.close();
}

#[wasm_bindgen_test]
async fn change_events_carry_stable_snapshots_through_login_and_logout() {
    let client = client_with("memory".into(), "").await;
    let first = client.state();
    assert!(
        Object::is(&first, &client.state()),
        "the same object until it changes"
    );
    assert_eq!(
        get(&first, "status").as_string().unwrap(),
        "unauthenticated"
    );
    let changed = next_event(&client, "change");
    let seen = js_sys::Array::new();
    let record = Function::new_with_args("seen", "return () => seen.push(1)")
        .call1(&JsValue::NULL, &seen)
        .unwrap();
    let unsubscribe: Function = client.subscribe(record).unwrap();
    wait(client.set_tokens(login("gina").await)).await.unwrap();
    let detail = wait(changed).await.unwrap();
    assert_eq!(get(&detail, "status").as_string().unwrap(), "authenticated");
    assert!(
        Object::is(&detail, &client.state()),
        "the event carries the snapshot"
    );
    assert!(get(&detail, "accessExpiresAt").as_f64().unwrap() > 0.0);
    let after_login = seen.length();
    assert!(after_login >= 1);
    wait(client.logout()).await.unwrap();
    assert_eq!(status(&client), "unauthenticated");
    assert!(seen.length() > after_login, "subscribers hear the logout");
    unsubscribe.call0(&JsValue::NULL).unwrap();
    client.close();
}

/// A pair signed as if at `at_s` (Unix seconds), whose tokens expire at `access_exp_s` and
/// `refresh_exp_s`.
fn pair_signed_at(
    key: &jwt_refresh::wasm::JsKey,
    at_s: f64,
    access_exp_s: f64,
    refresh_exp_s: f64,
) -> JsValue {
    let when = js_sys::Date::new(&JsValue::from_f64(at_s * 1000.0));
    let sign = |typ: &str, exp: f64| {
        let options = obj(&format!(
            r#"{{"typ":"{typ}","expiresIn":{},"subject":"skew"}}"#,
            exp - at_s
        ));
        Reflect::set(&options, &"currentDate".into(), &when).unwrap();
        key.sign(obj(r#"{"sid":"s"}"#), Some(options)).unwrap()
    };
    let (access, refresh) = (sign("at+jwt", access_exp_s), sign("rt+jwt", refresh_exp_s));
    obj(&format!(
        r#"{{"access_token":"{access}","refresh_token":"{refresh}","token_type":"Bearer"}}"#
    ))
}

#[wasm_bindgen_test]
async fn a_change_of_clock_skew_alone_is_a_new_snapshot() {
    let key = jwt_refresh::wasm::JsKey::generate(JsValue::from("HS256"), None).unwrap();
    let client = client_with("memory".into(), "").await;
    let now = (js_sys::Date::now() / 1000.0).floor();
    let (access_exp, refresh_exp) = (now + 600.0, now + 3600.0);
    wait(client.set_tokens(pair_signed_at(&key, now, access_exp, refresh_exp)))
        .await
        .unwrap();
    let before = client.state();
    // The same expiries, issued 100 s later on the server's clock: only the skew moves.
    let changed = next_event(&client, "change");
    wait(client.set_tokens(pair_signed_at(&key, now + 100.0, access_exp, refresh_exp)))
        .await
        .unwrap();
    let after = wait(changed).await.unwrap();
    assert!(!Object::is(&before, &after), "a new snapshot");
    assert!(Object::is(&after, &client.state()));
    assert_eq!(
        get(&before, "accessExpiresAt"),
        get(&after, "accessExpiresAt")
    );
    let moved =
        get(&after, "clockSkew").as_f64().unwrap() - get(&before, "clockSkew").as_f64().unwrap();
    assert!((moved - 100.0).abs() < 5.0, "the skew moved by {moved}");
    client.close();
}

#[wasm_bindgen_test]
async fn logout_signs_out_at_once_while_the_server_stalls() {
    let stalled = format!(r#","logoutUrl":"{SERVER}/auth/stall""#);
    // `logoutUrl` given twice: the later one (the stalled endpoint) is the one used.
    let client = client_with("localStorage".into(), &stalled).await;
    wait(client.set_tokens(login("hank").await)).await.unwrap();
    let pending = client.logout();
    // One turn of the event loop later, with the request still unanswered.
    wait(Promise::resolve(&JsValue::NULL)).await.unwrap();
    assert_eq!(status(&client), "unauthenticated");
    assert!(wait(client.get_access_token()).await.unwrap().is_null());
    drop(pending);
    client.close();
}

#[wasm_bindgen_test]
async fn the_token_goes_only_to_the_refresh_origin_and_listed_origins() {
    let seen = js_sys::Array::new();
    let recording = Function::new_with_args(
        "seen",
        "return async (request) => { seen.push([new URL(request.url).origin, request.headers.get('authorization')]); return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } }) }",
    )
    .call1(&JsValue::NULL, &seen)
    .unwrap();
    let options = obj(&format!(
        r#"{{"refreshUrl":"{SERVER}/auth/refresh","origins":["https://api.partner.example/v1"]}}"#
    ));
    Reflect::set(&options, &"fetch".into(), &recording).unwrap();
    let client = JsAuthClient::open(options).await.unwrap();
    wait(client.set_tokens(login("ivy").await)).await.unwrap();
    for url in [
        format!("{SERVER}/api/data"),
        "https://api.partner.example/v1/me".to_owned(),
        "https://tracker.example/collect".to_owned(),
    ] {
        wait(client.fetch(url.into(), None)).await.unwrap();
    }
    let sent: Vec<(String, bool)> = seen
        .iter()
        .map(|entry| {
            let entry: js_sys::Array = entry.unchecked_into();
            (entry.get(0).as_string().unwrap(), entry.get(1).is_string())
        })
        .collect();
    assert_eq!(
        sent,
        [
            (SERVER.to_owned(), true),
            ("https://api.partner.example".to_owned(), true),
            ("https://tracker.example".to_owned(), false),
        ]
    );
    client.close();
}

#[wasm_bindgen_test]
async fn a_refresh_url_that_is_not_the_endpoint_is_a_configuration_error() {
    let wrong = format!(r#","refreshUrl":"{SERVER}/auth/refrehs""#);
    let client = logged_in("localStorage", &wrong).await;
    let err = wait(client.refresh()).await.unwrap_err();
    assert_eq!(code_of(err), "refresh_endpoint_invalid");
    assert_eq!(status(&client), "authenticated", "nobody is logged out");
    client.close();
}
