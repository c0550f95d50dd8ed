//! S3-FIFO: most keys are requested once and never again, so a new key first waits in a small queue and
//! leaves quickly unless it is requested again; keys that prove themselves go to the main queue, and a
//! ghost queue remembers the recently turned away so a second chance does not wait in small again.

use super::keymap::{KeyMap, key_map};
use super::policy::{Access, Note, PolicyKind, S3Queue, Segment, impl_policy, prealloc};
use super::slab::{List, Slab};

const SMALL: u8 = 0;
const MAIN: u8 = 1;
const GHOST: u8 = 2;

/// Highest frequency a key's two bits count to.
const FREQ_MAX: u32 = 3;
/// A key leaves small for main when its frequency reached this (the paper's `t.freq > 1`).
const MOVE_TO_MAIN: u32 = 2;

/// S3-FIFO (Yang et al., "FIFO queues are all you need for cache eviction", SOSP'23): three FIFO queues,
/// small S (10% of c), main M (the other 90%) and a ghost G of keys only, remembering as many as M holds;
/// a 2-bit frequency per cached key, capped at 3.
///
/// - A hit adds one to the key's frequency (at most 3); nothing moves.
/// - A miss: if the key is in G it leaves G and, once there is room, enters M's head; otherwise S's
///   head. Either way with frequency 0.
/// - Room is made one eviction at a time: from M if M is over its size or S is empty, else from S.
/// - Evicting from S looks at S's tail: a key with frequency ≥ 2 (the paper's algorithm 1, `t.freq > 1`)
///   moves to M's head with its frequency cleared and the search goes on; otherwise it is evicted and
///   remembered at G's head (G dropping its oldest when full).
/// - Evicting from M looks at M's tail: a key with frequency > 0 goes back to M's head with one less;
///   a key with 0 is evicted.
///
/// Algorithm 1 also evicts from M when a promotion fills it, which can drop two keys for one miss; the
/// authors' code (libCacheSim's `S3FIFOv0`, "the original S3FIFO implementation used in the paper")
/// lets M run over instead and evicts from it at the next eviction, so each miss evicts one key. This
/// follows the code. Sizes as libCacheSim's: S holds ⌊c/10⌋ and M the rest, G as many keys as M; below
/// ten keys (which libCacheSim refuses) S still holds one key and G at least one, so a key turned away is
/// always remembered. Amortised O(1) per access: every promotion and
/// reinsertion spends a frequency some hit added.
///
/// Segments: `"small"`, `"main"`, then the ghost `"ghost"`, each newest first (the tail, last, is
/// examined first); marks are frequencies.
#[derive(Clone, Debug)]
pub struct S3Fifo {
    capacity: usize,
    main_size: usize,
    ghost_size: usize,
    map: KeyMap<u32>,
    slab: Slab,
    small: List,
    main: List,
    ghost: List,
}

impl S3Fifo {
    /// An empty cache of `capacity` keys.
    pub fn new(capacity: usize) -> Self {
        let small_size = if capacity == 0 { 0 } else { (capacity / 10).max(1) };
        let main_size = capacity - small_size;
        let room = prealloc(capacity) + prealloc(main_size);
        S3Fifo {
            capacity,
            main_size,
            ghost_size: main_size.max(usize::from(capacity > 0)),
            map: key_map(room),
            slab: Slab::with_capacity(room),
            small: List::new(),
            main: List::new(),
            ghost: List::new(),
        }
    }

    /// Evicts S's tail to G, promoting the used keys it passes; returns the evicted key, if it got to one.
    fn evict_small(&mut self, promoted: &mut u32) -> Option<u64> {
        while let Some(t) = self.small.tail() {
            self.slab.unlink(&mut self.small, t);
            if self.slab.node(t).mark >= MOVE_TO_MAIN {
                let n = self.slab.node_mut(t);
                (n.mark, n.list) = (0, MAIN);
                self.slab.push_front(&mut self.main, t);
                *promoted += 1;
                continue;
            }
            let key = self.slab.node(t).key;
            if self.ghost.len() == self.ghost_size {
                let g = self.slab.pop_back(&mut self.ghost).expect("a full ghost queue has a tail");
                self.map.remove(&self.slab.node(g).key);
                self.slab.release(g);
            }
            let n = self.slab.node_mut(t);
            (n.mark, n.list) = (0, GHOST);
            self.slab.push_front(&mut self.ghost, t);
            return Some(key);
        }
        None
    }

