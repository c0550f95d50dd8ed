//! The balancer's measurements against queueing theory (`sim::scaling::theory`), within stated
//! tolerances for runs of a million requests; the properties every run keeps; the command line.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use sysplay::sim::scaling::lb::{HealthCheck, Outage};
use sysplay::sim::scaling::{LbConfig, LbReport, LbRun, Policy, ServerSpec, theory};

fn run(n: u32, lambda: f64, mu: f64, requests: u64, policy: Policy) -> LbReport {
    LbRun::run(LbConfig::identical(n, lambda, mu, requests, policy), 7).unwrap()
}

fn within(measured: f64, theory: f64, tol: f64, what: &str) {
    let err = (measured - theory).abs() / theory;
    assert!(
        err <= tol,
        "{what}: measured {measured:.4}, theory {theory:.4} ({:.1}% off, tolerance {:.0}%)",
        100.0 * err,
        100.0 * tol
    );
}

// At rho = 0.7 over 4 servers, a million requests make about 4,700 independent stretches of the busy
// period (relaxation time 1 / (mu (1 - sqrt(rho))^2) = 38 s, over 357,000 s): the mean's standard error
// is about 1.5%, the tolerance 5%.

#[test]
fn random_balancing_makes_each_server_mm1() {
    let r = run(4, 2.8, 1.0, 1_000_000, Policy::Random);
    let t = theory::random(4, 2.8, 1.0).unwrap();
    within(r.mean_sojourn_s, t.mean_sojourn_s, 0.05, "random, mean");
    within(r.p50_sojourn_s, t.p50_sojourn_s.unwrap(), 0.05, "random, p50");
    within(r.p99_sojourn_s, t.p99_sojourn_s.unwrap(), 0.07, "random, p99");
    for (i, &k) in r.per_server.iter().enumerate() {
        within(k as f64, 250_000.0, 0.01, &format!("server {i}'s share"));
    }
    for &u in &r.utilization {
        within(u, 0.7, 0.03, "utilization");
    }
}

#[test]
fn round_robin_makes_each_server_en_m1() {
    let r = run(4, 2.8, 1.0, 1_000_000, Policy::RoundRobin);
    let t = theory::round_robin(4, 2.8, 1.0).unwrap();
    within(r.mean_sojourn_s, t.mean_sojourn_s, 0.05, "round robin, mean");
    within(r.p99_sojourn_s, t.p99_sojourn_s.unwrap(), 0.07, "round robin, p99");
    // Every server gets exactly every fourth request.
    assert!(r.per_server.iter().all(|&k| k == 250_000), "{:?}", r.per_server);
    // Regular arrivals wait less than Poisson ones: round robin beats random by the theory's margin.
    let random = theory::random(4, 2.8, 1.0).unwrap().mean_sojourn_s;
    assert!(r.mean_sojourn_s < 0.75 * random);
}

#[test]
fn one_machine_of_many_cores_is_mmc() {
    // Eight cores from one queue at rho = 0.7: M/M/8.
    let mut c = LbConfig::identical(1, 5.6, 1.0, 500_000, Policy::Random);
    c.servers[0].cores = 8;
    let r = LbRun::run(c, 4).unwrap();
    let t = theory::shared_queue(8, 5.6, 1.0).unwrap();
    within(r.mean_sojourn_s, t.mean_sojourn_s, 0.04, "M/M/8, mean");
    within(r.p99_sojourn_s, t.p99_sojourn_s.unwrap(), 0.06, "M/M/8, p99");
    within(r.utilization[0], 0.7, 0.02, "M/M/8, utilization of each core");
}

#[test]
fn the_power_of_two_choices_nears_mitzenmacher_s_limit() {
    // 100 servers at rho = 0.9: the limit as N grows is 2.614 s; a hundred servers come within a few %.
    let r = run(100, 90.0, 1.0, 1_000_000, Policy::PowerOfD { d: 2 });
    let limit = theory::power_of_d_limit(2, 0.9, 1.0).unwrap();
    within(r.mean_sojourn_s, limit, 0.06, "p2c against the supermarket limit");
    // Random at the same load: 10 s. Two choices cut it fourfold.
    assert!(r.mean_sojourn_s * 3.5 < theory::random(100, 90.0, 1.0).unwrap().mean_sojourn_s);
}

