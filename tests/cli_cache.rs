//! `sysplay cache`: a trace (plain or gzip) or a generated Zipf workload replayed through a cache under an
//! eviction policy, printed as JSON; every bad input refused with a sentence on stderr and a non-zero exit.
#![cfg(not(target_arch = "wasm32"))]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

fn sysplay(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sysplay")).args(args).output().expect("runs");
    (out.status.success(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

/// A folder of this test run's own, emptied first.
fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sysplay-cli-cache-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn json(args: &[&str]) -> serde_json::Value {
    let (ok, out, err) = sysplay(args);
    assert!(ok, "{args:?}: {err}");
    assert!(err.is_empty(), "{err}");
    serde_json::from_str(&out).unwrap()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn the_notes_loop_never_hits_under_lru_with_room_for_three() {
    let dir = temp("notes");
    let file = dir.join("notes.trace");
    // The notes' 1, 2, 3, 4, 1, 2, ... with a comment and a blank line, as trace files have.
    let mut text = String::from("* the notes' example\n\n");
    (0..100).for_each(|i| text += &format!("{}\n", 1 + i % 4));
    std::fs::write(&file, text).unwrap();
    let v = json(&["cache", "--policy", "lru", "--size", "3", "--trace", path(&file)]);
    assert_eq!(v, serde_json::json!({"policy": "lru", "size": 3, "requests": 100, "hits": 0, "hit_ratio": 0.0}));
    // Room for all four: only the first pass misses.
    let v = json(&["cache", "--policy", "lru", "--size", "4", "--trace", path(&file)]);
    assert_eq!((v["hits"].as_u64(), v["hit_ratio"].as_f64()), (Some(96), Some(0.96)));
    // Belady's optimal, with room for three, keeps two of the four: (100 - 4) * 2 / 3 = 64 hits.
    let v = json(&["cache", "--policy", "optimal", "--size", "3", "--trace", path(&file)]);
    assert_eq!((v["policy"].as_str(), v["hits"].as_u64()), (Some("optimal"), Some(64)));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_gzip_trace_replays_as_its_plain_text() {
    let dir = temp("gzip");
    let text: String =
        sysplay::sim::cache::workload::zipf(500, 0.9, 5000, 3).iter().map(|k| format!("{k}\n")).collect();
    let (plain, packed) = (dir.join("t.trace"), dir.join("t.trace.gz"));
    std::fs::write(&plain, &text).unwrap();
    let mut gz = flate2::write::GzEncoder::new(std::fs::File::create(&packed).unwrap(), flate2::Compression::default());
    gz.write_all(text.as_bytes()).unwrap();
    gz.finish().unwrap();
    for policy in ["lru", "arc", "s3-fifo", "w-tinylfu", "optimal"] {
        let a = json(&["cache", "--policy", policy, "--size", "50", "--trace", path(&plain)]);
        let b = json(&["cache", "--policy", policy, "--size", "50", "--trace", path(&packed)]);
        assert_eq!(a, b, "{policy}");
        assert_eq!(a["requests"], 5000);
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_zipf_workload_is_drawn_from_the_seed() {
    let args =
        ["cache", "--policy", "sieve", "--size", "100", "--zipf", "0.99", "--keys", "2000", "--requests", "20000"];
    let v = json(&args);
    assert_eq!(
        (v["policy"].as_str(), v["size"].as_u64(), v["requests"].as_u64()),
        (Some("sieve"), Some(100), Some(20000))
    );
    let (hits, ratio) = (v["hits"].as_u64().unwrap(), v["hit_ratio"].as_f64().unwrap());
    assert_eq!(hits as f64 / 20000.0, ratio);
    assert!((0.3..0.8).contains(&ratio), "{ratio}");
    assert_eq!(json(&args), v, "the same seed, the same run");
    let other = json(&[&args[..], &["--seed", "2"]].concat());
    assert_ne!(other["hits"], v["hits"]);
    // Belady's optimal bounds every policy on the same workload.
    let best = json(&[
        "cache",
        "--policy",
        "optimal",
        "--size",
        "100",
        "--zipf",
        "0.99",
        "--keys",
        "2000",
        "--requests",
        "20000",
    ]);
    for p in ["lru", "lfu", "fifo", "random", "clock", "arc", "w-tinylfu", "s3-fifo", "sieve"] {
        let v =
            json(&["cache", "--policy", p, "--size", "100", "--zipf", "0.99", "--keys", "2000", "--requests", "20000"]);
        assert!(v["hits"].as_u64() <= best["hits"].as_u64(), "{p}");
    }
}

#[test]
fn bad_input_is_refused_with_a_sentence() {
    let dir = temp("bad");
    let malformed = dir.join("malformed.trace");
    std::fs::write(&malformed, "1\n2\n* fine\n3.5\n").unwrap();
    let empty = dir.join("empty.trace");
    std::fs::write(&empty, "* nothing but a comment\n\n").unwrap();
    let corrupt = dir.join("corrupt.trace.gz");
    std::fs::write(&corrupt, [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff]).unwrap();
    let missing = dir.join("missing.trace");
    let zipf = ["--zipf", "1", "--keys", "10", "--requests", "10"];
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--size", "3", "--trace", path(&missing)], "cannot read the trace"),
        (
            vec!["--size", "3", "--trace", path(&malformed)],
            "malformed.trace: line 4 of the trace is not a key: \"3.5\" (a trace holds one whole number",
        ),
        (vec!["--size", "3", "--trace", path(&empty)], "empty.trace holds no requests: a trace needs at least one key"),
        (vec!["--size", "3", "--trace", path(&corrupt)], "corrupt.trace.gz: the trace could not be read: "),
        ([&["--size", "0"][..], &zipf].concat(), "the cache size must be at least 1 key (got 0)"),
        ([&["--size", "-5"][..], &zipf].concat(), "the cache size must be at least 1 key (got -5)"),
        ([&["--size", "20000000"][..], &zipf].concat(), "a cache holds at most 10,000,000 keys (asked for 20,000,000)"),
        (
            vec!["--size", "3", "--zipf", "-0.5", "--keys", "10", "--requests", "10"],
            "the Zipf exponent s must be between 0 and 5 (got -0.5)",
        ),
        (vec!["--size", "3", "--zipf", "1", "--keys", "0", "--requests", "10"], "a workload draws from between 1 and"),
        (
            vec!["--size", "3", "--zipf", "1", "--keys", "10", "--requests", "10000001"],
            "a trace holds between 1 and 10,000,000 requests (got 10,000,001)",
        ),
        (vec!["--size", "3", "--zipf", "1", "--keys", "10"], "a Zipf workload needs --keys K and --requests R"),
        (vec!["--size", "3"], "give a trace with --trace FILE, or a Zipf workload with --zipf S --keys K --requests R"),
    ];
    for (args, says) in cases {
        let args: Vec<&str> = ["cache", "--policy", "lru"].into_iter().chain(args).collect();
        let (ok, out, err) = sysplay(&args);
        assert!(!ok, "{args:?} should fail");
        assert!(out.is_empty(), "{args:?}: {out}");
        assert!(err.starts_with("sysplay: ") && err.contains(says), "{args:?}: {err}");
    }
    let (ok, _, err) = sysplay(&[&["cache", "--policy", "LRU", "--size", "3"][..], &zipf].concat());
    assert!(!ok);
    assert_eq!(
        err.trim(),
        "sysplay: there is no policy named \"LRU\": the policies are lru, lfu, fifo, random, clock, arc, w-tinylfu, \
         s3-fifo, sieve, and optimal"
    );
    // A trace and a workload at once: clap refuses the pair.
    let (ok, _, err) =
        sysplay(&[&["cache", "--policy", "lru", "--size", "3", "--trace", path(&empty)][..], &zipf].concat());
    assert!(!ok && err.contains("'--trace <TRACE>' cannot be used with") && err.contains("--zipf <ZIPF>"), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}
