//! The work budget (`sim::WORK_EVENTS_MAX`): links that froze the page, each within every field's
//! limit, are refused with a sentence naming the setting to change; the heaviest accepted scenarios
//! (`golden/heaviest.txt`) keep opening; and each timed lab's estimate is a true upper bound on the
//! events its runs process, checked on many small random runs and on scaled-down twins of the
//! heaviest ones (the heavy ones themselves are timed by `benches/run_budget.rs`).
#![cfg(not(target_arch = "wasm32"))]

use sysplay::scenario::{LINK_ENCODED_MAX, LabSetup, LinkError, SCENARIO_VERSION, Scenario, decode_link, encode_link};
use sysplay::sim::hashing::{HashingAction, HashingConfig, ServerSpec, check_replay};
use sysplay::sim::kernel::SimRng;
use sysplay::sim::pubsub::{
    PatternKind, PubSubAction, PubSubConfig, PubSubSim, ServiceSpec, SubscriptionSpec, TimedPubSubAction, TopicWeight,
};
use sysplay::sim::queue::{Delivery, Redistribution, ShopAction, ShopConfig, ShopSim, ShopSpec, TimedAction};
use sysplay::sim::sharding::ShardLabSim;
use sysplay::sim::stream::{Assignor, CommitMode, GroupSpec, StreamAction, StreamConfig, StreamSim, TimedStreamAction};
use sysplay::sim::{WORK_EVENTS_MAX, cache, events, pubsub, queue, resilience, sharding, stream};

const HEAVIEST: &str = include_str!("golden/heaviest.txt");
const DAY_MS: u64 = 86_400_000;
const HOUR_MS: u64 = 3_600_000;

fn scenario(setup: LabSetup) -> Scenario {
    Scenario { version: SCENARIO_VERSION, seed: 2024, setup }
}

/// The sentence a share link of `s` is refused with; the link itself is within the size cap.
fn refusal(s: &Scenario) -> String {
    let link = encode_link(s);
    let payload = link.strip_prefix("s=1.").expect("codec 1");
    assert!(payload.len() <= LINK_ENCODED_MAX, "the attack fits in a link ({} characters)", payload.len());
    match decode_link(&link) {
        Err(LinkError::Invalid(e)) => {
            assert!(LinkError::Invalid(e.clone()).to_string().ends_with('.'), "the page shows a sentence: {e}");
            e
        }
        other => panic!("the link opened or failed otherwise: {other:?}"),
    }
}

fn assert_names(e: &str, setting: &str) {
    assert!(e.contains("too many simulation steps") && e.contains(&format!("to fit, {setting}")), "{e}");
}

// --- (a) The attacks, each within every field's limit, are refused with a sentence. ---

#[test]
fn a_thousand_servers_of_a_thousand_points_changed_500_times_is_refused() {
    let servers = (0..1000).map(|i| ServerSpec { name: format!("S{i}"), position: None, weight: 1 }).collect();
    let config = HashingConfig { ring_size: 1 << 32, key_count: 10_000, servers, vnodes: 1000, ..Default::default() };
    let actions: Vec<(u64, HashingAction)> = (0..500)
        .map(|i| {
            let name = "S999".to_string();
            let a = if i % 2 == 0 {
                HashingAction::RemoveServer { name }
            } else {
                HashingAction::AddServer { name, position: None }
            };
            (i, a)
        })
        .collect();
    let e = refusal(&scenario(LabSetup::Hashing { config, actions }));
    assert!(e.starts_with("action "), "the refusal names the change that goes over: {e}");
    assert_names(&e, "lower the virtual nodes");
}

