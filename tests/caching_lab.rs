//! The caching lab's presets against the notes' worked example and theory, and its invariants over
//! random setups: no policy beats Belady's optimum, a copy at any step continues as the original.
#![cfg(not(target_arch = "wasm32"))]

use sysplay::scenario::{LabRun, preset};
use sysplay::sim::cache::{
    CacheAction, CacheLabConfig, CacheLabReport, CacheLabSim, PolicyKind, WorkloadSpec, che, optimal_hits,
};
use sysplay::sim::kernel::SimRng;

fn report(name: &str) -> CacheLabReport {
    match preset(name).unwrap().scenario.run().unwrap() {
        LabRun::Caching(f) => {
            assert!(f.violations.is_empty(), "{name}: {:?}", f.violations);
            f.report
        }
        _ => panic!("{name} is not a caching preset"),
    }
}

fn ratio(r: &CacheLabReport, policy: &str) -> f64 {
    r.hit_ratio[policy]
}

#[test]
fn lru_loop_the_notes_example_never_hits_under_lru() {
    let r = report("lru-loop");
    assert_eq!(r.requests, 12);
    assert_eq!(r.policies.iter().find(|p| p.policy == PolicyKind::Lru).unwrap().hits, 0);
    // FIFO and CLOCK fail the same way on a loop one key longer than the cache.
    assert_eq!(ratio(&r, "fifo"), 0.0);
    assert_eq!(ratio(&r, "clock"), 0.0);
    assert_eq!(r.optimal.hits, optimal_hits(&[1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4], 3));
    assert_eq!(r.optimal.hits, 6);
}

#[test]
fn stepping_the_notes_loop_misses_every_request_and_evicts_the_next_key_asked_for() {
    let mut sim = CacheLabSim::new(2024, &CacheLabConfig::default(), &[]).unwrap();
    let mut requested = Vec::new();
    while sim.step().is_some() {
        let s = sim.snapshot();
        let a = s.watched_access.expect("a request was served");
        assert!(!a.hit, "request {} of key {} hit", s.served, a.key);
        requested.push(a.key);
        if let Some(e) = a.evicted {
            // What LRU evicts is the key the loop asks for next: 1, 2, 3, 4, 1, …
            assert_eq!(e, a.key % 4 + 1);
        }
        assert!(s.watched_segments[0].keys.len() <= 3);
    }
    assert_eq!(requested, [1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4]);
}

#[test]
fn lru_on_zipf_agrees_with_ches_approximation() {
    let r = report("zipf-policies");
    let WorkloadSpec::Zipf { keys, s_milli, .. } = preset("zipf-policies")
        .map(|p| match p.scenario.setup {
            sysplay::scenario::LabSetup::Caching { config, .. } => config.workload,
            _ => unreachable!(),
        })
        .unwrap()
    else {
        panic!("a Zipf preset")
    };
    let theory = che::hit_ratio(&che::zipf_popularity(keys, f64::from(s_milli) / 1000.0), 100);
    // 20,000 requests: the sampling error of a hit ratio near 0.3 is about 0.003 (the requests are
    // correlated through the cache, so allow three times that) plus the 100 cold misses (0.005).
    let lru = ratio(&r, "lru");
    assert!((lru - theory).abs() < 0.015, "LRU {lru} against Che {theory}");
    // Frequency-aware policies keep the popular head; FIFO and random do worse than LRU.
    for p in ["lfu", "arc", "w-tinylfu", "s3-fifo", "sieve"] {
        assert!(ratio(&r, p) > lru + 0.05, "{p} {} vs LRU {lru}", ratio(&r, p));
    }
    for p in ["fifo", "random"] {
        assert!(ratio(&r, p) < lru, "{p} {} vs LRU {lru}", ratio(&r, p));
    }
    assert!(r.hit_ratio.values().all(|&h| h <= ratio(&r, "optimal")));
}

#[test]
fn scans_flood_lru_and_scan_resistant_policies_keep_the_popular_keys() {
    let r = report("scan-resistance");
    let lru = ratio(&r, "lru");
    for p in ["w-tinylfu", "s3-fifo", "arc", "sieve"] {
        assert!(ratio(&r, p) > lru + 0.05, "{p} {} vs LRU {lru}", ratio(&r, p));
    }
    // During a scan every request is a new key: the windows inside a scan hit nothing.
    assert!(r.windows.iter().any(|w| w.hits.iter().all(|&h| h == 0) && w.optimal_hits == 0));
}

#[test]
fn a_restart_empties_every_cache_and_the_hit_ratio_dips() {
    let r = report("cold-restart");
    assert_eq!(r.restarts, 1);
    // Windows of 50 requests; the restart comes after request 5,000: the window after it hits less than
    // the average of the windows before it, under every policy.
    let after = r.windows.iter().position(|w| w.until > 5_000).unwrap();
    for i in 0..r.policies.len() {
        let before: f64 =
            r.windows[after - 20..after].iter().map(|w| w.hits[i] as f64 / w.requests as f64).sum::<f64>() / 20.0;
        let dip = r.windows[after].hits[i] as f64 / r.windows[after].requests as f64;
        assert!(dip < before, "{:?}: {dip} after the restart, {before} before", r.policies[i].policy);
    }
}