#[test]
fn queue_aware_policies_sit_between_the_shared_queue_and_random() {
    let shared = theory::shared_queue(10, 8.0, 1.0).unwrap();
    let random = theory::random(10, 8.0, 1.0).unwrap();
    for policy in [Policy::Jsq, Policy::LeastConnections, Policy::LeastResponseTime, Policy::PowerOfD { d: 2 }] {
        let r = run(10, 8.0, 1.0, 400_000, policy);
        assert!(
            r.mean_sojourn_s > shared.mean_sojourn_s && r.mean_sojourn_s < 0.5 * random.mean_sojourn_s,
            "{}: {} against M/M/c {} and random {}",
            policy.name(),
            r.mean_sojourn_s,
            shared.mean_sojourn_s,
            random.mean_sojourn_s
        );
    }
    // JSQ comes within 15% of the shared queue's mean at this load.
    within(run(10, 8.0, 1.0, 400_000, Policy::Jsq).mean_sojourn_s, shared.mean_sojourn_s, 0.15, "JSQ near M/M/c");
}

#[test]
fn a_slow_server_hurts_round_robin_not_least_connections() {
    // Four servers, one at a quarter of the speed: capacity 3.25 a second, 2.4 offered (74%). The whole is
    // stable, but round robin sends the slow server a quarter of the requests, 0.6 a second against the
    // 0.25 it serves: its queue grows for the whole run. Least connections sends it what it can take.
    let mut c = LbConfig::identical(4, 2.4, 1.0, 200_000, Policy::RoundRobin);
    c.servers[3] = ServerSpec { speed_pct: 25, weight_pct: 25, cores: 1 };
    let rr = LbRun::run(c.clone(), 3).unwrap();
    let lc = LbRun::run(LbConfig { policy: Policy::LeastConnections, ..c.clone() }, 3).unwrap();
    let wrr = LbRun::run(LbConfig { policy: Policy::WeightedRoundRobin, ..c }, 3).unwrap();
    assert!(
        rr.p99_sojourn_s > 50.0 * lc.p99_sojourn_s,
        "round robin p99 {} vs least connections {}",
        rr.p99_sojourn_s,
        lc.p99_sojourn_s
    );
    assert!(lc.per_server[3] < lc.per_server[0] / 2, "{:?}", lc.per_server);
    // Weighted round robin sends it its weight's share: 25 of 325.
    within(wrr.per_server[3] as f64, 200_000.0 * 25.0 / 325.0, 0.01, "weighted share");
}

#[test]
fn every_policy_serves_the_same_jobs() {
    // The arrivals and each request's work come from their own stream: with one server, where every
    // policy must send everything to it, all policies measure exactly the same.
    let reports: Vec<LbReport> =
        [Policy::Random, Policy::RoundRobin, Policy::Jsq, Policy::PowerOfD { d: 1 }, Policy::SourceHash]
            .into_iter()
            .map(|p| run(1, 0.6, 1.0, 5_000, p))
            .collect();
    for r in &reports[1..] {
        assert_eq!(
            (r.mean_sojourn_s, r.p99_sojourn_s, r.max_queue),
            (reports[0].mean_sojourn_s, reports[0].p99_sojourn_s, reports[0].max_queue)
        );
    }
}

#[test]
fn hashing_policies_keep_a_client_on_one_server() {
    // With a single client, source and consistent hash send everything to one server.
    for policy in [Policy::SourceHash, Policy::ConsistentHash] {
        let mut c = LbConfig::identical(4, 0.5, 1.0, 1_000, policy);
        c.clients = 1;
        let r = LbRun::run(c, 1).unwrap();
        assert_eq!(r.per_server.iter().filter(|&&k| k > 0).count(), 1, "{}: {:?}", policy.name(), r.per_server);
    }
}

#[test]
fn bad_settings_are_refused_with_a_sentence() {
    let unstable = LbRun::new(LbConfig::identical(4, 4.0, 1.0, 100, Policy::Random), 1).err().unwrap();
    assert!(unstable.contains("unstable") && unstable.contains("add servers"), "{unstable}");
    assert!(LbRun::new(LbConfig::identical(0, 1.0, 1.0, 100, Policy::Random), 1).is_err());
    assert!(
        LbRun::new(LbConfig::identical(2, 1.0, 1.0, 100, Policy::PowerOfD { d: 3 }), 1)
            .err()
            .unwrap()
            .contains("d between")
    );
    assert!(
        LbRun::new(LbConfig::identical(1000, 1.0, 1.0, 10_000_000, Policy::Jsq), 1)
            .err()
            .unwrap()
            .contains("fewer requests")
    );
    assert!(Policy::parse("p3c") == Ok(Policy::PowerOfD { d: 3 }));
    assert!(Policy::parse("nope").unwrap_err().contains("round-robin"));
    assert!(LbRun::new(LbConfig::identical(2, f64::NAN, 1.0, 100, Policy::Random), 1).is_err());
}

