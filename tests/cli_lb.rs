//! `sysplay lb`: a balancer's measured times in system beside theory, on the command line.
#![cfg(not(target_arch = "wasm32"))]

use std::process::Command;

fn sysplay(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sysplay")).args(args).output().expect("runs");
    (out.status.success(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

fn lb(policy: &str, extra: &[&str]) -> (bool, String, String) {
    let mut args = vec!["lb", "--policy", policy, "--servers", "4", "--arrival-rate", "2.8", "--service-rate", "1"];
    args.extend_from_slice(extra);
    sysplay(&args)
}

#[test]
fn every_policy_of_the_command_prints_its_figures() {
    for policy in ["random", "round-robin", "least-connections", "p2c", "jsq", "least-response-time"] {
        let (ok, out, err) = lb(policy, &["--requests", "20000", "--seed", "5"]);
        assert!(ok, "{policy}: {err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        for key in ["mean_sojourn_s", "p50_sojourn_s", "p99_sojourn_s"] {
            assert!(v[key].as_f64().is_some_and(|x| x > 0.0), "{policy}: {key} in {out}");
        }
        assert!(v["max_queue"].as_u64().is_some_and(|q| q >= 1), "{out}");
        assert!(v["theory"]["mean_sojourn_s"].as_f64().is_some(), "{policy}: theory beside it");
        let (_, again, _) = lb(policy, &["--requests", "20000", "--seed", "5"]);
        assert_eq!(out, again, "{policy}: same seed, same output");
    }
}

#[test]
fn random_agrees_with_mm1_on_the_command_line() {
    let (ok, out, err) = lb("random", &["--requests", "400000"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    // Each server M/M/1 at 0.7: 1 / (1 - 0.7) = 3.33 s.
    let (m, t) = (v["mean_sojourn_s"].as_f64().unwrap(), v["theory"]["mean_sojourn_s"].as_f64().unwrap());
    assert!((t - 10.0 / 3.0).abs() < 1e-9 && (m - t).abs() / t < 0.08, "{m} vs {t}");
}

#[test]
fn unstable_or_invalid_parameters_fail_with_a_sentence() {
    let (ok, out, err) = sysplay(&[
        "lb",
        "--policy",
        "random",
        "--servers",
        "2",
        "--arrival-rate",
        "3",
        "--service-rate",
        "1",
        "--requests",
        "10",
    ]);
    assert!(!ok && out.is_empty());
    assert!(err.contains("unstable") && err.contains("add servers"), "{err}");
    let (ok, _, err) = lb("fastest", &["--requests", "10"]);
    assert!(!ok && err.contains("unknown policy"), "{err}");
    let (ok, _, err) = lb("random", &["--requests", "0"]);
    assert!(!ok && err.contains("requests"), "{err}");
    let (ok, _, err) = sysplay(&[
        "lb",
        "--policy",
        "random",
        "--servers",
        "2",
        "--arrival-rate",
        "-1",
        "--service-rate",
        "1",
        "--requests",
        "10",
    ]);
    assert!(!ok && err.contains("arrival rate"), "{err}");
}
