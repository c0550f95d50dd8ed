//! The sharding lab's named runs: the notes' examples of routing (ten million users by id, hotels by
//! location, London's over-50s on one shard, a join across shards) and the replication presets
//! (failovers, a whole shard down, a partition), each with the queries that show its lesson.

use super::config::ShardDataConfig;
use super::contract::Sharding;
use super::data::DataConfig;
use super::lab::{ShardAction, ShardLabConfig};
use super::partition::{OrdersBy, ShardKey, ShardingConfig};
use super::repl_config::ReplConfig;
use super::repl_presets::repl_presets;
use crate::scenario::LabPreset;

/// The seed every sharding preset uses.
const SEED: u64 = 2024;

fn query(at_ms: u64, sql: &str) -> (u64, ShardAction) {
    (at_ms, ShardAction::Query { sql: sql.into(), allow_partial: false })
}

/// `users` users in `shards` shards by `key`, each a primary and two replicas (majority quorum).
fn routing(users: u64, shards: u32, sharding: ShardingConfig) -> ShardLabConfig {
    let data = ShardDataConfig {
        data: DataConfig { users, ..DataConfig::default() },
        sharding: ShardingConfig { shards, ..sharding },
        ..ShardDataConfig::default()
    };
    ShardLabConfig { data, repl: ReplConfig { shards, writes_per_s: 50, reads_per_s: 50, ..ReplConfig::default() } }
}

/// Every preset of the lab, in the order the page lists them.
pub fn sharding_presets() -> Vec<LabPreset<Sharding>> {
    let mut presets = vec![
        LabPreset {
            name: "ten-shards-by-id",
            title: "Ten million users, ten shards by id",
            explains: "The notes' users table split into ten shards of a million ids each. A lookup by id asks one \
                       shard; a range of ids asks the shards whose ranges it spans; a query on the location, which \
                       is not the shard key, asks all ten (scatter-gather).",
            seed: SEED,
            config: routing(10_000_000, 10, ShardingConfig::new(ShardKey::IdRange, 10)),
            actions: vec![
                query(1_000, "SELECT * FROM users WHERE id = 4200042"),
                query(2_000, "SELECT count(*) FROM users WHERE id >= 2500000 AND id < 3500000"),
                query(3_000, "SELECT count(*) FROM users WHERE location = 'London'"),
            ],
        },
        LabPreset {
            name: "hotels-by-location",
            title: "Sharded by location",
            explains: "A directory maps each city to a shard. A query on one city asks one shard; but cities are \
                       not equally popular (Zipf), so the shard holding London holds far more rows than the others.",
            seed: SEED,
            config: routing(1_000_000, 4, ShardingConfig::new(ShardKey::Location, 4)),
            actions: vec![
                query(1_000, "SELECT count(*) FROM users WHERE location = 'London'"),
                query(2_000, "SELECT count(*) FROM users WHERE location = 'Berlin'"),
            ],
        },
        LabPreset {
            name: "london-50-plus",
            title: "Users in London aged 50 or more: one shard",
            explains: "The notes' example: with the location as the shard key, the router sends the query to the one \
                       shard holding London, and that shard's index on age reads only the matching rows.",
            seed: SEED,
            config: routing(
                1_000_000,
                4,
                ShardingConfig { age_index: true, ..ShardingConfig::new(ShardKey::Location, 4) },
            ),
            actions: vec![query(1_000, "SELECT * FROM users WHERE location = 'London' AND age >= 50")],
        },
        LabPreset {
            name: "cross-shard-join",
            title: "A join across shards",
            explains: "Users are sharded by id, but orders by their own id: a user's orders sit on other shards, so \
                       the join sends the matching users to every shard (counted as rows over the network). With \
                       both tables sharded by user id, each shard would join locally.",
            seed: SEED,
            config: routing(
                100_000,
                4,
                ShardingConfig { orders_by: OrdersBy::OrderId, ..ShardingConfig::new(ShardKey::IdHash, 4) },
            ),
            actions: vec![query(
                1_000,
                "SELECT count(*) FROM users JOIN orders ON users.id = orders.user_id WHERE location = 'Paris'",
            )],
        },
    ];
    // The replication presets, over the notes' table sharded by id hash, with the queries that show
    // what a failure does to the router's answers.
    for p in repl_presets() {
        let mut config = routing(10_000, p.config.shards, ShardingConfig::new(ShardKey::IdHash, p.config.shards));
        config.repl = p.config.clone();
        let mut actions: Vec<(u64, ShardAction)> =
            p.actions.iter().map(|(at, a)| (*at, ShardAction::Node(a.clone()))).collect();
        if p.name == "kill-whole-shard" {
            actions.push(query(3_000, "SELECT count(*) FROM users WHERE age >= 50"));
            actions.push((
                3_000,
                ShardAction::Query { sql: "SELECT count(*) FROM users WHERE age >= 50".into(), allow_partial: true },
            ));
            actions.push(query(3_000, "SELECT * FROM users WHERE id = 7"));
            actions.push(query(8_000, "SELECT count(*) FROM users WHERE age >= 50"));
        }
        actions.sort_by_key(|(at, _)| *at);
        presets.push(LabPreset { name: p.name, title: p.title, explains: p.explains, seed: p.seed, config, actions });
    }
    presets
}
