//! Share links: a scenario as JSON, deflated, in URL-safe base64, in the URL fragment:
//! `#s=1.<payload>` where `1` names this codec. Decoding checks sizes before doing any work and
//! validates by replaying, so a hostile link can only ever produce an error message.

use super::{SCENARIO_VERSION, Scenario};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use miniz_oxide::inflate::decompress_to_vec_with_limit;
use serde_json::Value;
use std::fmt;

pub use crate::limits::{LINK_DECODED_MAX, LINK_ENCODED_MAX};

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

/// The fragment (without `#`) that carries `scenario`: `s=1.<payload>`.
pub fn encode_link(scenario: &Scenario) -> String {
    let json = serde_json::to_vec(scenario).expect("scenarios serialize");
    let packed = miniz_oxide::deflate::compress_to_vec(&json, 9);
    format!("s={CODEC}.{}", URL_SAFE_NO_PAD.encode(packed))
}

/// Reads a scenario from a share link, a bare fragment (`#s=…` or `s=…`), migrating older versions
/// and replaying it to make sure it is valid.
pub fn decode_link(link: &str) -> Result<Scenario, LinkError> {
    let fragment = unescape(link.split_once('#').map_or(link, |(_, f)| f).trim());
    let body = fragment.split('&').find_map(|part| part.strip_prefix("s=")).ok_or(LinkError::NoScenario)?;
    let (codec, payload) = body.split_once('.').ok_or(LinkError::NoScenario)?;
    if codec != CODEC {
        return Err(LinkError::UnknownCodec(codec.chars().take(16).collect()));
    }
    if payload.len() > LINK_ENCODED_MAX {
        return Err(LinkError::TooLong(payload.len()));
    }
    let packed = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).map_err(|_| LinkError::NotBase64)?;
    let json = decompress_to_vec_with_limit(&packed, LINK_DECODED_MAX).map_err(|e| match e.status {
        miniz_oxide::inflate::TINFLStatus::HasMoreOutput => LinkError::TooLarge,
        _ => LinkError::Corrupt,
    })?;
    scenario_from_json(&json)
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
