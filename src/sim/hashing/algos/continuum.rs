//! A sorted ring of points over the whole `u64` space with a fast clockwise lookup: a prefix index maps
//! the top bits of a key to the slice of points sharing them, so the binary search covers a few points.

/// Ring points sorted by (position, owner); `owners[i]` is the backend index of `positions[i]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Continuum {
    positions: Vec<u64>,
    owners: Vec<u32>,
    /// `index[t]` = first point whose top `bits` bits are >= t; `2^bits + 1` entries.
    index: Vec<u32>,
    shift: u32,
}

impl Continuum {
    /// Builds from `(position, owner)` points; equal positions are ordered by owner, lowest first, and
    /// the first one wins the keys there, so ties go the same way on every machine.
    pub fn new(mut points: Vec<(u64, u32)>) -> Self {
        assert!(!points.is_empty(), "a continuum needs a point");
        assert!(points.len() < u32::MAX as usize);
        points.sort_unstable();
        let (positions, owners): (Vec<u64>, Vec<u32>) = points.into_iter().unzip();
        // About one point per bucket, between 2^4 and 2^20 buckets (8 MB of index at most).
        let bits = (usize::BITS - positions.len().leading_zeros()).clamp(4, 20);
        let shift = 64 - bits;
        let mut index = Vec::with_capacity((1 << bits) + 1);
        let mut i = 0usize;
        for t in 0..=(1u64 << bits) {
            while i < positions.len() && (positions[i] >> shift) < t {
                i += 1;
            }
            index.push(i as u32);
        }
        Self { positions, owners, index, shift }
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.positions.len()
    }

    /// Always false: a continuum has at least one point.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Positions in clockwise order.
    pub fn positions(&self) -> &[u64] {
        &self.positions
    }

    /// Owner of each position.
    pub fn owners(&self) -> &[u32] {
        &self.owners
    }

    /// Index of the point owning `key`: the first with position >= key, wrapping to 0.
    #[inline]
    pub fn point_of(&self, key: u64) -> usize {
        let t = (key >> self.shift) as usize;
        let (lo, hi) = (self.index[t] as usize, self.index[t + 1] as usize);
        let i = lo + self.positions[lo..hi].partition_point(|&p| p < key);
        if i == self.positions.len() { 0 } else { i }
    }

    /// Backend index owning `key`.
    #[inline]
    pub fn owner_of(&self, key: u64) -> u32 {
        self.owners[self.point_of(key)]
    }

    /// Heap bytes used.
    pub fn memory_bytes(&self) -> usize {
        self.positions.len() * 8 + self.owners.len() * 4 + self.index.len() * 4
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(points: &[(u64, u32)], key: u64) -> u32 {
        let mut p = points.to_vec();
        p.sort_unstable();
        p.iter().find(|&&(pos, _)| pos >= key).unwrap_or(&p[0]).1
    }

    #[test]
    fn prefix_index_agrees_with_a_plain_scan() {
        let mut x = 7u64;
        let mut next = || {
            x = crate::sim::hash::splitmix64(x);
            x
        };
        for n in [1usize, 2, 3, 17, 300] {
            let points: Vec<(u64, u32)> = (0..n).map(|i| (next(), (i % 5) as u32)).collect();
            let c = Continuum::new(points.clone());
            let edges = points.iter().flat_map(|&(p, _)| [p, p.wrapping_sub(1), p.wrapping_add(1)]);
            for key in edges.chain([0, u64::MAX]).chain((0..200).map(|_| next())) {
                assert_eq!(c.owner_of(key), plain(&points, key), "n={n} key={key}");
            }
        }
    }

    #[test]
    fn ties_go_to_the_lowest_owner() {
        let c = Continuum::new(vec![(50, 1), (50, 0), (u64::MAX, 2)]);
        assert_eq!(c.owner_of(50), 0);
        assert_eq!(c.owner_of(51), 2);
        assert_eq!(c.owner_of(u64::MAX), 2);
    }
}
