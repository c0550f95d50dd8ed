//! The lab's named runs: each one part of the lab set as [`super::preset`] names it, the others at their
//! defaults, with its title and what it shows.

use super::contract::Events;
use super::lab::EventsLabConfig;
use super::{EventsConfig, FlowConfig};
use crate::scenario::LabPreset;

/// The seed every preset uses.
pub const SEED: u64 = 1;

/// Each preset's name, title and explanation, in the order the page lists them.
const TEXTS: [(&str, &str, &str); 16] = [
    (
        "chain-healthy",
        "The chain, everything up",
        "The notes' chain: the client calls S1; S1 calls S0 and S2; S2 calls S3 and S4; each waits for all \
         its calls. With every service up, 200 requests at 20 a second all succeed in a few tens of ms. Kill \
         S4 on the diagram and watch what the chain does.",
    ),
    (
        "chain-s4-timeout",
        "S4 down: the whole chain waits for the timeout",
        "S4 is down for the first 20 s. S2 waits for its 2 s timeout on S4 and fails, so S1 fails, so the \
         client fails: all 200 requests, each after about 2 s, while S1 and S2 have already written every one \
         of them to their databases. The event-driven flow on the same requests answers all of them in a few ms.",
    ),
    (
        "chain-retry-duplicates",
        "Client retries without idempotency: duplicate writes",
        "S4 is down for the first 3 s and the client retries a failed request up to 3 times (after 1, 2 and 4 \
         s). Each retry that reaches S1 and S2 writes again: the duplicate writes the notes warn about.",
    ),
    (
        "chain-retry-keys",
        "The same retries with idempotency keys",
        "The same outage and retries, each attempt of a request carrying the same key: S1 and S2 write a key \
         once, so the retries write nothing twice.",
    ),
    (
        "event-driven-s4-down",
        "Event-driven, S4 down",
        "S4 down for the first 20 s again, now event-driven: S1 writes, publishes and answers at once, so the \
         client sees no failure; S4's events wait in the broker, retried with backoff, and drain after S4 is \
         back. The chain beside it fails every request.",
    ),
    (
        "event-driven-dead-letter",
        "Event-driven, dead letters",
        "The same outage with only 5 delivery attempts: S4's events go to the dead-letter queue before S4 is \
         back. The client saw success long ago; the system never becomes consistent.",
    ),
    (
        "commission-anomaly",
        "The notes' commission anomaly: 1000 → 100",
        "Balance 1000; a transfer of 950 with a commission of 50. S0 (commission) and S2 (transfer) consume \
         the same event; S2 is down, so the user, seeing no transfer, sends 800; S0 takes 50 again. S2 comes \
         back, fails the 950 (not enough money) and makes the 800. Final balance 100: 100 of commission for \
         one transfer.",
    ),
    (
        "commission-saga",
        "Fix: a saga compensates the commission",
        "The same story with a saga: S2 publishes the 950's failure and S0 gives its commission back. Final \
         balance 150.",
    ),
    (
        "commission-single-consumer",
        "Fix: one consumer checks the funds first",
        "S2 alone consumes the event and takes amount and commission together only when the balance covers \
         both: the 950 is made when S2 is back, the 800 then fails without commission. Final balance 0.",
    ),
    (
        "commission-idempotency-key",
        "Fix: an idempotency key on the retry",
        "The user's second send carries the first one's key: S1 refuses the 800 as a different amount under \
         the same key, and the 950 is made when S2 is back. Final balance 0.",
    ),
    (
        "commission-redelivery",
        "A lost acknowledgement: the commission twice",
        "S0's acknowledgement of the 800's event is lost; the broker delivers the event again a second later \
         and S0 takes the commission again. Final balance 100.",
    ),
    (
        "commission-inbox",
        "Fix: the inbox deduplicates",
        "The same redelivery with an inbox: S0 recognises the event it already applied. Final balance 150.",
    ),
    (
        "dual-write-lost-event",
        "The dual write loses an event",
        "S1 commits the 950 to its database, then crashes before publishing: the event is lost, one committed \
         write nobody will act on. The user sends 800 after 10 s; it is made. Final balance 150.",
    ),
    (
        "outbox",
        "Fix: the outbox",
        "S1 writes the transfer and an outbox row in one local transaction; a relay publishes the row, again \
         after the crash. The 950 is made and the user does not retry: no event lost, final balance 0.",
    ),
    (
        "event-replay",
        "Event sourcing: replay, and a projection rebuilt",
        "The anomaly fixed by the saga, as the account's events in an append-only store. The balance is a \
         projection: replay it to any moment. A buggy projection that ignores compensations shows 100; \
         rebuilt from the history it shows 150.",
    ),
    (
        "saga-notes",
        "Orchestration vs choreography",
        "The notes' 950 and 800 as sagas, driven by an orchestrator with a central log and by services \
         reacting to each other's events. Both end at 150; what each shows when the 950 fails differs.",
    ),
];

/// The lab's configuration with one part as `part` sets it.
pub fn with_part(part: EventsConfig) -> EventsLabConfig {
    let mut c = EventsLabConfig::default();
    match part {
        EventsConfig::Chain(chain) => c.requests = FlowConfig { chain, ..c.requests },
        EventsConfig::Flow(flow) => c.requests = flow,
        EventsConfig::Commission(x) => c.commission = x,
        EventsConfig::Sourcing(x) => c.sourcing = x,
        EventsConfig::Saga(x) => c.saga = x,
    }
    c
}

/// Every preset of the lab, in the order the page lists them.
pub fn events_presets() -> Vec<LabPreset<Events>> {
    TEXTS
        .iter()
        .map(|&(name, title, explains)| LabPreset {
            name,
            title,
            explains,
            seed: SEED,
            config: with_part(super::preset(name).expect("every text names a preset")),
            actions: Vec::new(),
        })
        .collect()
}
