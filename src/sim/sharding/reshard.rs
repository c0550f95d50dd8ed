//! Resharding: going from S1 to S2 shards (shards keep their names, `shard-0`.. ; added ones come after
//! the others, removed ones are the last), the rows that change shard under each key, counted exactly,
//! against the least any scheme could move and against what theory expects for random ids.

use super::data::{CITIES, Dataset};
use super::partition::{Layout, ShardKey, ShardingConfig, balanced_directory};
use crate::sim::hashing::algos::{Backend, VnodeRing};
use serde::{Deserialize, Serialize};

/// What a change of the shard count moves.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reshard {
    pub key: ShardKey,
    pub from: u32,
    pub to: u32,
    pub users: u64,
    /// Users per shard before and after.
    pub before: Vec<u64>,
    pub after: Vec<u64>,
    /// `flows[i][j]`: users that go from shard i to shard j (i != j).
    pub flows: Vec<Vec<u64>>,
    /// Users that change shard.
    pub moved: u64,
    /// The least any scheme must move to reach a balanced layout: the new shards' fair shares when adding,
    /// the removed shards' rows when removing.
    pub minimum: u64,
    pub moved_fraction: f64,
    pub minimum_fraction: f64,
    /// The fraction theory expects for random ids: modulo, the residues that change over one lcm period;
    /// ring, the share of the hash space that changes owner; id range, exact; location, the expected rows
    /// of the cities that move.
    pub expected_fraction: f64,
    /// Location: the directory after the change (the old one changed as little as keeps it balanced).
    pub directory_after: Option<Vec<u32>>,
}

/// The directory after going from `from` to `to` shards: cities of removed shards go, heaviest first, to
/// the least loaded remaining shard; then, while moving a city to the least loaded shard
/// lowers the spread of the loads, the city lowering it most moves (the same on every machine: integer weights,
/// lowest index on ties).
pub fn redirect(data: &Dataset, directory: &[u32; CITIES.len()], to: u32) -> [u32; CITIES.len()] {
    let w = data.city_weights();
    let mut dir = *directory;
    let mut load = vec![0u128; to as usize];
    let mut homeless: Vec<usize> = Vec::new();
    for (k, &s) in dir.iter().enumerate() {
        if s < to { load[s as usize] += w[k] } else { homeless.push(k) }
    }
    homeless.sort_by(|&a, &b| w[b].cmp(&w[a]).then(a.cmp(&b)));
    for k in homeless {
        let s = (0..to as usize).min_by_key(|&s| (load[s], s)).expect("a shard");
        load[s] += w[k];
        dir[k] = s as u32;
    }
    for _ in 0..CITIES.len() * CITIES.len() {
        let lo = (0..to as usize).min_by_key(|&s| (load[s], s)).expect("a shard");
        // Moving city k from shard a to `lo` lowers the sum of squared loads by 2·w·(load[a] − load[lo] − w);
        // take the largest decrease (in 2^-16 units of the weights, so the product fits in u128).
        let gain = |k: usize| {
            let (a, wk) = (dir[k] as usize, w[k] >> 16);
            let gap = (load[a] >> 16).saturating_sub(load[lo] >> 16);
            if a == lo || wk >= gap { 0 } else { wk * (gap - wk) }
        };
        match (0..CITIES.len()).filter(|&k| gain(k) > 0).max_by_key(|&k| (gain(k), std::cmp::Reverse(k))) {
            Some(k) => {
                load[dir[k] as usize] -= w[k];
                load[lo] += w[k];
                dir[k] = lo as u32;
            }
            None => break,
        }
    }
    dir
}

/// The least rows that must move from `from` to `to` shards: adding, the new shards' shares of a balanced
/// layout (each new shard takes ⌊N/S2⌋, or one more where every old shard already takes one more);
/// removing, the removed shards' rows.
pub fn minimum_moved(users: u64, before: &[u64], to: u32) -> u64 {
    let from = before.len() as u64;
    let to = u64::from(to);
    if to >= from {
        let (q, r) = (users / to, users % to);
        (to - from) * q + r.saturating_sub(from)
    } else {
        before[to as usize..].iter().sum()
    }
}

