//! Which shop gets an order: the least-loaded live shop, or the owner of the order's hash on a
//! consistent-hash ring of the live shops' names (`vnodes` points per shop, `xxh3(name#v)`).

use super::config::{Redistribution, ShopConfig};
use crate::sim::hash::{hash_str, hash_u64};
use crate::sim::hashing::Ring;
use crate::sim::timeline::vec_bytes;
use std::fmt::Write as _;

/// Which live shop gets an order.
#[derive(Clone)]
pub(super) struct Assigner {
    pub(super) mode: Redistribution,
    names: Vec<String>,
    vnodes: u32,
    pub(super) live: Vec<bool>,
    ring: Ring,
}

impl Assigner {
    /// Every shop live, the ring built.
    pub(super) fn new(config: &ShopConfig) -> Self {
        let mut assigner = Self {
            mode: config.redistribution,
            names: config.shops.iter().map(|s| s.name.clone()).collect(),
            vnodes: config.vnodes,
            live: vec![true; config.shops.len()],
            ring: Ring::default(),
        };
        assigner.rebuild();
        assigner
    }

    /// The ring of the live shops (only the ring mode has one: least-loaded needs none).
    pub(super) fn rebuild(&mut self) {
        if self.mode != Redistribution::Ring {
            return;
        }
        let mut points = Vec::with_capacity(self.names.len() * self.vnodes as usize);
        // One buffer for every label, the bytes of `format!("{name}#{v}")`: no allocation per point.
        let mut label = String::new();
        for (s, name) in self.names.iter().enumerate().filter(|&(s, _)| self.live[s]) {
            for v in 0..self.vnodes {
                label.clear();
                let _ = write!(label, "{name}#{v}");
                points.push((hash_str(&label), s as u32));
            }
        }
        self.ring = Ring::build(points);
    }

    /// An estimate of the bytes held beyond the struct: names, live flags and the ring's points.
    pub(super) fn approx_bytes(&self) -> usize {
        vec_bytes(&self.names)
            + self.names.iter().map(String::capacity).sum::<usize>()
            + vec_bytes(&self.live)
            + self.ring.len() * (size_of::<u64>() + size_of::<u32>())
    }

    /// The ring owner, or the least-loaded live shop (lowest index on ties).
    pub(super) fn owner(&self, order: u64, load: &[u32]) -> Option<u32> {
        match self.mode {
            Redistribution::Ring => self.ring.lookup(hash_u64(order)),
            Redistribution::Naive => {
                (0..self.live.len()).filter(|&s| self.live[s]).min_by_key(|&s| load[s]).map(|s| s as u32)
            }
        }
    }
}
