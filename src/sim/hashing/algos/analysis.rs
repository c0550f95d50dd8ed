//! What a membership change does to a key set: which keys move (identity by server name), where they
//! go, the least any scheme could move, and how even the load is. Plus an exact incremental count for
//! one server joining a ring, which touches only the arcs the new points claim.

use super::{Algo, AlgoParams, Backend, VnodeRing, build, vnode_position};
use crate::sim::hash::hash_u64;
use crate::sim::kernel::SimRng;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Keys that moved from one server to another: indices into the before and after lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flow {
    /// Server index in the list before the change.
    pub from: u32,
    /// Server index in the list after the change.
    pub to: u32,
    /// Number of keys.
    pub keys: u64,
}

/// How even a placement is, relative to each server's weighted fair share.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LoadStats {
    /// Mean keys per server.
    pub mean: f64,
    /// Standard deviation of load / fair share, in percent.
    pub std_dev_pct: f64,
    /// Largest load / fair share (1.0 is perfect balance).
    pub max_over_mean: f64,
}

/// Everything about one change of membership over one key set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MovementReport {
    /// Number of keys.
    pub keys: u64,
    /// Keys whose server (by name) changed.
    pub moved_keys: u64,
    /// `moved_keys / keys`.
    pub moved_fraction: f64,
    /// The least any scheme could move while giving new servers their weighted share (see
    /// [`min_possible_fraction`]).
    pub min_possible_fraction: f64,
    /// Keys per server before, in the before list's order.
    pub before_counts: Vec<u64>,
    /// Keys per server after, in the after list's order.
    pub after_counts: Vec<u64>,
    /// Moved keys by (from, to), sorted.
    pub flows: Vec<Flow>,
    /// Balance before.
    pub before_load: LoadStats,
    /// Balance after.
    pub after_load: LoadStats,
}

/// `count` request ids drawn from `seed` (ChaCha8, as the lab draws them), hashed with `hash_u64`.
pub fn sample_keys(seed: u64, count: usize) -> Vec<u64> {
    let mut rng = SimRng::new(seed);
    (0..count).map(|_| hash_u64(rng.next_u64())).collect()
}

/// Keys per server for an assignment over `servers` servers.
pub fn counts(assignment: &[u32], servers: usize) -> Vec<u64> {
    let mut counts = vec![0u64; servers];
    assignment.iter().for_each(|&s| counts[s as usize] += 1);
    counts
}

/// Load relative to weighted fair share (`keys × w / W`): mean keys per server, std dev and max.
pub fn load_stats(counts: &[u64], backends: &[Backend]) -> LoadStats {
    assert_eq!(counts.len(), backends.len());
    let keys: u64 = counts.iter().sum();
    if keys == 0 || backends.is_empty() {
        return LoadStats { mean: 0.0, std_dev_pct: 0.0, max_over_mean: 0.0 };
    }
    let values: Vec<f64> = counts.iter().map(|&c| c as f64).collect();
    let weights: Vec<f64> = backends.iter().map(|b| f64::from(b.weight)).collect();
    let (std_dev_pct, max_over_mean) = relative_spread(&values, &weights, keys as f64);
    LoadStats { mean: keys as f64 / backends.len() as f64, std_dev_pct, max_over_mean }
}

/// Standard deviation (% of the fair share) and maximum over the fair share of `values`, where each
/// one's fair share is `total x weight / sum of weights`.
pub fn relative_spread(values: &[f64], weights: &[f64], total: f64) -> (f64, f64) {
    let weight_sum: f64 = weights.iter().sum();
    let ratios: Vec<f64> = values.iter().zip(weights).map(|(v, w)| v / (total * w / weight_sum)).collect();
    let var = ratios.iter().map(|r| (r - 1.0) * (r - 1.0)).sum::<f64>() / ratios.len() as f64;
    (100.0 * var.sqrt(), ratios.iter().copied().fold(0.0, f64::max))
}

/// The least fraction any scheme could move: the removed servers' keys must move, and the added
/// servers must receive their weighted share of all keys; removed keys can go straight to new servers,
/// so it is the larger of the two. Adding one equal server to N gives 1/(N+1).
pub fn min_possible_fraction(before: &[Backend], before_counts: &[u64], after: &[Backend]) -> f64 {
    let keys: u64 = before_counts.iter().sum();
    if keys == 0 {
        return 0.0;
    }
    let kept = |b: &Backend, list: &[Backend]| list.iter().any(|o| o.name == b.name);
    let removed: u64 = before.iter().zip(before_counts).filter(|(b, _)| !kept(b, after)).map(|(_, &c)| c).sum();
    let after_weight: u64 = after.iter().map(|b| u64::from(b.weight)).sum();
    let added_weight: u64 = after.iter().filter(|b| !kept(b, before)).map(|b| u64::from(b.weight)).sum();
    let added_share = if after_weight == 0 { 0.0 } else { added_weight as f64 / after_weight as f64 };
    (removed as f64 / keys as f64).max(added_share)
}

