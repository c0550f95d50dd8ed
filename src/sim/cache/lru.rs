//! LRU: evict the key used least recently. The workhorse every other policy is measured against, and
//! the one whose weakness the notes show: a loop one key longer than the cache never hits.

use super::keymap::{KeyMap, key_map};
use super::policy::{Access, Note, PolicyKind, Segment, impl_policy, prealloc};
use super::slab::{List, Slab};

/// Least recently used, O(1) per access: a hash map from key to node, and one doubly linked list of the
/// nodes from the most recently used (front) to the least (back). A hit moves its node to the front; a
/// miss on a full cache reuses the back node for the new key, so a full cache allocates nothing.
///
/// Segments: `"cache"`, most recently used first (the last key is the next victim).
#[derive(Clone, Debug)]
pub struct Lru {
    capacity: usize,
    map: KeyMap<u32>,
    slab: Slab,
    list: List,
}

impl Lru {
    /// An empty cache of `capacity` keys.
    pub fn new(capacity: usize) -> Self {
        let room = prealloc(capacity);
        Lru { capacity, map: key_map(room), slab: Slab::with_capacity(room), list: List::new() }
    }

    #[inline]
    fn step(&mut self, key: u64) -> Access {
        if let Some(&i) = self.map.get(&key) {
            self.slab.move_to_front(&mut self.list, i);
            return Access::hit(key, Note::Lru);
        }
        if self.capacity == 0 {
            return Access::miss(key, None, Note::NoRoom);
        }
        let (i, evicted) = if self.list.len() == self.capacity {
            let i = self.slab.pop_back(&mut self.list).expect("a full cache has a back");
            let node = self.slab.node_mut(i);
            let old = std::mem::replace(&mut node.key, key);
            self.map.remove(&old);
            (i, Some(old))
        } else {
            (self.slab.alloc(key, 0, 0), None)
        };
        self.slab.push_front(&mut self.list, i);
        self.map.insert(key, i);
        Access::miss(key, evicted, Note::Lru)
    }

    fn len(&self) -> usize {
        self.list.len()
    }

    fn capacity(&self) -> usize {
        self.capacity
    }

    fn contains(&self, key: u64) -> bool {
        self.map.contains_key(&key)
    }

    fn segments(&self) -> Vec<Segment> {
        vec![Segment::plain("cache", self.slab.keys(&self.list))]
    }
}

impl_policy!(Lru, PolicyKind::Lru);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::cache::Policy;

    #[test]
    fn the_notes_example_explained() {
        // The notes: LRU with room for 3, requests 1, 2, 3, 4, 1, 2: 1, 2, 3 are added, 4 evicts 1, and
        // then 1 is not there.
        let mut lru = Lru::new(3);
        let said: Vec<String> = [1, 2, 3, 4, 1, 2].iter().map(|&k| lru.access_explained(k).to_string()).collect();
        assert_eq!(
            said,
            [
                "miss: 1 inserted at the front (the cache had room)",
                "miss: 2 inserted at the front (the cache had room)",
                "miss: 3 inserted at the front (the cache had room)",
                "miss: 4 inserted at the front, evicted 1 (the least recently used)",
                "miss: 1 inserted at the front, evicted 2 (the least recently used)",
                "miss: 2 inserted at the front, evicted 3 (the least recently used)",
            ]
        );
        assert_eq!(lru.contents(), [2, 1, 4]);
        assert_eq!(lru.access_explained(4).to_string(), "hit: 4 moves to the front, the most recently used");
        assert_eq!(lru.contents(), [4, 2, 1]);
    }
}
