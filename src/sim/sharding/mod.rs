//! The sharding lab's data side: the users and orders tables as pure functions of the seed, horizontal
//! and vertical partitioning, shard keys, resharding, the query router and load skew.

pub mod data;
pub mod partition;

pub use data::{CITIES, CitySkew, DataConfig, Dataset, Order, User};
pub use partition::{Census, Layout, OrdersBy, ShardKey, ShardingConfig, VerticalPlan, vertical_plan};
