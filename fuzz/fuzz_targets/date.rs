//! Publication dates: text and timestamps either give a day or an error, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use newsdex::ingest::date::{from_unix, from_unix_f64, parse_date};

fuzz_target!(|data: &[u8]| {
    if data.len() >= 8 {
        let n = i64::from_le_bytes(data[..8].try_into().unwrap());
        let _ = from_unix(n);
        let _ = from_unix_f64(f64::from_bits(n as u64));
    }
    let text = String::from_utf8_lossy(data);
    let _ = parse_date(&text);
});
