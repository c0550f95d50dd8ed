//! Jump consistent hash (Lamping & Veach, "A Fast, Minimal Memory, Consistent Hash Algorithm", 2014).
//! Buckets are numbered 0..N; only the last bucket can be removed without moving other keys.

use super::limits::JUMP_BUCKETS_MAX;
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

    /// Jump hash over `buckets` buckets, built from the count alone (no backends, no table): any count
    /// the paper's function takes, 1 to [`JUMP_BUCKETS_MAX`] (2^31 - 1).
    pub fn with_buckets(buckets: u64) -> Result<Self, String> {
        if buckets == 0 {
            return Err("there must be at least one bucket: with none, no key has a place".into());
        }
        let n = i32::try_from(buckets).map_err(|_| {
            format!(
                "jump hash takes at most {JUMP_BUCKETS_MAX} buckets, not {buckets}: the paper's function counts \
                 them in a signed 32-bit integer"
            )
        })?;
        Ok(Self { n })
    }

    /// The number of buckets.
    pub fn buckets(&self) -> u64 {
        self.n as u64
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_buckets_takes_every_count_the_papers_function_takes() {
        assert!(Jump::with_buckets(0).is_err());
        assert_eq!(Jump::with_buckets(1).unwrap().place(u64::MAX), 0);
        let most = Jump::with_buckets(JUMP_BUCKETS_MAX).unwrap();
        assert_eq!(most.buckets(), 2_147_483_647);
        assert_eq!(most.place(42), jump_consistent_hash(42, i32::MAX) as usize);
        let err = Jump::with_buckets(JUMP_BUCKETS_MAX + 1).unwrap_err();
        assert!(err.contains("at most 2147483647 buckets"), "{err}");
    }
}
