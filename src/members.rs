//! Reading a few named members of a JSON object without building a map of all of them:
//! verification only looks at the registered header parameters and claims, and hands the
//! rest on as the token's own text. The other members are still parsed (so the text must be
//! valid JSON), just not kept.

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;
use std::borrow::Cow;
use std::fmt;

/// One member's value, in the shapes the checks tell apart.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Member<'a> {
    /// A JSON number.
    Number(f64),
    /// A JSON string (borrowed from the text unless it had escapes).
    Text(Cow<'a, str>),
    /// An array whose items are all strings (possibly empty).
    Texts(Vec<Cow<'a, str>>),
    /// Anything else: an object, a boolean, null, or a mixed array.
    Other,
}

impl<'a> Member<'a> {
    /// The same member, owning its strings.
    pub(crate) fn into_owned(self) -> Member<'static> {
        let owned = |text: Cow<'a, str>| Cow::Owned(text.into_owned());
        match self {
            Member::Number(n) => Member::Number(n),
            Member::Text(text) => Member::Text(owned(text)),
            Member::Texts(texts) => Member::Texts(texts.into_iter().map(owned).collect()),
            Member::Other => Member::Other,
        }
    }

    /// The same shapes, read from an already parsed value.
    pub(crate) fn of_value(value: &'a Value) -> Member<'a> {
        match value {
            Value::Number(n) => n.as_f64().map_or(Member::Other, Member::Number),
            Value::String(s) => Member::Text(Cow::Borrowed(s)),
            Value::Array(items) => items
                .iter()
                .map(|item| item.as_str().map(Cow::Borrowed))
                .collect::<Option<Vec<_>>>()
                .map_or(Member::Other, Member::Texts),
            _ => Member::Other,
        }
    }
}

struct MemberVisitor;

impl<'de> Visitor<'de> for MemberVisitor {
    type Value = Member<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_u64<E>(self, v: u64) -> Result<Member<'de>, E> {
        Ok(Member::Number(v as f64))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Member<'de>, E> {
        Ok(Member::Number(v as f64))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Member<'de>, E> {
        Ok(Member::Number(v))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Member<'de>, E> {
        Ok(Member::Text(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Member<'de>, E> {
        Ok(Member::Text(Cow::Owned(v.to_owned())))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Member<'de>, E> {
        Ok(Member::Other)
    }
    fn visit_unit<E>(self) -> Result<Member<'de>, E> {
        Ok(Member::Other)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Member<'de>, A::Error> {
        let mut texts = Some(Vec::new());
        while let Some(item) = items.next_element::<Member<'de>>()? {
            match (item, texts.as_mut()) {
                (Member::Text(text), Some(texts)) => texts.push(text),
                _ => texts = None,
            }
        }
        Ok(texts.map_or(Member::Other, Member::Texts))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut members: A) -> Result<Member<'de>, A::Error> {
        while members.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Member::Other)
    }
}

impl<'de> Deserialize<'de> for Member<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(MemberVisitor)
    }
}

/// Why an object could not be read.
#[derive(Debug, PartialEq)]
pub(crate) enum ReadError {
    /// JSON, but not an object.
    NotObject,
    /// Not JSON, or a string that is not Unicode (a lone surrogate escape such as `"\ud800"` is
    /// JSON syntax, but no Rust string can hold it): serde_json's description, with where.
    Invalid(String),
    /// One of the named members appears twice (RFC 7515 §4 and RFC 7519 §4 let a parser
    /// refuse that; taking the last one would make the checks and the caller's
    /// `JSON.parse` agree, refusing keeps it unambiguous).
    Duplicate(String),
}

impl ReadError {
    /// Why serde_json could not read an object.
    pub(crate) fn of(error: serde_json::Error) -> ReadError {
        match error.is_data() {
            true => ReadError::NotObject,
            false => ReadError::Invalid(error.to_string()),
        }
    }

    /// The `malformed_token` error for the token's `what` ("header", "payload").
    pub(crate) fn malformed(self, what: &str) -> crate::Error {
        self.into_error(crate::ErrorCode::MalformedToken, what)
    }

    /// This error with `code`, for the object `what` ("payload", "claims set").
    pub(crate) fn into_error(self, code: crate::ErrorCode, what: &str) -> crate::Error {
        let message = match self {
            ReadError::NotObject => format!("the {what} is not a JSON object"),
            ReadError::Invalid(cause) => format!("the {what} is not readable JSON ({cause})"),
            ReadError::Duplicate(name) => format!("the {what} has {name:?} twice"),
        };
        crate::Error::new(code, message)
    }
}

