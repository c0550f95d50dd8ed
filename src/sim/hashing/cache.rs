//! Cache affinity: keyed requests routed to servers that each keep an LRU cache. When the membership
//! changes, a key that moves finds a cold cache on its new server: modulo hashing dumps almost every
//! cache, consistent hashing keeps most of them.

use super::Ring;
use super::lab::Membership;
use super::report::assign;
use crate::sim::kernel::SimRng;
use serde::Serialize;
use std::collections::HashMap;

/// Requests per point of the hit-ratio series.
pub const WINDOW: usize = 250;
/// Distinct keys requested (the working set), at most.
pub const WORKING_SET_MAX: usize = 2000;

/// No key (the ends of the recency list).
const NONE: u32 = u32::MAX;

/// A least-recently-used cache of keys, with a fixed capacity. Keys are small indices (the experiment's
/// request ids, below the working set): each has a slot in a doubly linked recency list kept in
/// vectors, so an access is O(1) with no hashing.
#[derive(Clone, Debug, Default)]
pub struct Lru {
    capacity: usize,
    len: usize,
    /// Per key: the next more and less recently used cached keys, and whether it is cached.
    newer: Vec<u32>,
    older: Vec<u32>,
    cached: Vec<bool>,
    /// The most and the least recently used cached keys (`NONE` when empty).
    newest: u32,
    oldest: u32,
}

impl Lru {
    /// An empty cache holding at most `capacity` keys.
    pub fn new(capacity: usize) -> Self {
        Self { capacity, newest: NONE, oldest: NONE, ..Self::default() }
    }

    fn unlink(&mut self, key: u32) {
        let (newer, older) = (self.newer[key as usize], self.older[key as usize]);
        match newer {
            NONE => self.newest = older,
            k => self.older[k as usize] = older,
        }
        match older {
            NONE => self.oldest = newer,
            k => self.newer[k as usize] = newer,
        }
    }

    fn push_newest(&mut self, key: u32) {
        self.newer[key as usize] = NONE;
        self.older[key as usize] = self.newest;
        match self.newest {
            NONE => self.oldest = key,
            k => self.newer[k as usize] = key,
        }
        self.newest = key;
    }

    /// Looks `key` up, inserting it on a miss (evicting the least recently used key when full).
    /// Returns true on a hit.
    pub fn access(&mut self, key: u32) -> bool {
        let i = key as usize;
        if i >= self.cached.len() {
            self.cached.resize(i + 1, false);
            self.newer.resize(i + 1, NONE);
            self.older.resize(i + 1, NONE);
        }
        if self.cached[i] {
            self.unlink(key);
            self.push_newest(key);
            return true;
        }
        if self.capacity == 0 {
            return false;
        }
        if self.len == self.capacity {
            let evicted = self.oldest;
            self.unlink(evicted);
            self.cached[evicted as usize] = false;
            self.len -= 1;
        }
        self.cached[i] = true;
        self.len += 1;
        self.push_newest(key);
        false
    }

    /// Number of cached keys.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// Hit ratio over time for one routing scheme.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HitSeries {
    /// Hit ratio (0..1) of each window of `WINDOW` requests.
    pub windows: Vec<f64>,
    /// Hit ratio of the first window after the change.
    pub first_after: f64,
}

/// The cache-affinity experiment around the last change.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CacheAffinity {
    pub working_set: usize,
    pub cache_per_server: usize,
    /// Index of the first window after the change.
    pub change_window: usize,
    pub modulo: HitSeries,
    pub ring: HitSeries,
    /// Share of the working set whose server changed, per scheme (the expected miss share right after).
    pub modulo_moved: f64,
    pub ring_moved: f64,
}

/// Runs the experiment: the first `working_set` keys are requested uniformly at random, with caches
/// sized to hold the whole working set (plus 25%) across the servers before the change; after
/// `phase` requests the membership switches from `before` to `after` for `phase` more requests.
pub fn cache_affinity(
    (before, before_ring): (&Membership, &Ring),
    (after, after_ring): (&Membership, &Ring),
    key_hashes: &[u64],
    seed: u64,
) -> Option<CacheAffinity> {
    if before.servers.is_empty() || after.servers.is_empty() || key_hashes.is_empty() {
        return None;
    }
    let working_set = key_hashes.len().min(WORKING_SET_MAX);
    let keys = &key_hashes[..working_set];
    let (then, now) = (assign(before, before_ring, keys), assign(after, after_ring, keys));
    let n = before.servers.len().max(after.servers.len());
    let cache_per_server = (working_set * 5).div_ceil(4 * before.servers.len()).max(1);
    let phase = working_set * 8;
    let requests: Vec<u32> = {
        let mut rng = SimRng::new(seed ^ 0xCAC4E);
        (0..2 * phase).map(|_| rng.below(working_set as u64) as u32).collect()
    };
    let run = |then: &[u32], now: &[u32]| {
        let mut caches: HashMap<u32, Lru> = HashMap::with_capacity(n);
        let mut windows = Vec::with_capacity(2 * phase / WINDOW);
        let mut hits = 0;
        for (i, &k) in requests.iter().enumerate() {
            let server = if i < phase { then[k as usize] } else { now[k as usize] };
            hits += usize::from(caches.entry(server).or_insert_with(|| Lru::new(cache_per_server)).access(k));
            if (i + 1) % WINDOW == 0 {
                windows.push(hits as f64 / WINDOW as f64);
                hits = 0;
            }
        }
        let first_after = windows[phase / WINDOW];
        HitSeries { windows, first_after }
    };
    let moved = |a: &[u32], b: &[u32]| a.iter().zip(b).filter(|(x, y)| x != y).count() as f64 / working_set as f64;
    Some(CacheAffinity {
        working_set,
        cache_per_server,
        change_window: phase / WINDOW,
        modulo: run(&then.modulo, &now.modulo),
        ring: run(&then.ring, &now.ring),
        modulo_moved: moved(&then.modulo, &now.modulo),
        ring_moved: moved(&then.ring, &now.ring),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lru_evicts_the_least_recently_used() {
        let mut c = Lru::new(2);
        assert!(!c.access(1));
        assert!(!c.access(2));
        assert!(c.access(1));
        assert!(!c.access(3)); // evicts 2
        assert!(c.access(1));
        assert!(!c.access(2));
        assert_eq!(c.len(), 2);
    }

    #[test]
    fn lru_agrees_with_a_naive_one() {
        // The naive LRU: a list in recency order, searched on every access.
        for (seed, capacity) in [(1, 1), (2, 3), (3, 17), (4, 64), (5, 0)] {
            let mut rng = SimRng::new(seed);
            let mut fast = Lru::new(capacity);
            let mut naive: Vec<u32> = Vec::new();
            for _ in 0..20_000 {
                let key = rng.below(100) as u32;
                let hit = match naive.iter().position(|&k| k == key) {
                    Some(at) => {
                        naive.remove(at);
                        true
                    }
                    None => false,
                };
                if capacity > 0 {
                    naive.insert(0, key);
                    naive.truncate(capacity);
                }
                assert_eq!(fast.access(key), hit, "seed {seed}, capacity {capacity}");
                assert_eq!(fast.len(), naive.len());
            }
        }
    }

    #[test]
    fn lru_never_hits_on_a_loop_one_longer_than_the_cache() {
        // The notes' pattern 1,2,3,4,1,2,... with size 3: LRU never hits.
        let mut c = Lru::new(3);
        let hits = (0..40).filter(|i| c.access(i % 4 + 1)).count();
        assert_eq!(hits, 0);
    }
}
