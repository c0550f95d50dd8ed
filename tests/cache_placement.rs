//! Where a cache sits (`sim::cache::placement`) held to the notes' arithmetic and to theory:
//!
//! - no cache: every request is exactly the notes' 100 + 10 + 10 + 100 = 220 ms, plus the disk read when
//!   the database's buffer cache misses (exactly 225 ms with the default 5 ms read and no buffer);
//! - a level that always hits costs exactly its own latency, and the default costs are the notes' sums;
//! - the mean latency is exactly Σ (requests answered at a place × that place's latency) / requests,
//!   from the counted answers (an integer identity on the sum, then the mean to 1e-9 relative);
//! - the tier's nodes own key shares matching their exact arcs on the ring (within 5 binomial standard
//!   deviations), and a joining node takes its arc's share of the keys, all of them from the others,
//!   which is 1/(K+1) within 3 standard deviations of a ring of V points per node (σ ≈ 1/((K+1)√V));
//! - an LRU server cache's hit ratio against Che's approximation (within 0.015: Che's error on Zipf
//!   popularity is below 1% and the run's sampling error about 0.3%);
//! - the feed-by-interest preset's headline: shared feeds make the server cache hit far more than
//!   personal ones, and every cache level lowers the mean latency.
#![cfg(not(target_arch = "wasm32"))]

use sysplay::sim::cache::che;
use sysplay::sim::cache::placement::{
    Answer, Feeds, PRESETS, PlacementConfig, PlacementRun, Setup, SetupReport, feed_by_interest, feed_per_user, preset,
    tier_layout,
};

fn setup(r: &[SetupReport], s: Setup) -> &SetupReport {
    r.iter().find(|x| x.setup == s).expect("every setup is reported")
}

fn small(requests: u32) -> PlacementConfig {
    PlacementConfig { requests, ..feed_by_interest() }
}

#[test]
fn with_no_cache_every_request_is_the_notes_220_ms_plus_the_disk() {
    // No buffer cache and no disk time: exactly the notes' 220 ms, every request.
    let mut c = small(2_000);
    c.database.enabled = false;
    c.network.disk_read_us = 0;
    let r = PlacementRun::run(c.clone(), 1).unwrap();
    let none = setup(&r.setups, Setup::NoCache);
    assert_eq!((none.latency.count, none.latency.p50_us, none.latency.max_us), (2_000, 220_000, 220_000));
    assert_eq!(none.latency.mean_us, 220_000.0);
    assert_eq!(none.database_requests, 2_000);
    // The disk read when the buffer misses: with no buffer, every request reads the disk.
    c.network.disk_read_us = 5_000;
    let r = PlacementRun::run(c.clone(), 1).unwrap();
    let none = setup(&r.setups, Setup::NoCache);
    assert_eq!((none.latency.p50_us, none.latency.max_us, none.disk_reads), (225_000, 225_000, 2_000));
    // With the buffer on, a request is 220 ms on a buffer hit and 225 ms on a miss, and the counts say
    // how many of each.
    c.database.enabled = true;
    let r = PlacementRun::run(c, 1).unwrap();
    let none = setup(&r.setups, Setup::NoCache);
    let db = &none.levels[3];
    assert_eq!(db.lookups, 2_000);
    assert_eq!(none.disk_reads, 2_000 - db.hits);
    assert_eq!(none.latency.mean_us, (db.hits * 220_000 + none.disk_reads * 225_000) as f64 / 2_000.0);
}

