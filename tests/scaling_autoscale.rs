//! Traffic that changes with time and the autoscaler: arrivals Poisson within each piece, the fleet
//! settling where the rule says, scale-in held for its window, the queue that builds while servers boot,
//! what each fleet costs, and no request lost or served twice.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use sysplay::scenario::{Lab, Registered, preset};
use sysplay::sim::SlicedRun;
use sysplay::sim::kernel::SimRng;
use sysplay::sim::scaling::autoscale::{Autoscale, LoadStep, ScaleSample};
use sysplay::sim::scaling::lab::{CompareRun, cost_dollars, fleets};
use sysplay::sim::scaling::lb::next_arrival;
use sysplay::sim::scaling::{LbConfig, LbReport, LbRun, Policy, Scaling};

fn spike() -> LbConfig {
    LbConfig {
        load_steps: vec![
            LoadStep { from_s: 300.0, arrival_rate_per_s: 16.0 },
            LoadStep { from_s: 1500.0, arrival_rate_per_s: 2.0 },
        ],
        autoscale: Some(Autoscale {
            target_util_pct: 60,
            interval_s: 15.0,
            boot_s: 60.0,
            min_servers: 2,
            max_servers: 60,
            scale_in_window_s: 300.0,
            tolerance_pct: 10,
        }),
        ..LbConfig::identical(4, 2.0, 1.0, 22_000, Policy::LeastConnections)
    }
}

fn last_before(samples: &[ScaleSample], t_s: f64) -> ScaleSample {
    *samples.iter().rev().find(|s| s.t_s < t_s).unwrap()
}

#[test]
fn arrivals_are_poisson_at_each_pieces_rate() {
    let c = LbConfig {
        load_steps: vec![
            LoadStep { from_s: 1000.0, arrival_rate_per_s: 10.0 },
            LoadStep { from_s: 2000.0, arrival_rate_per_s: 0.5 },
        ],
        ..LbConfig::identical(1, 2.0, 100.0, 1, Policy::Random)
    };
    let mut rng = SimRng::new(5);
    let mut counts = [0u64; 3];
    let mut t = 0;
    loop {
        t = next_arrival(&mut rng, &c, t);
        if t >= 3_000_000_000 {
            break;
        }
        counts[(t / 1_000_000_000) as usize] += 1;
    }
    // 2,000, 10,000 and 500 expected; a Poisson count's standard deviation is its square root: 4 of them.
    for (got, want) in counts.into_iter().zip([2000.0, 10_000.0, 500.0]) {
        assert!((got as f64 - want).abs() < 4.0 * f64::sqrt(want), "{counts:?}");
    }
}

#[test]
fn the_fleet_settles_where_the_rule_says_and_scales_in_after_its_window() {
    let r = LbRun::run(spike(), 3).unwrap();
    assert_eq!((r.served, r.lost), (22_000, 0));
    // Before the spike: 2 requests a second of 1 s each at a 60% target, within 10%: 2 / 0.66 to 2 / 0.54.
    let before = last_before(&r.scale, 300.0);
    assert!((3..=4).contains(&before.in_service), "{before:?}");
    // Late in the spike the backlog is gone: 16 busy servers' worth of work, 16 / 0.66 = 24.2 to
    // 16 / 0.54 = 29.6 servers (one decision's rounding either side).
    let late = last_before(&r.scale, 1500.0);
    assert!((24..=31).contains(&(late.in_service + late.booting)), "{late:?}");
    assert!(r.scale.iter().any(|s| s.booting > 0 && s.t_s > 300.0));
    // Scale-in is held by its window: whenever servers leave, exactly the most wanted over the last
    // 300 s stay.
    let mut drains = 0;
    for (k, s) in r.scale.iter().enumerate().skip(1) {
        if s.in_service < r.scale[k - 1].in_service {
            drains += 1;
            let most = r.scale[..=k].iter().filter(|x| x.t_s >= s.t_s - 300.0).map(|x| x.desired).max().unwrap();
            assert_eq!(s.in_service, most, "{s:?}");
        }
    }
    assert!(drains > 0);
    // After the spike it wants 4 or so at once, but keeps the spike's fleet until the window has passed.
    let after = r.scale.iter().find(|s| s.t_s > 1515.0).unwrap();
    assert!(after.desired <= 5 && after.in_service >= 20, "{after:?}");
    // ... and then it comes back down.
    assert!(r.scale.last().unwrap().in_service <= 5, "{:?}", r.scale.last());
}

#[test]
fn a_queue_builds_while_servers_boot() {
    let r = LbRun::run(spike(), 3).unwrap();
    // At 300 s, 3 or 4 servers serve 16 requests a second: at least 12 a second pile up until the
    // first servers started after the spike are ready, one boot (60 s) after the first decision past it.
    let peak = r.scale.iter().map(|s| s.requests_at_servers).max().unwrap();
    assert!(peak as f64 >= 0.8 * 12.0 * 60.0, "{peak}");
    // A fleet fixed for the peak never sees such a queue.
    let fixed = LbRun::run(LbConfig { servers: vec![Default::default(); 27], autoscale: None, ..spike() }, 3).unwrap();
    assert!(fixed.max_queue < 20, "{}", fixed.max_queue);
}

