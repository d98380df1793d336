//! A set of keys, selected by `kid`: key rotation and published JWKS documents.

use crate::algorithm::Algorithm;
use crate::error::{Error, ErrorCode, Result};
use crate::key::Key;
use serde_json::Value;

/// Keys by `kid`. A token names its key with the `kid` header; without a `kid`, the set
/// must hold exactly one key for the token's algorithm.
///
/// ```
/// use jwt_refresh::KeySet;
/// let jwks = serde_json::json!({"keys": [
///     {"kty": "OKP", "crv": "Ed25519", "kid": "2026-11",
///      "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
///     {"kty": "OKP", "crv": "X25519", "kid": "ecdh", "use": "enc",
///      "x": "hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo"},
/// ]});
/// let keys = KeySet::from_jwks(&jwks).unwrap();
/// assert_eq!(keys.len(), 1);
/// assert_eq!(keys.to_jwks().unwrap()["keys"][0]["kid"], "2026-11");
/// ```
#[derive(Clone, Debug, Default)]
pub struct KeySet {
    keys: Vec<Key>,
}

impl KeySet {
    /// An empty set.
    pub fn new() -> KeySet {
        KeySet::default()
    }

    /// Adds a key. Two keys with the same `kid` are refused (`invalid_key`).
    pub fn insert(&mut self, key: Key) -> Result<()> {
        if key.kid.is_some() && self.keys.iter().any(|k| k.kid == key.kid) {
            return Err(Error::new(
                ErrorCode::InvalidKey,
                format!("duplicate kid {:?}", key.kid.as_deref().unwrap_or_default()),
            ));
        }
        self.keys.push(key);
        Ok(())
    }

    /// Imports a JWKS document (`{"keys": [...]}`), as identity providers publish them.
    ///
    /// Keys that are not for JWS signatures this library verifies are skipped, as jose skips
    /// them: a `use` other than `"sig"`, `key_ops` without `"verify"` or `"sign"`, an `alg`
    /// that is no supported JWS algorithm (`RSA-OAEP`, `ES256K`), a key type or curve that
    /// signs nothing here (`X25519`, `secp256k1`). An RSA key without `alg` (Entra ID publishes
    /// them so) is bound to RS256. Every other key must import; a malformed one is refused
    /// with `invalid_key`, naming it.
    ///
    /// A JWKS is a public document, so a symmetric (`oct`) key in it is refused: whoever read
    /// the document could mint tokens with it. Add HMAC keys one by one with
    /// [`KeySet::insert`].
    pub fn from_jwks(jwks: &Value) -> Result<KeySet> {
        let keys = jwks
            .get("keys")
            .and_then(Value::as_array)
            .ok_or_else(|| Error::new(ErrorCode::InvalidKey, "a JWKS needs a \"keys\" array"))?;
        let mut set = KeySet::new();
        for (at, jwk) in keys.iter().enumerate() {
            let member = |name| jwk.get(name).and_then(Value::as_str);
            if member("kty") == Some("oct") {
                return Err(Error::new(
                    ErrorCode::InvalidKey,
                    format!(
                        "key {at} of the JWKS is a symmetric (oct) key: a JWKS is public, and \
                         anyone who read it could sign tokens; import HMAC secrets one by one"
                    ),
                ));
            }
            if !verifies_signatures(jwk) {
                continue;
            }
            let alg = match (member("kty"), member("alg")) {
                (Some("RSA"), None) => Some(Algorithm::Rs256),
                _ => None,
            };
            let key = Key::from_jwk(jwk, alg, None).map_err(|err| {
                let name = member("kid").map_or(String::new(), |kid| format!(" ({kid:?})"));
                Error::new(
                    err.code(),
                    format!("key {at} of the JWKS{name}: {}", err.message()),
                )
            })?;
            set.insert(key)?;
        }
        Ok(set)
    }

    /// The public JWKS document; HMAC keys are left out (they have no public form).
    pub fn to_jwks(&self) -> Result<Value> {
        let keys = self
            .keys
            .iter()
            .filter(|k| !k.alg.is_symmetric())
            .map(Key::to_public_jwk)
            .collect::<Result<Vec<_>>>()?;
        // Built as a map: `json!` would serialize the keys into a `Value` once more.
        let mut jwks = serde_json::Map::new();
        jwks.insert("keys".into(), Value::Array(keys));
        Ok(Value::Object(jwks))
    }