#[test]
fn a_level_that_always_hits_costs_exactly_its_own_latency() {
    // One user asking for one page: after the first request every level holds it.
    let mut c = small(1_000);
    c.users = 1;
    c.items = 1;
    c.servers = 1;
    let r = PlacementRun::run(c.clone(), 9).unwrap();
    for (s, at, us) in [
        (Setup::ClientOnly, Answer::Client, 1_000),
        (Setup::ServerOnly, Answer::Server, 200_000),
        (Setup::TierOnly, Answer::Tier, 202_000),
        (Setup::NoCache, Answer::Database, 220_000),
        (Setup::All, Answer::Client, 1_000),
    ] {
        let x = setup(&r.setups, s);
        let answered = &x.answers[at as usize];
        assert_eq!(answered.latency_us, us, "{s:?}");
        assert_eq!(answered.requests, 999, "{s:?}: all but the first request");
        assert_eq!(x.latency.p50_us, us, "{s:?}");
        assert_eq!(x.latency.p99_us, us, "{s:?}");
    }
    // The default costs with every level on: each is the sum of the lookups above it and its own legs.
    let all = Setup::All.enabled(&c);
    let costs = Answer::ALL.map(|a| c.latency_us(all, a));
    assert_eq!(costs, [1_000, 201_000, 203_000, 223_000, 228_000]);
}

#[test]
fn the_mean_is_the_sum_over_places_of_their_share_times_their_latency() {
    for c in [feed_by_interest(), feed_per_user()] {
        let c = PlacementConfig { requests: 20_000, ..c };
        let r = PlacementRun::run(c, 5).unwrap();
        assert_eq!(r.setups.len(), 6);
        for s in &r.setups {
            let count: u64 = s.answers.iter().map(|a| a.requests).sum();
            assert_eq!(count, 20_000);
            let sum: u64 = s.answers.iter().map(|a| a.requests * a.latency_us).sum();
            let mean: f64 = s.answers.iter().map(|a| a.fraction * a.latency_us as f64).sum();
            assert!((s.latency.mean_us - sum as f64 / 20_000.0).abs() < 1e-6, "{:?}", s.setup);
            assert!((s.latency.mean_us - mean).abs() / mean < 1e-9, "{:?}", s.setup);
            // Each level's hits are the requests it answered; the database's lookups are those that got
            // past every cache.
            for (i, at) in [Answer::Client, Answer::Server, Answer::Tier, Answer::Database].iter().enumerate() {
                assert_eq!(s.levels[i].hits, s.answers[*at as usize].requests);
            }
            let db = s.answers[Answer::Database as usize].requests + s.answers[Answer::Disk as usize].requests;
            assert_eq!(s.database_requests, db);
            assert_eq!(s.histogram.counts.iter().sum::<u64>(), 20_000);
        }
    }
}

#[test]
fn tier_nodes_own_the_shares_of_their_arcs() {
    let c = PlacementConfig { feeds: Feeds::PerUser, ..feed_by_interest() };
    let layout = tier_layout(&c);
    assert_eq!(layout.keys_counted, 50_000);
    let n = layout.keys_counted as f64;
    let total: f64 = layout.nodes.iter().map(|x| x.arc_share).sum();
    assert!((total - 1.0).abs() < 1e-12);
    for node in &layout.nodes {
        let p = node.arc_share;
        let sigma = (p * (1.0 - p) / n).sqrt();
        let got = node.keys as f64 / n;
        assert!((got - p).abs() < 5.0 * sigma, "node {}: {got} of the keys, arc {p}", node.node);
    }
    // The run's tier sends each lookup to the ring's owner: the nodes' lookups add up, and a node's
    // share of the lookups follows the popularity of its keys, not a fixed share.
    let r = PlacementRun::run(PlacementConfig { requests: 10_000, ..c }, 3).unwrap();
    let tier = setup(&r.setups, Setup::TierOnly);
    assert_eq!(tier.tier_nodes.iter().map(|x| x.lookups).sum::<u64>(), tier.levels[2].lookups);
    assert_eq!(tier.tier_nodes.iter().map(|x| x.hits).sum::<u64>(), tier.levels[2].hits);
    for (a, b) in tier.tier_nodes.iter().zip(&layout.nodes) {
        assert_eq!(a.arc_share, b.arc_share);
    }
}

