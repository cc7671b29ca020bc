//! Bytes to text: BOMs, UTF-16, legacy single-byte encodings, binary and empty detection.
//!
//! Archives mix encodings (the BBC corpus has a Latin-1 file among UTF-8 ones), and dropping or
//! mangling an article because of its encoding loses data silently, so every parser gets its text
//! through here and only genuinely binary or empty files are refused.
use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, WINDOWS_1252};

use super::SkipReason;

/// How far into a file we look for NUL bytes and UTF-16 patterns.
const SNIFF_LEN: usize = 8 * 1024;

/// Decode a whole file. `Empty` for blank content, `Binary` for NUL bytes that are not UTF-16.
pub fn decode(bytes: &[u8]) -> Result<String, SkipReason> {
    let text = if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        decode_with(enc, &bytes[bom_len..])
    } else if let Some(enc) = sniff_utf16(bytes) {
        decode_with(enc, bytes)
    } else if bytes.iter().take(SNIFF_LEN).any(|&b| b == 0) {
        return Err(SkipReason::Binary);
    } else {
        // Valid UTF-8 (nearly every file) is taken as it is; detection runs only on the rest.
        match std::str::from_utf8(bytes) {
            Ok(s) => s.to_owned(),
            Err(_) => decode_with(detect(bytes), bytes),
        }
    };
    let text = strip_boms(text);
    if text.trim().is_empty() {
        return Err(SkipReason::Empty);
    }
    Ok(text)
}

/// Drop leading BOM characters (a file saved twice with a BOM keeps one in its text), in place.
fn strip_boms(mut text: String) -> String {
    let boms = text.len() - text.trim_start_matches('\u{feff}').len();
    if boms > 0 {
        text.drain(..boms);
    }
    text
}

fn decode_with(enc: &'static Encoding, bytes: &[u8]) -> String {
    enc.decode_without_bom_handling(bytes).0.into_owned()
}

/// Below this many non-ASCII bytes a detector has too little evidence to beat the prior.
const MIN_EVIDENCE: usize = 16;

/// Guess a legacy encoding for bytes that are not valid UTF-8.
///
/// With only a handful of non-ASCII bytes (the BBC file has one `£`) detectors pick Central
/// European code pages about as often as Western ones; Windows-1252 (a superset of Latin-1 for
/// printable text) is by far the likeliest for English-language news, so it wins unless the
/// detector is confident and has real evidence.
fn detect(bytes: &[u8]) -> &'static Encoding {
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    // UTF-8 was already ruled out; forbidding it makes the guess a real single-byte encoding.
    let (guess, confident) = detector.guess_assess(None, false);
    let evidence = bytes.iter().filter(|b| !b.is_ascii()).count();
    if confident && evidence >= MIN_EVIDENCE {
        guess
    } else {
        WINDOWS_1252
    }
}

/// BOM-less UTF-16 is recognisable because ASCII-range text puts a NUL in every other byte.
fn sniff_utf16(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(SNIFF_LEN)];
    let pairs = head.len() / 2;
    if pairs < 2 {
        return None;
    }
    let even_nul = head.iter().step_by(2).filter(|&&b| b == 0).count();
    let odd_nul = head.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
    let mostly = |n: usize| n * 10 >= pairs * 7;
    let rarely = |n: usize| n * 20 <= pairs;
    if mostly(odd_nul) && rarely(even_nul) {
        Some(UTF_16LE)
    } else if mostly(even_nul) && rarely(odd_nul) {
        Some(UTF_16BE)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(s: &str, le: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        if bom {
            out.extend(if le { [0xFF, 0xFE] } else { [0xFE, 0xFF] });
        }
        for u in s.encode_utf16() {
            out.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
        }
        out
    }

    #[test]
    fn utf8_passes_through_and_bom_is_stripped() {
        assert_eq!(decode("café".as_bytes()).unwrap(), "café");
        assert_eq!(decode(b"\xEF\xBB\xBFhello").unwrap(), "hello");
    }

    #[test]
    fn latin1_is_detected_not_dropped() {
        // "Señor café costs £5" in ISO-8859-1.
        let bytes = b"Se\xF1or caf\xE9 costs \xA35 and the r\xE9sum\xE9 was long";
        let text = decode(bytes).unwrap();
        assert!(text.contains("Señor café"), "{text}");
        assert!(text.contains('£'));
    }

    #[test]
    fn lone_pound_sign_is_windows_1252() {
        // The BBC corpus case: one 0xA3 byte in otherwise ASCII English text.
        let text =
            decode(b"Mutu, a \xA315.8m signing from Parma last season, was sacked.").unwrap();
        assert!(text.contains("a £15.8m signing"), "{text}");
    }

    #[test]
    fn utf16_with_bom_both_orders() {
        assert_eq!(
            decode(&utf16("Héllo wörld", true, true)).unwrap(),
            "Héllo wörld"
        );
        assert_eq!(
            decode(&utf16("Héllo wörld", false, true)).unwrap(),
            "Héllo wörld"
        );
    }

    #[test]
    fn utf16_without_bom_is_sniffed() {
        assert_eq!(
            decode(&utf16("Plain headline", true, false)).unwrap(),
            "Plain headline"
        );
    }

    #[test]
    fn binary_and_empty_are_refused() {
        assert_eq!(
            decode(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\x01\x02"),
            Err(SkipReason::Binary)
        );
        assert_eq!(decode(b""), Err(SkipReason::Empty));
        assert_eq!(decode(b"  \n\t\r\n"), Err(SkipReason::Empty));
        assert_eq!(decode(b"\xEF\xBB\xBF \n"), Err(SkipReason::Empty));
    }
}
