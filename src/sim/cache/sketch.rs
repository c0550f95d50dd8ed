//! TinyLFU's memory of how often keys were requested: a count-min sketch of 4-bit counters that halves
//! itself periodically, so it estimates recent popularity in a few bytes per cached key, including for
//! keys the cache does not hold.

use crate::sim::hash::splitmix64;

/// Four bits per counter, sixteen counters per word.
const COUNTER_MAX: u64 = 15;
/// The low bit of every counter, to count the odd ones before halving.
const ONE_MASK: u64 = 0x1111_1111_1111_1111;
/// What each counter keeps of its word after a shift right by one.
const RESET_MASK: u64 = 0x7777_7777_7777_7777;
/// Rows of the sketch: an estimate is the least of four counters.
const DEPTH: usize = 4;

/// A count-min sketch of 4-bit counters, sized and aged as Caffeine's `FrequencySketch`: for a cache of
/// `c` keys, 16 × ⌈c⌉₂ counters (⌈c⌉₂ the next power of two) in four rows, a sample size of 10 × c.
/// Each request increments its key's counter in every row (a counter stops at 15); when that changed
/// anything, the sample count grows, and when it reaches the sample size every counter is halved and the
/// count becomes (count − odd counters / 4) / 2 — Caffeine's correction for the halves truncated away.
/// Old popularity thus decays and a key once hot can be displaced.
///
/// Caffeine keeps its four counters of a key in one 64-byte block for the processor's cache; this sketch
/// keeps four plain rows, which estimates alike. No doorkeeper (a Bloom filter in front, which Caffeine
/// does not use either).
#[derive(Clone, Debug)]
pub struct FrequencySketch {
    table: Vec<u64>,
    /// Counters per row, minus one (a power of two minus one).
    row_mask: u64,
    sample_size: u64,
    size: u64,
}

impl FrequencySketch {
    /// A sketch for a cache of `capacity` keys.
    pub fn new(capacity: usize) -> Self {
        let words = capacity.max(1).next_power_of_two();
        let per_row = (words * 16 / DEPTH) as u64;
        FrequencySketch {
            table: vec![0; words],
            row_mask: per_row - 1,
            sample_size: 10 * capacity.max(1) as u64,
            size: 0,
        }
    }

    /// The counter of `key` in each row, as an index among all counters. Double hashing over one
    /// splitmix64 of the key: row r uses h + r·g with g odd.
    #[inline]
    pub fn slots(&self, key: u64) -> [usize; DEPTH] {
        let h = splitmix64(key);
        let g = splitmix64(h) | 1;
        let per_row = self.row_mask + 1;
        std::array::from_fn(|r| {
            (r as u64 * per_row + (h.wrapping_add((r as u64).wrapping_mul(g)) & self.row_mask)) as usize
        })
    }

    #[inline]
    fn get(&self, slot: usize) -> u64 {
        (self.table[slot >> 4] >> ((slot & 15) * 4)) & COUNTER_MAX
    }

    /// Records one request of `key`.
    #[inline]
    pub fn increment(&mut self, key: u64) {
        let mut added = false;
        for slot in self.slots(key) {
            if self.get(slot) < COUNTER_MAX {
                self.table[slot >> 4] += 1 << ((slot & 15) * 4);
                added = true;
            }
        }
        if added {
            self.size += 1;
            if self.size == self.sample_size {
                self.reset();
            }
        }
    }

    /// Halves every counter (the periodic aging).
    fn reset(&mut self) {
        let mut odd = 0u64;
        for w in &mut self.table {
            odd += u64::from((*w & ONE_MASK).count_ones());
            *w = (*w >> 1) & RESET_MASK;
        }
        self.size = (self.size - odd / 4) / 2;
    }

    /// The estimated recent requests of `key`, 0 to 15: never below the true count since the last
    /// halving (up to 15), above it only when every row collides.
    #[inline]
    pub fn frequency(&self, key: u64) -> u8 {
        self.slots(key).into_iter().map(|s| self.get(s)).min().unwrap_or(0) as u8
    }

    /// Requests counted towards the next halving.
    pub fn sample_count(&self) -> u64 {
        self.size
    }

    /// Requests counted between halvings.
    pub fn sample_size(&self) -> u64 {
        self.sample_size
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimates_never_undercount_and_halve_at_the_sample_size() {
        let mut s = FrequencySketch::new(100);
        assert_eq!((s.sample_size(), s.table.len(), s.row_mask + 1), (1000, 128, 512));
        let mut truth = std::collections::HashMap::new();
        for i in 0..999u64 {
            let key = (i % 333) * 1_000_003;
            s.increment(key);
            *truth.entry(key).or_insert(0u64) += 1;
        }
        for (&k, &n) in &truth {
            assert!(u64::from(s.frequency(k)) >= n, "key {k}: {} < {n}", s.frequency(k));
        }
        assert_eq!(s.frequency(42), 0, "an unseen key in a sparse sketch");
        assert_eq!(s.sample_count(), 999, "no counter was full, so every request counted");
        let before: Vec<u8> = truth.keys().map(|&k| s.frequency(k)).collect();
        // The thousandth counted request: every counter halves (one more for the keys whose least
        // counter this request shares).
        s.increment(7);
        let after: Vec<u8> = truth.keys().map(|&k| s.frequency(k)).collect();
        for (b, a) in before.iter().zip(&after) {
            assert!(*a == b / 2 || *a == b.div_ceil(2), "{b} became {a}");
        }
        assert!(after.iter().zip(&before).filter(|(a, b)| a < b).count() > 300);
        // The count restarts at (1000 - odd counters / 4) / 2, with at most 2048 odd counters.
        assert!((244..=500).contains(&s.sample_count()), "{}", s.sample_count());
    }

    #[test]
    fn a_saturated_key_stops_counting() {
        let mut s = FrequencySketch::new(16);
        for _ in 0..20 {
            s.increment(7);
        }
        assert_eq!((s.frequency(7), s.sample_count()), (15, 15), "requests past 15 change no counter");
    }
}