/// The default shop with 100,000 orders of one-hour pizzas, every shop slowed down, and a heartbeat every
/// millisecond checked every second for a virtual day: nothing settles, so the heartbeats alone are
/// 345.6 million events (about three minutes natively).
#[test]
fn a_day_of_millisecond_heartbeats_is_refused() {
    let config = ShopConfig {
        orders: 100_000,
        pizza_ms: HOUR_MS,
        heartbeat_every_ms: 1,
        check_every_ms: 1000,
        horizon_ms: DAY_MS,
        sample_every_ms: DAY_MS / 10_000,
        ..ShopConfig::default()
    };
    let actions: Vec<TimedAction> =
        config.shops.iter().map(|s| (0, ShopAction::SlowShop { shop: s.name.clone(), factor_pct: 10_000 })).collect();
    let e = refusal(&scenario(LabSetup::Queue { config: config.clone(), actions }));
    assert_names(&e, "raise the heartbeat interval");
    // The page's setup form checks the configuration alone and refuses it the same way.
    assert_names(&config.validate().unwrap_err(), "raise the heartbeat interval");
}

/// 100,000 orders whose leases run out after a millisecond (so each can be retried until the dead-letter
/// queue), 500 poison orders, 100 attempts, no backoff to speak of.
#[test]
fn orders_retried_a_hundred_times_are_refused() {
    let config = ShopConfig {
        orders: 100_000,
        order_rate_per_min: 60_000,
        poison_orders: (0..500).map(|i| i * 200).collect(),
        max_attempts: 100,
        visibility_timeout_ms: 1,
        backoff_base_ms: 1,
        backoff_cap_ms: 1,
        ..ShopConfig::default()
    };
    let e = refusal(&scenario(LabSetup::Queue { config: config.clone(), actions: Vec::new() }));
    assert_names(&e, "lower the attempts before the dead-letter queue");
    assert_names(&config.validate().unwrap_err(), "lower the attempts before the dead-letter queue");
}

/// A shop with 100,000 held orders whose shops are killed and restarted 250 times: the notifier moves
/// every held order on each death.
#[test]
fn killing_shops_that_hold_every_order_is_refused() {
    let config = ShopConfig {
        orders: 100_000,
        order_rate_per_min: 60_000,
        pizza_ms: HOUR_MS,
        queue_capacity: 100_000,
        max_attempts: 1,
        horizon_ms: DAY_MS,
        sample_every_ms: DAY_MS / 10_000,
        ..ShopConfig::default()
    };
    let actions: Vec<TimedAction> = (0..500u64)
        .map(|i| {
            let shop = "PS1".to_string();
            let a = if i % 2 == 0 { ShopAction::KillShop { shop } } else { ShopAction::RestartShop { shop } };
            (200_000 + i * 30_000, a)
        })
        .collect();
    assert!(config.validate().is_ok(), "the configuration alone fits");
    let e = refusal(&scenario(LabSetup::Queue { config, actions }));
    assert_names(&e, "kill fewer shops or lower the queue capacity");
}

/// 64 partitions, one-hour handling and one-hour rebalances keep the group from ever settling, so its
/// consumers auto-commit every millisecond for the whole virtual day.
#[test]
fn a_day_of_millisecond_auto_commits_is_refused() {
    let config = StreamConfig {
        partitions: 64,
        handle_ms: HOUR_MS,
        rebalance_ms: HOUR_MS,
        session_timeout_ms: HOUR_MS,
        horizon_ms: DAY_MS,
        sample_every_ms: DAY_MS / 1000,
        groups: vec![GroupSpec {
            name: "billing".into(),
            consumers: (0..64).map(|i| format!("c{i}")).collect(),
            commit: CommitMode::Auto { every_ms: 1 },
        }],
        ..StreamConfig::default()
    };
    let actions = vec![(60_000, StreamAction::RemoveConsumer { group: "billing".into(), name: "c1".into() })];
    let e = refusal(&scenario(LabSetup::Stream { config: config.clone(), actions }));
    assert_names(&e, "raise the auto-commit interval");
    assert_names(&config.validate().unwrap_err(), "raise the auto-commit interval");
}

