//! ARC: LRU that learns how much of the cache to give to keys seen once (recency) and keys seen twice
//! or more (frequency), from the keys it evicted too soon. A scan fills the recency side without
//! flushing the frequency side, and the split moves with the workload, with no parameter to tune.

use super::keymap::{KeyMap, key_map};
use super::policy::{Access, ArcCase, ArcVictim, Note, PolicyKind, Segment, impl_policy, prealloc};
use super::slab::{List, Slab};

const T1: u8 = 0;
const T2: u8 = 1;
const B1: u8 = 2;
const B2: u8 = 3;

/// Adaptive Replacement Cache (Megiddo & Modha, "ARC: A Self-Tuning, Low Overhead Replacement Cache",
/// FAST'03), following the paper's figure 4 exactly. Four LRU lists: T1 (cached keys seen once recently)
/// and T2 (seen at least twice) hold the cache, |T1| + |T2| ≤ c; the ghosts B1 and B2 remember keys
/// evicted from T1 and T2 (keys only), |T1| + |B1| ≤ c and all four ≤ 2c. The target p for |T1|:
///
/// - Case I, a hit in T1 or T2: the key moves to T2's front.
/// - Case II, a ghost in B1: p = min(p + δ1, c), δ1 = 1 if |B1| ≥ |B2| else |B2| / |B1|; REPLACE; the
///   key moves to T2's front.
/// - Case III, a ghost in B2: p = max(p − δ2, 0), δ2 = 1 if |B2| ≥ |B1| else |B1| / |B2|; REPLACE; the
///   key moves to T2's front.
/// - Case IV, a new key: (A) if |T1| + |B1| = c: if |T1| < c, drop B1's LRU and REPLACE, else drop
///   T1's LRU (not remembered); (B) otherwise, if all four lists hold ≥ c keys: drop B2's LRU when they
///   hold 2c, then REPLACE. The key enters T1's front.
/// - REPLACE: if |T1| ≥ 1 and (|T1| > p, or the key is in B2 and |T1| = p), T1's LRU moves to B1's
///   front; otherwise T2's LRU moves to B2's front.
///
/// p is a real number as in the paper (δ is not rounded); `f64` arithmetic is exactly rounded, so every
/// machine computes the same p. O(1) per access.
///
/// Segments: `"T1"`, `"T2"`, then the ghosts `"B1"`, `"B2"`, each most recently used first.
#[derive(Clone, Debug)]
pub struct Arc {
    c: usize,
    p: f64,
    map: KeyMap<u32>,
    slab: Slab,
    t1: List,
    t2: List,
    b1: List,
    b2: List,
}

impl Arc {
    /// An empty cache of `capacity` keys (it remembers as many ghosts again).
    pub fn new(capacity: usize) -> Self {
        let room = prealloc(capacity).saturating_mul(2);
        Arc {
            c: capacity,
            p: 0.0,
            map: key_map(room),
            slab: Slab::with_capacity(room),
            t1: List::new(),
            t2: List::new(),
            b1: List::new(),
            b2: List::new(),
        }
    }

    /// The target size of T1 now.
    pub fn target(&self) -> f64 {
        self.p
    }

    fn list_mut(&mut self, tag: u8) -> &mut List {
        match tag {
            T1 => &mut self.t1,
            T2 => &mut self.t2,
            B1 => &mut self.b1,
            _ => &mut self.b2,
        }
    }

    /// Moves node `i` from its list to the front of `to`.
    fn move_to(&mut self, i: u32, to: u8) {
        let from = self.slab.node(i).list;
        let mut l = *self.list_mut(from);
        self.slab.unlink(&mut l, i);
        *self.list_mut(from) = l;
        let mut l = *self.list_mut(to);
        self.slab.push_front(&mut l, i);
        *self.list_mut(to) = l;
        self.slab.node_mut(i).list = to;
    }

    /// Forgets the LRU key of a ghost list entirely.
    fn drop_lru(&mut self, tag: u8) {
        let mut l = *self.list_mut(tag);
        let i = self.slab.pop_back(&mut l).expect("the list to drop from has keys");
        *self.list_mut(tag) = l;
        self.map.remove(&self.slab.node(i).key);
        self.slab.release(i);
    }

    /// The paper's REPLACE(x, p): evicts T1's or T2's LRU key into its ghost list.
    fn replace(&mut self, in_b2: bool) -> (u64, ArcVictim) {
        let t1 = self.t1.len() as f64;
        // T2 is never empty here while the paper's invariants hold (|T1| + |T2| = c whenever a ghost
        // exists); the guard only keeps a rounding of p from ever pointing at an empty list.
        let from_t1 = (!self.t1.is_empty() && ((in_b2 && t1 == self.p) || t1 > self.p)) || self.t2.is_empty();
        let (from, to, victim) =
            if from_t1 { (self.t1, B1, ArcVictim::T1ToB1) } else { (self.t2, B2, ArcVictim::T2ToB2) };
        let i = from.tail().expect("REPLACE runs on a full cache");
        self.move_to(i, to);
        (self.slab.node(i).key, victim)
    }