/// Fraction of residues h in one period lcm(a, b) with h mod a != h mod b.
pub fn modulo_moved_fraction(a: u64, b: u64) -> f64 {
    let period = a / gcd(a, b) * b;
    let stay = (0..period).filter(|h| h % a == h % b).count() as u64;
    (period - stay) as f64 / period as f64
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

fn ring(shards: u32, vnodes: u32) -> Result<VnodeRing, String> {
    let backends: Vec<Backend> = (0..shards).map(|i| Backend::new(super::partition::shard_name(i))).collect();
    VnodeRing::new(&backends, vnodes)
}

/// Share of the u64 hash space whose owner differs between two rings.
pub fn ring_moved_fraction(a: &VnodeRing, b: &VnodeRing) -> f64 {
    let mut cuts: Vec<u64> = a.continuum().positions().iter().chain(b.continuum().positions()).copied().collect();
    cuts.sort_unstable();
    cuts.dedup();
    // Each arc (prev, cut] has one owner in each ring: the owner of `cut`. The wrap arc is (last, 2^64) ∪ [0, first].
    let (ca, cb) = (a.continuum(), b.continuum());
    let mut moved: u128 = 0;
    let mut prev = *cuts.last().expect("points");
    for (i, &cut) in cuts.iter().enumerate() {
        let len = if i == 0 { (1u128 << 64) - u128::from(prev) + u128::from(cut) } else { u128::from(cut - prev) };
        if ca.owner_of(cut) != cb.owner_of(cut) {
            moved += len;
        }
        prev = cut;
    }
    moved as f64 / 2f64.powi(64)
}

/// What going from `config.shards` to `to` shards moves, for `data`.
pub fn reshard(data: &Dataset, config: &ShardingConfig, to: u32) -> Result<Reshard, String> {
    let mut run = ReshardRun::new(data, config, to)?;
    while !run.advance(1 << 20) {}
    Ok(run.finish())
}

/// [`reshard`] in slices of users, for a page that must not freeze (ten million users take a second).
pub struct ReshardRun {
    data: Dataset,
    key: ShardKey,
    /// The ring's share of the hash space that changes owner (ring key only).
    ring_expected: f64,
    before_layout: Layout,
    after_layout: Layout,
    directory_after: Option<Vec<u32>>,
    from: u32,
    to: u32,
    flows: Vec<Vec<u64>>,
    next_id: u64,
}

impl ReshardRun {
    /// The two layouts; no user counted yet (id ranges are counted exactly at once).
    pub fn new(data: &Dataset, config: &ShardingConfig, to: u32) -> Result<Self, String> {
        let before_layout = Layout::new(data, config)?;
        let mut after_config = ShardingConfig { shards: to, ..config.clone() };
        let mut directory_after = None;
        if config.key == ShardKey::Location {
            let dir = redirect(data, before_layout.directory(), to);
            after_config.directory = Some(dir.to_vec());
            directory_after = Some(dir.to_vec());
        } else {
            after_config.directory = None;
        }
        let after_layout = Layout::new(data, &after_config)?;
        let from = config.shards;
        let mut flows = vec![vec![0u64; to.max(from) as usize]; to.max(from) as usize];
        let mut next_id = 1;
        if config.key == ShardKey::IdRange {
            range_flows(data.users(), from, to, &mut flows);
            next_id = data.users() + 1;
        }
        let ring_expected = if config.key == ShardKey::Ring {
            ring_moved_fraction(&ring(from, config.vnodes)?, &ring(to, config.vnodes)?)
        } else {
            0.0
        };
        Ok(Self {
            data: data.clone(),
            key: config.key,
            ring_expected,
            before_layout,
            after_layout,
            directory_after,
            from,
            to,
            flows,
            next_id,
        })
    }

    /// The layout before the change (the current shards under this key).
    pub fn before_layout(&self) -> &Layout {
        &self.before_layout
    }

    /// Users counted so far.
    pub fn done(&self) -> u64 {
        self.next_id - 1
    }

    /// Counts up to `max_users` more users; true when every user is counted.
    pub fn advance(&mut self, max_users: u64) -> bool {
        let n = self.data.users();
        let end = self.next_id.saturating_add(max_users.max(1) - 1).min(n);
        for id in self.next_id..=end {
            let a = self.before_layout.shard_of_user(&self.data, id);
            let b = self.after_layout.shard_of_user(&self.data, id);
            self.flows[a as usize][b as usize] += 1;
        }
        self.next_id = self.next_id.max(end + 1);
        self.next_id > n
    }

    /// The counts summed up (call once every user is counted).
    pub fn finish(self) -> Reshard {
        let Self {
            data, key, ring_expected, before_layout, after_layout, directory_after, from, to, mut flows, ..
        } = self;
        let n = data.users();
        let before: Vec<u64> = (0..from as usize).map(|i| flows[i].iter().sum()).collect();
        let after: Vec<u64> = (0..to as usize).map(|j| flows.iter().map(|row| row[j]).sum()).collect();
        let moved: u64 = (0..flows.len()).map(|i| flows[i].iter().sum::<u64>() - flows[i][i]).sum();
        let minimum = minimum_moved(n, &before, to);
        let expected_fraction = match key {
            ShardKey::IdRange => moved as f64 / n as f64,
            ShardKey::IdHash => modulo_moved_fraction(u64::from(from), u64::from(to)),
            ShardKey::Ring => ring_expected,
            ShardKey::Location => {
                let shares = data.city_shares();
                (0..CITIES.len())
                    .filter(|&k| before_layout.shard_of_city(k) != after_layout.shard_of_city(k))
                    .map(|k| shares[k])
                    .sum()
            }
        };
        for (i, row) in flows.iter_mut().enumerate() {
            row[i] = 0;
        }
        Reshard {
            key,
            from,
            to,
            users: n,
            before,
            after,
            flows,
            moved,
            minimum,
            moved_fraction: moved as f64 / n as f64,
            minimum_fraction: minimum as f64 / n as f64,
            expected_fraction,
            directory_after,
        }
    }
}

/// Exact flows between equal id ranges of 1..=n over `from` and over `to` shards (the diagonal is the
/// users that stay), by walking the merged range boundaries.
fn range_flows(n: u64, from: u32, to: u32, flows: &mut [Vec<u64>]) {
    let bound = |s: u64, k: u64| (u128::from(s) * u128::from(n) / u128::from(k)) as u64;
    let (mut i, mut j, mut at) = (0u64, 0u64, 0u64);
    let (a, b) = (u64::from(from), u64::from(to));
    while at < n {
        let end = bound(i + 1, a).min(bound(j + 1, b));
        flows[i as usize][j as usize] += end - at;
        at = end;
        if bound(i + 1, a) == at && i + 1 < a {
            i += 1;
        }
        if bound(j + 1, b) == at && j + 1 < b {
            j += 1;
        }
    }
}

/// The balanced directory for `shards` (what a fresh location setup starts from).
pub fn fresh_directory(data: &Dataset, shards: u32) -> Vec<u32> {
    balanced_directory(data, shards).to_vec()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_resharding_counted_in_slices_equals_one_count() {
        let data = Dataset::new(5, &crate::sim::sharding::DataConfig { users: 5_003, ..Default::default() }).unwrap();
        for key in ShardKey::ALL {
            let config = ShardingConfig::new(key, 4);
            let mut run = ReshardRun::new(&data, &config, 5).unwrap();
            while !run.advance(777) {}
            assert_eq!(run.finish(), reshard(&data, &config, 5).unwrap(), "{key:?}");
        }
    }

    use super::super::data::DataConfig;
    use super::*;

    fn data(users: u64) -> Dataset {
        Dataset::new(9, &DataConfig { users, ..DataConfig::default() }).unwrap()
    }

    /// |observed − expected| within 5 binomial standard deviations.
    fn near(moved: u64, n: u64, p: f64) -> bool {
        let sd = (n as f64 * p * (1.0 - p)).sqrt();
        (moved as f64 - n as f64 * p).abs() <= 5.0 * sd + 1.0
    }

    #[test]
    fn modulo_moves_all_but_one_in_s_plus_one() {
        for s in 1..=20u64 {
            let f = modulo_moved_fraction(s, s + 1);
            assert!((f - s as f64 / (s as f64 + 1.0)).abs() < 1e-12, "{s}: {f}");
        }
        // The notes' 4 -> 5 servers: 80%.
        assert!((modulo_moved_fraction(4, 5) - 0.8).abs() < 1e-12);
        let d = data(200_000);
        let r = reshard(&d, &ShardingConfig::new(ShardKey::IdHash, 4), 5).unwrap();
        assert!(near(r.moved, 200_000, 0.8), "{}", r.moved_fraction);
        assert_eq!(r.minimum, 40_000);
        assert_eq!(r.before.iter().sum::<u64>(), 200_000);
        assert_eq!(r.after.iter().sum::<u64>(), 200_000);
    }

    #[test]
    fn the_ring_moves_only_what_the_new_shard_takes() {
        let d = data(100_000);
        let cfg = ShardingConfig::new(ShardKey::Ring, 8);
        let r = reshard(&d, &cfg, 9).unwrap();
        assert_eq!(r.moved, r.after[8], "only rows going to the new shard move");
        assert!((0..8).all(|i| r.flows[i][..8].iter().all(|&x| x == 0)), "no row moves between old shards");
        assert!(near(r.moved, 100_000, r.expected_fraction), "{} vs {}", r.moved_fraction, r.expected_fraction);
        assert!(r.moved >= r.minimum.saturating_sub(1_000));
        let back = reshard(&d, &ShardingConfig::new(ShardKey::Ring, 9), 8).unwrap();
        assert_eq!((back.moved, back.minimum), (r.moved, r.moved), "removing moves exactly the removed rows");
        assert!((back.expected_fraction - r.expected_fraction).abs() < 1e-15);
    }

    #[test]
    fn id_ranges_flow_exactly() {
        let d = data(1_000);
        for (from, to) in [(4u32, 5u32), (5, 4), (1, 7), (10, 3), (3, 3)] {
            let r = reshard(&d, &ShardingConfig::new(ShardKey::IdRange, from), to).unwrap();
            let (a, b) = (
                Layout::new(&d, &ShardingConfig::new(ShardKey::IdRange, from)).unwrap(),
                Layout::new(&d, &ShardingConfig::new(ShardKey::IdRange, to)).unwrap(),
            );
            let moved = (1..=1000).filter(|&id| a.shard_of_id(id) != b.shard_of_id(id)).count() as u64;
            assert_eq!(r.moved, moved, "{from} -> {to}");
            assert_eq!(r.expected_fraction, r.moved_fraction);
        }
        // 4 -> 5 equal ranges of 1000: 1..=250 | 251..=500 | ... become 1..=200 | 201..=400 | ...; shard i keeps
        // 200, 150, 100 and 50 of its rows: 500 stay, 500 move, against the 200 the new shard must take.
        let r = reshard(&d, &ShardingConfig::new(ShardKey::IdRange, 4), 5).unwrap();
        assert_eq!((r.moved, r.minimum), (500, 200));
    }

    #[test]
    fn location_moves_whole_cities_and_stays_balanced() {
        let d = data(50_000);
        let cfg = ShardingConfig::new(ShardKey::Location, 4);
        let r = reshard(&d, &cfg, 5).unwrap();
        let dir = r.directory_after.clone().unwrap();
        assert!(dir.contains(&4), "the new shard gets a city");
        assert!(r.moved < 50_000 / 2);
        let shares = d.city_shares();
        let old = balanced_directory(&d, 4);
        let moved_share: f64 = (0..12).filter(|&k| old[k] != dir[k]).map(|k| shares[k]).sum();
        assert!((moved_share - r.expected_fraction).abs() < 1e-12);
        assert!(near(r.moved, 50_000, r.expected_fraction));
        let r = reshard(&d, &cfg, 3).unwrap();
        assert!(r.directory_after.unwrap().iter().all(|&s| s < 3));
        assert!(r.moved >= r.minimum);
    }

    #[test]
    fn minimum_of_a_balanced_layout() {
        assert_eq!(minimum_moved(10, &[5, 5], 3), 3);
        assert_eq!(minimum_moved(11, &[6, 5], 3), 3);
        assert_eq!(minimum_moved(5, &[5], 7), 4, "r = 5 > 1 old shard: 6 new shards take 0, 4 of them one more");
        assert_eq!(minimum_moved(9, &[3, 3, 3], 2), 3);
    }
}
