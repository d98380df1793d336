//! The options of sign and verify (jose's names) → core options, and `currentDate` → Unix
//! seconds.

use super::error::{invalid_options, JsResult};
use super::options::{only_known, JsDuration};
use crate::{seconds_from_f64, Algorithm, SignOptions, VerifyOptions};
use serde::de::IgnoredAny;
use serde::Deserialize;
use wasm_bindgen::prelude::*;

/// A string or an array of strings (`issuer`, `audience`).
pub(crate) enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

// Written out rather than `#[serde(untagged)]`, whose buffering machinery costs several KB
// of wasm per type and gives vaguer errors.
impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string or an array of strings")
            }
            fn visit_str<E: serde::de::Error>(self, one: &str) -> Result<OneOrMany, E> {
                Ok(OneOrMany::One(one.to_owned()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<OneOrMany, A::Error> {
                let mut many = Vec::new();
                while let Some(one) = seq.next_element()? {
                    many.push(one);
                }
                Ok(OneOrMany::Many(many))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

impl OneOrMany {
    pub(crate) fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(one) => vec![one],
            OneOrMany::Many(many) => many,
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct JsVerifyOptions {
    algorithms: Option<Vec<String>>,
    issuer: Option<OneOrMany>,
    audience: Option<OneOrMany>,
    subject: Option<String>,
    typ: Option<String>,
    #[serde(default)]
    required_claims: Vec<String>,
    clock_tolerance: Option<JsDuration>,
    max_token_age: Option<JsDuration>,
    max_token_length: Option<f64>,
    #[serde(default)]
    ignore_expiration: bool,
    // Read separately as a Date (see `now_from`).
    #[allow(dead_code)]
    current_date: Option<IgnoredAny>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct JsSignOptions {
    typ: Option<String>,
    expires_in: Option<JsDuration>,
    not_before: Option<JsDuration>,
    issued_at: Option<bool>,
    jti: Option<bool>,
    issuer: Option<String>,
    audience: Option<OneOrMany>,
    subject: Option<String>,
    #[allow(dead_code)]
    current_date: Option<IgnoredAny>,
}

const VERIFY_OPTION_NAMES: &[&str] = &[
    "algorithms",
    "issuer",
    "audience",
    "subject",
    "typ",
    "requiredClaims",
    "clockTolerance",
    "maxTokenAge",
    "maxTokenLength",
    "ignoreExpiration",
    "currentDate",
];

const SIGN_OPTION_NAMES: &[&str] = &[
    "typ",
    "expiresIn",
    "notBefore",
    "issuedAt",
    "jti",
    "issuer",
    "audience",
    "subject",
    "currentDate",
];

fn parse<T: for<'de> Deserialize<'de> + Default>(
    options: &JsValue,
    known: &[&str],
    what: &str,
) -> JsResult<T> {
    if options.is_undefined() || options.is_null() {
        return Ok(T::default());
    }
    // One JSON text for the whole object; `currentDate` (a Date) is read apart by `now_from`.
    let members = super::convert::object_from_js(options.clone(), what)?;
    only_known(members.keys(), known, what)?;
    serde_json::from_value(serde_json::Value::Object(members))
        .map_err(|err| invalid_options(format!("invalid {what}: {err}")))
}

/// `options.currentDate` (a `Date`) or the runtime clock, in whole Unix seconds.
pub(crate) fn now_from(options: &JsValue) -> JsResult<i64> {
    let millis = if options.is_object() {
        let date = js_sys::Reflect::get(options, &"currentDate".into())?;
        if date.is_undefined() {
            js_sys::Date::now()
        } else {
            let date = date
                .dyn_into::<js_sys::Date>()
                .map_err(|_| invalid_options("currentDate must be a Date"))?;
            date.get_time()
        }
    } else {
        js_sys::Date::now()
    };
    if !millis.is_finite() {
        return Err(invalid_options("currentDate is an invalid Date"));
    }
    Ok((millis / 1000.0).floor() as i64)
}

pub(crate) fn verify_options(options: &JsValue) -> JsResult<VerifyOptions> {
    let js: JsVerifyOptions = parse(options, VERIFY_OPTION_NAMES, "verify options")?;
    let algorithms = js
        .algorithms
        .map(|names| {
            names
                .iter()
                .map(|n| Algorithm::parse(n))
                .collect::<crate::Result<Vec<_>>>()
        })
        .transpose()
        .map_err(super::error::to_js)?;
    let max_token_length = match js.max_token_length {
        None => crate::DEFAULT_MAX_TOKEN_LENGTH,
        Some(n) => seconds_from_f64(n)
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| invalid_options("maxTokenLength must be a non-negative integer"))?,
    };
    Ok(VerifyOptions {
        algorithms,
        issuer: js.issuer.map(OneOrMany::into_vec).unwrap_or_default(),
        audience: js.audience.map(OneOrMany::into_vec).unwrap_or_default(),
        subject: js.subject,
        typ: js.typ,
        required_claims: js.required_claims,
        clock_tolerance: js
            .clock_tolerance
            .map(|d| d.seconds("clockTolerance"))
            .transpose()?
            .unwrap_or(0),
        max_token_age: js
            .max_token_age
            .map(|d| d.seconds("maxTokenAge"))
            .transpose()?,
        max_token_length,
        ignore_expiration: js.ignore_expiration,
    })
}

pub(crate) fn sign_options(options: &JsValue) -> JsResult<SignOptions> {
    let js: JsSignOptions = parse(options, SIGN_OPTION_NAMES, "sign options")?;
    Ok(SignOptions {
        typ: js.typ,
        expires_in: js.expires_in.map(|d| d.seconds("expiresIn")).transpose()?,
        not_before_in: js.not_before.map(|d| d.seconds("notBefore")).transpose()?,
        issued_at: js.issued_at.unwrap_or(true),
        random_jti: js.jti.unwrap_or(false),
        issuer: js.issuer,
        audience: js.audience.map(OneOrMany::into_vec).unwrap_or_default(),
        subject: js.subject,
    })
}
