//! JWK (RFC 7517) import and export for [`Key`], and RFC 7638 thumbprints for default `kid`s.

use crate::algorithm::Algorithm;
use crate::error::{Error, ErrorCode, Result};
use crate::key::{Key, Material};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use base64ct::{Base64UrlUnpadded, Encoding};
use jwt_compact::jwk::JsonWebKey;
use serde_json::{Map, Value};
use zeroize::Zeroizing;

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidKey, message)
}

fn string_member<'a>(jwk: &'a Map<String, Value>, name: &str) -> Result<Option<&'a str>> {
    match jwk.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(invalid(format!("JWK member {name:?} must be a string"))),
    }
}

impl Key {
    /// Imports a JWK. The algorithm is `alg` if given, else the JWK's `alg`, else implied by
    /// the curve (`Ed25519` → EdDSA, `P-256` → ES256); `oct` and `RSA` keys must name it.
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
            #[cfg(feature = "eddsa")]
            "OKP" => {
                expect_alg(alg, Algorithm::EdDsa)?;
                ed25519_from_jwk(members, kid)?
            }
            #[cfg(feature = "es256")]
            "EC" => {
                expect_alg(alg, Algorithm::Es256)?;
                p256_from_jwk(members, kid)?
            }
            #[cfg(feature = "rsa")]
            "RSA" => rsa_from_jwk(members, alg, kid)?,
            other => {
                return Err(invalid(format!(
                    "key type {other:?} is not supported by this build"
                )))
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
            #[cfg(feature = "eddsa")]
            Material::Ed25519 {
                secret: Some(key), ..
            } => {
                // RFC 8037 §2: `d` is the 32-byte seed.
                let seed = Zeroizing::new(*key.seed());
                (self.public_value()?, "d", secret(&*seed))
            }
            #[cfg(feature = "es256")]
            Material::Es256 {
                secret: Some(key), ..
            } => {
                let scalar = Zeroizing::new(key.to_bytes());
                (self.public_value()?, "d", secret(&scalar))
            }
            #[allow(unreachable_patterns)]
            _ => return self.to_public_jwk(),
        };
        if let Value::Object(members) = &mut jwk {
            members.insert(name.into(), value);
        }
        Ok(self.decorate_value(jwk))
    }

    /// RFC 7638 SHA-256 thumbprint of the public key, base64url. `invalid_key` for HMAC.
    pub fn thumbprint(&self) -> Result<String> {
        let digest = self.public_parts()?.thumbprint::<sha2::Sha256>();
        Ok(Base64UrlUnpadded::encode_string(&digest))
    }

    fn public_parts(&self) -> Result<JsonWebKey<'_>> {
        match &self.material {
            Material::Hs256(..) | Material::Hs384(..) | Material::Hs512(..) => Err(invalid(
                "an HMAC key is a shared secret and has no public JWK",
            )),
            #[cfg(feature = "eddsa")]
            Material::Ed25519 { public, .. } => Ok(public.into()),
            #[cfg(feature = "es256")]
            Material::Es256 { public, .. } => Ok(public.into()),
            #[cfg(feature = "rsa")]
            Material::Rsa { public, .. } => Ok(public.into()),
        }
    }

    fn decorate(&self, jwk: &JsonWebKey<'_>) -> Value {
        // JsonWebKey always serializes to an object.
        self.decorate_value(serde_json::to_value(jwk).unwrap_or(Value::Null))
    }

    /// The public members as a JSON object, not yet decorated.
    #[cfg(any(feature = "eddsa", feature = "es256"))]
    fn public_value(&self) -> Result<Value> {
        Ok(serde_json::to_value(self.public_parts()?).unwrap_or(Value::Null))
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
                members.insert("key_ops".into(), serde_json::json!(["verify"]));
            }
        }
        value
    }
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
fn bytes_member(jwk: &Map<String, Value>, name: &str) -> Result<Option<Zeroizing<Vec<u8>>>> {
    string_member(jwk, name)?
        .map(|text| {
            URL_SAFE_NO_PAD
                .decode(text)
                .map(Zeroizing::new)
                .map_err(|_| invalid(format!("JWK member {name:?} is not base64url")))
        })
        .transpose()
}

fn required_bytes(jwk: &Map<String, Value>, name: &str) -> Result<Zeroizing<Vec<u8>>> {
    bytes_member(jwk, name)?.ok_or_else(|| invalid(format!("the JWK has no {name:?}")))
}

#[cfg_attr(not(any(feature = "eddsa", feature = "es256")), allow(dead_code))]
fn expect_curve(jwk: &Map<String, Value>, curve: &str) -> Result<()> {
    match string_member(jwk, "crv")? {
        Some(crv) if crv == curve => Ok(()),
        other => Err(invalid(format!(
            "curve {other:?} is not supported here (expected {curve:?})"
        ))),
    }
}

