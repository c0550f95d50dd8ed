//! Request-response vs event-driven: the notes' synchronous chain of services and the same flow through
//! queues, and what the event-driven design breaks (the commission anomaly) and how it is fixed.
//!
//! - [`chain`]: the synchronous chain (client → S1 → S0, S2; S2 → S3, S4) with timeouts, writes committed
//!   before calling downstream, faults, client retries and idempotency keys.
//! - [`flow`]: the same requests event-driven (queues A and B, at-least-once deliveries, backoff,
//!   dead letters), and [`flow::compare`] running both on one configuration.
//! - [`commission`]: the notes' commission anomaly as discrete events, with its fixes (saga, one consumer
//!   checking funds, idempotency key, outbox vs dual write, inbox) as switches.
//! - [`sourcing`]: event sourcing and CQRS on one account: an append-only store, the balance and a
//!   statement as projections, replay to any point, a buggy projection fixed by rebuilding from history.
//! - [`saga`]: the transfer saga by an orchestrator (a central log) and by choreography (each service's
//!   events), on the same transfers.
//!
//! Each model is a run built from (seed, configuration), computed in slices by `advance(max_steps)`,
//! with `steps()`, `report()` (each run a [`crate::sim::SlicedRun`]), a configuration's `validate()`, a
//! `limits` module and presets as functions; [`preset`] names them all.

pub mod chain;
pub mod commission;
mod commission_run;
mod common;
mod contract;
pub mod flow;
pub mod lab;
pub mod lab_presets;
pub mod saga;
pub mod sourcing;

pub use chain::ChainLive;
pub use chain::{ChainConfig, ChainReport, ChainRun};
pub use commission::{
    CommissionConfig, CommissionReport, CommissionSnapshot, Consumer, ConsumerView, Crash, CrashPoint, Downtime, Fixes,
    LogLine, LostAck, TransferIntent, TransferOutcome, UserRetry,
};
pub use commission_run::CommissionRun;
pub use common::{Fault, FaultKind, LatencyMs, Service, ServiceSpec};
pub use contract::Events;
pub use flow::{Comparison, FlowConfig, FlowLive, FlowReport, FlowRun, PendingPoint, compare};
pub use lab::{EventsAction, EventsLabConfig, EventsLabReport, EventsLabSim, EventsSnapshot, ServiceState};
pub use saga::{SagaConfig, SagaLogEntry, SagaReport, SagaRun, SagaState, SagaStyle, SagaTransfer, compare_styles};
pub use sourcing::{
    AccountEvent, ProjectionBug, SourcingConfig, SourcingReport, SourcingRun, StatementLine, TimedEvent,
};

use serde::{Deserialize, Serialize};

/// One part of the lab with its configuration: what a preset names and a scenario carries.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "part", content = "config", rename_all = "kebab-case", deny_unknown_fields)]
pub enum EventsConfig {
    Chain(ChainConfig),
    /// The flow, run beside the chain on the same requests ([`compare`]).
    Flow(FlowConfig),
    Commission(CommissionConfig),
    Sourcing(SourcingConfig),
    /// Run both ways ([`compare_styles`]).
    Saga(SagaConfig),
}

impl EventsConfig {
    /// Refuses anything outside the part's limits with a sentence saying which setting to change.
    pub fn validate(&self) -> Result<(), String> {
        match self {
            EventsConfig::Chain(c) => c.validate(),
            EventsConfig::Flow(c) => c.validate(),
            EventsConfig::Commission(c) => c.validate(),
            EventsConfig::Sourcing(c) => c.validate(),
            EventsConfig::Saga(c) => c.validate(),
        }
    }

    /// Runs the part to the end from `seed` and returns its report as JSON (for a command line): the
    /// chain's report; the flow's [`Comparison`]; the commission's report with its `log`; the store's
    /// report; the saga's `orchestrated` and `choreographed` reports.
    pub fn run(&self, seed: u64) -> Result<serde_json::Value, String> {
        let v = match self {
            EventsConfig::Chain(c) => serde_json::to_value(ChainRun::run(c.clone(), seed)?),
            EventsConfig::Flow(c) => serde_json::to_value(compare(c, seed)?),
            EventsConfig::Commission(c) => {
                let (report, log) = commission::run(c.clone(), seed)?;
                let mut v = serde_json::to_value(report).map_err(|e| e.to_string())?;
                v["log"] = serde_json::to_value(log).map_err(|e| e.to_string())?;
                Ok(v)
            }
            EventsConfig::Sourcing(c) => serde_json::to_value(SourcingRun::run(c.clone(), seed)?),
            EventsConfig::Saga(c) => {
                let (orchestrated, choreographed) = compare_styles(c, seed)?;
                Ok(serde_json::json!({ "orchestrated": orchestrated, "choreographed": choreographed }))
            }
        };
        v.map_err(|e| e.to_string())
    }
}

/// Every preset's name, in the order a page lists them: the chain's, the flow's, the commission's
/// ([`commission::PRESETS`]), the event store's, the saga's.
pub fn presets() -> impl Iterator<Item = &'static str> {
    const BEFORE: [&str; 6] = [
        "chain-healthy",
        "chain-s4-timeout",
        "chain-retry-duplicates",
        "chain-retry-keys",
        "event-driven-s4-down",
        "event-driven-dead-letter",
    ];
    const AFTER: [&str; 2] = ["event-replay", "saga-notes"];
    BEFORE.into_iter().chain(commission::PRESETS).chain(AFTER)
}

/// A preset by name.
pub fn preset(name: &str) -> Option<EventsConfig> {
    Some(match name {
        "chain-healthy" => EventsConfig::Chain(chain::chain_healthy()),
        "chain-s4-timeout" => EventsConfig::Chain(chain::chain_s4_timeout()),
        "chain-retry-duplicates" => EventsConfig::Chain(chain::chain_retry_duplicates()),
        "chain-retry-keys" => EventsConfig::Chain(chain::chain_retry_keys()),
        "event-driven-s4-down" => EventsConfig::Flow(flow::event_driven_s4_down()),
        "event-driven-dead-letter" => EventsConfig::Flow(flow::event_driven_dead_letter()),
        "event-replay" => EventsConfig::Sourcing(sourcing::event_replay()),
        "saga-notes" => EventsConfig::Saga(saga::saga_notes()),
        other => EventsConfig::Commission(commission::preset(other)?),
    })
}
