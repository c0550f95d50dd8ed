//! The resilience lab through the lab contract: the notes' walk removes each single point of failure in
//! turn, a kill says what fails and what takes over, the simulated years agree with the algebra, and the
//! other cards tell their presets' stories.
#![cfg(not(target_arch = "wasm32"))]

use sysplay::scenario::{Finished, Lab, Registered, preset};
use sysplay::sim::resilience::Resilience;
use sysplay::sim::resilience::lab::{ResilienceAction, ResilienceConfig, ResilienceReport, work_bound};
use sysplay::sim::resilience::topology::{PartFailures, Step, Topology};

fn run(config: &ResilienceConfig, actions: &[(u64, ResilienceAction)], seed: u64) -> Finished<Resilience> {
    let mut sim = Resilience::start(seed, config, actions).unwrap();
    while Resilience::step(&mut sim).is_some() {}
    let f = Finished::<Resilience>::of(sim);
    assert!(f.violations.is_empty(), "{:?}", f.violations);
    f
}

fn whole(name: &str) -> Finished<Resilience> {
    let p = preset(name).unwrap();
    let (config, actions) = Resilience::setup_of(&p.scenario.setup).unwrap();
    run(config, actions, p.scenario.seed)
}

fn report(name: &str) -> ResilienceReport {
    whole(name).report
}

#[test]
fn node_to_database_is_up_as_the_product_of_its_parts() {
    let r = report("node-db-spof");
    let f = PartFailures::default();
    let by_hand = f.node.availability() * f.db.availability() * f.region.availability();
    assert!((r.availability - by_hand).abs() < 1e-15);
    // 4 h of repair in 2,194 h, 8 in 4,388, 12 in 43,812: 99.61%, about 34 hours down a year.
    assert!((r.availability - 0.99608).abs() < 1e-5, "{}", r.availability);
    assert!((r.downtime_min_per_year / 60.0 - 34.3).abs() < 0.1, "{}", r.downtime_min_per_year / 60.0);
    assert_eq!(r.spofs, ["node-a1", "db-a1"]);
    assert!(r.regions[0].spof);
    // The independent formula gives each part its own copy of the region: the region counts twice.
    let twice = f.node.availability() * f.db.availability() * f.region.availability().powi(2);
    assert!((r.independent - twice).abs() < 1e-15, "{} against {twice}", r.independent);
}

#[test]
fn the_walkthrough_leaves_only_dns_and_each_step_helps() {
    let p = preset("notes-walkthrough").unwrap();
    let (config, actions) = Resilience::setup_of(&p.scenario.setup).unwrap();
    let mut last = 0.0;
    let mut spofs = Vec::new();
    for k in 0..=actions.len() {
        let r = run(config, &actions[..k], 1).report;
        spofs.push(r.spofs.clone());
        // Every step but the idle ones (more nodes before a load balancer, a second load balancer
        // before DNS) and the coordinator (one more thing in series, for faster take-overs) raises the
        // availability.
        let step = k.checked_sub(1).map(|i| &actions[i].1);
        match step {
            Some(ResilienceAction::Add { step: Step::MoreNodes | Step::MoreLbs }) => {
                assert!((r.availability - last).abs() < 1e-15, "step {k}")
            }
            Some(ResilienceAction::Add { step: Step::Coordinator }) => assert!(r.availability < last),
            Some(_) => assert!(r.availability > last, "step {k}: {} after {last}", r.availability),
            None => {}
        }
        last = r.availability;
    }
    let expect: [&[&str]; 8] =
        [&["node-a1", "db-a1"], &["node-a1"], &["node-a1"], &["lb-a1"], &["lb-a1"], &["dns"], &["dns"], &["dns"]];
    assert_eq!(spofs, expect.map(|s| s.iter().map(|x| x.to_string()).collect::<Vec<_>>()));
    // The coordinator's worth: take-overs of the primary in 30 s, not 15 minutes.
    let before = run(config, &actions[..5], 1).report;
    let after = run(config, &actions[..6], 1).report;
    assert!(after.takeover_min_per_year < before.takeover_min_per_year / 5.0);
    assert!(after.with_takeovers > before.with_takeovers);
    // The end: two regions, both able to fail alone.
    let end = run(config, actions, 1).report;
    assert_eq!(end.next_step, None);
    assert!(end.regions.iter().all(|g| !g.spof));
    // DNS, once in ten years for an hour, is most of what is left: about 6 minutes a year.
    assert!((end.downtime_min_per_year - 6.63).abs() < 0.01, "{}", end.downtime_min_per_year);
}

#[test]
fn a_region_down_fails_everything_until_dns_and_the_coordinator_move() {
    let r = report("region-down");
    assert!(r.serving);
    assert_eq!(r.killed, ["region-a"]);
    let i = &r.impacts[0];
    assert_eq!((i.window_s, i.share, i.serving_after), (Some(90), 1.0, true));
    assert!(i.story.contains("db-b1") || i.story.contains("promote"), "{}", i.story);
    // Every part of region a is down with it: the primary moves to region b.
    let primary = r.parts.iter().find(|p| p.role.starts_with("primary")).unwrap();
    assert_eq!(primary.name, "db-b1");
    // Killing region b too leaves nothing.
    let p = preset("region-down").unwrap();
    let (config, actions) = Resilience::setup_of(&p.scenario.setup).unwrap();
    let mut more = actions.to_vec();
    more.push((1, ResilienceAction::Kill { part: "region-b".into() }));
    let r = run(config, &more, 1).report;
    assert!(!r.serving);
    assert_eq!(r.impacts[1].window_s, None);
}

