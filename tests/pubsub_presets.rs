//! Every publish/subscribe preset run in the core: its outcome, with exact ties to the publish log.
#![cfg(not(target_arch = "wasm32"))]

use sysplay::sim::pubsub::presets::EMAIL_DOWN_S;
use sysplay::sim::pubsub::{
    Fate, PubSubAction, PubSubConfig, PubSubReport, PubSubSim, QueueReport, check_all, pubsub_preset, pubsub_presets,
};

fn run(name: &str) -> (PubSubSim, PubSubReport) {
    let sim = pubsub_preset(name).expect("preset exists").run();
    let errors = check_all(&sim.snapshot());
    assert!(errors.is_empty(), "{name}: {errors:?}");
    let r = sim.report();
    assert!(r.finished, "{name} did not finish");
    (sim, r)
}

/// The queue of `service` bound with `pattern`.
fn sub<'a>(r: &'a PubSubReport, service: &str, pattern: &str) -> &'a QueueReport {
    r.queues
        .iter()
        .find(|q| q.service == service && q.bindings.iter().any(|b| b.pattern == pattern))
        .expect("queue exists")
}

/// Counted from the publish log alone: `topic` events accepted in the virtual window [from, to) s.
fn published_in(sim: &PubSubSim, topic: &str, from_s: u64, to_s: u64) -> u64 {
    let (from, to) = (from_s * 1_000_000, to_s * 1_000_000);
    sim.snapshot().events.iter().filter(|e| e.accepted && e.topic == topic && e.at_us >= from && e.at_us < to).count()
        as u64
}

#[test]
fn fanout_email_down_ephemeral_misses_the_window_and_durable_catches_up() {
    let (sim, r) = run("fanout-email-down");
    let (down, up) = EMAIL_DOWN_S;
    let in_window = published_in(&sim, "order_created", down, up);
    let all = published_in(&sim, "order_created", 0, u64::MAX / 2_000_000);
    assert!(in_window > 10, "{in_window}");
    // Push (ephemeral) misses exactly the order_created published while it was down, nothing else.
    let push = sub(&r, "Push", "order_created");
    assert_eq!(push.missed, in_window);
    assert_eq!(push.delivered + push.missed, push.matched);
    assert_eq!(push.handled, all - in_window);
    // Email (durable) handles every one of them, once, after its restart.
    let email = sub(&r, "Email", "order_created");
    assert_eq!((email.matched, email.handled, email.missed, email.lost, email.duplicates), (all, all, 0, 0, 0));
    // Catch-up: Email handles in exactly 500 ms (fixed) and new events queue behind the backlog, so
    // draining the backlog present at the restart takes exactly backlog × 500 ms (tolerance 1 µs).
    let c = &email.catch_ups[..];
    assert_eq!(c.len(), 1, "{c:?}");
    assert!(c[0].backlog as u64 >= in_window);
    assert!((c[0].took_s - f64::from(c[0].backlog) * 0.5).abs() < 1e-6, "{c:?}");
    assert_eq!(c[0].restart_at_s, up as f64);
    // Inventory, up all along, handles every order_created.
    assert_eq!(sub(&r, "Inventory", "order_created").handled, all);
    // Totals: missed is Push's order_created plus Analytics' nothing (always up).
    assert_eq!(r.missed, in_window);
    assert_eq!((r.lost, r.duplicates, r.pending), (0, 0, 0));
    // The event bus in one process: every subscription misses what was published in the window, and
    // the burst's callbacks not yet run at 60 s are lost.
    assert_eq!(sub(&r, "Email", "order_created").bus.missed, in_window);
    assert!(r.bus.lost > 0, "{:?}", r.bus);
    assert_eq!(r.bus.matched + r.bus.missed, r.matched, "both worlds see the same stream");
    assert_eq!(r.bus.handled + r.bus.lost, r.bus.matched);
}

#[test]
fn broker_crash_on_disk_loses_nothing_but_duplicates_a_lost_ack() {
    let (sim, r) = run("broker-crash-persistent");
    assert_eq!(
        r.rejected,
        sim.snapshot().events.iter().filter(|e| e.at_us >= 90_000_000 && e.at_us < 100_000_000).count() as u64
    );
    assert!(r.rejected > 0);
    assert_eq!((r.lost, r.missed, r.pending), (0, 0, 0));
    assert_eq!(r.duplicates, 1);
    assert_eq!(sub(&r, "Email", "order_created").duplicates, 1);
    assert_eq!(r.handled, r.matched, "every matched event is handled (at least once)");
}

#[test]
fn broker_crash_in_memory_loses_the_durable_queues() {
    let (_, disk) = run("broker-crash-persistent");
    let (_, r) = run("broker-crash-in-memory");
    let inventory = sub(&r, "Inventory", "order_created");
    assert!(inventory.lost > 0);
    assert_eq!(r.lost, r.queues.iter().filter(|s| s.durable).map(|s| s.lost).sum::<u64>());
    assert_eq!(r.handled + r.lost, r.matched);
    assert_eq!(r.matched, disk.matched, "the same stream");
}

