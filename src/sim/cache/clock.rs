//! CLOCK and SIEVE: FIFO with one bit per key, so a key used since the hand last passed survives. CLOCK
//! moves a survivor to the back of the line (second chance); SIEVE leaves it in place, so new keys near
//! the head are judged quickly and the hand sifts the old ones.

use super::keymap::{KeyMap, key_map};
use super::policy::{Access, Note, PolicyKind, Segment, impl_policy, prealloc};
use super::slab::{List, NIL, Slab};

/// CLOCK (Corbató, 1968), the second-chance algorithm: the keys sit on a clock face of `capacity`
/// slots, each with a reference bit, and a hand points at the next slot to examine. A hit sets the key's
/// bit. A miss on a full cache turns the hand: a set bit is cleared (a second chance) and the hand moves
/// on; the first key found with its bit clear is evicted, the new key takes its slot with its bit clear,
/// and the hand moves past it. While the face fills, keys take the slots in order and the hand stays at
/// slot 0, the oldest.
///
/// A new key's bit starts clear, as in libCacheSim's `Clock` (a new key must be used again to earn its
/// second chance). Read from the hand, the face is a FIFO queue with reinsertion, oldest first.
///
/// Amortised O(1) per access: every bit the hand clears was set by one hit.
///
/// Segments: `"clock"`, in slot order, marks the reference bits, with the hand.
#[derive(Clone, Debug)]
pub struct Clock {
    capacity: usize,
    map: KeyMap<u32>,
    slots: Vec<u64>,
    bits: Vec<bool>,
    hand: usize,
}

impl Clock {
    /// An empty cache of `capacity` keys.
    pub fn new(capacity: usize) -> Self {
        let room = prealloc(capacity);
        Clock { capacity, map: key_map(room), slots: Vec::with_capacity(room), bits: Vec::with_capacity(room), hand: 0 }
    }

    #[inline]
    fn step(&mut self, key: u64) -> Access {
        if let Some(&slot) = self.map.get(&key) {
            self.bits[slot as usize] = true;
            return Access::hit(key, Note::Clock { spared: 0 });
        }
        if self.capacity == 0 {
            return Access::miss(key, None, Note::NoRoom);
        }
        if self.slots.len() < self.capacity {
            self.map.insert(key, self.slots.len() as u32);
            self.slots.push(key);
            self.bits.push(false);
            return Access::miss(key, None, Note::Clock { spared: 0 });
        }
        let mut spared = 0;
        while self.bits[self.hand] {
            self.bits[self.hand] = false;
            spared += 1;
            self.hand = (self.hand + 1) % self.capacity;
        }
        let old = std::mem::replace(&mut self.slots[self.hand], key);
        self.map.remove(&old);
        self.map.insert(key, self.hand as u32);
        self.hand = (self.hand + 1) % self.capacity;
        Access::miss(key, Some(old), Note::Clock { spared })
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
        vec![Segment {
            name: "clock",
            keys: self.slots.clone(),
            marks: self.bits.iter().map(|&b| u32::from(b)).collect(),
            ghost: false,
            hand: (!self.slots.is_empty()).then_some(self.hand),
        }]
    }
}

impl_policy!(Clock, PolicyKind::Clock);

/// SIEVE (Zhang et al., "SIEVE is Simpler than LRU", NSDI'24): one FIFO queue, new keys inserted at the
/// head, a visited bit per key, and a hand that moves from the tail towards the head. A hit only sets the
/// bit (no key ever moves). To evict, the hand (starting at the tail when it points nowhere) clears the
/// bits it passes until it finds a key not visited, evicts it and stays just ahead of it, towards the
/// head; past the head it wraps to the tail. This is the paper's figure 2 line for line.
///
/// Amortised O(1) per access: every bit the hand clears was set by one hit.
///
/// Segments: `"queue"`, from the head (newest) to the tail, marks the visited bits, with the hand (none
/// when it points nowhere and will start from the tail).
#[derive(Clone, Debug)]
pub struct Sieve {
    capacity: usize,
    map: KeyMap<u32>,
    slab: Slab,
    queue: List,
    hand: u32,
}

