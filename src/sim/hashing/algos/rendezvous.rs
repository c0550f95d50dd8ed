//! Rendezvous (highest random weight) hashing: every backend scores the key and the highest score wins.
//! The score hash is `splitmix64(key ^ xxh3(name))`. Equal weights: the largest hash wins (ties to the
//! lower index). Weighted: the logarithmic method, score `-w / ln(u)` with `u` in (0, 1) from the hash
//! (Schindelhauer & Schomaker 2005), with `libm`'s `log` so the numbers are the same on every target.

use super::{Backend, Placer};
use crate::sim::hash::{hash_str, splitmix64};

/// Rendezvous hashing over the backends' name hashes.
#[derive(Clone, Debug)]
pub struct Rendezvous {
    name_hashes: Vec<u64>,
    /// `None` when all weights are equal (plain max-hash); otherwise each backend's weight.
    weights: Option<Vec<f64>>,
}

/// The hash of (key, backend): a stable mix of the key and the backend's name hash.
#[inline]
pub fn rendezvous_hash(key: u64, name_hash: u64) -> u64 {
    splitmix64(key ^ name_hash)
}

/// Maps a hash to `u` in the open interval (0, 1): the top 52 bits, centred in their cell (52, not 53,
/// so that `2^52 - 0.5` is still exact and `u` never rounds up to 1, where `ln u = 0`).
#[inline]
fn unit_open(h: u64) -> f64 {
    ((h >> 12) as f64 + 0.5) * (1.0 / (1u64 << 52) as f64)
}

impl Rendezvous {
    /// Builds from the backends' names and weights.
    pub fn new(backends: &[Backend]) -> Self {
        let name_hashes = backends.iter().map(|b| hash_str(&b.name)).collect();
        let equal = backends.windows(2).all(|w| w[0].weight == w[1].weight);
        let weights = (!equal).then(|| backends.iter().map(|b| f64::from(b.weight)).collect());
        Self { name_hashes, weights }
    }
}

impl Placer for Rendezvous {
    fn place(&self, key: u64) -> usize {
        match &self.weights {
            None => {
                let (mut best, mut best_h) = (0, 0u64);
                for (i, &nh) in self.name_hashes.iter().enumerate() {
                    let h = rendezvous_hash(key, nh);
                    if i == 0 || h > best_h {
                        (best, best_h) = (i, h);
                    }
                }
                best
            }
            Some(weights) => {
                let (mut best, mut best_score) = (0, f64::NEG_INFINITY);
                for (i, (&nh, &w)) in self.name_hashes.iter().zip(weights).enumerate() {
                    let score = -w / libm::log(unit_open(rendezvous_hash(key, nh)));
                    if score > best_score {
                        (best, best_score) = (i, score);
                    }
                }
                best
            }
        }
    }

    fn memory_bytes(&self) -> usize {
        self.name_hashes.len() * 8 + self.weights.as_ref().map_or(0, |w| w.len() * 8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_interval_is_open() {
        assert!(unit_open(0) > 0.0);
        assert!(unit_open(u64::MAX) < 1.0);
    }

    #[test]
    fn weighted_shares_follow_weights() {
        let backends = [Backend::weighted("a", 1), Backend::weighted("b", 3)];
        let r = Rendezvous::new(&backends);
        let n = 40_000u64;
        let b = (0..n).filter(|&k| r.place(splitmix64(k)) == 1).count() as f64 / n as f64;
        assert!((b - 0.75).abs() < 0.01, "share of b = {b}");
    }
}
