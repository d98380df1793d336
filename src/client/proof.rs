//! DPoP proofs (RFC 9449 §4) as the client makes them. The core decides what a proof says —
//! the method, the target URI without query and fragment, `iat` on the server's clock, a fresh
//! `jti`, `ath` for a resource request, the server's latest nonce — and the platform holds
//! the key and signs (WebCrypto, the private half never exportable).

use super::json;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The public half of the proof key, as a proof's `jwk` header carries it (RFC 7517).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicJwk {
    /// `EC` or `OKP`.
    pub kty: String,
    /// `P-256` or `Ed25519`.
    pub crv: String,
    /// The x coordinate (the key itself for `OKP`), base64url.
    pub x: String,
    /// The y coordinate (`EC` only), base64url.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub y: Option<String>,
}

/// The key a tab proves possession of: its JWS algorithm and public half.
#[derive(Debug, Clone, PartialEq)]
pub struct ProofKey {
    /// `ES256` or `EdDSA`.
    pub alg: String,
    /// The public half.
    pub jwk: PublicJwk,
}

/// A proof's protected header.
#[derive(Serialize)]
pub(crate) struct ProofHeader<'a> {
    pub(crate) typ: &'static str,
    pub(crate) alg: &'a str,
    pub(crate) jwk: &'a PublicJwk,
}

/// A proof's claims.
#[derive(Serialize)]
pub(crate) struct ProofClaims<'a> {
    pub(crate) jti: &'a str,
    pub(crate) htm: &'a str,
    pub(crate) htu: &'a str,
    pub(crate) iat: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) ath: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) nonce: Option<&'a str>,
}

/// `htu`: the request's absolute URL without query and fragment (RFC 9449 §4.2).
pub fn target_uri(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or(url)
}

/// The origin (`scheme://host[:port]`) of an absolute URL; the whole text if it is not one.
pub fn origin_of(url: &str) -> &str {
    // `get`, as `http::position_of` explains.
    let Some(host_start) = crate::http::position_of(url, "://") else {
        return url;
    };
    let host_start = host_start + 3;
    let end = url.as_bytes()[host_start..]
        .iter()
        .position(|b| matches!(b, b'/' | b'?' | b'#'))
        .map_or(url.len(), |at| host_start + at);
    url.get(..end).unwrap_or(url)
}

/// `ath`: the base64url SHA-256 of the access token sent with the proof.
pub fn access_token_hash(access_token: &str) -> String {
    crate::base64url::encode(&Sha256::digest(access_token.as_bytes()))
}

/// The text a proof's signature covers (`header.claims`, each base64url JSON).
pub(crate) fn signing_input(header: &ProofHeader, claims: &ProofClaims) -> Option<String> {
    let header = json::to_string(header)?;
    let claims = json::to_string(claims)?;
    Some(format!(
        "{}.{}",
        crate::base64url::encode(header.as_bytes()),
        crate::base64url::encode(claims.as_bytes())
    ))
}

/// The latest `DPoP-Nonce` of each server the client talks to (RFC 9449 §8), a few at most.
#[derive(Debug, Default)]
pub(crate) struct Nonces(Vec<(String, String)>);

/// Servers remembered; the oldest is forgotten past this.
const MAX_NONCE_SERVERS: usize = 8;

impl Nonces {
    /// The nonce to put in a proof for `url`.
    pub(crate) fn for_url(&self, url: &str) -> Option<&str> {
        let origin = origin_of(url);
        self.0
            .iter()
            .find(|(known, _)| known == origin)
            .map(|(_, nonce)| nonce.as_str())
    }

    /// Keeps the nonce an answer from `url` carried; whether it is new.
    pub(crate) fn remember(&mut self, url: &str, nonce: &str) -> bool {
        let origin = origin_of(url);
        if self.for_url(url) == Some(nonce) {
            return false;
        }
        self.0.retain(|(known, _)| known != origin);
        if self.0.len() == MAX_NONCE_SERVERS {
            self.0.remove(0);
        }
        self.0.push((origin.to_owned(), nonce.to_owned()));
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_target_uri_drops_query_and_fragment() {
        assert_eq!(
            target_uri("https://a.example/api/me?x=1#top"),
            "https://a.example/api/me"
        );
        assert_eq!(target_uri("https://a.example/p#f?q"), "https://a.example/p");
        assert_eq!(
            origin_of("https://a.example:8443/p?q"),
            "https://a.example:8443"
        );
        assert_eq!(origin_of("http://127.0.0.1:9"), "http://127.0.0.1:9");
        assert_eq!(origin_of("/relative"), "/relative");
        assert_eq!(origin_of("https://a.example?q=1"), "https://a.example");
        assert_eq!(origin_of("https://a.example#f"), "https://a.example");
        assert_eq!(origin_of("https://"), "https://");
        assert_eq!(origin_of("https://é.example/p"), "https://é.example");
    }

    #[test]
    fn nonces_are_kept_per_server_and_bounded() {
        let mut nonces = Nonces::default();
        assert!(nonces.remember("https://a.example/auth/refresh", "n1"));
        assert!(!nonces.remember("https://a.example/api", "n1"));
        assert_eq!(nonces.for_url("https://a.example/x"), Some("n1"));
        assert_eq!(nonces.for_url("https://b.example/x"), None);
        for i in 0..MAX_NONCE_SERVERS {
            nonces.remember(&format!("https://s{i}.example/"), "n");
        }
        assert_eq!(
            nonces.for_url("https://a.example/x"),
            None,
            "the oldest went"
        );
        assert_eq!(nonces.0.len(), MAX_NONCE_SERVERS);
    }
}
