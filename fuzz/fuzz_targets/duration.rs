//! Duration text ("15m", "1.5 hours") and numeric seconds from JS numbers.
#![no_main]

use jwt_refresh::{parse_duration, seconds_from_f64};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parse_duration(&String::from_utf8_lossy(data));
    if let Ok(bytes) = <[u8; 8]>::try_from(data.get(..8).unwrap_or_default()) {
        let _ = seconds_from_f64(f64::from_le_bytes(bytes));
    }
});
