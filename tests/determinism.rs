//! The same scenario gives the same numbers on every run and on every machine: the digest of the
//! default scenario is pinned here and in the browser test (tests/web.rs), which must agree.
#![cfg(not(target_arch = "wasm32"))]

use sysplay::scenario::{Scenario, presets};

/// The digest of `Scenario::default()`; the browser test compares with the same constant.
pub const DEFAULT_DIGEST: u64 = include!("golden/default_digest.txt");

#[test]
fn default_scenario_digest_is_pinned() {
    let digest = Scenario::default().run().unwrap().digest();
    assert_eq!(
        digest, DEFAULT_DIGEST,
        "got {digest:#018x}; if the change is intended, update tests/golden/default_digest.txt"
    );
}

#[test]
fn every_preset_replays_identically_twice() {
    for p in presets() {
        let a = p.scenario.run().unwrap().digest();
        let b = p.scenario.clone().run().unwrap().digest();
        assert_eq!(a, b, "{}", p.name);
    }
}

#[test]
fn different_seeds_draw_different_keys() {
    let mut s = Scenario::default();
    let a = s.run().unwrap().digest();
    s.seed += 1;
    assert_ne!(a, s.run().unwrap().digest());
}
