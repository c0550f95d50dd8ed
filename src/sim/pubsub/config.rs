//! The publish/subscribe lab's configuration (services and their subscriptions, the publishers'
//! workload, the broker) and the actions a user takes at a virtual time. All integers, so a scenario
//! is exact data that round-trips through JSON.

use super::pattern::{Pattern, PatternKind, validate_topic};
use crate::sim::check_range;
use serde::{Deserialize, Serialize};

/// Limits on everything a user can set.
pub mod limits {
    /// Most services (subscribers).
    pub const SERVICES_MAX: usize = 16;
    /// Most subscriptions in a run, those of the configuration and those added live.
    pub const SUBSCRIPTIONS_MAX: usize = 64;
    /// Most topics in the publishers' mix.
    pub const TOPICS_MAX: usize = 16;
    /// Highest weight of a topic in the mix.
    pub const WEIGHT_MAX: u32 = 1000;
    /// Most events the publishers send in one run.
    pub const EVENTS_MAX: u32 = 20_000;
    /// Most events published by hand in one action.
    pub const PUBLISH_COUNT_MAX: u32 = 1000;
    /// Most events in a run, the workload's and those published by hand.
    pub const TOTAL_EVENTS_MAX: u64 = 40_000;
    /// Highest event rate, per minute (100 per second).
    pub const RATE_PER_MIN_MAX: u32 = 6_000;
    /// Longest handling time, ms (ten minutes).
    pub const HANDLE_MS_MAX: u64 = 600_000;
    /// Longest run, ms (one virtual day).
    pub const HORIZON_MS_MAX: u64 = 86_400_000;
    /// Most samples in the backlog series.
    pub const SAMPLES_MAX: u64 = 5_000;
    pub use crate::limits::ACTIONS_MAX;
    /// Longest service name, in characters.
    pub const NAME_LEN_MAX: usize = 24;
}

/// One subscription of a service: a binding of the service's durable queue, or of its ephemeral one.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SubscriptionSpec {
    pub pattern: Pattern,
    /// Durable: a binding of the service's durable queue, which the broker keeps while the service is
    /// down. Ephemeral: a binding of its ephemeral queue, whose events published while the service is
    /// down are missed.
    pub durable: bool,
}

/// One subscribing service.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ServiceSpec {
    pub name: String,
    /// Time to handle one event, ms: the mean of an exponential, or exact when `fixed`.
    pub handle_ms: u64,
    pub fixed: bool,
    pub subscriptions: Vec<SubscriptionSpec>,
}

/// A topic of the publishers' mix and its weight.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TopicWeight {
    pub topic: String,
    pub weight: u32,
}

/// The whole starting configuration of a run.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PubSubConfig {
    pub services: Vec<ServiceSpec>,
    /// Events the publishers send (Poisson), then they stop; events published by hand come on top.
    pub events: u32,
    pub rate_per_min: u32,
    pub topics: Vec<TopicWeight>,
    /// A persistent broker keeps durable queues through a crash; an in-memory one loses them.
    pub persistent: bool,
    /// The run stops here even if events are still pending, ms.
    pub horizon_ms: u64,
    /// Interval of the backlog series, ms.
    pub sample_every_ms: u64,
}

fn sub(kind: PatternKind, text: &str, durable: bool) -> SubscriptionSpec {
    SubscriptionSpec { pattern: Pattern::new(kind, text), durable }
}

fn service(name: &str, handle_ms: u64, fixed: bool, subscriptions: Vec<SubscriptionSpec>) -> ServiceSpec {
    ServiceSpec { name: name.into(), handle_ms, fixed, subscriptions }
}

impl Default for PubSubConfig {
    /// The notes' example: Order service publishes `order_created`; Email and Inventory subscribe.
    fn default() -> Self {
        Self {
            services: vec![
                service("Email", 500, true, vec![sub(PatternKind::Exact, "order_created", true)]),
                service("Inventory", 300, false, vec![sub(PatternKind::Exact, "order_created", true)]),
                service("Push", 100, true, vec![sub(PatternKind::Exact, "order_created", false)]),
                service(
                    "Analytics",
                    200,
                    false,
                    vec![sub(PatternKind::Prefix, "order_", false), sub(PatternKind::Wildcard, "payment.*", false)],
                ),
            ],
            events: 200,
            rate_per_min: 30,
            topics: vec![
                TopicWeight { topic: "order_created".into(), weight: 60 },
                TopicWeight { topic: "order_cancelled".into(), weight: 10 },
                TopicWeight { topic: "payment.succeeded".into(), weight: 25 },
                TopicWeight { topic: "payment.failed".into(), weight: 5 },
            ],
            persistent: true,
            horizon_ms: 3_600_000,
            sample_every_ms: 1_000,
        }
    }
}

