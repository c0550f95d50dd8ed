//! The worked examples of the notes, reproduced exactly by the presets the page offers.
#![cfg(not(target_arch = "wasm32"))]

use sysplay::scenario::{LabRun, LabSetup, Report, Scenario, preset};
use sysplay::sim::hashing::{HashingLab, HashingReport};

fn lab(s: &Scenario) -> HashingLab {
    match s.run().expect("preset replays") {
        LabRun::Hashing(run) => run.sim.lab.clone(),
        _ => panic!("not a hashing scenario"),
    }
}

fn report(name: &str) -> HashingReport {
    let Report::Hashing(r) = preset(name).expect("preset exists").scenario.run().unwrap().report() else {
        panic!("not a hashing report")
    };
    *r
}

/// The scenario without its last action: the state before the change.
fn before_last(s: &Scenario) -> Scenario {
    let mut s = s.clone();
    let LabSetup::Hashing { actions, .. } = &mut s.setup else { panic!("not a hashing scenario") };
    actions.pop();
    s
}

fn share(r: &HashingReport, name: &str) -> f64 {
    r.servers.iter().find(|s| s.name == name).unwrap().ring_space_pct
}

#[test]
fn modulo_four_to_five_moves_eighty_percent() {
    let r = report("modulo-4-to-5");
    let change = r.last_change.unwrap();
    assert_eq!(change.modulo.moved_space, Some(80));
    assert_eq!(change.modulo.moved_space_pct, Some(80.0));
    // On 10,000 random keys the share is binomial around 80% (sd 0.4 points).
    assert!((change.modulo.moved_keys_pct - 80.0).abs() < 2.0, "{}", change.modulo.moved_keys_pct);
    // Each of the four servers had 25% of the space; now each has 20%.
    assert!(r.servers.iter().all(|s| s.modulo_space_pct == 20.0));
}

#[test]
fn ring_add_s3_moves_only_keys_81_to_90_all_to_s3() {
    let scenario = preset("ring-add-s3").unwrap().scenario;
    let r = report("ring-add-s3");
    let change = r.last_change.as_ref().unwrap();
    assert_eq!(change.ring.moved_space, Some(10));
    assert_eq!(r.ring_size, 256);
    let (after, before) = (lab(&scenario), lab(&before_last(&scenario)));
    let (_, ring_after) = after.assignments();
    let (_, ring_before) = before.assignments();
    let s3 = after.membership().servers.iter().find(|s| s.name == "S3").unwrap().id;
    let mut moved = 0;
    for (i, &k) in after.key_hashes().iter().enumerate() {
        let position = k % 256;
        let in_81_90 = (81..=90).contains(&position);
        assert_eq!(ring_before[i] != ring_after[i], in_81_90, "key at {position}");
        if in_81_90 {
            assert_eq!(ring_after[i], s3);
            moved += 1;
        }
    }
    assert_eq!(change.ring.moved_keys, moved);
    assert!(moved > 0);
    // The notes' ranges: 21..80 -> S1, 81..90 -> S3, 91..200 -> S2, the rest -> S0.
    assert_eq!(
        [share(&r, "S0"), share(&r, "S1"), share(&r, "S3"), share(&r, "S2")],
        [100.0 * 76.0 / 256.0, 100.0 * 60.0 / 256.0, 100.0 * 10.0 / 256.0, 100.0 * 110.0 / 256.0]
    );
}

#[test]
fn ring_skew_leaves_s4_with_78_percent() {
    let r = report("ring-skew");
    assert_eq!(share(&r, "S4"), 78.0);
    assert_eq!([share(&r, "S1"), share(&r, "S2"), share(&r, "S3")], [20.0, 1.0, 1.0]);
}

#[test]
fn ring_capacity_20_sends_hash_25_to_position_5_on_s1() {
    let r = report("ring-capacity-20");
    let p = r.probe.clone().unwrap();
    assert_eq!((p.hash, p.position), (25, 5));
    assert_eq!(p.ring_server.as_deref(), Some("S1"));
    // Users hashing 2..10 share S1 with it.
    assert_eq!(share(&r, "S1"), 45.0);
}

#[test]
fn default_scenario_shows_a_change() {
    let Report::Hashing(r) = Scenario::default().run().unwrap().report() else { panic!("not a hashing report") };
    assert_eq!(r.servers.len(), 5);
    assert!(r.last_change.is_some());
}
