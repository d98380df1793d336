//! The browser client's core, deterministically: N tabs sharing one storage, a message bus
//! delivered on demand, a lock you can see held and released, a scripted server whose answers
//! the test releases, and a clock the test moves. Each test is named as the rule it proves;
//! several are the adversarial review's client findings (each failed on 0.1's client).
#![cfg(all(feature = "browser", not(target_arch = "wasm32")))]

use futures::executor::LocalPool;
use futures::future::{FutureExt, RemoteHandle};
use futures::task::LocalSpawnExt;
use jwt_refresh::client::{
    ApiAnswer, ApiOutcome, ApiRetries, AuthState, ClientConfig, ClientEvent, HttpAnswer,
    HttpRequest, Platform, ProofKey, PublicJwk, RequestBody, Session, TabMessage, TokenResponse,
    TokenStorage, TokenStore, MAX_RETRY_AFTER,
};
use jwt_refresh::{sign, Algorithm, ErrorCode, Key, Result, SignOptions};
use serde_json::{json, Map};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

const ORIGIN: &str = "https://app.example";
const T0: f64 = 1_800_000_000.0;

// ---------------------------------------------------------------- the fake world

/// A pending thing the test completes: a server answer, a sleep.
#[derive(Default)]
struct Slot<T> {
    value: RefCell<Option<T>>,
    waker: RefCell<Option<Waker>>,
}

impl<T> Slot<T> {
    fn fill(&self, value: T) {
        *self.value.borrow_mut() = Some(value);
        if let Some(waker) = self.waker.take() {
            waker.wake();
        }
    }
}

struct Take<T>(Rc<Slot<T>>);

