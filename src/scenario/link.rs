//! Share links: a scenario as JSON, deflated, in URL-safe base64, in the URL fragment:
//! `#s=1.<payload>` where `1` names this codec. Decoding checks sizes before doing any work and
//! validates by replaying, so a hostile link can only ever produce an error message.
//!
//! A session too large for a link (`share_fragment` says so, with the size and the cap, before anything
//! is copied) travels as a scenario file instead: the same JSON the link carries (`scenario_file`),
//! opened by the page and `sysplay run` through the same parsing and checks (`scenario_from_file`).

use super::{SCENARIO_VERSION, Scenario};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use miniz_oxide::inflate::decompress_to_vec_with_limit;
use serde_json::Value;
use std::fmt;

pub use crate::limits::{LINK_DECODED_MAX, LINK_ENCODED_MAX, SCENARIO_FILE_MAX};
use crate::sim::budget::thousands;

const CODEC: &str = "1";

/// Why a link could not be opened. Every variant reads as a sentence for the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkError {
    NoScenario,
    UnknownCodec(String),
    TooLong(usize),
    NotBase64,
    Corrupt,
    TooLarge,
    NotJson(String),
    TooNew(u64),
    Invalid(String),
}

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoScenario => write!(f, "This link holds no scenario (expected #s=… after the address)."),
            Self::UnknownCodec(c) => {
                write!(f, "This link uses an unknown format (\"{c}\"); it may be from a newer Sysplay.")
            }
            Self::TooLong(n) => {
                write!(f, "This link is too long ({n} characters; the limit is {LINK_ENCODED_MAX}).")
            }
            Self::NotBase64 => write!(f, "This link is damaged: it contains characters a share link never has."),
            Self::Corrupt => write!(f, "This link is damaged or cut short: its data does not unpack."),
            Self::TooLarge => {
                write!(
                    f,
                    "This link unpacks to more than {} KiB, more than any scenario needs.",
                    LINK_DECODED_MAX / 1024
                )
            }
            Self::NotJson(e) => write!(f, "This link does not hold a valid scenario: {e}."),
            Self::TooNew(v) => write!(
                f,
                "This link was made by a newer Sysplay (scenario version {v}; this page reads up to {SCENARIO_VERSION})."
            ),
            Self::Invalid(e) => write!(f, "This link's scenario cannot be replayed: {e}."),
        }
    }
}

impl std::error::Error for LinkError {}

/// Why a session cannot travel as a share link: a link made of it would be refused when opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TooBigForLink {
    /// Its link's payload would be this many characters (more than `LINK_ENCODED_MAX`).
    Encoded(usize),
    /// Its scenario is this many bytes of JSON (more than `LINK_DECODED_MAX`).
    Decoded(usize),
}

impl fmt::Display for TooBigForLink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Encoded(n) => write!(
                f,
                "This session is too large for a share link: its link would be {} characters long, and a link \
                 holds at most {}.",
                thousands(*n as u64),
                thousands(LINK_ENCODED_MAX as u64)
            ),
            Self::Decoded(n) => write!(
                f,
                "This session is too large for a share link: it is {} bytes of scenario, and a link unpacks to \
                 at most {}.",
                thousands(*n as u64),
                thousands(LINK_DECODED_MAX as u64)
            ),
        }
    }
}

impl std::error::Error for TooBigForLink {}

/// The fragment (without `#`) that carries `scenario`: `s=1.<payload>`, whatever its size. To hand a
/// link to someone, use `share_fragment`, which refuses what `decode_link` would refuse.
pub fn encode_link(scenario: &Scenario) -> String {
    let json = serde_json::to_vec(scenario).expect("scenarios serialize");
    encode_json(&json)
}

fn encode_json(json: &[u8]) -> String {
    let packed = miniz_oxide::deflate::compress_to_vec(json, 9);
    format!("s={CODEC}.{}", URL_SAFE_NO_PAD.encode(packed))
}

