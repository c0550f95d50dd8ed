//! Placement algorithms for the hashing lab: which backend serves a key, under seven published schemes.
//!
//! Every placer takes an already-hashed 64-bit key (the lab hashes request ids with splitmix64), except
//! [`Algo::Jump`], which consumes the given `u64` unhashed exactly like the paper's function. The
//! string entry point [`Placer::place_str`] hashes bytes the way each algorithm's reference does.

mod bounded;
mod continuum;
mod jump;
mod ketama;
mod maglev;
mod modulo;
mod rendezvous;
mod ring;

pub mod analysis;

pub use bounded::Bounded;
pub use continuum::{Continuum, PrefixIndex};
pub use jump::{Jump, jump_consistent_hash};
pub use ketama::{Ketama, ketama_key_hash};
pub use maglev::{Maglev, is_prime};
pub use modulo::Modulo;
pub use rendezvous::Rendezvous;
pub use ring::{VnodeRing, vnode_position};

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Limits on everything a caller can set for a placer.
pub mod limits {
    /// Most backends in one placer.
    pub const BACKENDS_MAX: usize = 10_000;
    /// Largest weight of one backend.
    pub const WEIGHT_MAX: u32 = 10_000;
    /// Most ring points per unit of weight (ring, bounded).
    pub const VNODES_MAX: u32 = 10_000;
    /// Most ketama points per server at average weight.
    pub const KETAMA_POINTS_MAX: u32 = 10_000;
    /// Most points on one ring or continuum, all servers together.
    pub const POINTS_MAX: u64 = 4_000_000;
    /// Largest Maglev lookup table (a prime).
    pub const MAGLEV_TABLE_MAX: u64 = 1_000_003;
    /// Largest bounded-load factor c.
    pub const BOUNDED_C_MAX: f64 = 16.0;
    /// Most buckets of jump hash given only a count ([`super::Jump::with_buckets`]): the paper's function
    /// takes its count as an `int32_t`, and needs no table, so `BACKENDS_MAX` does not bound it.
    pub const JUMP_BUCKETS_MAX: u64 = i32::MAX as u64;
}

/// The placement schemes the lab compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Algo {
    /// `key % N`.
    Modulo,
    /// Consistent-hashing ring with virtual nodes (Karger et al. 1997).
    Ring,
    /// libmemcached's weighted ketama continuum (MD5 points).
    Ketama,
    /// Highest random weight (Thaler & Ravishankar 1998), weighted by the logarithmic method.
    Rendezvous,
    /// Jump consistent hash (Lamping & Veach 2014).
    Jump,
    /// Maglev lookup table (Eisenbud et al. 2016), permutations as in Envoy.
    Maglev,
    /// Consistent hashing with bounded loads (Mirrokni, Thorup & Zadimoghaddam 2018).
    Bounded,
}

impl Algo {
    /// Every scheme, in the order the lab lists them.
    pub fn all() -> [Algo; 7] {
        use Algo::*;
        [Modulo, Ring, Ketama, Rendezvous, Jump, Maglev, Bounded]
    }

    /// The scheme's short name, as on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Algo::Modulo => "modulo",
            Algo::Ring => "ring",
            Algo::Ketama => "ketama",
            Algo::Rendezvous => "rendezvous",
            Algo::Jump => "jump",
            Algo::Maglev => "maglev",
            Algo::Bounded => "bounded",
        }
    }
}

impl fmt::Display for Algo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Algo {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Algo::all().into_iter().find(|a| a.name() == s).ok_or_else(|| {
            let names: Vec<_> = Algo::all().iter().map(|a| a.name()).collect();
            format!("no algorithm named \"{s}\"; the algorithms are: {}", names.join(", "))
        })
    }
}

/// A backend server: its identity is its name; `weight >= 1` is its relative capacity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Backend {
    /// Unique name; what the schemes hash to place the backend ("host:port" for ketama).
    pub name: String,
    /// Relative capacity, at least 1.
    pub weight: u32,
}

impl Backend {
    /// A backend of weight 1.
    pub fn new(name: impl Into<String>) -> Self {
        Self { name: name.into(), weight: 1 }
    }

    /// A backend of the given weight.
    pub fn weighted(name: impl Into<String>, weight: u32) -> Self {
        Self { name: name.into(), weight }
    }