impl<T> Future for Take<T> {
    type Output = T;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        match self.0.value.borrow_mut().take() {
            Some(value) => Poll::Ready(value),
            None => {
                *self.0.waker.borrow_mut() = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

/// How the server answers.
enum Server {
    /// Each request waits until the test answers it.
    Held,
    /// Each request is answered at once by this function.
    Auto(Box<dyn Fn(&HttpRequest) -> HttpAnswer>),
}

struct World {
    now: Cell<f64>,
    storage: RefCell<HashMap<String, String>>,
    storage_fails: Cell<bool>,
    /// Writes to the shared storage reach the tabs only at `sync_storage` (WebKit copies
    /// `localStorage` between processes asynchronously).
    storage_lags: Cell<bool>,
    storage_in_transit: RefCell<Vec<(String, Option<String>)>>,
    bus: RefCell<Vec<(usize, TabMessage)>>,
    lock_holder: RefCell<Option<usize>>,
    lock_waiters: RefCell<Vec<(usize, Rc<Slot<()>>)>>,
    /// The lock "times out" at once: every tab proceeds without it.
    lock_absent: Cell<bool>,
    channel_persists: Cell<bool>,
    server: RefCell<Server>,
    requests: RefCell<Vec<HttpRequest>>,
    held_answers: RefCell<Vec<Rc<Slot<HttpAnswer>>>>,
    sleeps: RefCell<Vec<(f64, Rc<Slot<()>>)>>,
    slept_ms: RefCell<Vec<f64>>,
    events: RefCell<Vec<(usize, ClientEvent)>>,
    /// The DPoP key the tabs share (as IndexedDB holds it), by number; the next number.
    stored_proof_key: Cell<Option<u32>>,
    proof_keys_made: Cell<u32>,
    /// The algorithm each key was made with.
    proof_key_algs: RefCell<HashMap<u32, String>>,
    ids: Cell<u32>,
    /// A cookie-mode logout not yet confirmed by the server (as `localStorage` keeps it).
    logout_pending: Cell<bool>,
    /// The cookies page scripts see (`document.cookie`): the server's session hint.
    visible_cookies: RefCell<Vec<String>>,
}

impl World {
    fn new() -> Rc<World> {
        Rc::new(World {
            now: Cell::new(T0),
            storage: RefCell::default(),
            storage_fails: Cell::new(false),
            storage_lags: Cell::new(false),
            storage_in_transit: RefCell::default(),
            bus: RefCell::default(),
            lock_holder: RefCell::default(),
            lock_waiters: RefCell::default(),
            lock_absent: Cell::new(false),
            channel_persists: Cell::new(false),
            server: RefCell::new(Server::Held),
            requests: RefCell::default(),
            held_answers: RefCell::default(),
            sleeps: RefCell::default(),
            slept_ms: RefCell::default(),
            events: RefCell::default(),
            stored_proof_key: Cell::new(None),
            proof_keys_made: Cell::new(0),
            proof_key_algs: RefCell::default(),
            ids: Cell::new(0),
            visible_cookies: RefCell::default(),
            logout_pending: Cell::new(false),
        })
    }

    /// Moves the clock; sleeps that are due end.
    fn advance(&self, seconds: f64) {
        self.now.set(self.now.get() + seconds);
        let now = self.now.get();
        let due: Vec<_> = {
            let mut sleeps = self.sleeps.borrow_mut();
            let (due, rest): (Vec<_>, Vec<_>) = sleeps.drain(..).partition(|(at, _)| *at <= now);
            *sleeps = rest;
            due
        };
        for (_, slot) in due {
            slot.fill(());
        }
    }

    /// Answers the oldest held request.
    fn answer(&self, answer: HttpAnswer) {
        let slot = self.held_answers.borrow_mut().remove(0);
        slot.fill(answer);
    }

    fn release_lock(&self) {
        let next = {
            let mut waiters = self.lock_waiters.borrow_mut();
            (!waiters.is_empty()).then(|| waiters.remove(0))
        };
        *self.lock_holder.borrow_mut() = next.as_ref().map(|(tab, _)| *tab);
        if let Some((_, slot)) = next {
            slot.fill(());
        }
    }

    /// Lets the shared storage's writes in transit land.
    fn sync_storage(&self) {
        let mut storage = self.storage.borrow_mut();
        for (key, value) in self.storage_in_transit.borrow_mut().drain(..) {
            match value {
                Some(value) => storage.insert(key, value),
                None => storage.remove(&key),
            };
        }
    }

    fn stored(&self) -> Option<serde_json::Value> {
        let storage = self.storage.borrow();
        storage
            .get("app:tokens")
            .map(|text| serde_json::from_str(text).unwrap())
    }

    fn events_of(&self, tab: usize) -> Vec<ClientEvent> {
        let events = self.events.borrow();
        events
            .iter()
            .filter(|(t, _)| *t == tab)
            .map(|(_, e)| e.clone())
            .collect()
    }
}

struct Guard {
    world: Rc<World>,
    holds: bool,
}

impl Drop for Guard {
    fn drop(&mut self) {
        if self.holds {
            self.world.release_lock();
        }
    }
}

struct Tab {
    world: Rc<World>,
    index: usize,
    /// The DPoP key this tab has in hand.
    proof_key: Cell<Option<u32>>,
}

impl Platform for Tab {
    type Guard = Guard;
    async fn lock(&self) -> Guard {
        let world = self.world.clone();
        if world.lock_absent.get() {
            return Guard {
                world,
                holds: false,
            };
        }
        let free = world.lock_holder.borrow().is_none();
        if free {
            *world.lock_holder.borrow_mut() = Some(self.index);
        } else {
            let slot = Rc::new(Slot::default());
            world
                .lock_waiters
                .borrow_mut()
                .push((self.index, slot.clone()));
            Take(slot).await;
        }
        Guard { world, holds: true }
    }
    fn broadcast(&self, message: &TabMessage) {
        // Through JSON, as a structured clone of the adapter's object would be.
        let text = serde_json::to_string(message).unwrap();
        let message = serde_json::from_str(&text).unwrap();
        self.world.bus.borrow_mut().push((self.index, message));
    }
    fn channel_persists(&self) -> bool {
        self.world.channel_persists.get()
    }
    async fn send(&self, request: HttpRequest) -> HttpAnswer {
        self.world.requests.borrow_mut().push(request.clone());
        let slot = Rc::new(Slot::default());
        match &*self.world.server.borrow() {
            Server::Auto(answer) => slot.fill(answer(&request)),
            Server::Held => self.world.held_answers.borrow_mut().push(slot.clone()),
        }
        Take(slot).await
    }
    fn now(&self) -> f64 {
        self.world.now.get()
    }
    async fn sleep(&self, ms: f64) {
        self.world.slept_ms.borrow_mut().push(ms);
        let slot = Rc::new(Slot::default());
        let at = self.world.now.get() + ms / 1000.0;
        self.world.sleeps.borrow_mut().push((at, slot.clone()));
        Take(slot).await
    }
    fn jitter(&self) -> f64 {
        0.5
    }
    fn emit(&self, event: ClientEvent) {
        self.world.events.borrow_mut().push((self.index, event));
    }
    async fn proof_key(&self, alg: &str) -> Result<ProofKey> {
        let world = &self.world;
        let key = match (self.proof_key.get(), world.stored_proof_key.get()) {
            (Some(key), _) | (None, Some(key)) => key,
            (None, None) => {
                world.proof_keys_made.set(world.proof_keys_made.get() + 1);
                world
                    .stored_proof_key
                    .set(Some(world.proof_keys_made.get()));
                world.proof_keys_made.get()
            }
        };
        self.proof_key.set(Some(key));
        let made_with = world.proof_key_algs.borrow().get(&key).cloned();
        let alg = made_with.unwrap_or_else(|| {
            world
                .proof_key_algs
                .borrow_mut()
                .insert(key, alg.to_owned());
            alg.to_owned()
        });
        Ok(ProofKey {
            alg,
            jwk: PublicJwk {
                kty: "EC".into(),
                crv: "P-256".into(),
                x: format!("key-{key}"),
                y: Some("y".into()),
            },
        })
    }
    async fn sign_proof(&self, input: &str) -> Result<Vec<u8>> {
        let key = self.proof_key.get().expect("a key in hand");
        Ok(format!("signed by key-{key}: {}", input.len()).into_bytes())
    }
    async fn forget_proof_key(&self, discard: bool) {
        self.proof_key.set(None);
        if discard {
            self.world.stored_proof_key.set(None);
        }
    }
    fn unique_id(&self) -> String {
        self.world.ids.set(self.world.ids.get() + 1);
        format!("id-{}", self.world.ids.get())
    }
    fn set_logout_pending(&self, pending: bool) {
        self.world.logout_pending.set(pending);
    }
    fn logout_pending(&self) -> bool {
        self.world.logout_pending.get()
    }
    fn has_cookie(&self, name: &str) -> bool {
        self.world
            .visible_cookies
            .borrow()
            .iter()
            .any(|n| n == name)
    }
}

/// Storage: the world's shared one (as `localStorage`), or the tab's own (as memory).
struct Storage {
    world: Rc<World>,
    own: Option<RefCell<HashMap<String, String>>>,
}

impl TokenStorage for Storage {
    async fn get(&self, key: &str) -> Result<Option<String>> {
        Ok(match &self.own {
            Some(own) => own.borrow().get(key).cloned(),
            None => self.world.storage.borrow().get(key).cloned(),
        })
    }
    async fn set(&self, key: &str, value: &str) -> Result<()> {
        if self.world.storage_fails.get() {
            return Err(jwt_refresh::Error::new(
                ErrorCode::StorageQuotaExceeded,
                "full",
            ));
        }
        match &self.own {
            Some(own) => {
                own.borrow_mut().insert(key.into(), value.into());
            }
            None if self.world.storage_lags.get() => self
                .world
                .storage_in_transit
                .borrow_mut()
                .push((key.into(), Some(value.into()))),
            None => {
                self.world
                    .storage
                    .borrow_mut()
                    .insert(key.into(), value.into());
            }
        };
        Ok(())
    }
    async fn remove(&self, key: &str) -> Result<()> {
        match &self.own {
            Some(own) => {
                own.borrow_mut().remove(key);
            }
            None if self.world.storage_lags.get() => self
                .world
                .storage_in_transit
                .borrow_mut()
                .push((key.into(), None)),
            None => {
                self.world.storage.borrow_mut().remove(key);
            }
        };
        Ok(())
    }
}

type Client = Rc<Session<Tab, Storage>>;

struct Harness {
    world: Rc<World>,
    pool: LocalPool,
    tabs: Vec<Client>,
}

#[derive(Clone, Copy)]
struct Setup {
    shared: bool,
    split: bool,
}

const SHARED: Setup = Setup {
    shared: true,
    split: false,
};

impl Harness {
    fn new() -> Harness {
        Harness {
            world: World::new(),
            pool: LocalPool::new(),
            tabs: Vec::new(),
        }
    }

    fn config() -> ClientConfig {
        let mut config = ClientConfig::new("https://app.example/auth/refresh", ORIGIN);
        config.logout_url = Some("https://app.example/auth/logout".into());
        config
    }

    /// A tab opened (or reloaded) now.
    fn open(&mut self, setup: Setup) -> usize {
        self.open_with(setup, Harness::config())
    }

    fn open_with(&mut self, setup: Setup, config: ClientConfig) -> usize {
        let index = self.tabs.len();
        let storage = Storage {
            world: self.world.clone(),
            own: (!setup.shared).then(RefCell::default),
        };
        let store = TokenStore::new(storage, "app", setup.split).unwrap();
        let tab = Tab {
            world: self.world.clone(),
            index,
            proof_key: Cell::new(None),
        };
        let session = self.run(Session::open(
            tab,
            store,
            setup.shared,
            config,
            format!("tab-{index}"),
        ));
        self.tabs.push(Rc::new(session.unwrap()));
        index
    }

    /// Runs `future` to completion (it must not wait on the test).
    fn run<T>(&mut self, future: impl Future<Output = T>) -> T {
        self.pool.run_until(future)
    }

    /// Starts `work` on tab `tab`; its result comes through the handle (dropping the handle
    /// kills the task, as closing the tab would).
    fn spawn<T: 'static, F: Future<Output = T> + 'static>(
        &mut self,
        tab: usize,
        work: impl FnOnce(Client) -> F,
    ) -> RemoteHandle<T> {
        let future = work(self.tabs[tab].clone());
        let (task, handle) = future.remote_handle();
        self.pool.spawner().spawn_local(task).unwrap();
        self.settle();
        handle
    }

    fn settle(&mut self) {
        self.pool.run_until_stalled();
    }

    /// Delivers every message posted so far to every other tab, in order.
    fn deliver(&mut self) {
        loop {
            let messages: Vec<_> = self.world.bus.borrow_mut().drain(..).collect();
            if messages.is_empty() {
                break;
            }
            for (from, message) in messages {
                self.deliver_one(from, message);
            }
        }
    }

    fn deliver_one(&mut self, from: usize, message: TabMessage) {
        for (index, tab) in self.tabs.clone().into_iter().enumerate() {
            if index != from {
                let message = message.clone();
                self.pool
                    .spawner()
                    .spawn_local(async move { tab.on_message(message).await })
                    .unwrap();
            }
        }
        self.settle();
    }

    fn result<T: 'static>(&mut self, handle: RemoteHandle<T>) -> T {
        self.settle();
        let mut handle = Box::pin(handle);
        let waker = futures::task::noop_waker();
        match handle.as_mut().poll(&mut Context::from_waker(&waker)) {
            Poll::Ready(value) => value,
            Poll::Pending => panic!("the task has not finished"),
        }
    }

    fn state(&self, tab: usize) -> AuthState {
        self.tabs[tab].state()
    }

    fn held_refresh(&self, tab: usize) -> Option<String> {
        self.tabs[tab].tokens().map(|t| t.refresh_token)
    }

    fn requests(&self) -> usize {
        self.world.requests.borrow().len()
    }
}

// ---------------------------------------------------------------- the fake issuer's tokens

thread_local! {
    static KEY: Key = Key::hmac(Algorithm::Hs256, &[5; 32], None).unwrap();
    static GENERATION: Cell<u64> = const { Cell::new(0) };
    /// The `token_type` the fake server answers with.
    static TOKEN_TYPE: Cell<&'static str> = const { Cell::new("Bearer") };
}

/// A token pair as the refresh endpoint answers it, issued at server time `iat`.
fn pair_at(iat: f64, access_ttl: i64, sub: &str) -> TokenResponse {
    let generation = GENERATION.with(|g| {
        g.set(g.get() + 1);
        g.get()
    });
    let token = |typ: &str, ttl: i64| {
        let mut claims = Map::new();
        claims.insert("sid".into(), json!("s"));
        claims.insert("gen".into(), json!(generation));
        let options = SignOptions {
            subject: Some(sub.into()),
            expires_in: Some(ttl as u64),
            typ: Some(typ.into()),
            ..Default::default()
        };
        KEY.with(|key| sign(key, claims, &options, iat as i64).unwrap())
    };
    TokenResponse {
        access_token: token("at+jwt", access_ttl),
        refresh_token: token("rt+jwt", 3600),
        expires_in: None,
        refresh_expires_in: None,
        token_type: Some(TOKEN_TYPE.get().into()),
    }
}

fn fresh_pair(world: &World) -> TokenResponse {
    pair_at(world.now.get(), 600, "alice")
}

fn ok(response: &TokenResponse) -> HttpAnswer {
    HttpAnswer {
        status: 200,
        content_type: Some("application/json".into()),
        body: Some(
            json!({
                "access_token": response.access_token,
                "refresh_token": response.refresh_token,
                "token_type": TOKEN_TYPE.get(),
            })
            .to_string(),
        ),
        ..Default::default()
    }
}

fn oauth_error(status: u16, error: &str, description: &str) -> HttpAnswer {
    HttpAnswer {
        status,
        content_type: Some("application/json".into()),
        body: Some(json!({"error": error, "error_description": description}).to_string()),
        ..Default::default()
    }
}

/// A logged-in world of `n` tabs (tab 0 logged in; the others follow its message).
fn logged_in(n: usize, setup: Setup) -> Harness {
    let mut h = Harness::new();
    for _ in 0..n {
        h.open(setup);
    }
    let pair = fresh_pair(&h.world);
    let tab = h.tabs[0].clone();
    h.run(tab.set_tokens(&pair)).unwrap();
    h.deliver();
    h
}

/// The JSON text of a request body (empty for a form).
fn json_of(body: &RequestBody) -> &str {
    match body {
        RequestBody::Json(text) => text,
        RequestBody::Form(_) => "",
    }
}

/// A form body's value for `name`.
fn form_value<'b>(body: &'b RequestBody, name: &str) -> Option<&'b str> {
    match body {
        RequestBody::Form(pairs) => pairs
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, value)| value.as_str()),
        RequestBody::Json(_) => None,
    }
}

