//! The token endpoint's answer (RFC 6749 §5.1), defined once: the Issuer writes it (as JSON on
//! the wire, as an object from `startSession` and `refresh`), the browser client reads it, and
//! its TypeScript interface is generated from the same list of members.

use serde::{Deserialize, Deserializer, Serialize};

macro_rules! token_response {
    ($( $(#[doc = $doc:literal])+ #[ts = $ts:literal] $(#[$attr:meta])* $field:ident : $ty:ty, )+) => {
        /// The RFC 6749 §5.1 token response: what `startSession` and `refresh` resolve to, what
        /// the token endpoint answers (in cookie mode without `refresh_token`), what the client
        /// takes in `setTokens`.
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        pub struct TokenResponse {
            $( $(#[doc = $doc])+ $(#[$attr])* pub $field: $ty, )+
        }

        impl TokenResponse {
            /// Its TypeScript interface, emitted into the package's `.d.ts`.
            pub const TYPESCRIPT: &'static str = concat!(
                "\n/** The RFC 6749 §5.1 token response: what `startSession` and `refresh` resolve to, and what a token endpoint answers. */\nexport interface TokenResponse {\n",
                $( "  /**", $($doc,)+ " */\n  ", stringify!($field), $ts, ";\n", )+
                "}\n"
            );
        }
    };
}

token_response! {
    /// The access token.
    #[ts = ": string"]
    access_token: String,
    /// `Bearer`, or `DPoP` for tokens bound to the client's DPoP key (RFC 9449 §5).
    #[ts = ": \"Bearer\" | \"DPoP\""]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    token_type: Option<String>,
    /// Seconds until the access token expires.
    #[ts = ": number"]
    #[serde(default, deserialize_with = "seconds", skip_serializing_if = "Option::is_none")]
    expires_in: Option<i64>,
    /// The refresh token (absent from the body in cookie mode, where it is a cookie).
    #[ts = ": string"]
    #[serde(default, skip_serializing_if = "String::is_empty")]
    refresh_token: String,
    /// Seconds until the refresh token expires.
    #[ts = ": number"]
    #[serde(default, deserialize_with = "seconds", skip_serializing_if = "Option::is_none")]
    refresh_expires_in: Option<i64>,
}

/// A number of seconds as any server may write it (`900`, `900.0`, `899.5`), or null.
fn seconds<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    Ok(Option::<f64>::deserialize(deserializer)?
        .filter(|s| s.is_finite())
        .map(|s| s as i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_typescript_names_every_member_with_its_doc() {
        let ts = TokenResponse::TYPESCRIPT;
        for member in [
            "access_token: string;",
            "token_type: \"Bearer\" | \"DPoP\";",
            "expires_in: number;",
            "refresh_token: string;",
            "refresh_expires_in: number;",
        ] {
            assert!(ts.contains(member), "{member} in {ts}");
        }
        assert!(ts.contains("/** Seconds until the refresh token expires. */"));
    }

    #[test]
    fn seconds_are_read_leniently_and_written_as_integers() {
        let read: TokenResponse = serde_json::from_str(
            r#"{"access_token":"a","expires_in":899.5,"refresh_expires_in":null,"extra":1}"#,
        )
        .unwrap();
        assert_eq!(
            (
                read.expires_in,
                read.refresh_expires_in,
                read.refresh_token.as_str()
            ),
            (Some(899), None, "")
        );
        let written = TokenResponse {
            access_token: "a".into(),
            token_type: Some("Bearer".into()),
            expires_in: Some(900),
            refresh_token: String::new(),
            refresh_expires_in: Some(3600),
        };
        assert_eq!(
            serde_json::to_string(&written).unwrap(),
            r#"{"access_token":"a","token_type":"Bearer","expires_in":900,"refresh_expires_in":3600}"#
        );
    }
}
