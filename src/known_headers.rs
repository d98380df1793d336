//! The token headers read last, by their exact base64url text. Tokens of one issuer share a
//! header (`{"alg":"HS256","typ":"JWT"}`, or one per `kid`), and reading it (base64url, UTF-8,
//! JSON) is a few percent of an HMAC verify in wasm. What is kept is what the reader made of
//! that text, a function of the text alone: every check of the header still runs on every
//! token, and only headers that passed them once are kept.

use crate::members::Member;
use std::cell::RefCell;
use std::rc::Rc;

/// The members of a header that verification reads: `alg`, `kid`, `typ`, `crit`.
pub(crate) type HeaderMembers<'a> = [Option<Member<'a>>; 4];

/// Headers kept at once: a few keys (rotation) or issuers.
const PLACES: usize = 4;

/// Longer headers (an `x5c` chain, say) are read every time.
const MAX_KEPT_LEN: usize = 512;

/// A header as the reader made it: its JSON text and the members verification reads.
pub(crate) struct KnownHeader {
    pub(crate) json: String,
    pub(crate) members: HeaderMembers<'static>,
}

/// The kept headers by their base64url text, and which one the next is written over once all
/// places are taken.
struct Kept {
    headers: Vec<(String, Rc<KnownHeader>)>,
    next: usize,
}

thread_local! {
    static KEPT_HEADERS: RefCell<Kept> = const {
        RefCell::new(Kept {
            headers: Vec::new(),
            next: 0,
        })
    };
}

/// The header whose base64url text is `segment`, when it is kept.
pub(crate) fn find(segment: &str) -> Option<Rc<KnownHeader>> {
    // `try_`: no panic, even while the thread's locals are being torn down.
    KEPT_HEADERS
        .try_with(|cell| {
            let kept = cell.try_borrow().ok()?;
            let (_, known) = kept.headers.iter().find(|(text, _)| text == segment)?;
            Some(known.clone())
        })
        .ok()
        .flatten()
}

/// Keeps what the header `segment` read as (its JSON text and members).
pub(crate) fn remember(segment: &str, json: &str, members: &HeaderMembers<'_>) {
    if segment.len() > MAX_KEPT_LEN {
        return;
    }
    let known = Rc::new(KnownHeader {
        json: json.to_owned(),
        members: members.clone().map(|member| member.map(Member::into_owned)),
    });
    let _ = KEPT_HEADERS.try_with(|cell| {
        if let Ok(mut kept) = cell.try_borrow_mut() {
            let entry = (segment.to_owned(), known);
            if kept.headers.len() < PLACES {
                kept.headers.push(entry);
            } else {
                let at = kept.next;
                kept.headers[at] = entry;
                kept.next = (at + 1) % PLACES;
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
        find(segment).map(|known| match &known.members[0] {
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
        for i in 2..=PLACES + 1 {
            remember(&format!("h{i}"), "{}", &members(&format!("A{i}")));
        }
        assert_eq!(alg_of("h1"), None, "the first kept gave way to the fifth");
        for i in 2..=PLACES + 1 {
            assert_eq!(alg_of(&format!("h{i}")), Some(format!("A{i}")));
        }
        remember(&"x".repeat(MAX_KEPT_LEN + 1), "{}", &members("HS256"));
        assert_eq!(alg_of(&"x".repeat(MAX_KEPT_LEN + 1)), None);
    }
}
