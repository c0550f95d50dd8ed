//! `sysplay quorum`: the staleness of partial quorums on the command line, measured beside theory.
#![cfg(not(target_arch = "wasm32"))]

use std::process::Command;

fn sysplay(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sysplay")).args(args).output().expect("runs");
    (out.status.success(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn quorum_prints_measured_and_theory_as_json() {
    let args = ["quorum", "--n", "5", "--w", "2", "--r", "2", "--trials", "100000", "--seed", "3"];
    let (ok, out, err) = sysplay(&args);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    // C(3, 2) / C(5, 2) = 3 / 10, exactly as printed.
    assert_eq!(v["theory"].as_f64(), Some(0.3));
    let p = v["p_stale"].as_f64().unwrap();
    let (low, high) = (v["ci95"][0].as_f64().unwrap(), v["ci95"][1].as_f64().unwrap());
    assert!(low <= p && p <= high && high - low < 0.01, "{out}");
    // sd = sqrt(0.3 * 0.7 / 100000) = 0.00145: within four of them.
    assert!((p - 0.3).abs() < 0.0058, "{p}");
    assert_eq!(v["stale"].as_u64().unwrap() as f64 / 100_000.0, p);
    assert_eq!(v["strict_quorum"], false);
    let window = v["window"].as_array().unwrap();
    assert_eq!(window[0]["t_ms"].as_f64(), Some(0.0));
    assert!(window.last().unwrap()["p_stale"].as_f64().unwrap() < 0.001, "the window closes: {out}");
    let (_, again, _) = sysplay(&args);
    assert_eq!(out, again, "same seed, same output");
}

#[test]
fn a_strict_quorum_is_never_stale() {
    let (ok, out, err) = sysplay(&["quorum", "--n", "3", "--w", "2", "--r", "2", "--trials", "20000"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (v["p_stale"].as_f64(), v["theory"].as_f64(), v["strict_quorum"].as_bool()),
        (Some(0.0), Some(0.0), Some(true))
    );
}

#[test]
fn quorum_refuses_bad_parameters_with_a_sentence() {
    for (args, says) in [
        (vec!["--n", "3", "--w", "4", "--r", "1", "--trials", "10"], "W (write quorum) must be between 1 and 3"),
        (vec!["--n", "0", "--w", "1", "--r", "1", "--trials", "10"], "N (replicas) must be between 1 and 64"),
        (vec!["--n", "3", "--w", "1", "--r", "0", "--trials", "10"], "R (read quorum) must be between 1 and 3"),
        (vec!["--n", "3", "--w", "1", "--r", "1", "--trials", "0"], "trials must be between 1"),
        (vec!["--n", "64", "--w", "64", "--r", "64", "--trials", "100000000"], "lower the trials"),
        (vec!["--n", "3", "--w", "1", "--r", "1", "--trials", "10", "--mean-delay-ms", "-1"], "mean propagation delay"),
    ] {
        let args: Vec<&str> = ["quorum"].into_iter().chain(args).collect();
        let (ok, out, err) = sysplay(&args);
        assert!(!ok, "{args:?} should fail");
        assert!(out.is_empty());
        assert!(err.starts_with("sysplay: ") && err.contains(says), "{args:?}: {err}");
    }
}
