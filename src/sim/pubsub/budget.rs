//! An upper bound on the work of a publish/subscribe run, from its configuration and actions alone.
//!
//! What makes events (`sim::Ev`), with E the events published (the publishers' and those by hand), Q the
//! queues that can exist (the configuration's, plus one per `Subscribe` that may declare one) and B the
//! bindings (the configuration's subscriptions plus every `Subscribe`):
//! - `Produce`: one per event of the publishers; `Action`: one per action; `Sample`: every sample
//!   interval over the horizon.
//! - `Done`: one per delivery. A queue gets each event at most once and delivers it once, again only
//!   after its service stopped mid-event (and then a stale `Done` fires too) or its ack was lost while
//!   the broker was down (delivered again when it restarts); deleting a queue leaves one stale `Done`.
//! - `BusDone`: one per callback of the in-process bus, one per matching subscription per event, and
//!   one stale per crash of the bus process.
//!
//! Work besides events: publishing matches the event's topic against every binding twice (the broker's
//! queues and the bus's callbacks) and formats a log line, counted as events by its measured cost.

use super::config::{PubSubAction, PubSubConfig, TimedPubSubAction};
use crate::sim::budget::{WorkEstimate, ticks};

/// What one of this lab's events costs in events of the budget: a delivery updates the queue's ledger
/// of fates and draws a handling time, a publish formats its log line over every matching queue; the
/// `run_budget` bench measured 0.55 to 0.9 million of them per second on the release build, against the
/// budget's 1.6 million (16 million in ten seconds).
const EVENT_COST: u64 = 2;

/// An upper bound on the events of running `config` with `actions`.
pub fn estimate_work(config: &PubSubConfig, actions: &[TimedPubSubAction]) -> WorkEstimate {
    let mut w = WorkEstimate::new();
    let subs: u64 = config.services.iter().map(|s| s.subscriptions.len() as u64).sum();
    let kinds: u64 = config
        .services
        .iter()
        .map(|s| {
            u64::from(s.subscriptions.iter().any(|b| b.durable)) + u64::from(s.subscriptions.iter().any(|b| !b.durable))
        })
        .sum();
    let (mut by_hand, mut subscribes, mut interruptions, mut bus_crashes) = (0u64, 0u64, 0u64, 0u64);
    for (_, action) in actions {
        match action {
            PubSubAction::Publish { count, .. } => by_hand += u64::from(*count),
            PubSubAction::Subscribe { .. } => subscribes += 1,
            PubSubAction::StopService { .. } | PubSubAction::RestartBroker | PubSubAction::Unsubscribe { .. } => {
                interruptions += 1
            }
            PubSubAction::CrashBusProcess | PubSubAction::RestartBusProcess => bus_crashes += 1,
            PubSubAction::StartService { .. } | PubSubAction::CrashBroker => {}
        }
    }
    let events = u64::from(config.events) + by_hand;
    let queues = kinds + subscribes;
    let bindings = subs + subscribes;
    w.add("lower the events", u64::from(config.events));
    w.add("publish fewer events by hand", by_hand);
    w.add("record fewer actions", actions.len() as u64);
    w.add("raise the sample interval", ticks(config.horizon_ms, config.sample_every_ms));
    w.add("lower the events or the subscriptions", events.saturating_mul(queues) * EVENT_COST);
    w.add("stop services and the broker fewer times", interruptions.saturating_mul(2 * queues) * EVENT_COST);
    w.add("lower the events or the subscriptions", events.saturating_mul(bindings) * EVENT_COST);
    w.add("crash the event-bus process fewer times", bus_crashes * EVENT_COST);
    // Publishing matches the topic against every binding, for the broker and for the bus.
    w.add("lower the events or the subscriptions", events.saturating_mul(bindings));
    w
}
