//! The refresh and logout endpoints as one call each: the request's parts in, the response
//! to send out, whatever the request (docs/wire-format.md). Header mode reads the tokens from the
//! request; cookie mode ([`CookieMode`]) from its cookies, after the CSRF checks.

use crate::cookie::CookieMode;
use crate::error::ErrorCode;
use crate::http::{
    clear_cookies_on, cookie_token_response, grant_error, grant_error_in, logout_response,
    parse_cookie_refresh_request, parse_logout_request, parse_refresh_request, token_response,
    HttpResponse, RequestParts,
};
use crate::sign::TokenSigner;
use crate::{Issuer, SessionStore, VerifiedProof};

/// `POST /auth/refresh`: rotates the pair, or answers why not. In cookie mode the new pair
/// is set as cookies (the body has no refresh token) and a refusal that ends the grant
/// clears them.
pub async fn refresh_endpoint<S: TokenSigner>(
    issuer: &Issuer<S>,
    store: &impl SessionStore,
    request: &RequestParts<'_>,
    now: i64,
    cookies: Option<&CookieMode>,
    proof: Option<&VerifiedProof<'_>>,
) -> HttpResponse {
    let parsed = match cookies {
        Some(mode) => parse_cookie_refresh_request(mode, request),
        None => parse_refresh_request(request.content_type, request.authorization, request.body),
    };
    let refreshed = match parsed {
        Ok(tokens) => {
            issuer
                .refresh_bound(
                    store,
                    &tokens.access_token,
                    &tokens.refresh_token,
                    proof,
                    now,
                )
                .await
        }
        Err(err) => Err(err),
    };
    match (refreshed, cookies) {
        (Ok(pair), Some(mode)) => {
            cookie_token_response(&pair, mode).unwrap_or_else(|err| grant_error(&err))
        }
        (Ok(pair), None) => token_response(&pair),
        (Err(err), _) => grant_error_in(&err, cookies),
    }
}

/// `POST /auth/logout`: revokes the session of the refresh token sent (cookie mode: its
/// cookie) and answers 204, clearing the cookies in cookie mode. Idempotent: no token, or
/// one that names no session of this issuer, is still a 204. A store outage is 503 (the
/// cookies are cleared all the same: this browser is signed out either way). A request the
/// CSRF checks refuse is 403 and changes nothing.
pub async fn logout_endpoint<S: TokenSigner>(
    issuer: &Issuer<S>,
    store: &impl SessionStore,
    request: &RequestParts<'_>,
    now: i64,
    cookies: Option<&CookieMode>,
) -> HttpResponse {
    let token = match parse_logout_request(cookies, request) {
        Ok(token) => token,
        Err(err) => return grant_error(&err),
    };
    if let Some(token) = token {
        if let Err(err) = issuer.revoke_by_refresh_token(store, &token, now).await {
            if matches!(
                err.code(),
                ErrorCode::StoreUnavailable | ErrorCode::StoreConflict
            ) {
                let mut response = grant_error(&err);
                clear_cookies_on(&mut response, cookies);
                return response;
            }
        }
    }
    logout_response(cookies)
}