#[test]
fn shared_region_failures_make_the_independent_formula_wrong() {
    // Two regions whose parts are the same: the independent formula counts region a's failure once per
    // part, as if each had its own region, and overstates the downtime of the redundant tiers.
    let r = report("region-down");
    assert!(r.independent != r.availability);
    let y = r.years.as_ref().unwrap();
    assert!((y.analytic - r.availability).abs() < 1e-15);
}

#[test]
fn simulated_years_agree_with_the_algebra_on_every_step_of_the_walk() {
    let p = preset("notes-walkthrough").unwrap();
    let (config, actions) = Resilience::setup_of(&p.scenario.setup).unwrap();
    let config = ResilienceConfig { years: 20_000, ..config.clone() };
    for k in 0..=actions.len() {
        for seed in [1, 2] {
            let r = run(&config, &actions[..k], seed).report;
            let y = r.years.as_ref().unwrap();
            assert_eq!(
                r.agrees(),
                Some(true),
                "step {k}, seed {seed}: {} ± {} against {}",
                y.simulated,
                y.simulated_stderr,
                y.analytic
            );
            assert!(y.outages > 0, "step {k}");
        }
    }
}

#[test]
fn bad_changes_get_a_sentence() {
    let c = ResilienceConfig::default();
    let kill = |p: &str| (1, ResilienceAction::Kill { part: p.into() });
    let e = Resilience::start(1, &c, &[kill("lb-a1")]).err().unwrap();
    assert!(e.contains("no part named \"lb-a1\""), "{e}");
    let e = Resilience::start(1, &c, &[kill(&"x".repeat(10_000))]).err().unwrap();
    assert!(e.len() < 200, "{e}");
    let e = Resilience::start(1, &c, &[kill("node-a1"), kill("node-a1")]).err().unwrap();
    assert!(e.contains("down already"), "{e}");
    let e = Resilience::start(1, &c, &[(1, ResilienceAction::Revive { part: "db-a1".into() })]).err().unwrap();
    assert!(e.contains("not down"), "{e}");
    let dns = (1, ResilienceAction::Add { step: Step::Dns });
    let e = Resilience::start(1, &c, &[dns.clone(), dns]).err().unwrap();
    assert!(e.contains("DNS already"), "{e}");
    let huge = ResilienceConfig { topology: Topology { nodes: 1_000, ..Topology::default() }, ..c.clone() };
    assert!(Resilience::start(1, &huge, &[]).err().unwrap().contains("between 1 and 12"));
    let storm = ResilienceConfig {
        storm: sysplay::sim::resilience::storm::StormConfig { duration_ms: 3_600_000, ..Default::default() },
        ..c
    };
    assert!(Resilience::start(1, &storm, &[]).err().unwrap().contains("attempts"));
}

#[test]
fn the_largest_architecture_simulates_fewer_years_within_the_limit() {
    let t = Topology { regions: 4, dns: true, lbs: 4, nodes: 12, dbs: 4, coordinator: true, ..Topology::default() };
    let c = ResilienceConfig { topology: t, years: 100_000, ..ResilienceConfig::default() };
    let r = run(&c, &[], 3).report;
    let y = r.years.as_ref().unwrap();
    assert!(y.years < 100_000.0 && y.years >= 1_000.0, "{}", y.years);
    assert!(work_bound(&c, &[]).unwrap() <= sysplay::sim::WORK_EVENTS_MAX);
}

#[test]
fn the_cards_tell_their_presets_stories() {
    let run = |name: &str| {
        let p = preset(name).unwrap();
        let (config, actions) = Resilience::setup_of(&p.scenario.setup).unwrap();
        let sim = {
            let mut s = Resilience::start(p.scenario.seed, config, actions).unwrap();
            while Resilience::step(&mut s).is_some() {}
            s
        };
        Resilience::extra_json(&sim)
    };
    let storm = run("retry-storm");
    assert_eq!(storm["storm"]["recovered_at_s"], serde_json::Value::Null);
    assert_eq!(storm["storm"]["goodput_after_per_s"], 0.0);
    // Only the retry budget brings the storm back: jitter or shedding alone leave the retries offering
    // four times the requests.
    let p = preset("retry-storm").unwrap();
    let (config, _) = Resilience::setup_of(&p.scenario.setup).unwrap();
    let storm_with = |f: fn(&mut sysplay::sim::resilience::storm::StormConfig)| {
        let mut c = config.storm;
        f(&mut c);
        sysplay::sim::resilience::storm::run(&c, p.scenario.seed).unwrap().recovered_at_s
    };
    assert_eq!(storm_with(|c| c.jitter = true), None);
    assert_eq!(storm_with(|c| c.shed_stale = true), None);
    assert_eq!(storm_with(|c| c.budget_pct = Some(10)), Some(59));
    let breaker = run("circuit-breaker");
    assert_eq!(breaker["breaker"]["transitions"][0]["at_ms"], 32_450);
    let mono = run("monolith-crash");
    assert_eq!(mono["services"]["crash_fails"], 1.0);
    let micro = run("microservice-crash");
    let f = micro["services"]["crash_fails"].as_f64().unwrap();
    assert!(f > 0.0 && f < 1.0, "{f}");
}

/// Same constant as the browser test in tests/web.rs.
const RESILIENCE_DIGEST: u64 = include!("golden/resilience_digest.txt");

#[test]
fn the_walkthrough_digest_is_pinned() {
    assert_eq!(whole("notes-walkthrough").digest(), RESILIENCE_DIGEST);
}
