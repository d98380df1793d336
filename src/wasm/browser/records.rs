//! The client core's records as JSON in the browser: read and written field by field through
//! the host's `JSON.parse`/`JSON.stringify`. Names and shapes are serde's (as natively, in
//! `src/client/json.rs`): the stored pair keeps its format, and tab messages stay externally
//! tagged (`{"tokens": {...}}`). A field of the wrong type makes the whole record unreadable,
//! as serde would.

use super::platform::object;
use crate::client::json::{Claim, ReadJson, ScheduleClaims, WriteJson};
use crate::client::proof::{ProofClaims, ProofHeader};
use crate::client::session::{LogoutBody, OAuthError, MAX_SAFE_INTEGER};
use crate::client::{TabMessage, TokenResponse, TokenSet};
use js_sys::{Array, Object, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};

/// A JSON object's members (what `JSON.parse` made: plain data, no getters).
struct Members(JsValue);

impl Members {
    fn parse(text: &str) -> Option<Members> {
        JSON::parse(text).ok().and_then(Members::of)
    }

    fn of(value: JsValue) -> Option<Members> {
        (value.is_object() && !Array::is_array(&value)).then_some(Members(value))
    }

    fn get(&self, name: &str) -> JsValue {
        Reflect::get(&self.0, &name.into()).unwrap_or(JsValue::UNDEFINED)
    }

    /// `Some(None)` when absent or null, `None` when of another type.
    fn optional<T>(&self, name: &str, read: impl Fn(&JsValue) -> Option<T>) -> Option<Option<T>> {
        let value = self.get(name);
        match value.is_undefined() || value.is_null() {
            true => Some(None),
            false => read(&value).map(Some),
        }
    }

    fn text(&self, name: &str) -> Option<String> {
        self.get(name).as_string()
    }

    fn optional_text(&self, name: &str) -> Option<Option<String>> {
        self.optional(name, JsValue::as_string)
    }

    fn optional_number(&self, name: &str) -> Option<Option<f64>> {
        self.optional(name, JsValue::as_f64)
    }

    fn integer(&self, name: &str) -> Option<i64> {
        integer(&self.get(name))
    }

    /// An integer that may be absent (then 0, serde's default).
    fn integer_or_zero(&self, name: &str) -> Option<i64> {
        self.optional(name, integer).map(Option::unwrap_or_default)
    }
}

fn integer(value: &JsValue) -> Option<i64> {
    value
        .as_f64()
        .filter(|n| n.fract() == 0.0 && n.abs() <= MAX_SAFE_INTEGER)
        .map(|n| n as i64)
}

/// A number of seconds as any server may write it, whole seconds kept (as natively).
fn seconds(value: Option<f64>) -> Option<i64> {
    value.filter(|s| s.is_finite()).map(|s| s as i64)
}

fn stringify(value: &JsValue) -> Option<String> {
    JSON::stringify(value).ok()?.as_string()
}

fn optional_text(value: &Option<String>) -> JsValue {
    value.as_deref().map_or(JsValue::UNDEFINED, JsValue::from)
}

fn token_set_value(set: &TokenSet) -> JsValue {
    object(&[
        ("accessToken", optional_text(&set.access_token)),
        ("accessIssuedAt", (set.access_issued_at as f64).into()),
        ("accessExpiresAt", (set.access_expires_at as f64).into()),
        ("refreshToken", set.refresh_token.as_str().into()),
        ("refreshExpiresAt", (set.refresh_expires_at as f64).into()),
        ("clockSkew", set.clock_skew.into()),
    ])
}

fn token_set_of(members: &Members) -> Option<TokenSet> {
    Some(TokenSet {
        access_token: members.optional_text("accessToken")?,
        access_issued_at: members.integer_or_zero("accessIssuedAt")?,
        access_expires_at: members.integer("accessExpiresAt")?,
        refresh_token: members.text("refreshToken")?,
        refresh_expires_at: members.integer("refreshExpiresAt")?,
        clock_skew: members.optional_number("clockSkew")?.unwrap_or_default(),
    })
}

impl WriteJson for TokenSet {
    fn write_json(&self) -> Option<String> {
        stringify(&token_set_value(self))
    }
}

impl ReadJson for TokenSet {
    fn read_json(text: &str) -> Option<TokenSet> {
        token_set_of(&Members::parse(text)?)
    }
}