#[test]
fn cost_is_the_servers_powered_time() {
    // A fixed fleet is on from 0 to the last request's answer.
    let c = LbConfig { autoscale: None, servers: vec![Default::default(); 30], ..spike() };
    let mut run = LbRun::new(c, 3).unwrap();
    while run.step().is_some() {}
    let r = run.report();
    let end = run.now() as f64 / 1e6;
    assert!((r.server_seconds - 30.0 * end).abs() < 1e-3 * end, "{} vs {}", r.server_seconds, 30.0 * end);
    // The autoscaled fleet: the sum of its powered servers over time, read at every decision (15 s apart).
    let a = LbRun::run(spike(), 3).unwrap();
    let sampled: f64 = a.scale.iter().map(|s| f64::from(s.in_service + s.booting + s.draining) * 15.0).sum();
    assert!((a.server_seconds - sampled).abs() / sampled < 0.05, "{} vs {sampled}", a.server_seconds);
    // $0.17 an hour: 3,600 server-seconds are 17 cents.
    assert!((cost_dollars(3600.0, 17) - 0.17).abs() < 1e-12);
}

fn run_fleets(name: &str) -> Vec<(String, LbReport)> {
    let p = preset(name).unwrap();
    let (config, _) = Scaling::setup_of(&p.scenario.setup).unwrap();
    let f = fleets(config);
    let mut run = CompareRun::of(f.iter().map(|(_, c)| c.clone()), p.scenario.seed).unwrap();
    while !run.advance(50_000) {}
    f.into_iter().map(|(l, _)| l).zip(run.report()).collect()
}

#[test]
fn the_spike_preset_trades_latency_for_cost() {
    let f = run_fleets("autoscale-spike");
    assert_eq!(f.len(), 3);
    let [(_, auto), (_, start), (peak_label, peak)] = [f[0].clone(), f[1].clone(), f[2].clone()];
    assert_eq!(peak_label, "fixed for the peak: 27");
    // The fleet fixed at the start drowns in the spike; the one fixed for the peak barely queues; the
    // autoscaler sits between them in latency and below the peak fleet in cost.
    assert!(start.p99_sojourn_s > 5.0 * auto.p99_sojourn_s, "{} {}", start.p99_sojourn_s, auto.p99_sojourn_s);
    assert!(auto.p99_sojourn_s > 10.0 * peak.p99_sojourn_s, "{} {}", auto.p99_sojourn_s, peak.p99_sojourn_s);
    assert!(auto.server_seconds < peak.server_seconds, "{} {}", auto.server_seconds, peak.server_seconds);
    for (_, r) in &f {
        assert_eq!((r.served, r.lost), (r.requests, 0));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever the autoscaler does, no request is lost (no server dies) and each is served once.
    #[test]
    fn autoscaling_loses_nothing(
        seed in 0u64..1000,
        target in 20u32..95,
        interval in 1u32..60,
        boot in 0u32..120,
        window in 0u32..400,
        spike_rate in 1u32..30,
        policy in prop::sample::select(vec!["random", "round-robin", "least-connections", "p2c", "jsq", "least-response-time", "consistent-hash"]),
    ) {
        let c = LbConfig {
            load_steps: vec![
                LoadStep { from_s: 50.0, arrival_rate_per_s: f64::from(spike_rate) },
                LoadStep { from_s: 150.0, arrival_rate_per_s: 1.0 },
            ],
            autoscale: Some(Autoscale {
                target_util_pct: target,
                interval_s: f64::from(interval),
                boot_s: f64::from(boot),
                min_servers: 1,
                max_servers: 40,
                scale_in_window_s: f64::from(window),
                tolerance_pct: 10,
            }),
            ..LbConfig::identical(2, 1.0, 1.0, 2_000, Policy::parse(policy).unwrap())
        };
        let r = LbRun::run(c, seed).unwrap();
        prop_assert_eq!(r.served, 2_000);
        prop_assert_eq!(r.lost, 0);
        prop_assert_eq!(r.per_server.iter().sum::<u64>(), 2_000);
        prop_assert!(r.scale.iter().all(|s| s.in_service + s.booting + s.draining <= 40));
    }
}

#[test]
fn the_spike_preset_tells_its_story() {
    let p = preset("autoscale-spike").unwrap();
    let (config, actions) = Scaling::setup_of(&p.scenario.setup).unwrap();
    let mut sim = Scaling::start(p.scenario.seed, config, actions).unwrap();
    while Scaling::step(&mut sim).is_some() {}
    let r = Scaling::report(&sim).run;
    // Over a thousand requests pile up while servers boot; the backlog drives the fleet to its most.
    assert!(r.scale.iter().map(|s| s.requests_at_servers).max().unwrap() > 1_000);
    assert_eq!(r.scale.iter().map(|s| s.in_service).max().unwrap(), 40);
    // A decision wants at most ceil(in service / 60%) servers (utilisation is at most 100%): the fleet
    // with those booting never grows past that, or past what it was.
    for w in r.scale.windows(2) {
        let (a, b) = (w[0].in_service + w[0].booting, w[1].in_service + w[1].booting);
        assert!(b <= a.max((f64::from(w[1].in_service) / 0.6).ceil() as u32), "{w:?}");
    }
    // Back to a handful after the window.
    assert!(r.scale.last().unwrap().in_service <= 6);
}
