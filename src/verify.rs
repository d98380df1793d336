//! Verification: signature first, then claims, in a fixed order.

use crate::algorithm::Algorithm;
use crate::claims::{ClaimsSet, Registered};
use crate::compact::{decode_segment, decode_text, split, DEFAULT_MAX_TOKEN_LENGTH};
use crate::error::{Error, ErrorCode, Result};
use crate::key::Key;
use crate::key_set::KeySource;
use crate::known_headers::{self, HeaderMembers};
use crate::members::{read_members, Member};
use serde_json::{Map, Value};

/// What a token must satisfy beyond its signature. Defaults: any algorithm the selected
/// key is bound to, no claim checks, no leeway, `exp` enforced, 8 KiB cap.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// Allowed algorithms; `None` means "the algorithm of the selected key" (keys are bound
    /// to one algorithm, so this is never wider than the key set).
    pub algorithms: Option<Vec<Algorithm>>,
    /// Accepted `iss` values; empty means not checked.
    pub issuer: Vec<String>,
    /// Accepted audiences: the token's `aud` must contain one; empty means not checked.
    pub audience: Vec<String>,
    /// Required `sub`.
    pub subject: Option<String>,
    /// Required header `typ`, compared as RFC 8725 says (case-insensitive,
    /// `application/` optional).
    pub typ: Option<String>,
    /// Claims that must be present.
    pub required_claims: Vec<String>,
    /// Leeway for `exp`, `nbf` and `iat`, in seconds.
    pub clock_tolerance: u64,
    /// Reject tokens whose `iat` is older than this many seconds (requires `iat`).
    pub max_token_age: Option<u64>,
    /// Reject longer tokens before decoding anything.
    pub max_token_length: usize,
    /// Skip only the `exp` check (the refresh flow verifies an expired access token).
    pub ignore_expiration: bool,
    /// Refuse a token bound to a key (a `cnf` claim, RFC 7800): set where no proof of
    /// possession is checked with the token, which a copy would otherwise pass as a bearer
    /// token (RFC 9449 §7.1).
    pub refuse_bound: bool,
    /// Refuse a token that is not bound to a key (an issuer that requires DPoP).
    pub refuse_unbound: bool,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            algorithms: None,
            issuer: Vec::new(),
            audience: Vec::new(),
            subject: None,
            typ: None,
            required_claims: Vec::new(),
            clock_tolerance: 0,
            max_token_age: None,
            max_token_length: DEFAULT_MAX_TOKEN_LENGTH,
            ignore_expiration: false,
            refuse_bound: false,
            refuse_unbound: false,
        }
    }
}

/// A token whose signature and claims passed. It keeps the header and the claims as the
/// token's own JSON text: verification reads only the registered members, and most callers
/// hand the rest on (the JS layer to `JSON.parse`) without needing a map.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedToken {
    /// The algorithm that verified it.
    pub algorithm: Algorithm,
    header_json: String,
    claims_json: String,
}

impl VerifiedToken {
    /// The header exactly as the token carries it (JSON text).
    pub fn header_json(&self) -> &str {
        &self.header_json
    }

    /// The claims exactly as the token carries them (JSON text).
    pub fn claims_json(&self) -> &str {
        &self.claims_json
    }

    /// The protected header, as sent. Fallible for the same reason as [`VerifiedToken::claims`].
    pub fn header(&self) -> Result<Map<String, Value>> {
        unrepresentable(serde_json::from_str(&self.header_json), "header")
    }

    /// The claims, as sent, as a map of [`Value`]s. Verification reads only the registered
    /// claims and checks that the rest is JSON; a member that `Value` cannot hold (a number
    /// such as `1e400`, a lone surrogate escape, nesting past 128 levels) is an error here
    /// (`malformed_token`), never a silently empty or partial map. The text itself is always
    /// available as [`VerifiedToken::claims_json`].
    pub fn claims(&self) -> Result<ClaimsSet> {
        unrepresentable(serde_json::from_str(&self.claims_json), "payload")
    }

