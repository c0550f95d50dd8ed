//! FIFO and Random: the two policies that ignore how keys are used. FIFO evicts in arrival order, Random
//! by a draw; both are the baselines the clever policies must beat, and FIFO shows Belady's anomaly.

use super::keymap::{KeyMap, key_map};
use super::policy::{Access, Note, PolicyKind, Segment, impl_policy, prealloc};
use crate::sim::kernel::SimRng;
use std::collections::VecDeque;

/// First in, first out, O(1) per access: a queue of keys in arrival order and a set of them. A hit changes
/// nothing; a miss on a full cache drops the oldest key.
///
/// Segments: `"queue"`, newest first (the last key is the next victim).
#[derive(Clone, Debug)]
pub struct Fifo {
    capacity: usize,
    map: KeyMap<()>,
    /// Oldest at the front.
    queue: VecDeque<u64>,
}

impl Fifo {
    /// An empty cache of `capacity` keys.
    pub fn new(capacity: usize) -> Self {
        let room = prealloc(capacity);
        Fifo { capacity, map: key_map(room), queue: VecDeque::with_capacity(room) }
    }

    #[inline]
    fn step(&mut self, key: u64) -> Access {
        if self.map.contains_key(&key) {
            return Access::hit(key, Note::Fifo);
        }
        if self.capacity == 0 {
            return Access::miss(key, None, Note::NoRoom);
        }
        let evicted = if self.queue.len() == self.capacity {
            let old = self.queue.pop_front().expect("a full queue has an oldest key");
            self.map.remove(&old);
            Some(old)
        } else {
            None
        };
        self.queue.push_back(key);
        self.map.insert(key, ());
        Access::miss(key, evicted, Note::Fifo)
    }

    fn len(&self) -> usize {
        self.queue.len()
    }

    fn capacity(&self) -> usize {
        self.capacity
    }

    fn contains(&self, key: u64) -> bool {
        self.map.contains_key(&key)
    }

    fn segments(&self) -> Vec<Segment> {
        vec![Segment::plain("queue", self.queue.iter().rev().copied().collect())]
    }
}

impl_policy!(Fifo, PolicyKind::Fifo);

/// Random eviction, O(1) per access: the keys in an array of slots and a map from key to slot. A miss
/// on a full cache draws a slot uniformly from the seeded [`SimRng`] (one `below(capacity)` per
/// eviction, nothing else) and puts the new key there, so the same seed evicts the same keys.
///
/// Segments: `"slots"`, in slot order (filled in arrival order, then each new key in its victim's slot).
#[derive(Clone, Debug)]
pub struct RandomEviction {
    capacity: usize,
    map: KeyMap<u32>,
    slots: Vec<u64>,
    rng: SimRng,
}

impl RandomEviction {
    /// An empty cache of `capacity` keys whose draws come from `seed`.
    pub fn new(capacity: usize, seed: u64) -> Self {
        let room = prealloc(capacity);
        RandomEviction { capacity, map: key_map(room), slots: Vec::with_capacity(room), rng: SimRng::new(seed) }
    }

    #[inline]
    fn step(&mut self, key: u64) -> Access {
        if self.map.contains_key(&key) {
            return Access::hit(key, Note::Random { slot: None });
        }
        if self.capacity == 0 {
            return Access::miss(key, None, Note::NoRoom);
        }
        if self.slots.len() < self.capacity {
            self.map.insert(key, self.slots.len() as u32);
            self.slots.push(key);
            return Access::miss(key, None, Note::Random { slot: None });
        }
        let slot = self.rng.below(self.capacity as u64) as usize;
        let old = std::mem::replace(&mut self.slots[slot], key);
        self.map.remove(&old);
        self.map.insert(key, slot as u32);
        Access::miss(key, Some(old), Note::Random { slot: Some(slot) })
    }

    fn len(&self) -> usize {
        self.slots.len()
    }

    fn capacity(&self) -> usize {
        self.capacity
    }

    fn contains(&self, key: u64) -> bool {
        self.map.contains_key(&key)
    }

    fn segments(&self) -> Vec<Segment> {
        vec![Segment::plain("slots", self.slots.clone())]
    }
}

impl_policy!(RandomEviction, PolicyKind::Random);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::cache::Policy;

    #[test]
    fn fifo_ignores_hits() {
        let mut f = Fifo::new(2);
        let hits: Vec<bool> = [1, 2, 1, 3, 1].iter().map(|&k| f.access(k)).collect();
        // 1 was hit, yet it is still the oldest: 3 evicts it.
        assert_eq!(hits, [false, false, true, false, false]);
        assert_eq!(f.contents(), [1, 3]);
        assert_eq!(f.access_explained(3).to_string(), "hit: 3 stays where it is, FIFO ignores hits");
    }

    #[test]
    fn random_draws_its_victims_from_the_seed() {
        let run = |seed| {
            let mut r = RandomEviction::new(4, seed);
            (0..200).map(|k| r.access_explained(k % 7).evicted).collect::<Vec<_>>()
        };
        assert_eq!(run(3), run(3));
        assert_ne!(run(3), run(4));
        let mut r = RandomEviction::new(2, 1);
        r.access(1);
        r.access(2);
        let a = r.access_explained(3);
        let Note::Random { slot: Some(slot) } = a.note else { panic!("{a:?}") };
        assert_eq!(a.evicted, Some([1, 2][slot]));
        assert_eq!(r.segments()[0].keys[slot], 3, "the new key takes its victim's slot");
    }
}