#[test]
fn topic_routing_reproduces_rabbitmqs_tutorial() {
    let (sim, r) = run("topic-routing");
    let fanout = |t: &str| r.topics.iter().find(|x| x.topic == t).unwrap().fanout;
    for (topic, want) in [
        ("quick.orange.rabbit", 2),
        ("lazy.orange.elephant", 2),
        ("quick.orange.fox", 1),
        ("lazy.brown.fox", 1),
        ("lazy.pink.rabbit", 1), // both of Q2's bindings match: one queue, once
        ("quick.brown.fox", 0),
        ("orange", 0),
        ("quick.orange.new.rabbit", 0),
        ("lazy.orange.new.rabbit", 1),
    ] {
        assert_eq!(fanout(topic), want, "{topic}");
    }
    // One queue per service, Q2's with two bindings.
    assert_eq!(r.queues.len(), 2);
    let (q1, q2) = (sub(&r, "Q1", "*.orange.*"), sub(&r, "Q2", "lazy.#"));
    assert_eq!(q2.id, sub(&r, "Q2", "*.*.rabbit").id);
    assert_eq!((q1.matched, q1.handled, q1.duplicates), (3, 3, 0));
    assert_eq!((q2.matched, q2.handled, q2.duplicates), (5, 5, 0));
    assert_eq!(r.matched, 8);
    // On the in-process bus each subscription is a callback: lazy.pink.rabbit runs Q2's twice.
    assert_eq!(q2.bus.handled, 6);
    assert_eq!(q2.callbacks_beyond_one, 1);
    assert_eq!(r.bus.handled, 9);

    // The tutorial's own sentences, from the snapshot's per-queue record of every event it received:
    // which queues each published topic reached, and how many times.
    let snap = sim.snapshot();
    let reached = |topic: &str| -> Vec<(String, usize)> {
        let ids: Vec<u64> = snap.events.iter().filter(|e| e.topic == topic).map(|e| e.id).collect();
        assert_eq!(ids.len(), 1, "{topic} published once");
        snap.queues
            .iter()
            .map(|q| (q.service.clone(), q.fates.iter().filter(|f| f.0 == ids[0]).count()))
            .filter(|(_, n)| *n > 0)
            .collect()
    };
    let q = |names: &[&str]| names.iter().map(|n| (n.to_string(), 1)).collect::<Vec<_>>();
    assert_eq!(reached("lazy.pink.rabbit"), q(&["Q2"]), "delivered to the second queue only once");
    assert_eq!(reached("quick.orange.rabbit"), q(&["Q1", "Q2"]));
    assert_eq!(reached("quick.brown.fox"), q(&[]));
    assert_eq!(reached("lazy.orange.new.rabbit"), q(&["Q2"]));
    // The tutorial's lazy.orange.male.rabbit and quick.orange.male.rabbit, published by hand.
    let mut p = pubsub_preset("topic-routing").unwrap();
    for (i, t) in ["lazy.orange.male.rabbit", "quick.orange.male.rabbit"].into_iter().enumerate() {
        p.actions.push((20_000 + i as u64 * 1000, PubSubAction::Publish { topic: t.into(), count: 1 }));
    }
    let sim = p.run();
    assert!(check_all(&sim.snapshot()).is_empty());
    let snap = sim.snapshot();
    let reached = |topic: &str| -> Vec<(String, usize)> {
        let id = snap.events.iter().find(|e| e.topic == topic).unwrap().id;
        snap.queues
            .iter()
            .map(|q| (q.service.clone(), q.fates.iter().filter(|f| f.0 == id && f.1 == Fate::Handled).count()))
            .filter(|(_, n)| *n > 0)
            .collect()
    };
    assert_eq!(reached("lazy.orange.male.rabbit"), q(&["Q2"]));
    assert_eq!(reached("quick.orange.male.rabbit"), q(&[]));
    // The event log says it once, naming the two bindings.
    let log: Vec<String> = sim.report().log.iter().map(|l| l.text.clone()).collect();
    assert!(log.iter().any(|l| l.ends_with("lazy.pink.rabbit → Q2 (queued, once for 2 bindings)")), "{log:?}");
}

#[test]
fn every_preset_is_valid_and_named_once() {
    let names: Vec<_> = pubsub_presets().iter().map(|p| p.name).collect();
    assert_eq!(names.len(), 4);
    for (i, n) in names.iter().enumerate() {
        assert!(!names[..i].contains(n));
        run(n);
    }
}

#[test]
fn exponential_catch_up_is_close_to_backlog_times_mean() {
    // Email with exponential handling (mean 500 ms): catch-up of a backlog B takes a sum of B
    // exponentials, mean B × 0.5 s and standard deviation sqrt(B) × 0.5 s; accept 4 standard deviations.
    let mut p = pubsub_preset("fanout-email-down").unwrap();
    p.config = PubSubConfig { events: 1000, ..p.config };
    p.config.services[0].fixed = false;
    let sim = p.run();
    let r = sim.report();
    let c = &sub(&r, "Email", "order_created").catch_ups[0];
    let (mean, sd) = (f64::from(c.backlog) * 0.5, f64::from(c.backlog).sqrt() * 0.5);
    assert!((c.took_s - mean).abs() < 4.0 * sd, "{c:?} mean {mean} sd {sd}");
}
