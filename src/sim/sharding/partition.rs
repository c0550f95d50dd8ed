//! Horizontal partitioning: which shard holds each user (and each order) under a shard key, and exact
//! per-shard counts. Vertical partitioning: the notes' column groups and which of them a query reads.

use super::data::{CITIES, Dataset};
use crate::sim::hash::hash_u64;
use crate::sim::hashing::algos::{Backend, Placer, VnodeRing};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Limits on the shards a user can set up.
pub mod limits {
    /// Most shards: enough to show scatter-gather's cost and every movement; per-shard tables stay small.
    pub const SHARDS_MAX: u32 = 64;
    /// Most ring points per shard (the hashing lab's ring).
    pub const VNODES_MAX: u32 = 1_000;
}

/// How the users table is split into shards.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ShardKey {
    /// Equal ranges of ids: shard s holds ids `s·N/S + 1 ..= (s+1)·N/S` (the first and last ranges are open
    /// below and above).
    IdRange,
    /// `splitmix64(id) mod S`.
    IdHash,
    /// The hashing lab's consistent-hash ring: shard names hashed with virtual nodes, ids by splitmix64.
    Ring,
    /// A directory from city to shard.
    Location,
}

impl ShardKey {
    /// Every key, in the order the lab lists them.
    pub const ALL: [ShardKey; 4] = [ShardKey::IdRange, ShardKey::IdHash, ShardKey::Ring, ShardKey::Location];

    /// The key's name on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            ShardKey::IdRange => "id-range",
            ShardKey::IdHash => "id-hash",
            ShardKey::Ring => "ring",
            ShardKey::Location => "location",
        }
    }

    /// True when the key is the user id (so a condition on the id can pin a shard).
    pub fn is_by_id(self) -> bool {
        self != ShardKey::Location
    }
}

impl fmt::Display for ShardKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ShardKey {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        ShardKey::ALL.into_iter().find(|k| k.name() == s).ok_or_else(|| {
            let names: Vec<_> = ShardKey::ALL.iter().map(|k| k.name()).collect();
            format!("no shard key named \"{s}\"; the shard keys are: {}", names.join(", "))
        })
    }
}

/// Where orders live.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OrdersBy {
    /// On their user's shard (sharded by user_id with the users' key): a join is local to each shard.
    UserId,
    /// By `splitmix64(order_id) mod S`: a user's orders are spread over the shards.
    OrderId,
}

/// The shard setup: the key, the number of shards and the key's settings.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ShardingConfig {
    pub key: ShardKey,
    pub shards: u32,
    /// Ring: points per shard.
    pub vnodes: u32,
    /// Location: the shard of each city (in [`CITIES`] order); `None` is balanced by expected rows.
    #[serde(default)]
    pub directory: Option<Vec<u32>>,
    pub orders_by: OrdersBy,
    /// Each shard has an index on `age`.
    pub age_index: bool,
}

impl Default for ShardingConfig {
    fn default() -> Self {
        Self {
            key: ShardKey::IdHash,
            shards: 4,
            vnodes: 100,
            directory: None,
            orders_by: OrdersBy::UserId,
            age_index: false,
        }
    }
}

impl ShardingConfig {
    /// A setup with `shards` shards under `key`, other settings by default.
    pub fn new(key: ShardKey, shards: u32) -> Self {
        Self { key, shards, ..Self::default() }
    }

    /// Refuses anything outside the limits, with a sentence saying which.
    pub fn validate(&self) -> Result<(), String> {
        crate::sim::check_range("the number of shards", u64::from(self.shards), 1, u64::from(limits::SHARDS_MAX))?;
        crate::sim::check_range("ring points per shard", u64::from(self.vnodes), 1, u64::from(limits::VNODES_MAX))?;
        if let Some(dir) = &self.directory {
            if dir.len() != CITIES.len() {
                return Err(format!(
                    "the directory gives a shard to each of the {} cities (got {})",
                    CITIES.len(),
                    dir.len()
                ));
            }
            if let Some((k, &s)) = dir.iter().enumerate().find(|(_, s)| **s >= self.shards) {
                return Err(format!(
                    "the directory sends {} to shard {s}, but the shards are numbered 0 to {}",
                    CITIES[k],
                    self.shards - 1
                ));
            }
        }
        Ok(())
    }
}