/// Compares two assignments of the same keys (indices into `before` and `after`; identity by name).
pub fn compare(before: &[Backend], before_assign: &[u32], after: &[Backend], after_assign: &[u32]) -> MovementReport {
    assert_eq!(before_assign.len(), after_assign.len(), "the same keys on both sides");
    // Where each before-server lives in the after list, if it survived.
    let survivor: Vec<Option<u32>> =
        before.iter().map(|b| after.iter().position(|a| a.name == b.name).map(|i| i as u32)).collect();
    let mut flows: BTreeMap<(u32, u32), u64> = BTreeMap::new();
    for (&f, &t) in before_assign.iter().zip(after_assign) {
        if survivor[f as usize] != Some(t) {
            *flows.entry((f, t)).or_default() += 1;
        }
    }
    let keys = before_assign.len() as u64;
    let moved_keys: u64 = flows.values().sum();
    let (before_counts, after_counts) = (counts(before_assign, before.len()), counts(after_assign, after.len()));
    MovementReport {
        keys,
        moved_keys,
        moved_fraction: if keys == 0 { 0.0 } else { moved_keys as f64 / keys as f64 },
        min_possible_fraction: min_possible_fraction(before, &before_counts, after),
        before_load: load_stats(&before_counts, before),
        after_load: load_stats(&after_counts, after),
        before_counts,
        after_counts,
        flows: flows.into_iter().map(|((from, to), keys)| Flow { from, to, keys }).collect(),
    }
}

/// Places `keys` before and after a change under `algo` (full recompute) and compares.
pub fn movement(
    algo: Algo,
    before: &[Backend],
    after: &[Backend],
    params: &AlgoParams,
    keys: &[u64],
) -> Result<MovementReport, String> {
    let (b, a) = (build(algo, before, params)?, build(algo, after, params)?);
    Ok(compare(before, &b.assign_all(keys), after, &a.assign_all(keys)))
}

/// Exact keys moved when `joining` (weight w: `vnodes × w` points) joins `ring`: for each new point,
/// the keys between its predecessor (old or new) and itself; they come from the old owner of that
/// position. `sorted_keys` must be sorted. O(points × (log ring + log keys)). The joining server gets
/// index `ring.backends()`; flows are sorted by `from`.
pub fn ring_join_movement(ring: &VnodeRing, joining: &Backend, vnodes: u32, sorted_keys: &[u64]) -> (u64, Vec<Flow>) {
    debug_assert!(sorted_keys.is_sorted());
    let old = ring.continuum();
    let mut new_points: Vec<u64> = (0..joining.weight * vnodes).map(|i| vnode_position(&joining.name, i)).collect();
    new_points.sort_unstable();
    let at_or_below = |x: u64| sorted_keys.partition_point(|&k| k <= x) as u64;
    let old_positions = old.positions();
    let last_overall = old_positions[old_positions.len() - 1].max(new_points[new_points.len() - 1]);
    let to = ring.backends() as u32;
    let mut flows: BTreeMap<u32, u64> = BTreeMap::new();
    for (j, &p) in new_points.iter().enumerate() {
        // Old points at p sort first (lower owner index) and keep the keys at p.
        let n_old = old_positions.partition_point(|&q| q <= p);
        let pred_old = n_old.checked_sub(1).map(|i| old_positions[i]);
        let pred_new = j.checked_sub(1).map(|i| new_points[i]);
        let keys = match pred_old.max(pred_new) {
            Some(pred) => at_or_below(p) - at_or_below(pred),
            // p is the first point of the ring: it takes the wrap-around arc (last, MAX] and [0, p].
            None => (sorted_keys.len() as u64 - at_or_below(last_overall)) + at_or_below(p),
        };
        if keys > 0 {
            *flows.entry(old.owner_of(p)).or_default() += keys;
        }
    }
    let moved = flows.values().sum();
    (moved, flows.into_iter().map(|(from, keys)| Flow { from, to, keys }).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incremental_join_equals_full_recompute() {
        let keys = sample_keys(9, 20_000);
        let mut sorted = keys.clone();
        sorted.sort_unstable();
        for (n, vnodes, weight) in [(1usize, 1u32, 1u32), (1, 3, 1), (5, 10, 1), (12, 40, 3)] {
            let before = Backend::numbered(n);
            let joining = Backend::weighted(format!("S{n}"), weight);
            let mut after = before.clone();
            after.push(joining.clone());
            let params = AlgoParams { vnodes, ..AlgoParams::default() };
            let full = movement(Algo::Ring, &before, &after, &params, &keys).unwrap();
            let ring = VnodeRing::new(&before, vnodes).unwrap();
            let (moved, flows) = ring_join_movement(&ring, &joining, vnodes, &sorted);
            assert_eq!(moved, full.moved_keys, "n={n} vnodes={vnodes}");
            assert_eq!(flows, full.flows, "n={n} vnodes={vnodes}");
        }
    }

    #[test]
    fn min_possible_is_one_in_n_plus_one_when_adding_and_the_victims_keys_when_removing() {
        let (four, five) = (Backend::numbered(4), Backend::numbered(5));
        assert_eq!(min_possible_fraction(&four, &[25, 25, 25, 25], &five), 0.2);
        assert_eq!(min_possible_fraction(&five, &[10, 20, 30, 20, 20], &four), 0.2);
        assert_eq!(min_possible_fraction(&five, &[10, 20, 30, 20, 20], &five[1..]), 0.1);
    }

    #[test]
    fn modulo_four_to_five_moves_eighty_percent_with_flows_summing_up() {
        let keys: Vec<u64> = (0..100).collect();
        let r = movement(Algo::Modulo, &Backend::numbered(4), &Backend::numbered(5), &AlgoParams::default(), &keys)
            .unwrap();
        assert_eq!(r.moved_keys, 80);
        assert_eq!(r.flows.iter().map(|f| f.keys).sum::<u64>(), 80);
        assert_eq!(r.before_counts, vec![25; 4]);
        assert_eq!(r.after_counts, vec![20; 5]);
        assert_eq!(r.after_load.std_dev_pct, 0.0);
        assert_eq!(r.after_load.max_over_mean, 1.0);
    }
}
