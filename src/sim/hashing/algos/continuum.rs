//! A sorted ring of points over the whole `u64` space with a fast clockwise lookup: a prefix index maps
//! the top bits of a key to the slice of points sharing them, so the binary search covers a few points.

/// An index over sorted positions in `0..2^space_bits`: bucket `t` starts at the first position whose
/// top bits (`position >> shift`) are >= t, about one position per bucket, so finding the first position
/// at or after a key searches a few positions instead of the whole array (a binary search over a
/// million points misses the cache at almost every step).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PrefixIndex {
    starts: Vec<u32>,
    shift: u32,
}

impl PrefixIndex {
    /// The index of `sorted` (ascending), for keys below `2^space_bits`: between 2^4 and 2^20 buckets
    /// (8 MB at most), fewer when the space itself is smaller.
    pub fn new(sorted: &[u64], space_bits: u32) -> Self {
        assert!(sorted.len() < u32::MAX as usize);
        let space_bits = space_bits.min(u64::BITS);
        let bits = (usize::BITS - sorted.len().leading_zeros()).clamp(4, 20).min(space_bits);
        let shift = space_bits - bits;
        let mut starts = Vec::with_capacity((1 << bits) + 1);
        let mut i = 0usize;
        for t in 0..=(1u64 << bits) {
            while i < sorted.len() && (sorted[i] >> shift) < t {
                i += 1;
            }
            starts.push(i as u32);
        }
        Self { starts, shift }
    }

    /// The first index of `sorted` (the slice the index was built from) whose position is >= `key`;
    /// `sorted.len()` when every position is smaller.
    #[inline]
    pub fn first_at_or_after(&self, sorted: &[u64], key: u64) -> usize {
        let t = usize::try_from(key >> self.shift).unwrap_or(usize::MAX);
        if t.saturating_add(1) >= self.starts.len() {
            // Past the last bucket (or an empty index): the key is beyond the space, so every position.
            return sorted.len();
        }
        let (lo, hi) = (self.starts[t] as usize, self.starts[t + 1] as usize);
        lo + sorted[lo..hi].partition_point(|&p| p < key)
    }

    /// Heap bytes used.
    pub fn memory_bytes(&self) -> usize {
        self.starts.len() * 4
    }
}

/// Ring points sorted by (position, owner); `owners[i]` is the backend index of `positions[i]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Continuum {
    positions: Vec<u64>,
    owners: Vec<u32>,
    index: PrefixIndex,
}

impl Continuum {
    /// Builds from `(position, owner)` points; equal positions are ordered by owner, lowest first, and
    /// the first one wins the keys there, so ties go the same way on every machine.
    pub fn new(mut points: Vec<(u64, u32)>) -> Self {
        assert!(!points.is_empty(), "a continuum needs a point");
        points.sort_unstable();
        let (positions, owners): (Vec<u64>, Vec<u32>) = points.into_iter().unzip();
        let index = PrefixIndex::new(&positions, u64::BITS);
        Self { positions, owners, index }
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
        let i = self.index.first_at_or_after(&self.positions, key);
        if i == self.positions.len() { 0 } else { i }
    }

    /// Backend index owning `key`.
    #[inline]
    pub fn owner_of(&self, key: u64) -> u32 {
        self.owners[self.point_of(key)]
    }

    /// Heap bytes used.
    pub fn memory_bytes(&self) -> usize {
        self.positions.len() * 8 + self.owners.len() * 4 + self.index.memory_bytes()
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
