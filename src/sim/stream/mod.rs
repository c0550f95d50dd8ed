//! The partitioned log (the model of Kafka): a topic of P partitions, records placed by key with
//! Kafka's murmur2 partitioner, per-partition offsets, consumer groups with range or round-robin
//! assignment, eager rebalances that pause the group, commits before or after the work, and lag.

pub mod assign;
pub mod budget;
pub mod config;
mod contract;
pub mod invariants;
pub mod log;
pub mod murmur2;
pub mod presets;
pub mod report;

pub use assign::{Assignor, assign};
pub use budget::estimate_work;
pub use config::{CommitMode, GroupSpec, StreamAction, StreamConfig, TimedStreamAction, limits};
pub use contract::PartitionedLog;
pub use invariants::check_all;
pub use log::{Rebalance, Record, StreamSim};
pub use presets::{StreamPreset, stream_preset, stream_presets};
pub use report::{GroupReport, StreamReport, StreamSnapshot};
