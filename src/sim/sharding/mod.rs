//! The sharding lab's data side: the users and orders tables as pure functions of the seed, horizontal
//! and vertical partitioning, shard keys, resharding, the query router and load skew.

pub mod budget;
pub mod config;
pub mod data;
pub mod partition;
pub mod reshard;
pub mod router;
pub mod skew;
pub mod sql;

pub use config::ShardDataConfig;
pub use data::{CITIES, CitySkew, DataConfig, Dataset, Order, User};
pub use partition::{Census, Layout, OrdersBy, ShardKey, ShardingConfig, VerticalPlan, vertical_plan};
pub use reshard::{Reshard, reshard};
pub use router::{
    Access, Answer, Cluster, Latency, LatencyModel, Outcome, Plan, QueryRun, ROWS_SHOWN_MAX, Routing, ShardWork, plan,
};
pub use skew::{LoadReport, ShardLoad, Workload, compare_keys, load};
pub use sql::{Column, Cond, Literal, Op, Projection, Query, SUPPORTED, parse};
