//! DPoP proofs (RFC 9449): every check of §4.3 but the signature, with the clock injected.
//! The signature is the proof's embedded public key's, checked by the host's crypto as any
//! asymmetric signature is (the wasm layer); the replay of a proof's `jti` is for the caller to
//! record, with the `iat` this returns (a session record at refresh, a bounded cache on API
//! requests).

use crate::algorithm::Algorithm;
use crate::compact::{decode_json_object, decode_segment, split};
use crate::error::{Error, ErrorCode, Result};
use crate::key::Key;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// The `typ` of a DPoP proof.
pub const DPOP_PROOF_TYPE: &str = "dpop+jwt";

/// The longest proof accepted (a proof carries a public key: an RSA-4096 JWK is ~800 bytes).
const MAX_PROOF_LENGTH: usize = 4096;

/// How proofs are checked.
#[derive(Clone)]
pub struct DpopPolicy {
    /// The algorithms a proof may use (asymmetric only). Default: ES256 and EdDSA, what the
    /// browser client makes, and RS256, PS256, ES384, ES512.
    pub algorithms: Vec<Algorithm>,
    /// How old a proof's `iat` may be, in seconds (default 60).
    pub max_age: i64,
    /// How far in the future a proof's `iat` may be, in seconds (clock skew; default 5).
    pub future_skew: i64,
    /// Stateless nonces, when the server requires them.
    pub nonces: Option<DpopNonces>,
}

impl Default for DpopPolicy {
    fn default() -> Self {
        DpopPolicy {
            algorithms: vec![
                Algorithm::Es256,
                Algorithm::EdDsa,
                Algorithm::Es384,
                Algorithm::Es512,
                Algorithm::Rs256,
                Algorithm::Ps256,
            ],
            max_age: 60,
            future_skew: 5,
            nonces: None,
        }
    }
}

impl core::fmt::Debug for DpopPolicy {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DpopPolicy")
            .field("algorithms", &self.algorithms)
            .field("max_age", &self.max_age)
            .field("future_skew", &self.future_skew)
            .field("nonces", &self.nonces.is_some())
            .finish()
    }
}

/// Stateless server nonces (RFC 9449 §8): an HMAC of the current time step under a server
/// secret, so that a Worker checks them with no storage. A nonce is good for the step it was
/// made in and the next one.
#[derive(Clone)]
pub struct DpopNonces {
    mac: Hmac<Sha256>,
    /// Seconds per step.
    period: i64,
}

impl DpopNonces {
    /// Nonces keyed by `secret` (at least 32 bytes), a new one every `period` seconds.
    pub fn new(secret: &[u8], period: i64) -> Result<DpopNonces> {
        if secret.len() < 32 || period <= 0 {
            return Err(Error::new(
                ErrorCode::InvalidOptions,
                "DPoP nonces need a secret of at least 32 bytes and a positive period",
            ));
        }
        let mac = Hmac::new_from_slice(secret)
            .map_err(|_| Error::new(ErrorCode::InvalidOptions, "unusable DPoP nonce secret"))?;
        Ok(DpopNonces { mac, period })
    }

    /// The nonce to hand out at `now` (the `DPoP-Nonce` header).
    pub fn current(&self, now: i64) -> String {
        self.of_step(now.div_euclid(self.period))
    }

    /// Whether `nonce` was handed out in this step or the previous one.
    pub fn accepts(&self, nonce: &str, now: i64) -> bool {
        let step = now.div_euclid(self.period);
        [step, step - 1]
            .iter()
            .any(|&step| constant_time_eq(self.of_step(step).as_bytes(), nonce.as_bytes()))
    }

    fn of_step(&self, step: i64) -> String {
        let mut mac = self.mac.clone();
        mac.update(b"jwt-refresh dpop nonce ");
        mac.update(&step.to_be_bytes());
        URL_SAFE_NO_PAD.encode(&mac.finalize().into_bytes()[..18])
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The request a proof must be for.
#[derive(Debug, Clone, Copy)]
pub struct DpopRequest<'a> {
    /// The HTTP method, as sent (`POST`).
    pub method: &'a str,
    /// The request's URL (its query and fragment are ignored).
    pub url: &'a str,
    /// The access token the request presents (API requests): the proof's `ath` must be its
    /// hash. `None` at the token endpoint (refresh), where a proof has no `ath` to check.
    pub access_token: Option<&'a str>,
}

/// A proof that passed every check but its signature (and the replay of its `jti`).
#[derive(Debug)]
pub struct PendingProof {
    /// The proof's public key (from its `jwk` header), bound to the proof's algorithm.
    pub key: Key,
    /// The RFC 7638 thumbprint of that key: what tokens are bound to (`cnf.jkt`).
    pub jkt: String,
    /// The proof's id, for the replay check.
    pub jti: String,
    /// When the proof was made.
    pub iat: i64,
    /// `header.payload`, the signed bytes.
    pub signing_input: String,
    /// The signature, decoded.
    pub signature: Vec<u8>,
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidDpopProof, message)
}

