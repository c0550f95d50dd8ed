//! `sysplay run --preset` on the publish/subscribe presets prints the report as JSON.
#![cfg(not(target_arch = "wasm32"))]

use std::process::Command;
use sysplay::sim::pubsub::presets::EMAIL_DOWN_S;
use sysplay::sim::pubsub::pubsub_preset;

fn sysplay(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sysplay")).args(args).output().expect("runs");
    (out.status.success(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn fanout_email_down_prints_lost_duplicates_and_missed() {
    let (ok, out, err) = sysplay(&["run", "--preset", "fanout-email-down", "--digest"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["lab"], "pubsub");
    assert_eq!(v["lost"], 0);
    assert_eq!(v["duplicates"], 0);
    assert!(v.get("dead_lettered").is_none(), "retries are not modelled, so no dead-letter count");
    assert_eq!(v["invariant_violations"], serde_json::json!([]));
    // missed: exactly the order_created published while Push (ephemeral) was down, counted from the
    // core's publish log of the same preset.
    let (down, up) = (EMAIL_DOWN_S.0 * 1_000_000, EMAIL_DOWN_S.1 * 1_000_000);
    let in_window = pubsub_preset("fanout-email-down")
        .unwrap()
        .run()
        .snapshot()
        .events
        .iter()
        .filter(|e| e.accepted && e.topic == "order_created" && (down..up).contains(&e.at_us))
        .count() as u64;
    assert!(in_window > 10);
    assert_eq!(v["missed"], in_window);
    let push = v["queues"].as_array().unwrap().iter().find(|s| s["service"] == "Push").unwrap();
    assert_eq!(push["missed"], in_window);
    let email = v["queues"].as_array().unwrap().iter().find(|s| s["service"] == "Email").unwrap();
    assert_eq!(email["catch_ups"][0]["restart_at_s"].as_f64(), Some(EMAIL_DOWN_S.1 as f64));
    assert_eq!(email["handled"], email["matched"]);
    let digest: u64 = include!("golden/pubsub_digest.txt");
    assert_eq!(v["digest"], format!("{digest:016x}"));
}

#[test]
fn the_broker_crash_presets_differ_in_lost() {
    let lost = |name: &str| {
        let (ok, out, err) = sysplay(&["run", "--preset", name]);
        assert!(ok, "{err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        (v["lost"].as_u64().unwrap(), v["duplicates"].as_u64().unwrap(), v["rejected"].as_u64().unwrap())
    };
    let (disk_lost, disk_dups, disk_rejected) = lost("broker-crash-persistent");
    let (mem_lost, _, mem_rejected) = lost("broker-crash-in-memory");
    assert_eq!((disk_lost, disk_dups), (0, 1));
    assert!(mem_lost > 0);
    assert_eq!(disk_rejected, mem_rejected);
}
