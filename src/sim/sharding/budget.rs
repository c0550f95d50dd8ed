//! An upper bound on the work of each of the sharding lab's computations, from the configuration alone,
//! in the project's work units ([`crate::sim::WORK_EVENTS_MAX`]): each reads rows that are pure functions
//! of their id, so its work is the rows it reads, converted to events by their measured cost.
//!
//! - The census (every user counted into its shard): each user once, and with orders sharded by order id
//!   each order placed (at most `orders_per_user_max` per user).
//! - A query: at most every user once, and with the join each user's orders (at most
//!   `orders_per_user_max`); plus the census it routes over. The rows returned are capped
//!   ([`super::ROWS_SHOWN_MAX`]).
//! - Resharding: every user placed twice (before and after).
//! - The skew comparison: users counted per shard under each of the four keys (one lookup per user; the
//!   id range by arithmetic, counted anyway) and the workload's queries, each asking at most every shard.
//!
//! Each is a separate computation (the page runs them one at a time, the command line one per call), so
//! each is checked against the budget on its own.

use super::data::DataConfig;
use super::partition::{OrdersBy, ShardingConfig};
use super::skew::Workload;
use crate::sim::budget::WorkEstimate;

/// Rows read per event of the work budget. Measured with `cargo bench --bench sharding --profile release`
/// (the size-optimised release build, one core of a shared two-core machine): the census and the
/// scatter-gather queries over ten million users (the join's 25 million rows included) read 14 to 22
/// million rows per second alone, 9.7 million at worst beside another build; the pizza shop, which
/// [`crate::sim::WORK_EVENTS_MAX`] is measured on, runs 1.7 million events per second. Counting 7 rows as
/// one event, the heaviest query within the limits (100 million rows, 14.3 million events) takes 7 s at
/// 14 million rows per second and 10.3 s at the worst figure.
pub const ROWS_PER_EVENT: u64 = 7;

fn rows(w: &mut WorkEstimate, advice: &'static str, rows: u64) {
    w.add(advice, rows.div_ceil(ROWS_PER_EVENT));
}

/// The census of `data` under `sharding`.
pub fn census_work(data: &DataConfig, sharding: &ShardingConfig) -> WorkEstimate {
    let mut w = WorkEstimate::new();
    rows(&mut w, "lower the users", data.users);
    if sharding.orders_by == OrdersBy::OrderId {
        rows(&mut w, "lower the orders per user", data.users.saturating_mul(u64::from(data.orders_per_user_max)));
    }
    w
}

/// One query (with or without the join), the census included.
pub fn query_work(data: &DataConfig, sharding: &ShardingConfig, join: bool) -> WorkEstimate {
    let mut w = census_work(data, sharding);
    rows(&mut w, "lower the users", data.users);
    if join {
        rows(&mut w, "lower the orders per user", data.users.saturating_mul(u64::from(data.orders_per_user_max)));
    }
    w
}

/// Resharding.
pub fn reshard_work(data: &DataConfig) -> WorkEstimate {
    let mut w = WorkEstimate::new();
    rows(&mut w, "lower the users", data.users.saturating_mul(2));
    w
}

/// The workload under every shard key.
pub fn skew_work(data: &DataConfig, sharding: &ShardingConfig, workload: &Workload) -> WorkEstimate {
    let mut w = WorkEstimate::new();
    rows(&mut w, "lower the users", data.users.saturating_mul(4));
    let (Workload::ZipfIds { queries, .. } | Workload::Cities { queries, .. }) = *workload;
    rows(&mut w, "send fewer queries", u64::from(queries).saturating_mul(u64::from(sharding.shards)));
    w
}

/// Checks every computation the lab can run on this configuration against the budget.
pub fn check(data: &DataConfig, sharding: &ShardingConfig, workload: &Workload) -> Result<(), String> {
    query_work(data, sharding, true).check()?;
    reshard_work(data).check()?;
    skew_work(data, sharding, workload).check()
}

#[cfg(test)]
mod tests {
    use super::super::data::limits as data_limits;
    use super::super::partition::limits as shard_limits;
    use super::super::skew::limits as skew_limits;
    use super::*;
    use crate::sim::WORK_EVENTS_MAX;

    #[test]
    fn everything_within_the_limits_fits_the_budget() {
        let data = DataConfig {
            users: data_limits::USERS_MAX,
            orders_per_user_max: data_limits::ORDERS_PER_USER_MAX,
            ..DataConfig::default()
        };
        let sharding = ShardingConfig {
            orders_by: OrdersBy::OrderId,
            ..ShardingConfig::new(super::super::ShardKey::Ring, shard_limits::SHARDS_MAX)
        };
        let workload = Workload::Cities { queries: skew_limits::QUERIES_MAX, s_milli: 0 };
        check(&data, &sharding, &workload).unwrap();
        let worst = skew_work(&data, &sharding, &workload).total().max(query_work(&data, &sharding, true).total());
        assert!(worst <= WORK_EVENTS_MAX, "{worst}");
        // The heaviest: the join's query, reading 10 million users and up to 50 million orders after the
        // census placed them all (orders sharded by order id).
        assert_eq!(worst, query_work(&data, &sharding, true).total());
        assert_eq!(query_work(&data, &sharding, true).dominant(), Some("lower the orders per user"));
    }
}
