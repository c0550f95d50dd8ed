//! The publish/subscribe lab through the scenario path (what the page and share links use): the presets,
//! the pinned digest, limits with clear messages, and live actions recorded in time order.
#![cfg(not(target_arch = "wasm32"))]

use sysplay::scenario::{LabId, LabRun, LabSetup, Report, Scenario, decode_link, encode_link, lab_presets, preset};
use sysplay::sim::pubsub::{PatternKind, PubSubAction, PubSubConfig, PubSubReport};

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
    let mut s = Scenario::pubsub(7, PubSubConfig::default());
    assert_eq!(s.push_pubsub(30_000, PubSubAction::StopService { service: "Push".into() }), 0);
    assert_eq!(s.push_pubsub(10_000, PubSubAction::Publish { topic: "order_created".into(), count: 2 }), 0);
    assert_eq!(s.push_pubsub(30_000, PubSubAction::Publish { topic: "order_created".into(), count: 1 }), 2);
    let back = decode_link(&encode_link(&s)).unwrap();
    assert_eq!(back, s);
    assert_eq!(back.run().unwrap().digest(), s.run().unwrap().digest());
    let r = report(&s);
    assert_eq!(r.by_hand, 3);
    // The hand publish at 30 s comes after Push stopped (same time, recorded later): Push misses it.
    let push = r.subscriptions.iter().find(|x| x.service == "Push").unwrap();
    assert!(push.missed >= 1);
}

#[test]
fn a_hand_publish_fans_out_to_email_and_inventory() {
    let base = Scenario::pubsub(3, PubSubConfig { events: 0, ..PubSubConfig::default() });
    let mut s = base.clone();
    s.push_pubsub(1_000, PubSubAction::Publish { topic: "order_created".into(), count: 1 });
    let r = report(&s);
    let matched = |svc: &str| r.subscriptions.iter().find(|x| x.service == svc).unwrap().matched;
    assert_eq!((matched("Email"), matched("Inventory"), matched("Push")), (1, 1, 1));
    assert_eq!(r.fanout, 4.0, "Email, Inventory, Push and Analytics' order_ prefix");
    let r0 = report(&base);
    assert_eq!(r0.published, 0);
}

#[test]
fn the_run_animated_step_by_step_ends_where_the_report_does() {
    let scenario = preset("fanout-email-down").unwrap().scenario;
    let mut sim = scenario.pubsub_run().unwrap().unwrap();
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