/// The name of shard `i` (what the ring hashes).
pub fn shard_name(i: u32) -> String {
    format!("shard-{i}")
}

/// A built shard setup for one dataset: answers which shard holds a row.
#[derive(Clone, Debug)]
pub struct Layout {
    key: ShardKey,
    shards: u32,
    users: u64,
    ring: Option<VnodeRing>,
    directory: [u32; CITIES.len()],
    orders_by: OrdersBy,
    age_index: bool,
}

impl Layout {
    /// The setup of `config` over `data` (checked).
    pub fn new(data: &Dataset, config: &ShardingConfig) -> Result<Self, String> {
        config.validate()?;
        let ring = match config.key {
            ShardKey::Ring => {
                let backends: Vec<Backend> = (0..config.shards).map(|i| Backend::new(shard_name(i))).collect();
                Some(VnodeRing::new(&backends, config.vnodes)?)
            }
            _ => None,
        };
        let directory = match &config.directory {
            Some(d) => d.as_slice().try_into().expect("validated length"),
            None => balanced_directory(data, config.shards),
        };
        Ok(Self {
            key: config.key,
            shards: config.shards,
            users: data.users(),
            ring,
            directory,
            orders_by: config.orders_by,
            age_index: config.age_index,
        })
    }

    pub fn key(&self) -> ShardKey {
        self.key
    }

    pub fn shards(&self) -> u32 {
        self.shards
    }

    pub fn orders_by(&self) -> OrdersBy {
        self.orders_by
    }

    pub fn age_index(&self) -> bool {
        self.age_index
    }

    /// The city → shard directory (used by the location key).
    pub fn directory(&self) -> &[u32; CITIES.len()] {
        &self.directory
    }

    /// The shard an id maps to under an id key (ids outside 1..=N go to the open end ranges).
    #[inline]
    pub fn shard_of_id(&self, id: u64) -> u32 {
        match self.key {
            ShardKey::IdRange => range_shard(id, self.users, self.shards),
            ShardKey::Ring => self.ring.as_ref().expect("ring key has a ring").place(hash_u64(id)) as u32,
            ShardKey::IdHash | ShardKey::Location => (hash_u64(id) % u64::from(self.shards)) as u32,
        }
    }

    /// The shard of city `k` in the directory.
    #[inline]
    pub fn shard_of_city(&self, k: usize) -> u32 {
        self.directory[k]
    }

    /// The shard holding user `id`.
    #[inline]
    pub fn shard_of_user(&self, data: &Dataset, id: u64) -> u32 {
        match self.key {
            ShardKey::Location => self.directory[data.city(id)],
            _ => self.shard_of_id(id),
        }
    }

    /// The shard holding an order, given its user's shard.
    #[inline]
    pub fn shard_of_order(&self, order_id: u64, user_shard: u32) -> u32 {
        match self.orders_by {
            OrdersBy::UserId => user_shard,
            OrdersBy::OrderId => (hash_u64(order_id) % u64::from(self.shards)) as u32,
        }
    }

    /// Users per shard: by arithmetic under the id-range key, else one lookup per user (no orders, no ages:
    /// lighter than a [`Census`]).
    pub fn users_per_shard(&self, data: &Dataset) -> Vec<u64> {
        if self.key == ShardKey::IdRange {
            return (0..self.shards).map(|s| (self.id_range(s).1 + 1).saturating_sub(self.id_range(s).0)).collect();
        }
        let mut out = vec![0u64; self.shards as usize];
        for id in 1..=data.users() {
            out[self.shard_of_user(data, id) as usize] += 1;
        }
        out
    }

    /// Under the id-range key, the ids shard `s` holds within 1..=N: `lo..=hi` (empty when lo > hi).
    pub fn id_range(&self, s: u32) -> (u64, u64) {
        let (n, k) = (u128::from(self.users), u128::from(self.shards));
        let lo = u128::from(s) * n / k;
        let hi = (u128::from(s) + 1) * n / k;
        (lo as u64 + 1, hi as u64)
    }
}