#[test]
fn a_dead_server_takes_requests_until_its_health_checks_fail() {
    // Four servers at 2.0 a second in all; server 0 dies at 100 s for 200 s. Round robin sends it every
    // fourth request (0.5 a second) until two failed probes 5 s apart take it out: 5 to 10 s after the
    // death, so 2.5 to 5 requests on average are refused, and the ones at it when it died are lost.
    let mut c = LbConfig::identical(4, 2.0, 1.0, 1_000, Policy::RoundRobin);
    c.outages = vec![Outage { server: 0, from_s: 100.0, to_s: 300.0 }];
    let r = LbRun::run(c.clone(), 2).unwrap();
    assert_eq!(r.detection_s.len(), 1);
    assert!((5.0..=10.0).contains(&r.detection_s[0]), "{:?}", r.detection_s);
    assert!(r.sent_to_dead >= 1 && r.sent_to_dead <= 8, "{}", r.sent_to_dead);
    assert_eq!(r.served + r.lost, 1_000);
    assert!(r.lost >= r.sent_to_dead, "no retries: every refused request is lost");
    // Back after two good probes, it serves again: about 0.5 a second for the 300 s it is up of the 500,
    // 150 in all (50 before its death).
    assert!((120..=180).contains(&r.per_server[0]), "{:?}", r.per_server);
    // With one retry, a refused request goes to another server: only those at it when it died can be
    // lost, and they too are retried.
    let retried = LbRun::run(LbConfig { retries: 1, ..c.clone() }, 2).unwrap();
    assert_eq!(retried.lost, 0);
    assert_eq!(retried.served, 1_000);
    assert!(retried.retried >= retried.sent_to_dead);
    // Without health checks the balancer never notices: a quarter of the 400 requests of the outage go to
    // the dead server.
    let blind =
        LbRun::run(LbConfig { health: HealthCheck { check_interval_s: 0.0, ..HealthCheck::default() }, ..c }, 2)
            .unwrap();
    assert!((80..=120).contains(&blind.sent_to_dead), "{}", blind.sent_to_dead);
    assert!(blind.detection_s.is_empty());
}

#[test]
fn consistent_hash_moves_only_the_dead_server_s_clients() {
    // Server 1 of 4 leaves the pool: source hash (modulo the pool) re-deals most of 10,000 clients, the
    // ring only the quarter that were on server 1.
    use sysplay::sim::scaling::lb::{hash_ring, hash_route};
    let ring = hash_ring(4);
    let (all, without_1) = ([0, 1, 2, 3], [0, 2, 3]);
    let moved = |ring: Option<&sysplay::sim::hashing::Ring>| {
        (0..10_000u64).filter(|&c| hash_route(ring, &all, c) != hash_route(ring, &without_1, c)).count() as f64 / 1e4
    };
    let on_1 = (0..10_000u64).filter(|&c| hash_route(Some(&ring), &all, c) == 1).count() as f64 / 1e4;
    assert_eq!(moved(Some(&ring)), on_1, "the ring moves exactly server 1's clients");
    assert!((0.15..0.35).contains(&on_1), "{on_1}");
    // Modulo: a client stays only when h mod 4 and h mod 3 land on the same server: about 1 in 4 does
    // (h mod 12 in 0, 10, 11: 3 of 12), so about 3 in 4 move.
    let m = moved(None);
    assert!((0.65..0.85).contains(&m), "{m}");
}

