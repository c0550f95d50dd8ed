//! `sysplay queue` (plain M/M/c) on the command line.
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
