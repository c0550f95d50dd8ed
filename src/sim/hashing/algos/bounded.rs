//! Consistent hashing with bounded loads (Mirrokni, Thorup & Zadimoghaddam, SODA 2018) on the ring of
//! virtual nodes: keys arrive in order; each server may hold at most `ceil(c × keys × w / W)` of them;
//! a key goes clockwise from its position to the first point whose server is below its cap.

use super::{Backend, Continuum, Placer, limits, ring};

/// The ring plus each backend's share of the total weight.
#[derive(Clone, Debug)]
pub struct Bounded {
    continuum: Continuum,
    weights: Vec<u64>,
    c: f64,
}

impl Bounded {
    /// Builds the ring (`vnodes` points per unit of weight) with load factor `c` (at least 1).
    pub fn new(backends: &[Backend], vnodes: u32, c: f64) -> Result<Self, String> {
        if !(1.0..=limits::BOUNDED_C_MAX).contains(&c) {
            return Err(format!(
                "the load bound c must be from 1 to {}: below 1 the keys do not fit",
                limits::BOUNDED_C_MAX
            ));
        }
        let continuum = Continuum::new(ring::vnode_points(backends, vnodes)?);
        Ok(Self { continuum, weights: backends.iter().map(|b| u64::from(b.weight)).collect(), c })
    }

    /// Each backend's cap for `keys` keys: `ceil(c × keys × w / W)`; the caps add up to at least `keys`.
    pub fn caps(&self, keys: usize) -> Vec<u64> {
        let total: u64 = self.weights.iter().sum();
        self.weights.iter().map(|&w| (self.c * keys as f64 * w as f64 / total as f64).ceil() as u64).collect()
    }
}

impl Placer for Bounded {
    /// The ring owner, as if no server were loaded (one key alone never meets a cap).
    #[inline]
    fn place(&self, key: u64) -> usize {
        self.continuum.owner_of(key) as usize
    }

    fn assign_all(&self, keys: &[u64]) -> Vec<u32> {
        let caps = self.caps(keys.len());
        let mut load = vec![0u64; caps.len()];
        let owners = self.continuum.owners();
        let mut out = Vec::with_capacity(keys.len());
        for &key in keys {
            let mut i = self.continuum.point_of(key);
            // Terminates: the caps add up to at least the number of keys, so some server has room.
            while load[owners[i] as usize] >= caps[owners[i] as usize] {
                i = if i + 1 == owners.len() { 0 } else { i + 1 };
            }
            let s = owners[i];
            load[s as usize] += 1;
            out.push(s);
        }
        debug_assert!(load.iter().zip(&caps).all(|(l, c)| l <= c));
        out
    }

    fn memory_bytes(&self) -> usize {
        self.continuum.memory_bytes() + self.weights.len() * 8
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::hash::splitmix64;

    #[test]
    fn no_server_goes_over_its_cap() {
        let backends: Vec<Backend> = (0..5).map(|i| Backend::weighted(format!("S{i}"), 1 + i % 2)).collect();
        for c in [1.0, 1.01, 1.25, 2.0] {
            let b = Bounded::new(&backends, 20, c).unwrap();
            let keys: Vec<u64> = (0..3001).map(splitmix64).collect();
            let caps = b.caps(keys.len());
            let mut load = vec![0u64; 5];
            b.assign_all(&keys).iter().for_each(|&s| load[s as usize] += 1);
            assert!(load.iter().zip(&caps).all(|(l, c)| l <= c), "c={c} {load:?} {caps:?}");
        }
    }
}