/// Shard of id `id` among `shards` equal ranges of `1..=users`: the largest s with ⌊s·N/S⌋ < id, i.e.
/// ⌊(x+1)·S − 1) / N⌋ for x = id − 1, clamped to the open end ranges.
pub fn range_shard(id: u64, users: u64, shards: u32) -> u32 {
    let x = u128::from(id.clamp(1, users) - 1);
    (((x + 1) * u128::from(shards) - 1) / u128::from(users)) as u32
}

/// A directory that balances the expected rows: cities heaviest first, each to the shard with the least
/// expected rows so far (lowest index on ties). With more shards than cities, the extra shards are empty.
pub fn balanced_directory(data: &Dataset, shards: u32) -> [u32; CITIES.len()] {
    let weights = data.city_weights();
    let mut order: Vec<usize> = (0..CITIES.len()).collect();
    order.sort_by(|&a, &b| weights[b].cmp(&weights[a]).then(a.cmp(&b)));
    let mut load = vec![0u128; shards as usize];
    let mut dir = [0u32; CITIES.len()];
    for k in order {
        let s = (0..shards as usize).min_by_key(|&s| (load[s], s)).expect("at least one shard");
        load[s] += weights[k];
        dir[k] = s as u32;
    }
    dir
}

/// Exact per-shard counts over a set of users: rows, orders, ages and cities per shard. Built by a scan
/// over ids (ranges can be added separately and merged, so a page can compute it in slices).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Census {
    /// Users per shard.
    pub users: Vec<u64>,
    /// Orders per shard (where they live under the setup's `orders_by`).
    pub orders: Vec<u64>,
    /// `ages[s][a - AGE_MIN]`: users of age a on shard s (what an age index would read).
    pub ages: Vec<Vec<u64>>,
    /// `cities[s][k]`: users of city k on shard s.
    pub cities: Vec<Vec<u64>>,
}

impl Census {
    /// All zeros for `shards` shards.
    pub fn empty(shards: u32) -> Self {
        let n = shards as usize;
        let ages = (super::data::AGE_MAX - super::data::AGE_MIN + 1) as usize;
        Self {
            users: vec![0; n],
            orders: vec![0; n],
            ages: vec![vec![0; ages]; n],
            cities: vec![vec![0; CITIES.len()]; n],
        }
    }

    /// Counts users `ids` (a sub-range of 1..=N) into this census.
    pub fn scan(&mut self, data: &Dataset, layout: &Layout, ids: std::ops::RangeInclusive<u64>) {
        for id in ids {
            let city = data.city(id);
            let s = match layout.key {
                ShardKey::Location => layout.directory[city],
                _ => layout.shard_of_id(id),
            } as usize;
            self.users[s] += 1;
            self.ages[s][(data.age(id) - super::data::AGE_MIN) as usize] += 1;
            self.cities[s][city] += 1;
            match layout.orders_by {
                OrdersBy::UserId => self.orders[s] += u64::from(data.order_count(id)),
                OrdersBy::OrderId => {
                    for j in 0..data.order_count(id) {
                        self.orders[layout.shard_of_order(data.order_id(id, j), s as u32) as usize] += 1;
                    }
                }
            }
        }
    }

    /// The census of every user.
    pub fn of(data: &Dataset, layout: &Layout) -> Self {
        let mut c = Self::empty(layout.shards);
        c.scan(data, layout, 1..=data.users());
        c
    }

    /// Users on shard `s` with age in `lo..=hi`.
    pub fn ages_between(&self, s: usize, lo: u32, hi: u32) -> u64 {
        let (min, max) = (super::data::AGE_MIN, super::data::AGE_MAX);
        let (lo, hi) = (lo.max(min), hi.min(max));
        if lo > hi { 0 } else { self.ages[s][(lo - min) as usize..=(hi - min) as usize].iter().sum() }
    }

    /// All users.
    pub fn total_users(&self) -> u64 {
        self.users.iter().sum()
    }

