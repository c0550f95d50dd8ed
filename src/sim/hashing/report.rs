//! Everything the hashing lab shows, computed exactly from the lab: keys per server, key-space shares,
//! and what moved on the last change.

use super::lab::{HashingLab, Membership, pct, ring_space_moved};
use super::{modulo_share, modulo_space_moved};
use serde::Serialize;

/// One server's load under both schemes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ServerReport {
    pub name: String,
    pub position: u64,
    pub placed_by: &'static str,
    /// Keys (request ids) this server gets on the ring.
    pub ring_keys: u64,
    /// Keys this server gets under modulo hashing.
    pub modulo_keys: u64,
    /// Ring positions (hash values) this server owns, out of M.
    pub ring_space: u64,
    pub ring_space_pct: f64,
    /// Hash values this server gets under modulo, as a percentage of M.
    pub modulo_space_pct: f64,
}

/// How much moved under one scheme on a change.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Movement {
    /// Request ids whose server changed.
    pub moved_keys: u64,
    pub moved_keys_pct: f64,
    /// Hash values (of M) whose server changed; `None` when M itself changed.
    pub moved_space: Option<u64>,
    pub moved_space_pct: Option<f64>,
}

/// The last change and what it moved.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChangeReport {
    pub change: String,
    pub modulo: Movement,
    pub ring: Movement,
}

/// One past change, with the exact share of the key space it moved.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HistoryEntry {
    pub step: u32,
    pub change: String,
    pub servers: u32,
    pub modulo_space_moved_pct: Option<f64>,
    pub ring_space_moved_pct: Option<f64>,
}

/// Where one followed hash value lands.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProbeReport {
    pub hash: u64,
    /// `hash % M`.
    pub position: u64,
    /// The ring server: the first clockwise at or after `position`.
    pub ring_server: Option<String>,
    /// The modulo server: number `position % N`.
    pub modulo_server: Option<String>,
}

/// The lab's whole report; the command line prints it as JSON.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HashingReport {
    pub ring_size: u64,
    pub key_count: u64,
    pub servers: Vec<ServerReport>,
    pub last_change: Option<ChangeReport>,
    pub history: Vec<HistoryEntry>,
    pub probe: Option<ProbeReport>,
}

/// Server id of every key under both schemes.
pub(super) struct Assignment {
    pub modulo: Vec<u32>,
    pub ring: Vec<u32>,
}

/// No owner (no servers).
const NONE: u32 = u32::MAX;

pub(super) fn assign(ms: &Membership, key_hashes: &[u64]) -> Assignment {
    let m = ms.ring_size;
    let n = ms.servers.len() as u64;
    let ring = ms.ring();
    let ids = ms.ids();
    let modulo = key_hashes.iter().map(|&k| if n == 0 { NONE } else { ids[((k % m) % n) as usize] }).collect();
    let ring = key_hashes.iter().map(|&k| ring.lookup(k % m).map_or(NONE, |slot| ids[slot as usize])).collect();
    Assignment { modulo, ring }
}

/// Keys per server id (ids are small: one per server ever added).
fn count_by_id(owners: &[u32]) -> Vec<u64> {
    let mut counts = Vec::new();
    for &id in owners.iter().filter(|&&id| id != NONE) {
        if counts.len() <= id as usize {
            counts.resize(id as usize + 1, 0);
        }
        counts[id as usize] += 1;
    }
    counts
}

fn moved(a: &[u32], b: &[u32]) -> u64 {
    a.iter().zip(b).filter(|(x, y)| x != y).count() as u64
}

impl HashingLab {
    /// Server id of every key under both schemes, in key order.
    pub fn assignments(&self) -> (Vec<u32>, Vec<u32>) {
        let a = assign(&self.membership, &self.key_hashes);
        (a.modulo, a.ring)
    }

    /// Computes the report over all keys and the whole key space.
    pub fn report(&self) -> HashingReport {
        let ms = &self.membership;
        let m = ms.ring_size;
        let keys = self.key_hashes.len() as u64;
        let now = assign(ms, &self.key_hashes);
        let n = ms.servers.len();
        let space = ms.ring().space_owned(m, n);
        let ring_counts = count_by_id(&now.ring);
        let modulo_counts = count_by_id(&now.modulo);
        let count = |counts: &[u64], id: u32| counts.get(id as usize).copied().unwrap_or(0);
        let servers = ms
            .servers
            .iter()
            .enumerate()
            .map(|(slot, s)| ServerReport {
                name: s.name.clone(),
                position: s.position,
                placed_by: if s.by_hand { "hand" } else { "hash" },
                ring_keys: count(&ring_counts, s.id),
                modulo_keys: count(&modulo_counts, s.id),
                ring_space: space[slot],
                ring_space_pct: pct(space[slot], m),
                modulo_space_pct: pct(modulo_share(m, n, slot), m),
            })
            .collect();
        let last_change = self.previous.as_ref().map(|(before, change)| {
            let then = assign(before, &self.key_hashes);
            let same_space = before.ring_size == m;
            let movement = |moved_keys: u64, moved_space: Option<u64>| Movement {
                moved_keys,
                moved_keys_pct: pct(moved_keys, keys),
                moved_space,
                moved_space_pct: moved_space.map(|s| pct(s, m)),
            };
            ChangeReport {
                change: change.clone(),
                modulo: movement(
                    moved(&then.modulo, &now.modulo),
                    same_space.then(|| modulo_space_moved(m, &before.ids(), &ms.ids())),
                ),
                ring: movement(moved(&then.ring, &now.ring), same_space.then(|| ring_space_moved(before, ms))),
            }
        });
        let probe = self.probe.map(|hash| {
            let position = hash % m;
            let name = |slot: Option<usize>| slot.map(|i| ms.servers[i].name.clone());
            ProbeReport {
                hash,
                position,
                ring_server: name(ms.ring().lookup(position).map(|s| s as usize)),
                modulo_server: name((n > 0).then(|| (position % n as u64) as usize)),
            }
        });
        HashingReport { ring_size: m, key_count: keys, servers, last_change, history: self.history.clone(), probe }
    }
}
