//! The options of sign and verify (jose's names) → core options, and `currentDate` → Unix
//! seconds.

use super::error::{invalid_options, JsResult};
use super::options::{js_options, JsOptions};
use crate::{Algorithm, SignOptions, VerifyOptions};
use wasm_bindgen::prelude::*;

js_options! {
    /// Options for `verify` (names as in jose's `jwtVerify`).
    const VERIFY_OPTION_NAMES, VERIFY_OPTIONS_TYPESCRIPT = interface "VerifyOptions" extends "ClockOptions" {
        /// Allowed algorithms (default: the selected key's own algorithm).
        algorithms "?: Algorithm[]",
        /// The `iss` required: one issuer or any of several.
        issuer "?: string | string[]",
        /// An `aud` required: one audience or any of several.
        audience "?: string | string[]",
        /// The `sub` required.
        subject "?: string",
        /// Required header `typ` (case-insensitive, "application/" optional).
        typ "?: string",
        /// Claims that must be present.
        requiredClaims "?: string[]",
        /// Leeway for exp/nbf/iat.
        clockTolerance "?: Duration",
        /// Maximum age from `iat` (requires `iat`).
        maxTokenAge "?: Duration",
        /// Refuse longer tokens before decoding (default 8192).
        maxTokenLength "?: number",
        /// Check everything except `exp` (refresh flow).
        ignoreExpiration "?: boolean",
        /// Refuse a token bound to a key (a `cnf` claim, as DPoP binds tokens) where no proof
        /// of possession is checked with it: a copy would pass as a bearer token (RFC 9449).
        refuseBound "?: boolean",
    }
}

js_options! {
    /// Options for `Key.sign`.
    const SIGN_OPTION_NAMES, SIGN_OPTIONS_TYPESCRIPT = interface "SignOptions" extends "ClockOptions" {
        /// Header `typ`, e.g. "at+jwt".
        typ "?: string",
        /// `exp` = now + this.
        expiresIn "?: Duration",
        /// `nbf` = now + this.
        notBefore "?: Duration",
        /// Set `iat` (default true).
        issuedAt "?: boolean",
        /// Set a random `jti` (default false).
        jti "?: boolean",
        /// `iss`.
        issuer "?: string",
        /// `aud`: one audience or several.
        audience "?: string | string[]",
        /// `sub`.
        subject "?: string",
    }
}

js_options! {
    /// Options for `verifier()`: those of `verify`, fixed once (the clock stays per call).
    pub(crate)const VERIFIER_OPTIONS, VERIFIER_OPTIONS_TYPESCRIPT = interface "VerifierOptions" extends "Omit<VerifyOptions, \"currentDate\">" {
        /// Remember up to this many tokens whose signatures verified, the oldest forgotten first,
        /// and skip the signature check when one comes again: every request of a session carries
        /// the same access token. Claims (exp, nbf, iss, aud, ...) are still checked on every call.
        /// Default 0 (off); at most 100000. Memory: 32 bytes a token (what is remembered and
        /// compared is a keyed hash of it, never the signature itself).
        cache "?: number",
    }
}

// Per call only: a `Signer` or `Verifier` takes its clock with each call instead.
js_options! {
    /// Options of calls that only need a clock.
    const CLOCK, CLOCK_OPTIONS_TYPESCRIPT = interface "ClockOptions" {
        /// The clock, for tests and replay (default: now).
        currentDate "?: Date",
    }
}

/// `options.currentDate` (a `Date`) or the runtime clock, in whole Unix seconds.
pub(crate) fn now_from(options: &JsValue) -> JsResult<i64> {
    let date = match options.is_object() {
        true => Some(super::js::member(options, "currentDate", "currentDate")?),
        false => None,
    };
    now_of(date)
}

