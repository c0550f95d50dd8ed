//! `sysplay query` and `sysplay reshard` on the command line.
#![cfg(not(target_arch = "wasm32"))]

use std::process::Command;

fn sysplay(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sysplay")).args(args).output().expect("runs");
    (out.status.success(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

fn json(args: &[&str]) -> serde_json::Value {
    let (ok, out, err) = sysplay(args);
    assert!(ok, "{args:?}: {err}");
    serde_json::from_str(&out).unwrap()
}

#[test]
fn query_answers_do_not_depend_on_the_shards_or_the_key() {
    let sql = "SELECT * FROM users WHERE location = 'London' AND age >= 50";
    let mut rows = Vec::new();
    for key in ["id-range", "id-hash", "ring", "location"] {
        for shards in ["1", "5", "12"] {
            let v = json(&["query", "--users", "20000", "--shards", shards, "--shard-key", key, sql]);
            rows.push(v["rows"].as_u64().unwrap());
            let touched = v["shards_touched"].as_u64().unwrap();
            if key == "location" {
                assert_eq!(touched, 1, "London lives on one shard");
            } else {
                assert_eq!(touched.to_string(), shards);
            }
            assert!(v["rows_scanned"].as_u64().unwrap() >= v["rows"].as_u64().unwrap());
        }
    }
    assert!(rows[0] > 0 && rows.windows(2).all(|w| w[0] == w[1]), "{rows:?}");
    let count =
        json(&["query", "--users", "20000", "SELECT count(*) FROM users WHERE location = 'London' AND age >= 50"]);
    assert_eq!(count["rows"].as_u64(), Some(rows[0]));
}

#[test]
fn query_point_lookup_and_the_age_index() {
    let v = json(&[
        "query",
        "--users",
        "100000",
        "--shards",
        "8",
        "--shard-key",
        "id-hash",
        "SELECT * FROM users WHERE id = 42",
    ]);
    assert_eq!(
        (v["rows"].as_u64(), v["shards_touched"].as_u64(), v["rows_scanned"].as_u64()),
        (Some(1), Some(1), Some(1))
    );
    let sql = "SELECT count(*) FROM users WHERE age >= 80";
    let plain = json(&["query", "--users", "100000", "--shards", "8", sql]);
    let indexed = json(&["query", "--users", "100000", "--shards", "8", "--index", "age", sql]);
    assert_eq!(plain["rows"], indexed["rows"]);
    assert_eq!(plain["rows_scanned"].as_u64(), Some(100_000));
    assert_eq!(indexed["rows_scanned"], indexed["rows"], "the index reads exactly the matching ages");
    assert!(indexed["latency_ms"].as_f64() < plain["latency_ms"].as_f64());
}

#[test]
fn reshard_prints_the_moved_fraction_and_the_counts() {
    let v = json(&["reshard", "--users", "100000", "--from", "4", "--to", "5", "--shard-key", "id-hash"]);
    let f = v["moved_fraction"].as_f64().unwrap();
    assert!((f - 0.8).abs() < 0.01, "{f}");
    assert_eq!(v["before"].as_array().unwrap().len(), 4);
    assert_eq!(v["after"].as_array().unwrap().len(), 5);
    let sum = |k: &str| v[k].as_array().unwrap().iter().map(|x| x.as_u64().unwrap()).sum::<u64>();
    assert_eq!((sum("before"), sum("after")), (100_000, 100_000));
    let r = json(&["reshard", "--users", "100000", "--from", "4", "--to", "5", "--shard-key", "ring"]);
    assert!(r["moved_fraction"].as_f64().unwrap() < 0.4);
    let r = json(&["reshard", "--users", "1000", "--from", "4", "--to", "5", "--shard-key", "id-range"]);
    assert_eq!((r["moved"].as_u64(), r["minimum"].as_u64()), (Some(500), Some(200)));
}

#[test]
fn refusals_are_sentences_with_a_non_zero_exit() {
    for (args, says) in [
        (vec!["query", "SELECT name FROM users GROUP BY name"], "supported: SELECT"),
        (vec!["query", "DROP TABLE users"], "supported: SELECT"),
        (vec!["query", "--users", "10000001", "SELECT * FROM users"], "10000000"),
        (vec!["query", "--shards", "0", "SELECT * FROM users"], "shards"),
        (vec!["query", "--shard-key", "zip", "SELECT * FROM users"], "id-range, id-hash, ring, location"),
        (vec!["query", "--index", "name", "SELECT * FROM users"], "only a per-shard index on age"),
        (vec!["reshard", "--from", "4", "--to", "65"], "shards"),
    ] {
        let (ok, out, err) = sysplay(&args);
        assert!(!ok, "{args:?} should fail");
        assert!(out.is_empty());
        assert!(err.starts_with("sysplay: ") && err.contains(says), "{args:?}: {err}");
    }
}
