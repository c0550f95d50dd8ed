//! A consistent-hashing ring of capacity M: points at positions in `0..M`, each owned by a server slot.
//! A key at position h belongs to the first point clockwise whose position is >= h, wrapping past M-1.

/// Sorted ring points; `owners[i]` is the server slot (index in the membership) of `positions[i]`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Ring {
    positions: Vec<u64>,
    owners: Vec<u32>,
}

impl Ring {
    /// Builds a ring from `(position, slot)` points. Points sharing a position are ordered by slot, and
    /// the first one wins the keys there, so ties are decided the same way on every machine.
    pub fn build(points: impl IntoIterator<Item = (u64, u32)>) -> Self {
        let mut points: Vec<(u64, u32)> = points.into_iter().collect();
        points.sort_unstable();
        let (positions, owners) = points.into_iter().unzip();
        Self { positions, owners }
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
        let i = self.positions.partition_point(|&p| p < h);
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
    fn empty_ring_owns_nothing() {
        let r = Ring::build([]);
        assert_eq!(r.lookup(5), None);
        assert_eq!(r.space_owned(10, 0), Vec::<u64>::new());
    }
}