/// Four auto-committing groups of 64 consumers over 100,000 records, a consumer of each crashing again
/// and again: each crash can make its group handle every record again.
#[test]
fn crashing_auto_committing_consumers_over_and_over_is_refused() {
    let groups: Vec<GroupSpec> = (0..4)
        .map(|g| GroupSpec {
            name: format!("g{g}"),
            consumers: (0..64).map(|i| format!("c{i}")).collect(),
            commit: CommitMode::Auto { every_ms: 60_000 },
        })
        .collect();
    let config =
        StreamConfig { partitions: 64, records: 100_000, rate_per_min: 60_000, groups, ..StreamConfig::default() };
    let actions: Vec<TimedStreamAction> = (0..200u64)
        .map(|i| {
            let (group, name) = (format!("g{}", i % 4), format!("c{}", i % 64));
            let a = if (i / 4) % 2 == 0 {
                StreamAction::CrashConsumer { group, name }
            } else {
                StreamAction::RestartConsumer { group, name }
            };
            (10_000 + i * 1000, a)
        })
        .collect();
    let e = refusal(&scenario(LabSetup::Stream { config, actions }));
    assert_names(&e, "crash fewer consumers");
}

// --- (b) The heaviest accepted scenarios open; one step more is refused. ---

fn heaviest() -> Vec<(&'static str, &'static str)> {
    HEAVIEST
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split_once('\t').unwrap_or_else(|| panic!("bad line: {l}")))
        .collect()
}

/// The scenario in a link, parsed without the replay `decode_link` ends with (the hashing lab's replay
/// of a million-point ring is slow in a debug build; the timed labs' check does not run them anyway).
fn parsed(link: &str) -> Scenario {
    use base64::Engine;
    let payload = link.split_once("#s=1.").map(|(_, p)| p).expect("a share link");
    assert!(payload.len() <= LINK_ENCODED_MAX, "{} characters", payload.len());
    let packed = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).expect("base64");
    let json = miniz_oxide::inflate::decompress_to_vec(&packed).expect("deflate");
    serde_json::from_slice(&json).expect("a scenario")
}

#[test]
fn the_heaviest_links_open_and_each_is_at_the_budget() {
    let lines = heaviest();
    let labs: Vec<&str> = lines.iter().map(|(lab, _)| *lab).collect();
    for lab in ["hashing", "queue", "stream", "pubsub", "caching", "events", "scaling"] {
        assert!(labs.contains(&lab), "a heaviest scenario for {lab}");
    }
    for (lab, link) in lines {
        let s = parsed(link);
        assert_eq!(s.lab().key(), lab);
        let estimate = match &s.setup {
            LabSetup::Hashing { config, actions } => {
                let estimate = check_replay(s.seed, config, actions.iter().map(|(_, a)| a)).expect("accepted");
                // One more change (the last one undone) goes over the budget.
                let (_, last) = actions.last().expect("changes");
                let undo = match last {
                    HashingAction::RemoveServer { name } => {
                        HashingAction::AddServer { name: name.clone(), position: None }
                    }
                    HashingAction::AddServer { name, .. } => HashingAction::RemoveServer { name: name.clone() },
                    other => panic!("unexpected change {other:?}"),
                };
                let more = actions.iter().map(|(_, a)| a).chain([&undo]);
                assert!(check_replay(s.seed, config, more).is_err(), "{lab}: one change more is refused");
                estimate.total()
            }
            _ => {
                // The timed labs' check builds the run without running it: the whole decode is cheap.
                assert_eq!(decode_link(link).as_ref(), Ok(&s), "{lab}: the link opens");
                match &s.setup {
                    LabSetup::Queue { config, actions } => queue::estimate_work(config, actions).total(),
                    LabSetup::Stream { config, actions } => stream::estimate_work(config, actions).total(),
                    LabSetup::Pubsub { config, actions } => pubsub::estimate_work(config, actions).total(),
                    LabSetup::Sharding { config, actions } => sharding::lab::estimate_work(config, actions).total(),
                    LabSetup::Caching { config, actions } => cache::estimate_work(config, actions).total(),
                    LabSetup::Events { config, actions } => events::lab::work_bound(config, actions).expect("accepted"),
                    LabSetup::Scaling { config, .. } => config.requests * 2,
                    LabSetup::Resilience { config, actions } => {
                        resilience::lab::work_bound(config, actions).expect("accepted")
                    }
                    LabSetup::Hashing { .. } => unreachable!(),
                }
            }
        };
        assert!(estimate <= WORK_EVENTS_MAX, "{lab}: {estimate}");
        // Publish/subscribe and caching reach every limit well under the budget, and so does scaling (a
        // million requests make about two million events; its weight is in the fifteen runs its page makes
        // in slices: the policies compared and the fleets); the others are within 5% of it.
        // Resilience's weight is in its simulated years, cut to fit their own limit and run in slices.
        if !["pubsub", "caching", "scaling", "resilience"].contains(&lab) {
            assert!(estimate * 100 >= WORK_EVENTS_MAX * 95, "{lab} is its lab's heaviest: {estimate}");
        }
    }
}

