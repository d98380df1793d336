//! Durations as seconds, or as jose-style text ("90s", "15 min", "2h", "7d").

use crate::error::{Error, ErrorCode, Result};

/// Parses "`<number> <unit>`" into whole seconds (rounded). Units: s/sec/secs/second(s),
/// m/min/mins/minute(s), h/hr/hrs/hour(s), d/day(s), w/week(s), y/yr/yrs/year(s) (365.25 days).
///
/// ```
/// assert_eq!(jwt_refresh::parse_duration("15m").unwrap(), 900);
/// assert_eq!(jwt_refresh::parse_duration("1.5 hours").unwrap(), 5400);
/// ```
pub fn parse_duration(text: &str) -> Result<u64> {
    let invalid = || {
        Error::new(
            ErrorCode::InvalidOptions,
            format!("invalid duration \"{text}\" (examples: \"90s\", \"15m\", \"2h\", \"7d\")"),
        )
    };
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .ok_or_else(invalid)?;
    let (number, unit) = text.split_at_checked(split).ok_or_else(invalid)?;
    let value = decimal(number).ok_or_else(invalid)?;
    let unit_seconds = match unit.trim_start() {
        "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
        "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3600.0,
        "d" | "day" | "days" => 86_400.0,
        "w" | "week" | "weeks" => 604_800.0,
        "y" | "yr" | "yrs" | "year" | "years" => 31_557_600.0,
        _ => return Err(invalid()),
    };
    seconds_from_f64(value * unit_seconds).ok_or_else(invalid)
}

/// `digits` or `digits.digits`, as jose accepts (f64's own parser would cost several KB of
/// wasm for exponents and rounding that durations never need).
fn decimal(number: &str) -> Option<f64> {
    let all_digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    let (whole, fraction) = number.split_once('.').unwrap_or((number, "0"));
    if !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    let value = |digits: &str| {
        digits
            .bytes()
            .fold(0.0, |acc, d| acc * 10.0 + f64::from(d - b'0'))
    };
    Some(value(whole) + value(fraction) / 10f64.powi(i32::try_from(fraction.len()).ok()?))
}

/// Whole seconds from a non-negative finite number of seconds (rounded), if it fits.
pub fn seconds_from_f64(seconds: f64) -> Option<u64> {
    // 2^53: past that f64 stops being exact, and no sane duration is that long.
    if seconds.is_finite() && (0.0..9_007_199_254_740_992.0).contains(&seconds) {
        Some(seconds.round() as u64)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_and_rejects_nonsense() {
        assert_eq!(parse_duration("90s").unwrap(), 90);
        assert_eq!(parse_duration("2 h").unwrap(), 7200);
        assert_eq!(parse_duration("7d").unwrap(), 604_800);
        assert_eq!(parse_duration("1w").unwrap(), 604_800);
        assert_eq!(parse_duration("0.5m").unwrap(), 30);
        assert_eq!(parse_duration("1.25 hours").unwrap(), 4500);
        assert_eq!(parse_duration("007 s").unwrap(), 7);
        for bad in [
            "",
            "m",
            "10",
            "10x",
            "-5m",
            "1.2.3s",
            ".5m",
            "5.m",
            "1..5h",
            "1e9y",
            "NaNs",
            "99999999999999999999y",
        ] {
            assert_eq!(
                parse_duration(bad).unwrap_err().code(),
                ErrorCode::InvalidOptions,
                "{bad}"
            );
        }
    }
}