/// The server a refresh endpoint would be: rotation, and the same current pair for the
/// previous refresh token (the grace window).
fn rotating_server(world: &Rc<World>) -> Box<dyn Fn(&HttpRequest) -> HttpAnswer> {
    let world = world.clone();
    let current: RefCell<Option<(String, TokenResponse)>> = RefCell::default();
    Box::new(move |request| {
        let presented = form_value(&request.body, "refresh_token")
            .unwrap_or_default()
            .to_owned();
        let mut current = current.borrow_mut();
        if let Some((previous, pair)) = current.as_ref() {
            if *previous == presented {
                return ok(pair);
            }
        }
        let next = fresh_pair(&world);
        *current = Some((presented, next.clone()));
        ok(&next)
    })
}

// ---------------------------------------------------------------- single flight and tabs

#[test]
fn one_refresh_request_for_five_tabs_expiring_together() {
    let mut h = logged_in(5, SHARED);
    assert!(
        h.tabs.iter().all(|t| t.tokens().is_some()),
        "every tab holds the login"
    );
    h.world.advance(600.0);
    let handles: Vec<_> = (0..5)
        .map(|i| h.spawn(i, |t| async move { t.refresh().await }))
        .collect();
    assert_eq!(
        h.requests(),
        1,
        "one tab asks, the others wait for the lock"
    );
    let next = fresh_pair(&h.world);
    h.world.answer(ok(&next));
    h.settle();
    h.deliver();
    for handle in handles {
        assert_eq!(h.result(handle), Ok(()));
    }
    assert_eq!(h.requests(), 1);
    for tab in 0..5 {
        assert_eq!(
            h.held_refresh(tab),
            Some(next.refresh_token.clone()),
            "tab {tab}"
        );
    }
}

#[test]
fn a_tab_whose_shared_storage_lags_behind_the_lock_adopts_the_pair_from_its_message() {
    let mut h = logged_in(2, SHARED);
    h.world.storage_lags.set(true);
    h.world.advance(600.0);
    let first = h.spawn(0, |t| async move { t.refresh().await });
    let second = h.spawn(1, |t| async move { t.refresh().await });
    assert_eq!(h.requests(), 1);
    // The answer takes a moment; tab 0 saves the pair (still in transit to tab 1), tells
    // the others and releases the lock, which reaches tab 1 before either.
    h.world.advance(0.2);
    let next = fresh_pair(&h.world);
    h.world.answer(ok(&next));
    assert_eq!(h.result(first), Ok(()));
    assert_eq!(*h.world.lock_holder.borrow(), Some(1));
    assert_eq!(
        h.requests(),
        1,
        "tab 1 waits for what the lock's holder did"
    );
    h.deliver();
    h.world.advance(0.05);
    assert_eq!(h.result(second), Ok(()));
    assert_eq!(h.requests(), 1, "one refresh request for both tabs");
    assert_eq!(h.held_refresh(1), Some(next.refresh_token.clone()));
    h.world.sync_storage();
    assert_eq!(
        h.world.stored().unwrap()["refreshToken"],
        next.refresh_token.as_str()
    );
}

#[test]
fn concurrent_calls_in_one_tab_share_one_refresh() {
    let mut h = logged_in(1, SHARED);
    h.world.advance(600.0);
    let handles: Vec<_> = (0..10)
        .map(|_| h.spawn(0, |t| async move { t.access_token().await }))
        .collect();
    assert_eq!(h.requests(), 1);
    let next = fresh_pair(&h.world);
    h.world.answer(ok(&next));
    for handle in handles {
        assert_eq!(h.result(handle), Ok(Some(next.access_token.clone())));
    }
}

#[test]
fn without_a_lock_two_tabs_end_on_one_pair_through_the_grace_window() {
    let mut h = logged_in(2, SHARED);
    h.world.lock_absent.set(true);
    *h.world.server.borrow_mut() = Server::Auto(rotating_server(&h.world));
    h.world.advance(600.0);
    let a = h.spawn(0, |t| async move { t.refresh().await });
    let b = h.spawn(1, |t| async move { t.refresh().await });
    assert_eq!((h.result(a), h.result(b)), (Ok(()), Ok(())));
    h.deliver();
    assert!(h.requests() <= 2);
    assert_eq!(
        h.held_refresh(0),
        h.held_refresh(1),
        "both tabs hold the one current pair"
    );
}

#[test]
fn a_tab_killed_while_holding_the_lock_lets_the_next_tab_refresh() {
    let mut h = logged_in(2, SHARED);
    h.world.advance(600.0);
    let killed = h.spawn(0, |t| async move { t.refresh().await });
    assert_eq!(*h.world.lock_holder.borrow(), Some(0));
    let waiting = h.spawn(1, |t| async move { t.refresh().await });
    drop(killed); // the tab closes mid-refresh: its task and its lock are gone
    h.world.held_answers.borrow_mut().clear();
    h.settle();
    assert_eq!(*h.world.lock_holder.borrow(), Some(1));
    assert_eq!(h.requests(), 2, "the next tab refreshes itself");
    let next = fresh_pair(&h.world);
    h.world.answer(ok(&next));
    assert_eq!(h.result(waiting), Ok(()));
    assert_eq!(h.held_refresh(1), Some(next.refresh_token));
}

#[test]
fn messages_delivered_late_or_out_of_order_never_step_back_to_an_older_pair() {
    let mut h = logged_in(2, SHARED);
    let older = pair_at(T0 + 10.0, 600, "alice");
    let newer = pair_at(T0 + 20.0, 600, "alice");
    let as_set =
        |pair: &TokenResponse| jwt_refresh::client::TokenSet::from_response(pair, T0).unwrap();
    let message = |pair: &TokenResponse| TabMessage::Tokens {
        from: "tab-0".into(),
        set: Some(as_set(pair)),
    };
    h.deliver_one(0, message(&newer));
    h.deliver_one(0, message(&older));
    assert_eq!(h.held_refresh(1), Some(newer.refresh_token));
}

// ---------------------------------------------------------------- logout and login win

#[test]
fn a_refresh_answer_after_logout_is_dropped() {
    let mut h = logged_in(2, SHARED);
    h.world.advance(600.0);
    let refreshing = h.spawn(0, |t| async move { t.refresh().await });
    let logout = h.spawn(1, |t| async move { t.logout().await });
    h.deliver();
    assert_eq!(
        h.state(0),
        AuthState::Unauthenticated {
            reason: Some("logout".into())
        }
    );
    h.world.answer(ok(&fresh_pair(&h.world))); // the refresh's answer arrives late
    let code = h.result(refreshing).unwrap_err().code();
    assert_eq!(code, ErrorCode::NotAuthenticated);
    assert_eq!(h.world.stored(), None, "the late pair is not saved");
    assert!(h.tabs[0].tokens().is_none());
    h.world.answer(HttpAnswer {
        status: 204,
        ..Default::default()
    });
    h.result(logout);
}

#[test]
fn a_tab_logged_out_while_it_waits_for_the_lock_stays_logged_out() {
    let mut h = logged_in(3, SHARED);
    h.world.advance(600.0);
    let first = h.spawn(0, |t| async move { t.refresh().await });
    let waiting = h.spawn(1, |t| async move { t.refresh().await });
    assert_eq!(*h.world.lock_holder.borrow(), Some(0));
    // Tab 2 logs out while tab 1 waits for the lock and tab 0 waits for the server.
    let logout = h.spawn(2, |t| async move { t.logout().await });
    h.deliver();
    h.world.answer(ok(&fresh_pair(&h.world))); // tab 0's answer, now for nobody
    h.world.answer(HttpAnswer {
        status: 204,
        ..Default::default()
    }); // the logout request
    h.result(logout);
    assert_eq!(
        h.result(first).unwrap_err().code(),
        ErrorCode::NotAuthenticated
    );
    assert_eq!(
        h.result(waiting).unwrap_err().code(),
        ErrorCode::NotAuthenticated
    );
    assert_eq!(h.requests(), 2, "tab 1 never asked the server");
    assert!(h.tabs.iter().all(|t| t.tokens().is_none()));
    assert_eq!(h.world.stored(), None);
}

#[test]
fn a_logout_then_a_login_during_a_refresh_keep_the_login() {
    let mut h = logged_in(1, SHARED);
    h.world.advance(600.0);
    let refreshing = h.spawn(0, |t| async move { t.refresh().await });
    let tab = h.tabs[0].clone();
    let logout = h.spawn(0, |t| async move { t.logout().await });
    let login = pair_at(h.world.now.get(), 600, "bob");
    h.run(tab.set_tokens(&login)).unwrap();
    h.world.answer(ok(&fresh_pair(&h.world)));
    h.world.answer(HttpAnswer {
        status: 204,
        ..Default::default()
    });
    h.result(logout);
    // The refresh resolves: a newer pair is held, whatever happened in between.
    assert_eq!(h.result(refreshing), Ok(()));
    assert_tab_and_storage_hold(&h, &login);
}