#[test]
fn the_heaviest_shop_with_one_more_attempt_is_refused() {
    let s = parsed(heaviest().iter().find(|(lab, _)| *lab == "queue").expect("a queue line").1);
    let LabSetup::Queue { mut config, .. } = s.setup else { panic!("a queue scenario") };
    config.max_attempts += 1;
    assert_names(&config.validate().unwrap_err(), "lower the attempts before the dead-letter queue");
}

// --- The estimates bound the events of real runs. ---

/// A scaled-down twin of the heaviest runs of each timed lab: the same shapes with fewer orders,
/// records, events and a shorter horizon, run to the end in a debug build.
#[test]
fn scaled_down_twins_of_the_heaviest_runs_stay_under_their_estimates() {
    for (lab, link) in heaviest() {
        let s = parsed(link);
        match s.setup {
            LabSetup::Queue { mut config, actions } => {
                config.orders /= 100;
                config.horizon_ms /= 10;
                config.sample_every_ms = config.sample_every_ms.max(config.horizon_ms / 10_000);
                let estimate = queue::estimate_work(&config, &actions).total();
                let mut sim = ShopSim::new(s.seed, &config, &actions).expect("accepted");
                sim.run();
                assert!(sim.events() <= estimate, "{lab}: {} > {estimate}", sim.events());
                assert!(sim.events() * 4 >= estimate, "{lab}: the twin is heavy for its size: {}", sim.events());
            }
            LabSetup::Stream { mut config, actions } => {
                config.records /= 100;
                config.horizon_ms /= 100;
                config.sample_every_ms = config.horizon_ms / 1000;
                let estimate = stream::estimate_work(&config, &actions).total();
                let mut sim = StreamSim::new(s.seed, &config, &actions).expect("accepted");
                sim.run();
                assert!(sim.events() <= estimate, "{lab}: {} > {estimate}", sim.events());
                assert!(sim.events() * 2 >= estimate, "{lab}: the twin is heavy for its size: {}", sim.events());
            }
            LabSetup::Pubsub { mut config, mut actions } => {
                config.events /= 100;
                for (_, a) in &mut actions {
                    if let PubSubAction::Publish { count, .. } = a {
                        *count = (*count / 100).max(1);
                    }
                }
                let estimate = pubsub::estimate_work(&config, &actions).total();
                let mut sim = PubSubSim::new(s.seed, &config, &actions).expect("accepted");
                sim.run();
                assert!(sim.steps() <= estimate, "{lab}: {} > {estimate}", sim.steps());
            }
            LabSetup::Sharding { mut config, actions } => {
                config.repl.horizon_ms /= 100;
                config.repl.sample_every_ms = config.repl.horizon_ms / 100;
                let actions: Vec<_> = actions.into_iter().filter(|(at, _)| *at <= config.repl.horizon_ms).collect();
                let estimate = sharding::lab::estimate_work(&config, &actions).total();
                let mut sim = ShardLabSim::new(s.seed, &config, &actions).expect("accepted");
                sim.run();
                assert!(sim.steps() <= estimate, "{lab}: {} > {estimate}", sim.steps());
            }
            LabSetup::Caching { mut config, actions } => {
                config.workload = match config.workload {
                    cache::WorkloadSpec::Zipf { keys, s_milli, requests } => {
                        cache::WorkloadSpec::Zipf { keys: keys / 100, s_milli, requests: requests / 100 }
                    }
                    other => other,
                };
                config.capacity /= 100;
                let estimate = cache::estimate_work(&config, &actions).total();
                let mut sim = cache::CacheLabSim::new(s.seed, &config, &actions).expect("accepted");
                while sim.step().is_some() {}
                let accesses = sim.served().1 * (config.policies.len() as u64 + 1);
                assert!(accesses <= estimate, "{lab}: {accesses} > {estimate}");
            }
            LabSetup::Events { mut config, actions } => {
                config.requests.chain.requests /= 100;
                let estimate = events::lab::work_bound(&config, &actions).expect("accepted");
                let mut sim = events::EventsLabSim::new(s.seed, &config, &actions).expect("accepted");
                while sim.step().is_some() {}
                assert!(sim.steps() <= estimate, "{lab}: {} > {estimate}", sim.steps());
            }
            LabSetup::Hashing { .. } | LabSetup::Scaling { .. } | LabSetup::Resilience { .. } => {}
        }
    }
}