/// The fragment of a link that opens `scenario`, or why no link can carry it: exactly the sizes
/// `decode_link` checks (so a link given out always opens).
pub fn share_fragment(scenario: &Scenario) -> Result<String, TooBigForLink> {
    let json = serde_json::to_vec(scenario).expect("scenarios serialize");
    if json.len() > LINK_DECODED_MAX {
        return Err(TooBigForLink::Decoded(json.len()));
    }
    let fragment = encode_json(&json);
    let payload = fragment.len() - format!("s={CODEC}.").len();
    if payload > LINK_ENCODED_MAX {
        return Err(TooBigForLink::Encoded(payload));
    }
    Ok(fragment)
}

/// Whether a link can carry `scenario` (what `share_fragment` checks, without keeping the link). Cheap
/// for most sessions: JSON this short cannot reach the cap however it packs (deflate adds at most a few
/// bytes to incompressible data, base64 writes 4 characters for 3 bytes).
pub fn fits_link(scenario: &Scenario) -> Result<(), TooBigForLink> {
    let json_len = serde_json::to_vec(scenario).expect("scenarios serialize").len();
    if json_len + 16 <= LINK_ENCODED_MAX / 4 * 3 {
        return Ok(());
    }
    share_fragment(scenario).map(|_| ())
}

/// Why a scenario file could not be opened. Every variant reads as a sentence for the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileError {
    TooLarge(usize),
    NotJson(String),
    TooNew(u64),
    Invalid(String),
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLarge(n) => write!(
                f,
                "This file is too large for a scenario ({} bytes; the limit is {}).",
                thousands(*n as u64),
                thousands(SCENARIO_FILE_MAX as u64)
            ),
            Self::NotJson(e) => write!(f, "This file does not hold a Sysplay scenario: {e}."),
            Self::TooNew(v) => write!(
                f,
                "This file was made by a newer Sysplay (scenario version {v}; this page reads up to {SCENARIO_VERSION})."
            ),
            Self::Invalid(e) => write!(f, "This file's scenario cannot be replayed: {e}."),
        }
    }
}

impl std::error::Error for FileError {}

/// A scenario file's text: exactly the JSON a share link carries, with a final newline. (Not indented:
/// a pretty printer is a second copy of every lab's serializer in the wasm, about 9 KB gzip.)
pub fn scenario_file(scenario: &Scenario) -> String {
    serde_json::to_string(scenario).expect("scenarios serialize") + "\n"
}

/// Reads a scenario file (or any scenario JSON, such as the autosave), checking its size before any
/// work, then migrating and validating it as a link's scenario is.
pub fn scenario_from_file(bytes: &[u8]) -> Result<Scenario, FileError> {
    if bytes.len() > SCENARIO_FILE_MAX {
        return Err(FileError::TooLarge(bytes.len()));
    }
    scenario_from_json(bytes).map_err(|e| match e {
        LinkError::TooNew(v) => FileError::TooNew(v),
        LinkError::Invalid(e) => FileError::Invalid(e),
        LinkError::NotJson(e) => FileError::NotJson(e),
        other => FileError::NotJson(other.to_string()),
    })
}

/// Reads a scenario from a share link, a bare fragment (`#s=…` or `s=…`), migrating older versions
/// and replaying it to make sure it is valid.
pub fn decode_link(link: &str) -> Result<Scenario, LinkError> {
    decode_with_caps(link, LINK_ENCODED_MAX, LINK_DECODED_MAX)
}

/// Reads a link fragment saved by the page itself (the autosave of older versions), whatever its
/// length: the autosave is not bound by what a link can carry, only by a scenario file's size.
pub fn decode_saved(link: &str) -> Result<Scenario, LinkError> {
    decode_with_caps(link, 2 * SCENARIO_FILE_MAX, SCENARIO_FILE_MAX)
}

fn decode_with_caps(link: &str, encoded_max: usize, decoded_max: usize) -> Result<Scenario, LinkError> {
    scenario_from_json(&link_json(link, encoded_max, decoded_max)?)
}

