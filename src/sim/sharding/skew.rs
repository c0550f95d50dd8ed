//! Load skew: a workload of point queries drawn from the seed (hot ids by Zipf, or hot cities), routed
//! under a shard key, gives each shard its queries and rows read; the hot shard is the busiest, and the
//! same workload under the other keys shows what a better key does to it.

use super::data::{CITIES, Dataset};
use super::partition::{Layout, ShardKey, ShardingConfig};
use crate::sim::kernel::SimRng;
pub use crate::sim::zipf::Zipf;
use serde::{Deserialize, Serialize};

/// Limits on a workload.
pub mod limits {
    /// Most queries drawn.
    pub const QUERIES_MAX: u32 = 100_000;
    /// Largest Zipf exponent, in thousandths.
    pub const ZIPF_S_MILLI_MAX: u32 = 3_000;
}

/// Queries a workload sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Workload {
    /// `SELECT * FROM users WHERE id = k`, k drawn by Zipf(s) over ids by rank: id 1 the hottest (the
    /// oldest accounts, say); s in thousandths (0 is uniform).
    ZipfIds { queries: u32, s_milli: u32 },
    /// `SELECT * FROM users WHERE location = c`, city k drawn with probability ∝ 1/k^s (London hottest).
    Cities { queries: u32, s_milli: u32 },
}

impl Default for Workload {
    fn default() -> Self {
        Workload::ZipfIds { queries: 10_000, s_milli: 1_000 }
    }
}

impl Workload {
    /// Refuses anything outside the limits, with a sentence saying which.
    pub fn validate(&self) -> Result<(), String> {
        let (Workload::ZipfIds { queries, s_milli } | Workload::Cities { queries, s_milli }) = *self;
        crate::sim::check_range("queries in the workload", u64::from(queries), 1, u64::from(limits::QUERIES_MAX))?;
        crate::sim::check_range(
            "the workload's skew (Zipf exponent in thousandths)",
            u64::from(s_milli),
            0,
            u64::from(limits::ZIPF_S_MILLI_MAX),
        )
    }
}

/// One shard's load under a workload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardLoad {
    pub shard: u32,
    /// Users it holds.
    pub rows: u64,
    /// Queries it was asked.
    pub queries: u64,
    /// Rows it read answering them (a primary-key lookup reads the row if it holds it; a location query
    /// with no index on location reads the whole shard).
    pub rows_read: u64,
}

/// A workload's load per shard under one key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LoadReport {
    pub key: ShardKey,
    pub shards: Vec<ShardLoad>,
    /// The shard asked the most queries (lowest index on ties).
    pub hot_shard: u32,
    /// Busiest shard's queries over the mean (1 is perfectly even).
    pub queries_max_over_mean: f64,
    /// Busiest shard's rows read over the mean.
    pub rows_read_max_over_mean: f64,
    /// Shard queries per workload query (1 when each query asks one shard; S under scatter-gather).
    pub fan_out: f64,
}

/// The load `workload` (drawn from `seed`) puts on each shard of `config` over `data`.
pub fn load(data: &Dataset, config: &ShardingConfig, workload: &Workload, seed: u64) -> Result<LoadReport, String> {
    workload.validate()?;
    let layout = Layout::new(data, config)?;
    let users = layout.users_per_shard(data);
    Ok(load_on(data, &layout, &users, workload, seed))
}