#[test]
fn no_policy_beats_the_optimum_and_copies_continue_alike_on_random_setups() {
    let mut rng = SimRng::new(11);
    for _ in 0..40 {
        let keys = 1 + rng.below(300);
        let requests = 1 + rng.below(3_000);
        let workload = match rng.below(5) {
            0 => WorkloadSpec::Uniform { keys, requests },
            1 => WorkloadSpec::Zipf { keys, s_milli: rng.below(2_000) as u32, requests },
            2 => WorkloadSpec::Loop { keys, requests },
            3 => WorkloadSpec::ZipfWithScans {
                keys,
                s_milli: 800,
                requests,
                scan_every: 1 + rng.below(200),
                scan_length: 1 + rng.below(50),
            },
            _ => WorkloadSpec::Trace { keys: (0..requests).map(|_| rng.below(keys)).collect() },
        };
        let config = CacheLabConfig { capacity: 1 + rng.below(64) as u32, workload, ..CacheLabConfig::default() };
        let actions: Vec<(u64, CacheAction)> = (0..rng.below(6))
            .map(|_| {
                let at = rng.below(requests * 1000);
                (
                    at,
                    if rng.below(3) == 0 {
                        CacheAction::Restart
                    } else {
                        CacheAction::Request { key: rng.below(keys) }
                    },
                )
            })
            .collect::<std::collections::BTreeMap<_, _>>()
            .into_iter()
            .collect();
        let mut sim = CacheLabSim::new(rng.next_u64(), &config, &actions).unwrap();
        let split = rng.below(requests);
        for _ in 0..split {
            sim.step();
        }
        let mut copy = sim.clone();
        while sim.step().is_some() {}
        while copy.step().is_some() {}
        assert!(sim.violations().is_empty(), "{config:?}: {:?}", sim.violations());
        assert_eq!(sim.report(), copy.report());
        let r = sim.report();
        assert_eq!(r.requests, requests + r.requests_by_hand);
        assert_eq!(r.windows.iter().map(|w| w.requests).sum::<u64>(), r.requests);
    }
}

#[test]
fn the_zipf_policies_digest_is_pinned() {
    let digest = preset("zipf-policies").unwrap().scenario.run().unwrap().digest();
    let want: u64 = include!("golden/caching_digest.txt");
    assert_eq!(digest, want, "got {digest:#018x}; if intended, update tests/golden/caching_digest.txt");
}

/// The command line's figures of a preset's other parts.
fn extra(name: &str) -> serde_json::Value {
    match preset(name).unwrap().scenario.run().unwrap() {
        LabRun::Caching(f) => f.sim.extra(),
        _ => panic!("{name} is not a caching preset"),
    }
}

#[test]
fn the_notes_presets_of_the_other_parts_print_their_headline_figures() {
    // The like count refreshed every 30 s: the stale share as theory says (the module's own tests bound
    // it tightly over longer runs), the database read about once per refresh.
    let likes = extra("likes-ttl-30s");
    let (stale, theory) = (likes["stale_fraction"].as_f64().unwrap(), likes["stale_fraction_theory"].as_f64().unwrap());
    assert!((stale - theory).abs() < 0.05, "stale {stale} against theory {theory}");
    assert!(likes["stale_reads"].as_u64().unwrap() > 0);
    assert_eq!(likes["balance_errors"], 0, "no balances in the like-count preset");
    // The bank balance in a TTL cache: stale balances are errors.
    let bank = extra("bank-balance");
    assert!(bank["balance_errors"].as_u64().unwrap() > 0);
    // Write-back loses what it held when the cache dies; write-through nothing.
    assert!(bank["writes_lost"]["write-back"].as_u64().unwrap() > 0);
    assert_eq!(bank["writes_lost"]["write-through"], 0);
    // The notes' path: no cache costs 220 ms, plus disk reads; every level lowers the mean.
    let feed = extra("feed-by-interest");
    let mean = |s: &str| feed["latency_ms"][s]["mean"].as_f64().unwrap();
    assert!(mean("no-cache") >= 220.0 && feed["latency_ms"]["no-cache"]["p50"] == 220.0);
    for s in ["client-only", "server-only", "tier-only", "all"] {
        assert!(mean(s) < mean("no-cache"), "{s}");
    }
    // The CDN: US and Austria users wait far less with their edge.
    let cdn = extra("cdn-india-us-austria");
    for r in ["us-east", "austria"] {
        let (with, without) = (
            cdn["cdn_regions"][r]["with_cdn_ms"]["mean"].as_f64().unwrap(),
            cdn["cdn_regions"][r]["without_cdn_ms"]["mean"].as_f64().unwrap(),
        );
        // Hits cost the edge's 15 ms, misses the edge and the origin: the mean falls by about the hit ratio.
        assert!(with < without * 0.75, "{r}: {with} ms with the CDN, {without} without");
    }
    assert!(cdn["origin_offload"].as_f64().unwrap() > 0.5);
}
