//! Cache affinity: keyed requests routed to servers that each keep an LRU cache. When the membership
//! changes, a key that moves finds a cold cache on its new server: modulo hashing dumps almost every
//! cache, consistent hashing keeps most of them.

use super::Ring;
use super::lab::Membership;
use super::report::assign;
use crate::sim::kernel::SimRng;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Requests per point of the hit-ratio series.
pub const WINDOW: usize = 250;
/// Distinct keys requested (the working set), at most.
pub const WORKING_SET_MAX: usize = 2000;

/// A least-recently-used cache of keys, with a fixed capacity.
#[derive(Clone, Debug, Default)]
pub struct Lru {
    capacity: usize,
    tick: u64,
    last_used: HashMap<u32, u64>,
    by_age: BTreeMap<u64, u32>,
}

impl Lru {
    /// An empty cache holding at most `capacity` keys.
    pub fn new(capacity: usize) -> Self {
        Self { capacity, ..Self::default() }
    }

    /// Looks `key` up, inserting it on a miss (evicting the least recently used key when full).
    /// Returns true on a hit.
    pub fn access(&mut self, key: u32) -> bool {
        self.tick += 1;
        let hit = match self.last_used.insert(key, self.tick) {
            Some(old) => {
                self.by_age.remove(&old);
                true
            }
            None => false,
        };
        self.by_age.insert(self.tick, key);
        if self.last_used.len() > self.capacity
            && let Some((_, oldest)) = self.by_age.pop_first()
        {
            self.last_used.remove(&oldest);
        }
        hit
    }

    /// Number of cached keys.
    pub fn len(&self) -> usize {
        self.last_used.len()
    }

    /// True when nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.last_used.is_empty()
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
    fn lru_never_hits_on_a_loop_one_longer_than_the_cache() {
        // The notes' pattern 1,2,3,4,1,2,... with size 3: LRU never hits.
        let mut c = Lru::new(3);
        let hits = (0..40).filter(|i| c.access(i % 4 + 1)).count();
        assert_eq!(hits, 0);
    }
}
