//! Doubly linked lists threaded through one vector of nodes by index: the structure under every
//! list-based policy. A node is a key, the indices of its neighbours, which of the policy's lists it is on
//! and a mark (a reference bit, a frequency); freed nodes are kept for the next insertion, so a cache that
//! has filled up allocates nothing more, and an index is four bytes where a pointer would be eight.

/// No node: the end of a list.
pub(crate) const NIL: u32 = u32::MAX;

/// One entry of a list.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Node {
    pub key: u64,
    /// The neighbour towards the front (the head), or [`NIL`].
    prev: u32,
    /// The neighbour towards the back (the tail), or [`NIL`].
    next: u32,
    /// Which of the policy's lists holds the node (the policy's own numbering).
    pub list: u8,
    /// The policy's per-key state.
    pub mark: u32,
}

/// One list: its two ends and its length. The nodes live in a [`Slab`], which several lists share.
#[derive(Clone, Copy, Debug)]
pub(crate) struct List {
    head: u32,
    tail: u32,
    len: usize,
}

impl List {
    pub const fn new() -> Self {
        Self { head: NIL, tail: NIL, len: 0 }
    }

    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The back node (the oldest, or the least recently used).
    #[inline]
    pub fn tail(&self) -> Option<u32> {
        (self.tail != NIL).then_some(self.tail)
    }
}

/// The nodes of one policy's lists.
#[derive(Clone, Debug, Default)]
pub(crate) struct Slab {
    nodes: Vec<Node>,
    free: Vec<u32>,
}

impl Slab {
    /// Room for `n` nodes before any reallocation.
    pub fn with_capacity(n: usize) -> Self {
        Self { nodes: Vec::with_capacity(n), free: Vec::with_capacity(n) }
    }

    /// A node for `key`, on no list yet.
    #[inline]
    pub fn alloc(&mut self, key: u64, list: u8, mark: u32) -> u32 {
        let node = Node { key, prev: NIL, next: NIL, list, mark };
        match self.free.pop() {
            Some(i) => {
                self.nodes[i as usize] = node;
                i
            }
            None => {
                let i = u32::try_from(self.nodes.len()).expect("fewer than 2^32 - 1 nodes");
                assert_ne!(i, NIL, "fewer than 2^32 - 1 nodes");
                self.nodes.push(node);
                i
            }
        }
    }

    /// Returns an unlinked node for reuse.
    #[inline]
    pub fn release(&mut self, i: u32) {
        self.free.push(i);
    }

    #[inline]
    pub fn node(&self, i: u32) -> &Node {
        &self.nodes[i as usize]
    }

    #[inline]
    pub fn node_mut(&mut self, i: u32) -> &mut Node {
        &mut self.nodes[i as usize]
    }

    /// The neighbour of `i` towards the front.
    #[inline]
    pub fn prev(&self, i: u32) -> Option<u32> {
        let p = self.nodes[i as usize].prev;
        (p != NIL).then_some(p)
    }

    /// Puts the unlinked node `i` at the front of `l`.
    #[inline]
    pub fn push_front(&mut self, l: &mut List, i: u32) {
        let old = l.head;
        {
            let n = &mut self.nodes[i as usize];
            n.prev = NIL;
            n.next = old;
        }
        if old == NIL {
            l.tail = i;
        } else {
            self.nodes[old as usize].prev = i;
        }
        l.head = i;
        l.len += 1;
    }

    /// Takes node `i` off `l` (it must be on it).
    #[inline]
    pub fn unlink(&mut self, l: &mut List, i: u32) {
        let Node { prev, next, .. } = self.nodes[i as usize];
        if prev == NIL {
            l.head = next;
        } else {
            self.nodes[prev as usize].next = next;
        }
        if next == NIL {
            l.tail = prev;
        } else {
            self.nodes[next as usize].prev = prev;
        }
        l.len -= 1;
    }

    /// Moves node `i` of `l` to its front.
    #[inline]
    pub fn move_to_front(&mut self, l: &mut List, i: u32) {
        if l.head != i {
            self.unlink(l, i);
            self.push_front(l, i);
        }
    }

    /// Takes the back node off `l`.
    #[inline]
    pub fn pop_back(&mut self, l: &mut List) -> Option<u32> {
        let i = l.tail()?;
        self.unlink(l, i);
        Some(i)
    }

    /// The nodes of `l` from front to back.
    pub fn iter<'a>(&'a self, l: &List) -> impl Iterator<Item = u32> + 'a {
        let mut at = l.head;
        std::iter::from_fn(move || {
            (at != NIL).then(|| {
                let i = at;
                at = self.nodes[i as usize].next;
                i
            })
        })
    }

    /// The keys of `l` from front to back.
    pub fn keys(&self, l: &List) -> Vec<u64> {
        self.iter(l).map(|i| self.node(i).key).collect()
    }

    /// The marks of `l` from front to back.
    pub fn marks(&self, l: &List) -> Vec<u32> {
        self.iter(l).map(|i| self.node(i).mark).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_share_one_slab_and_reuse_freed_nodes() {
        let mut slab = Slab::with_capacity(4);
        let (mut a, mut b) = (List::new(), List::new());
        let n: Vec<u32> = (1..=3).map(|k| slab.alloc(k, 0, 0)).collect();
        for &i in &n {
            slab.push_front(&mut a, i);
        }
        assert_eq!(slab.keys(&a), [3, 2, 1]);
        slab.move_to_front(&mut a, n[0]);
        assert_eq!(slab.keys(&a), [1, 3, 2]);
        slab.unlink(&mut a, n[2]);
        slab.push_front(&mut b, n[2]);
        assert_eq!((slab.keys(&a), slab.keys(&b)), (vec![1, 2], vec![3]));
        assert_eq!(slab.pop_back(&mut a), Some(n[1]));
        assert_eq!(slab.prev(n[0]), None);
        slab.release(n[1]);
        assert_eq!(slab.alloc(9, 1, 7), n[1], "a freed node is reused");
        assert_eq!((slab.node(n[1]).key, slab.node(n[1]).list, slab.node(n[1]).mark), (9, 1, 7));
        assert_eq!((a.len(), a.tail(), slab.keys(&a)), (1, Some(n[0]), vec![1]));
        assert_eq!(slab.pop_back(&mut a), Some(n[0]));
        assert!(a.is_empty() && a.tail().is_none() && slab.keys(&a).is_empty());
        assert_eq!(slab.pop_back(&mut a), None);
    }
}
