//! The edge side of the flow: start a session, verify access tokens, refresh with rotation
//! and reuse detection, revoke (docs/architecture.md, docs/security.md#sessions).

use crate::claims::ClaimsSet;
use crate::error::{Error, ErrorCode, Result};
use crate::key::Key;
use crate::key_set::KeySet;
use crate::random::random_id;
use crate::session::{Decision, SessionPolicy, SessionRecord};
use crate::sign::{signing_input, RustSigner, SignOptions, TokenSigner};
use crate::store::SessionStore;
use crate::verify::{begin_verify, check_unproven_binding, verify, VerifiedToken, VerifyOptions};
use serde_json::Value;

/// `typ` of access tokens (RFC 9068).
pub const ACCESS_TOKEN_TYPE: &str = "at+jwt";
/// `typ` of refresh tokens.
pub const REFRESH_TOKEN_TYPE: &str = "rt+jwt";

/// Claims the issuer sets itself; custom claims may not use these names.
const RESERVED_CLAIMS: &[&str] = &[
    "iss", "sub", "aud", "exp", "nbf", "iat", "jti", "sid", "gen", "cnf",
];

/// The most DPoP proof ids a session record keeps (its refreshes within one proof window).
const MAX_RECORDED_PROOFS: usize = 16;

/// Whether sessions must be bound to a DPoP key (RFC 9449).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DpopMode {
    /// A session started with a proof is bound to its key, one started without is not; a
    /// bound session's tokens are refused without a proof by that key.
    #[default]
    Allowed,
    /// Every session must be bound: starting one without a proof, and a token without
    /// `cnf.jkt`, are refused.
    Required,
}

/// The binding rule of a protected request (RFC 9449 §7), for any server that checks access
/// tokens: `bound` is the token's `cnf.jkt`, `proof_jkt` the thumbprint of the key of the
/// request's DPoP proof (checked by the caller; `None` without one). A bound token needs a
/// proof by its key; an unbound token refuses a proof (no downgrade) and, in
/// [`DpopMode::Required`], is refused.
pub fn check_dpop_binding(
    bound: Option<&str>,
    proof_jkt: Option<&str>,
    mode: DpopMode,
) -> Result<()> {
    match (bound, proof_jkt) {
        (Some(bound), Some(jkt)) if bound == jkt => Ok(()),
        (Some(_), Some(_)) => Err(dpop_refused(
            "the proof is by another key than the one the token is bound to",
        )),
        (None, Some(_)) => Err(dpop_refused(
            "a DPoP proof came with a token that is not DPoP-bound",
        )),
        (bound, None) => check_unproven_binding(bound.is_some(), mode == DpopMode::Required),
    }
}

/// A DPoP proof whose signature the caller has verified (with the checks of
/// [`crate::begin_dpop_proof`]): what binds and refreshes a session.
#[derive(Debug, Clone, Copy)]
pub struct VerifiedProof<'a> {
    /// The thumbprint of the proof's key.
    pub jkt: &'a str,
    /// The proof's id.
    pub jti: &'a str,
    /// Until when the proof could be presented (its `iat` plus the allowed age).
    pub usable_until: i64,
}

fn dpop_refused(message: &str) -> Error {
    Error::new(ErrorCode::InvalidDpopProof, message)
}

/// How many times a refresh re-reads the session after losing a compare-and-swap race.
const MAX_CAS_ATTEMPTS: usize = 4;

/// Everything an [`Issuer`] is configured with.
#[derive(Debug, Clone)]
pub struct IssuerConfig {
    /// Signs access tokens (any algorithm; publish its public JWK for other verifiers).
    pub signing_key: Key,
    /// Extra keys that still verify access tokens (key rotation); the signing key is added.
    pub previous_keys: Vec<Key>,
    /// Server-only HMAC secret that MACs refresh tokens (never published).
    pub refresh_key: Key,
    /// `iss` of every token.
    pub issuer: String,
    /// `aud` of access tokens (empty: none).
    pub audience: Vec<String>,
    /// Lifetimes and windows.
    pub policy: SessionPolicy,
    /// Leeway when verifying `exp`/`nbf`/`iat` of access tokens.
    pub clock_tolerance: u64,
}

