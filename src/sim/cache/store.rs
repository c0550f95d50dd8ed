//! A cache that holds values, not only keys: one of the eviction policies ([`super::build`]) deciding
//! what stays, with each cached key's metadata beside it (the version it holds, when it was filled,
//! whether it is dirty). The consistency and CDN models need what the policies alone do not say: what a
//! cached copy is, and deleting one copy.
//!
//! The policies have no delete: they only answer requests. So an invalidated (deleted, purged, expired)
//! key loses its metadata here and keeps its slot in the policy until the policy evicts it, a tombstone;
//! a lookup finds no metadata and misses, and a later fill finds the slot and reuses it. This is the
//! only difference from a cache that frees the slot at once: a tombstone can take the place of a live key
//! a while longer. Every model states its counts through this type, so the difference is the same
//! everywhere.

use super::keymap::{KeyMap, key_map};
use super::{Policy, PolicyKind, build};

/// A cache of `capacity` keys under one policy, each cached key with its metadata `M`.
#[derive(Clone)]
pub(crate) struct Store<M> {
    policy: Box<dyn Policy>,
    meta: KeyMap<M>,
    kind: PolicyKind,
    capacity: usize,
    seed: u64,
}

impl<M: Clone> Store<M> {
    pub(crate) fn new(kind: PolicyKind, capacity: usize, seed: u64) -> Self {
        Self { policy: build(kind, capacity, seed), meta: key_map(capacity.min(1 << 16)), kind, capacity, seed }
    }

    /// The metadata of `key` if it is cached, without counting as a request.
    pub(crate) fn peek(&self, key: u64) -> Option<&M> {
        self.meta.get(&key)
    }

    /// The metadata of `key`, mutable, if it is cached (no request counted).
    pub(crate) fn peek_mut(&mut self, key: u64) -> Option<&mut M> {
        self.meta.get_mut(&key)
    }

    /// A request for `key`: on a hit the policy counts the use (recency, frequency) and the metadata is
    /// returned; on a miss nothing changes (the caller fills the key when it has the value).
    pub(crate) fn get(&mut self, key: u64) -> Option<&M> {
        if self.meta.contains_key(&key) {
            let hit = self.policy.access(key);
            debug_assert!(hit, "a key with metadata is cached");
            self.meta.get(&key)
        } else {
            None
        }
    }

    /// Caches `key` with `m` (replacing the metadata if it is cached), evicting per the policy; returns
    /// the cached key pushed out, with its metadata (a write-back cache flushes it if dirty). A policy
    /// that keeps nothing (capacity 0), or turns the key away, leaves it uncached: [`Store::peek`] says.
    pub(crate) fn fill(&mut self, key: u64, m: M) -> Option<(u64, M)> {
        if let Some(old) = self.meta.get_mut(&key) {
            *old = m;
            self.policy.access(key);
            return None;
        }
        let access = self.policy.access_explained(key);
        let evicted = access.evicted.and_then(|v| self.meta.remove(&v).map(|m| (v, m)));
        if self.policy.contains(key) {
            self.meta.insert(key, m);
        }
        evicted
    }

    /// Drops the cached copy of `key` (its slot stays a tombstone, see the module's header); returns its
    /// metadata if it was cached.
    pub(crate) fn invalidate(&mut self, key: u64) -> Option<M> {
        self.meta.remove(&key)
    }

    /// Empties the cache, as after a crash or a purge of everything: a fresh policy, no tombstones.
    pub(crate) fn clear(&mut self) {
        self.policy = build(self.kind, self.capacity, self.seed);
        self.meta.clear();
    }

    /// Keys cached now (tombstones not counted).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.meta.len()
    }

    /// The cached keys with their metadata, in no particular order.
    pub(crate) fn entries(&self) -> impl Iterator<Item = (u64, &M)> {
        self.meta.iter().map(|(&k, m)| (k, m))
    }

    /// True when every key with metadata is in the policy and no more keys than its capacity are: the
    /// invariant the tests check.
    #[cfg(test)]
    pub(crate) fn consistent(&self) -> bool {
        self.meta.len() <= self.policy.len()
            && self.policy.len() <= self.capacity
            && self.meta.keys().all(|&k| self.policy.contains(k))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tombstone_misses_and_is_refilled_in_place() {
        for kind in PolicyKind::ALL {
            let mut s: Store<u32> = Store::new(kind, 2, 1);
            assert!(s.fill(1, 10).is_none());
            assert_eq!(s.get(1), Some(&10));
            assert_eq!(s.invalidate(1), Some(10));
            assert_eq!(s.get(1), None, "{kind}");
            assert!(s.fill(1, 11).is_none());
            assert_eq!(s.peek(1), Some(&11));
            assert!(s.consistent(), "{kind}");
        }
    }

    #[test]
    fn evictions_drop_metadata_under_every_policy() {
        for kind in PolicyKind::ALL {
            let mut s: Store<u64> = Store::new(kind, 16, 7);
            let mut rng = crate::sim::kernel::SimRng::new(5);
            for i in 0..5_000u64 {
                let k = rng.below(64);
                if s.get(k).is_none()
                    && let Some((v, _)) = s.fill(k, i)
                {
                    assert!(s.peek(v).is_none());
                }
                if i % 7 == 0 {
                    s.invalidate(rng.below(64));
                }
                assert!(s.consistent(), "{kind} at {i}");
            }
            s.clear();
            assert_eq!(s.len(), 0);
        }
    }

    #[test]
    fn capacity_zero_stores_nothing() {
        let mut s: Store<()> = Store::new(PolicyKind::Lru, 0, 0);
        assert!(s.fill(3, ()).is_none());
        assert!(s.get(3).is_none() && s.peek(3).is_none());
    }
}
