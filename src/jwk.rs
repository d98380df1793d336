//! JWK (RFC 7517) import and export for [`Key`], and RFC 7638 thumbprints for default `kid`s.

use crate::algorithm::Algorithm;
use crate::asymmetric::Asymmetric;
use crate::error::{Error, ErrorCode, Result};
use crate::key::{Key, Material};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use base64ct::{Base64UrlUnpadded, Encoding};
use jwt_compact::jwk::JsonWebKey;
use serde_json::{Map, Value};
use zeroize::Zeroizing;

pub(crate) fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidKey, message)
}

pub(crate) fn string_member<'a>(
    jwk: &'a Map<String, Value>,
    name: &str,
) -> Result<Option<&'a str>> {
    match jwk.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(invalid(format!("JWK member {name:?} must be a string"))),
    }
}

impl Key {
    /// Imports a JWK. The algorithm is `alg` if given, else the JWK's `alg`, else implied by
    /// the curve (`Ed25519` → EdDSA, `P-256`/`P-384`/`P-521` → ES256/ES384/ES512); `oct` and
    /// `RSA` keys must name it. Asymmetric keys are checked for shape here (curve, lengths,
    /// RSA modulus of 2048 to 16384 bits, Ed25519 weak points); the host's crypto checks the
    /// rest when it first uses the key.
    /// The `kid` is `kid` if given, else the JWK's `kid`, else (asymmetric keys) the RFC 7638
    /// thumbprint.
    ///
    /// ```
    /// use jwt_refresh::Key;
    /// let jwk = serde_json::json!({"kty": "oct", "alg": "HS256",
    ///     "k": "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"});
    /// let key = Key::from_jwk(&jwk, None, None).unwrap();
    /// assert_eq!(key.algorithm().name(), "HS256");
    /// ```
    pub fn from_jwk(jwk: &Value, alg: Option<Algorithm>, kid: Option<String>) -> Result<Key> {
        let members = jwk
            .as_object()
            .ok_or_else(|| invalid("a JWK must be a JSON object"))?;
        // (RFC 9864's fully specified `Ed25519`, which WebCrypto exports Ed25519 keys with, is
        // EdDSA.)
        let declared = string_member(members, "alg")?
            .map(Algorithm::parse)
            .transpose()
            .map_err(|err| invalid(err.message()))?;
        let alg = match (alg, declared) {
            (Some(a), Some(d)) if a != d => {
                return Err(invalid(format!(
                    "JWK is bound to {d}, but {a} was requested"
                )))
            }
            (Some(a), _) | (None, Some(a)) => Some(a),
            (None, None) => None,
        };
        if let Some(usage) = string_member(members, "use")? {
            if usage != "sig" {
                return Err(invalid(format!("JWK use {usage:?} is not \"sig\"")));
            }
        }
        let verify_only = !key_ops_allow_signing(members)?;
        let kid = match kid {
            Some(kid) => Some(kid),
            None => string_member(members, "kid")?.map(str::to_owned),
        };
        let kty = string_member(members, "kty")?.ok_or_else(|| invalid("a JWK needs kty"))?;
        let key = match kty {
            "oct" => {
                let alg = alg
                    .filter(|a| a.is_symmetric())
                    .ok_or_else(|| invalid("an oct JWK needs alg HS256, HS384 or HS512"))?;
                Key::hmac(alg, &required_bytes(members, "k")?, kid)?
            }
            _ => {
                let (alg, key) = Asymmetric::from_jwk(kty, members, alg)?;
                Key {
                    alg,
                    kid_declared: kid.is_some(),
                    kid,
                    material: Material::Asymmetric(Box::new(key)),
                    verify_only: false,
                }
            }
        };
        let key = Key { verify_only, ..key };
        if key.kid.is_none() && !key.alg.is_symmetric() {
            let kid = Some(key.thumbprint()?);
            return Ok(Key {
                kid,
                kid_declared: false,
                ..key
            });
        }
        Ok(key)
    }

    /// The public JWK (with `kid`, `alg`, `use: "sig"`), safe to publish.
    /// HMAC keys have no public form: `invalid_key`.
    pub fn to_public_jwk(&self) -> Result<Value> {
        let jwk = self.public_parts()?;
        Ok(self.decorate(&jwk))
    }

    /// The full JWK including private material, for persisting a generated key.
    /// Verify-only keys return their public JWK. The secret members (`k`, `d`) are encoded
    /// straight into the returned value's strings, with no other copy made on the way, so that a
    /// caller can overwrite them once done (the JS API does).
    pub fn to_private_jwk(&self) -> Result<Value> {
        let secret = |bytes: &[u8]| Value::String(Base64UrlUnpadded::encode_string(bytes));
        let (mut jwk, name, value) = match &self.material {
            Material::Hs256(key, _) => (oct_jwk(), "k", secret(key.as_ref())),
            Material::Hs384(key, _) => (oct_jwk(), "k", secret(key.as_ref())),
            Material::Hs512(key, _) => (oct_jwk(), "k", secret(key.as_ref())),
            Material::Asymmetric(key) if self.can_sign() => {
                return Ok(self.decorate_value(Value::Object(jwk_members(&key.jwk, true))));
            }
            Material::Asymmetric(_) => return self.to_public_jwk(),
        };
        if let Value::Object(members) = &mut jwk {
            members.insert(name.into(), value);
        }
        Ok(self.decorate_value(jwk))
    }