    /// Evicts from M, reinserting the used keys it passes with one less.
    fn evict_main(&mut self, reinserted: &mut u32) -> Option<u64> {
        while let Some(t) = self.main.tail() {
            let freq = self.slab.node(t).mark;
            if freq > 0 {
                self.slab.node_mut(t).mark = freq - 1;
                self.slab.move_to_front(&mut self.main, t);
                *reinserted += 1;
                continue;
            }
            self.slab.unlink(&mut self.main, t);
            let key = self.slab.node(t).key;
            self.map.remove(&key);
            self.slab.release(t);
            return Some(key);
        }
        None
    }

    #[inline]
    fn step(&mut self, key: u64) -> Access {
        let found = self.map.get(&key).copied();
        if let Some(i) = found {
            let n = self.slab.node_mut(i);
            if n.list != GHOST {
                n.mark = (n.mark + 1).min(FREQ_MAX);
                let note = Note::S3Fifo {
                    freq: n.mark as u8,
                    ghost_hit: false,
                    promoted: 0,
                    reinserted: 0,
                    victim_from: None,
                };
                return Access::hit(key, note);
            }
        }
        if self.capacity == 0 {
            return Access::miss(key, None, Note::NoRoom);
        }
        let ghost_hit = found.is_some();
        if let Some(g) = found {
            self.slab.unlink(&mut self.ghost, g);
            self.map.remove(&key);
            self.slab.release(g);
        }
        let (mut promoted, mut reinserted, mut evicted, mut victim_from) = (0, 0, None, None);
        while self.small.len() + self.main.len() >= self.capacity {
            if self.main.len() > self.main_size || self.small.is_empty() {
                if let Some(k) = self.evict_main(&mut reinserted) {
                    (evicted, victim_from) = (Some(k), Some(S3Queue::Main));
                }
            } else if let Some(k) = self.evict_small(&mut promoted) {
                (evicted, victim_from) = (Some(k), Some(S3Queue::Small));
            }
        }
        let (list, tag) = if ghost_hit { (&mut self.main, MAIN) } else { (&mut self.small, SMALL) };
        let i = self.slab.alloc(key, tag, 0);
        self.slab.push_front(list, i);
        self.map.insert(key, i);
        Access::miss(key, evicted, Note::S3Fifo { freq: 0, ghost_hit, promoted, reinserted, victim_from })
    }

    fn len(&self) -> usize {
        self.small.len() + self.main.len()
    }

    fn capacity(&self) -> usize {
        self.capacity
    }

    fn contains(&self, key: u64) -> bool {
        self.map.get(&key).is_some_and(|&i| self.slab.node(i).list != GHOST)
    }

    fn segments(&self) -> Vec<Segment> {
        let seg = |name, l: &List, ghost| Segment {
            name,
            keys: self.slab.keys(l),
            marks: if ghost { Vec::new() } else { self.slab.marks(l) },
            ghost,
            hand: None,
        };
        vec![seg("small", &self.small, false), seg("main", &self.main, false), seg("ghost", &self.ghost, true)]
    }
}

impl_policy!(S3Fifo, PolicyKind::S3Fifo);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::cache::Policy;

    #[test]
    fn one_off_keys_leave_through_small_and_return_through_the_ghost() {
        let mut s = S3Fifo::new(10); // small 1, main 9, ghost 9
        for k in 1..=10 {
            s.access(k);
        }
        s.access(1);
        s.access(1);
        // Full: 11 evicts from small (M = 0 is not over 9): S's tail is 1, used twice more, so it moves
        // to main; then 2, never used again, goes to the ghost.
        let a = s.access_explained(11);
        assert_eq!(a.evicted, Some(2));
        assert_eq!(
            a.to_string(),
            "miss: 11 enters the small queue; 1 key requested twice or more since arriving moved from small to \
             main, evicted 2 (small's oldest, requested less than twice since arriving: the ghost queue remembers it)"
        );
        let seg = s.segments();
        assert_eq!((seg[1].keys.clone(), seg[2].keys.clone()), (vec![1], vec![2]));
        // 2 comes back: remembered, so it goes straight to main (3, small's oldest, making room).
        let a = s.access_explained(2);
        assert!(!a.hit && matches!(a.note, Note::S3Fifo { ghost_hit: true, .. }), "{a:?}");
        assert_eq!(a.evicted, Some(3));
        let seg = s.segments();
        assert_eq!((seg[1].keys.clone(), seg[2].keys.clone()), (vec![2, 1], vec![3]));
        assert!(s.contains(2) && !s.contains(3) && s.len() == 10);
    }
}
