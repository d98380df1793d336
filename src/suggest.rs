//! "Did you mean …?" for a misspelt option name: the JWT claim a name abbreviates (`exp` for
//! `expiresIn`), a difference of case, or one or two typing slips away.

/// Claim names people write where the option has a longer name.
const ALIASES: &[(&str, &str)] = &[
    ("exp", "expiresIn"),
    ("nbf", "notBefore"),
    ("iss", "issuer"),
    ("aud", "audience"),
    ("sub", "subject"),
    ("iat", "issuedAt"),
    ("leeway", "clockTolerance"),
    ("maxAge", "maxTokenAge"),
];

/// The known name `name` was most likely meant to be, if one is close enough.
pub(crate) fn closest<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    if let Some(&(_, meant)) = ALIASES.iter().find(|(alias, _)| *alias == name) {
        if let Some(found) = known.iter().find(|k| **k == meant) {
            return Some(found);
        }
    }
    let lower = name.to_ascii_lowercase();
    known
        .iter()
        .map(|k| (distance(&lower, &k.to_ascii_lowercase()), *k))
        .filter(|(d, k)| *d <= slips_allowed(k))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// How many slips a name of this length may take and still be recognized: none for a short
/// name (any three letters are a slip from many others).
fn slips_allowed(name: &str) -> usize {
    match name.len() {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

/// Edit distance over bytes (option names are ASCII) counting a swap of two neighbours as one
/// slip (optimal string alignment); bounded work: names are short.
fn distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() > 64 || b.len() > 64 {
        return usize::MAX;
    }
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for (i, row) in d.chunks_mut(width).enumerate() {
        row[0] = i;
    }
    for (j, cell) in d.iter_mut().take(width).enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOWN: &[&str] = &[
        "expiresIn",
        "audience",
        "issuer",
        "typ",
        "clockTolerance",
        "cache",
    ];

    #[test]
    fn claims_case_and_slips_suggest_the_option() {
        assert_eq!(closest("exp", KNOWN), Some("expiresIn"));
        assert_eq!(closest("aud", KNOWN), Some("audience"));
        assert_eq!(closest("expiresin", KNOWN), Some("expiresIn"));
        assert_eq!(closest("audiance", KNOWN), Some("audience"));
        assert_eq!(closest("leeway", KNOWN), Some("clockTolerance"));
        assert_eq!(closest("cahce", KNOWN), Some("cache"));
    }

    #[test]
    fn far_or_short_names_suggest_nothing() {
        assert_eq!(closest("ttl", KNOWN), None);
        assert_eq!(
            closest("type", KNOWN),
            None,
            "typ is too short for a slip to be sure"
        );
        assert_eq!(
            closest("maxAge", KNOWN),
            None,
            "maxTokenAge is not an option here"
        );
        assert_eq!(closest(&"x".repeat(100), KNOWN), None);
    }
}
