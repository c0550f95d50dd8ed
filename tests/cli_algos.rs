//! The command line's placement subcommands: place, table, movement; errors on stderr, non-zero exit.
#![cfg(not(target_arch = "wasm32"))]

use std::process::Command;

fn sysplay(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sysplay")).args(args).output().expect("runs");
    (out.status.success(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

fn lines(out: &str) -> Vec<&str> {
    out.lines().collect()
}

#[test]
fn place_jump_takes_integer_keys_unhashed() {
    // go-jump's vector: key 42 with 57 buckets is bucket 43.
    let (ok, out, _) = sysplay(&["place", "--algo", "jump", "--servers", "57", "42"]);
    assert!(ok);
    assert_eq!(lines(&out), ["43"]);
}

#[test]
fn place_jump_takes_every_bucket_count_the_papers_function_takes() {
    use sysplay::sim::hashing::algos::jump_consistent_hash;
    // 2^31 - 1 buckets: no table, no names, so the lab's server limit does not apply.
    let keys = ["0", "1", "42", "1000000007", "18446744073709551615"];
    let (ok, out, err) = sysplay(&[&["place", "--algo", "jump", "--servers", "2147483647"][..], &keys[..]].concat());
    assert!(ok, "{err}");
    let expected: Vec<String> =
        keys.iter().map(|k| jump_consistent_hash(k.parse().unwrap(), i32::MAX).to_string()).collect();
    assert_eq!(lines(&out), expected);
    // The keys spread over the whole range, not only the first buckets.
    assert!(expected.iter().any(|b| b.parse::<u64>().unwrap() > 1 << 30), "{expected:?}");
    // Equal weights are accepted; string keys hash as for the other schemes.
    let (ok, _, err) = sysplay(&["place", "--algo", "jump", "--servers", "3", "--weights", "2,2,2", "42"]);
    assert!(ok, "{err}");
    let (ok, out, _) = sysplay(&["place", "--algo", "jump", "--servers", "2147483647", "--string-keys", "foo"]);
    assert!(ok);
    let foo = jump_consistent_hash(sysplay::sim::hash::hash_str("foo"), i32::MAX);
    assert_eq!(lines(&out), [foo.to_string()]);

    // 2^31 is more than the function's int32_t count: refused with a sentence.
    let (ok, out, err) = sysplay(&["place", "--algo", "jump", "--servers", "2147483648", "42"]);
    assert!(!ok);
    assert!(out.is_empty());
    assert!(err.contains("at most 2147483647 buckets"), "{err}");
    let (ok, _, err) = sysplay(&["place", "--algo", "jump", "--servers", "0", "42"]);
    assert!(!ok && err.contains("at least one bucket"), "{err}");
    let (ok, _, err) = sysplay(&["place", "--algo", "jump", "--servers", "3", "--weights", "1,2,1", "42"]);
    assert!(!ok && err.contains("no weighted variant"), "{err}");
}

#[test]
fn place_keeps_the_server_limit_for_tables_and_names() {
    // The other schemes build a structure per server: the lab's limit applies.
    let (ok, _, err) = sysplay(&["place", "--algo", "modulo", "--servers", "10001", "42"]);
    assert!(!ok && err.contains("at most 10000 servers"), "{err}");
    // Jump with names builds them all: the same limit.
    let names = (0..10_001).map(|i| format!("n{i}")).collect::<Vec<_>>().join(",");
    let (ok, _, err) = sysplay(&["place", "--algo", "jump", "--names", &names, "42"]);
    assert!(!ok && err.contains("at most 10000 servers"), "{err}");
    let (ok, out, err) = sysplay(&["place", "--algo", "jump", "--names", "a,b,c", "42"]);
    assert!(ok, "{err}");
    assert_eq!(lines(&out), [["a", "b", "c"][sysplay::sim::hashing::algos::jump_consistent_hash(42, 3) as usize]]);
}

#[test]
fn place_ketama_string_keys_match_libmemcached() {
    let names = (1..=8).map(|i| format!("10.0.1.{i}:11211")).collect::<Vec<_>>().join(",");
    let (ok, out, _) = sysplay(&[
        "place",
        "--algo",
        "ketama",
        "--names",
        &names,
        "--weights",
        "600,300,200,350,1000,800,950,100",
        "--string-keys",
        "foo",
        "hello",
        "key",
    ]);
    assert!(ok);
    assert_eq!(lines(&out), ["10.0.1.8:11211", "10.0.1.6:11211", "10.0.1.1:11211"]);
}

#[test]
fn place_prints_an_index_per_key_for_every_algorithm() {
    for algo in ["modulo", "ring", "ketama", "rendezvous", "jump", "maglev", "bounded"] {
        let (ok, out, err) =
            sysplay(&["place", "--algo", algo, "--servers", "5", "1", "2", "3", "18446744073709551615"]);
        assert!(ok, "{algo}: {err}");
        let got = lines(&out);
        assert_eq!(got.len(), 4);
        assert!(got.iter().all(|l| l.parse::<usize>().unwrap() < 5), "{algo}: {got:?}");
    }
    let (_, out, _) = sysplay(&["place", "--algo", "modulo", "--servers", "4", "--names", "a,b,c,d", "8"]);
    assert_eq!(lines(&out), [["a", "b", "c", "d"][(sysplay::sim::hash::hash_u64(8) % 4) as usize]]);
}

#[test]
fn table_prints_envoys_basic_maglev_table() {
    let names = (90..96).map(|p| format!("127.0.0.1:{p}")).collect::<Vec<_>>().join(",");
    let (ok, out, _) = sysplay(&["table", "--algo", "maglev", "--names", &names, "--size", "7"]);
    assert!(ok);
    assert_eq!(lines(&out), ["2", "4", "0", "1", "5", "0", "3"]);
}

#[test]
fn movement_prints_json_near_theory() {
    let (ok, out, err) = sysplay(&["movement", "--algo", "modulo", "--from", "4", "--to", "5", "--keys", "20000"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!((v["moved_fraction"].as_f64().unwrap() - 0.8).abs() < 0.02);
    assert_eq!(v["min_possible_fraction"], 0.2);
    assert_eq!(v["before_counts"].as_array().unwrap().len(), 4);
    assert_eq!(v["after_counts"].as_array().unwrap().len(), 5);
    let flowed: u64 = v["flows"].as_array().unwrap().iter().map(|f| f["keys"].as_u64().unwrap()).sum();
    assert_eq!(flowed, v["moved_keys"].as_u64().unwrap());

    let (ok, out, _) =
        sysplay(&["movement", "--algo", "jump", "--from", "10", "--to", "11", "--keys", "20000", "--seed", "3"]);
    assert!(ok);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!((v["moved_fraction"].as_f64().unwrap() - 1.0 / 11.0).abs() < 0.01);
    assert!(v["flows"].as_array().unwrap().iter().all(|f| f["to"] == 10), "jump moves keys only to the new server");
}

#[test]
fn errors_go_to_stderr_with_a_failure_exit() {
    for (args, says) in [
        (&["place", "--algo", "nope", "--servers", "3", "1"][..], "no algorithm named"),
        (&["table", "--servers", "3", "--size", "10"], "prime"),
        (&["place", "--algo", "ring", "--servers", "0", "1"], "at least one server"),
        (&["place", "--algo", "ring", "--servers", "2", "--weights", "1", "1"], "one weight per server"),
        (&["place", "--algo", "jump", "--servers", "2", "--weights", "1,2", "1"], "no weighted variant"),
        (&["place", "--algo", "ring", "--servers", "2", "x"], "not a u64"),
        (&["movement", "--algo", "ring", "--from", "0", "--to", "3", "--keys", "10"], "at least one server"),
    ] {
        let (ok, out, err) = sysplay(args);
        assert!(!ok, "{args:?} should fail");
        assert!(out.is_empty(), "{args:?}: {out}");
        assert!(err.starts_with("sysplay: ") && err.contains(says), "{args:?}: {err}");
    }
}