fn any_policy() -> impl Strategy<Value = Policy> {
    prop_oneof![
        Just(Policy::Random),
        Just(Policy::RoundRobin),
        Just(Policy::WeightedRoundRobin),
        Just(Policy::LeastConnections),
        Just(Policy::WeightedLeastConnections),
        (1u32..=3).prop_map(|d| Policy::PowerOfD { d }),
        Just(Policy::Jsq),
        Just(Policy::LeastResponseTime),
        Just(Policy::SourceHash),
        Just(Policy::ConsistentHash),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// No request is lost and every one is served exactly once, whatever the policy and servers.
    #[test]
    fn every_request_is_served_exactly_once_or_lost_to_a_failure(
        speeds in prop::collection::vec((1u32..=400, 1u32..=400, 1u32..=4), 3..8),
        load_pct in 5u32..95,
        requests in 1u64..3_000,
        policy in any_policy(),
        outages in prop::collection::vec((0u32..8, 0.0f64..2_000.0, 1.0f64..500.0), 0..4),
        retries in 0u32..3,
        checks in prop_oneof![Just(0.0), Just(1.0), Just(7.5)],
        seed in any::<u64>(),
    ) {
        let servers: Vec<ServerSpec> =
            speeds.iter().map(|&(s, w, cores)| ServerSpec { speed_pct: s, weight_pct: w, cores }).collect();
        let capacity: f64 = servers.iter().map(|s| f64::from(s.speed_pct * s.cores) / 100.0).sum();
        let c = LbConfig {
            servers,
            arrival_rate_per_s: capacity * f64::from(load_pct) / 100.0,
            service_rate_per_s: 1.0,
            requests,
            policy,
            clients: 50,
            ewma_decay_s: 10.0,
            outages: outages
                .iter()
                .map(|&(server, from_s, len)| Outage { server: server % speeds.len() as u32, from_s, to_s: from_s + len })
                .collect(),
            health: HealthCheck { check_interval_s: checks, ..HealthCheck::default() },
            retries,
            sticky: false,
            load_steps: Vec::new(),
            autoscale: None,
        };
        let no_failures = c.outages.is_empty();
        let mut run = LbRun::new(c, seed).unwrap();
        let mut copy = run.clone();
        while !run.advance(97) {}
        while copy.step().is_some() {}
        let r = run.report();
        prop_assert_eq!(&r, &copy.report());
        prop_assert_eq!(r.served + r.lost, requests);
        if no_failures {
            // No request lost when no server dies, and each sent to exactly one server.
            prop_assert_eq!((r.served, r.lost, r.retried), (requests, 0, 0));
            prop_assert_eq!(r.per_server.iter().sum::<u64>(), requests);
        }
        prop_assert!(r.p50_sojourn_s <= r.p99_sojourn_s && r.p99_sojourn_s <= r.max_sojourn_s);
        prop_assert!(r.max_queue >= 1);
    }
}

fn sticky(n: u32, lambda: f64, clients: u32, requests: u64) -> LbConfig {
    LbConfig { sticky: true, clients, ..LbConfig::identical(n, lambda, 1.0, requests, Policy::RoundRobin) }
}

#[test]
fn sticky_sessions_make_a_static_partition() {
    // Round robin places the 40 clients' first requests 4 to a server.
    let r = LbRun::run(sticky(10, 4.0, 40, 400_000), 21).unwrap();
    assert_eq!(r.clients_per_server, vec![4; 10]);
    assert_eq!(r.sessions_moved, 0);
    assert_eq!(r.clients_per_server.iter().sum::<u64>(), 40);
    // Each server gets its clients' share of the arrivals, whatever its queue: an M/M/1 queue at
    // lambda × k_i / 40; a request is at server i with probability k_i / 40.
    let mean: f64 = r
        .clients_per_server
        .iter()
        .filter(|&&k| k > 0)
        .map(|&k| {
            let share = k as f64 / 40.0;
            assert!(4.0 * share < 1.0, "{:?}", r.clients_per_server);
            share / (1.0 - 4.0 * share)
        })
        .sum();
    assert!(
        (r.mean_sojourn_s / mean - 1.0).abs() < 0.05,
        "{} vs {mean} ({:?})",
        r.mean_sojourn_s,
        r.clients_per_server
    );
    // Without stickiness least connections comes near the shared queue, M/M/10 at 40%: barely above 1 s.
    let free =
        LbRun::run(LbConfig { sticky: false, policy: Policy::LeastConnections, ..sticky(10, 4.0, 40, 400_000) }, 21)
            .unwrap();
    assert!(
        free.mean_sojourn_s < 1.05 && r.mean_sojourn_s > 1.3 * free.mean_sojourn_s,
        "{} {}",
        free.mean_sojourn_s,
        r.mean_sojourn_s
    );
    // Sticky least connections places each first request on an idle server, ties to the first: the
    // first servers collect the sessions while they are idle at that moment, and keep them.
    let lc = LbRun::run(LbConfig { policy: Policy::LeastConnections, ..sticky(10, 2.0, 40, 20_000) }, 21).unwrap();
    let most = *lc.clients_per_server.iter().max().unwrap();
    assert!(most >= 8 && lc.clients_per_server[0] == most, "{:?}", lc.clients_per_server);
}

#[test]
fn a_server_that_leaves_moves_its_sessions() {
    let c = LbConfig {
        outages: vec![Outage { server: 0, from_s: 100.0, to_s: 1e9 }],
        health: HealthCheck { check_interval_s: 2.0, ..HealthCheck::default() },
        retries: 1,
        ..sticky(4, 2.0, 100, 5_000)
    };
    let r = LbRun::run(c, 22).unwrap();
    // Its clients' next requests are refused (or reach it after it left the pool) and placed again: each
    // of them moves once, and nobody else does.
    assert_eq!(r.clients_per_server[0], 0);
    assert!(r.sessions_moved >= 15 && r.sessions_moved <= 40, "{}", r.sessions_moved);
    assert_eq!(r.lost, 0);
}
