//! Belady's optimal policy (MIN, 1966): on a miss, evict the cached key whose next request is furthest
//! in the future. It needs the whole trace in advance, so no real cache can run it; it is the bound
//! every policy's hit ratio is measured against.

use super::keymap::key_map;
use super::policy::{Access, Note, Segment};
use std::collections::BTreeSet;
use std::rc::Rc;

/// The next request of a key that is never requested again: later than every position.
const NEVER: usize = usize::MAX;

/// For each request, the position of the same key's next request, or [`NEVER`]. One pass backwards.
pub(crate) fn next_uses(trace: &[u64]) -> Vec<usize> {
    let mut seen = key_map::<usize>(1024);
    let mut next = vec![NEVER; trace.len()];
    for (i, &k) in trace.iter().enumerate().rev() {
        if let Some(j) = seen.insert(k, i) {
            next[i] = j;
        }
    }
    next
}

/// The cache as MIN keeps it: each cached key with its next request, ordered by it. A key requested at
/// position i is cached exactly when (i, key) is in the set, since the set holds each cached key's next
/// request; keys never requested again are (NEVER, key), so they stay distinct.
/// The next uses are shared: copies (a page's checkpoints) and caches of other sizes over the same trace
/// (a miss-ratio curve) share one array.
#[derive(Clone, Debug)]
pub(crate) struct Min {
    capacity: usize,
    next: Rc<[usize]>,
    cached: BTreeSet<(usize, u64)>,
}

impl Min {
    fn new(trace: &[u64], capacity: usize) -> Self {
        Self::with_next_uses(next_uses(trace).into(), capacity)
    }

    /// An empty cache of `capacity` keys over the trace whose [`next_uses`] are `next`.
    pub(crate) fn with_next_uses(next: Rc<[usize]>, capacity: usize) -> Self {
        Min { capacity, next, cached: BTreeSet::new() }
    }

    /// Drops every key (a cache restarting empty); MIN from there on is still optimal for the rest of
    /// the trace from an empty cache.
    pub(crate) fn clear(&mut self) {
        self.cached.clear();
    }

    /// The cache's state (see [`Optimal`]'s documentation).
    pub(crate) fn segments(&self) -> Vec<Segment> {
        let (keys, marks) = self.cached.iter().map(|&(next, k)| (k, u32::try_from(next).unwrap_or(u32::MAX))).unzip();
        vec![Segment { name: "cache", keys, marks, ghost: false, hand: None }]
    }

    /// Request `i` of the trace, whose key is `key`: O(log c).
    pub(crate) fn step(&mut self, i: usize, key: u64) -> Access {
        let next = self.next[i];
        if self.cached.remove(&(i, key)) {
            self.cached.insert((next, key));
            return Access::hit(key, Note::Optimal { victim_next_use: None });
        }
        if self.capacity == 0 {
            return Access::miss(key, None, Note::NoRoom);
        }
        let mut evicted = None;
        let mut victim_next_use = None;
        if self.cached.len() == self.capacity {
            let (when, v) = self.cached.pop_last().expect("a full cache has a furthest key");
            evicted = Some(v);
            victim_next_use = (when != NEVER).then_some(when);
        }
        self.cached.insert((next, key));
        Access::miss(key, evicted, Note::Optimal { victim_next_use })
    }
}

/// Belady's optimal policy stepping through a known trace, one request at a time, for a page: each step
/// says which key went and when it would have been requested next. O(log c) per request after an O(n)
/// pass that finds every request's next use.
///
/// Segments: `"cache"`, the key requested soonest first (the last key is the next victim); marks are
/// each key's next request (its index in the trace, saturating at `u32::MAX` for never).
#[derive(Clone, Debug)]
pub struct Optimal {
    trace: Vec<u64>,
    at: usize,
    min: Min,
}

impl Optimal {
    /// A cache of `capacity` keys before the first request of `trace`.
    pub fn new(trace: &[u64], capacity: usize) -> Self {
        Optimal { trace: trace.to_vec(), at: 0, min: Min::new(trace, capacity) }
    }

    /// Serves the next request of the trace, or `None` when the trace is over.
    pub fn step(&mut self) -> Option<Access> {
        let &key = self.trace.get(self.at)?;
        let a = self.min.step(self.at, key);
        self.at += 1;
        Some(a)
    }

    /// Requests served so far.
    pub fn position(&self) -> usize {
        self.at
    }

    /// Keys cached now.
    pub fn len(&self) -> usize {
        self.min.cached.len()
    }

    /// True when nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.min.cached.is_empty()
    }

    /// The cache's state (see the type's documentation).
    pub fn segments(&self) -> Vec<Segment> {
        self.min.segments()
    }

    /// The cached keys, requested soonest first.
    pub fn contents(&self) -> Vec<u64> {
        self.min.cached.iter().map(|&(_, k)| k).collect()
    }
}

/// Whether each request of `trace` hits in a cache of `capacity` keys under Belady's optimal policy.
pub fn optimal_hit_flags(trace: &[u64], capacity: usize) -> Vec<bool> {
    let mut min = Min::new(trace, capacity);
    trace.iter().enumerate().map(|(i, &k)| min.step(i, k).hit).collect()
}

/// The most hits any policy can get on `trace` with `capacity` keys: Belady's optimal policy's.
pub fn optimal_hits(trace: &[u64], capacity: usize) -> u64 {
    let mut min = Min::new(trace, capacity);
    trace.iter().enumerate().filter(|&(i, &k)| min.step(i, k).hit).count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evicts_the_key_needed_furthest_ahead() {
        // The classic reference string with three frames: MIN faults 7 times.
        let trace = [1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5];
        assert_eq!(trace.len() as u64 - optimal_hits(&trace, 3), 7);
        let mut o = Optimal::new(&trace, 3);
        let said: Vec<String> = std::iter::from_fn(|| o.step()).map(|a| a.to_string()).collect();
        assert_eq!(said[3], "miss: 4 inserted, evicted 3 (requested again furthest in the future, at request 10)");
        assert_eq!(said[6], "miss: 5 inserted, evicted 4 (requested again furthest in the future, at request 11)");
        // 1 and 2 are both never requested again: either may go (the larger key does).
        assert_eq!(said[9], "miss: 3 inserted, evicted 2 (never requested again)");
        assert_eq!(o.position(), 12);
        assert_eq!(o.step(), None);
        assert_eq!(optimal_hit_flags(&trace, 3).iter().filter(|&&h| h).count(), 5);
        assert_eq!(optimal_hits(&trace, 0), 0);
    }
}