/// [`load`] over a layout whose users per shard are known.
pub fn load_on(data: &Dataset, layout: &Layout, users: &[u64], workload: &Workload, seed: u64) -> LoadReport {
    let n = layout.shards() as usize;
    let mut queries = vec![0u64; n];
    let mut rows_read = vec![0u64; n];
    let mut rng = SimRng::new(seed ^ 0x5CE3);
    let drawn = match *workload {
        Workload::ZipfIds { queries: q, s_milli } => {
            let zipf = Zipf::new(data.users(), f64::from(s_milli) / 1000.0);
            for _ in 0..q {
                let id = zipf.sample(&mut rng);
                let home = layout.shard_of_user(data, id) as usize;
                if layout.key().is_by_id() {
                    queries[home] += 1;
                } else {
                    queries.iter_mut().for_each(|x| *x += 1);
                }
                rows_read[home] += 1;
            }
            q
        }
        Workload::Cities { queries: q, s_milli } => {
            let zipf = Zipf::new(CITIES.len() as u64, f64::from(s_milli) / 1000.0);
            for _ in 0..q {
                let city = zipf.sample(&mut rng) as usize - 1;
                if layout.key() == ShardKey::Location {
                    let s = layout.shard_of_city(city) as usize;
                    queries[s] += 1;
                    rows_read[s] += users[s];
                } else {
                    for s in 0..n {
                        queries[s] += 1;
                        rows_read[s] += users[s];
                    }
                }
            }
            q
        }
    };
    let max_over_mean = |v: &[u64]| {
        let total: u64 = v.iter().sum();
        if total == 0 { 1.0 } else { *v.iter().max().expect("a shard") as f64 * n as f64 / total as f64 }
    };
    let hot = (0..n).max_by_key(|&s| (queries[s], std::cmp::Reverse(s))).expect("a shard");
    LoadReport {
        key: layout.key(),
        shards: (0..n)
            .map(|s| ShardLoad { shard: s as u32, rows: users[s], queries: queries[s], rows_read: rows_read[s] })
            .collect(),
        hot_shard: hot as u32,
        queries_max_over_mean: max_over_mean(&queries),
        rows_read_max_over_mean: max_over_mean(&rows_read),
        fan_out: queries.iter().sum::<u64>() as f64 / f64::from(drawn),
    }
}

/// The same workload under every shard key, `shards` shards each (the other settings from `config`).
pub fn compare_keys(
    data: &Dataset,
    config: &ShardingConfig,
    workload: &Workload,
    seed: u64,
) -> Result<Vec<LoadReport>, String> {
    ShardKey::ALL
        .into_iter()
        .map(|key| load(data, &ShardingConfig { key, directory: None, ..config.clone() }, workload, seed))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::data::DataConfig;
    use super::*;

    #[test]
    fn hot_ids_overload_the_first_range_and_hashing_spreads_them() {
        let data = Dataset::new(4, &DataConfig { users: 100_000, ..DataConfig::default() }).unwrap();
        let w = Workload::ZipfIds { queries: 20_000, s_milli: 1_000 };
        let reports = compare_keys(&data, &ShardingConfig::new(ShardKey::IdHash, 8), &w, 9).unwrap();
        let by = |k: ShardKey| reports.iter().find(|r| r.key == k).unwrap();
        let range = by(ShardKey::IdRange);
        assert_eq!(range.hot_shard, 0);
        // Zipf(1) over 100,000 ids: ids 1..=12,500 carry H(12,500)/H(100,000) ≈ 0.81 of the queries.
        assert!(range.queries_max_over_mean > 6.0, "{}", range.queries_max_over_mean);
        // Hashed, the hot ids spread out; id 1 alone is 1/H(100,000) ≈ 8% of the queries, so one shard still
        // carries a little more than the rest.
        let hash = by(ShardKey::IdHash);
        assert!(hash.queries_max_over_mean < 2.0, "{}", hash.queries_max_over_mean);
        assert_eq!((range.fan_out, hash.fan_out), (1.0, 1.0));
        assert_eq!(by(ShardKey::Location).fan_out, 8.0, "the id pins no location shard");
        for r in &reports {
            assert_eq!(r.shards.iter().map(|s| s.rows_read).sum::<u64>(), 20_000);
        }
    }

    #[test]
    fn hot_cities_overload_their_location_shard() {
        let data = Dataset::new(4, &DataConfig { users: 50_000, ..DataConfig::default() }).unwrap();
        let w = Workload::Cities { queries: 5_000, s_milli: 1_500 };
        let r = load(&data, &ShardingConfig::new(ShardKey::Location, 4), &w, 3).unwrap();
        assert_eq!(r.fan_out, 1.0);
        let london = ShardingConfig::new(ShardKey::Location, 4);
        let layout = Layout::new(&data, &london).unwrap();
        assert_eq!(r.hot_shard, layout.shard_of_city(0));
        assert!(r.queries_max_over_mean > 1.5);
        let h = load(&data, &ShardingConfig::new(ShardKey::IdHash, 4), &w, 3).unwrap();
        assert_eq!((h.fan_out, h.queries_max_over_mean), (4.0, 1.0), "scatter-gather: even, but every shard works");
        assert!(Workload::Cities { queries: 0, s_milli: 0 }.validate().unwrap_err().contains("queries"));
    }
}