fn pick<T: Clone>(rng: &mut SimRng, xs: &[T]) -> T {
    xs[rng.below(xs.len() as u64) as usize].clone()
}

fn between(rng: &mut SimRng, lo: u64, hi: u64) -> u64 {
    lo + rng.below(hi - lo + 1)
}

fn random_shop(rng: &mut SimRng) -> (ShopConfig, Vec<TimedAction>) {
    let shops: Vec<ShopSpec> = (0..between(rng, 1, 4))
        .map(|i| ShopSpec {
            name: format!("PS{i}"),
            ovens: between(rng, 1, 3) as u32,
            speed_pct: pick(rng, &[50, 100, 300]),
        })
        .collect();
    let horizon_ms = between(rng, 5_000, 300_000);
    let heartbeat_every_ms = between(rng, 50, 3000);
    let base = between(rng, 1, 2000);
    let orders = between(rng, 1, 300) as u32;
    let config = ShopConfig {
        orders,
        order_rate_per_min: between(rng, 30, 6000) as u32,
        urgent_pct: between(rng, 0, 100) as u32,
        coke_pct: between(rng, 0, 100) as u32,
        pizza_ms: between(rng, 10, 20_000),
        coke_ms: between(rng, 1, 3000),
        shops: shops.clone(),
        persistent: rng.below(2) == 0,
        delivery: pick(rng, &[Delivery::AtMostOnce, Delivery::AtLeastOnce, Delivery::EffectivelyOnce]),
        redistribution: pick(rng, &[Redistribution::Naive, Redistribution::Ring]),
        queue_capacity: between(rng, 1, 300) as u32,
        visibility_timeout_ms: between(rng, 1, 20_000),
        max_attempts: between(rng, 1, 6) as u32,
        backoff_base_ms: base,
        backoff_cap_ms: between(rng, base, 5000),
        heartbeat_every_ms,
        check_every_ms: between(rng, heartbeat_every_ms, 3 * heartbeat_every_ms),
        poison_orders: (0..between(rng, 0, 5)).map(|_| rng.below(u64::from(orders) + 2)).collect(),
        vnodes: between(rng, 1, 20) as u32,
        horizon_ms,
        sample_every_ms: between(rng, horizon_ms / 10_000 + 1, 5000),
    };
    let mut times: Vec<u64> = (0..between(rng, 0, 30)).map(|_| rng.below(horizon_ms)).collect();
    times.sort_unstable();
    let actions = times
        .into_iter()
        .map(|t| {
            let shop = pick(rng, &shops).name;
            let a = match rng.below(6) {
                0 | 1 => ShopAction::KillShop { shop },
                2 => ShopAction::RestartShop { shop },
                3 => ShopAction::SlowShop { shop, factor_pct: pick(rng, &[10, 100, 1000]) },
                4 => ShopAction::CrashBroker,
                _ => ShopAction::RestartBroker,
            };
            (t, a)
        })
        .collect();
    (config, actions)
}

