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
//! with `steps()`, `report()`, a configuration's `validate()`, a `limits` module and presets as functions.

pub mod chain;
pub mod commission;
mod commission_run;
mod common;
pub mod flow;
pub mod saga;
pub mod sourcing;

pub use chain::{ChainConfig, ChainReport, ChainRun};
pub use commission::{
    CommissionConfig, CommissionReport, Consumer, Crash, CrashPoint, Downtime, Fixes, LogLine, LostAck, TransferIntent,
    TransferOutcome, UserRetry,
};
pub use commission_run::CommissionRun;
pub use common::{Fault, FaultKind, LatencyMs, Service, ServiceSpec};
pub use flow::{Comparison, FlowConfig, FlowReport, FlowRun, PendingPoint, compare};
pub use saga::{SagaConfig, SagaLogEntry, SagaReport, SagaRun, SagaState, SagaStyle, SagaTransfer, compare_styles};
pub use sourcing::{
    AccountEvent, ProjectionBug, SourcingConfig, SourcingReport, SourcingRun, StatementLine, TimedEvent,
};