impl Sieve {
    /// An empty cache of `capacity` keys.
    pub fn new(capacity: usize) -> Self {
        let room = prealloc(capacity);
        Sieve { capacity, map: key_map(room), slab: Slab::with_capacity(room), queue: List::new(), hand: NIL }
    }

    #[inline]
    fn step(&mut self, key: u64) -> Access {
        if let Some(&i) = self.map.get(&key) {
            self.slab.node_mut(i).mark = 1;
            return Access::hit(key, Note::Sieve { spared: 0 });
        }
        if self.capacity == 0 {
            return Access::miss(key, None, Note::NoRoom);
        }
        let (mut spared, mut evicted) = (0, None);
        if self.queue.len() == self.capacity {
            let tail = self.queue.tail().expect("a full queue has a tail");
            let mut o = if self.hand == NIL { tail } else { self.hand };
            while self.slab.node(o).mark == 1 {
                self.slab.node_mut(o).mark = 0;
                spared += 1;
                o = self.slab.prev(o).unwrap_or(tail);
            }
            self.hand = self.slab.prev(o).unwrap_or(NIL);
            self.slab.unlink(&mut self.queue, o);
            let old = self.slab.node(o).key;
            self.map.remove(&old);
            self.slab.release(o);
            evicted = Some(old);
        }
        let i = self.slab.alloc(key, 0, 0);
        self.slab.push_front(&mut self.queue, i);
        self.map.insert(key, i);
        Access::miss(key, evicted, Note::Sieve { spared })
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
        let nodes: Vec<u32> = self.slab.iter(&self.queue).collect();
        vec![Segment {
            name: "queue",
            keys: nodes.iter().map(|&i| self.slab.node(i).key).collect(),
            marks: nodes.iter().map(|&i| self.slab.node(i).mark).collect(),
            ghost: false,
            hand: nodes.iter().position(|&i| i == self.hand),
        }]
    }
}

impl_policy!(Sieve, PolicyKind::Sieve);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::cache::Policy;

    #[test]
    fn clock_gives_a_used_key_a_second_chance() {
        let mut c = Clock::new(3);
        assert_eq!(
            c.access_explained(1).to_string(),
            "miss: 1 takes the next free slot, its bit clear (the cache had room)"
        );
        for k in [2, 3, 1] {
            c.access(k);
        }
        assert_eq!(c.segments()[0].marks, [1, 0, 0]);
        let a = c.access_explained(4);
        assert_eq!((a.evicted, a.note), (Some(2), Note::Clock { spared: 1 }));
        assert_eq!(
            c.segments()[0],
            Segment { name: "clock", keys: vec![1, 4, 3], marks: vec![0, 0, 0], ghost: false, hand: Some(2) }
        );
        assert_eq!(
            a.to_string(),
            "miss: 4 takes the victim's slot, its bit clear, evicted 2 (the hand gave 1 key a second chance, then \
             found its bit clear)"
        );
    }

    #[test]
    fn sieve_keeps_visited_keys_in_place_and_the_hand_where_it_stopped() {
        // The hand passes a visited key, clears its bit, and evicts the next unvisited one.
        let mut s = Sieve::new(3);
        for k in [1, 2, 3, 1] {
            s.access(k);
        }
        let a = s.access_explained(4);
        assert_eq!((a.evicted, a.note), (Some(2), Note::Sieve { spared: 1 }));
        let seg = &s.segments()[0];
        assert_eq!((seg.keys.clone(), seg.marks.clone(), seg.hand), (vec![4, 3, 1], vec![0, 0, 0], Some(1)));
        // The hand resumes at 3, which is unvisited.
        assert_eq!(
            s.access_explained(5).to_string(),
            "miss: 5 inserted at the head, unvisited, evicted 3 (the hand found it unvisited)"
        );
        // And stays just ahead of it, towards the head: at 4, in the middle of [5, 4, 1].
        assert_eq!((s.contents(), s.segments()[0].hand), (vec![5, 4, 1], Some(1)));
    }
}
