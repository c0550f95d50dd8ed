//! The command line: presets and scenario files in, JSON out; errors on stderr with a non-zero exit.
#![cfg(not(target_arch = "wasm32"))]

use std::process::Command;

fn sysplay(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sysplay")).args(args).output().expect("runs");
    (out.status.success(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn run_preset_prints_the_metrics_as_json() {
    let (ok, out, _) = sysplay(&["run", "--preset", "modulo-4-to-5"]);
    assert!(ok);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["lab"], "hashing");
    assert_eq!(v["last_change"]["modulo"]["moved_space_pct"], 80.0);
}

#[test]
fn link_round_trips_through_a_file() {
    let dir = std::env::temp_dir().join(format!("sysplay-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (ok, link, _) = sysplay(&["link", "--preset", "ring-skew"]);
    assert!(ok && link.contains("#s=1."));
    let (ok, json, _) = sysplay(&["link", "--decode", link.trim()]);
    assert!(ok);
    let file = dir.join("skew.json");
    std::fs::write(&file, &json).unwrap();
    let (ok, again, _) = sysplay(&["link", file.to_str().unwrap()]);
    assert!(ok);
    assert_eq!(again.trim(), link.trim());
    let (ok, from_file, _) = sysplay(&["run", file.to_str().unwrap()]);
    let (_, from_link, _) = sysplay(&["run", link.trim()]);
    assert!(ok);
    assert_eq!(from_file, from_link);
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn errors_go_to_stderr_with_a_failure_exit() {
    for args in [
        &["run", "--preset", "nope"][..],
        &["run", "/no/such/file.json"],
        &["run", "http://x/#s=1.@@@"],
        &["link", "--decode", "not a link"],
    ] {
        let (ok, out, err) = sysplay(args);
        assert!(!ok, "{args:?} should fail");
        assert!(out.is_empty());
        assert!(err.starts_with("sysplay: "), "{err}");
    }
    let (_, _, err) = sysplay(&["run", "--preset", "nope"]);
    assert!(err.contains("modulo-4-to-5"), "lists the presets: {err}");
}

/// A hashing scenario of `n` hand-placed servers with 24-character names that do not compress.
fn hand_placed_json(n: u64) -> String {
    let servers: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            let h = sysplay::sim::hash::splitmix64(i + 1);
            let tail: String = (0..21).map(|k| char::from(b'a' + ((h >> (k * 3)) % 26) as u8)).collect();
            serde_json::json!({ "name": format!("{i:03}{tail}"), "position": h % 4_294_967_296 })
        })
        .collect();
    serde_json::json!({
        "version": 1, "seed": 7, "lab": "hashing",
        "config": { "ring_size": 4_294_967_296u64, "key_count": 1000, "servers": servers },
        "actions": []
    })
    .to_string()
}

#[test]
fn link_refuses_a_session_over_the_cap_which_runs_from_its_file() {
    let dir = std::env::temp_dir().join(format!("sysplay-cli-big-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("big.json");
    std::fs::write(&file, hand_placed_json(400)).unwrap();
    let (ok, out, err) = sysplay(&["link", file.to_str().unwrap()]);
    assert!(!ok, "a link over the cap would not open: {} characters", out.len());
    assert!(out.is_empty());
    assert!(err.starts_with("sysplay: This session is too large for a share link"), "{err}");
    assert!(err.contains("8,192"), "names the cap: {err}");
    // The file itself runs, natively as in the page.
    let (ok, out, err) = sysplay(&["run", file.to_str().unwrap()]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["lab"], "hashing");
    // A session under the cap still gets its link, and the link opens.
    std::fs::write(&file, hand_placed_json(100)).unwrap();
    let (ok, link, err) = sysplay(&["link", file.to_str().unwrap()]);
    assert!(ok, "{err}");
    let (ok, _, err) = sysplay(&["run", link.trim()]);
    assert!(ok, "{err}");
    // A file over the file cap is refused before it is parsed.
    std::fs::write(&file, " ".repeat(sysplay::limits::SCENARIO_FILE_MAX + 1)).unwrap();
    let (ok, _, err) = sysplay(&["run", file.to_str().unwrap()]);
    assert!(!ok && err.contains("too large"), "{err}");
    std::fs::remove_dir_all(dir).ok();
}