    /// String claims by name, read from the claims text without building a map: each is
    /// `None` when absent, and a present claim that is not a string is `claim_invalid`.
    ///
    /// ```
    /// # use jwt_refresh::{sign, verify, Algorithm, Key, SignOptions, VerifyOptions};
    /// # let key = Key::generate(Algorithm::Hs256, None).unwrap();
    /// # let claims = serde_json::json!({ "sub": "alice", "sid": "s-1" });
    /// # let token = sign(&key, claims.as_object().unwrap().clone(), &SignOptions::default(), 0).unwrap();
    /// let verified = verify(&token, &key, &VerifyOptions::default(), 0).unwrap();
    /// let [sub, sid, team] = verified.string_claims(["sub", "sid", "team"]).unwrap();
    /// assert_eq!((sub.as_deref(), sid.as_deref(), team), (Some("alice"), Some("s-1"), None));
    /// ```
    pub fn string_claims<const N: usize>(&self, names: [&str; N]) -> Result<[Option<String>; N]> {
        crate::claims::string_claims(&self.claims_json, names)
    }
}

fn unrepresentable<T>(parsed: serde_json::Result<T>, what: &str) -> Result<T> {
    parsed.map_err(|err| {
        Error::new(
            ErrorCode::MalformedToken,
            format!("the {what} holds a value a JSON map cannot represent here: {err}"),
        )
    })
}

fn header_string<'h>(member: &'h Option<Member>, name: &str) -> Result<Option<&'h str>> {
    match member {
        None => Ok(None),
        Some(Member::Text(s)) => Ok(Some(s)),
        Some(_) => Err(Error::new(
            ErrorCode::MalformedToken,
            format!("header {name:?} must be a string"),
        )),
    }
}

/// RFC 8725 §3.11 / RFC 9068: media types compare case-insensitively, `application/` optional.
fn normalize_typ(typ: &str) -> String {
    let lower = typ.to_ascii_lowercase();
    match lower.strip_prefix("application/") {
        Some(rest) => rest.to_owned(),
        None => lower,
    }
}

/// What a `typ` names, for messages: the two token types of this library by name.
fn kind_of(typ: Option<&str>) -> String {
    match typ.map(normalize_typ).as_deref() {
        Some("at+jwt") => "an access token (at+jwt)".into(),
        Some("rt+jwt") => "a refresh token (rt+jwt)".into(),
        Some(other) => format!("a token of typ {other:?}"),
        None => "a token without typ".into(),
    }
}

/// The required `typ` (RFC 8725 §3.11), checked before the key lookup so that a refresh token
/// passed where an access token goes (or the reverse) says so, instead of naming a key.
fn check_typ(typ: Option<&str>, options: &VerifyOptions) -> Result<()> {
    match &options.typ {
        Some(expected) if typ.map(normalize_typ) != Some(normalize_typ(expected)) => {
            Err(Error::new(
                ErrorCode::TokenTypeMismatch,
                format!("expected {}, got {}", kind_of(Some(expected)), kind_of(typ)),
            ))
        }
        _ => Ok(()),
    }
}

/// RFC 7515 §4.1.11: every name in `crit` must be understood. We understand none.
fn check_crit(crit: &Option<Member>) -> Result<()> {
    match crit {
        None => Ok(()),
        Some(Member::Texts(names)) if !names.is_empty() => Err(Error::new(
            ErrorCode::CritUnsupported,
            format!("unsupported critical header extension(s): {names:?}"),
        )),
        Some(_) => Err(Error::new(
            ErrorCode::MalformedToken,
            "crit must be a non-empty array of strings",
        )),
    }
}

/// A token whose size, structure, header, algorithm and key have been checked, waiting for
/// its signature check. [`verify`] does that check itself; a caller that checks signatures
/// elsewhere (the host's crypto, from JS) calls [`PendingSignature::finish`] with the
/// answer. Claims are only read after that: signature first, claims second.
#[derive(Debug)]
pub struct PendingSignature<'t, 'k> {
    key: &'k Key,
    signing_input: &'t str,
    signature: Vec<u8>,
    payload: &'t str,
    header_json: String,
    algorithm: Algorithm,
}

