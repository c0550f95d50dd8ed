//! Share links: golden links from released versions keep opening; any scenario round-trips; hostile
//! bytes never panic the decoder.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use sysplay::scenario::{
    LINK_ENCODED_MAX, Scenario, decode_link, encode_link, is_link_fragment, link_moment, preset, presets,
};
use sysplay::sim::hashing::{HashingAction, HashingConfig, HashingLab, ServerSpec};

const GOLDEN: &str = include_str!("golden/links.txt");

#[test]
fn golden_links_keep_opening_with_the_same_numbers() {
    let mut checked = 0;
    for line in GOLDEN.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let fields: Vec<&str> = line.split('\t').collect();
        let [name, link, digest] = fields[..] else { panic!("bad golden line: {line}") };
        let scenario = decode_link(link).unwrap_or_else(|e| panic!("{name}: {e}"));
        let want = u64::from_str_radix(digest, 16).unwrap();
        assert_eq!(scenario.run().unwrap().digest(), want, "{name} replays differently");
        checked += 1;
    }
    assert!(checked >= 5);
}

/// A line commented out as `# superseded: name<TAB>link<TAB>digest` recorded numbers of a model since
/// corrected (the file says why). Its link must still open and replay cleanly, and a live line below it
/// must pin the same link's numbers now.
#[test]
fn superseded_golden_links_still_open_and_are_pinned_again() {
    let live: Vec<&str> = GOLDEN.lines().filter(|l| !l.starts_with('#')).collect();
    let mut checked = 0;
    for line in GOLDEN.lines().filter_map(|l| l.strip_prefix("# superseded: ")) {
        let fields: Vec<&str> = line.split('\t').collect();
        let [name, link, digest] = fields[..] else { panic!("bad superseded line: {line}") };
        let scenario = decode_link(link).unwrap_or_else(|e| panic!("{name}: {e}"));
        let run = scenario.run().unwrap();
        if let sysplay::scenario::LabRun::Pubsub(p) = &run {
            assert!(p.violations.is_empty(), "{name}: {:?}", p.violations);
        }
        let now = run.digest();
        assert_ne!(format!("{now:016x}"), digest, "{name} replays as recorded: it is not superseded");
        assert!(
            live.iter()
                .any(|l| l.split('\t').nth(1) == Some(link)
                    && l.split('\t').nth(2) == Some(format!("{now:016x}").as_str())),
            "{name}: no live line pins this link's digest {now:016x}"
        );
        checked += 1;
    }
    assert_eq!(checked, 4, "the four pub/sub lines of the one-queue-per-subscription model");
}

#[test]
fn every_preset_is_in_the_golden_file() {
    for p in presets() {
        assert!(GOLDEN.lines().any(|l| l.starts_with(&format!("{}\t", p.name))), "{} has no golden link", p.name);
    }
}

#[test]
fn preset_links_stay_well_under_the_limit() {
    for p in presets() {
        assert!(encode_link(&p.scenario).len() < LINK_ENCODED_MAX / 8, "{}", p.name);
    }
}

