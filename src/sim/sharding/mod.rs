//! The sharding and replication lab. Replication: each shard a primary and replicas (synchronous,
//! asynchronous or majority quorum, Raft-style failover) or leaderless N/R/W quorums; the probabilistic
//! staleness of quorums against theory. Data: the users and orders tables as pure functions of the
//! seed, horizontal and vertical partitioning, shard keys, resharding, the query router and load skew.

mod client;
pub mod contract;
mod election;
pub mod lab;
mod lab_presets;
mod leaderless;
pub mod quorum;
pub mod repl_budget;
pub mod repl_config;
pub mod repl_invariants;
pub mod repl_presets;
pub mod repl_report;
mod repl_state;
pub mod replication;

pub use contract::Sharding;
pub use lab::{QueryLog, QueryStatus, ShardAction, ShardLabConfig, ShardLabReport, ShardLabSim, ShardLabSnapshot};
pub use repl_config::{ReadFrom, ReplAction, ReplConfig, ReplMode, TimedReplAction};
pub use repl_presets::{ReplPreset, repl_preset, repl_presets};
pub use repl_report::{ReplReport, ReplSnapshot};
pub use replication::ReplSim;

pub mod budget;
pub mod config;
pub mod data;
pub mod partition;
pub mod reshard;
pub mod router;
pub mod skew;
pub mod sql;
pub mod vertical;

pub use config::ShardDataConfig;
pub use data::{CITIES, CitySkew, DataConfig, Dataset, Order, User};
pub use partition::{Census, Layout, OrdersBy, ShardKey, ShardingConfig};
pub use reshard::{Reshard, ReshardRun, reshard};
pub use router::{
    Access, Answer, Cluster, Latency, LatencyModel, Outcome, Plan, QueryRun, ROWS_SHOWN_MAX, Routing, ShardWork, plan,
};
pub use skew::{LoadReport, ShardLoad, Workload, compare_keys, load};
pub use sql::{Column, Cond, Literal, Op, Projection, Query, SUPPORTED, parse};
pub use vertical::{COLUMN_GROUPS, GroupRead, HorizontalWork, SideBySide, VerticalPlan, VerticalWork, vertical_plan};