/// A token pair, as the token endpoint answers it (RFC 6749 §5.1 plus `refresh_expires_in`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenPair {
    /// The access token (`typ: at+jwt`).
    pub access_token: String,
    /// The refresh token (`typ: rt+jwt`).
    pub refresh_token: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Seconds until the refresh token expires.
    pub refresh_expires_in: i64,
    /// The session id.
    pub session_id: String,
    /// The subject.
    pub subject: String,
    /// Whether the tokens are bound to a DPoP key (`token_type: "DPoP"`).
    pub dpop_bound: bool,
}

impl From<&TokenPair> for crate::TokenResponse {
    fn from(pair: &TokenPair) -> crate::TokenResponse {
        crate::TokenResponse {
            access_token: pair.access_token.clone(),
            token_type: Some(crate::http::token_type(pair).to_owned()),
            expires_in: Some(pair.expires_in),
            refresh_token: pair.refresh_token.clone(),
            refresh_expires_in: Some(pair.refresh_expires_in),
        }
    }
}

/// The identity a verified refresh token carries.
struct RefreshClaims {
    sub: String,
    sid: String,
    generation: u64,
    /// Past its `exp`. An expired refresh token no longer refreshes, but it still names its
    /// session: logout revokes that session, and an older generation is reuse.
    expired: bool,
}

/// Issues and refreshes token pairs against a [`SessionStore`], signing through `S`
/// (in this process by default; see [`TokenSigner`]).
#[derive(Debug, Clone)]
pub struct Issuer<S = RustSigner> {
    config: IssuerConfig,
    access_keys: KeySet,
    /// The checks of `verify_access`, built once (it runs on every request): the token
    /// alone, so a DPoP-bound one is refused.
    access_options: VerifyOptions,
    /// The same checks but the binding, which the caller checks against the request's proof.
    proven_access_options: VerifyOptions,
    /// The checks of the access token a refresh presents: `exp` ignored, but never older than
    /// a session.
    refresh_access_options: VerifyOptions,
    signer: S,
    dpop: DpopMode,
}

/// String claims that must be present, read from a verified token's text.
fn required_strings<const N: usize>(
    token: &VerifiedToken,
    names: [&str; N],
) -> Result<[String; N]> {
    let values = token.string_claims(names)?;
    check_present(&values, &names)?;
    Ok(values.map(Option::unwrap_or_default))
}

/// `claim_missing` for the first of `names` whose value is absent (compiled once, not per
/// count of names).
fn check_present(values: &[Option<String>], names: &[&str]) -> Result<()> {
    match values.iter().position(Option::is_none) {
        Some(i) => Err(Error::new(
            ErrorCode::ClaimMissing,
            format!("the {:?} claim is required", names[i]),
        )),
        None => Ok(()),
    }
}

/// `options` for a token checked without a proof of possession: a bound token is refused,
/// and in [`DpopMode::Required`] so is an unbound one.
fn unproven(options: &VerifyOptions, mode: DpopMode) -> VerifyOptions {
    VerifyOptions {
        refuse_bound: true,
        refuse_unbound: mode == DpopMode::Required,
        ..options.clone()
    }
}

fn store_corrupt(err: impl core::fmt::Display) -> Error {
    Error::new(
        ErrorCode::StoreUnavailable,
        format!("the stored session is unreadable: {err}"),
    )
}

impl Issuer {
    /// Checks the configuration: the signing key can sign, the refresh key is an HMAC
    /// secret, the policy is sane.
    pub fn new(config: IssuerConfig) -> Result<Issuer> {
        Issuer::with_signer(config, RustSigner)
    }
}

