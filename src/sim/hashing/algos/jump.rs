//! Jump consistent hash (Lamping & Veach, "A Fast, Minimal Memory, Consistent Hash Algorithm", 2014).
//! Buckets are numbered 0..N; only the last bucket can be removed without moving other keys.

use super::{Algo, Backend, Placer, require_equal_weights};

/// The paper's `JumpConsistentHash(uint64_t key, int32_t num_buckets)`, bit for bit, including its
/// floating-point step `(b + 1) * (double(1LL << 31) / double((key >> 33) + 1))`.
pub fn jump_consistent_hash(mut key: u64, num_buckets: i32) -> i32 {
    let (mut b, mut j): (i64, i64) = (-1, 0);
    while j < i64::from(num_buckets) {
        b = j;
        key = key.wrapping_mul(2_862_933_555_777_941_757).wrapping_add(1);
        j = ((b + 1) as f64 * ((1i64 << 31) as f64 / ((key >> 33) + 1) as f64)) as i64;
    }
    b as i32
}

/// Jump hash over N equal backends.
#[derive(Clone, Debug)]
pub struct Jump {
    n: i32,
}

impl Jump {
    /// Errors when weights differ: jump hash has no weighted variant.
    pub fn new(backends: &[Backend]) -> Result<Self, String> {
        require_equal_weights(Algo::Jump, backends)?;
        let n = i32::try_from(backends.len()).map_err(|_| "too many buckets for jump hash".to_string())?;
        Ok(Self { n })
    }
}

impl Placer for Jump {
    /// Consumes `key` unhashed, as the paper's function does.
    #[inline]
    fn place(&self, key: u64) -> usize {
        jump_consistent_hash(key, self.n) as usize
    }

    fn memory_bytes(&self) -> usize {
        0
    }
}