    #[inline]
    fn step(&mut self, key: u64) -> Access {
        let c = self.c;
        if c == 0 {
            return Access::miss(key, None, Note::NoRoom);
        }
        let found = self.map.get(&key).map(|&i| (i, self.slab.node(i).list));
        let note = |case, p, victim| Note::Arc { case, p, victim };
        match found {
            Some((i, list @ (T1 | T2))) => {
                if list == T2 {
                    self.slab.move_to_front(&mut self.t2, i);
                } else {
                    self.move_to(i, T2);
                }
                let case = if list == T1 { ArcCase::HitT1 } else { ArcCase::HitT2 };
                Access::hit(key, note(case, self.p, None))
            }
            Some((i, B1)) => {
                let (b1, b2) = (self.b1.len() as f64, self.b2.len() as f64);
                let delta = if b1 >= b2 { 1.0 } else { b2 / b1 };
                self.p = (self.p + delta).min(c as f64);
                let (v, why) = self.replace(false);
                self.move_to(i, T2);
                Access::miss(key, Some(v), note(ArcCase::GhostB1, self.p, Some(why)))
            }
            Some((i, _)) => {
                let (b1, b2) = (self.b1.len() as f64, self.b2.len() as f64);
                let delta = if b2 >= b1 { 1.0 } else { b1 / b2 };
                self.p = (self.p - delta).max(0.0);
                let (v, why) = self.replace(true);
                self.move_to(i, T2);
                Access::miss(key, Some(v), note(ArcCase::GhostB2, self.p, Some(why)))
            }
            None => {
                let mut victim = None;
                if self.t1.len() + self.b1.len() == c {
                    if self.t1.len() < c {
                        self.drop_lru(B1);
                        victim = Some(self.replace(false));
                    } else {
                        let i = self.slab.pop_back(&mut self.t1).expect("T1 holds the whole cache");
                        let old = self.slab.node(i).key;
                        self.map.remove(&old);
                        self.slab.release(i);
                        victim = Some((old, ArcVictim::T1Dropped));
                    }
                } else {
                    let total = self.t1.len() + self.t2.len() + self.b1.len() + self.b2.len();
                    if total >= c {
                        if total == 2 * c {
                            self.drop_lru(B2);
                        }
                        victim = Some(self.replace(false));
                    }
                }
                let i = self.slab.alloc(key, T1, 0);
                self.slab.push_front(&mut self.t1, i);
                self.map.insert(key, i);
                Access::miss(key, victim.map(|v| v.0), note(ArcCase::New, self.p, victim.map(|v| v.1)))
            }
        }
    }

    fn len(&self) -> usize {
        self.t1.len() + self.t2.len()
    }

    fn capacity(&self) -> usize {
        self.c
    }

    fn contains(&self, key: u64) -> bool {
        self.map.get(&key).is_some_and(|&i| matches!(self.slab.node(i).list, T1 | T2))
    }

    fn segments(&self) -> Vec<Segment> {
        let ghost = |name, l: &List| Segment { ghost: true, ..Segment::plain(name, self.slab.keys(l)) };
        vec![
            Segment::plain("T1", self.slab.keys(&self.t1)),
            Segment::plain("T2", self.slab.keys(&self.t2)),
            ghost("B1", &self.b1),
            ghost("B2", &self.b2),
        ]
    }
}

impl_policy!(Arc, PolicyKind::Arc);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::cache::Policy;

    #[test]
    fn a_ghost_hit_in_b1_grows_the_recency_target() {
        let mut arc = Arc::new(2);
        for k in [1, 2] {
            arc.access(k);
        }
        // Case IV(A): |T1| + |B1| = 2 = c and |T1| = c: T1's LRU, 1, is dropped without a ghost.
        let a = arc.access_explained(3);
        assert_eq!(
            (a.evicted, a.note),
            (Some(1), Note::Arc { case: ArcCase::New, p: 0.0, victim: Some(ArcVictim::T1Dropped) })
        );
        arc.access(3); // Case I: 3 moves to T2.
        // Case IV(B): |T1| + |B1| = 1 < 2 and all four hold 2 ≥ c: REPLACE takes T1's LRU, 2, to B1.
        assert_eq!(arc.access_explained(4).evicted, Some(2));
        assert_eq!(
            arc.segments().iter().map(|s| s.keys.clone()).collect::<Vec<_>>(),
            [vec![4], vec![3], vec![2], vec![]]
        );
        // Case II: 2 is a ghost in B1, so p grows by 1 (|B1| ≥ |B2|); REPLACE: |T1| = 1 is not above
        // p = 1, so T2's LRU, 3, goes to B2; 2 enters T2.
        let a = arc.access_explained(2);
        assert_eq!(
            (a.evicted, a.note),
            (Some(3), Note::Arc { case: ArcCase::GhostB1, p: 1.0, victim: Some(ArcVictim::T2ToB2) })
        );
        assert_eq!(arc.target(), 1.0);
        assert_eq!(arc.contents(), [4, 2]);
        // Case III: 3 is a ghost in B2; p shrinks to 0; |T1| = 1 > 0, so T1's LRU, 4, goes to B1.
        let a = arc.access_explained(3);
        assert_eq!(
            (a.evicted, a.note),
            (Some(4), Note::Arc { case: ArcCase::GhostB2, p: 0.0, victim: Some(ArcVictim::T1ToB1) })
        );
        assert_eq!(arc.contents(), [3, 2]);
        assert!(!arc.contains(4) && arc.len() == 2);
    }
}
