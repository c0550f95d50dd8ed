//! Consistent hashing with virtual nodes: a backend of weight w gets `vnodes × w` points at
//! `xxh3_64("{name}#{i}")`, i.e. k labels hashed with one function (not k hash functions). A key goes to
//! the first point clockwise at or after it over the full `u64` space, wrapping.

use super::{Backend, Continuum, Placer, limits};
use crate::sim::hash::hash_str;

/// The ring of virtual nodes.
#[derive(Clone, Debug)]
pub struct VnodeRing {
    continuum: Continuum,
    backends: usize,
}

/// Position of a backend's i-th virtual node.
pub fn vnode_position(name: &str, i: u32) -> u64 {
    hash_str(&format!("{name}#{i}"))
}

/// The `(position, owner)` points of `backends` with `vnodes` points per unit of weight.
pub fn vnode_points(backends: &[Backend], vnodes: u32) -> Result<Vec<(u64, u32)>, String> {
    if vnodes == 0 || vnodes > limits::VNODES_MAX {
        return Err(format!("points per server must be 1 to {}", limits::VNODES_MAX));
    }
    let total: u64 = backends.iter().map(|b| u64::from(b.weight) * u64::from(vnodes)).sum();
    if total > limits::POINTS_MAX {
        return Err(format!(
            "{total} ring points is too many: at most {} (fewer points per server)",
            limits::POINTS_MAX
        ));
    }
    let mut points = Vec::with_capacity(total as usize);
    for (owner, b) in backends.iter().enumerate() {
        for i in 0..b.weight * vnodes {
            points.push((vnode_position(&b.name, i), owner as u32));
        }
    }
    Ok(points)
}

impl VnodeRing {
    /// Builds the ring; `vnodes` points per unit of weight.
    pub fn new(backends: &[Backend], vnodes: u32) -> Result<Self, String> {
        Ok(Self { continuum: Continuum::new(vnode_points(backends, vnodes)?), backends: backends.len() })
    }

    /// Number of backends the ring was built from.
    pub fn backends(&self) -> usize {
        self.backends
    }

    /// The sorted points.
    pub fn continuum(&self) -> &Continuum {
        &self.continuum
    }
}

impl Placer for VnodeRing {
    #[inline]
    fn place(&self, key: u64) -> usize {
        self.continuum.owner_of(key) as usize
    }

    fn memory_bytes(&self) -> usize {
        self.continuum.memory_bytes()
    }
}
