//! Reading a JS options object: each option by the type it takes, durations as seconds or
//! text, and the refusal of unknown option names. Read member by member with no serde: the
//! derived readers cost ~20 KB of wasm, and every first call into a key compiled them.

use super::error::{invalid_options, JsResult};
use super::js;
use crate::{parse_duration, seconds_from_f64};
use js_sys::Array;
use wasm_bindgen::prelude::*;

/// Declares a JS options object once: the member names [`JsOptions::read`] accepts (`$names`)
/// and its TypeScript interface in the package's `.d.ts` (`$typescript`), each member with
/// its doc and type (`"?: T"` when optional).
macro_rules! js_options {
    (
        $(#[doc = $doc:literal])+
        $vis:vis const $names:ident, $typescript:ident = interface $name:literal $(extends $base:literal)? {
            $( $(#[doc = $member_doc:literal])+ $member:ident $ty:literal, )*
        }
    ) => {
        $vis const $names: &[&str] = &[$(stringify!($member)),*];
        #[wasm_bindgen::prelude::wasm_bindgen(typescript_custom_section)]
        const $typescript: &'static str = concat!(
            "\n/**", $("\n *", $doc,)+ "\n */\nexport interface ", $name, $(" extends ", $base,)? " {\n",
            $( "  /**", $("\n   *", $member_doc,)+ "\n   */\n  ", stringify!($member), $ty, ";\n", )*
            "}\n"
        );
    };
}
pub(crate) use js_options;

/// The members of one options object, taken one by one as the binding reads them. A member
/// that is `undefined` or `null` counts as absent (as `JSON.stringify` would drop it); a
/// name the API does not know is refused, since a misspelt security option must not be
/// silently ignored.
pub(crate) struct JsOptions {
    what: &'static str,
    members: Vec<(String, JsValue)>,
}

impl JsOptions {
    /// The own enumerable members of `value`, each named in one of the `known` lists;
    /// `undefined` or `null` reads as no options.
    pub(crate) fn read(value: &JsValue, known: &[&[&str]], what: &'static str) -> JsResult<Self> {
        let mut options = JsOptions {
            what,
            members: Vec::new(),
        };
        if value.is_undefined() || value.is_null() {
            return Ok(options);
        }
        if !value.is_object() || js::is_array(value, what)? {
            return Err(invalid_options(format!("{what} must be an object")));
        }
        for entry in js::entries(value, what)?.iter() {
            let entry: Array = entry.unchecked_into();
            let name = entry.get(0).as_string().unwrap_or_default();
            if !known.iter().any(|names| names.contains(&name.as_str())) {
                // Not in the browser client's build: its few options cost it 1.5 KB gzip.
                #[cfg(feature = "keys")]
                let hint = {
                    let all: Vec<&str> = known
                        .iter()
                        .flat_map(|names| names.iter().copied())
                        .collect();
                    crate::suggest::closest(&name, &all)
                        .map(|meant| format!(": did you mean {meant:?}?"))
                        .unwrap_or_default()
                };
                #[cfg(not(feature = "keys"))]
                let hint = "";
                return Err(invalid_options(format!(
                    "unknown {what} field \"{name}\"{hint}"
                )));
            }
            let member = entry.get(1);
            if !(member.is_undefined() || member.is_null()) {
                options.members.push((name, member));
            }
        }
        Ok(options)
    }

    /// The member `name` as given, if present (objects and functions the binding reads itself).
    pub(crate) fn value(&mut self, name: &str) -> Option<JsValue> {
        let at = self.members.iter().position(|(known, _)| known == name)?;
        Some(self.members.swap_remove(at).1)
    }

    fn invalid(&self, name: &str, expected: &str) -> JsValue {
        invalid_options(format!("invalid {}: {name} must be {expected}", self.what))
    }

    /// A member read by `convert`, which returns `None` for a value of the wrong type.
    fn typed<T>(
        &mut self,
        name: &str,
        expected: &str,
        convert: impl FnOnce(&JsValue) -> Option<T>,
    ) -> JsResult<Option<T>> {
        match self.value(name) {
            None => Ok(None),
            Some(value) => convert(&value)
                .map(Some)
                .ok_or_else(|| self.invalid(name, expected)),
        }
    }

    pub(crate) fn string(&mut self, name: &str) -> JsResult<Option<String>> {
        self.typed(name, "a string", JsValue::as_string)
    }

    /// A member that names something or is `false` (turned off): `Some(None)` for `false`.
    #[cfg(any(feature = "edge", feature = "browser"))]
    pub(crate) fn name_or_false(&mut self, name: &str) -> JsResult<Option<Option<String>>> {
        self.typed(name, "a cookie name or false", |value| {
            match value.as_bool() {
                Some(false) => Some(None),
                _ => value.as_string().map(Some),
            }
        })
    }

    pub(crate) fn boolean(&mut self, name: &str) -> JsResult<Option<bool>> {
        self.typed(name, "a boolean", JsValue::as_bool)
    }

    #[cfg(any(feature = "edge", feature = "browser"))]
    pub(crate) fn number(&mut self, name: &str) -> JsResult<Option<f64>> {
        self.typed(name, "a number", JsValue::as_f64)
    }

    /// A whole number from 0 to `max` (a count or a length).
    pub(crate) fn integer(&mut self, name: &str, max: u64) -> JsResult<Option<u64>> {
        self.typed(name, "a non-negative integer", |value| {
            let n = value.as_f64()?;
            let whole = seconds_from_f64(n).filter(|&whole| whole as f64 == n);
            whole.filter(|&whole| whole <= max)
        })
    }

    /// An array of strings.
    #[cfg(any(feature = "keys", feature = "browser"))]
    pub(crate) fn strings(&mut self, name: &str) -> JsResult<Option<Vec<String>>> {
        let Some(value) = self.value(name) else {
            return Ok(None);
        };
        strings_of(&value, name)?
            .map(Some)
            .ok_or_else(|| self.invalid(name, "an array of strings"))
    }

    /// A string or an array of strings (`issuer`, `audience`), as an array.
    #[cfg(feature = "keys")]
    pub(crate) fn one_or_many(&mut self, name: &str) -> JsResult<Option<Vec<String>>> {
        let Some(value) = self.value(name) else {
            return Ok(None);
        };
        let many = match value.as_string() {
            Some(one) => Some(vec![one]),
            None => strings_of(&value, name)?,
        };
        many.map(Some)
            .ok_or_else(|| self.invalid(name, "a string or an array of strings"))
    }

    /// A duration in milliseconds: seconds as a number (fractions allowed: 0.25 is 250 ms),
    /// or text such as "30s".
    #[cfg(feature = "keys")]
    pub(crate) fn milliseconds(&mut self, name: &str) -> JsResult<Option<i64>> {
        let Some(value) = self.value(name) else {
            return Ok(None);
        };
        if let Some(text) = value.as_string() {
            let seconds = parse_duration(&text).map_err(super::error::to_js)?;
            return Ok(i64::try_from(seconds).ok().map(|s| s.saturating_mul(1000)));
        }
        value
            .as_f64()
            .and_then(|seconds| seconds_from_f64(seconds * 1000.0))
            .and_then(|ms| i64::try_from(ms).ok())
            .map(Some)
            .ok_or_else(|| {
                self.invalid(
                    name,
                    "a non-negative number of seconds or a duration such as \"30s\"",
                )
            })
    }

    /// A duration: seconds as a number, or text such as "15m".
    pub(crate) fn seconds(&mut self, name: &str) -> JsResult<Option<u64>> {
        let Some(value) = self.value(name) else {
            return Ok(None);
        };
        if let Some(text) = value.as_string() {
            return parse_duration(&text).map(Some).map_err(super::error::to_js);
        }
        value
            .as_f64()
            .and_then(seconds_from_f64)
            .map(Some)
            .ok_or_else(|| {
                self.invalid(
                    name,
                    "a non-negative number of seconds or a duration such as \"15m\"",
                )
            })
    }
}

/// The strings of an array, `None` if it is not an array of strings; copied first, so that a
/// `Proxy` or a getter that throws is `invalid_options`, not an exception through wasm.
#[cfg(any(feature = "keys", feature = "browser"))]
fn strings_of(value: &JsValue, what: &str) -> JsResult<Option<Vec<String>>> {
    if !js::is_array(value, what)? {
        return Ok(None);
    }
    Ok(js::items(value, what)?
        .iter()
        .map(|item| item.as_string())
        .collect())
}
