//! `sysplay queue` (plain M/M/c) and `sysplay shop` on the command line.
#![cfg(not(target_arch = "wasm32"))]

use std::process::Command;

fn sysplay(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sysplay")).args(args).output().expect("runs");
    (out.status.success(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn queue_prints_measured_and_theory_as_json() {
    let args = ["queue", "--servers", "2", "--arrival-rate", "1", "--service-rate", "0.75", "--orders", "20000"];
    let (ok, out, err) = sysplay(&args);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    for key in [
        "mean_wait_s",
        "mean_sojourn_s",
        "mean_in_system",
        "utilization",
        "p50_sojourn_s",
        "p95_sojourn_s",
        "p99_sojourn_s",
    ] {
        assert!(v[key].as_f64().is_some_and(|x| x.is_finite() && x >= 0.0), "{key} in {out}");
    }
    assert!((v["theory"]["mean_wait_s"].as_f64().unwrap() - 16.0 / 15.0).abs() < 1e-12);
    assert!((v["theory"]["erlang_c"].as_f64().unwrap() - 8.0 / 15.0).abs() < 1e-12);
    let w = v["mean_sojourn_s"].as_f64().unwrap();
    assert!((w - 2.4).abs() / 2.4 < 0.1, "{w}");
    let (_, again, _) = sysplay(&args);
    assert_eq!(out, again, "same seed, same output");
    let (_, other, _) = sysplay(&[&args[..], &["--seed", "2"]].concat());
    assert_ne!(out, other);
}

#[test]
fn queue_refuses_bad_parameters_with_a_clear_message() {
    let base = |c: &str, l: &str, mu: &str, n: &str| {
        vec!["queue", "--servers", c, "--arrival-rate", l, "--service-rate", mu, "--orders", n]
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>()
    };
    for (args, says) in [
        (base("1", "1", "1", "100"), "unstable"),
        (base("2", "5", "1", "100"), "unstable"),
        (base("0", "1", "2", "100"), "server"),
        (base("1", "-1", "2", "100"), "arrival rate"),
        (base("1", "NaN", "2", "100"), "arrival rate"),
        (base("1", "1", "-2", "100"), "service rate"),
        (base("1", "0.5", "1", "0"), "order"),
        (base("1", "0.5", "1", "10000001"), "10000000"),
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (ok, out, err) = sysplay(&args);
        assert!(!ok, "{args:?} should fail");
        assert!(out.is_empty());
        assert!(err.starts_with("sysplay: ") && err.contains(says), "{args:?}: {err}");
    }
    let (ok, _, err) = sysplay(&["queue", "--servers", "1"]);
    assert!(!ok && !err.is_empty());
}

#[test]
fn shop_presets_print_their_outcome() {
    let get = |name: &str| {
        let (ok, out, err) = sysplay(&["shop", "--preset", name]);
        assert!(ok, "{name}: {err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        for key in ["lost", "duplicates", "dead_lettered", "missed"] {
            assert!(v[key].is_u64(), "{name}: {key}");
        }
        assert_eq!(v["missed"], 0);
        assert_eq!(v["invariant_violations"], serde_json::json!([]));
        v
    };
    assert_eq!(get("shop-dies")["lost"], 0);
    assert!(get("shop-dies-in-memory")["lost"].as_u64().unwrap() > 0);
    assert!(get("slow-shop-duplicates")["duplicates"].as_u64().unwrap() > 0);
    assert_eq!(get("ring-redistribution")["duplicates"], 0);
    assert_eq!(get("poison-order")["dead_lettered"], 1);
    let (ok, _, err) = sysplay(&["shop", "--preset", "nope"]);
    assert!(!ok && err.contains("rush-hour"), "{err}");
    let (ok, list, _) = sysplay(&["shop", "--list"]);
    assert!(ok && list.contains("poison-order"));
}

#[test]
fn run_preset_prints_the_queue_metrics() {
    for name in
        ["rush-hour", "shop-dies", "shop-dies-in-memory", "slow-shop-duplicates", "ring-redistribution", "poison-order"]
    {
        let (ok, out, err) = sysplay(&["run", "--preset", name, "--digest"]);
        assert!(ok, "{name}: {err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["lab"], "queue", "{name}");
        for key in ["lost", "duplicates", "dead_lettered", "missed"] {
            assert!(v[key].as_u64().is_some(), "{name}: {key} in {out}");
        }
        assert_eq!(v["invariant_violations"], serde_json::json!([]), "{name}");
        assert!(v["digest"].as_str().is_some_and(|d| d.len() == 16));
    }
    let (_, out, _) = sysplay(&["run", "--preset", "shop-dies-in-memory"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["lost"].as_u64().unwrap() > 0);
    let (_, list, _) = sysplay(&["presets"]);
    assert!(list.contains("poison-order") && list.contains("add-fifth-server"), "{list}");
}

#[test]
fn run_until_prints_the_metrics_of_that_moment_from_a_preset_or_a_link() {
    let (ok, whole, err) = sysplay(&["run", "--preset", "shop-dies"]);
    assert!(ok, "{err}");
    let (ok, at30, err) = sysplay(&["run", "--preset", "shop-dies", "--until", "30"]);
    assert!(ok, "{err}");
    let (whole, at30): (serde_json::Value, serde_json::Value) =
        (serde_json::from_str(&whole).unwrap(), serde_json::from_str(&at30).unwrap());
    assert_eq!(at30["until_s"], 30.0);
    assert!(whole.get("until_s").is_none());
    let done = |v: &serde_json::Value| v["completed"].as_u64().unwrap();
    assert!(done(&at30) < done(&whole), "fewer orders done at 30 s: {} vs {}", done(&at30), done(&whole));
    // The same moment carried by a link's t= gives the same numbers.
    let (ok, link, err) = sysplay(&["link", "--preset", "shop-dies"]);
    assert!(ok, "{err}");
    let (ok, from_link, err) = sysplay(&["run", &format!("{}&t=30", link.trim())]);
    assert!(ok, "{err}");
    assert_eq!(serde_json::from_str::<serde_json::Value>(&from_link).unwrap(), at30);
    // Bad moments and a lab without a timeline are refused with a sentence.
    let (ok, _, err) = sysplay(&["run", "--preset", "shop-dies", "--until", "-1"]);
    assert!(!ok && err.contains("--until"), "{err}");
    let (ok, _, err) = sysplay(&["run", "--preset", "ring-add-s3", "--until", "1"]);
    assert!(!ok && err.contains("no timeline"), "{err}");
}