impl<S: TokenSigner> Issuer<S> {
    /// [`Issuer::new`], with tokens signed through `signer`.
    pub fn with_signer(config: IssuerConfig, signer: S) -> Result<Issuer<S>> {
        config.policy.validate()?;
        if !config.signing_key.can_sign() {
            return Err(Error::new(
                ErrorCode::InvalidKey,
                "the signing key cannot sign",
            ));
        }
        if !config.refresh_key.algorithm().is_symmetric() {
            return Err(Error::new(
                ErrorCode::InvalidKey,
                "the refresh key must be an HMAC secret (HS256/384/512): only the issuer reads refresh tokens",
            ));
        }
        if config.signing_key.same_secret(&config.refresh_key) {
            return Err(Error::new(
                ErrorCode::InvalidKey,
                "the signing key and the refresh key are the same secret: refresh tokens must be MACed with a secret of their own",
            ));
        }
        if config.issuer.is_empty() {
            return Err(Error::new(
                ErrorCode::InvalidOptions,
                "issuer must not be empty",
            ));
        }
        let mut access_keys = KeySet::new();
        access_keys.insert(config.signing_key.clone())?;
        for key in &config.previous_keys {
            access_keys.insert(key.clone())?;
        }
        let proven_access_options = VerifyOptions {
            issuer: vec![config.issuer.clone()],
            audience: config.audience.clone(),
            typ: Some(ACCESS_TOKEN_TYPE.into()),
            required_claims: vec!["sub".into(), "sid".into(), "iat".into()],
            clock_tolerance: config.clock_tolerance,
            ..Default::default()
        };
        let refresh_access_options = VerifyOptions {
            max_token_age: Some(config.policy.session_lifetime),
            ignore_expiration: true,
            ..proven_access_options.clone()
        };
        Ok(Issuer {
            config,
            access_keys,
            access_options: unproven(&proven_access_options, DpopMode::default()),
            proven_access_options,
            refresh_access_options,
            signer,
            dpop: DpopMode::default(),
        })
    }

    /// This issuer with sessions bound to DPoP keys as `mode` says.
    pub fn with_dpop_mode(self, mode: DpopMode) -> Self {
        Issuer {
            dpop: mode,
            access_options: unproven(&self.proven_access_options, mode),
            ..self
        }
    }

    /// Whether sessions must be bound to a DPoP key.
    pub fn dpop_mode(&self) -> DpopMode {
        self.dpop
    }