#[test]
fn the_shop_estimate_bounds_the_events_of_random_runs() {
    let mut rng = SimRng::new(6);
    for case in 0..1000 {
        let (config, actions) = random_shop(&mut rng);
        let estimate = queue::estimate_work(&config, &actions);
        let mut sim = ShopSim::new(case, &config, &actions).expect("small runs are accepted");
        sim.run();
        assert!(
            sim.events() <= estimate.total(),
            "case {case}: {} > {:?}\n{config:?}\n{actions:?}",
            sim.events(),
            estimate
        );
    }
}

fn random_stream(rng: &mut SimRng) -> (StreamConfig, Vec<TimedStreamAction>) {
    let groups: Vec<GroupSpec> = (0..between(rng, 1, 3))
        .map(|g| GroupSpec {
            name: format!("g{g}"),
            consumers: (0..between(rng, 0, 4)).map(|i| format!("c{i}")).collect(),
            commit: match rng.below(3) {
                0 => CommitMode::BeforeWork,
                1 => CommitMode::AfterWork,
                _ => CommitMode::Auto { every_ms: between(rng, 100, 5000) },
            },
        })
        .collect();
    let horizon_ms = between(rng, 5_000, 300_000);
    let config = StreamConfig {
        partitions: between(rng, 1, 8) as u32,
        keys: between(rng, 1, 50) as u32,
        records: between(rng, 1, 300) as u32,
        rate_per_min: between(rng, 30, 6000) as u32,
        handle_ms: between(rng, 1, 2000),
        batch_max: between(rng, 1, 10) as u32,
        session_timeout_ms: between(rng, 100, 5000),
        rebalance_ms: between(rng, 0, 3000),
        assignor: pick(rng, &[Assignor::Range, Assignor::RoundRobin]),
        groups: groups.clone(),
        horizon_ms,
        sample_every_ms: between(rng, horizon_ms / 1000 + 1, 5000),
    };
    let mut times: Vec<u64> = (0..between(rng, 0, 30)).map(|_| rng.below(horizon_ms)).collect();
    times.sort_unstable();
    let actions = times
        .into_iter()
        .map(|t| {
            let group = pick(rng, &groups).name;
            let name = format!("c{}", rng.below(5));
            let a = match rng.below(7) {
                0 => StreamAction::AddConsumer { group, name },
                1 => StreamAction::RemoveConsumer { group, name },
                2 | 3 => StreamAction::CrashConsumer { group, name },
                4 => StreamAction::RestartConsumer { group, name },
                5 => StreamAction::SlowConsumer { group, name, factor_pct: pick(rng, &[10, 100, 1000]) },
                _ => StreamAction::Burst { count: between(rng, 1, 100) as u32 },
            };
            (t, a)
        })
        .collect();
    (config, actions)
}

#[test]
fn the_partitioned_log_estimate_bounds_the_events_of_random_runs() {
    let mut rng = SimRng::new(7);
    let mut ran = 0;
    for case in 0..1000 {
        let (config, mut actions) = random_stream(&mut rng);
        // Random actions may name consumers not in a group: keep the prefix the lab accepts.
        while config.validate_actions(&actions).is_err() {
            actions.pop();
        }
        let estimate = stream::estimate_work(&config, &actions);
        let mut sim = StreamSim::new(case, &config, &actions).expect("small runs are accepted");
        sim.run();
        assert!(
            sim.events() <= estimate.total(),
            "case {case}: {} > {:?}\n{config:?}\n{actions:?}",
            sim.events(),
            estimate
        );
        ran += usize::from(!actions.is_empty());
    }
    assert!(ran > 450, "many runs have actions ({ran})");
}

