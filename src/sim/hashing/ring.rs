//! A consistent-hashing ring of capacity M: points at positions in `0..M`, each owned by a server slot.
//! A key at position h belongs to the first point clockwise whose position is >= h, wrapping past M-1.

use super::algos::PrefixIndex;

/// Sorted ring points; `owners[i]` is the server slot (index in the membership) of `positions[i]`,
/// with a prefix index so a lookup on a million points touches a few of them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Ring {
    positions: Vec<u64>,
    owners: Vec<u32>,
    index: PrefixIndex,
}

impl Ring {
    /// Builds a ring from `(position, slot)` points. Points sharing a position are ordered by slot, and
    /// the first one wins the keys there, so ties are decided the same way on every machine.
    pub fn build(points: impl IntoIterator<Item = (u64, u32)>) -> Self {
        let mut points: Vec<(u64, u32)> = points.into_iter().collect();
        points.sort_unstable();
        let (positions, owners): (Vec<u64>, Vec<u32>) = points.into_iter().unzip();
        Self::from_sorted(positions, owners)
    }

    /// The ring of two lists of points each sorted by (position, slot): [`Ring::build`]'s result on
    /// their union, in one linear pass.
    pub fn merge_sorted(a: impl IntoIterator<Item = (u64, u32)>, b: Vec<(u64, u32)>) -> Self {
        let mut a = a.into_iter().peekable();
        let mut b = b.into_iter().peekable();
        let (mut positions, mut owners) = (Vec::new(), Vec::new());
        loop {
            let next = match (a.peek(), b.peek()) {
                (Some(x), Some(y)) if x <= y => a.next(),
                (Some(_), Some(_)) | (None, Some(_)) => b.next(),
                (Some(_), None) => a.next(),
                (None, None) => break,
            };
            let (p, o) = next.expect("peeked");
            positions.push(p);
            owners.push(o);
        }
        Self::from_sorted(positions, owners)
    }

    fn from_sorted(positions: Vec<u64>, owners: Vec<u32>) -> Self {
        // Positions are below the ring's size, so the index covers the bits of the largest one.
        let space = positions.last().map_or(0, |&p: &u64| u64::BITS - p.leading_zeros());
        let index = PrefixIndex::new(&positions, space);
        Self { positions, owners, index }
    }

    /// Number of points on the ring.
    pub fn len(&self) -> usize {
        self.positions.len()
    }

    /// True when the ring has no points (no server: no key has an owner).
    pub fn is_empty(&self) -> bool {
        self.positions.is_empty()
    }

    /// The point positions in clockwise order.
    pub fn positions(&self) -> &[u64] {
        &self.positions
    }

    /// The server slot of each point, in the order of `positions`.
    pub fn owners(&self) -> &[u32] {
        &self.owners
    }

    /// The points in clockwise order.
    pub fn points(&self) -> impl Iterator<Item = (u64, u32)> + '_ {
        self.positions.iter().copied().zip(self.owners.iter().copied())
    }

    /// Index of the point owning position `h`: the first point with position >= h, wrapping to 0.
    pub fn point_of(&self, h: u64) -> Option<usize> {
        if self.positions.is_empty() {
            return None;
        }
        let i = self.index.first_at_or_after(&self.positions, h);
        Some(if i == self.positions.len() { 0 } else { i })
    }

    /// The server slot owning position `h`.
    pub fn lookup(&self, h: u64) -> Option<u32> {
        self.point_of(h).map(|i| self.owners[i])
    }

    /// Exact number of positions in `0..ring_size` owned by each of `slots` server slots.
    pub fn space_owned(&self, ring_size: u64, slots: usize) -> Vec<u64> {
        let mut owned = vec![0u64; slots];
        let n = self.positions.len();
        for i in 0..n {
            let p = self.positions[i];
            let arc = if i == 0 {
                // (last, M) wrapping to [0, first]
                ring_size - self.positions[n - 1] + p
            } else {
                p - self.positions[i - 1]
            };
            owned[self.owners[i] as usize] += arc;
        }
        owned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notes_ring() -> Ring {
        Ring::build([(20, 0), (80, 1), (200, 2)])
    }

    #[test]
    fn clockwise_first_position_at_or_after_key() {
        let r = notes_ring();
        assert_eq!(r.lookup(21), Some(1));
        assert_eq!(r.lookup(80), Some(1));
        assert_eq!(r.lookup(81), Some(2));
        assert_eq!(r.lookup(200), Some(2));
        assert_eq!(r.lookup(201), Some(0));
        assert_eq!(r.lookup(0), Some(0));
        assert_eq!(r.lookup(20), Some(0));
    }

    #[test]
    fn key_equal_to_server_position_goes_to_that_server() {
        // The notes: S1:30, S2:40 and a request hashing to 30 goes to S1.
        let r = Ring::build([(30, 0), (40, 1)]);
        assert_eq!(r.lookup(30), Some(0));
    }

    #[test]
    fn space_owned_sums_to_ring_size() {
        let r = notes_ring();
        assert_eq!(r.space_owned(256, 3), vec![76, 60, 120]);
    }

    #[test]
    fn ties_go_to_the_lowest_slot_and_the_other_owns_nothing() {
        let r = Ring::build([(50, 1), (50, 0)]);
        assert_eq!(r.lookup(10), Some(0));
        assert_eq!(r.space_owned(100, 2), vec![100, 0]);
    }

    #[test]
    fn indexed_lookup_agrees_with_a_plain_scan_on_every_ring_size() {
        let mut x = 11u64;
        let mut next = || {
            x = crate::sim::hash::splitmix64(x);
            x
        };
        for m in [1u64, 2, 7, 256, 1 << 32, u64::MAX] {
            for n in [1usize, 2, 5, 40, 3000] {
                let points: Vec<(u64, u32)> = (0..n).map(|i| (next() % m, (i % 7) as u32)).collect();
                let ring = Ring::build(points.clone());
                let mut sorted = points.clone();
                sorted.sort_unstable();
                let plain = |h: u64| sorted.iter().find(|&&(p, _)| p >= h).unwrap_or(&sorted[0]).1;
                let edges = points.iter().flat_map(|&(p, _)| [p, p.saturating_sub(1), p.saturating_add(1)]);
                for h in edges.chain([0, m - 1]).chain((0..300).map(|_| next() % m)) {
                    assert_eq!(ring.lookup(h), Some(plain(h)), "m={m} n={n} h={h}");
                }
            }
        }
    }

    #[test]
    fn empty_ring_owns_nothing() {
        let r = Ring::build([]);
        assert_eq!(r.lookup(5), None);
        assert_eq!(r.space_owned(10, 0), Vec::<u64>::new());
    }
}
