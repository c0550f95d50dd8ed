//! The publish/subscribe lab through the scenario path (what the page and share links use): the presets,
//! the pinned digest, limits with clear messages, and live actions recorded in time order.
#![cfg(not(target_arch = "wasm32"))]

use sysplay::scenario::{LabId, LabRun, LabSetup, Report, Scenario, decode_link, encode_link, lab_presets, preset};
use sysplay::sim::pubsub::{PatternKind, PubSub, PubSubAction, PubSubConfig, PubSubReport};

/// The digest of the `fanout-email-down` preset; the browser test compares with the same constant.
const PUBSUB_DIGEST: u64 = include!("golden/pubsub_digest.txt");

fn report(scenario: &Scenario) -> PubSubReport {
    let run = scenario.run().expect("replays");
    let LabRun::Pubsub(p) = &run else { panic!("not a pub/sub scenario") };
    assert!(p.violations.is_empty(), "{:?}", p.violations);
    let Report::Pubsub(r) = run.report() else { panic!("not a pub/sub report") };
    *r
}

#[test]
fn the_lab_lists_its_presets_and_they_replay_without_violations() {
    let names: Vec<_> = lab_presets(LabId::Pubsub).iter().map(|p| p.name).collect();
    assert_eq!(names, ["fanout-email-down", "broker-crash-persistent", "broker-crash-in-memory", "topic-routing"]);
    for name in names {
        let r = report(&preset(name).unwrap().scenario);
        assert!(r.finished, "{name}");
    }
}

#[test]
fn pubsub_digest_is_pinned() {
    let digest = preset("fanout-email-down").unwrap().scenario.run().unwrap().digest();
    assert_eq!(digest, PUBSUB_DIGEST, "got {digest:#018x}; if intended, update tests/golden/pubsub_digest.txt");
}

fn link(config: PubSubConfig, actions: Vec<(u64, PubSubAction)>) -> String {
    encode_link(&Scenario { version: 1, seed: 1, setup: LabSetup::Pubsub { config, actions } })
}

#[test]
fn limits_and_bad_actions_are_refused_with_a_sentence() {
    let mut no_services = PubSubConfig::default();
    no_services.services.clear();
    let mut bad_pattern = PubSubConfig::default();
    bad_pattern.services[0].subscriptions[0].pattern.text = "order created".into();
    let cases: Vec<(PubSubConfig, &str)> = vec![
        (no_services, "number of services must be between 1 and 16"),
        (PubSubConfig { rate_per_min: 100_000, ..PubSubConfig::default() }, "event rate per minute"),
        (PubSubConfig { events: 50_000, ..PubSubConfig::default() }, "events must be between 0 and 20000"),
        (PubSubConfig { topics: Vec::new(), ..PubSubConfig::default() }, "number of topics"),
        (bad_pattern, "Email: the pattern \"order created\" is not valid"),
    ];
    for (config, want) in cases {
        let msg = decode_link(&link(config, Vec::new())).unwrap_err().to_string();
        assert!(msg.contains(want), "{msg}");
    }
    let bad_actions: Vec<(PubSubAction, &str)> = vec![
        (PubSubAction::StopService { service: "Billing".into() }, "no service named \"Billing\""),
        (PubSubAction::Publish { topic: "a..b".into(), count: 1 }, "single dots"),
        (PubSubAction::Publish { topic: "order_created".into(), count: 0 }, "events published at once"),
        (PubSubAction::Unsubscribe { service: "Email".into(), pattern: "nope".into() }, "no subscription to \"nope\""),
        (
            PubSubAction::Subscribe {
                service: "Email".into(),
                kind: PatternKind::Exact,
                pattern: "order_created".into(),
                durable: true,
            },
            "already subscribed",
        ),
        (
            PubSubAction::Subscribe {
                service: "Email".into(),
                kind: PatternKind::Wildcard,
                pattern: "a.b*".into(),
                durable: true,
            },
            "wildcard pattern",
        ),
    ];
    for (action, want) in bad_actions {
        let msg = decode_link(&link(PubSubConfig::default(), vec![(5, action)])).unwrap_err().to_string();
        assert!(msg.contains(want), "{msg}");
    }
}