/// RFC 8037: `x` is the public key; `d`, if present, the seed, which must derive `x`.
#[cfg(feature = "eddsa")]
fn ed25519_from_jwk(jwk: &Map<String, Value>, kid: Option<String>) -> Result<Key> {
    use ed25519_compact::{KeyPair, PublicKey, Seed};
    expect_curve(jwk, "Ed25519")?;
    let public = PublicKey::from_slice(&required_bytes(jwk, "x")?)
        .map_err(|_| invalid("x is not an Ed25519 public key"))?;
    // A small-order point (the identity among them) or a non-canonical encoding: some hosts
    // accept forgeries under such a key (R = identity, S = 0), so it is refused everywhere.
    public.validate().map_err(|err| match err {
        ed25519_compact::Error::WeakPublicKey => {
            invalid("x is a small-order Ed25519 point (a weak key that admits forgeries)")
        }
        _ => invalid("x is not the canonical encoding of an Ed25519 point"),
    })?;
    let secret = match bytes_member(jwk, "d")? {
        None => None,
        Some(d) => {
            // try_from_seed: from_seed panics on an all-zero seed.
            let pair = Seed::from_slice(&d)
                .and_then(KeyPair::try_from_seed)
                .map_err(|_| invalid("d is not an Ed25519 seed"))?;
            if pair.pk != public {
                return Err(invalid("d does not match x"));
            }
            Some(pair.sk)
        }
    };
    Ok(Key {
        alg: Algorithm::EdDsa,
        kid_declared: kid.is_some(),
        kid,
        material: Material::Ed25519 { public, secret },
        verify_only: false,
    })
}

/// RFC 7518 §6.2: `x`, `y` the public point (checked to be on the curve); `d`, if present,
/// the private scalar, which must match the point.
#[cfg(feature = "es256")]
fn p256_from_jwk(jwk: &Map<String, Value>, kid: Option<String>) -> Result<Key> {
    use p256::ecdsa::{SigningKey, VerifyingKey};
    expect_curve(jwk, "P-256")?;
    let field = |name: &str, bytes: &[u8]| -> Result<Zeroizing<p256::FieldBytes>> {
        <[u8; 32]>::try_from(bytes)
            .map(|bytes| Zeroizing::new(bytes.into()))
            .map_err(|_| invalid(format!("{name} must be 32 bytes")))
    };
    let x = field("x", &required_bytes(jwk, "x")?)?;
    let y = field("y", &required_bytes(jwk, "y")?)?;
    let point = p256::EncodedPoint::from_affine_coordinates(&x, &y, false);
    let public = VerifyingKey::from_encoded_point(&point)
        .map_err(|_| invalid("x, y is not a P-256 point"))?;
    let secret = match bytes_member(jwk, "d")? {
        None => None,
        Some(d) => {
            let secret = SigningKey::from_bytes(&*field("d", &d)?)
                .map_err(|_| invalid("d is not a P-256 private key"))?;
            if *secret.verifying_key() != public {
                return Err(invalid("d does not match x, y"));
            }
            Some(secret)
        }
    };
    Ok(Key {
        alg: Algorithm::Es256,
        kid_declared: kid.is_some(),
        kid,
        material: Material::Es256 { public, secret },
        verify_only: false,
    })
}

/// RFC 7518 §6.3: public `n` and `e`; at least 2048 bits. The algorithm must be named.
#[cfg(feature = "rsa")]
fn rsa_from_jwk(
    jwk: &Map<String, Value>,
    alg: Option<Algorithm>,
    kid: Option<String>,
) -> Result<Key> {
    use rsa::traits::PublicKeyParts;
    use rsa::BigUint;
    let alg = alg
        .filter(|a| matches!(a, Algorithm::Rs256 | Algorithm::Ps256))
        .ok_or_else(|| invalid("an RSA JWK needs alg RS256 or PS256"))?;
    let n = BigUint::from_bytes_be(&required_bytes(jwk, "n")?);
    let e = BigUint::from_bytes_be(&required_bytes(jwk, "e")?);
    let public = rsa::RsaPublicKey::new(n, e).map_err(|err| invalid(err.to_string()))?;
    if public.n().bits() < 2048 {
        return Err(invalid("RSA keys must be at least 2048 bits"));
    }
    let rsa_alg = if alg == Algorithm::Rs256 {
        jwt_compact::alg::Rsa::rs256()
    } else {
        jwt_compact::alg::Rsa::ps256()
    };
    Ok(Key {
        alg,
        kid_declared: kid.is_some(),
        kid,
        material: Material::Rsa {
            alg: rsa_alg,
            public,
        },
        verify_only: false,
    })
}

// Unused only in builds with neither EdDSA nor ES256.
#[cfg_attr(not(any(feature = "eddsa", feature = "es256")), allow(dead_code))]
fn expect_alg(requested: Option<Algorithm>, implied: Algorithm) -> Result<()> {
    match requested {
        Some(alg) if alg != implied => Err(invalid(format!(
            "this key type is bound to {implied}, not {alg}"
        ))),
        _ => Ok(()),
    }
}