/// Checks `proof` for `request` at `now` (Unix seconds), everything but the signature: the
/// structure, `typ: dpop+jwt`, an allowed asymmetric `alg`, a `jwk` header that is a public
/// key of that algorithm, `htm`, `htu` (without query and fragment, scheme and host in any
/// case, default ports dropped), `iat` within the window, `jti`, `ath` when an access token is
/// presented, and the nonce when nonces are on (`use_dpop_nonce` when it is missing or stale).
///
/// ```
/// use jwt_refresh::{begin_dpop_proof, DpopPolicy, DpopRequest, ErrorCode};
/// let request = DpopRequest { method: "POST", url: "https://auth.example/refresh", access_token: None };
/// let err = begin_dpop_proof("not.a.proof", &request, &DpopPolicy::default(), 0).unwrap_err();
/// assert_eq!(err.code(), ErrorCode::InvalidDpopProof);
/// ```
pub fn begin_dpop_proof(
    proof: &str,
    request: &DpopRequest<'_>,
    policy: &DpopPolicy,
    now: i64,
) -> Result<PendingProof> {
    let malformed =
        |err: Error| invalid(format!("the proof is not a compact JWS: {}", err.message()));
    let parts = split(proof, MAX_PROOF_LENGTH).map_err(malformed)?;
    let header = decode_json_object(parts.header, "header").map_err(malformed)?;
    let claims = decode_json_object(parts.payload, "payload").map_err(malformed)?;
    let text = |members: &Map<String, Value>, name: &str| -> Result<String> {
        match members.get(name) {
            Some(Value::String(value)) if !value.is_empty() => Ok(value.clone()),
            Some(_) => Err(invalid(format!(
                "the proof's {name:?} must be a non-empty string"
            ))),
            None => Err(invalid(format!("the proof has no {name:?}"))),
        }
    };
    if !text(&header, "typ")?.eq_ignore_ascii_case(DPOP_PROOF_TYPE) {
        return Err(invalid("the proof's typ is not \"dpop+jwt\""));
    }
    // RFC 9864's fully specified "Ed25519" (panva's `dpop` sends it) parses as EdDSA.
    let alg = Algorithm::parse(&text(&header, "alg")?).map_err(|err| invalid(err.message()))?;
    if alg.is_symmetric() || !policy.algorithms.contains(&alg) {
        return Err(invalid(format!(
            "{alg} is not an allowed DPoP algorithm (allowed: {})",
            names(&policy.algorithms)
        )));
    }
    if header.contains_key("crit") {
        return Err(invalid(
            "the proof has a crit header: no extension is supported",
        ));
    }
    let key = embedded_key(&header, alg)?;
    let jkt = key.thumbprint()?;
    if text(&claims, "htm")? != request.method {
        return Err(invalid(format!(
            "the proof is for another method than {}",
            request.method
        )));
    }
    if normalized_htu(&text(&claims, "htu")?) != normalized_htu(request.url) {
        return Err(invalid(format!(
            "the proof is for another URL than {}",
            normalized_htu(request.url)
        )));
    }
    let iat = match claims.get("iat") {
        Some(Value::Number(n)) => n.as_f64().map(|v| v.floor() as i64),
        _ => None,
    }
    .ok_or_else(|| invalid("the proof's iat must be a number"))?;
    if iat > now.saturating_add(policy.future_skew) {
        return Err(invalid("the proof was made in the future (iat)"));
    }
    if iat < now.saturating_sub(policy.max_age) {
        return Err(invalid(format!(
            "the proof is too old: made {}s ago, at most {}s allowed",
            now.saturating_sub(iat),
            policy.max_age
        )));
    }
    let jti = text(&claims, "jti")?;
    if jti.len() > 256 {
        return Err(invalid("the proof's jti is longer than 256 characters"));
    }
    if let Some(token) = request.access_token {
        let expected = access_token_hash(token);
        match claims.get("ath") {
            Some(Value::String(ath)) if constant_time_eq(ath.as_bytes(), expected.as_bytes()) => {}
            Some(_) => return Err(invalid("the proof's ath is not the access token's hash")),
            None => {
                return Err(invalid(
                    "the proof has no ath for the access token it comes with",
                ))
            }
        }
    }
    if let Some(nonces) = &policy.nonces {
        match claims.get("nonce") {
            Some(Value::String(nonce)) if nonces.accepts(nonce, now) => {}
            Some(_) => {
                return Err(Error::new(
                    ErrorCode::UseDpopNonce,
                    "the proof's nonce is stale: use the one in DPoP-Nonce",
                ))
            }
            None => {
                return Err(Error::new(
                    ErrorCode::UseDpopNonce,
                    "the server requires a nonce in the proof: use the one in DPoP-Nonce",
                ))
            }
        }
    }
    let signature = decode_segment(parts.signature).map_err(malformed)?;
    if signature.len() != key.signature_len() {
        return Err(invalid("the proof's signature does not verify"));
    }
    Ok(PendingProof {
        key,
        jkt,
        jti,
        iat,
        signing_input: parts.signing_input.to_owned(),
        signature,
    })
}

