//! The sharding and replication lab. Replication: each shard a primary and replicas (synchronous,
//! asynchronous or majority quorum, Raft-style failover) or leaderless N/R/W quorums; the probabilistic
//! staleness of quorums against theory.

mod client;
mod election;
mod leaderless;
pub mod quorum;
pub mod repl_budget;
pub mod repl_config;
pub mod repl_invariants;
pub mod repl_presets;
pub mod repl_report;
mod repl_state;
pub mod replication;

pub use repl_config::{ReadFrom, ReplAction, ReplConfig, ReplMode, TimedReplAction};
pub use repl_presets::{ReplPreset, repl_preset, repl_presets};
pub use repl_report::{ReplReport, ReplSnapshot};
pub use replication::ReplSim;