impl<'t, 'k> PendingSignature<'t, 'k> {
    /// The key the token must be signed with.
    pub fn key(&self) -> &'k Key {
        self.key
    }

    /// The bytes the signature covers (`header.payload`).
    pub fn signing_input(&self) -> &'t [u8] {
        self.signing_input.as_bytes()
    }

    /// The decoded signature.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// Completes verification given whether the signature is valid.
    pub fn finish(
        self,
        signature_valid: bool,
        options: &VerifyOptions,
        now: i64,
    ) -> Result<VerifiedToken> {
        if !signature_valid {
            return Err(invalid_signature());
        }
        let claims_json = decode_text(self.payload, "payload")?;
        let (claims, present) = Registered::of_json(&claims_json, &options.required_claims)?;
        check_claims(&claims, &present, options, now)?;
        if options.refuse_bound || options.refuse_unbound {
            check_unproven_binding(claims.has_cnf(), options.refuse_unbound)?;
        }
        Ok(VerifiedToken {
            algorithm: self.algorithm,
            header_json: self.header_json,
            claims_json,
        })
    }
}

/// Checks everything that comes before the signature and selects the key.
pub fn begin_verify<'t, 'k>(
    token: &'t str,
    keys: &'k dyn KeySource,
    options: &VerifyOptions,
) -> Result<PendingSignature<'t, 'k>> {
    let parts = split(token, options.max_token_length)?;
    let known = known_headers::find(parts.header);
    let (text, parsed);
    let (json, members): (&str, &HeaderMembers) = match &known {
        Some(known) => (&known.json, &known.members),
        // Read here (the members borrow the text), and kept below once its checks pass.
        None => {
            text = decode_text(parts.header, "header")?;
            (parsed, _) = read_members(&text, ["alg", "kid", "typ", "crit"], &[])
                .map_err(|e| e.malformed("header"))?;
            (&text, &parsed)
        }
    };
    let (alg, key) = check_header(members, keys, options)?;
    if known.is_none() {
        known_headers::remember(parts.header, json, members);
    }
    let header_json = json.to_owned();
    let signature = decode_segment(parts.signature)?;
    if signature.len() != key.signature_len() {
        return Err(invalid_signature());
    }
    Ok(PendingSignature {
        key,
        signing_input: parts.signing_input,
        signature,
        payload: parts.payload,
        header_json,
        algorithm: alg,
    })
}

/// The header's checks, in order (`typ`, `alg` and the allow-list, `crit`), and the key it
/// selects.
fn check_header<'k>(
    [alg, kid, typ, crit]: &HeaderMembers<'_>,
    keys: &'k dyn KeySource,
    options: &VerifyOptions,
) -> Result<(Algorithm, &'k Key)> {
    check_typ(header_string(typ, "typ")?, options)?;
    let alg_name = header_string(alg, "alg")?
        .ok_or_else(|| Error::new(ErrorCode::MalformedToken, "header has no alg"))?;
    let alg = Algorithm::parse(alg_name)?;
    if let Some(allowed) = &options.algorithms {
        if !allowed.contains(&alg) {
            return Err(Error::new(
                ErrorCode::AlgNotAllowed,
                format!("{alg} is not in the allowed algorithms"),
            ));
        }
    }
    check_crit(crit)?;
    let key = keys.select(header_string(kid, "kid")?, alg)?;
    if key.alg != alg {
        return Err(Error::new(
            ErrorCode::AlgNotAllowed,
            format!("the key is bound to {}, the token says {alg}", key.alg),
        ));
    }
    Ok((alg, key))
}