#[test]
fn a_login_during_a_refresh_wins() {
    let mut h = logged_in(1, SHARED);
    h.world.advance(600.0);
    let refreshing = h.spawn(0, |t| async move { t.refresh().await });
    let login = pair_at(h.world.now.get(), 600, "bob");
    let tab = h.tabs[0].clone();
    h.run(tab.set_tokens(&login)).unwrap();
    h.world.answer(ok(&fresh_pair(&h.world)));
    assert_eq!(h.result(refreshing), Ok(()));
    assert_tab_and_storage_hold(&h, &login);
}

/// Tab 0 and the shared storage hold `login`'s pair.
fn assert_tab_and_storage_hold(h: &Harness, login: &TokenResponse) {
    assert_eq!(h.held_refresh(0), Some(login.refresh_token.clone()));
    assert_eq!(
        h.world.stored().unwrap()["refreshToken"],
        json!(login.refresh_token)
    );
}

#[test]
fn logout_is_local_first_and_its_request_is_bounded() {
    let mut h = logged_in(2, SHARED);
    let logout = h.spawn(0, |t| async move { t.logout().await });
    // The server has not answered, and may never: the tab is signed out already.
    assert!(matches!(h.state(0), AuthState::Unauthenticated { .. }));
    assert_eq!(h.world.stored(), None);
    h.deliver();
    assert!(matches!(h.state(1), AuthState::Unauthenticated { .. }));
    assert!(h.world.events_of(1).contains(&ClientEvent::Logout {
        reason: "logout".into()
    }));
    let request = h.world.requests.borrow()[0].clone();
    assert_eq!(request.timeout_ms, Harness::config().logout_timeout_ms);
    assert!(json_of(&request.body).contains("refresh_token"));
    // The adapter's timeout ends the request: the logout completes, with an error event.
    h.world.answer(HttpAnswer {
        status: 0,
        error: Some("timeout".into()),
        ..Default::default()
    });
    h.result(logout);
    assert!(h
        .world
        .events_of(0)
        .iter()
        .any(|e| matches!(e, ClientEvent::Error { .. })));
}

// ---------------------------------------------------------------- the expired signal

