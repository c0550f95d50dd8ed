//! The hash map every policy finds its keys with: `std`'s map with a fixed, fast mixer instead of its
//! randomly keyed SipHash. Keys are plain `u64`s, so one folded multiplication (the product's high and
//! low halves xored) mixes every bit into the bits the table uses, and the same keys lay the table out the
//! same way on every run; SipHash would cost about as much as the rest of an access.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// 2^64 divided by the golden ratio: odd, with its bits spread evenly.
const MULTIPLIER: u64 = 0x9E37_79B9_7F4A_7C15;

/// The mixer behind [`KeyMap`].
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct KeyHasher(u64);

impl Hasher for KeyHasher {
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }

    #[inline]
    fn write_u64(&mut self, x: u64) {
        let m = u128::from(x ^ self.0) * u128::from(MULTIPLIER);
        self.0 = (m as u64) ^ ((m >> 64) as u64);
    }

    // Only `u64` keys are hashed; anything else still hashes, eight bytes at a time.
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }
}

/// A map from keys to a policy's slots.
pub(crate) type KeyMap<V> = HashMap<u64, V, BuildHasherDefault<KeyHasher>>;

/// An empty map with room for `capacity` keys, so a cache that never grows past it never reallocates.
pub(crate) fn key_map<V>(capacity: usize) -> KeyMap<V> {
    HashMap::with_capacity_and_hasher(capacity, BuildHasherDefault::default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    #[test]
    fn the_mixer_spreads_keys_that_differ_in_one_bit() {
        let build = BuildHasherDefault::<KeyHasher>::default();
        let hash = |k: u64| build.hash_one(k);
        // Keys that are multiples of a large power of two (the same low bits) must still differ in the
        // low bits the table indexes with and in the top seven bits it tags slots with.
        let low: std::collections::HashSet<u64> = (0..1024u64).map(|k| hash(k << 32) & 1023).collect();
        assert!(low.len() > 600, "{} distinct low-bit buckets of 1024", low.len());
        let top: std::collections::HashSet<u64> = (0..1024u64).map(|k| hash(k) >> 57).collect();
        assert_eq!(top.len(), 128, "every top-seven-bit tag is used");
        // Bytes hash too, and the same bytes the same way.
        let mut a = build.build_hasher();
        a.write(b"twelve bytes");
        let mut b = build.build_hasher();
        b.write(b"twelve bytes");
        assert_eq!(a.finish(), b.finish());
        assert_ne!(a.finish(), 0);
    }
}