/// Verifies `token` against `keys` (a [`crate::Key`] or a [`crate::KeySet`]) at time `now`
/// (Unix seconds).
///
/// Order: size and structure, header, `typ` (before the key lookup: a refresh token passed
/// for an access token says so), algorithm allow-list, `crit`, key selection, signature;
/// then `iss`, `aud`, `sub`, required claims, claim types, `nbf`,
/// maximum age, and `exp` last — so the *expired* answer is only given for a token that
/// is good in every other way.
///
/// ```
/// use jwt_refresh::{sign, verify, Algorithm, ErrorCode, Key, KeySet, SignOptions, VerifyOptions};
/// let key = Key::generate(Algorithm::Hs256, None).unwrap();
/// let opts = SignOptions { expires_in: Some(60), ..Default::default() };
/// let token = sign(&key, serde_json::Map::new(), &opts, 1000).unwrap();
/// let keys = KeySet::from(key);
/// assert!(verify(&token, &keys, &VerifyOptions::default(), 1059).is_ok());
/// let err = verify(&token, &keys, &VerifyOptions::default(), 1060).unwrap_err();
/// assert_eq!(err.code(), ErrorCode::TokenExpired);
/// ```
pub fn verify(
    token: &str,
    keys: &dyn KeySource,
    options: &VerifyOptions,
    now: i64,
) -> Result<VerifiedToken> {
    let pending = begin_verify(token, keys, options)?;
    let valid = pending
        .key
        .verify_in_process(pending.signing_input.as_bytes(), &pending.signature)?;
    pending.finish(valid, options, now)
}

/// The error of a token whose signature does not check out.
pub(crate) fn invalid_signature() -> Error {
    Error::new(ErrorCode::InvalidSignature, "signature verification failed")
}

/// The binding rule for a token that came without a proof of possession (`bound`: it has a
/// `cnf` claim): a bound token is refused, and so is an unbound one where only bound tokens
/// are accepted.
pub(crate) fn check_unproven_binding(bound: bool, refuse_unbound: bool) -> Result<()> {
    if bound {
        return Err(Error::new(
            ErrorCode::InvalidDpopProof,
            "the token is bound to a key (its cnf claim, RFC 7800): the request needs a proof \
             of possession by that key, such as a DPoP proof",
        ));
    }
    if refuse_unbound {
        return Err(Error::new(
            ErrorCode::InvalidDpopProof,
            "this issuer requires DPoP-bound tokens",
        ));
    }
    Ok(())
}

fn mismatch(message: String) -> Error {
    Error::new(ErrorCode::ClaimMismatch, message)
}

fn missing(name: &str) -> Error {
    Error::new(
        ErrorCode::ClaimMissing,
        format!("the {name:?} claim is required"),
    )
}

fn check_claims(
    claims: &Registered,
    present: &[bool],
    options: &VerifyOptions,
    now: i64,
) -> Result<()> {
    if !options.issuer.is_empty() {
        let iss = claims.iss()?.ok_or_else(|| missing("iss"))?;
        if !options.issuer.iter().any(|i| i == iss) {
            return Err(mismatch(format!("unexpected iss {iss:?}")));
        }
    }
    if !options.audience.is_empty() {
        let aud = claims.aud()?.ok_or_else(|| missing("aud"))?;
        if !aud.iter().any(|a| options.audience.iter().any(|e| e == a)) {
            return Err(mismatch(format!("unexpected aud {aud:?}")));
        }
    }
    if let Some(expected) = &options.subject {
        let sub = claims.sub()?.ok_or_else(|| missing("sub"))?;
        if sub != expected {
            return Err(mismatch(format!("unexpected sub {sub:?}")));
        }
    }
    for (name, present) in options.required_claims.iter().zip(present) {
        if !present && !claims.has(name) {
            return Err(missing(name));
        }
    }
    claims.check_types()?;

    let now = now as f64;
    let leeway = options.clock_tolerance as f64;
    if let Some(nbf) = claims.nbf()? {
        if now < nbf - leeway {
            return Err(Error::new(
                ErrorCode::TokenNotYetValid,
                "the token is not valid yet (nbf)",
            ));
        }
    }
    if let Some(max_age) = options.max_token_age {
        let iat = claims.iat()?.ok_or_else(|| missing("iat"))?;
        let age = now - iat;
        if age < -leeway {
            return Err(Error::new(ErrorCode::ClaimInvalid, "iat is in the future"));
        }
        if age - leeway > max_age as f64 {
            return Err(Error::new(
                ErrorCode::TokenTooOld,
                format!("the token is older than {max_age} s"),
            ));
        }
    }
    if !options.ignore_expiration {
        if let Some(exp) = claims.exp()? {
            if now >= exp + leeway {
                return Err(Error::new(ErrorCode::TokenExpired, "the token has expired"));
            }
        }
    }
    Ok(())
}