#[test]
fn the_expired_signal_refreshes_once_and_again_right_after_logs_out() {
    let mut h = logged_in(1, SHARED);
    *h.world.server.borrow_mut() = Server::Auto(rotating_server(&h.world));
    let signal = Some(r#"Bearer error="invalid_token", error_description="token_expired""#);
    let tab = h.tabs[0].clone();
    let outcome = h
        .run(tab.after_response(ORIGIN, 401, signal, false))
        .unwrap();
    assert_eq!(outcome, ApiOutcome::RefreshAndRetry);
    assert_eq!(h.requests(), 1);
    let outcome = h
        .run(tab.after_response(ORIGIN, 401, signal, true))
        .unwrap();
    assert_eq!(outcome, ApiOutcome::Logout);
    assert!(tab.tokens().is_none());
    // Any other 401 is the app's business.
    let mut h = logged_in(1, SHARED);
    let tab = h.tabs[0].clone();
    let outcome = h
        .run(tab.after_response(ORIGIN, 401, Some("Bearer"), false))
        .unwrap();
    assert_eq!((outcome, h.requests()), (ApiOutcome::Deliver, 0));
}

#[test]
fn the_token_goes_only_to_allowed_origins_and_only_their_expired_signal_counts() {
    let mut h = logged_in(1, SHARED);
    let tab = h.tabs[0].clone();
    assert!(h.run(tab.access_token_for(ORIGIN)).unwrap().is_some());
    assert_eq!(
        h.run(tab.access_token_for("https://evil.example")).unwrap(),
        None
    );
    let signal = Some(r#"Bearer error="invalid_token", error_description="token_expired""#);
    let outcome = h
        .run(tab.after_response("https://evil.example", 401, signal, true))
        .unwrap();
    assert_eq!(outcome, ApiOutcome::Deliver);
    assert_eq!(
        h.requests(),
        0,
        "a third party's expired signal refreshes nothing"
    );
    assert!(tab.tokens().is_some(), "and logs nobody out");
}

// ---------------------------------------------------------------- what refresh answers mean

#[test]
fn only_an_invalid_grant_logs_out_other_refusals_keep_the_tokens() {
    let html = HttpAnswer {
        status: 404,
        content_type: Some("text/html".into()),
        body: Some("<html>Not Found</html>".into()),
        ..Default::default()
    };
    let cases = [
        (html, ErrorCode::RefreshEndpointInvalid),
        (
            oauth_error(400, "invalid_request", "the refresh token is missing"),
            ErrorCode::InvalidRequest,
        ),
        (
            HttpAnswer {
                status: 405,
                ..Default::default()
            },
            ErrorCode::RefreshEndpointInvalid,
        ),
        (
            HttpAnswer {
                status: 200,
                content_type: Some("text/html".into()),
                body: Some("<html/>".into()),
                ..Default::default()
            },
            ErrorCode::RefreshEndpointInvalid,
        ),
    ];
    for (answer, code) in cases {
        let mut h = logged_in(2, SHARED);
        let refreshing = h.spawn(0, |t| async move { t.refresh().await });
        h.world.answer(answer);
        assert_eq!(h.result(refreshing).unwrap_err().code(), code);
        h.deliver();
        assert!(
            h.tabs.iter().all(|t| t.tokens().is_some()),
            "{code}: nobody logged out"
        );
        assert!(
            h.world.stored().is_some(),
            "{code}: the refresh token is kept"
        );
    }
    let mut h = logged_in(2, SHARED);
    let refreshing = h.spawn(0, |t| async move { t.refresh().await });
    h.world
        .answer(oauth_error(400, "invalid_grant", "refresh_token_reused"));
    assert_eq!(
        h.result(refreshing).unwrap_err().code(),
        ErrorCode::RefreshTokenReused
    );
    h.deliver();
    assert!(
        h.tabs.iter().all(|t| t.tokens().is_none()),
        "a dead grant logs every tab out"
    );
    assert_eq!(h.world.stored(), None);
}

#[test]
fn network_errors_back_off_then_give_up_keeping_the_tokens() {
    let mut h = logged_in(1, SHARED);
    *h.world.server.borrow_mut() = Server::Auto(Box::new(|_| HttpAnswer {
        status: 0,
        error: Some("Failed to fetch".into()),
        ..Default::default()
    }));
    let refreshing = h.spawn(0, |t| async move { t.refresh().await });
    for _ in 0..10 {
        h.world.advance(60.0);
        h.settle();
    }
    let err = h.result(refreshing).unwrap_err();
    assert_eq!(err.code(), ErrorCode::NetworkError);
    assert!(
        err.message().contains("Failed to fetch"),
        "{}",
        err.message()
    );
    assert_eq!(h.requests(), 4, "max_attempts");
    assert!(h.tabs[0].tokens().is_some());
    let slept = h.world.slept_ms.borrow().clone();
    assert!(
        slept.windows(2).all(|w| w[1] > w[0]),
        "the backoff grows: {slept:?}"
    );
}

#[test]
fn a_refresh_request_has_a_timeout_and_retry_after_is_bounded() {
    let mut h = logged_in(1, SHARED);
    let held = h.tabs[0].tokens().expect("logged in").refresh_token;
    let refreshing = h.spawn(0, |t| async move { t.refresh().await });
    let request = h.world.requests.borrow()[0].clone();
    assert_eq!(request.timeout_ms, Harness::config().request_timeout_ms);
    // Header mode: an RFC 6749 §6 form, which the platform encodes.
    assert_eq!(
        request.body,
        RequestBody::Form(vec![
            ("grant_type", "refresh_token".into()),
            ("refresh_token", held)
        ])
    );
    assert!(
        request.authorization.is_some(),
        "the refresh carries the access token"
    );
    h.world.answer(HttpAnswer {
        status: 503,
        retry_after: Some(1e12),
        ..Default::default()
    });
    h.settle();
    assert_eq!(*h.world.slept_ms.borrow(), [MAX_RETRY_AFTER * 1000.0]);
    h.world.advance(MAX_RETRY_AFTER);
    h.settle();
    h.world.answer(ok(&fresh_pair(&h.world)));
    assert_eq!(h.result(refreshing), Ok(()));
}

#[test]
fn tokens_already_due_on_arrival_cause_no_refresh_storm() {
    let mut h = logged_in(1, SHARED);
    // The server hands out access tokens that expire as they are issued.
    let world = h.world.clone();
    *h.world.server.borrow_mut() =
        Server::Auto(Box::new(move |_| ok(&pair_at(world.now.get(), 0, "alice"))));
    let tab = h.tabs[0].clone();
    h.run(tab.refresh()).unwrap();
    for _ in 0..100 {
        let _ = h.run(tab.access_token());
    }
    assert_eq!(h.requests(), 1, "no refresh again inside the interval");
    let next = tab.next_refresh_at().unwrap();
    assert!(next >= h.world.now.get() + Harness::config().min_refresh_interval);
    assert!(h.world.events_of(0).iter().any(|e| matches!(
        e,
        ClientEvent::Error {
            code: ErrorCode::TokenExpired,
            ..
        }
    )));
}

#[test]
fn proactive_refresh_is_timed_on_the_servers_clock() {
    let mut h = Harness::new();
    h.open(SHARED);
    // The server's clock is 100 s ahead of the tab's.
    let pair = pair_at(T0 + 100.0, 600, "alice");
    let tab = h.tabs[0].clone();
    h.run(tab.set_tokens(&pair)).unwrap();
    let at = tab.next_refresh_at().unwrap();
    assert_eq!(at, T0 + 600.0 - Harness::config().policy.margin);
}

// ---------------------------------------------------------------- split placement, reloads

#[test]
fn a_reloaded_split_tab_gets_the_access_token_from_another_tab_without_refreshing() {
    let split = Setup {
        shared: true,
        split: true,
    };
    let mut h = logged_in(1, split);
    let reloaded = h.open(split);
    assert_eq!(
        h.state(reloaded),
        AuthState::Restoring,
        "never authenticated before it can refresh"
    );
    let restoring = h.spawn(reloaded, |t| async move { t.restore().await });
    h.deliver();
    assert!(matches!(h.state(reloaded), AuthState::Authenticated { .. }));
    h.world.advance(1.0);
    assert_eq!(h.result(restoring), Ok(()));
    assert_eq!(h.requests(), 0);
    // The refresh token never crossed the channel.
    let bus = serde_json::to_string(&*h.world.bus.borrow()).unwrap_or_default();
    assert!(!bus.contains(&h.held_refresh(0).unwrap()));
}

#[test]
fn a_reloaded_split_tab_alone_starts_signed_out_and_tells_nobody() {
    let split = Setup {
        shared: true,
        split: true,
    };
    let mut h = logged_in(1, split);
    // The only tab reloads: the access token was in its memory only.
    let reloaded = h.open(split);
    let other = h.tabs[0].clone();
    drop(other);
    h.tabs.swap(0, reloaded);
    h.tabs.truncate(1);
    let fetching = h.spawn(0, |t| async move { t.access_token().await });
    h.world.advance(1.0);
    assert_eq!(h.result(fetching), Ok(None));
    assert_eq!(
        h.state(0),
        AuthState::Unauthenticated {
            reason: Some("no_access_token".into())
        }
    );
    assert_eq!(h.requests(), 0, "no refresh without the access token");
    assert!(h.world.stored().is_some(), "nothing cleared");
    let told = h
        .world
        .bus
        .borrow()
        .iter()
        .any(|(_, m)| matches!(m, TabMessage::Logout { .. }));
    assert!(!told, "no logout broadcast for the tab's own missing state");
}

// ---------------------------------------------------------------- the channel

#[test]
fn the_persisted_fallback_channel_never_carries_tokens() {
    let mut h = Harness::new();
    h.world.channel_persists.set(true);
    h.open(SHARED);
    h.open(SHARED);
    let pair = fresh_pair(&h.world);
    let tab = h.tabs[0].clone();
    h.run(tab.set_tokens(&pair)).unwrap();
    let bus = serde_json::to_string(&*h.world.bus.borrow()).unwrap();
    assert!(
        !bus.contains(&pair.refresh_token) && !bus.contains(&pair.access_token),
        "{bus}"
    );
    h.deliver();
    assert_eq!(
        h.held_refresh(1),
        Some(pair.refresh_token),
        "read from shared storage"
    );
    // A request for the access token goes unanswered there.
    h.deliver_one(
        1,
        TabMessage::RequestAccess {
            from: "tab-1".into(),
        },
    );
    assert!(h.world.bus.borrow().is_empty());
}

#[test]
fn forged_token_messages_are_not_adopted_and_access_requests_get_no_refresh_token() {
    let mut h = logged_in(2, SHARED);
    let mine = h.held_refresh(1);
    let forged = |pair: &TokenResponse| TabMessage::Tokens {
        from: "evil".into(),
        set: Some(jwt_refresh::client::TokenSet::from_response(pair, T0).unwrap()),
    };
    // Another subject's session, and junk.
    h.deliver_one(0, forged(&pair_at(T0 + 50.0, 600, "mallory")));
    let mut junk = jwt_refresh::client::TokenSet::from_response(&fresh_pair(&h.world), T0).unwrap();
    junk.access_token = Some("not-a-jwt".into());
    h.deliver_one(
        0,
        TabMessage::Tokens {
            from: "evil".into(),
            set: Some(junk),
        },
    );
    assert_eq!(h.held_refresh(1), mine);
    // Any script can ask: the answer has the access token and a fingerprint, never the pair.
    h.deliver_one(
        0,
        TabMessage::RequestAccess {
            from: "evil".into(),
        },
    );
    let answers = serde_json::to_string(&*h.world.bus.borrow()).unwrap();
    assert!(answers.contains("access"), "{answers}");
    assert!(!answers.contains(mine.as_deref().unwrap()), "{answers}");
}

// ---------------------------------------------------------------- storage failures

#[test]
fn a_storage_write_that_fails_keeps_the_tab_working_and_says_so() {
    let mut h = logged_in(2, SHARED);
    h.world.storage_fails.set(true);
    let refreshing = h.spawn(0, |t| async move { t.refresh().await });
    let next = fresh_pair(&h.world);
    h.world.answer(ok(&next));
    assert_eq!(h.result(refreshing), Ok(()));
    h.deliver();
    assert_eq!(
        h.held_refresh(0),
        Some(next.refresh_token.clone()),
        "the new pair is in use"
    );
    assert_eq!(
        h.held_refresh(1),
        Some(next.refresh_token),
        "and shared with the other tabs"
    );
    let quota = h.world.events_of(0).into_iter().any(|e| {
        matches!(
            e,
            ClientEvent::Error {
                code: ErrorCode::StorageQuotaExceeded,
                ..
            }
        )
    });
    assert!(quota, "the failure is reported");
}

#[test]
fn the_state_is_truthful_through_a_session() {
    let mut h = Harness::new();
    h.open(SHARED);
    assert_eq!(h.state(0), AuthState::Unauthenticated { reason: None });
    let pair = fresh_pair(&h.world);
    let tab = h.tabs[0].clone();
    h.run(tab.set_tokens(&pair)).unwrap();
    let refreshing = h.spawn(0, |t| async move { t.refresh().await });
    assert!(matches!(
        h.state(0),
        AuthState::Authenticated {
            refreshing: true,
            ..
        }
    ));
    // The start of a refresh is a change the app hears of (a `change` event in the browser).
    assert_eq!(
        h.world.events_of(0).last(),
        Some(&ClientEvent::RefreshStarted)
    );
    h.world.answer(ok(&fresh_pair(&h.world)));
    h.result(refreshing).unwrap();
    assert!(matches!(
        h.state(0),
        AuthState::Authenticated {
            refreshing: false,
            ..
        }
    ));
}

// ---------------------------------------------------------------- cookie mode

/// Cookie mode: each tab keeps its access token in memory, the browser holds the cookies.
const COOKIE: Setup = Setup {
    shared: false,
    split: false,
};

fn cookie_config() -> ClientConfig {
    let mut config = Harness::config();
    config.cookie_mode = true;
    config
}

/// A cookie-mode token answer: no refresh token in the body.
fn cookie_ok(response: &TokenResponse) -> HttpAnswer {
    let mut answer = ok(response);
    let mut body: serde_json::Value =
        serde_json::from_str(answer.body.as_deref().unwrap()).unwrap();
    body.as_object_mut().unwrap().remove("refresh_token");
    body["refresh_expires_in"] = json!(3600);
    answer.body = Some(body.to_string());
    answer
}

fn cookie_tabs(n: usize) -> Harness {
    let mut h = Harness::new();
    for _ in 0..n {
        h.open_with(COOKIE, cookie_config());
    }
    h
}

#[test]
fn a_cookie_mode_tab_is_restoring_until_its_refresh_through_the_cookie_answers() {
    let mut h = cookie_tabs(1);
    assert_eq!(h.state(0), AuthState::Restoring);
    let started = h.spawn(0, |t| async move { t.start().await });
    {
        let requests = h.world.requests.borrow();
        let request = &requests[0];
        assert!(request.with_cookies, "the cookies go along");
        assert!(!request.keepalive, "a refresh dies with its page");
        assert_eq!(
            request.body,
            RequestBody::Json(r#"{"grant_type":"refresh_token"}"#.into())
        );
        assert_eq!(
            request.authorization, None,
            "a reloaded tab holds no access token"
        );
    }
    assert_eq!(h.state(0), AuthState::Restoring);
    let pair = fresh_pair(&h.world);
    h.world.answer(cookie_ok(&pair));
    assert_eq!(h.result(started), Ok(()));
    let tokens = h.tabs[0].tokens().unwrap();
    assert_eq!(
        tokens.access_token.as_deref(),
        Some(pair.access_token.as_str())
    );
    assert_eq!(
        tokens.refresh_token, "",
        "the client never holds the refresh token"
    );
    assert!(matches!(h.state(0), AuthState::Authenticated { .. }));
    // The next refresh sends the access token it holds, and still no refresh token.
    h.world.advance(600.0);
    let refreshed = h.spawn(0, |t| async move { t.refresh().await });
    let bearer = h.world.requests.borrow()[1].authorization.clone();
    assert_eq!(bearer, Some(format!("Bearer {}", pair.access_token)));
    assert_eq!(
        h.world.requests.borrow()[1].body,
        RequestBody::Json(r#"{"grant_type":"refresh_token"}"#.into())
    );
    h.world.answer(cookie_ok(&fresh_pair(&h.world)));
    assert_eq!(h.result(refreshed), Ok(()));
}

#[test]
fn without_the_session_hint_a_cookie_mode_tab_starts_signed_out_and_asks_nobody() {
    let hinted = || {
        let mut config = cookie_config();
        config.session_hint = Some("signed-in".into());
        config
    };
    let mut h = Harness::new();
    h.open_with(COOKIE, hinted());
    assert_eq!(
        h.state(0),
        AuthState::Unauthenticated {
            reason: Some("not_authenticated".into())
        },
        "no restoring state on the way"
    );
    let started = h.spawn(0, |t| async move { t.start().await });
    assert_eq!(h.result(started), Ok(()));
    assert!(h.world.requests.borrow().is_empty(), "no refresh request");
    // A login in another tab still reaches it.
    h.world
        .visible_cookies
        .borrow_mut()
        .push("signed-in".into());
    h.open_with(COOKIE, hinted());
    assert_eq!(h.state(1), AuthState::Restoring, "the hint is there now");
    let restoring = h.spawn(1, |t| async move { t.start().await });
    assert_eq!(
        h.world.requests.borrow().len(),
        1,
        "one refresh through the cookie"
    );
    h.world.answer(cookie_ok(&fresh_pair(&h.world)));
    assert_eq!(h.result(restoring), Ok(()));
    h.deliver();
    assert!(matches!(h.state(0), AuthState::Authenticated { .. }));
    // Without a configured hint, every start asks (the server may set none).
    let mut plain = cookie_tabs(1);
    let started = plain.spawn(0, |t| async move { t.start().await });
    assert_eq!(plain.world.requests.borrow().len(), 1);
    plain.world.answer(HttpAnswer {
        status: 400,
        body: Some(r#"{"error":"invalid_grant","error_description":"not_authenticated"}"#.into()),
        ..HttpAnswer::default()
    });
    assert!(plain.result(started).is_err());
}

#[test]
fn a_server_that_sets_no_session_hint_is_told_once_at_login_and_refresh() {
    let mut config = cookie_config();
    config.session_hint = Some("signed-in".into());
    let mut h = Harness::new();
    h.open_with(COOKIE, config.clone());
    let hint_errors = |h: &Harness| {
        (h.world.events.borrow().iter())
            .filter(|(_, event)| {
                matches!(event, ClientEvent::Error { code: ErrorCode::RefreshEndpointInvalid, message }
                    if message.contains("\"signed-in\" cookie") && message.contains("sessionHint: false"))
            })
            .count()
    };
    let tab = h.tabs[0].clone();
    h.run(tab.set_tokens(&TokenResponse {
        refresh_token: String::new(),
        ..fresh_pair(&h.world)
    }))
    .unwrap();
    assert!(
        matches!(h.state(0), AuthState::Authenticated { .. }),
        "the login holds"
    );
    assert_eq!(hint_errors(&h), 1);
    h.world.advance(600.0);
    let refreshed = h.spawn(0, |t| async move { t.refresh().await });
    h.world.answer(cookie_ok(&fresh_pair(&h.world)));
    assert_eq!(h.result(refreshed), Ok(()));
    assert_eq!(hint_errors(&h), 1, "said once");
    // A server that sets it: nothing said.
    let mut quiet = Harness::new();
    quiet
        .world
        .visible_cookies
        .borrow_mut()
        .push("signed-in".into());
    quiet.open_with(COOKIE, config);
    let tab = quiet.tabs[0].clone();
    quiet
        .run(tab.set_tokens(&TokenResponse {
            refresh_token: String::new(),
            ..fresh_pair(&quiet.world)
        }))
        .unwrap();
    assert_eq!(hint_errors(&quiet), 0);
}

#[test]
fn a_pending_logout_is_sent_again_even_without_the_session_hint() {
    let mut config = cookie_config();
    config.session_hint = Some("signed-in".into());
    let mut h = Harness::new();
    h.world.logout_pending.set(true);
    h.open_with(COOKIE, config);
    assert_eq!(
        h.state(0),
        AuthState::Unauthenticated {
            reason: Some("logout".into())
        }
    );
    let started = h.spawn(0, |t| async move { t.start().await });
    let urls: Vec<_> = (h.world.requests.borrow().iter())
        .map(|r| r.url.clone())
        .collect();
    assert_eq!(urls, ["https://app.example/auth/logout"]);
    h.world.answer(HttpAnswer {
        status: 204,
        ..HttpAnswer::default()
    });
    assert_eq!(h.result(started), Ok(()));
    assert!(!h.world.logout_pending.get());
}

#[test]
fn no_session_cookie_starts_signed_out_with_the_reason_and_tells_no_other_tab() {
    let mut h = cookie_tabs(2);
    // Tab 1 signs in meanwhile (its login answer set the cookies after tab 0 asked).
    let started = h.spawn(0, |t| async move { t.start().await });
    let login = fresh_pair(&h.world);
    let tab = h.tabs[1].clone();
    h.run(tab.set_tokens(&TokenResponse {
        refresh_token: String::new(),
        ..login
    }))
    .unwrap();
    h.world.bus.borrow_mut().clear();
    h.world
        .answer(oauth_error(400, "invalid_grant", "not_authenticated"));
    h.settle();
    // Tab 0 held nothing: no logout message for the others. (Tab 1's pair would have
    // reached it had the bus been delivered; here it was not.)
    let bus = h.world.bus.borrow().clone();
    assert!(
        !bus.iter()
            .any(|(_, m)| matches!(m, TabMessage::Logout { .. })),
        "{bus:?}"
    );
    assert!(h.result(started).is_err());
    assert_eq!(
        h.state(0),
        AuthState::Unauthenticated {
            reason: Some("not_authenticated".into())
        }
    );
    assert!(matches!(h.state(1), AuthState::Authenticated { .. }));
    // Knowing there is no session, tab 0 does not ask again on every request.
    let token = h.spawn(0, |t| async move { t.access_token().await });
    assert_eq!(h.result(token), Ok(None));
    assert_eq!(h.requests(), 1);
}

#[test]
fn five_cookie_tabs_starting_together_make_one_refresh_request() {
    let mut h = cookie_tabs(5);
    let handles: Vec<_> = (0..5)
        .map(|i| h.spawn(i, |t| async move { t.start().await }))
        .collect();
    assert_eq!(
        h.requests(),
        1,
        "one tab asks, the others wait for the lock"
    );
    // The refresh takes a moment; its answer's message and the lock reach the others in
    // either order: here the lock first.
    h.world.advance(0.2);
    let pair = fresh_pair(&h.world);
    h.world.answer(cookie_ok(&pair));
    h.settle();
    assert_eq!(h.requests(), 1, "the next tab waits for the pair's message");
    h.deliver();
    h.world.advance(0.05);
    h.settle();
    h.deliver();
    h.world.advance(0.05);
    h.settle();
    for handle in handles {
        assert_eq!(h.result(handle), Ok(()));
    }
    assert_eq!(h.requests(), 1);
    for tab in 0..5 {
        assert_eq!(
            h.tabs[tab].tokens().unwrap().access_token.as_deref(),
            Some(pair.access_token.as_str()),
            "tab {tab}"
        );
    }
}

#[test]
fn a_cookie_mode_logout_tells_the_server_even_from_a_tab_that_holds_nothing_yet() {
    let mut h = cookie_tabs(2);
    let started = h.spawn(0, |t| async move { t.start().await });
    // Logged out (in this tab) while its first refresh is in flight: the answer is dropped.
    let logout = h.spawn(0, |t| async move { t.logout().await });
    {
        let requests = h.world.requests.borrow();
        assert_eq!(requests[1].url, "https://app.example/auth/logout");
        assert_eq!(requests[1].body, RequestBody::Json("{}".into()));
        assert!(requests[1].with_cookies);
    }
    h.world.answer(cookie_ok(&fresh_pair(&h.world)));
    h.world.answer(HttpAnswer {
        status: 204,
        ..Default::default()
    });
    h.result(logout);
    assert_eq!(
        h.result(started).unwrap_err().code(),
        ErrorCode::NotAuthenticated
    );
    assert_eq!(
        h.state(0),
        AuthState::Unauthenticated {
            reason: Some("logout".into())
        }
    );
    h.deliver();
    assert!(matches!(h.state(1), AuthState::Unauthenticated { .. }));
}

/// A cookie-mode tab signed in by the app's login answer.
fn cookie_login(h: &mut Harness, tab: usize) {
    let client = h.tabs[tab].clone();
    let login = fresh_pair(&h.world);
    h.run(client.set_tokens(&TokenResponse {
        refresh_token: String::new(),
        ..login
    }))
    .unwrap();
}

fn is_logout(request: &HttpRequest) -> bool {
    request.url == "https://app.example/auth/logout"
        && request.body == RequestBody::Json("{}".into())
        && request.with_cookies
        && request.keepalive
}

#[test]
fn a_reload_before_the_server_confirms_a_cookie_mode_logout_stays_signed_out() {
    let mut h = cookie_tabs(1);
    cookie_login(&mut h, 0);
    // The user logs out and reloads at once: the page dies with its logout request in flight,
    // so the cookie may still be live.
    let logout = h.spawn(0, |t| async move { t.logout().await });
    assert!(is_logout(&h.world.requests.borrow()[0]));
    drop(logout);
    h.world.answer(HttpAnswer::default()); // to the dead page: never read
    let reloaded = h.open_with(COOKIE, cookie_config());
    let signed_out = AuthState::Unauthenticated {
        reason: Some("logout".into()),
    };
    assert_eq!(h.state(reloaded), signed_out, "not restoring");
    let started = h.spawn(reloaded, |t| async move { t.start().await });
    assert_eq!(h.requests(), 2, "the logout is sent again, no refresh");
    assert!(is_logout(&h.world.requests.borrow()[1]));
    h.world.answer(HttpAnswer {
        status: 204,
        ..Default::default()
    });
    assert_eq!(h.result(started), Ok(()));
    assert_eq!(h.state(reloaded), signed_out);
    // Confirmed: the next page load refreshes through whatever cookie the browser holds.
    let later = h.open_with(COOKIE, cookie_config());
    assert_eq!(h.state(later), AuthState::Restoring);
    let _started = h.spawn(later, |t| async move { t.start().await });
    assert_eq!(
        h.world.requests.borrow()[2].url,
        "https://app.example/auth/refresh"
    );
}

#[test]
fn an_unconfirmed_cookie_mode_logout_is_retried_until_the_server_answers_or_a_login() {
    let mut h = cookie_tabs(1);
    cookie_login(&mut h, 0);
    let logout = h.spawn(0, |t| async move { t.logout().await });
    h.world.answer(HttpAnswer {
        status: 503,
        ..Default::default()
    });
    h.result(logout);
    // Neither a server error nor an unreachable server confirms it.
    let second = h.open_with(COOKIE, cookie_config());
    let started = h.spawn(second, |t| async move { t.start().await });
    assert!(is_logout(&h.world.requests.borrow()[1]));
    h.world.answer(HttpAnswer {
        error: Some("offline".into()),
        ..Default::default()
    });
    assert_eq!(h.result(started), Ok(()));
    assert!(h.world.logout_pending.get());
    // A client error does (there was nothing left to revoke).
    let third = h.open_with(COOKIE, cookie_config());
    let started = h.spawn(third, |t| async move { t.start().await });
    assert!(is_logout(&h.world.requests.borrow()[2]));
    h.world
        .answer(oauth_error(400, "invalid_grant", "not_authenticated"));
    assert_eq!(h.result(started), Ok(()));
    assert!(!h.world.logout_pending.get());
    // A login clears a pending logout: its cookie replaced the old one.
    cookie_login(&mut h, third);
    let first_logout = h.spawn(third, |t| async move { t.logout().await });
    assert!(h.world.logout_pending.get());
    cookie_login(&mut h, 0);
    assert!(!h.world.logout_pending.get());
    // Logged in and out again: the first logout's late answer does not confirm the second.
    cookie_login(&mut h, third);
    let second_logout = h.spawn(third, |t| async move { t.logout().await });
    for logout in [first_logout, second_logout] {
        assert!(h.world.logout_pending.get());
        h.world.answer(HttpAnswer {
            status: 204,
            ..Default::default()
        });
        h.result(logout);
    }
    assert!(!h.world.logout_pending.get());
    let fourth = h.open_with(COOKIE, cookie_config());
    assert_eq!(h.state(fourth), AuthState::Restoring);
}

#[test]
fn a_mode_mismatch_with_the_server_is_a_configuration_error() {
    // A cookie-mode client and a header-mode server: the body carries a refresh token.
    let mut h = cookie_tabs(1);
    let started = h.spawn(0, |t| async move { t.start().await });
    h.world.answer(ok(&fresh_pair(&h.world)));
    let err = h.result(started).unwrap_err();
    assert_eq!(err.code(), ErrorCode::RefreshEndpointInvalid);
    assert!(err.message().contains("header mode"), "{}", err.message());
    assert!(h.tabs[0].tokens().is_none());
    // A header-mode client and a cookie-mode server: no refresh token in the login answer.
    let mut h = Harness::new();
    h.open(SHARED);
    let tab = h.tabs[0].clone();
    let login = fresh_pair(&h.world);
    let err = h
        .run(tab.set_tokens(&TokenResponse {
            refresh_token: String::new(),
            ..login
        }))
        .unwrap_err();
    assert!(err.message().contains("cookie mode"), "{}", err.message());
}

#[test]
fn with_proactive_refresh_off_the_expired_signal_is_what_refreshes() {
    let mut h = logged_in(1, SHARED);
    h.tabs[0].set_proactive(false);
    assert_eq!(h.tabs[0].next_refresh_at(), None);
    h.world.advance(700.0);
    let stale = h.tabs[0].tokens().unwrap().access_token;
    let token = h.spawn(0, |t| async move { t.access_token().await });
    assert_eq!(h.result(token), Ok(stale), "the due token is still sent");
    assert_eq!(h.requests(), 0);
    h.tabs[0].set_proactive(true);
    assert!(h.tabs[0].next_refresh_at().is_some());
}

// ---------------------------------------------------------------- DPoP (RFC 9449)

const DPOP_REFRESH_URL: &str = "https://app.example/auth/refresh?store=do#top";
/// The server's clock runs this far ahead of the tabs'.
const SERVER_AHEAD: f64 = 100.0;

fn dpop_config() -> ClientConfig {
    let mut config = Harness::config();
    config.refresh_url = DPOP_REFRESH_URL.into();
    config.dpop = true;
    config
}

/// `n` tabs of a DPoP client sharing storage (and so the key), tab 0 logged in.
fn dpop_tabs(n: usize) -> Harness {
    TOKEN_TYPE.set("DPoP");
    let mut h = Harness::new();
    for _ in 0..n {
        h.open_with(SHARED, dpop_config());
    }
    let tab = h.tabs[0].clone();
    h.run(tab.set_tokens(&pair_at(T0 + SERVER_AHEAD, 600, "alice")))
        .unwrap();
    h.deliver();
    h
}

/// A proof's header and claims, and what signed it (the fake platform's signature names it).
fn proof_of(proof: &str) -> (serde_json::Value, serde_json::Value, String) {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let parts: Vec<&str> = proof.split('.').collect();
    assert_eq!(parts.len(), 3, "a compact JWS: {proof}");
    let decode = |part: &str| URL_SAFE_NO_PAD.decode(part).unwrap();
    let json = |part: &str| serde_json::from_slice(&decode(part)).unwrap();
    let signer = String::from_utf8(decode(parts[2])).unwrap();
    (json(parts[0]), json(parts[1]), signer)
}

fn sha256_base64url(text: &str) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    use sha2::Digest;
    URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(text.as_bytes()))
}

fn dpop_answer(status: u16, error: &str, nonce: &str) -> HttpAnswer {
    HttpAnswer {
        dpop_nonce: Some(nonce.into()),
        ..oauth_error(status, error, error)
    }
}

#[test]
fn dpop_refresh_sends_a_proof_by_the_shared_key_on_the_server_clock() {
    let mut h = dpop_tabs(2);
    h.world.advance(600.0);
    let refreshed = h.spawn(0, |t| async move { t.refresh().await });
    let request = h.world.requests.borrow()[0].clone();
    let held = h.tabs[0].tokens().unwrap().access_token.unwrap();
    assert_eq!(request.authorization, Some(format!("DPoP {held}")));
    let (header, claims, signer) = proof_of(request.dpop.as_deref().unwrap());
    assert_eq!(header["typ"], "dpop+jwt");
    assert_eq!(header["alg"], "ES256");
    assert_eq!(header["jwk"]["x"], "key-1");
    assert!(header["jwk"].get("d").is_none(), "the public half only");
    assert_eq!(
        signer,
        format!(
            "signed by key-1: {}",
            request.dpop.as_ref().unwrap().rfind('.').unwrap()
        )
    );
    assert_eq!(claims["htm"], "POST");
    assert_eq!(
        claims["htu"], "https://app.example/auth/refresh",
        "no query, no fragment"
    );
    assert_eq!(
        claims["iat"],
        (T0 + 600.0 + SERVER_AHEAD) as i64,
        "the server's clock"
    );
    assert!(
        claims.get("ath").is_none(),
        "no access token hash at the token endpoint"
    );
    assert!(claims.get("nonce").is_none());
    h.world
        .answer(ok(&pair_at(T0 + 600.0 + SERVER_AHEAD, 600, "alice")));
    assert_eq!(h.result(refreshed), Ok(()));
    h.deliver();

    // The other tab proves with the same key (shared, as IndexedDB holds it), a new jti.
    h.world.advance(600.0);
    let refreshed = h.spawn(1, |t| async move { t.refresh().await });
    let second = h.world.requests.borrow()[1].dpop.clone().unwrap();
    let (header, second_claims, _) = proof_of(&second);
    assert_eq!(header["jwk"]["x"], "key-1");
    assert_ne!(second_claims["jti"], claims["jti"]);
    assert_eq!(h.world.proof_keys_made.get(), 1);
    h.world
        .answer(ok(&pair_at(T0 + 1200.0 + SERVER_AHEAD, 600, "alice")));
    assert_eq!(h.result(refreshed), Ok(()));
}

#[test]
fn dpop_api_requests_carry_ath_and_answer_a_nonce_challenge_once() {
    let mut h = dpop_tabs(1);
    let tab = h.tabs[0].clone();
    let url = "https://app.example/api/me?page=2";
    let (authorization, proof) = h.run(tab.api_headers(ORIGIN, "GET", url)).unwrap();
    let token = tab.tokens().unwrap().access_token.unwrap();
    assert_eq!(authorization, Some(format!("DPoP {token}")));
    let (_, claims, _) = proof_of(&proof.unwrap());
    assert_eq!(claims["htm"], "GET");
    assert_eq!(claims["htu"], "https://app.example/api/me");
    assert_eq!(claims["ath"], sha256_base64url(&token));

    // `use_dpop_nonce` with a nonce: sent again once, the proof with that nonce.
    let challenge = |nonce| ApiAnswer {
        status: 401,
        www_authenticate: Some(
            r#"DPoP error="use_dpop_nonce", error_description="use_dpop_nonce""#,
        ),
        dpop_nonce: Some(nonce),
    };
    let mut retries = ApiRetries::default();
    let again = h.run(tab.after_api_answer(&mut retries, ORIGIN, url, challenge("n-1")));
    assert_eq!(again, Ok(true));
    let (_, proof) = h.run(tab.api_headers(ORIGIN, "GET", url)).unwrap();
    assert_eq!(proof_of(&proof.unwrap()).1["nonce"], "n-1");
    let again = h.run(tab.after_api_answer(&mut retries, ORIGIN, url, challenge("n-2")));
    assert_eq!(
        again,
        Ok(false),
        "once per request: the app gets the second 401"
    );
    // The nonce a server hands out with any answer is used from then on.
    let (_, proof) = h.run(tab.api_headers(ORIGIN, "GET", url)).unwrap();
    assert_eq!(proof_of(&proof.unwrap()).1["nonce"], "n-2");
    assert_eq!(h.requests(), 0, "no refresh for a nonce");
}

#[test]
fn dpop_refresh_asks_again_once_with_the_nonce_the_server_wants() {
    let mut h = dpop_tabs(1);
    h.world.advance(600.0);
    let refreshed = h.spawn(0, |t| async move { t.refresh().await });
    h.world.answer(dpop_answer(400, "use_dpop_nonce", "n-1"));
    h.settle();
    assert_eq!(h.requests(), 2, "asked again at once, no backoff");
    let retry = h.world.requests.borrow()[1].dpop.clone().unwrap();
    assert_eq!(proof_of(&retry).1["nonce"], "n-1");
    h.world.answer(dpop_answer(400, "use_dpop_nonce", "n-1"));
    let err = h.result(refreshed).unwrap_err();
    assert_eq!(err.code(), ErrorCode::UseDpopNonce);
    assert!(h.tabs[0].tokens().is_some(), "the tokens are kept");
    // A later refresh starts with the nonce it was given, and succeeds.
    let refreshed = h.spawn(0, |t| async move { t.refresh().await });
    assert_eq!(
        proof_of(&h.world.requests.borrow()[2].dpop.clone().unwrap()).1["nonce"],
        "n-1"
    );
    h.world
        .answer(ok(&pair_at(T0 + 600.0 + SERVER_AHEAD, 600, "alice")));
    assert_eq!(h.result(refreshed), Ok(()));
}

#[test]
fn a_refused_dpop_proof_at_refresh_ends_the_grant_here() {
    let mut h = dpop_tabs(2);
    h.world.advance(600.0);
    let refreshed = h.spawn(0, |t| async move { t.refresh().await });
    h.world
        .answer(oauth_error(400, "invalid_dpop_proof", "invalid_dpop_proof"));
    assert_eq!(
        h.result(refreshed).unwrap_err().code(),
        ErrorCode::InvalidDpopProof
    );
    h.deliver();
    for tab in 0..2 {
        assert_eq!(
            h.state(tab),
            AuthState::Unauthenticated {
                reason: Some("invalid_dpop_proof".into())
            }
        );
    }
}

#[test]
fn logout_proves_with_the_old_key_then_discards_it_for_every_tab() {
    let mut h = dpop_tabs(2);
    let api = "https://app.example/api/me";
    let tab1 = h.tabs[1].clone();
    h.run(tab1.api_headers(ORIGIN, "GET", api)).unwrap();
    let logout = h.spawn(0, |t| async move { t.logout().await });
    let request = h.world.requests.borrow()[0].clone();
    assert_eq!(request.url, "https://app.example/auth/logout");
    assert!(request.keepalive, "carried through a reload right after");
    assert_eq!(
        proof_of(request.dpop.as_deref().unwrap()).0["jwk"]["x"],
        "key-1"
    );
    assert_eq!(h.world.stored_proof_key.get(), None, "discarded");
    h.world.answer(HttpAnswer {
        status: 204,
        ..Default::default()
    });
    h.result(logout);
    h.deliver();

    // The next login, in the other tab, binds a new key: no tab kept the old one.
    let (authorization, proof) = h
        .run(tab1.api_headers(ORIGIN, "POST", "https://app.example/auth/login"))
        .unwrap();
    assert_eq!(authorization, None, "signed out: no token");
    let (header, claims, _) = proof_of(&proof.expect("a login still gets a proof"));
    assert_eq!(header["jwk"]["x"], "key-2");
    assert!(claims.get("ath").is_none());
    // Other origins get neither token nor proof.
    let elsewhere =
        h.run(tab1.api_headers("https://evil.example", "POST", "https://evil.example/x"));
    assert_eq!(elsewhere, Ok((None, None)));
}

#[test]
fn dpop_and_bearer_token_responses_are_checked_against_the_mode() {
    // A DPoP client given Bearer tokens: the server does not bind them.
    let mut h = Harness::new();
    h.open_with(SHARED, dpop_config());
    let tab = h.tabs[0].clone();
    let err = h.run(tab.set_tokens(&fresh_pair(&h.world))).unwrap_err();
    assert_eq!(err.code(), ErrorCode::RefreshEndpointInvalid);
    assert!(err.message().contains("dpop option"), "{}", err.message());
    // A Bearer client given DPoP-bound tokens.
    let mut h = Harness::new();
    h.open(SHARED);
    let tab = h.tabs[0].clone();
    let bound = TokenResponse {
        token_type: Some("DPoP".into()),
        ..fresh_pair(&h.world)
    };
    let err = h.run(tab.set_tokens(&bound)).unwrap_err();
    assert!(err.message().contains("dpop: true"), "{}", err.message());
    assert!(tab.tokens().is_none());
}

#[test]
fn a_kept_key_of_another_algorithm_is_replaced() {
    let mut h = dpop_tabs(1);
    let tab = h.tabs[0].clone();
    let login = "https://app.example/auth/login";
    h.run(tab.api_headers(ORIGIN, "POST", login)).unwrap();
    assert_eq!(h.world.stored_proof_key.get(), Some(1));
    // The app now asks for EdDSA: a reload finds the ES256 key in the shared storage.
    let mut config = dpop_config();
    config.proof_alg = "EdDSA".into();
    let reloaded = h.open_with(SHARED, config);
    let tab = h.tabs[reloaded].clone();
    let (_, proof) = h.run(tab.api_headers(ORIGIN, "POST", login)).unwrap();
    let (header, _, _) = proof_of(&proof.unwrap());
    assert_eq!(
        (header["alg"].as_str(), header["jwk"]["x"].as_str()),
        (Some("EdDSA"), Some("key-2"))
    );
    assert_eq!(h.world.stored_proof_key.get(), Some(2));
}

#[test]
fn set_tokens_refuses_a_pair_that_is_not_two_jwts() {
    let mut h = Harness::new();
    h.open(SHARED);
    let tab = h.tabs[0].clone();
    let login = fresh_pair(&h.world);
    for (response, named) in [
        (
            TokenResponse {
                access_token: "an-opaque-token".into(),
                ..login.clone()
            },
            "access_token",
        ),
        (
            TokenResponse {
                refresh_token: "a.b".into(),
                ..login.clone()
            },
            "refresh_token",
        ),
    ] {
        let err = h.run(tab.set_tokens(&response)).unwrap_err();
        assert_eq!(err.code(), ErrorCode::MalformedToken);
        assert!(
            err.message()
                .starts_with(&format!("the token response's {named} is not a JWT")),
            "{}",
            err.message()
        );
        assert!(tab.tokens().is_none() && h.world.stored().is_none());
    }
}

#[test]
fn a_dpop_bound_tokens_expired_signal_refreshes_once_and_retries() {
    let mut h = dpop_tabs(1);
    let tab = h.tabs[0].clone();
    let url = "https://app.example/api/me";
    let mut retries = ApiRetries::default();
    let expired = ApiAnswer {
        status: 401,
        www_authenticate: Some(r#"DPoP error="invalid_token", error_description="token_expired""#),
        dpop_nonce: None,
    };
    let again = h.spawn(0, move |t| async move {
        let mut retries = ApiRetries::default();
        let again = t.after_api_answer(&mut retries, ORIGIN, url, expired).await;
        (again, retries)
    });
    assert_eq!(h.requests(), 1, "the expired signal refreshed");
    h.world
        .answer(ok(&pair_at(T0 + SERVER_AHEAD, 600, "alice")));
    let (again, done) = h.result(again);
    assert_eq!(again, Ok(true), "and the request goes again");
    assert!(done.refreshed && !done.nonce);
    // Right after that refresh, the same signal is the loop breaker's: logged out.
    retries.refreshed = true;
    let last = h.run(tab.after_api_answer(&mut retries, ORIGIN, url, expired));
    assert_eq!(last, Ok(false));
    assert!(matches!(h.state(0), AuthState::Unauthenticated { .. }));
}