    /// Checks a verified access token's DPoP binding against the proof that came with it (its
    /// key's thumbprint, `None` without one): a token bound by `cnf.jkt` needs a proof by that
    /// key; an unbound token refuses a proof (RFC 9449 §7: no downgrade) and, in
    /// [`DpopMode::Required`], is refused.
    pub fn check_binding(&self, token: &VerifiedToken, proof_jkt: Option<&str>) -> Result<()> {
        let bound = token
            .claims()?
            .get("cnf")
            .and_then(|cnf| cnf.get("jkt"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        self.check_bound_key(bound.as_deref(), proof_jkt)
    }

    /// [`Issuer::check_binding`] given the token's `cnf.jkt` (`None` if it has none).
    pub fn check_bound_key(&self, bound: Option<&str>, proof_jkt: Option<&str>) -> Result<()> {
        check_dpop_binding(bound, proof_jkt, self.dpop)
    }

    /// The signer tokens are signed through.
    pub fn signer(&self) -> &S {
        &self.signer
    }

    /// The configuration.
    pub fn config(&self) -> &IssuerConfig {
        &self.config
    }

    /// The keys that verify access tokens (publish `to_jwks()` for other services).
    pub fn access_keys(&self) -> &KeySet {
        &self.access_keys
    }

    /// Verifies an access token that came without a DPoP proof: signature (through the
    /// signer's `check_now`), `typ: at+jwt`, `iss`, `aud`, `sub`, `sid`, `exp`; a token bound
    /// to a DPoP key (`cnf`) is refused, as is an unbound one in [`DpopMode::Required`].
    /// Stateless (no store read): revocation takes effect at the next refresh, so keep
    /// access tokens short-lived.
    pub fn verify_access(&self, token: &str, now: i64) -> Result<VerifiedToken> {
        self.verify_access_with(&self.access_options, token, now)
    }

    /// [`Issuer::verify_access`] for a token that came with a DPoP proof the caller checked
    /// (`proof_jkt`: its key's thumbprint, `None` without a proof): the token's binding must
    /// match it ([`Issuer::check_bound_key`]).
    pub fn verify_bound_access(
        &self,
        token: &str,
        proof_jkt: Option<&str>,
        now: i64,
    ) -> Result<VerifiedToken> {
        let verified = self.verify_access_with(&self.proven_access_options, token, now)?;
        self.check_binding(&verified, proof_jkt)?;
        Ok(verified)
    }

    fn verify_access_with(
        &self,
        options: &VerifyOptions,
        token: &str,
        now: i64,
    ) -> Result<VerifiedToken> {
        let pending = begin_verify(token, &self.access_keys, options)?;
        let valid =
            (self.signer).check_now(pending.key(), pending.signing_input(), pending.signature())?;
        let verified = pending.finish(valid, options, now)?;
        required_strings(&verified, ["sid"])?;
        Ok(verified)
    }

    /// The checks of [`Issuer::verify_access`] as verifier options (`typ: at+jwt`, `iss`,
    /// `aud`, required `sub`/`sid`/`iat`, the configured leeway, bound tokens refused): for a
    /// verifier of access tokens elsewhere, e.g. one whose signature checks the host makes.
    pub fn access_verify_options(&self) -> &VerifyOptions {
        &self.access_options
    }

    /// [`Issuer::access_verify_options`] without the binding rule, for a caller that checks
    /// the token's `cnf.jkt` against a proof itself ([`Issuer::check_bound_key`]).
    pub fn proven_access_verify_options(&self) -> &VerifyOptions {
        &self.proven_access_options
    }

    /// The access token a refresh presents, its signature checked through the signer.
    async fn verify_access_for_refresh(&self, token: &str, now: i64) -> Result<VerifiedToken> {
        let options = &self.refresh_access_options;
        let pending = begin_verify(token, &self.access_keys, options)?;
        let valid = (self.signer)
            .check(pending.key(), pending.signing_input(), pending.signature())
            .await?;
        let verified = pending.finish(valid, options, now)?;
        required_strings(&verified, ["sid"])?;
        Ok(verified)
    }

    fn verify_refresh(&self, token: &str, now: i64) -> Result<RefreshClaims> {
        let options = VerifyOptions {
            algorithms: Some(vec![self.config.refresh_key.algorithm()]),
            issuer: vec![self.config.issuer.clone()],
            audience: vec![self.config.issuer.clone()],
            typ: Some(REFRESH_TOKEN_TYPE.into()),
            required_claims: vec!["sub".into(), "sid".into(), "gen".into(), "exp".into()],
            ignore_expiration: true,
            ..Default::default()
        };
        let verified = verify(token, &self.config.refresh_key, &options, now)?;
        let claims = verified.claims()?;
        let generation = claims
            .get("gen")
            .and_then(Value::as_u64)
            .ok_or_else(|| Error::new(ErrorCode::ClaimInvalid, "gen must be a positive integer"))?;
        // `exp` is required and was checked to be a number.
        let exp = claims.get("exp").and_then(Value::as_f64).unwrap_or(0.0);
        let [sub, sid] = required_strings(&verified, ["sub", "sid"])?;
        Ok(RefreshClaims {
            sub,
            sid,
            generation,
            expired: now as f64 >= exp,
        })
    }

    async fn access_token(&self, record: &SessionRecord, now: i64) -> Result<(String, i64)> {
        let exp = self.config.policy.access_expiry(record, now);
        let mut claims = record.claims.clone();
        claims.insert("sid".into(), Value::String(record.sid.clone()));
        claims.insert("exp".into(), Value::from(exp));
        if let Some(jkt) = &record.jkt {
            // RFC 9449 §6.1: the token is bound to the key with this thumbprint.
            let mut cnf = serde_json::Map::new();
            cnf.insert("jkt".into(), Value::String(jkt.clone()));
            claims.insert("cnf".into(), Value::Object(cnf));
        }
        let options = SignOptions {
            typ: Some(ACCESS_TOKEN_TYPE.into()),
            random_jti: true,
            issuer: Some(self.config.issuer.clone()),
            audience: self.config.audience.clone(),
            subject: Some(record.sub.clone()),
            ..Default::default()
        };
        let key = &self.config.signing_key;
        let input = signing_input(key, claims, &options, now)?;
        Ok((self.signer.complete(key, input).await?, exp))
    }

    /// The refresh token of the record's current generation. Deterministic (HMAC over
    /// claims derived from the record), so a grace-window repeat gets the same string.
    async fn refresh_token(&self, record: &SessionRecord) -> Result<String> {
        let mut claims = ClaimsSet::new();
        claims.insert("sid".into(), Value::String(record.sid.clone()));
        claims.insert("gen".into(), Value::from(record.generation));
        claims.insert(
            "jti".into(),
            Value::String(format!("{}.{}", record.sid, record.generation)),
        );
        claims.insert("iat".into(), Value::from(record.rotated_at));
        claims.insert("exp".into(), Value::from(record.refresh_expires_at));
        let options = SignOptions {
            typ: Some(REFRESH_TOKEN_TYPE.into()),
            issued_at: false,
            issuer: Some(self.config.issuer.clone()),
            audience: vec![self.config.issuer.clone()],
            subject: Some(record.sub.clone()),
            ..Default::default()
        };
        let key = &self.config.refresh_key;
        let input = signing_input(key, claims, &options, record.rotated_at)?;
        self.signer.complete(key, input).await
    }

    async fn pair(&self, record: &SessionRecord, now: i64) -> Result<TokenPair> {
        let (access_token, access_exp) = self.access_token(record, now).await?;
        Ok(TokenPair {
            access_token,
            refresh_token: self.refresh_token(record).await?,
            expires_in: access_exp - now,
            refresh_expires_in: record.refresh_expires_at - now,
            session_id: record.sid.clone(),
            subject: record.sub.clone(),
            dpop_bound: record.jkt.is_some(),
        })
    }

    fn store_expiry(&self, record: &SessionRecord) -> i64 {
        // Keep the record as long as any of its refresh tokens can still be presented, so
        // that reuse of a revoked session answers `session_revoked`.
        record
            .refresh_expires_at
            .saturating_add(self.config.policy.grace_period as i64)
    }

    /// Login: the app has checked the credentials; start a session for `sub` with custom
    /// access-token `claims` and return its first pair.
    pub async fn start_session(
        &self,
        store: &impl SessionStore,
        sub: &str,
        claims: ClaimsSet,
        now: i64,
    ) -> Result<TokenPair> {
        self.start_bound_session(store, sub, claims, None, now)
            .await
    }

    /// [`Issuer::start_session`], the session bound to the key of `proof` when given (its
    /// tokens then carry `cnf.jkt`, and only a proof by that key refreshes them).
    pub async fn start_bound_session(
        &self,
        store: &impl SessionStore,
        sub: &str,
        claims: ClaimsSet,
        proof: Option<&VerifiedProof<'_>>,
        now: i64,
    ) -> Result<TokenPair> {
        if proof.is_none() && self.dpop == DpopMode::Required {
            return Err(dpop_refused(
                "this issuer requires DPoP: the login needs a DPoP proof",
            ));
        }
        if sub.is_empty() {
            return Err(Error::new(
                ErrorCode::InvalidOptions,
                "the subject must not be empty",
            ));
        }
        if let Some(name) = RESERVED_CLAIMS
            .iter()
            .find(|name| claims.contains_key(**name))
        {
            return Err(Error::new(
                ErrorCode::InvalidOptions,
                format!("the {name:?} claim is set by the issuer"),
            ));
        }
        store.forget_expired(now);
        let mut record = self.config.policy.start(sub, &random_id()?, claims, now);
        if let Some(proof) = proof {
            record.jkt = Some(proof.jkt.to_owned());
            record.dpop_proofs = vec![(proof.jti.to_owned(), proof.usable_until)];
        }
        let value = serde_json::to_string(&record).map_err(store_corrupt)?;
        if !store
            .put(sub, &record.sid, &value, None, self.store_expiry(&record))
            .await?
        {
            return Err(Error::new(ErrorCode::StoreConflict, "session id collision"));
        }
        self.pair(&record, now).await
    }

    /// Refresh (docs/architecture.md#the-flow): checks both tokens — the access token's signature (through
    /// the signer) with its `exp` ignored (but not older than a session), the refresh token in
    /// full — and that they name the same session and subject; then rotates, repeats inside
    /// the grace window, or revokes the session on reuse.
    pub async fn refresh(
        &self,
        store: &impl SessionStore,
        access_token: &str,
        refresh_token: &str,
        now: i64,
    ) -> Result<TokenPair> {
        self.refresh_bound(store, access_token, refresh_token, None, now)
            .await
    }

    /// [`Issuer::refresh`] with the DPoP proof that came with the request, if any: a bound
    /// session refreshes only with a proof by its key, whose id it has not seen (recorded in
    /// the session with the rotation); an unbound one ignores a proof.
    pub async fn refresh_bound(
        &self,
        store: &impl SessionStore,
        access_token: &str,
        refresh_token: &str,
        proof: Option<&VerifiedProof<'_>>,
        now: i64,
    ) -> Result<TokenPair> {
        let refresh = self.verify_refresh(refresh_token, now)?;
        let access = self.verify_access_for_refresh(access_token, now).await?;
        if required_strings(&access, ["sub", "sid"])?
            != [refresh.sub.as_str(), refresh.sid.as_str()]
        {
            return Err(Error::new(
                ErrorCode::TokensMismatch,
                "the access and refresh tokens belong to different sessions",
            ));
        }
        for _ in 0..MAX_CAS_ATTEMPTS {
            let Some(stored) = store.get(&refresh.sub, &refresh.sid).await? else {
                return Err(match refresh.expired {
                    // The store drops a record once its last refresh token has expired.
                    true => Error::new(
                        ErrorCode::RefreshTokenExpired,
                        "the refresh token has expired",
                    ),
                    false => Error::new(ErrorCode::SessionRevoked, "no such session"),
                });
            };
            let record: SessionRecord =
                serde_json::from_str(&stored.value).map_err(store_corrupt)?;
            if record.sub != refresh.sub || record.sid != refresh.sid {
                return Err(store_corrupt("record does not match its key"));
            }
            if let Some(jkt) = &record.jkt {
                let proof = proof.ok_or_else(|| {
                    dpop_refused(
                        "the session is bound to a DPoP key: the refresh needs a proof by it",
                    )
                })?;
                if proof.jkt != jkt {
                    return Err(dpop_refused(
                        "the proof is by another key than the one the session is bound to",
                    ));
                }
                if record
                    .dpop_proofs
                    .iter()
                    .any(|(jti, until)| jti == proof.jti && *until >= now)
                {
                    return Err(dpop_refused(
                        "the proof was used before (its jti is replayed)",
                    ));
                }
            } else if self.dpop == DpopMode::Required {
                return Err(dpop_refused("this issuer requires DPoP-bound sessions"));
            }
            let decision = match refresh.expired {
                false => self.config.policy.decide(&record, refresh.generation, now),
                true => self
                    .config
                    .policy
                    .decide_expired(&record, refresh.generation, now),
            };
            match decision {
                Decision::Rotate(mut next) => {
                    if let (Some(proof), Some(_)) = (proof, &next.jkt) {
                        next.dpop_proofs.retain(|(_, until)| *until >= now);
                        next.dpop_proofs
                            .push((proof.jti.to_owned(), proof.usable_until));
                        let excess = next.dpop_proofs.len().saturating_sub(MAX_RECORDED_PROOFS);
                        next.dpop_proofs.drain(..excess);
                    }
                    // Sign before writing: a signing failure must not burn a generation.
                    let pair = self.pair(&next, now).await?;
                    let value = serde_json::to_string(&next).map_err(store_corrupt)?;
                    let expiry = self.store_expiry(&next);
                    if store
                        .put(&next.sub, &next.sid, &value, Some(stored.version), expiry)
                        .await?
                    {
                        return Ok(pair);
                    }
                }
                Decision::ReturnCurrent => return self.pair(&record, now).await,
                Decision::Revoke(revoked) => {
                    let value = serde_json::to_string(&revoked).map_err(store_corrupt)?;
                    let expiry = self.store_expiry(&revoked);
                    if store
                        .put(
                            &revoked.sub,
                            &revoked.sid,
                            &value,
                            Some(stored.version),
                            expiry,
                        )
                        .await?
                    {
                        return Err(Error::new(
                            ErrorCode::RefreshTokenReused,
                            "a rotated refresh token was used again: the session is revoked",
                        ));
                    }
                }
                Decision::Reject(err) => return Err(err),
            }
        }
        Err(Error::new(
            ErrorCode::StoreConflict,
            "the session kept changing during refresh; try again",
        ))
    }

    /// Revokes one session (logout). Idempotent; unknown sessions are fine.
    pub async fn revoke_session(
        &self,
        store: &impl SessionStore,
        sub: &str,
        sid: &str,
    ) -> Result<()> {
        for _ in 0..MAX_CAS_ATTEMPTS {
            let Some(stored) = store.get(sub, sid).await? else {
                return Ok(());
            };
            let mut record: SessionRecord =
                serde_json::from_str(&stored.value).map_err(store_corrupt)?;
            if record.revoked.is_some() {
                return Ok(());
            }
            record.revoked = Some("logout".into());
            let value = serde_json::to_string(&record).map_err(store_corrupt)?;
            if store
                .put(
                    sub,
                    sid,
                    &value,
                    Some(stored.version),
                    self.store_expiry(&record),
                )
                .await?
            {
                return Ok(());
            }
        }
        Err(Error::new(
            ErrorCode::StoreConflict,
            "the session kept changing during revoke",
        ))
    }

    /// Logout with a refresh token: its signature must be valid; its `exp` may have passed and
    /// it may be of any generation (it still names its session, which is revoked).
    pub async fn revoke_by_refresh_token(
        &self,
        store: &impl SessionStore,
        refresh_token: &str,
        now: i64,
    ) -> Result<()> {
        let claims = self.verify_refresh(refresh_token, now)?;
        self.revoke_session(store, &claims.sub, &claims.sid).await
    }

    /// Revokes every session of a subject ("log out everywhere"). Returns how many.
    pub async fn revoke_all(&self, store: &impl SessionStore, sub: &str) -> Result<usize> {
        let sids = store.list(sub).await?;
        for sid in &sids {
            self.revoke_session(store, sub, sid).await?;
        }
        Ok(sids.len())
    }
}

/// The `sid` and `sub` of a verified access token.
pub fn session_of(token: &VerifiedToken) -> Option<(String, String)> {
    let [sub, sid] = token.string_claims(["sub", "sid"]).ok()?;
    Some((sub?, sid?))
}
