//! Everything the hashing lab shows, computed exactly from the lab: keys per server, key-space shares,
//! and what moved on the last change.

use super::Ring;
use super::algos::analysis::relative_spread;
use super::lab::{HashingLab, KeyOrder, Membership, pct, ring_space_moved};
use super::{modulo_share, modulo_space_moved};
use serde::Serialize;

/// One server's load under both schemes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ServerReport {
    pub name: String,
    pub position: u64,
    pub placed_by: &'static str,
    /// Relative capacity.
    pub weight: u32,
    /// Ring points (virtual nodes x weight).
    pub points: u64,
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
    /// The least any scheme must move for this change, as % of keys: the new servers' fair share when
    /// adding, the removed servers' keys when removing; `None` for other changes.
    pub min_possible_pct: Option<f64>,
    /// Where the moved keys went: (from, to, keys), largest first, at most [`FLOWS_KEPT`] of them.
    pub flows: Vec<Flow>,
    /// The other (smaller) flows: how many, and the keys they moved.
    pub other_flows: u64,
    pub other_flow_keys: u64,
}

/// Flows a report lists one by one: modulo on a thousand servers moves keys between hundreds of
/// thousands of pairs, which no one reads; the rest are counted and summed.
pub const FLOWS_KEPT: usize = 64;

/// The largest flows and what the rest add up to.
struct Flows {
    largest: Vec<Flow>,
    others: u64,
    other_keys: u64,
}

/// Keys that moved from one server to another.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Flow {
    pub from: String,
    pub to: String,
    pub keys: u64,
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

/// How evenly the ring spreads load, relative to each server's fair share (weight / total weight).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Spread {
    /// Standard deviation of the key-space shares, as % of the fair share (exact, from the arcs).
    pub space_std_dev_pct: f64,
    /// Largest key-space share over the fair share.
    pub space_max_over_mean: f64,
    /// Standard deviation of the keys per server, as % of the fair count.
    pub keys_std_dev_pct: f64,
    /// Most keys on one server over the fair count.
    pub keys_max_over_mean: f64,
    /// Theory for k random points per server among N servers: sqrt((N-1)/(kN+1)) (the Beta(k, k(N-1))
    /// share of k of kN uniform spacings), about 1/sqrt(k) for many servers.
    pub theory_std_dev_pct: f64,
}

/// The lab's whole report; the command line prints it as JSON.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HashingReport {
    pub ring_size: u64,
    pub key_count: u64,
    /// Ring points per unit of weight.
    pub vnodes: u32,
    /// Load spread on the ring; `None` without servers.
    pub spread: Option<Spread>,
    pub servers: Vec<ServerReport>,
    pub last_change: Option<ChangeReport>,
    pub history: Vec<HistoryEntry>,
    pub probe: Option<ProbeReport>,
}

/// Server id of every key under both schemes.
#[derive(Clone, Debug)]
pub(super) struct Assignment {
    /// By request id.
    pub modulo: Vec<u32>,
    /// By request id, or (when `sorted`) in the order of the lab's [`KeyOrder`]: counts and comparisons
    /// of two assignments in the same order need no other.
    pub ring: Vec<u32>,
    pub sorted: bool,
}

impl Assignment {
    /// The ring servers by request id.
    pub fn ring_by_key(&self, order: &KeyOrder) -> Vec<u32> {
        if !self.sorted {
            return self.ring.clone();
        }
        let mut by_key = vec![NONE; self.ring.len()];
        for (&id, &server) in order.ids.iter().zip(&self.ring) {
            by_key[id as usize] = server;
        }
        by_key
    }
}

/// No owner (no servers).
const NONE: u32 = u32::MAX;

/// Server id of every key under both schemes, by request id; `ring` must be `ms.ring()` (callers build
/// it once).
pub(super) fn assign(ms: &Membership, ring: &Ring, key_hashes: &[u64]) -> Assignment {
    assign_ordered(ms, ring, key_hashes, None)
}

/// [`assign`]; given the keys in `order` (sorted by position on `ms`'s ring), the ring servers come in
/// that order, found by walking the keys and the ring's points together instead of a lookup per key
/// (a million lookups on a million points miss the cache at nearly every one).
fn assign_ordered(ms: &Membership, ring: &Ring, key_hashes: &[u64], order: Option<&KeyOrder>) -> Assignment {
    let m = ms.ring_size;
    let n = ms.servers.len() as u64;
    let ids = ms.ids();
    let modulo = key_hashes.iter().map(|&k| if n == 0 { NONE } else { ids[((k % m) % n) as usize] }).collect();
    match order.filter(|o| o.ring_size == m && o.ids.len() == key_hashes.len()) {
        Some(order) if !ring.is_empty() => {
            let (positions, owners) = (ring.positions(), ring.owners());
            let mut point = 0;
            let on_ring = order
                .positions
                .iter()
                .map(|&position| {
                    while point < positions.len() && positions[point] < position {
                        point += 1;
                    }
                    ids[owners[if point == positions.len() { 0 } else { point }] as usize]
                })
                .collect();
            Assignment { modulo, ring: on_ring, sorted: true }
        }
        _ => {
            let on_ring =
                key_hashes.iter().map(|&k| ring.lookup(k % m).map_or(NONE, |slot| ids[slot as usize])).collect();
            Assignment { modulo, ring: on_ring, sorted: false }
        }
    }
}