#[test]
fn live_actions_are_recorded_in_time_order_and_round_trip() {
    let mut s = Scenario::new::<PubSub>(7, PubSubConfig::default());
    assert_eq!(s.push::<PubSub>(30_000, PubSubAction::StopService { service: "Push".into() }), 0);
    assert_eq!(s.push::<PubSub>(10_000, PubSubAction::Publish { topic: "order_created".into(), count: 2 }), 0);
    assert_eq!(s.push::<PubSub>(30_000, PubSubAction::Publish { topic: "order_created".into(), count: 1 }), 2);
    let back = decode_link(&encode_link(&s)).unwrap();
    assert_eq!(back, s);
    assert_eq!(back.run().unwrap().digest(), s.run().unwrap().digest());
    let r = report(&s);
    assert_eq!(r.by_hand, 3);
    // The hand publish at 30 s comes after Push stopped (same time, recorded later): Push misses it.
    let push = r.queues.iter().find(|x| x.service == "Push").unwrap();
    assert!(push.missed >= 1);
}

#[test]
fn a_hand_publish_fans_out_to_email_and_inventory() {
    let base = Scenario::new::<PubSub>(3, PubSubConfig { events: 0, ..PubSubConfig::default() });
    let mut s = base.clone();
    s.push::<PubSub>(1_000, PubSubAction::Publish { topic: "order_created".into(), count: 1 });
    let r = report(&s);
    let matched = |svc: &str| r.queues.iter().find(|x| x.service == svc).unwrap().matched;
    assert_eq!((matched("Email"), matched("Inventory"), matched("Push")), (1, 1, 1));
    assert_eq!(r.fanout, 4.0, "Email, Inventory, Push and Analytics' order_ prefix");
    let r0 = report(&base);
    assert_eq!(r0.published, 0);
}

#[test]
fn the_run_animated_step_by_step_ends_where_the_report_does() {
    let scenario = preset("fanout-email-down").unwrap().scenario;
    let mut sim = scenario.start::<PubSub>().unwrap().unwrap();
    let mut t = 0;
    while !sim.is_finished() {
        t += 250_000;
        sim.run_until(t);
        if sim.now() < t && !sim.is_finished() {
            sim.step();
        }
    }
    let Report::Pubsub(r) = scenario.run().unwrap().report() else { panic!() };
    assert_eq!(sim.report().fingerprint(), r.fingerprint());
}

/// Two services: Billing with the given subscriptions (pattern, durable), events published by hand.
fn billing(
    subs: &[(&str, bool)],
    actions: Vec<(u64, PubSubAction)>,
) -> (PubSubReport, sysplay::sim::pubsub::PubSubSnapshot) {
    use sysplay::sim::pubsub::{Pattern, PubSubSim, ServiceSpec, SubscriptionSpec, check_all};
    let config = PubSubConfig {
        services: vec![ServiceSpec {
            name: "Billing".into(),
            handle_ms: 100,
            fixed: true,
            subscriptions: subs
                .iter()
                .map(|(p, durable)| SubscriptionSpec {
                    pattern: Pattern::new(PatternKind::Wildcard, *p),
                    durable: *durable,
                })
                .collect(),
        }],
        events: 0,
        ..PubSubConfig::default()
    };
    let mut sim = PubSubSim::new(5, &config, &actions).unwrap();
    sim.run();
    let snap = sim.snapshot();
    assert!(check_all(&snap).is_empty(), "{:?}", check_all(&snap));
    (sim.report(), snap)
}

fn publish(at_ms: u64, topic: &str) -> (u64, PubSubAction) {
    (at_ms, PubSubAction::Publish { topic: topic.into(), count: 1 })
}

