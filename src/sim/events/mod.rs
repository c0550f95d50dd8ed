//! Request-response vs event-driven: the notes' synchronous chain of services and the same flow through
//! queues, and what the event-driven design breaks (the commission anomaly) and how it is fixed.
//!
//! - [`commission`]: the notes' commission anomaly as discrete events, with its fixes (saga, one consumer
//!   checking funds, idempotency key, outbox vs dual write, inbox) as switches.
//!
//! Each model is a run built from (seed, configuration), computed in slices by `advance(max_steps)`,
//! with `steps()`, `report()`, a configuration's `validate()`, a `limits` module and presets as functions.

pub mod commission;
mod commission_run;

pub use commission::{
    CommissionConfig, CommissionReport, Consumer, Crash, CrashPoint, Downtime, Fixes, LogLine, LostAck, TransferIntent,
    TransferOutcome, UserRetry,
};
pub use commission_run::CommissionRun;