fn random_pubsub(rng: &mut SimRng) -> (PubSubConfig, Vec<TimedPubSubAction>) {
    let topics = ["orders.created", "orders.cancelled", "payments.ok", "audit"];
    let patterns = [
        (PatternKind::Exact, "orders.created"),
        (PatternKind::Prefix, "orders"),
        (PatternKind::Wildcard, "*.ok"),
        (PatternKind::Wildcard, "#"),
        (PatternKind::Wildcard, "orders.#"),
    ];
    let services: Vec<ServiceSpec> = (0..between(rng, 1, 4))
        .map(|i| {
            let mut subscriptions: Vec<SubscriptionSpec> = Vec::new();
            for _ in 0..between(rng, 0, 3) {
                let (kind, text) = pick(rng, &patterns);
                if subscriptions.iter().all(|s| s.pattern.text != text) {
                    subscriptions.push(SubscriptionSpec {
                        pattern: sysplay::sim::pubsub::Pattern::new(kind, text),
                        durable: rng.below(2) == 0,
                    });
                }
            }
            ServiceSpec {
                name: format!("S{i}"),
                handle_ms: between(rng, 1, 3000),
                fixed: rng.below(2) == 0,
                subscriptions,
            }
        })
        .collect();
    let horizon_ms = between(rng, 5_000, 300_000);
    let config = PubSubConfig {
        services: services.clone(),
        events: between(rng, 0, 200) as u32,
        rate_per_min: between(rng, 30, 3000) as u32,
        topics: topics
            .iter()
            .map(|t| TopicWeight { topic: t.to_string(), weight: between(rng, 1, 5) as u32 })
            .collect(),
        persistent: rng.below(2) == 0,
        horizon_ms,
        sample_every_ms: between(rng, horizon_ms / 5000 + 1, 5000),
    };
    let mut times: Vec<u64> = (0..between(rng, 0, 30)).map(|_| rng.below(horizon_ms)).collect();
    times.sort_unstable();
    let actions = times
        .into_iter()
        .map(|t| {
            let service = pick(rng, &services).name;
            let (kind, pattern) = pick(rng, &patterns);
            let a = match rng.below(9) {
                0 => PubSubAction::Publish { topic: pick(rng, &topics).to_string(), count: between(rng, 1, 20) as u32 },
                1 => {
                    PubSubAction::Subscribe { service, kind, pattern: pattern.to_string(), durable: rng.below(2) == 0 }
                }
                2 => PubSubAction::Unsubscribe { service, pattern: pattern.to_string() },
                3 => PubSubAction::StopService { service },
                4 => PubSubAction::StartService { service },
                5 => PubSubAction::CrashBroker,
                6 => PubSubAction::RestartBroker,
                7 => PubSubAction::CrashBusProcess,
                _ => PubSubAction::RestartBusProcess,
            };
            (t, a)
        })
        .collect();
    (config, actions)
}

#[test]
fn the_publish_subscribe_estimate_bounds_the_events_of_random_runs() {
    let mut rng = SimRng::new(8);
    for case in 0..1000 {
        let (config, mut actions) = random_pubsub(&mut rng);
        while config.validate_actions(&actions).is_err() {
            actions.pop();
        }
        let estimate = pubsub::estimate_work(&config, &actions);
        let mut sim = PubSubSim::new(case, &config, &actions).expect("small runs are accepted");
        sim.run();
        assert!(
            sim.steps() <= estimate.total(),
            "case {case}: {} > {:?}\n{config:?}\n{actions:?}",
            sim.steps(),
            estimate
        );
    }
}
