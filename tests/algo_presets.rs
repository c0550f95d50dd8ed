//! Each algorithm's signature moment, as the presets show it in the split view.
#![cfg(not(target_arch = "wasm32"))]

use sysplay::scenario::{LabRun, preset};
use sysplay::sim::hashing::algos::Algo;
use sysplay::sim::hashing::compare::{AlgoReport, compare};

fn reports(name: &str) -> Vec<AlgoReport> {
    let LabRun::Hashing(lab) = preset(name).unwrap().scenario.run().unwrap() else { panic!("not a hashing preset") };
    compare(&lab.sim.lab, &Algo::all())
}

fn get(reports: &[AlgoReport], algo: Algo) -> &AlgoReport {
    reports.iter().find(|r| r.algo == algo).unwrap()
}

#[test]
fn jump_moves_one_eleventh_all_to_the_new_bucket() {
    let r = reports("jump-add-bucket");
    let jump = get(&r, Algo::Jump);
    let moved = jump.moved_pct.unwrap();
    // 20,000 keys: binomial sd of 1/11 is 0.2 points.
    assert!((moved - 100.0 / 11.0).abs() < 1.0, "{moved}");
    assert!(jump.flows.iter().all(|f| f.to == "S10"));
    let modulo = get(&r, Algo::Modulo).moved_pct.unwrap();
    assert!((modulo - 100.0 * 10.0 / 11.0).abs() < 1.5, "{modulo}");
    assert!((jump.min_possible_pct.unwrap() - 100.0 / 11.0).abs() < 1e-9);
}

#[test]
fn removing_a_server_moves_its_keys_under_ring_and_rendezvous() {
    for (name, algos) in
        [("maglev-remove", [Algo::Ring, Algo::Rendezvous]), ("rendezvous-remove", [Algo::Rendezvous, Algo::Ring])]
    {
        let r = reports(name);
        for algo in algos {
            let a = get(&r, algo);
            assert_eq!(a.moved_pct, a.min_possible_pct, "{name} {algo}: only the removed server's keys move");
        }
    }
    // Maglev moves a little more than the least possible (its table is rebuilt), far less than modulo.
    let r = reports("maglev-remove");
    let (maglev, modulo) = (get(&r, Algo::Maglev), get(&r, Algo::Modulo));
    let min = maglev.min_possible_pct.unwrap();
    assert!(
        maglev.moved_pct.unwrap() >= min && maglev.moved_pct.unwrap() < 2.0 * min,
        "{:?} vs {min}",
        maglev.moved_pct
    );
    assert!(modulo.moved_pct.unwrap() > 60.0);
}

#[test]
fn ketama_gives_a_weight_three_server_about_three_times_the_keys() {
    let r = reports("ketama-weighted");
    let k = get(&r, Algo::Ketama);
    let others = k.keys_per_server[1..].iter().sum::<u64>() as f64 / 4.0;
    let ratio = k.keys_per_server[0] as f64 / others;
    assert!((ratio - 3.0).abs() < 0.45, "{ratio}");
    // Jump cannot weigh servers: it says so instead of placing keys.
    assert!(get(&r, Algo::Jump).unavailable.is_some());
}

#[test]
fn bounded_loads_stays_under_its_cap_where_the_ring_does_not() {
    let r = reports("bounded-loads");
    let (bounded, ring) = (get(&r, Algo::Bounded), get(&r, Algo::Ring));
    // Cap: ceil(1.25 x keys / servers); max/mean is relative to the exact mean.
    let cap = (1.25 * 20_000.0 / 7.0f64).ceil();
    assert!(bounded.keys_per_server.iter().all(|&k| k as f64 <= cap));
    assert!(bounded.load.max_over_mean <= cap / (20_000.0 / 7.0) + 1e-9);
    assert!(ring.load.max_over_mean > 1.25, "one point per server is uneven: {}", ring.load.max_over_mean);
}

/// Same constant as the browser test in tests/web.rs: every algorithm gives the same numbers in wasm.
const KETAMA_WEIGHTED_ALGOS_DIGEST: u64 = include!("golden/algos_digest.txt");

#[test]
fn algorithm_comparison_digest_is_pinned() {
    let d = sysplay::sim::hashing::compare::fingerprint(&reports("ketama-weighted"));
    assert_eq!(d, KETAMA_WEIGHTED_ALGOS_DIGEST, "got {d:#018x}");
}