/// A link's JSON, unpacked within the caps.
fn link_json(link: &str, encoded_max: usize, decoded_max: usize) -> Result<Vec<u8>, LinkError> {
    let fragment = unescape(link.split_once('#').map_or(link, |(_, f)| f).trim());
    let body = fragment.split('&').find_map(|part| part.strip_prefix("s=")).ok_or(LinkError::NoScenario)?;
    let (codec, payload) = body.split_once('.').ok_or(LinkError::NoScenario)?;
    if codec != CODEC {
        return Err(LinkError::UnknownCodec(codec.chars().take(16).collect()));
    }
    if payload.len() > encoded_max {
        return Err(LinkError::TooLong(payload.len()));
    }
    let packed = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).map_err(|_| LinkError::NotBase64)?;
    decompress_to_vec_with_limit(&packed, decoded_max).map_err(|e| match e.status {
        miniz_oxide::inflate::TINFLStatus::HasMoreOutput => LinkError::TooLarge,
        _ => LinkError::Corrupt,
    })
}

/// The key of the lab a link is for (its scenario's `lab` field), read without replaying it: a page that
/// holds only its own lab's code sends a link of another lab to that lab's page.
pub fn link_lab(link: &str) -> Option<String> {
    let json = link_json(link, LINK_ENCODED_MAX, LINK_DECODED_MAX).ok()?;
    let value: Value = serde_json::from_slice(&json).ok()?;
    value.get("lab")?.as_str().map(str::to_string)
}

/// The virtual moment a link opens at, µs: its `t=SECONDS` parameter (`…#s=1.…&t=62.5`). A missing,
/// negative or unreadable value means the start; the page clamps a moment past the end to the end.
pub fn link_moment(link: &str) -> Option<u64> {
    let fragment = unescape(link.split_once('#').map_or(link, |(_, f)| f).trim());
    let seconds: f64 = fragment.split('&').find_map(|part| part.strip_prefix("t="))?.parse().ok()?;
    (seconds.is_finite() && seconds > 0.0).then(|| (seconds * 1e6).round().min(u64::MAX as f64) as u64)
}

/// Whether a page's fragment carries a scenario (`s=…`, or `s%3D…` as some apps percent-encode it).
pub fn is_link_fragment(fragment: &str) -> bool {
    unescape(fragment).split('&').any(|part| part.trim_start_matches('#').starts_with("s="))
}

/// The fragment with its `%XX` escapes decoded (a link's payload never holds `%`, so an escaped `=` or
/// `&`, as chat apps and mail clients write them, means the same link). Invalid escapes stay as typed.
fn unescape(fragment: &str) -> std::borrow::Cow<'_, str> {
    if !fragment.contains('%') {
        return fragment.into();
    }
    let bytes = fragment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned().into()
}

/// Parses scenario JSON (from a link or a file), migrating and validating it.
pub fn scenario_from_json(json: &[u8]) -> Result<Scenario, LinkError> {
    let value: Value = serde_json::from_slice(json).map_err(|e| LinkError::NotJson(e.to_string()))?;
    let value = migrate(value)?;
    let scenario: Scenario = serde_json::from_value(value).map_err(|e| LinkError::NotJson(e.to_string()))?;
    scenario.check().map_err(LinkError::Invalid)?;
    Ok(scenario)
}

