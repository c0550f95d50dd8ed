//! W-TinyLFU: a small LRU window takes every new key, and a key leaving it enters the main cache only
//! if a frequency sketch says it is requested more often than the key main would evict for it. Recency
//! gets a foothold, frequency decides what stays, and a burst of one-off keys washes through the window
//! only.

use super::keymap::{KeyMap, key_map};
use super::policy::{Access, Duel, Note, Overflow, PolicyKind, Segment, TinyLfuStep, impl_policy, prealloc};
use super::sketch::FrequencySketch;
use super::slab::{List, Slab};

const WINDOW: u8 = 0;
const PROBATION: u8 = 1;
const PROTECTED: u8 = 2;

/// W-TinyLFU (Einziger, Friedman & Manes, "TinyLFU: A Highly Efficient Cache Admission Policy", 2017)
/// as Caffeine configures it, with its sizes and the steps of Caffeine's simulator
/// (`WindowTinyLfuPolicy`):
///
/// - Sizes (Caffeine's `BoundedLocalCache.setMaximumSize`): the window holds c − ⌊0.99·c⌋ keys (1%,
///   at least one), main the rest, and main's protected segment ⌊0.8·main⌋.
/// - Every request is first counted in the [`FrequencySketch`].
/// - A hit in the window moves the key to the window's front; in probation, promotes it to protected's
///   front (protected's LRU, if protected overflows, goes back to probation's front); in protected,
///   moves it to protected's front.
/// - A miss puts the key at the window's front. If the window overflows, its LRU key (the candidate)
///   moves to probation's front; if the cache then holds more than c keys, the candidate faces
///   probation's LRU key (the victim): the candidate stays only if its estimated frequency is strictly
///   greater, and the loser is evicted.
///
/// Left out: Caffeine's adaptive window (its hill climber resizes the window as the hit ratio moves;
/// here it stays at 1%) and its random admission of warm candidates, a defence against hash flooding
/// that matters only to adversarial keys. O(1) per access.
///
/// Segments: `"window"`, `"probation"`, `"protected"`, each most recently used first.
#[derive(Clone, Debug)]
pub struct WTinyLfu {
    capacity: usize,
    max_window: usize,
    max_protected: usize,
    map: KeyMap<u32>,
    slab: Slab,
    window: List,
    probation: List,
    protected: List,
    sketch: FrequencySketch,
}

impl WTinyLfu {
    /// An empty cache of `capacity` keys.
    pub fn new(capacity: usize) -> Self {
        let (max_window, max_protected) = Self::sizes(capacity);
        let room = prealloc(capacity) + 1;
        WTinyLfu {
            capacity,
            max_window,
            max_protected,
            map: key_map(room),
            slab: Slab::with_capacity(room),
            window: List::new(),
            probation: List::new(),
            protected: List::new(),
            // Sized for the whole cache, as Caffeine's; the limit keeps it under 128 MB.
            sketch: FrequencySketch::new(capacity.min(super::limits::CAPACITY_MAX)),
        }
    }

    /// The window's and protected's sizes for a cache of `capacity` keys, computed as Caffeine does in
    /// doubles (`max - (long) (0.99 * max)`, `(long) (0.8 * (max - window))`).
    pub fn sizes(capacity: usize) -> (usize, usize) {
        let window = capacity - (0.99 * capacity as f64) as usize;
        let protected = (0.8 * (capacity - window) as f64) as usize;
        (window, protected)
    }

    /// The frequency sketch's estimate for `key`, as admission sees it.
    pub fn estimate(&self, key: u64) -> u8 {
        self.sketch.frequency(key)
    }

    /// Moves node `i` from the back of `from`'s list to the front of `to`'s.
    fn shift(&mut self, i: u32, from: u8, to: u8) {
        match from {
            WINDOW => self.slab.unlink(&mut self.window, i),
            PROBATION => self.slab.unlink(&mut self.probation, i),
            _ => self.slab.unlink(&mut self.protected, i),
        }
        match to {
            WINDOW => self.slab.push_front(&mut self.window, i),
            PROBATION => self.slab.push_front(&mut self.probation, i),
            _ => self.slab.push_front(&mut self.protected, i),
        }
        self.slab.node_mut(i).list = to;
    }

