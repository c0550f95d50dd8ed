//! libmemcached's ketama continuum, weighted mode (`MEMCACHED_BEHAVIOR_KETAMA_WEIGHTED`, as in its
//! `update_continuum`): server i gets `floor(w_i / W × P/4 × N + 1e-10) × 4` points (P = 160), computed
//! in single precision as libmemcached does, so equal weights give P points each except at the server
//! counts where the float product rounds down (25, 47, 50, 55, ... servers get 156), four per MD5 digest of `"host-j"` (or `"host:port-j"` when the port is not the
//! default 11211), read little-endian. A key hashes to the first 4 bytes of `MD5(key)`, little-endian,
//! and goes to the first point at or after it, wrapping.
//!
//! Points are stored shifted into the top 32 bits of the `u64` space, so [`Placer::place`] on a 64-bit
//! key uses the same continuum (a 32-bit hash h looks up `h << 32`).

use super::{Backend, Continuum, Placer, limits};
use md5::{Digest, Md5};

/// libmemcached's `MEMCACHED_DEFAULT_PORT`, left out of the point labels.
const DEFAULT_PORT: u32 = 11211;

/// The ketama continuum.
#[derive(Clone, Debug)]
pub struct Ketama {
    continuum: Continuum,
}

/// libmemcached's key hash under ketama (`hashkit_md5`): the first 4 bytes of MD5(key), little-endian.
pub fn ketama_key_hash(key: &[u8]) -> u32 {
    let d = Md5::digest(key);
    u32::from_le_bytes([d[0], d[1], d[2], d[3]])
}

/// The label prefix of a backend: "host" for the default port, "host:port" otherwise. A name without a
/// numeric ":port" suffix is a host on the default port.
fn sort_host(name: &str) -> String {
    match name.rsplit_once(':') {
        Some((host, port)) if port.parse::<u16>().is_ok_and(|p| u32::from(p) == DEFAULT_PORT) => host.to_string(),
        _ => name.to_string(),
    }
}

/// Points of a server of weight `weight` among `live` servers of total weight `total`, computed in
/// single precision as libmemcached does:
/// `floor((float)(pct * POINTS / 4 * (float)live + 0.0000000001)) * 4` with `float pct`.
fn points_for(weight: u32, total: u64, live: usize, points_per_server: u32) -> u32 {
    let pct = weight as f32 / total as f32;
    let per_hash = pct * points_per_server as f32 / 4.0 * live as f32;
    let rounded = (f64::from(per_hash) + 0.000_000_000_1) as f32;
    (f64::from(rounded).floor() as u32) * 4
}

impl Ketama {
    /// Builds the continuum with `points_per_server` (libmemcached: 160) points at average weight.
    pub fn new(backends: &[Backend], points_per_server: u32) -> Result<Self, String> {
        if !(4..=limits::KETAMA_POINTS_MAX).contains(&points_per_server) {
            return Err(format!("ketama points per server must be 4 to {}", limits::KETAMA_POINTS_MAX));
        }
        let total: u64 = backends.iter().map(|b| u64::from(b.weight)).sum();
        let counts: Vec<u32> =
            backends.iter().map(|b| points_for(b.weight, total, backends.len(), points_per_server)).collect();
        let all: u64 = counts.iter().map(|&c| u64::from(c)).sum();
        if all > limits::POINTS_MAX {
            return Err(format!("{all} ketama points is too many: at most {}", limits::POINTS_MAX));
        }
        if all == 0 {
            return Err("no server got a ketama point: raise the points per server".into());
        }
        let mut points = Vec::with_capacity(all as usize);
        for (owner, (b, &count)) in backends.iter().zip(&counts).enumerate() {
            let host = sort_host(&b.name);
            for j in 0..count / 4 {
                let d = Md5::digest(format!("{host}-{j}").as_bytes());
                for q in d.chunks_exact(4) {
                    let value = u32::from_le_bytes([q[0], q[1], q[2], q[3]]);
                    points.push((u64::from(value) << 32, owner as u32));
                }
            }
        }
        Ok(Self { continuum: Continuum::new(points) })
    }

    /// Number of points each backend got.
    pub fn points_per_backend(&self, backends: usize) -> Vec<u32> {
        let mut counts = vec![0u32; backends];
        for &o in self.continuum.owners() {
            counts[o as usize] += 1;
        }
        counts
    }

    /// The backend of a 32-bit ketama hash.
    pub fn place_hash32(&self, hash: u32) -> usize {
        self.continuum.owner_of(u64::from(hash) << 32) as usize
    }
}

impl Placer for Ketama {
    #[inline]
    fn place(&self, key: u64) -> usize {
        self.continuum.owner_of(key) as usize
    }

    /// MD5 of the key bytes, as libmemcached.
    fn place_str(&self, key: &str) -> usize {
        self.place_hash32(ketama_key_hash(key.as_bytes()))
    }

    fn memory_bytes(&self) -> usize {
        self.continuum.memory_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_port_is_left_out_of_labels() {
        assert_eq!(sort_host("10.0.1.1:11211"), "10.0.1.1");
        assert_eq!(sort_host("10.0.1.1"), "10.0.1.1");
        assert_eq!(sort_host("cache:11212"), "cache:11212");
    }

    #[test]
    fn equal_weights_give_160_points_except_where_libmemcached_rounds_down() {
        // The server counts up to 200 where libmemcached's float arithmetic gives 156, found by compiling
        // its expression with gcc.
        let short = [25, 47, 50, 55, 61, 71, 94, 100, 107, 109, 110, 115, 122, 142, 159, 163, 188, 193, 200];
        for n in 1..=200usize {
            let expected = if short.contains(&n) { 156 } else { 160 };
            assert_eq!(points_for(1, n as u64, n, 160), expected, "n={n}");
        }
    }

    #[test]
    fn md5_hash_reads_the_digest_little_endian() {
        // MD5("") = d41d8cd98f00b204e9800998ecf8427e (RFC 1321).
        assert_eq!(ketama_key_hash(b""), 0xd98c_1dd4);
    }
}
