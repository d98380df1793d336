//! The token headers read last, by their exact base64url text. Tokens of one issuer share a
//! header (`{"alg":"HS256","typ":"JWT"}`, or one per `kid`), and reading it (base64url, UTF-8,
//! JSON) is a few percent of an HMAC verify in wasm. What is kept is what the reader made of
//! that text, a function of the text alone: every check of the header still runs on every
//! token, and only headers that passed them once are kept.

use crate::members::Member;
use std::cell::RefCell;

/// The members of a header that verification reads: `alg`, `kid`, `typ`, `crit`.
pub(crate) type HeaderMembers<'a> = [Option<Member<'a>>; 4];

/// Headers kept at once: a few keys (rotation) or issuers.
const KEPT: usize = 4;

/// Longer headers (an `x5c` chain, say) are read every time.
const MAX_KEPT_LEN: usize = 512;

struct Known {
    segment: String,
    json: String,
    members: HeaderMembers<'static>,
}

thread_local! {
    /// The kept headers, and which one the next is written over once all places are taken.
    static KNOWN: RefCell<(Vec<Known>, usize)> = const { RefCell::new((Vec::new(), 0)) };
}

/// `read` of the JSON text and members of the header whose base64url text is `segment`, when
/// that header is kept.
pub(crate) fn with_known<R>(
    segment: &str,
    read: impl FnOnce(&str, &HeaderMembers<'_>) -> R,
) -> Option<R> {
    // `try_`: never a panic, whatever a key source does while `read` runs.
    KNOWN
        .try_with(|cell| {
            let kept = cell.try_borrow().ok()?;
            let known = kept.0.iter().find(|known| known.segment == segment)?;
            Some(read(&known.json, &known.members))
        })
        .ok()
        .flatten()
}

/// Keeps what the header `segment` read as (its JSON text and members).
pub(crate) fn remember(segment: &str, json: &str, members: &HeaderMembers<'_>) {
    if segment.len() > MAX_KEPT_LEN {
        return;
    }
    let entry = Known {
        segment: segment.to_owned(),
        json: json.to_owned(),
        members: members.clone().map(|member| member.map(Member::into_owned)),
    };
    let _ = KNOWN.try_with(|cell| {
        if let Ok(mut kept) = cell.try_borrow_mut() {
            let (known, next) = &mut *kept;
            if known.len() < KEPT {
                known.push(entry);
            } else {
                known[*next] = entry;
                *next = (*next + 1) % KEPT;
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    fn members(alg: &str) -> HeaderMembers<'static> {
        [Some(Member::Text(Cow::Owned(alg.into()))), None, None, None]
    }

    fn alg_of(segment: &str) -> Option<String> {
        with_known(segment, |_, members| match &members[0] {
            Some(Member::Text(alg)) => alg.to_string(),
            _ => String::new(),
        })
    }

    #[test]
    fn a_header_is_found_by_its_exact_text_and_the_oldest_gives_way() {
        remember("h1", "{}", &members("HS256"));
        assert_eq!(alg_of("h1").as_deref(), Some("HS256"));
        assert_eq!(alg_of("h1 "), None);
        assert_eq!(alg_of("H1"), None);
        for i in 2..=KEPT + 1 {
            remember(&format!("h{i}"), "{}", &members(&format!("A{i}")));
        }
        assert_eq!(alg_of("h1"), None, "the first kept gave way to the fifth");
        for i in 2..=KEPT + 1 {
            assert_eq!(alg_of(&format!("h{i}")), Some(format!("A{i}")));
        }
        remember(&"x".repeat(MAX_KEPT_LEN + 1), "{}", &members("HS256"));
        assert_eq!(alg_of(&"x".repeat(MAX_KEPT_LEN + 1)), None);
    }
}