    /// RFC 7638 SHA-256 thumbprint of the public key, base64url. `invalid_key` for HMAC.
    pub fn thumbprint(&self) -> Result<String> {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(thumbprint_input(&self.public_parts()?));
        Ok(Base64UrlUnpadded::encode_string(&digest))
    }

    fn public_parts(&self) -> Result<JsonWebKey<'_>> {
        match &self.material {
            Material::Asymmetric(key) => Ok(key.jwk.to_verifying_key()),
            _ => Err(invalid(
                "an HMAC key is a shared secret and has no public JWK",
            )),
        }
    }

    fn decorate(&self, jwk: &JsonWebKey<'_>) -> Value {
        self.decorate_value(Value::Object(jwk_members(jwk, false)))
    }

    /// `kid`, `alg` and `use` added to a JWK object.
    fn decorate_value(&self, mut value: Value) -> Value {
        if let Value::Object(members) = &mut value {
            if let Some(kid) = &self.kid {
                members.insert("kid".into(), Value::String(kid.clone()));
            }
            members.insert("alg".into(), Value::String(self.alg.name().into()));
            members.insert("use".into(), Value::String("sig".into()));
            if self.verify_only {
                let ops = vec![Value::String("verify".into())];
                members.insert("key_ops".into(), Value::Array(ops));
            }
        }
        value
    }
}

/// What RFC 7638 hashes: the key's required public members in lexicographic order, without
/// whitespace (§3.2; the OKP members are RFC 8037 §2's). The public members are exactly those,
/// and serde_json's map keeps its keys sorted: written from it, where jwt-compact's
/// `thumbprint` serialized the JWK into a `Value` and sorted its members, which linked a sort
/// into the wasm.
fn thumbprint_input(jwk: &JsonWebKey<'_>) -> String {
    serde_json::to_string(&jwk_members(jwk, false)).unwrap_or_default()
}

/// An asymmetric key's JWK members (RFC 7518 §6, RFC 8037 §2): the public ones, and with
/// `private` the secret ones too, each encoded straight into its string. Built as a map:
/// jwt-compact's serde serialization into a `Value` was the last user of serde_json's `Value`
/// serializer.
fn jwk_members(jwk: &JsonWebKey<'_>, private: bool) -> Map<String, Value> {
    fn put(members: &mut Map<String, Value>, name: &str, bytes: &[u8]) {
        let text = Base64UrlUnpadded::encode_string(bytes);
        members.insert(name.into(), Value::String(text));
    }
    fn text(members: &mut Map<String, Value>, name: &str, value: &str) {
        members.insert(name.into(), Value::String(value.into()));
    }
    let mut members = Map::new();
    match jwk {
        JsonWebKey::Rsa {
            modulus,
            public_exponent,
            private_parts,
        } => {
            text(&mut members, "kty", "RSA");
            put(&mut members, "n", modulus);
            put(&mut members, "e", public_exponent);
            if let Some(parts) = private_parts.as_ref().filter(|_| private) {
                put(&mut members, "d", &parts.private_exponent);
                put(&mut members, "p", &parts.prime_factor_p);
                put(&mut members, "q", &parts.prime_factor_q);
                for (name, value) in [
                    ("dp", &parts.p_crt_exponent),
                    ("dq", &parts.q_crt_exponent),
                    ("qi", &parts.q_crt_coefficient),
                ] {
                    if let Some(value) = value {
                        put(&mut members, name, value);
                    }
                }
            }
        }
        JsonWebKey::EllipticCurve {
            curve,
            x,
            y,
            secret,
        } => {
            text(&mut members, "kty", "EC");
            text(&mut members, "crv", curve);
            put(&mut members, "x", x);
            put(&mut members, "y", y);
            if let Some(secret) = secret.as_ref().filter(|_| private) {
                put(&mut members, "d", secret);
            }
        }
        JsonWebKey::KeyPair { curve, x, secret } => {
            text(&mut members, "kty", "OKP");
            text(&mut members, "crv", curve);
            put(&mut members, "x", x);
            if let Some(secret) = secret.as_ref().filter(|_| private) {
                put(&mut members, "d", secret);
            }
        }
        // HMAC keys are written apart (`oct_jwk`); no other kind is made here.
        _ => {}
    }
    members
}

