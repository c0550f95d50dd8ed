//! `sysplay run --preset` for the partitioned-log lab: the report as JSON with the keys the issue names.
#![cfg(not(target_arch = "wasm32"))]

use std::process::Command;

fn sysplay(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sysplay")).args(args).output().expect("runs");
    (out.status.success(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn run_preset_prints_the_stream_report() {
    let get = |name: &str| {
        let (ok, out, err) = sysplay(&["run", "--preset", name, "--digest"]);
        assert!(ok, "{name}: {err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["lab"], "stream", "{name}");
        for key in ["lost", "duplicates", "produced"] {
            assert!(v[key].as_u64().is_some(), "{name}: {key} in {out}");
        }
        // Dead letters and missed subscribers do not apply to a partitioned log.
        assert!(v.get("dead_lettered").is_none() && v.get("missed").is_none(), "{name}");
        assert_eq!(v["invariant_violations"], serde_json::json!([]), "{name}");
        assert!(v["digest"].as_str().is_some_and(|d| d.len() == 16));
        v
    };
    let v = get("partition-rebalance");
    assert_eq!((v["lost"].as_u64(), v["duplicates"].as_u64()), (Some(0), Some(0)));
    let g = &v["groups"][0];
    assert_eq!(g["rebalances"].as_array().unwrap().len(), 1);
    assert!(g["paused_s"].as_f64().unwrap() >= 3.0);
    assert_eq!(g["lag_series"].as_array().unwrap().len(), 6, "one lag series per partition");
    assert!(get("commit-before-crash")["lost"].as_u64().unwrap() > 0);
    assert!(get("commit-after-crash")["duplicates"].as_u64().unwrap() > 0);
    let (_, again, _) = sysplay(&["run", "--preset", "partition-rebalance"]);
    let (_, once_more, _) = sysplay(&["run", "--preset", "partition-rebalance"]);
    assert_eq!(again, once_more, "same preset, same output");
    let (_, list, _) = sysplay(&["presets"]);
    assert!(list.contains("partition-rebalance") && list.contains("commit-after-crash"), "{list}");
}
