//! Named publish/subscribe runs as plain constructors (the scenario layer wires them in). Each preset's
//! outcome is pinned by a test in `tests/pubsub_scenarios.rs`.

use super::config::{PubSubAction, PubSubConfig, ServiceSpec, SubscriptionSpec, TimedPubSubAction, TopicWeight};
use super::pattern::{Pattern, PatternKind};
use super::sim::PubSubSim;

/// A named run.
#[derive(Clone, Debug)]
pub struct PubSubPreset {
    pub name: &'static str,
    pub title: &'static str,
    pub explains: &'static str,
    pub seed: u64,
    pub config: PubSubConfig,
    pub actions: Vec<TimedPubSubAction>,
}

impl PubSubPreset {
    /// Runs the preset to the end.
    pub fn run(&self) -> PubSubSim {
        let mut sim = PubSubSim::new(self.seed, &self.config, &self.actions).expect("presets are valid");
        sim.run();
        sim
    }
}

/// The seed every preset uses.
pub const PUBSUB_PRESET_SEED: u64 = 2024;

fn at(s: u64, action: PubSubAction) -> TimedPubSubAction {
    (s * 1000, action)
}

fn stop(s: u64, service: &str) -> TimedPubSubAction {
    at(s, PubSubAction::StopService { service: service.into() })
}

fn start(s: u64, service: &str) -> TimedPubSubAction {
    at(s, PubSubAction::StartService { service: service.into() })
}

/// The window of the `fanout-email-down` outage, s.
pub const EMAIL_DOWN_S: (u64, u64) = (60, 180);

fn fanout_email_down() -> PubSubPreset {
    let (down, up) = EMAIL_DOWN_S;
    PubSubPreset {
        name: "fanout-email-down",
        title: "Fan-out while Email is down",
        explains: "order_created fans out to Email (durable), Inventory (durable) and Push (ephemeral); a burst of 5 orders comes at 59 s. Email and Push are down from 60 s to 180 s: Push misses every order_created of that window, Email's queue keeps them and it catches up. The event-bus process dies in the same window: it loses the callbacks it had not run and never sees the window's events.",
        seed: PUBSUB_PRESET_SEED,
        config: PubSubConfig::default(),
        actions: vec![
            at(down - 1, PubSubAction::Publish { topic: "order_created".into(), count: 5 }),
            stop(down, "Email"),
            stop(down, "Push"),
            at(down, PubSubAction::CrashBusProcess),
            start(up, "Email"),
            start(up, "Push"),
            at(up, PubSubAction::RestartBusProcess),
        ],
    }
}

fn broker_crash(persistent: bool) -> PubSubPreset {
    let (name, title, explains) = if persistent {
        (
            "broker-crash-persistent",
            "Broker crash (on disk)",
            "Inventory is down from 30 s to 120 s, so its durable queue fills; the broker crashes at 90 s and restarts at 100 s. On disk, the queue survives: nothing is lost and publishes during the crash are rejected. Email was handling an order when the broker went down: its ack is lost, so the order is delivered and handled again (a duplicate).",
        )
    } else {
        (
            "broker-crash-in-memory",
            "Broker crash (in memory)",
            "The same outage with an in-memory broker: the crash loses every event waiting in the durable queues.",
        )
    };
    PubSubPreset {
        name,
        title,
        explains,
        seed: PUBSUB_PRESET_SEED,
        config: PubSubConfig { persistent, ..PubSubConfig::default() },
        actions: vec![
            stop(30, "Inventory"),
            (89_800, PubSubAction::Publish { topic: "order_created".into(), count: 1 }),
            at(90, PubSubAction::CrashBroker),
            at(100, PubSubAction::RestartBroker),
            start(120, "Inventory"),
        ],
    }
}

fn wild(text: &str) -> SubscriptionSpec {
    SubscriptionSpec { pattern: Pattern::new(PatternKind::Wildcard, text), durable: true }
}

/// RabbitMQ's topic tutorial: Q1 binds `*.orange.*`, Q2 binds `*.*.rabbit` and `lazy.#` (one queue, two
/// bindings).
fn topic_routing() -> PubSubPreset {
    let topics = [
        "quick.orange.rabbit",
        "lazy.orange.elephant",
        "quick.orange.fox",
        "lazy.brown.fox",
        "lazy.pink.rabbit",
        "quick.brown.fox",
        "orange",
        "quick.orange.new.rabbit",
        "lazy.orange.new.rabbit",
    ];
    PubSubPreset {
        name: "topic-routing",
        title: "Topic wildcards (RabbitMQ)",
        explains: "RabbitMQ's topic tutorial: queue Q1 is bound with *.orange.*, queue Q2 with *.*.rabbit and lazy.#. * is one word, # zero or more: quick.orange.rabbit reaches both queues, lazy.orange.new.rabbit only Q2, quick.brown.fox and quick.orange.new.rabbit nobody. lazy.pink.rabbit matches both of Q2's bindings and reaches Q2 once: a queue gets an event once however many of its bindings match. On the in-process bus, Q2's two subscribe() calls are two callbacks, so there it runs twice.",
        seed: PUBSUB_PRESET_SEED,
        config: PubSubConfig {
            services: vec![
                ServiceSpec { name: "Q1".into(), handle_ms: 200, fixed: true, subscriptions: vec![wild("*.orange.*")] },
                ServiceSpec {
                    name: "Q2".into(),
                    handle_ms: 200,
                    fixed: true,
                    subscriptions: vec![wild("*.*.rabbit"), wild("lazy.#")],
                },
            ],
            events: 0,
            topics: vec![TopicWeight { topic: "quick.orange.rabbit".into(), weight: 1 }],
            ..PubSubConfig::default()
        },
        actions: topics
            .iter()
            .enumerate()
            .map(|(i, t)| at(1 + i as u64, PubSubAction::Publish { topic: (*t).into(), count: 1 }))
            .collect(),
    }
}

/// All presets, in the order the page lists them.
pub fn pubsub_presets() -> Vec<PubSubPreset> {
    vec![fanout_email_down(), broker_crash(true), broker_crash(false), topic_routing()]
}

/// The preset with this name.
pub fn pubsub_preset(name: &str) -> Option<PubSubPreset> {
    pubsub_presets().into_iter().find(|p| p.name == name)
}
