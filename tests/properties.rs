//! Invariants of the hashing lab over random server sets and random sequences of changes.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use sysplay::sim::hashing::{HashingAction, HashingConfig, HashingLab, ServerSpec, modulo_share};

fn config(ring_size: u64, servers: &[Option<u64>]) -> HashingConfig {
    HashingConfig {
        ring_size,
        key_count: 500,
        vnodes: 1 + (ring_size % 3) as u32,
        servers: servers
            .iter()
            .enumerate()
            .map(|(i, p)| ServerSpec { name: format!("S{i}"), position: p.map(|p| p % ring_size), weight: 1 })
            .collect(),
        ..HashingConfig::default()
    }
}

fn servers() -> impl Strategy<Value = Vec<Option<u64>>> {
    prop::collection::vec(prop::option::of(any::<u64>()), 1..12)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn every_key_is_owned_by_a_live_server(seed: u64, m in 1u64..1_000_000, s in servers()) {
        let lab = HashingLab::new(seed, &config(m, &s)).unwrap();
        let live: Vec<u32> = lab.membership().ids();
        let (modulo, ring) = lab.assignments();
        prop_assert!(modulo.iter().chain(&ring).all(|id| live.contains(id)));
    }

    #[test]
    fn shares_add_up_to_the_whole_ring(seed: u64, m in 1u64..u64::MAX, s in servers()) {
        let lab = HashingLab::new(seed, &config(m, &s)).unwrap();
        let r = lab.report();
        let n = r.servers.len();
        prop_assert_eq!(r.servers.iter().map(|s| u128::from(s.ring_space)).sum::<u128>(), u128::from(m));
        prop_assert_eq!((0..n).map(|i| u128::from(modulo_share(m, n, i))).sum::<u128>(), u128::from(m));
        prop_assert_eq!(r.servers.iter().map(|s| s.ring_keys).sum::<u64>(), 500);
        prop_assert_eq!(r.servers.iter().map(|s| s.modulo_keys).sum::<u64>(), 500);
    }

    #[test]
    fn removing_a_server_moves_only_its_keys_on_the_ring(seed: u64, m in 2u64..1_000_000, s in servers(), pick: usize) {
        let mut lab = HashingLab::new(seed, &config(m, &s)).unwrap();
        prop_assume!(lab.membership().servers.len() > 1);
        let victim = lab.membership().servers[pick % s.len()].clone();
        let (_, before) = lab.assignments();
        lab.apply(&HashingAction::RemoveServer { name: victim.name.clone() }).unwrap();
        let (_, after) = lab.assignments();
        for (b, a) in before.iter().zip(&after) {
            prop_assert!(b == a || *b == victim.id, "a key of another server moved");
            prop_assert!(*a != victim.id);
        }
        let change = lab.report().last_change.unwrap();
        let owned = before.iter().filter(|&&id| id == victim.id).count() as u64;
        prop_assert_eq!(change.ring.moved_keys, owned);
        // The ring moves exactly the minimum possible: the removed server's keys, all flowing out of it.
        prop_assert_eq!(change.ring.min_possible_pct, Some(change.ring.moved_keys_pct));
        prop_assert!(change.ring.flows.iter().all(|f| f.from == victim.name));
        prop_assert_eq!(change.ring.flows.iter().map(|f| f.keys).sum::<u64>(), owned);
    }

    #[test]
    fn adding_a_server_moves_keys_only_to_it_on_the_ring(seed: u64, m in 2u64..1_000_000, s in servers(), p: Option<u64>) {
        let mut lab = HashingLab::new(seed, &config(m, &s)).unwrap();
        let (_, before) = lab.assignments();
        lab.apply(&HashingAction::AddServer { name: "new".into(), position: p.map(|p| p % m) }).unwrap();
        let new_id = lab.membership().servers.last().unwrap().id;
        let (_, after) = lab.assignments();
        for (b, a) in before.iter().zip(&after) {
            prop_assert!(b == a || *a == new_id);
        }
        // The exact key-space count agrees with the new server's share of the ring.
        let r = lab.report();
        let n = r.servers.len() as f64;
        let change = r.last_change.as_ref().unwrap();
        prop_assert_eq!(change.ring.min_possible_pct, Some(100.0 / n));
        prop_assert!(change.ring.flows.iter().all(|f| f.to == "new"));
        prop_assert_eq!(r.last_change.unwrap().ring.moved_space, Some(r.servers.last().unwrap().ring_space));
    }

    #[test]
    fn key_space_moved_matches_a_brute_force_count(seed: u64, m in 1u64..400, s in servers(), p: Option<u64>, remove: bool) {
        let mut lab = HashingLab::new(seed, &config(m, &s)).unwrap();
        let before = lab.membership().clone();
        let action = if remove && before.servers.len() > 1 {
            HashingAction::RemoveServer { name: before.servers[0].name.clone() }
        } else {
            HashingAction::AddServer { name: "new".into(), position: p.map(|p| p % m) }
        };
        lab.apply(&action).unwrap();
        let after = lab.membership().clone();
        let owner = |ms: &sysplay::sim::hashing::Membership, h: u64| {
            let ring = ms.ring();
            (ms.servers[ring.lookup(h).unwrap() as usize].id, ms.servers[(h % ms.servers.len() as u64) as usize].id)
        };
        let (mut ring_moved, mut modulo_moved) = (0, 0);
        for h in 0..m {
            let (rb, mb) = owner(&before, h);
            let (ra, ma) = owner(&after, h);
            ring_moved += u64::from(rb != ra);
            modulo_moved += u64::from(mb != ma);
        }
        let change = lab.report().last_change.unwrap();
        prop_assert_eq!(change.ring.moved_space, Some(ring_moved));
        prop_assert_eq!(change.modulo.moved_space, Some(modulo_moved));
    }

    /// Rings derived change by change (only the changed servers' points computed, the rest merged) are
    /// exactly the rings built from scratch, whatever the sequence of changes.
    #[test]
    fn derived_rings_equal_rings_built_from_scratch(
        seed: u64,
        m in 1u64..1_000_000,
        s in servers(),
        changes in prop::collection::vec((0u8..6, any::<u64>(), 1u32..4), 1..12),
    ) {
        let mut lab = HashingLab::new(seed, &config(m, &s)).unwrap();
        for (kind, x, w) in changes {
            let names: Vec<String> = lab.membership().servers.iter().map(|s| s.name.clone()).collect();
            let pick = || names.get(x as usize % names.len().max(1)).cloned().unwrap_or_default();
            let m = lab.membership().ring_size;
            let action = match kind {
                0 => HashingAction::AddServer { name: lab.next_free_name(), position: (x % 2 == 0).then_some(x % m) },
                1 => HashingAction::RemoveServer { name: pick() },
                2 => HashingAction::PlaceServer { name: pick(), position: (x % 3 != 0).then_some(x % m) },
                3 => HashingAction::SetWeight { name: pick(), weight: w },
                4 => HashingAction::SetVnodes { vnodes: w },
                _ => HashingAction::SetRingSize { ring_size: 1 + x % 1_000_000 },
            };
            if lab.apply(&action).is_err() {
                continue;
            }
            prop_assert_eq!(&*lab.ring(), &lab.membership().ring(), "after {}", action.describe());
            if let Some(before) = lab.previous_membership() {
                prop_assert_eq!(&*lab.previous_ring().unwrap(), &before.ring());
            }
        }
    }
}