/// RFC 7517 §4.3 `key_ops`, when present: it must allow signing or verifying (the only
/// operations of a JWS key), and a key whose operations leave out `"sign"` is verify-only.
/// `["sign"]` alone is what WebCrypto exports for a private key; such a key still verifies
/// its own tokens.
fn key_ops_allow_signing(jwk: &Map<String, Value>) -> Result<bool> {
    let Some(ops) = jwk.get("key_ops") else {
        return Ok(true);
    };
    let ops = ops
        .as_array()
        .and_then(|ops| ops.iter().map(Value::as_str).collect::<Option<Vec<_>>>())
        .ok_or_else(|| invalid("JWK member \"key_ops\" must be an array of strings"))?;
    let sign = ops.contains(&"sign");
    if !sign && !ops.contains(&"verify") {
        return Err(invalid(format!(
            "JWK key_ops {ops:?} allow neither \"sign\" nor \"verify\""
        )));
    }
    Ok(sign)
}

/// An `oct` JWK without its `k`.
fn oct_jwk() -> Value {
    let mut members = Map::new();
    members.insert("kty".into(), Value::String("oct".into()));
    Value::Object(members)
}

/// A base64url member, decoded (the members of RFC 7518 keys are unpadded base64url). The
/// bytes are overwritten when dropped: `k` and `d` are secrets.
pub(crate) fn bytes_member(
    jwk: &Map<String, Value>,
    name: &str,
) -> Result<Option<Zeroizing<Vec<u8>>>> {
    string_member(jwk, name)?
        .map(|text| {
            URL_SAFE_NO_PAD
                .decode(text)
                .map(Zeroizing::new)
                .map_err(|_| invalid(format!("JWK member {name:?} is not base64url")))
        })
        .transpose()
}

pub(crate) fn required_bytes(jwk: &Map<String, Value>, name: &str) -> Result<Zeroizing<Vec<u8>>> {
    bytes_member(jwk, name)?.ok_or_else(|| invalid(format!("the JWK has no {name:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jwt_compact::alg::SecretBytes;
    use std::borrow::Cow;

    /// The input written out per key type is the text jwt-compact hashes (its JWK serialized
    /// with the members sorted), for every public key shape.
    #[test]
    fn the_thumbprint_input_is_jwt_compacts() {
        let bytes = |len: usize, seed: u8| -> Cow<'static, [u8]> {
            Cow::Owned(
                (0..len)
                    .map(|i| seed.wrapping_mul(31).wrapping_add(i as u8))
                    .collect(),
            )
        };
        let keys = [
            JsonWebKey::Rsa {
                modulus: bytes(256, 1),
                public_exponent: Cow::Owned(vec![1, 0, 1]),
                private_parts: None,
            },
            JsonWebKey::EllipticCurve {
                curve: "P-256".into(),
                x: bytes(32, 2),
                y: bytes(32, 3),
                secret: None,
            },
            JsonWebKey::EllipticCurve {
                curve: "P-384".into(),
                x: bytes(48, 4),
                y: bytes(48, 5),
                secret: None,
            },
            JsonWebKey::EllipticCurve {
                curve: "P-521".into(),
                x: bytes(66, 6),
                y: bytes(66, 7),
                secret: None,
            },
            JsonWebKey::KeyPair {
                curve: "Ed25519".into(),
                x: bytes(32, 8),
                secret: None,
            },
        ];
        for jwk in keys {
            assert_eq!(thumbprint_input(&jwk), jwk.to_string());
        }
    }

    /// The members built per key type are what jwt-compact's serde serialization writes,
    /// public and private, for every key shape the crate makes (multi-prime RSA is refused
    /// at import).
    #[test]
    fn jwk_members_are_jwt_compacts() {
        let secret = |len: usize, seed: u8| SecretBytes::owned(vec![seed; len]);
        let rsa = |crt: bool| JsonWebKey::Rsa {
            modulus: Cow::Owned(vec![0xc5; 256]),
            public_exponent: Cow::Owned(vec![1, 0, 1]),
            private_parts: Some(jwt_compact::jwk::RsaPrivateParts {
                private_exponent: secret(256, 2),
                prime_factor_p: secret(128, 3),
                prime_factor_q: secret(128, 4),
                p_crt_exponent: crt.then(|| secret(128, 5)),
                q_crt_exponent: crt.then(|| secret(128, 6)),
                q_crt_coefficient: crt.then(|| secret(128, 7)),
                other_prime_factors: Vec::new(),
            }),
        };
        let keys = [
            rsa(true),
            rsa(false),
            JsonWebKey::EllipticCurve {
                curve: "P-384".into(),
                x: Cow::Owned(vec![8; 48]),
                y: Cow::Owned(vec![9; 48]),
                secret: Some(secret(48, 10)),
            },
            JsonWebKey::KeyPair {
                curve: "Ed25519".into(),
                x: Cow::Owned(vec![11; 32]),
                secret: Some(secret(32, 12)),
            },
        ];
        let serialized = |jwk: &JsonWebKey| match serde_json::to_value(jwk) {
            Ok(Value::Object(members)) => members,
            other => panic!("a JWK serializes to an object, not {other:?}"),
        };
        for jwk in keys {
            assert_eq!(jwk_members(&jwk, true), serialized(&jwk));
            assert_eq!(
                jwk_members(&jwk, false),
                serialized(&jwk.to_verifying_key())
            );
        }
    }
}