impl WriteJson for TabMessage {
    fn write_json(&self) -> Option<String> {
        let (tag, body) = match self {
            TabMessage::Tokens { from, set } => (
                "tokens",
                object(&[
                    ("from", from.as_str().into()),
                    (
                        "set",
                        set.as_ref().map_or(JsValue::UNDEFINED, token_set_value),
                    ),
                ]),
            ),
            TabMessage::Logout { from, reason } => (
                "logout",
                object(&[
                    ("from", from.as_str().into()),
                    ("reason", reason.as_str().into()),
                ]),
            ),
            TabMessage::RequestAccess { from } => {
                ("requestAccess", object(&[("from", from.as_str().into())]))
            }
            TabMessage::Access {
                from,
                access_token,
                access_issued_at,
                access_expires_at,
                pairs_with,
            } => (
                "access",
                object(&[
                    ("from", from.as_str().into()),
                    ("accessToken", access_token.as_str().into()),
                    ("accessIssuedAt", (*access_issued_at as f64).into()),
                    ("accessExpiresAt", (*access_expires_at as f64).into()),
                    ("pairsWith", pairs_with.as_str().into()),
                ]),
            ),
        };
        stringify(&object(&[(tag, body)]))
    }
}

impl ReadJson for TabMessage {
    fn read_json(text: &str) -> Option<TabMessage> {
        let message = Members::parse(text)?;
        let keys = Object::keys(message.0.unchecked_ref::<Object>());
        let tag = (keys.length() == 1)
            .then(|| keys.get(0).as_string())
            .flatten()?;
        let body = Members::of(message.get(&tag))?;
        let from = body.text("from")?;
        Some(match tag.as_str() {
            "tokens" => TabMessage::Tokens {
                from,
                set: match body.get("set") {
                    set if set.is_undefined() || set.is_null() => None,
                    set => Some(token_set_of(&Members::of(set)?)?),
                },
            },
            "logout" => TabMessage::Logout {
                from,
                reason: body.text("reason")?,
            },
            "requestAccess" => TabMessage::RequestAccess { from },
            "access" => TabMessage::Access {
                from,
                access_token: body.text("accessToken")?,
                access_issued_at: body.integer("accessIssuedAt")?,
                access_expires_at: body.integer("accessExpiresAt")?,
                pairs_with: body.text("pairsWith")?,
            },
            _ => return None,
        })
    }
}

impl ReadJson for TokenResponse {
    fn read_json(text: &str) -> Option<TokenResponse> {
        let members = Members::parse(text)?;
        Some(TokenResponse {
            access_token: members.text("access_token")?,
            refresh_token: members.optional_text("refresh_token")?.unwrap_or_default(),
            expires_in: seconds(members.optional_number("expires_in")?),
            refresh_expires_in: seconds(members.optional_number("refresh_expires_in")?),
            token_type: members.optional_text("token_type")?,
        })
    }
}

impl ReadJson for OAuthError {
    fn read_json(text: &str) -> Option<OAuthError> {
        let members = Members::parse(text)?;
        Some(OAuthError {
            error: members.text("error")?,
            error_description: members.optional_text("error_description")?,
        })
    }
}

impl WriteJson for LogoutBody<'_> {
    fn write_json(&self) -> Option<String> {
        stringify(&object(&[("refresh_token", self.refresh_token.into())]))
    }
}

impl WriteJson for ProofHeader<'_> {
    fn write_json(&self) -> Option<String> {
        let jwk = object(&[
            ("kty", self.jwk.kty.as_str().into()),
            ("crv", self.jwk.crv.as_str().into()),
            ("x", self.jwk.x.as_str().into()),
            ("y", optional_text(&self.jwk.y)),
        ]);
        stringify(&object(&[
            ("typ", self.typ.into()),
            ("alg", self.alg.into()),
            ("jwk", jwk),
        ]))
    }
}

impl WriteJson for ProofClaims<'_> {
    fn write_json(&self) -> Option<String> {
        stringify(&object(&[
            ("jti", self.jti.into()),
            ("htm", self.htm.into()),
            ("htu", self.htu.into()),
            ("iat", (self.iat as f64).into()),
            ("ath", optional_text(&self.ath)),
            (
                "nonce",
                self.nonce.map_or(JsValue::UNDEFINED, JsValue::from),
            ),
        ]))
    }
}

impl ReadJson for ScheduleClaims {
    fn read_json(text: &str) -> Option<ScheduleClaims> {
        let members = Members::parse(text)?;
        let claim = |name: &str| {
            let value = members.get(name);
            match (value.as_f64(), value.as_string()) {
                (Some(number), _) => Claim::Number(number),
                (_, Some(text)) => Claim::Text(text),
                _ => Claim::Other,
            }
        };
        Some(ScheduleClaims {
            exp: claim("exp"),
            iat: claim("iat"),
            sub: claim("sub"),
        })
    }
}
