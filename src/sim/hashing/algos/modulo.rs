//! Modulo hashing: key `k` goes to backend `k % N`.

use super::{Algo, Backend, Placer, require_equal_weights};

/// `key % N` over N equal backends.
#[derive(Clone, Debug)]
pub struct Modulo {
    n: u64,
}

impl Modulo {
    /// Errors when weights differ: plain modulo has no weighted variant.
    pub fn new(backends: &[Backend]) -> Result<Self, String> {
        require_equal_weights(Algo::Modulo, backends)?;
        Ok(Self { n: backends.len() as u64 })
    }
}

impl Placer for Modulo {
    #[inline]
    fn place(&self, key: u64) -> usize {
        (key % self.n) as usize
    }

    fn memory_bytes(&self) -> usize {
        0
    }
}
