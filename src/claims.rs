//! Typed reads of registered claims (RFC 7519 §4.1), from a token's JSON text (verification)
//! or from a claims map (signing, the issuer): one set of rules for both.

use crate::error::{Error, ErrorCode, Result};
use crate::members::{read_members, read_members_into, Member};
use serde_json::{Map, Value};

/// A JWT claims set: any JSON object.
pub type ClaimsSet = Map<String, Value>;

/// RFC 7519 §4.1's claims, and `cnf` (RFC 7800), whose presence binds a token to a key.
const REGISTERED: [&str; 8] = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti", "cnf"];
// Their positions in `REGISTERED`: every verification reads each of them, by index rather
// than by comparing names.
const ISS: usize = 0;
const SUB: usize = 1;
const AUD: usize = 2;
const EXP: usize = 3;
const NBF: usize = 4;
const IAT: usize = 5;
const JTI: usize = 6;
const CNF: usize = 7;

/// What signing calls the claims object in its errors.
pub(crate) const CLAIMS_SET: &str = "claims set";

/// The position of `name` in `REGISTERED`.
fn position(name: &str) -> Option<usize> {
    REGISTERED.iter().position(|n| *n == name)
}

fn invalid(name: &str, expected: &str) -> Error {
    Error::new(
        ErrorCode::ClaimInvalid,
        format!("the {name:?} claim must be {expected}"),
    )
}

/// A NumericDate claim (`exp`, `nbf`, `iat`): absent, or a finite JSON number.
fn numeric_date(member: &Option<Member>, name: &str) -> Result<Option<f64>> {
    match member {
        None => Ok(None),
        Some(Member::Number(n)) if n.is_finite() => Ok(Some(*n)),
        Some(_) => Err(invalid(name, "a number")),
    }
}

/// A StringOrURI claim (`iss`, `sub`, `jti`, `sid`).
fn string_member<'m>(member: &'m Option<Member>, name: &str) -> Result<Option<&'m str>> {
    match member {
        None => Ok(None),
        Some(Member::Text(s)) => Ok(Some(s)),
        Some(_) => Err(invalid(name, "a string")),
    }
}

/// String claims of a payload's JSON text, by name (a present non-string is `claim_invalid`).
pub(crate) fn string_claims<const N: usize>(
    text: &str,
    names: [&str; N],
) -> Result<[Option<String>; N]> {
    let mut strings: [Option<String>; N] = std::array::from_fn(|_| None);
    string_claims_into(text, &names, &mut strings)?;
    Ok(strings)
}

/// `string_claims` for any number of names, compiled once.
fn string_claims_into(text: &str, names: &[&str], strings: &mut [Option<String>]) -> Result<()> {
    let mut members = vec![None; names.len()];
    read_members_into(text, names, &mut members, &[]).map_err(|e| e.malformed("payload"))?;
    for ((string, member), name) in strings.iter_mut().zip(&members).zip(names) {
        *string = string_member(member, name)?.map(str::to_owned);
    }
    Ok(())
}

/// The registered claims of one claims set, as JSON gave them (not yet type-checked), in
/// the order of `REGISTERED`.
pub(crate) struct Registered<'a>([Option<Member<'a>>; 8]);

impl<'a> Registered<'a> {
    /// The registered claims of a claims map.
    pub(crate) fn of_map(claims: &'a ClaimsSet) -> Self {
        Registered(REGISTERED.map(|name| claims.get(name).map(Member::of_value)))
    }

    /// The registered claims of the JSON text of a claims object that is about to be signed
    /// (every member is parsed, so the text is checked to be one JSON object).
    pub(crate) fn of_claims(text: &'a str) -> Result<Self> {
        let (members, _) = read_members(text, REGISTERED, &[])
            .map_err(|e| e.into_error(ErrorCode::InvalidOptions, CLAIMS_SET))?;
        Ok(Registered(members))
    }

    /// Sets the registered claim `name` (no effect for other names).
    pub(crate) fn set(&mut self, name: &str, value: &'a Value) {
        if let Some(i) = position(name) {
            self.0[i] = Some(Member::of_value(value));
        }
    }

    /// The registered claims of a payload's JSON text, and for each name in `required`
    /// whether the payload has it.
    pub(crate) fn of_json(text: &'a str, required: &[String]) -> Result<(Self, Vec<bool>)> {
        let (members, present) =
            read_members(text, REGISTERED, required).map_err(|e| e.malformed("payload"))?;
        Ok((Registered(members), present))
    }

    /// Whether the registered claim `name` is present (false for other names).
    pub(crate) fn has(&self, name: &str) -> bool {
        position(name).is_some_and(|i| self.0[i].is_some())
    }

    /// Whether the claims bind the token to a key (`cnf`, RFC 7800).
    pub(crate) fn has_cnf(&self) -> bool {
        self.0[CNF].is_some()
    }

    /// `iss`.
    pub(crate) fn iss(&self) -> Result<Option<&str>> {
        string_member(&self.0[ISS], "iss")
    }

    /// `sub`.
    pub(crate) fn sub(&self) -> Result<Option<&str>> {
        string_member(&self.0[SUB], "sub")
    }

    /// `aud`: a string or an array of strings.
    pub(crate) fn aud(&self) -> Result<Option<Vec<&str>>> {
        match &self.0[AUD] {
            None => Ok(None),
            Some(Member::Text(one)) => Ok(Some(vec![one])),
            Some(Member::Texts(many)) => Ok(Some(many.iter().map(|a| &**a).collect())),
            Some(_) => Err(invalid("aud", "a string or an array of strings")),
        }
    }

    /// `exp`.
    pub(crate) fn exp(&self) -> Result<Option<f64>> {
        numeric_date(&self.0[EXP], "exp")
    }

    /// `nbf`.
    pub(crate) fn nbf(&self) -> Result<Option<f64>> {
        numeric_date(&self.0[NBF], "nbf")
    }

    /// `iat`.
    pub(crate) fn iat(&self) -> Result<Option<f64>> {
        numeric_date(&self.0[IAT], "iat")
    }

    /// Checks every registered claim's JSON type, so that a token we sign is one we accept.
    pub(crate) fn check_types(&self) -> Result<()> {
        self.exp()?;
        self.nbf()?;
        self.iat()?;
        self.iss()?;
        self.sub()?;
        string_member(&self.0[JTI], "jti")?;
        self.aud()?;
        Ok(())
    }
}