fn spread(servers: &[ServerReport], vnodes: u32, ring_size: u64, keys: u64) -> Option<Spread> {
    if servers.is_empty() {
        return None;
    }
    let weights: Vec<f64> = servers.iter().map(|s| f64::from(s.weight)).collect();
    let space: Vec<f64> = servers.iter().map(|s| s.ring_space as f64).collect();
    let counts: Vec<f64> = servers.iter().map(|s| s.ring_keys as f64).collect();
    let (space_std_dev_pct, space_max_over_mean) = relative_spread(&space, &weights, ring_size as f64);
    let (keys_std_dev_pct, keys_max_over_mean) =
        if keys == 0 { (0.0, 0.0) } else { relative_spread(&counts, &weights, keys as f64) };
    let (n, k) = (servers.len() as f64, f64::from(vnodes.max(1)));
    Some(Spread {
        space_std_dev_pct,
        space_max_over_mean,
        keys_std_dev_pct,
        keys_max_over_mean,
        theory_std_dev_pct: 100.0 * ((n - 1.0) / (k * n + 1.0)).sqrt(),
    })
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

/// The least movement a change allows (see `Movement::min_possible_pct`).
fn min_possible(before: &Membership, after: &Membership, then: &[u32], keys: u64) -> Option<f64> {
    let has = |ms: &Membership, id: u32| ms.servers.iter().any(|s| s.id == id);
    let added: Vec<_> = after.servers.iter().filter(|s| !has(before, s.id)).collect();
    let removed: Vec<u32> = before.servers.iter().filter(|s| !has(after, s.id)).map(|s| s.id).collect();
    let same_layout = before.ring_size == after.ring_size && before.vnodes == after.vnodes;
    match (added.is_empty(), removed.is_empty()) {
        (false, true) if same_layout && !before.servers.is_empty() => {
            let total: u64 = after.servers.iter().map(|s| u64::from(s.weight)).sum();
            let new: u64 = added.iter().map(|s| u64::from(s.weight)).sum();
            Some(100.0 * new as f64 / total as f64)
        }
        (true, false) if same_layout => Some(pct(then.iter().filter(|id| removed.contains(id)).count() as u64, keys)),
        _ => None,
    }
}

/// Moved keys grouped by (from, to) server, largest first (ties by names, so the order is stable): the
/// largest [`FLOWS_KEPT`], and the others counted.
fn flows(then: &[u32], now: &[u32], before: &Membership, after: &Membership) -> Flows {
    // Names by id (ids are dense: one per server ever added), and each id's rank among the names in
    // their string order, so flows sort on integers (equal names, a server removed and added again,
    // share a rank, as their strings compare equal).
    let mut names: Vec<Option<&str>> = Vec::new();
    for s in before.servers.iter().chain(&after.servers) {
        let i = s.id as usize;
        if names.len() <= i {
            names.resize(i + 1, None);
        }
        names[i].get_or_insert(&s.name);
    }
    let name = |id: u32| names.get(id as usize).copied().flatten().unwrap_or("(none)");
    let mut sorted: Vec<&str> = names.iter().flatten().copied().chain(["(none)"]).collect();
    sorted.sort_unstable();
    sorted.dedup();
    let ranks: Vec<usize> =
        (0..=names.len() as u32).map(|id| sorted.binary_search(&name(id)).expect("every name is ranked")).collect();
    let rank = |id: u32| ranks.get(id as usize).copied().unwrap_or_else(|| ranks[names.len()]);
    let moved = then.iter().zip(now).filter(|(a, b)| a != b);
    // Server ids are small (one per server ever added): count in a dense from x to table when it is
    // small, otherwise sort packed pairs and count runs. Neither depends on a hasher's order.
    let ids = before.servers.iter().chain(&after.servers).map(|s| s.id as usize + 1).max().unwrap_or(0);
    let mut counted: Vec<((u32, u32), u64)> = Vec::new();
    // With no servers on one side, keys have no owner (NONE): the sorted path names it "(none)".
    if ids <= 256 && !before.servers.is_empty() && !after.servers.is_empty() {
        let mut table = vec![0u64; ids * ids];
        for (&a, &b) in moved {
            table[a as usize * ids + b as usize] += 1;
        }
        for (i, &keys) in table.iter().enumerate().filter(|(_, k)| **k > 0) {
            counted.push((((i / ids) as u32, (i % ids) as u32), keys));
        }
    } else {
        let mut pairs: Vec<u64> = moved.map(|(&a, &b)| (u64::from(a) << 32) | u64::from(b)).collect();
        pairs.sort_unstable();
        for run in pairs.chunk_by(|a, b| a == b) {
            counted.push((((run[0] >> 32) as u32, run[0] as u32), run.len() as u64));
        }
    }
    // One u64 per flow, ordered as the list is (most keys first, then the names): the complement of the
    // keys (at most KEYS_MAX < 2^32) above the two names' ranks (fewer than 2^16 names: servers ever
    // added).
    debug_assert!(sorted.len() <= 1 << 16, "names fit 16 bits");
    let mut packed: Vec<u64> = counted
        .into_iter()
        .map(|((a, b), keys)| {
            (u64::from(u32::MAX) - keys.min(u64::from(u32::MAX))) << 32 | (rank(a) << 16 | rank(b)) as u64
        })
        .collect();
    let unpack = |f: u64| (u64::from(u32::MAX) - (f >> 32), (f >> 16) as u16 as usize, f as u16 as usize);
    if packed.len() > FLOWS_KEPT {
        packed.select_nth_unstable(FLOWS_KEPT);
    }
    let rest = packed.split_off(packed.len().min(FLOWS_KEPT));
    packed.sort_unstable();
    Flows {
        largest: packed
            .into_iter()
            .map(unpack)
            .map(|(keys, from, to)| Flow { from: sorted[from].to_string(), to: sorted[to].to_string(), keys })
            .collect(),
        others: rest.len() as u64,
        other_keys: rest.into_iter().map(|f| unpack(f).0).sum(),
    }
}

fn moved(a: &[u32], b: &[u32]) -> u64 {
    a.iter().zip(b).filter(|(x, y)| x != y).count() as u64
}

impl HashingLab {
    /// Server id of every request id under both schemes on `ms` (this lab's membership now or before
    /// the last change) and its ring.
    fn assign(&self, ms: &Membership, ring: &Ring) -> Assignment {
        assign_ordered(ms, ring, &self.key_hashes, Some(&self.key_order))
    }

    /// Server id of every key under both schemes, in key order.
    pub fn assignments(&self) -> (Vec<u32>, Vec<u32>) {
        let a = self.assign(&self.membership, &self.ring());
        let ring = a.ring_by_key(&self.key_order);
        (a.modulo, ring)
    }

    /// The numbers a user sees, as bytes in a fixed order, for run digests: every server's name,
    /// position, share and keys, what the last change moved, the history, the probe, and every key's
    /// server under both schemes. Only a change of semantics changes it, not a new report field.
    pub fn fingerprint(&self) -> Vec<u8> {
        let ring = self.ring();
        let now = self.assign(&self.membership, &ring);
        let r = self.report_from(&ring, &now);
        let mut out = Vec::new();
        let mut put = |v: u64| out.extend_from_slice(&v.to_le_bytes());
        put(r.ring_size);
        put(r.key_count);
        for s in &r.servers {
            put(crate::sim::hash::hash_str(&s.name));
            for v in [s.position, s.ring_space, s.ring_keys, s.modulo_keys, s.ring_space_pct.to_bits()] {
                put(v);
            }
        }
        if let Some(c) = &r.last_change {
            for m in [&c.modulo, &c.ring] {
                put(m.moved_keys);
                put(m.moved_space.unwrap_or(u64::MAX));
            }
        }
        for h in &r.history {
            put(h.modulo_space_moved_pct.map_or(u64::MAX, f64::to_bits));
            put(h.ring_space_moved_pct.map_or(u64::MAX, f64::to_bits));
        }
        if let Some(p) = &r.probe {
            put(p.hash);
            put(p.position);
        }
        for id in now.modulo.iter().chain(&now.ring_by_key(&self.key_order)) {
            out.extend_from_slice(&id.to_le_bytes());
        }
        out
    }

    /// LRU caches per server through the last change (modulo vs ring); `None` before any change.
    /// Kept out of `report` because it simulates tens of thousands of requests.
    pub fn cache_affinity(&self) -> Option<super::cache::CacheAffinity> {
        let (before, _) = self.previous.as_ref()?;
        let (rb, ra) = (self.previous_ring()?, self.ring());
        super::cache::cache_affinity((before, &rb), (&self.membership, &ra), &self.key_hashes, self.seed)
    }

    /// Computes the report over all keys and the whole key space.
    pub fn report(&self) -> HashingReport {
        let ring = self.ring();
        match &self.assigned {
            Some(assigned) => self.report_from(&ring, &assigned.0),
            None => self.report_from(&ring, &self.assign(&self.membership, &ring)),
        }
    }

    /// Finds every key's server now and before the last change (the larger part of the report's work),
    /// so that a page computes them in a step of their own before [`HashingLab::report`].
    pub fn prepare_report(&mut self) {
        if self.dry || self.assigned.is_some() {
            return;
        }
        let now = self.assign(&self.membership, &self.ring());
        let then = self.previous.as_ref().map(|(before, _)| {
            let ring = self.previous_ring().expect("a last change has a ring before it");
            self.assign(before, &ring)
        });
        self.assigned = Some(std::sync::Arc::new((now, then)));
    }

    /// The report given the current ring and every key's server under both schemes.
    fn report_from(&self, ring: &Ring, now: &Assignment) -> HashingReport {
        let ms = &self.membership;
        let m = ms.ring_size;
        let keys = self.key_hashes.len() as u64;
        let n = ms.servers.len();
        let space = ring.space_owned(m, n);
        let ring_counts = count_by_id(&now.ring);
        let modulo_counts = count_by_id(&now.modulo);
        let count = |counts: &[u64], id: u32| counts.get(id as usize).copied().unwrap_or(0);
        let servers: Vec<ServerReport> = ms
            .servers
            .iter()
            .enumerate()
            .map(|(slot, s)| ServerReport {
                name: s.name.clone(),
                position: s.position,
                placed_by: if s.by_hand { "hand" } else { "hash" },
                weight: s.weight,
                points: u64::from(ms.vnodes.max(1)) * u64::from(s.weight.max(1)),
                ring_keys: count(&ring_counts, s.id),
                modulo_keys: count(&modulo_counts, s.id),
                ring_space: space[slot],
                ring_space_pct: pct(space[slot], m),
                modulo_space_pct: pct(modulo_share(m, n, slot), m),
            })
            .collect();
        let last_change = self.previous.as_ref().map(|(before, change)| {
            let ring_before = self.previous_ring().expect("a last change has a ring before it");
            let then = match self.assigned.as_ref().and_then(|a| a.1.as_ref()) {
                Some(then) => std::borrow::Cow::Borrowed(then),
                None => std::borrow::Cow::Owned(self.assign(before, &ring_before)),
            };
            // Both in the same order (the keys' order on the ring, unless the ring's size changed).
            let (then_ring, now_ring) = if then.sorted == now.sorted {
                (std::borrow::Cow::Borrowed(then.ring.as_slice()), std::borrow::Cow::Borrowed(now.ring.as_slice()))
            } else {
                (then.ring_by_key(&self.key_order).into(), now.ring_by_key(&self.key_order).into())
            };
            let (then_ring, now_ring): (&[u32], &[u32]) = (&then_ring, &now_ring);
            let same_space = before.ring_size == m;
            let movement = |then: &[u32], now: &[u32], moved_space: Option<u64>| {
                let moved_keys = moved(then, now);
                let flows = flows(then, now, before, ms);
                Movement {
                    moved_keys,
                    moved_keys_pct: pct(moved_keys, keys),
                    moved_space,
                    moved_space_pct: moved_space.map(|s| pct(s, m)),
                    min_possible_pct: min_possible(before, ms, then, keys),
                    flows: flows.largest,
                    other_flows: flows.others,
                    other_flow_keys: flows.other_keys,
                }
            };
            ChangeReport {
                change: change.clone(),
                modulo: movement(
                    &then.modulo,
                    &now.modulo,
                    same_space.then(|| modulo_space_moved(m, &before.ids(), &ms.ids())),
                ),
                ring: movement(
                    then_ring,
                    now_ring,
                    same_space.then(|| ring_space_moved(before, &ring_before, ms, ring)),
                ),
            }
        });
        let probe = self.probe.map(|hash| {
            let position = hash % m;
            let name = |slot: Option<usize>| slot.map(|i| ms.servers[i].name.clone());
            ProbeReport {
                hash,
                position,
                ring_server: name(ring.lookup(position).map(|s| s as usize)),
                modulo_server: name((n > 0).then(|| (position % n as u64) as usize)),
            }
        });
        let spread = spread(&servers, ms.vnodes, m, keys);
        HashingReport {
            ring_size: m,
            key_count: keys,
            vnodes: ms.vnodes,
            spread,
            servers,
            last_change,
            history: self.history.clone(),
            probe,
        }
    }
}
