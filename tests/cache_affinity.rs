//! Cache affinity through a change: modulo dumps almost every cache, the ring keeps most of them.
#![cfg(not(target_arch = "wasm32"))]

use sysplay::scenario::{LabRun, preset};
use sysplay::sim::hashing::cache::CacheAffinity;

fn cache(name: &str) -> CacheAffinity {
    let LabRun::Hashing(lab) = preset(name).unwrap().scenario.run().unwrap() else { panic!("not a hashing preset") };
    lab.cache_affinity().expect("the preset has a change")
}

#[test]
fn modulo_four_to_five_drops_the_hit_ratio_to_about_the_unmoved_share() {
    let c = cache("modulo-4-to-5");
    let before = c.modulo.windows[c.change_window - 1];
    assert!(before > 0.97, "warm caches hold the whole working set: {before}");
    // Right after the change only keys that kept their server hit (about 20%), plus the few moved keys
    // asked twice within the window.
    let expected = 1.0 - c.modulo_moved;
    assert!((0.15..0.25).contains(&expected), "{expected}");
    assert!(
        c.modulo.first_after >= expected - 0.03 && c.modulo.first_after <= expected + 0.10,
        "{}",
        c.modulo.first_after
    );
    // The caches refill: the last window is warm again.
    assert!(*c.modulo.windows.last().unwrap() > 0.9);
}

#[test]
fn the_ring_keeps_the_caches_of_keys_that_did_not_move() {
    let c = cache("add-fifth-server");
    assert!(c.ring_moved < 0.02, "{}", c.ring_moved);
    assert!(c.modulo_moved > 0.7, "{}", c.modulo_moved);
    // The ring's hit ratio barely moves (with one point per server it is below 1 before the change too:
    // the most loaded server's cache cannot hold its share).
    let before = c.ring.windows[c.change_window - 1];
    assert!(c.ring.first_after > before - 0.06, "{} vs {before}", c.ring.first_after);
    assert!(c.modulo.first_after < 0.4, "{}", c.modulo.first_after);
}