#[test]
fn adding_a_tier_node_moves_about_one_in_k_plus_one_keys() {
    for k in 1..=8u32 {
        let mut c = feed_per_user();
        c.tier.nodes = k;
        let l = tier_layout(&c);
        assert!(l.all_moved_to_new, "K = {k}: keys moved only to the new node");
        let n = l.keys_counted as f64;
        let p = l.new_node_share;
        let binomial = (p * (1.0 - p) / n).sqrt();
        assert!((l.moved_fraction - p).abs() < 5.0 * binomial, "K = {k}: {} moved, arc {p}", l.moved_fraction);
        let ring = 1.0 / (f64::from(k + 1) * f64::from(c.tier.vnodes).sqrt());
        assert!(
            (l.moved_fraction - l.expected_fraction).abs() < 3.0 * ring,
            "K = {k}: {} moved, 1/(K+1) = {}",
            l.moved_fraction,
            l.expected_fraction
        );
    }
}

/// The popularity of every key of the feed-by-interest catalogue: P(interest) × Zipf(page).
fn popularity(c: &PlacementConfig) -> Vec<f64> {
    let mut users = vec![0u64; c.interests as usize];
    for u in 0..c.users {
        users[c.interest_of(u) as usize] += 1;
    }
    let pages = che::zipf_popularity(u64::from(c.items), f64::from(c.s_milli) / 1000.0);
    let mut p = Vec::new();
    for g in 0..c.interests {
        for (item, q) in pages.iter().enumerate() {
            assert_eq!(c.key_of((0..c.users).find(|&u| c.interest_of(u) == g).unwrap(), item as u32), p.len() as u64);
            p.push(users[g as usize] as f64 / f64::from(c.users) * q);
        }
    }
    p
}

#[test]
fn lru_server_and_buffer_caches_follow_che() {
    for servers in [1, 3] {
        let c = PlacementConfig { servers, ..feed_by_interest() };
        let pop = popularity(&c);
        let r = PlacementRun::run(c.clone(), 11).unwrap();
        let server = &setup(&r.setups, Setup::ServerOnly).levels[1];
        let theory = che::hit_ratio(&pop, c.server.capacity as usize);
        assert!((server.hit_ratio - theory).abs() < 0.015, "{servers} servers: {} vs Che {theory}", server.hit_ratio);
        // With no cache above it, the database's buffer sees the raw stream.
        let buffer = &setup(&r.setups, Setup::NoCache).levels[3];
        let theory = che::hit_ratio(&pop, c.database.capacity as usize);
        assert!((buffer.hit_ratio - theory).abs() < 0.015, "buffer: {} vs Che {theory}", buffer.hit_ratio);
    }
}

#[test]
fn feed_by_interest_preset_headline() {
    let shared = PlacementRun::run(feed_by_interest(), 1).unwrap();
    let personal = PlacementRun::run(feed_per_user(), 1).unwrap();
    let hit = |r: &[SetupReport]| setup(r, Setup::ServerOnly).levels[1].hit_ratio;
    assert!(hit(&shared.setups) > 0.5, "a shared feed page serves every user of the interest");
    assert!(hit(&shared.setups) > 4.0 * hit(&personal.setups));
    let mean = |s: Setup| setup(&shared.setups, s).latency.mean_us;
    for s in [Setup::ClientOnly, Setup::ServerOnly, Setup::TierOnly, Setup::All] {
        assert!(mean(s) < mean(Setup::NoCache), "{s:?}");
    }
    assert!(mean(Setup::All) < mean(Setup::ServerOnly));
    let db = |s: Setup| setup(&shared.setups, s).database_requests;
    assert!(db(Setup::All) < db(Setup::NoCache) / 4);
    assert_eq!(
        setup(&shared.setups, Setup::Configured),
        &SetupReport { setup: Setup::Configured, ..setup(&shared.setups, Setup::All).clone() }
    );
    for name in PRESETS {
        preset(name).unwrap().validate().unwrap();
    }
}

#[test]
fn slices_give_the_whole_run_and_the_same_seed_the_same_numbers() {
    let c = small(3_000);
    let whole = PlacementRun::run(c.clone(), 42).unwrap();
    let mut run = PlacementRun::new(c, 42).unwrap();
    let mut slices = 0;
    while !run.advance(777) {
        slices += 1;
    }
    assert_eq!(run.steps(), run.total_steps());
    assert!(slices >= 18);
    assert_eq!(run.report(), whole);
    assert_ne!(PlacementRun::run(small(3_000), 43).unwrap(), whole);
}
