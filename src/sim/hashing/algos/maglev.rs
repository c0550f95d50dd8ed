//! Maglev hashing (Eisenbud et al., NSDI 2016) with Envoy's permutation: for a backend named `name` and
//! a prime table size M, `offset = xxh64(name, 0) % M`, `skip = xxh64(name, 1) % (M - 1) + 1`, and its
//! j-th preference is `(offset + j × skip) % M`. Backends take turns, in list order, claiming their next
//! free preferred slot until the table is full; weights follow Envoy's `MaglevTable`: a backend takes a
//! turn in round r only when `r × w/W >= its target`, which then grows by `max(w)/W`. A key goes to
//! `table[key % M]`.

use super::{Backend, Placer, limits};
use xxhash_rust::xxh64::xxh64;

/// A populated Maglev lookup table.
#[derive(Clone, Debug)]
pub struct Maglev {
    table: Vec<u32>,
}

/// True when `n` is prime (trial division; n up to the table limit).
pub fn is_prime(n: u64) -> bool {
    if n < 2 {
        return false;
    }
    let mut d = 2;
    while d * d <= n {
        if n.is_multiple_of(d) {
            return false;
        }
        d += 1;
    }
    true
}

/// One backend's progress through its permutation while the table fills.
struct Entry {
    offset: u64,
    skip: u64,
    next: u64,
    weight: f64,
    target: f64,
}

impl Maglev {
    /// Populates a table of prime size `m` (at least the number of backends).
    pub fn new(backends: &[Backend], m: u64) -> Result<Self, String> {
        if !is_prime(m) {
            return Err(format!("the Maglev table size must be a prime (each skip must reach every slot); {m} is not"));
        }
        if m > limits::MAGLEV_TABLE_MAX {
            return Err(format!("the Maglev table size can be at most {}", limits::MAGLEV_TABLE_MAX));
        }
        if (m as usize) < backends.len() {
            return Err(format!(
                "a Maglev table of {m} slots cannot hold {} servers: use a bigger prime",
                backends.len()
            ));
        }
        let total: f64 = backends.iter().map(|b| f64::from(b.weight)).sum();
        let mut entries: Vec<Entry> = backends
            .iter()
            .map(|b| Entry {
                offset: xxh64(b.name.as_bytes(), 0) % m,
                skip: xxh64(b.name.as_bytes(), 1) % (m - 1) + 1,
                next: 0,
                weight: f64::from(b.weight) / total,
                target: 0.0,
            })
            .collect();
        let max_weight = entries.iter().map(|e| e.weight).fold(0.0, f64::max);
        let mut table = vec![u32::MAX; m as usize];
        let mut filled = 0u64;
        let mut iteration = 0u64;
        while filled < m {
            for (i, e) in entries.iter_mut().enumerate() {
                if filled == m {
                    break;
                }
                if (iteration as f64) * e.weight < e.target {
                    continue;
                }
                e.target += max_weight;
                let mut c = (e.offset + e.skip * e.next) % m;
                while table[c as usize] != u32::MAX {
                    e.next += 1;
                    c = (e.offset + e.skip * e.next) % m;
                }
                table[c as usize] = i as u32;
                e.next += 1;
                filled += 1;
            }
            iteration += 1;
        }
        Ok(Self { table })
    }

    /// The table: slot -> backend index.
    pub fn table(&self) -> &[u32] {
        &self.table
    }
}

impl Placer for Maglev {
    #[inline]
    fn place(&self, key: u64) -> usize {
        self.table[(key % self.table.len() as u64) as usize] as usize
    }

    fn memory_bytes(&self) -> usize {
        self.table.len() * 4
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primes() {
        let primes: Vec<u64> = (0..30).filter(|&n| is_prime(n)).collect();
        assert_eq!(primes, vec![2, 3, 5, 7, 11, 13, 17, 19, 23, 29]);
        assert!(is_prime(65537) && is_prime(1_000_003) && !is_prime(65536));
    }

    #[test]
    fn equal_weights_fill_the_table_evenly() {
        let m = Maglev::new(&Backend::numbered(7), 65537).unwrap();
        let mut counts = [0u64; 7];
        m.table().iter().for_each(|&b| counts[b as usize] += 1);
        assert!(counts.iter().all(|&c| c.abs_diff(65537 / 7) <= 1), "{counts:?}");
    }
}
