//! LFU: evict the key used least often. It keeps what is popular over the long run, and pays for it
//! when popularity shifts: a key used many times long ago stays until enough newer keys outnumber it.

use super::keymap::{KeyMap, key_map};
use super::policy::{Access, Note, PolicyKind, Segment, impl_policy, prealloc};
use super::slab::{List, NIL, Slab};

/// One frequency: the keys used exactly `freq` times, most recently used first.
#[derive(Clone, Debug)]
struct Bucket {
    freq: u32,
    keys: List,
    /// The bucket of the next lower / higher frequency present, or [`NIL`].
    lower: u32,
    higher: u32,
}

/// Least frequently used, O(1) per access (Shah, Mitra & Matani, "An O(1) algorithm for implementing the
/// LFU cache eviction scheme", 2010): the frequencies present form a list of buckets in increasing order,
/// each bucket a list of its keys. A hit moves the key to the next bucket up (created if its frequency is
/// absent, dropped when emptied); the victim is the back key of the lowest bucket.
///
/// Ties: among the keys with the lowest count, the least recently used goes. A key enters a bucket at
/// its front when it is used, so each bucket runs from the most to the least recently used.
///
/// Counts are kept only while a key is cached (an evicted key that returns starts again at 1), so a
/// new key is always the first candidate to go: the classic LFU, without aging.
///
/// Segments: `"by frequency"`, the highest count first and, within a count, the most recently used
/// first (the last key is the next victim); marks are the counts.
#[derive(Clone, Debug)]
pub struct Lfu {
    capacity: usize,
    len: usize,
    map: KeyMap<u32>,
    /// Key nodes; a node's mark is its bucket.
    slab: Slab,
    buckets: Vec<Bucket>,
    free_buckets: Vec<u32>,
    /// The lowest-frequency bucket, or [`NIL`].
    lowest: u32,
}

impl Lfu {
    /// An empty cache of `capacity` keys.
    pub fn new(capacity: usize) -> Self {
        let room = prealloc(capacity);
        Lfu {
            capacity,
            len: 0,
            map: key_map(room),
            slab: Slab::with_capacity(room),
            buckets: Vec::with_capacity(room.min(1024)),
            free_buckets: Vec::new(),
            lowest: NIL,
        }
    }

    /// A new bucket of frequency `freq` between `lower` and `higher` (either may be [`NIL`]).
    fn insert_bucket(&mut self, freq: u32, lower: u32, higher: u32) -> u32 {
        let b = Bucket { freq, keys: List::new(), lower, higher };
        let i = match self.free_buckets.pop() {
            Some(i) => {
                self.buckets[i as usize] = b;
                i
            }
            None => {
                self.buckets.push(b);
                (self.buckets.len() - 1) as u32
            }
        };
        if lower == NIL {
            self.lowest = i;
        } else {
            self.buckets[lower as usize].higher = i;
        }
        if higher != NIL {
            self.buckets[higher as usize].lower = i;
        }
        i
    }

    fn drop_bucket_if_empty(&mut self, b: u32) {
        let Bucket { keys, lower, higher, .. } = self.buckets[b as usize];
        if !keys.is_empty() {
            return;
        }
        if lower == NIL {
            self.lowest = higher;
        } else {
            self.buckets[lower as usize].higher = higher;
        }
        if higher != NIL {
            self.buckets[higher as usize].lower = lower;
        }
        self.free_buckets.push(b);
    }

    #[inline]
    fn step(&mut self, key: u64) -> Access {
        if let Some(&i) = self.map.get(&key) {
            let b = self.slab.node(i).mark;
            let Bucket { freq, higher, .. } = self.buckets[b as usize];
            if freq == u32::MAX {
                // The count saturates: the key just becomes the most recent at the top.
                self.slab.move_to_front(&mut self.buckets[b as usize].keys, i);
                return Access::hit(key, Note::Lfu { freq, victim_freq: None });
            }
            let up = if higher != NIL && self.buckets[higher as usize].freq == freq + 1 {
                higher
            } else {
                self.insert_bucket(freq + 1, b, higher)
            };
            self.slab.unlink(&mut self.buckets[b as usize].keys, i);
            self.slab.push_front(&mut self.buckets[up as usize].keys, i);
            self.slab.node_mut(i).mark = up;
            self.drop_bucket_if_empty(b);
            return Access::hit(key, Note::Lfu { freq: freq + 1, victim_freq: None });
        }
        if self.capacity == 0 {
            return Access::miss(key, None, Note::NoRoom);
        }
        let mut victim = None;
        let i = if self.len == self.capacity {
            let b = self.lowest;
            let i = self.slab.pop_back(&mut self.buckets[b as usize].keys).expect("the lowest bucket has keys");
            let old = std::mem::replace(&mut self.slab.node_mut(i).key, key);
            self.map.remove(&old);
            victim = Some((old, self.buckets[b as usize].freq));
            self.drop_bucket_if_empty(b);
            self.len -= 1;
            i
        } else {
            self.slab.alloc(key, 0, 0)
        };
        let one = if self.lowest != NIL && self.buckets[self.lowest as usize].freq == 1 {
            self.lowest
        } else {
            self.insert_bucket(1, NIL, self.lowest)
        };
        self.slab.push_front(&mut self.buckets[one as usize].keys, i);
        self.slab.node_mut(i).mark = one;
        self.map.insert(key, i);
        self.len += 1;
        Access::miss(key, victim.map(|v| v.0), Note::Lfu { freq: 1, victim_freq: victim.map(|v| v.1) })
    }

    fn len(&self) -> usize {
        self.len
    }

    fn capacity(&self) -> usize {
        self.capacity
    }

    fn contains(&self, key: u64) -> bool {
        self.map.contains_key(&key)
    }

    fn segments(&self) -> Vec<Segment> {
        let mut order = Vec::new();
        let mut b = self.lowest;
        while b != NIL {
            order.push(b);
            b = self.buckets[b as usize].higher;
        }
        let (mut keys, mut marks) = (Vec::with_capacity(self.len), Vec::with_capacity(self.len));
        for &b in order.iter().rev() {
            let bucket = &self.buckets[b as usize];
            for k in self.slab.keys(&bucket.keys) {
                keys.push(k);
                marks.push(bucket.freq);
            }
        }
        vec![Segment { name: "by frequency", keys, marks, ghost: false, hand: None }]
    }
}

impl_policy!(Lfu, PolicyKind::Lfu);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::cache::Policy;

    #[test]
    fn evicts_the_least_frequent_and_the_least_recent_among_equals() {
        let mut lfu = Lfu::new(3);
        for k in [1, 1, 1, 2, 2, 3] {
            lfu.access(k);
        }
        assert_eq!(lfu.segments()[0].marks, [3, 2, 1]);
        assert_eq!(lfu.contents(), [1, 2, 3]);
        let a = lfu.access_explained(4);
        assert_eq!((a.evicted, a.note), (Some(3), Note::Lfu { freq: 1, victim_freq: Some(1) }));
        lfu.access(4);
        // 2 and 4 have two uses each, the fewest: 5 evicts 2, used less recently.
        assert_eq!(lfu.access_explained(5).evicted, Some(2));
        assert_eq!(lfu.contents(), [1, 4, 5]);
        assert_eq!(
            lfu.access_explained(6).to_string(),
            "miss: 6 inserted, used once, evicted 5 (the least frequently used, once, and the least recently \
             used of those)"
        );
    }
}
