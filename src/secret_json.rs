//! Key material that passes through JSON (a private JWK or a JWKS coming in, a private JWK
//! going out) is overwritten when dropped, so that no copy of a secret stays behind in freed
//! memory: in wasm, the instance's linear memory, readable by the host for as long as the
//! instance lives. Best effort, as zeroizing always is: the JS strings the caller holds are out
//! of reach, and so is the keyed HMAC state each key keeps (hmac 0.12 cannot zeroize it).

use serde_json::Value;
use std::ops::Deref;
use zeroize::Zeroize;

/// A JSON value holding key material (a JWK, a JWKS), whose strings are zeroized on drop.
pub(crate) struct SecretJson(Value);

impl SecretJson {
    pub(crate) fn new(value: Value) -> Self {
        SecretJson(value)
    }
}

impl Deref for SecretJson {
    type Target = Value;

    fn deref(&self) -> &Value {
        &self.0
    }
}

impl Drop for SecretJson {
    fn drop(&mut self) {
        zeroize_strings(&mut self.0);
    }
}

/// Overwrites every string in `value`, at any depth (member names are not secret).
fn zeroize_strings(value: &mut Value) {
    match value {
        Value::String(text) => text.zeroize(),
        Value::Array(items) => items.iter_mut().for_each(zeroize_strings),
        Value::Object(members) => members.values_mut().for_each(zeroize_strings),
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_string_at_any_depth_is_overwritten() {
        let mut value = serde_json::json!({
            "kty": "oct", "k": "c2VjcmV0",
            "keys": [{ "d": "ZGRk", "n": 7 }, ["x", true, null]],
        });
        zeroize_strings(&mut value);
        assert_eq!(
            value,
            serde_json::json!({
                "kty": "", "k": "",
                "keys": [{ "d": "", "n": 7 }, ["", true, null]],
            })
        );
        let guarded = SecretJson::new(serde_json::json!({ "k": "c2VjcmV0" }));
        assert_eq!(guarded["k"], "c2VjcmV0");
    }
}