/// The members `names` of the JSON object `text`, each `None` when absent, and for each of
/// `also_present` whether the object has it.
pub(crate) fn read_members<'a, const N: usize>(
    text: &'a str,
    names: [&str; N],
    also_present: &[String],
) -> Result<([Option<Member<'a>>; N], Vec<bool>), ReadError> {
    let mut values = std::array::from_fn(|_| None);
    let present = read_members_into(text, &names, &mut values, also_present)?;
    Ok((values, present))
}

/// `read_members` for any number of names: one copy of the reader in the binary, where a
/// reader generic over the count was compiled once per count.
pub(crate) fn read_members_into<'a>(
    text: &'a str,
    names: &[&str],
    values: &mut [Option<Member<'a>>],
    also_present: &[String],
) -> Result<Vec<bool>, ReadError> {
    let mut reader = Reader {
        names,
        values,
        also_present,
        present: vec![false; also_present.len()],
        duplicate: None,
    };
    let mut json = serde_json::Deserializer::from_str(text);
    let outcome = (&mut json)
        .deserialize_map(&mut reader)
        .and_then(|()| json.end());
    match (outcome, reader.duplicate) {
        (_, Some(name)) => Err(ReadError::Duplicate(name)),
        (Ok(()), None) => Ok(reader.present),
        (Err(error), None) => Err(ReadError::of(error)),
    }
}

struct Reader<'a, 'n, 'v> {
    names: &'n [&'n str],
    values: &'v mut [Option<Member<'a>>],
    also_present: &'n [String],
    present: Vec<bool>,
    duplicate: Option<String>,
}

impl<'de> Visitor<'de> for &mut Reader<'de, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut members: A) -> Result<(), A::Error> {
        while let Some(name) = members.next_key::<Member<'de>>()? {
            let Member::Text(name) = name else {
                return Err(de::Error::custom("member names are strings"));
            };
            // (`values` has a place for each of `names`: `get_mut` only keeps a mismatch from
            // ever being a panic.)
            let at = self.names.iter().position(|n| *n == name);
            if let Some(slot) = at.and_then(|i| self.values.get_mut(i)) {
                if slot.is_some() {
                    self.duplicate = Some(name.into_owned());
                    return Err(de::Error::custom("duplicate member"));
                }
                *slot = Some(members.next_value()?);
                continue;
            }
            if let Some(i) = self.also_present.iter().position(|n| *n == name) {
                self.present[i] = true;
            }
            members.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read<'a, const N: usize>(text: &'a str, names: [&str; N]) -> [Option<Member<'a>>; N] {
        read_members(text, names, &[]).unwrap().0
    }

    #[test]
    fn reads_only_the_named_members() {
        let text = r#"{"a":1,"b":"x","c":["y","z"],"d":{"e":[1,{}]},"f":[1,"y"],"g":null}"#;
        let [a, b, c, d, f, g, h] = read(text, ["a", "b", "c", "d", "f", "g", "h"]);
        assert_eq!(a, Some(Member::Number(1.0)));
        assert_eq!(b, Some(Member::Text("x".into())));
        assert_eq!(c, Some(Member::Texts(vec!["y".into(), "z".into()])));
        assert_eq!(d, Some(Member::Other));
        assert_eq!(f, Some(Member::Other));
        assert_eq!(g, Some(Member::Other));
        assert_eq!(h, None);
    }

    #[test]
    fn names_and_strings_with_escapes_are_decoded() {
        let [exp, sub] = read(r#"{"\u0065xp":5,"sub":"a\"b"}"#, ["exp", "sub"]);
        assert_eq!(exp, Some(Member::Number(5.0)));
        assert_eq!(sub, Some(Member::Text("a\"b".into())));
    }

    #[test]
    fn other_members_are_checked_and_reported_when_asked() {
        let also = ["role".to_owned(), "x".to_owned()];
        let (_, present) = read_members(r#"{"role":[1,2]}"#, ["exp"], &also).unwrap();
        assert_eq!(present, [true, false]);
        for not_object in ["[1]", "1", r#""{}""#, "null"] {
            assert_eq!(
                read_members(not_object, ["a"], &[]),
                Err(ReadError::NotObject),
                "{not_object}"
            );
        }
        for (not_json, cause) in [
            (r#"{"a":[1,}"#, "expected value at line 1 column 9"),
            (r#"{"a":1} x"#, "trailing characters at line 1 column 9"),
            (r#"{"a":1}{}"#, "trailing characters at line 1 column 8"),
            ("", "EOF while parsing a value at line 1 column 0"),
            ("{", "EOF while parsing an object at line 1 column 1"),
            (r#"{"a":"\ud800"}"#, "unexpected end of hex escape"),
            (r#"{"\udc00":1}"#, "lone leading surrogate in hex escape"),
        ] {
            let Err(ReadError::Invalid(said)) = read_members(not_json, ["a"], &[]) else {
                panic!("{not_json}: not refused as invalid JSON");
            };
            assert!(said.starts_with(cause), "{not_json}: {said}");
        }
    }

    #[test]
    fn duplicates_of_named_members_are_refused() {
        assert_eq!(
            read_members(r#"{"exp":1,"exp":2}"#, ["exp"], &[]),
            Err(ReadError::Duplicate("exp".into()))
        );
        assert!(read_members(r#"{"x":1,"x":2}"#, ["exp"], &[]).is_ok());
    }

    #[test]
    fn parsed_values_give_the_same_shapes() {
        let value: Value = serde_json::from_str(r#"[1.5,"a",["b"],[],[1],{}]"#).unwrap();
        let shapes: Vec<_> = value
            .as_array()
            .unwrap()
            .iter()
            .map(Member::of_value)
            .collect();
        assert_eq!(
            shapes,
            [
                Member::Number(1.5),
                Member::Text("a".into()),
                Member::Texts(vec!["b".into()]),
                Member::Texts(vec![]),
                Member::Other,
                Member::Other
            ]
        );
    }
}