/// One thing a user does to the running system.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PubSubAction {
    /// Publish `count` events on `topic` now (by hand).
    Publish {
        topic: String,
        count: u32,
    },
    /// A service subscribes from now on: a new binding of its durable (or ephemeral) queue, declared if
    /// it has none.
    Subscribe {
        service: String,
        kind: PatternKind,
        pattern: String,
        durable: bool,
    },
    /// A service drops its subscription with this pattern text: the binding goes, the queue keeps what it
    /// holds; the queue's last binding going deletes the queue with what it still holds.
    Unsubscribe {
        service: String,
        pattern: String,
    },
    /// The service stops: what it was handling is not acknowledged, its connection drops.
    StopService {
        service: String,
    },
    /// The service comes back and its durable queue catches up.
    StartService {
        service: String,
    },
    /// The broker stops: publishing fails; an in-memory broker loses its durable queues.
    CrashBroker,
    RestartBroker,
    /// The single process running every service with the in-process event bus dies.
    CrashBusProcess,
    /// It restarts and every service subscribes again.
    RestartBusProcess,
}

impl PubSubAction {
    /// One line saying what the action does, for the history.
    pub fn describe(&self) -> String {
        match self {
            Self::Publish { topic, count: 1 } => format!("publish {topic}"),
            Self::Publish { topic, count } => format!("publish {count} × {topic}"),
            Self::Subscribe { service, kind, pattern, durable } => format!(
                "{service} subscribes to {} {pattern} ({})",
                kind.label(),
                if *durable { "durable" } else { "ephemeral" }
            ),
            Self::Unsubscribe { service, pattern } => format!("{service} unsubscribes from {pattern}"),
            Self::StopService { service } => format!("stop {service}"),
            Self::StartService { service } => format!("start {service}"),
            Self::CrashBroker => "crash the broker".into(),
            Self::RestartBroker => "restart the broker".into(),
            Self::CrashBusProcess => "kill the event-bus process".into(),
            Self::RestartBusProcess => "restart the event-bus process".into(),
        }
    }
}

/// An action and its virtual time in ms since the start.
pub type TimedPubSubAction = (u64, PubSubAction);

impl PubSubConfig {
    /// Refuses anything outside the limits, with a sentence saying which.
    pub fn validate(&self) -> Result<(), String> {
        use limits::*;
        check_range("the number of services", self.services.len() as u64, 1, SERVICES_MAX as u64)?;
        let mut subs = 0;
        for (i, s) in self.services.iter().enumerate() {
            if s.name.trim().is_empty() || s.name.chars().count() > NAME_LEN_MAX {
                return Err(format!("service names are 1 to {NAME_LEN_MAX} characters"));
            }
            if self.services[..i].iter().any(|t| t.name == s.name) {
                return Err(format!("two services are named \"{}\"", s.name));
            }
            check_range(&format!("{}'s handling time (ms)", s.name), s.handle_ms, 1, HANDLE_MS_MAX)?;
            for (j, sub) in s.subscriptions.iter().enumerate() {
                sub.pattern.validate().map_err(|e| format!("{}: {e}", s.name))?;
                if s.subscriptions[..j].iter().any(|o| o.pattern.text == sub.pattern.text) {
                    return Err(format!("{} subscribes twice to \"{}\"", s.name, sub.pattern.text));
                }
            }
            subs += s.subscriptions.len();
        }
        if subs > SUBSCRIPTIONS_MAX {
            return Err(format!("at most {SUBSCRIPTIONS_MAX} subscriptions (got {subs})"));
        }
        check_range("events", u64::from(self.events), 0, u64::from(EVENTS_MAX))?;
        check_range("event rate per minute", u64::from(self.rate_per_min), 1, u64::from(RATE_PER_MIN_MAX))?;
        check_range("the number of topics", self.topics.len() as u64, 1, TOPICS_MAX as u64)?;
        for t in &self.topics {
            validate_topic(&t.topic)?;
            check_range(&format!("the weight of {}", t.topic), u64::from(t.weight), 0, u64::from(WEIGHT_MAX))?;
        }
        if self.topics.iter().all(|t| t.weight == 0) {
            return Err("at least one topic needs a weight above 0".into());
        }
        check_range("horizon (ms)", self.horizon_ms, 1, HORIZON_MS_MAX)?;
        let min_sample = self.horizon_ms.div_ceil(SAMPLES_MAX).max(1);
        check_range("sample interval (ms)", self.sample_every_ms, min_sample, HORIZON_MS_MAX)?;
        // The work of the run without actions: actions only add to it (`PubSubSim::new` checks all).
        super::budget::estimate_work(self, &[]).check()
    }