    /// Backends named "S0".."S{n-1}", weight 1.
    pub fn numbered(n: usize) -> Vec<Backend> {
        (0..n).map(|i| Backend::new(format!("S{i}"))).collect()
    }
}

/// Tuning of the schemes that have any.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlgoParams {
    /// Ring and bounded: points per unit of weight.
    pub vnodes: u32,
    /// Ketama: points per server at average weight (libmemcached: 160).
    pub ketama_points: u32,
    /// Maglev: lookup table size M, a prime (Envoy's default 65537).
    pub maglev_table_size: u64,
    /// Bounded loads: a server takes at most `ceil(c × its fair share of the keys)`.
    pub bounded_c: f64,
}

impl Default for AlgoParams {
    fn default() -> Self {
        Self { vnodes: 100, ketama_points: 160, maglev_table_size: 65537, bounded_c: 1.25 }
    }
}

/// A built placement: maps keys to backend indices (positions in the list it was built from).
pub trait Placer {
    /// The backend of an already-hashed key (jump: the raw key). Bounded: its ring owner, ignoring load.
    fn place(&self, key: u64) -> usize;

    /// The backend of a string key, hashed as the scheme's reference does (ketama: MD5 as libmemcached;
    /// the others: xxh3-64 of the bytes, then [`Placer::place`]).
    fn place_str(&self, key: &str) -> usize {
        self.place(crate::sim::hash::hash_str(key))
    }

    /// Backend index of every key, in order. Bounded loads overrides this: its answer depends on order.
    fn assign_all(&self, keys: &[u64]) -> Vec<u32> {
        keys.iter().map(|&k| self.place(k) as u32).collect()
    }

    /// Approximate heap size of the lookup structure, in bytes.
    fn memory_bytes(&self) -> usize;
}

/// Builds a placer for `backends` (in order; an answer is an index into this list).
pub fn build(algo: Algo, backends: &[Backend], params: &AlgoParams) -> Result<Box<dyn Placer + Send + Sync>, String> {
    validate(backends)?;
    Ok(match algo {
        Algo::Modulo => Box::new(Modulo::new(backends)?),
        Algo::Ring => Box::new(VnodeRing::new(backends, params.vnodes)?),
        Algo::Ketama => Box::new(Ketama::new(backends, params.ketama_points)?),
        Algo::Rendezvous => Box::new(Rendezvous::new(backends)),
        Algo::Jump => Box::new(Jump::new(backends)?),
        Algo::Maglev => Box::new(Maglev::new(backends, params.maglev_table_size)?),
        Algo::Bounded => Box::new(Bounded::new(backends, params.vnodes, params.bounded_c)?),
    })
}

/// Checks what every scheme needs: 1..=BACKENDS_MAX backends, unique non-empty names, weights in range.
pub fn validate(backends: &[Backend]) -> Result<(), String> {
    if backends.is_empty() {
        return Err("there must be at least one server: with none, no key has a place".into());
    }
    if backends.len() > limits::BACKENDS_MAX {
        return Err(format!(
            "at most {} servers: more would make every lookup structure too big",
            limits::BACKENDS_MAX
        ));
    }
    let mut names: Vec<&str> = backends.iter().map(|b| b.name.as_str()).collect();
    names.sort_unstable();
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        return Err(format!("two servers are named \"{}\": a server's name is its identity", w[0]));
    }
    if names.first().is_some_and(|n| n.is_empty()) {
        return Err("a server name cannot be empty: placements hash the name".into());
    }
    if let Some(b) = backends.iter().find(|b| b.weight == 0 || b.weight > limits::WEIGHT_MAX) {
        return Err(format!(
            "server \"{}\" has weight {}: weights go from 1 to {}",
            b.name,
            b.weight,
            limits::WEIGHT_MAX
        ));
    }
    Ok(())
}

/// Errors unless every backend has the same weight (for schemes with no weighted variant).
fn require_equal_weights(algo: Algo, backends: &[Backend]) -> Result<(), String> {
    if backends.windows(2).any(|w| w[0].weight != w[1].weight) {
        return Err(format!("{algo} hashing has no weighted variant: give every server the same weight"));
    }
    Ok(())
}