#[test]
fn tampered_scenarios_get_a_message() {
    let tamper = |json: &str| {
        let packed = miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 6);
        use base64::Engine;
        let link = format!("s=1.{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(packed));
        decode_link(&link).unwrap_err().to_string()
    };
    let base = r#"{"version":1,"seed":1,"lab":"hashing","config":{"ring_size":100,"key_count":10,"servers":[{"name":"A"}]},"actions":ACTIONS}"#;
    let msg = tamper(&base.replace("ACTIONS", r#"[[0,{"type":"remove_server","name":"B"}]]"#));
    assert!(msg.contains("no server named \"B\""), "{msg}");
    let msg = tamper(&base.replace("ACTIONS", r#"[[0,{"type":"set_key_count","key_count":5000000}]]"#));
    assert!(msg.contains("at most 1000000 keys"), "{msg}");
    let msg = tamper(&base.replace("ACTIONS", r#"[[0,{"type":"explode"}]]"#));
    assert!(msg.contains("does not hold a valid scenario"), "{msg}");
    let msg = tamper(&base.replace("\"ring_size\":100", "\"ring_size\":0").replace("ACTIONS", "[]"));
    assert!(msg.contains("ring size M must be at least 1"), "{msg}");
    let msg = tamper(r#"{"version":1,"seed":1,"lab":"teleport"}"#);
    assert!(msg.contains("does not hold a valid scenario"), "{msg}");
}

fn arb_scenario() -> impl Strategy<Value = Scenario> {
    let servers = prop::collection::vec(prop::option::of(any::<u64>()), 0..8);
    let actions = prop::collection::vec((0u8..8, any::<u64>(), any::<u16>()), 0..20);
    (any::<u64>(), 1u64..u64::MAX, 0u32..300, servers, actions, 1u32..5).prop_map(
        |(seed, m, keys, servers, raw, vnodes)| {
            let config = HashingConfig {
                ring_size: m,
                key_count: keys,
                vnodes,
                servers: servers
                    .iter()
                    .enumerate()
                    .map(|(i, p)| ServerSpec { name: format!("S{i}"), position: p.map(|p| p % m), weight: 1 })
                    .collect(),
                ..HashingConfig::default()
            };
            let mut scenario = Scenario::hashing(seed, config.clone());
            let mut lab = HashingLab::new(seed, &config).unwrap();
            for (kind, x, y) in raw {
                let names: Vec<String> = lab.membership().servers.iter().map(|s| s.name.clone()).collect();
                let some_name = names.get(y as usize % names.len().max(1)).cloned().unwrap_or_default();
                let ring = lab.membership().ring_size;
                let action = match kind % 8 {
                    0 => {
                        HashingAction::AddServer { name: format!("N{y}é"), position: (x % 2 == 0).then_some(x % ring) }
                    }
                    1 => HashingAction::RemoveServer { name: some_name },
                    2 => HashingAction::PlaceServer { name: some_name, position: Some(x % ring) },
                    3 => HashingAction::SetRingSize { ring_size: x.max(1) },
                    4 => HashingAction::SetKeyCount { key_count: u32::from(y) },
                    6 => HashingAction::SetVnodes { vnodes: 1 + (y % 8) as u32 },
                    7 => HashingAction::SetWeight { name: some_name, weight: 1 + (x % 4) as u32 },
                    _ => HashingAction::Probe { hash: x },
                };
                // Keep only the actions the page would accept.
                if lab.apply(&action).is_ok() {
                    scenario.push::<sysplay::sim::hashing::Hashing>(0, action);
                }
            }
            scenario
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn any_scenario_round_trips(s in arb_scenario()) {
        let link = encode_link(&s);
        prop_assert_eq!(decode_link(&link), Ok(s));
    }

    #[test]
    fn random_bytes_never_panic_the_decoder(bytes in prop::collection::vec(any::<u8>(), 0..2000)) {
        use base64::Engine;
        let link = format!("s=1.{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes));
        let _ = decode_link(&link);
    }

    #[test]
    fn random_text_never_panics_the_decoder(text in ".{0,400}") {
        let _ = decode_link(&text);
        let _ = decode_link(&format!("#s=1.{text}"));
    }

    #[test]
    fn flipped_bytes_of_a_real_link_never_panic(s in arb_scenario(), at: usize, bit in 0u8..8) {
        use base64::Engine;
        let link = encode_link(&s);
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let mut packed = engine.decode(&link[4..]).unwrap();
        let i = at % packed.len();
        packed[i] ^= 1 << bit;
        let _ = decode_link(&format!("s=1.{}", engine.encode(&packed)));
    }
}

#[test]
fn percent_encoded_links_open_the_same_session() {
    let scenario = preset("ring-add-s3").unwrap().scenario;
    let link = encode_link(&scenario);
    assert!(link.starts_with("s=") && !link.contains('%'), "{link}");
    // Chat apps and mail clients escape `=` and `&`; the link still opens, at its moment.
    for escaped in [link.replacen("s=", "s%3D", 1), link.replacen("s=", "s%3d", 1)] {
        assert!(is_link_fragment(&escaped) && is_link_fragment(&format!("#{escaped}")), "{escaped}");
        assert_eq!(decode_link(&format!("#{escaped}")).unwrap(), scenario);
        assert_eq!(link_moment(&format!("#{escaped}%26t%3D2.5")), Some(2_500_000));
    }
    // Not a link: other fragments, and broken escapes, which stay as typed.
    assert!(!is_link_fragment("main") && !is_link_fragment("#about") && !is_link_fragment("s%3"));
    assert!(decode_link("#s%3").is_err());
}