    /// Index of the service with this name.
    pub fn service_index(&self, name: &str) -> Result<usize, String> {
        self.services.iter().position(|s| s.name == name).ok_or_else(|| format!("there is no service named \"{name}\""))
    }

    /// Checks timed actions against this configuration: known services, valid topics and patterns,
    /// time order, and subscriptions that exist when unsubscribed (and not twice when subscribed).
    pub fn validate_actions(&self, actions: &[TimedPubSubAction]) -> Result<(), String> {
        if actions.len() > limits::ACTIONS_MAX {
            return Err(format!("too many actions: {} (the limit is {})", actions.len(), limits::ACTIONS_MAX));
        }
        // The active (service, pattern text) pairs, replayed: subscribing does not depend on randomness.
        let mut active: Vec<(usize, String)> = Vec::new();
        for (i, s) in self.services.iter().enumerate() {
            active.extend(s.subscriptions.iter().map(|sub| (i, sub.pattern.text.clone())));
        }
        let mut total_subs = active.len();
        let mut by_hand = 0u64;
        let mut last = 0;
        for (i, (at, action)) in actions.iter().enumerate() {
            let place = |e: String| format!("action {} ({}): {e}", i + 1, action.describe());
            if *at < last {
                return Err(place("happens before the action preceding it".into()));
            }
            last = *at;
            check_range("action time (ms)", *at, 0, self.horizon_ms).map_err(place)?;
            match action {
                PubSubAction::Publish { topic, count } => {
                    validate_topic(topic).map_err(place)?;
                    check_range("events published at once", u64::from(*count), 1, u64::from(limits::PUBLISH_COUNT_MAX))
                        .map_err(place)?;
                    by_hand += u64::from(*count);
                    if by_hand + u64::from(self.events) > limits::TOTAL_EVENTS_MAX {
                        return Err(place(format!("a run holds at most {} events", limits::TOTAL_EVENTS_MAX)));
                    }
                }
                PubSubAction::Subscribe { service, kind, pattern, .. } => {
                    let s = self.service_index(service).map_err(place)?;
                    Pattern::new(*kind, pattern.clone()).validate().map_err(place)?;
                    if active.iter().any(|(t, p)| *t == s && p == pattern) {
                        return Err(place(format!("{service} is already subscribed to \"{pattern}\"")));
                    }
                    total_subs += 1;
                    if total_subs > limits::SUBSCRIPTIONS_MAX {
                        return Err(place(format!("a run holds at most {} subscriptions", limits::SUBSCRIPTIONS_MAX)));
                    }
                    active.push((s, pattern.clone()));
                }
                PubSubAction::Unsubscribe { service, pattern } => {
                    let s = self.service_index(service).map_err(place)?;
                    let Some(k) = active.iter().position(|(t, p)| *t == s && p == pattern) else {
                        return Err(place(format!("{service} has no subscription to \"{pattern}\"")));
                    };
                    active.remove(k);
                }
                PubSubAction::StopService { service } | PubSubAction::StartService { service } => {
                    self.service_index(service).map_err(place)?;
                }
                PubSubAction::CrashBroker
                | PubSubAction::RestartBroker
                | PubSubAction::CrashBusProcess
                | PubSubAction::RestartBusProcess => {}
            }
        }
        Ok(())
    }
}