/// The clock of one call: `current_date` if given (a `Date`; `undefined` and `null` are not
/// given), else now, in whole Unix seconds. Anything else is `invalid_options` before any JS
/// method is called on it (a number's missing `getTime` threw from inside wasm).
pub(crate) fn now_of(current_date: Option<JsValue>) -> JsResult<i64> {
    let millis = match current_date.filter(|date| !date.is_undefined() && !date.is_null()) {
        None => js_sys::Date::now(),
        Some(date) => super::js::time_of(
            &date
                .dyn_into::<js_sys::Date>()
                .map_err(|_| invalid_options("currentDate must be a Date"))?,
            "currentDate",
        )?,
    };
    if !millis.is_finite() {
        return Err(invalid_options("currentDate is an invalid Date"));
    }
    Ok((millis / 1000.0).floor() as i64)
}

pub(crate) fn verify_options(options: &JsValue) -> JsResult<VerifyOptions> {
    // `currentDate` (a Date) is read apart by `now_from`.
    let known = [VERIFY_OPTION_NAMES, CLOCK];
    read_verify_options(&mut JsOptions::read(options, &known, "verify options")?)
}

/// A verifier's options: those of verify but the clock, and `cache` (how many tokens whose
/// signatures verified it remembers; 0 by default).
pub(crate) fn verifier_options(options: &JsValue) -> JsResult<(VerifyOptions, u64)> {
    let known = [VERIFY_OPTION_NAMES, VERIFIER_OPTIONS];
    let mut js = JsOptions::read(options, &known, "verifier options")?;
    let cache = super::prepared::cache_option(&mut js, "cache")?.unwrap_or(0);
    Ok((read_verify_options(&mut js)?, cache))
}

fn read_verify_options(js: &mut JsOptions) -> JsResult<VerifyOptions> {
    let algorithms = js
        .strings("algorithms")?
        .map(|names| {
            names
                .iter()
                .map(|n| Algorithm::parse(n))
                .collect::<crate::Result<Vec<_>>>()
        })
        .transpose()
        .map_err(super::error::to_js)?;
    let max_token_length = js
        .integer("maxTokenLength", usize::MAX as u64)?
        .map_or(crate::DEFAULT_MAX_TOKEN_LENGTH, |n| n as usize);
    Ok(VerifyOptions {
        algorithms,
        issuer: js.one_or_many("issuer")?.unwrap_or_default(),
        audience: js.one_or_many("audience")?.unwrap_or_default(),
        subject: js.string("subject")?,
        typ: js.string("typ")?,
        required_claims: js.strings("requiredClaims")?.unwrap_or_default(),
        clock_tolerance: js.seconds("clockTolerance")?.unwrap_or(0),
        max_token_age: js.seconds("maxTokenAge")?,
        max_token_length,
        ignore_expiration: js.boolean("ignoreExpiration")?.unwrap_or(false),
        refuse_bound: js.boolean("refuseBound")?.unwrap_or(false),
        ..VerifyOptions::default()
    })
}

pub(crate) fn sign_options(options: &JsValue) -> JsResult<SignOptions> {
    read_sign_options(&mut JsOptions::read(
        options,
        &[SIGN_OPTION_NAMES, CLOCK],
        "sign options",
    )?)
}

/// A signer's options: those of sign but the clock.
pub(crate) fn signer_options(options: &JsValue) -> JsResult<SignOptions> {
    read_sign_options(&mut JsOptions::read(
        options,
        &[SIGN_OPTION_NAMES],
        "signer options",
    )?)
}

fn read_sign_options(js: &mut JsOptions) -> JsResult<SignOptions> {
    Ok(SignOptions {
        typ: js.string("typ")?,
        expires_in: js.seconds("expiresIn")?,
        not_before_in: js.seconds("notBefore")?,
        issued_at: js.boolean("issuedAt")?.unwrap_or(true),
        random_jti: js.boolean("jti")?.unwrap_or(false),
        issuer: js.string("issuer")?,
        audience: js.one_or_many("audience")?.unwrap_or_default(),
        subject: js.string("subject")?,
    })
}