/// Brings a scenario of any released version up to `SCENARIO_VERSION`, one version at a time. When the
/// schema changes, add a step here and keep the old links in `tests/golden/links.txt` opening.
fn migrate(value: Value) -> Result<Value, LinkError> {
    let version = value
        .get("version")
        .and_then(Value::as_u64)
        .ok_or_else(|| LinkError::NotJson("missing field `version`".into()))?;
    match version {
        0 => Err(LinkError::NotJson("version 0 does not exist".into())),
        v if v > u64::from(SCENARIO_VERSION) => Err(LinkError::TooNew(v)),
        _ => Ok(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_the_default_scenario() {
        let s = Scenario::default();
        let link = encode_link(&s);
        assert!(link.starts_with("s=1."));
        assert_eq!(decode_link(&link), Ok(s.clone()));
        assert_eq!(decode_link(&format!("http://127.0.0.1:8080/#{link}")), Ok(s));
    }

    #[test]
    fn a_links_lab_is_read_without_replaying_it() {
        assert_eq!(link_lab(&encode_link(&Scenario::default())).as_deref(), Some("hashing"));
        assert_eq!(link_lab("#s=1.AAAA"), None);
        assert_eq!(link_lab("#about"), None);
    }

    #[test]
    fn truncated_link_is_a_clear_error() {
        let link = encode_link(&Scenario::default());
        let cut = &link[..link.len() - 10];
        assert!(matches!(decode_link(cut), Err(LinkError::Corrupt | LinkError::NotJson(_) | LinkError::NotBase64)));
    }

    #[test]
    fn oversized_links_are_refused_before_decoding() {
        let link = format!("s=1.{}", "A".repeat(LINK_ENCODED_MAX + 1));
        assert_eq!(decode_link(&link), Err(LinkError::TooLong(LINK_ENCODED_MAX + 1)));
    }

    #[test]
    fn decompression_bombs_are_refused() {
        let bomb = miniz_oxide::deflate::compress_to_vec(&vec![b' '; LINK_DECODED_MAX * 4], 9);
        let link = format!("s=1.{}", URL_SAFE_NO_PAD.encode(bomb));
        assert!(link.len() < LINK_ENCODED_MAX);
        assert_eq!(decode_link(&link), Err(LinkError::TooLarge));
    }

    #[test]
    fn a_link_carries_its_moment() {
        let link = format!("http://127.0.0.1:8080/#{}&t=62.5", encode_link(&Scenario::default()));
        assert_eq!(link_moment(&link), Some(62_500_000));
        assert_eq!(decode_link(&link), Ok(Scenario::default()), "the moment does not change the scenario");
        for bad in ["#s=1.x", "#s=1.x&t=-3", "#s=1.x&t=abc", "#s=1.x&t=NaN", "#s=1.x&t=inf", "#s=1.x&t=0"] {
            assert_eq!(link_moment(bad), None, "{bad}");
        }
        assert_eq!(link_moment("#s=1.x&t=1e300"), Some(u64::MAX));
    }

    /// A hashing session of `n` hand-placed servers with 24-character names that do not compress.
    fn hand_placed(n: usize) -> Scenario {
        let servers: Vec<Value> = (0..n as u64)
            .map(|i| {
                let h = crate::sim::hash::splitmix64(i + 1);
                let tail: String = (0..21).map(|k| char::from(b'a' + ((h >> (k * 3)) % 26) as u8)).collect();
                serde_json::json!({ "name": format!("{i:03}{tail}"), "position": h % 4_294_967_296 })
            })
            .collect();
        let json = serde_json::json!({
            "version": 1, "seed": 7, "lab": "hashing",
            "config": { "ring_size": 4_294_967_296u64, "key_count": 1000, "servers": servers },
            "actions": []
        });
        scenario_from_json(json.to_string().as_bytes()).expect("a valid session")
    }

    #[test]
    fn a_link_given_out_always_opens() {
        // Around the cap: every session either gets a link that opens, or is refused with its size.
        let mut refused = 0;
        for n in [10, 200, 255, 258, 260, 262, 264, 266, 270, 400] {
            let s = hand_placed(n);
            assert_eq!(fits_link(&s), share_fragment(&s).map(|_| ()), "{n} servers");
            match share_fragment(&s) {
                Ok(fragment) => {
                    assert_eq!(fragment, encode_link(&s));
                    assert_eq!(decode_link(&fragment), Ok(s), "{n} servers");
                }
                Err(TooBigForLink::Encoded(len)) => {
                    refused += 1;
                    assert!(len > LINK_ENCODED_MAX);
                    assert_eq!(decode_link(&encode_link(&s)), Err(LinkError::TooLong(len)), "{n} servers");
                }
                Err(TooBigForLink::Decoded(len)) => panic!("{n} servers: {len} bytes of JSON"),
            }
        }
        assert!(refused >= 2, "the largest sessions are over the cap");
        assert!(share_fragment(&hand_placed(255)).is_ok(), "about 31 characters a server: 255 fit");
    }

    #[test]
    fn too_big_for_a_link_says_the_size_and_the_cap() {
        let e = share_fragment(&hand_placed(400)).unwrap_err();
        let msg = e.to_string();
        assert!(msg.starts_with("This session is too large for a share link") && msg.ends_with('.'), "{msg}");
        assert!(msg.contains("8,192"), "{msg}");
        let TooBigForLink::Encoded(n) = e else { panic!("{e:?}") };
        assert!(msg.contains(&thousands(n as u64)), "{msg}");
        let decoded = TooBigForLink::Decoded(70_000).to_string();
        assert!(decoded.contains("70,000") && decoded.contains("65,536"), "{decoded}");
    }

    #[test]
    fn a_session_too_big_for_a_link_travels_as_a_file() {
        let s = hand_placed(400);
        assert!(share_fragment(&s).is_err());
        let file = scenario_file(&s);
        assert_eq!(scenario_from_file(file.as_bytes()), Ok(s.clone()));
        // The same JSON the link carries.
        assert_eq!(scenario_from_json(serde_json::to_string(&s).unwrap().as_bytes()), Ok(s));
    }

    #[test]
    fn an_autosave_over_the_link_cap_still_opens() {
        // Older versions autosaved the session as a link fragment, whatever its length.
        let s = hand_placed(400);
        let fragment = encode_link(&s);
        assert!(matches!(decode_link(&fragment), Err(LinkError::TooLong(_))));
        assert_eq!(decode_saved(&fragment), Ok(s));
        let bomb = miniz_oxide::deflate::compress_to_vec(&vec![b' '; SCENARIO_FILE_MAX * 2], 9);
        assert_eq!(decode_saved(&format!("s=1.{}", URL_SAFE_NO_PAD.encode(bomb))), Err(LinkError::TooLarge));
    }

    #[test]
    fn bad_files_say_why() {
        let big = vec![b' '; SCENARIO_FILE_MAX + 1];
        assert_eq!(scenario_from_file(&big), Err(FileError::TooLarge(SCENARIO_FILE_MAX + 1)));
        let not_json = scenario_from_file(b"PK\x03\x04 a zip").unwrap_err();
        assert!(matches!(not_json, FileError::NotJson(_)));
        let newer = scenario_from_file(br#"{"version":99,"seed":1,"lab":"hashing","config":{},"actions":[]}"#);
        assert_eq!(newer, Err(FileError::TooNew(99)));
        let invalid = br#"{"version":1,"seed":1,"lab":"hashing","config":{"ring_size":100,"key_count":10,"servers":[]},"actions":[[1,{"RemoveServer":{"name":"nobody"}}]]}"#;
        let e = scenario_from_file(invalid);
        assert!(matches!(e, Err(FileError::Invalid(_)) | Err(FileError::NotJson(_))), "{e:?}");
        for e in [FileError::TooLarge(2_000_000), not_json, FileError::TooNew(99), FileError::Invalid("x".into())] {
            let msg = e.to_string();
            assert!(msg.starts_with("This file") && msg.ends_with('.'), "{msg}");
        }
    }

    #[test]
    fn newer_versions_say_so() {
        let json = br#"{"version":99,"seed":1,"lab":"hashing","config":{},"actions":[]}"#;
        assert_eq!(scenario_from_json(json), Err(LinkError::TooNew(99)));
    }

    #[test]
    fn messages_read_as_sentences() {
        for e in [LinkError::NoScenario, LinkError::Corrupt, LinkError::TooLong(9000), LinkError::NotBase64] {
            let msg = e.to_string();
            assert!(msg.starts_with("This link") && msg.ends_with('.'), "{msg}");
        }
    }
}