    /// Every key, in insertion order.
    pub fn keys(&self) -> &[Key] {
        &self.keys
    }

    /// The number of keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The key for a token header: by `kid` when present (a key without a declared `kid`
    /// answers to any: the only such key of `alg`), else the single key of `alg`.
    pub fn select(&self, kid: Option<&str>, alg: Algorithm) -> Result<&Key> {
        if let Some(kid) = kid {
            if let Some(key) = self.keys.iter().find(|k| k.kid.as_deref() == Some(kid)) {
                return Ok(key);
            }
        }
        let mut candidates = self
            .keys
            .iter()
            .filter(|k| k.alg == alg && (kid.is_none() || !k.kid_declared));
        match (candidates.next(), candidates.next(), kid) {
            (Some(key), None, _) => Ok(key),
            (None, _, Some(kid)) => Err(Error::new(
                ErrorCode::KeyNotFound,
                format!("no key with kid {kid:?}, and no {alg} key without a declared kid"),
            )),
            (None, _, None) => Err(Error::new(
                ErrorCode::KeyNotFound,
                format!("no key for {alg}"),
            )),
            (Some(_), Some(_), Some(kid)) => Err(Error::new(
                ErrorCode::KeyNotFound,
                format!("no key with kid {kid:?}, and several {alg} keys without a declared kid"),
            )),
            (Some(_), Some(_), None) => Err(Error::new(
                ErrorCode::KeyNotFound,
                "the token has no kid and several keys could match",
            )),
        }
    }
}

/// Whether a JWKS member could verify JWS signatures here (see [`KeySet::from_jwks`]).
fn verifies_signatures(jwk: &Value) -> bool {
    let member = |name| jwk.get(name).and_then(Value::as_str);
    let usable_use = member("use").map_or(true, |usage| usage == "sig");
    let usable_ops = jwk
        .get("key_ops")
        .and_then(Value::as_array)
        .map_or(true, |ops| {
            ops.iter()
                .any(|op| matches!(op.as_str(), Some("verify" | "sign")))
        });
    let usable_alg = jwk.get("alg").map_or(true, |alg| {
        alg.as_str()
            .is_some_and(|alg| Algorithm::parse(alg).is_ok())
    });
    let usable_type = match (member("kty"), member("crv")) {
        (Some("RSA"), _) => true,
        (Some("EC"), Some(crv)) => matches!(crv, "P-256" | "P-384" | "P-521"),
        (Some("OKP"), Some(crv)) => crv == "Ed25519",
        // A key without a type or curve is malformed: let the import say so.
        (None, _) | (Some("EC" | "OKP"), None) => true,
        _ => false,
    };
    usable_use && usable_ops && usable_alg && usable_type
}

/// Where verification finds the key for a token: one [`Key`], or a [`KeySet`].
pub trait KeySource {
    /// The key for a token with this `kid` header and algorithm.
    fn select(&self, kid: Option<&str>, alg: Algorithm) -> Result<&Key>;
}

impl KeySource for KeySet {
    fn select(&self, kid: Option<&str>, alg: Algorithm) -> Result<&Key> {
        KeySet::select(self, kid, alg)
    }
}

/// A single key ignores an absent `kid`, and a key without a declared `kid` any `kid`; a
/// token naming another `kid` than the key declares is refused.
impl KeySource for Key {
    fn select(&self, kid: Option<&str>, _alg: Algorithm) -> Result<&Key> {
        match (kid, self.kid.as_deref()) {
            (Some(wanted), Some(own)) if wanted != own && self.kid_declared => Err(Error::new(
                ErrorCode::KeyNotFound,
                format!("the token names kid {wanted:?}, the key is {own:?}"),
            )),
            _ => Ok(self),
        }
    }
}

impl From<Key> for KeySet {
    fn from(key: Key) -> KeySet {
        KeySet { keys: vec![key] }
    }
}
