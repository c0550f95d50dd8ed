//! Rows scanned per second by the sharding lab's router on the ten-million-user preset: the census (every
//! user counted into its shard), a scatter-gather query (London, aged 50 or more, under the id hash: every
//! shard reads every user) and the join count. Run with `cargo bench --bench sharding` (speed) or
//! `cargo bench --bench sharding --profile release` (the size-optimised build the budget is measured on).

use std::hint::black_box;
use std::time::Instant;
use sysplay::sim::sharding::{Census, Cluster, DataConfig, Dataset, LatencyModel, ShardKey, ShardingConfig, parse};

fn main() {
    let data = Dataset::new(1, &DataConfig::notes_10m()).expect("valid");
    let config = ShardingConfig::new(ShardKey::IdHash, 10);
    let t = Instant::now();
    let cluster = Cluster::new(data, &config).expect("valid");
    let census_s = t.elapsed().as_secs_f64();
    println!(
        "census of {} users over 10 shards: {:.3} s, {:.1} M users/s",
        cluster.census.total_users(),
        census_s,
        cluster.census.total_users() as f64 / census_s / 1e6
    );
    let _ = black_box(Census::empty(1));
    for sql in [
        "SELECT count(*) FROM users WHERE location = 'London' AND age >= 50",
        "SELECT * FROM users WHERE location = 'London' AND age >= 50",
        "SELECT count(*) FROM users JOIN orders ON users.id = orders.user_id WHERE amount > 25000",
    ] {
        let q = parse(sql).expect("valid");
        let mut best = f64::MAX;
        let mut scanned = 0;
        for _ in 0..3 {
            let t = Instant::now();
            let o = black_box(cluster.run(&q, &LatencyModel::default(), 1000));
            best = best.min(t.elapsed().as_secs_f64());
            scanned = o.rows_scanned;
        }
        println!(
            "{sql}\n  {} rows scanned (users and orders) in {:.3} s (best of 3): {:.1} M rows/s",
            scanned,
            best,
            scanned as f64 / best / 1e6
        );
    }
}