    #[inline]
    fn step(&mut self, key: u64) -> Access {
        if self.capacity == 0 {
            return Access::miss(key, None, Note::NoRoom);
        }
        self.sketch.increment(key);
        let note = |step| Note::WTinyLfu { step };
        if let Some(&i) = self.map.get(&key) {
            let step = match self.slab.node(i).list {
                WINDOW => {
                    self.slab.move_to_front(&mut self.window, i);
                    TinyLfuStep::WindowHit
                }
                PROBATION => {
                    self.shift(i, PROBATION, PROTECTED);
                    let mut demoted = None;
                    if self.protected.len() > self.max_protected {
                        let d = self.protected.tail().expect("protected overflowed");
                        self.shift(d, PROTECTED, PROBATION);
                        demoted = Some(self.slab.node(d).key);
                    }
                    TinyLfuStep::ProbationHit { demoted }
                }
                _ => {
                    self.slab.move_to_front(&mut self.protected, i);
                    TinyLfuStep::ProtectedHit
                }
            };
            return Access::hit(key, note(step));
        }
        let i = self.slab.alloc(key, WINDOW, 0);
        self.slab.push_front(&mut self.window, i);
        self.map.insert(key, i);
        if self.window.len() <= self.max_window {
            return Access::miss(key, None, note(TinyLfuStep::Miss { overflow: None }));
        }
        let c = self.window.tail().expect("the window overflowed");
        self.shift(c, WINDOW, PROBATION);
        let candidate = self.slab.node(c).key;
        if self.map.len() <= self.capacity {
            let overflow = Some(Overflow::Moved { candidate });
            return Access::miss(key, None, note(TinyLfuStep::Miss { overflow }));
        }
        let v = self.probation.tail().expect("probation holds at least the candidate");
        let victim = self.slab.node(v).key;
        let (candidate_freq, victim_freq) = (self.sketch.frequency(candidate), self.sketch.frequency(victim));
        let admitted = candidate_freq > victim_freq;
        let out = if admitted { v } else { c };
        self.slab.unlink(&mut self.probation, out);
        let evicted = self.slab.node(out).key;
        self.map.remove(&evicted);
        self.slab.release(out);
        let duel = Duel { candidate, victim, candidate_freq, victim_freq, admitted };
        Access::miss(key, Some(evicted), note(TinyLfuStep::Miss { overflow: Some(Overflow::Duel(duel)) }))
    }

    fn len(&self) -> usize {
        self.map.len()
    }

    fn capacity(&self) -> usize {
        self.capacity
    }

    fn contains(&self, key: u64) -> bool {
        self.map.contains_key(&key)
    }

    fn segments(&self) -> Vec<Segment> {
        let with_estimates = |name, l: &List| {
            let keys = self.slab.keys(l);
            let marks = keys.iter().map(|&k| u32::from(self.sketch.frequency(k))).collect();
            Segment { name, keys, marks, ghost: false, hand: None }
        };
        vec![
            with_estimates("window", &self.window),
            with_estimates("probation", &self.probation),
            with_estimates("protected", &self.protected),
        ]
    }
}

impl_policy!(WTinyLfu, PolicyKind::WTinyLfu);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::cache::Policy;

    #[test]
    fn sizes_are_caffeines() {
        assert_eq!(WTinyLfu::sizes(10_000), (100, 7920));
        assert_eq!(WTinyLfu::sizes(100), (1, 79));
        assert_eq!(WTinyLfu::sizes(10), (1, 7));
        assert_eq!(WTinyLfu::sizes(1), (1, 0));
        assert_eq!(WTinyLfu::sizes(150), (2, 118));
    }

    #[test]
    fn a_frequent_key_wins_admission_and_a_one_off_is_turned_away() {
        let mut w = WTinyLfu::new(3); // window 1, main 2 (protected 1)
        for k in [1, 2, 3] {
            w.access(k);
        }
        assert_eq!(w.contents(), [3, 2, 1], "1 and 2 moved to probation while main had room");
        // 2 is requested three more times: it climbs to protected.
        for _ in 0..3 {
            w.access(2);
        }
        // 4 pushes 3 out of the window; 3 (seen once) faces probation's LRU, 1 (seen once): not greater.
        let a = w.access_explained(4);
        assert_eq!(a.evicted, Some(3));
        assert_eq!(
            a.to_string(),
            "miss: 4 enters the window; its oldest, 3, is turned away (estimated frequency 1 ≤ 1 for 1, main's \
             victim) and evicted"
        );
        w.access(4);
        w.access(4);
        // 5 pushes 4 (three requests) out: it beats 1 (one request).
        let a = w.access_explained(5);
        assert_eq!(a.evicted, Some(1));
        assert_eq!(
            a.to_string(),
            "miss: 5 enters the window; its oldest, 4, is admitted to main (estimated frequency 3 > 1 for 1, main's \
             victim), evicting it"
        );
        assert!(matches!(
            a.note,
            Note::WTinyLfu { step: TinyLfuStep::Miss { overflow: Some(Overflow::Duel(Duel { admitted: true, .. })) } }
        ));
        let names: Vec<_> = w.segments().iter().map(|s| (s.name, s.keys.clone())).collect();
        assert_eq!(names, [("window", vec![5]), ("probation", vec![4]), ("protected", vec![2])]);
    }
}