#[test]
fn a_service_has_one_durable_and_one_ephemeral_queue_each_getting_an_event_once() {
    // Two durable and two ephemeral patterns all matching payment.failed: two queues, each gets it once.
    let (r, _) = billing(
        &[("payment.*", true), ("#.failed", true), ("payment.#", false), ("*.failed", false)],
        vec![publish(1_000, "payment.failed"), publish(2_000, "payment.succeeded")],
    );
    assert_eq!(r.queues.len(), 2);
    let (durable, ephemeral) = (&r.queues[0], &r.queues[1]);
    assert!(durable.durable && !ephemeral.durable);
    assert_eq!((durable.bindings.len(), ephemeral.bindings.len()), (2, 2));
    assert_eq!((durable.matched, durable.handled), (2, 2));
    assert_eq!((ephemeral.matched, ephemeral.handled), (2, 2));
    // payment.failed reached 2 queues (of 4 bindings), payment.succeeded 2 (one binding each).
    assert_eq!(r.topics.iter().map(|t| t.fanout).collect::<Vec<_>>(), [2, 2]);
    assert_eq!(r.fanout, 2.0);
    // The bus: one callback per subscription, so payment.failed ran four, payment.succeeded two.
    assert_eq!(r.bus.handled, 6);
    assert_eq!(durable.callbacks_beyond_one + ephemeral.callbacks_beyond_one, 2);
    // Subscribing live joins the existing queue of that kind.
    let (r, _) = billing(
        &[("payment.*", true)],
        vec![
            (
                500,
                PubSubAction::Subscribe {
                    service: "Billing".into(),
                    kind: PatternKind::Wildcard,
                    pattern: "#.failed".into(),
                    durable: true,
                },
            ),
            publish(1_000, "payment.failed"),
            publish(2_000, "order.failed"),
        ],
    );
    assert_eq!(r.queues.len(), 1);
    assert_eq!((r.queues[0].bindings.len(), r.queues[0].matched, r.queues[0].handled), (2, 2, 2));
}

#[test]
fn unsubscribing_removes_a_binding_and_the_last_one_deletes_the_queue() {
    let unsubscribe =
        |at: u64, p: &str| (at, PubSubAction::Unsubscribe { service: "Billing".into(), pattern: p.into() });
    let stop = |at: u64| (at, PubSubAction::StopService { service: "Billing".into() });
    let start = |at: u64| (at, PubSubAction::StartService { service: "Billing".into() });
    // Billing is down with three events queued; removing one binding keeps them all (even one only that
    // binding matched), and later events matching only the removed binding no longer arrive.
    let (r, _) = billing(
        &[("payment.*", true), ("#.failed", true)],
        vec![
            stop(0),
            publish(1_000, "payment.failed"),
            publish(2_000, "order.failed"),
            publish(3_000, "payment.succeeded"),
            unsubscribe(4_000, "#.failed"),
            publish(5_000, "order.failed"),
            start(6_000),
        ],
    );
    let q = &r.queues[0];
    assert!(q.active);
    assert_eq!((q.matched, q.handled, q.discarded), (3, 3, 0));
    assert_eq!(q.live_bindings().map(|b| b.pattern.as_str()).collect::<Vec<_>>(), ["payment.*"]);
    // Removing the last binding deletes the queue with what it holds; subscribing again makes a new one.
    let (r, snap) = billing(
        &[("payment.*", true)],
        vec![
            stop(0),
            publish(1_000, "payment.failed"),
            publish(2_000, "payment.succeeded"),
            unsubscribe(3_000, "payment.*"),
            publish(4_000, "payment.failed"),
            (
                5_000,
                PubSubAction::Subscribe {
                    service: "Billing".into(),
                    kind: PatternKind::Wildcard,
                    pattern: "payment.*".into(),
                    durable: true,
                },
            ),
            publish(6_000, "payment.failed"),
            start(7_000),
        ],
    );
    assert_eq!(r.queues.len(), 2);
    assert!(!r.queues[0].active && r.queues[1].active);
    assert_eq!((r.queues[0].matched, r.queues[0].discarded, r.queues[0].handled), (2, 2, 0));
    assert_eq!((r.queues[1].matched, r.queues[1].handled), (1, 1));
    assert_eq!(snap.queues[1].fates[0].0, 3, "the new queue gets only what is published after it");
    assert_eq!(r.discarded, 2);
}