    /// All orders.
    pub fn total_orders(&self) -> u64 {
        self.orders.iter().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::super::data::DataConfig;
    use super::*;

    fn data(users: u64) -> Dataset {
        Dataset::new(3, &DataConfig { users, ..DataConfig::default() }).unwrap()
    }

    #[test]
    fn id_ranges_are_equal_and_cover_every_id() {
        for (n, s) in [(10u64, 3u32), (10_000_000, 10), (7, 7), (5, 8), (1, 1), (1_000, 64)] {
            let d = data(n);
            let layout = Layout::new(&d, &ShardingConfig::new(ShardKey::IdRange, s)).unwrap();
            let mut next = 1;
            for shard in 0..s {
                let (lo, hi) = layout.id_range(shard);
                assert_eq!(lo, next);
                let len = (hi + 1).saturating_sub(lo);
                assert!(len == n / u64::from(s) || len == n / u64::from(s) + 1, "{n} {s}: {len}");
                if lo <= hi {
                    assert_eq!(range_shard(lo, n, s), shard);
                    assert_eq!(range_shard(hi, n, s), shard);
                }
                next = hi + 1;
            }
            assert_eq!(next, n + 1);
        }
        // The notes: 10 million users in 10 partitions of 1 million.
        assert_eq!(range_shard(1_000_000, 10_000_000, 10), 0);
        assert_eq!(range_shard(1_000_001, 10_000_000, 10), 1);
        assert_eq!(range_shard(u64::MAX, 100, 4), 3);
        assert_eq!(range_shard(0, 100, 4), 0);
    }

    #[test]
    fn census_counts_agree_with_lookups() {
        let d = data(3000);
        for key in ShardKey::ALL {
            for orders_by in [OrdersBy::UserId, OrdersBy::OrderId] {
                let cfg = ShardingConfig { orders_by, ..ShardingConfig::new(key, 5) };
                let layout = Layout::new(&d, &cfg).unwrap();
                let c = Census::of(&d, &layout);
                let mut users = vec![0u64; 5];
                let mut orders = vec![0u64; 5];
                for id in 1..=3000 {
                    let s = layout.shard_of_user(&d, id);
                    users[s as usize] += 1;
                    for o in d.orders_of(id) {
                        orders[layout.shard_of_order(o.order_id, s) as usize] += 1;
                    }
                }
                assert_eq!(c.users, users, "{key}");
                assert_eq!(layout.users_per_shard(&d), users, "{key}");
                assert_eq!(c.orders, orders, "{key}");
                assert_eq!(c.total_users(), 3000);
                for (s, &n) in users.iter().enumerate() {
                    assert_eq!(c.ages_between(s, 0, 200), n);
                    assert_eq!(c.cities[s].iter().sum::<u64>(), n);
                }
            }
        }
    }

    #[test]
    fn split_census_equals_whole() {
        let d = data(5000);
        let layout = Layout::new(&d, &ShardingConfig::new(ShardKey::Ring, 7)).unwrap();
        let mut c = Census::empty(7);
        c.scan(&d, &layout, 1..=1234);
        c.scan(&d, &layout, 1235..=5000);
        assert_eq!(c, Census::of(&d, &layout));
    }

    #[test]
    fn balanced_directory_spreads_the_expected_rows() {
        let d = data(10);
        let dir = balanced_directory(&d, 4);
        let w = d.city_weights();
        let mut load = [0u128; 4];
        for (k, &s) in dir.iter().enumerate() {
            load[s as usize] += w[k];
        }
        // Zipf(1) over 12 cities: London alone is 32% of users, so its shard is the heaviest; greedy gives
        // the other shards less than London each, none empty.
        assert!(load.iter().all(|&l| l > 0));
        assert_eq!(load.iter().max(), Some(&load[dir[0] as usize]));
        // With more shards than cities, a shard per city and the rest empty.
        let dir = balanced_directory(&d, 16);
        let mut used: Vec<u32> = dir.to_vec();
        used.sort_unstable();
        used.dedup();
        assert_eq!(used.len(), CITIES.len());
    }

    #[test]
    fn directory_checks_are_sentences() {
        let cfg = ShardingConfig { key: ShardKey::Location, directory: Some(vec![0; 3]), ..ShardingConfig::default() };
        assert!(cfg.validate().unwrap_err().contains("12 cities"));
        let cfg = ShardingConfig { directory: Some(vec![9; 12]), ..cfg };
        assert!(cfg.validate().unwrap_err().contains("London to shard 9"));
        assert!(ShardingConfig::new(ShardKey::IdHash, 65).validate().unwrap_err().contains("shards"));
        assert!("modulo".parse::<ShardKey>().unwrap_err().contains("id-range, id-hash, ring, location"));
    }
}