/// The `ath` of an access token: base64url(SHA-256(token)).
pub fn access_token_hash(token: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()))
}

fn names(algorithms: &[Algorithm]) -> String {
    algorithms
        .iter()
        .map(|alg| alg.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The `jwk` header as a public key of `alg`: a private member in it is refused (the client
/// would be publishing its private key), as is a symmetric key.
fn embedded_key(header: &Map<String, Value>, alg: Algorithm) -> Result<Key> {
    let jwk = header
        .get("jwk")
        .and_then(Value::as_object)
        .ok_or_else(|| invalid("the proof has no jwk header (its public key)"))?;
    const PRIVATE: [&str; 7] = ["d", "p", "q", "dp", "dq", "qi", "k"];
    if let Some(member) = PRIVATE.iter().find(|member| jwk.contains_key(**member)) {
        return Err(invalid(format!(
            "the proof's jwk holds a private member ({member:?}): only the public key belongs there"
        )));
    }
    // The key's own `alg`, `kid`, `use`, `key_ops` do not matter: only its members and the
    // proof's algorithm do.
    // Inserted one by one: collecting into the map would link a sort for its bulk build.
    let mut members = Map::new();
    for (name, value) in jwk {
        if matches!(name.as_str(), "kty" | "crv" | "x" | "y" | "n" | "e") {
            members.insert(name.clone(), value.clone());
        }
    }
    let kty = members.get("kty").and_then(Value::as_str).unwrap_or("");
    let bound = if kty == "RSA" { Some(alg) } else { None };
    let key = Key::from_jwk(&Value::Object(members), bound, None)
        .map_err(|err| invalid(format!("the proof's jwk: {}", err.message())))?;
    if key.algorithm() != alg {
        return Err(invalid(format!(
            "the proof's jwk is a {} key, the proof says {alg}",
            key.algorithm()
        )));
    }
    Ok(key)
}

/// `url` without its query and fragment, its scheme and host lowercased and a default port
/// (443 for https, 80 for http) dropped: what RFC 9449 §4.3 compares `htu` by.
pub fn normalized_htu(url: &str) -> String {
    let end = url.find(['?', '#']).unwrap_or(url.len());
    let url = &url[..end];
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let scheme = scheme.to_ascii_lowercase();
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut authority = authority.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "https" => Some(":443"),
        "http" => Some(":80"),
        _ => None,
    };
    if let Some(port) = default_port {
        if let Some(host) = authority.strip_suffix(port) {
            authority = host.to_owned();
        }
    }
    let path = if path.is_empty() { "/" } else { path };
    format!("{scheme}://{authority}{path}")
}

/// The proof ids seen within the `iat` window, bounded in number: a proof replayed while it is
/// still fresh is refused. Isolate-local where it is used for API requests (another isolate
/// does not see it; the window bounds what a replay there can do), which is why refreshes
/// record their proof ids in the session record instead.
#[derive(Debug, Clone)]
pub struct DpopReplay {
    capacity: usize,
    /// (hash of jkt and jti, until when it is remembered), oldest first.
    seen: std::collections::VecDeque<([u8; 32], i64)>,
}

impl DpopReplay {
    /// Remembers at most `capacity` proof ids.
    pub fn new(capacity: usize) -> DpopReplay {
        DpopReplay {
            capacity: capacity.max(1),
            seen: std::collections::VecDeque::new(),
        }
    }

    /// Records `proof`'s id at `now` for as long as `policy` would accept the proof; a proof
    /// whose id is already recorded (by the same key) is `invalid_dpop_proof`.
    pub fn record(&mut self, proof: &PendingProof, policy: &DpopPolicy, now: i64) -> Result<()> {
        while self.seen.front().is_some_and(|(_, until)| *until < now) {
            self.seen.pop_front();
        }
        let mut hasher = Sha256::new();
        hasher.update(proof.jkt.as_bytes());
        hasher.update([0]);
        hasher.update(proof.jti.as_bytes());
        let id: [u8; 32] = hasher.finalize().into();
        if self.seen.iter().any(|(seen, _)| *seen == id) {
            return Err(invalid("the proof was used before (its jti is replayed)"));
        }
        if self.seen.len() == self.capacity {
            self.seen.pop_front();
        }
        // A proof is accepted until iat + max_age: remembered that long (a proof already
        // past it is refused as too old, and needs no remembering).
        let until = proof.iat.saturating_add(policy.max_age);
        if until < now {
            return Ok(());
        }
        let at = self
            .seen
            .iter()
            .position(|(_, other)| *other > until)
            .unwrap_or(self.seen.len());
        self.seen.insert(at, (id, until));
        Ok(())
    }

    /// How many proof ids are remembered.
    pub fn len(&self) -> usize {
        self.seen.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.seen.is_empty()
    }
}
