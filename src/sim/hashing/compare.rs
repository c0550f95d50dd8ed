//! Every placement algorithm on the lab's servers and keys, side by side: load spread, what the last
//! change moved (against the least possible), where keys went, and the lookup structure's size.

use super::algos::analysis::{self, LoadStats};
use super::algos::{Algo, AlgoParams, Backend, build};
use super::lab::{HashingLab, Membership};
use super::report::Flow;
use serde::Serialize;

/// One algorithm's numbers on the lab's current servers and keys.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AlgoReport {
    pub algo: Algo,
    /// Keys per server, in the lab's server order.
    pub keys_per_server: Vec<u64>,
    /// Balance against each server's weighted fair share.
    pub load: LoadStats,
    /// Keys whose server changed on the last change (`None` before any change).
    pub moved_keys: Option<u64>,
    pub moved_pct: Option<f64>,
    /// The least any scheme could move for that change, % of keys.
    pub min_possible_pct: Option<f64>,
    /// Moved keys by (from, to) server name, largest first.
    pub flows: Vec<Flow>,
    /// Size of the lookup structure, in bytes.
    pub memory_bytes: u64,
    /// Cost of one lookup, in big-O terms.
    pub lookup: &'static str,
    /// Why the algorithm cannot run on this membership (for example jump with unequal weights).
    pub unavailable: Option<String>,
    /// Keys compared (the first ones of the key set; see `keys_compared`).
    pub keys_used: u64,
}

/// Most keys compared per algorithm, so that seven algorithms over a million keys stay interactive.
pub const COMPARE_KEYS_MAX: usize = 100_000;
/// Most key x server steps for rendezvous, whose lookup visits every server.
pub const RENDEZVOUS_STEPS_MAX: usize = 20_000_000;

/// How many of `keys` the comparison of `algo` uses with `servers` servers.
pub fn keys_compared(algo: Algo, keys: usize, servers: usize) -> usize {
    let cap = if algo == Algo::Rendezvous { RENDEZVOUS_STEPS_MAX / servers.max(1) } else { usize::MAX };
    keys.min(COMPARE_KEYS_MAX).min(cap)
}

/// The parameters the lab uses: its virtual nodes for the ring and bounded loads, libmemcached's 160
/// points for ketama, Envoy's 65537-slot Maglev table, c = 1.25 for bounded loads.
pub fn lab_params(ms: &Membership) -> AlgoParams {
    AlgoParams { vnodes: ms.vnodes.max(1), ..AlgoParams::default() }
}

fn backends(ms: &Membership) -> Vec<Backend> {
    ms.servers.iter().map(|s| Backend::weighted(s.name.clone(), s.weight)).collect()
}

/// Big-O cost of one lookup.
pub fn lookup_cost(algo: Algo) -> &'static str {
    match algo {
        Algo::Modulo => "O(1)",
        Algo::Ring | Algo::Ketama => "O(log points)",
        Algo::Rendezvous => "O(servers)",
        Algo::Jump => "O(log servers)",
        Algo::Maglev => "O(1) table",
        Algo::Bounded => "O(log points) + probes",
    }
}

/// The chosen algorithms on the lab, in order.
pub fn compare(lab: &HashingLab, algos: &[Algo]) -> Vec<AlgoReport> {
    algos.iter().map(|&algo| one(algo, lab.membership(), lab.previous_membership(), lab.key_hashes())).collect()
}

fn one(algo: Algo, ms: &Membership, before: Option<&Membership>, keys: &[u64]) -> AlgoReport {
    let servers = ms.servers.len().max(before.map_or(0, |b| b.servers.len()));
    let keys = &keys[..keys_compared(algo, keys.len(), servers)];
    let mut report = AlgoReport {
        keys_used: keys.len() as u64,
        algo,
        keys_per_server: vec![0; ms.servers.len()],
        load: LoadStats { mean: 0.0, std_dev_pct: 0.0, max_over_mean: 0.0 },
        moved_keys: None,
        moved_pct: None,
        min_possible_pct: None,
        flows: Vec::new(),
        memory_bytes: 0,
        lookup: lookup_cost(algo),
        unavailable: None,
    };
    let now_backends = backends(ms);
    let placer = match build(algo, &now_backends, &lab_params(ms)) {
        Ok(p) => p,
        Err(e) => {
            report.unavailable = Some(e);
            return report;
        }
    };
    let now = placer.assign_all(keys);
    report.memory_bytes = placer.memory_bytes() as u64;
    report.keys_per_server = analysis::counts(&now, ms.servers.len());
    report.load = analysis::load_stats(&report.keys_per_server, &now_backends);
    let before = before.filter(|b| !b.servers.is_empty());
    let then_backends = before.map(backends);
    let then = before.zip(then_backends.as_ref()).and_then(|(b, bb)| build(algo, bb, &lab_params(b)).ok());
    if let (Some(then), Some(then_backends)) = (then, then_backends) {
        let m = analysis::compare(&then_backends, &then.assign_all(keys), &now_backends, &now);
        report.moved_keys = Some(m.moved_keys);
        report.moved_pct = Some(100.0 * m.moved_fraction);
        // The least possible is defined for servers joining or leaving, not for other changes.
        let names = |b: &[Backend]| b.iter().map(|x| x.name.clone()).collect::<std::collections::BTreeSet<_>>();
        let membership_changed = names(&then_backends) != names(&now_backends);
        report.min_possible_pct = membership_changed.then_some(100.0 * m.min_possible_fraction);
        let mut flows: Vec<Flow> = m
            .flows
            .iter()
            .map(|f| Flow {
                from: then_backends[f.from as usize].name.clone(),
                to: now_backends[f.to as usize].name.clone(),
                keys: f.keys,
            })
            .collect();
        flows.sort_by(|x, y| y.keys.cmp(&x.keys).then_with(|| (&x.from, &x.to).cmp(&(&y.from, &y.to))));
        report.flows = flows;
    }
    report
}

/// A digest of every algorithm's visible numbers (keys per server, moved keys, flows, spread bits),
/// equal natively and in wasm for the same lab.
pub fn fingerprint(reports: &[AlgoReport]) -> u64 {
    let mut bytes = Vec::new();
    let mut put = |v: u64| bytes.extend_from_slice(&v.to_le_bytes());
    for r in reports {
        put(crate::sim::hash::hash_str(r.algo.name()));
        r.keys_per_server.iter().for_each(|&k| put(k));
        put(r.moved_keys.unwrap_or(u64::MAX));
        put(r.load.std_dev_pct.to_bits());
        put(r.load.max_over_mean.to_bits());
        put(r.memory_bytes);
        for f in &r.flows {
            put(crate::sim::hash::hash_str(&f.from));
            put(crate::sim::hash::hash_str(&f.to));
            put(f.keys);
        }
    }
    crate::sim::hash::digest(&bytes)
}
