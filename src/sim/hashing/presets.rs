//! Named hashing scenarios reproducing the worked examples of the notes; each is also a native test.

use super::algos::Algo;
use super::contract::Hashing;
use super::{HashingAction, HashingConfig, ServerSpec};
use crate::scenario::LabPreset;

/// The seed every preset draws its keys from.
pub const PRESET_SEED: u64 = 2024;

/// A starting configuration and the changes made to it.
type Setup = (HashingConfig, Vec<HashingAction>);

fn by_hand(servers: &[(&str, u64)]) -> Vec<ServerSpec> {
    servers.iter().map(|&(name, p)| ServerSpec { name: name.into(), position: Some(p), weight: 1 }).collect()
}

fn by_hash(count: usize) -> Vec<ServerSpec> {
    (0..count).map(|i| ServerSpec { name: format!("S{i}"), position: None, weight: 1 }).collect()
}

/// A comparison preset: `servers` by hash on a 2^32 ring with `vnodes`, the split view on `split`.
fn compare(servers: Vec<ServerSpec>, vnodes: u32, split: (Algo, Algo), actions: Vec<HashingAction>) -> Setup {
    (HashingConfig { ring_size: 1 << 32, key_count: 20_000, servers, vnodes, split }, actions)
}

fn hashing(ring_size: u64, servers: Vec<ServerSpec>, actions: Vec<HashingAction>) -> Setup {
    (HashingConfig { ring_size, key_count: 10_000, servers, ..HashingConfig::default() }, actions)
}

/// A preset whose actions are recorded one after another (1 ms apart), as the page records them.
fn preset(
    name: &'static str,
    title: &'static str,
    explains: &'static str,
    (config, actions): Setup,
) -> LabPreset<Hashing> {
    let actions = actions.into_iter().enumerate().map(|(i, a)| (i as u64, a)).collect();
    LabPreset { name, title, explains, seed: PRESET_SEED, config, actions }
}

/// The hashing lab's presets, in the order the page lists them.
pub fn hashing_presets() -> Vec<LabPreset<Hashing>> {
    vec![
        preset(
            "add-fifth-server",
            "Add a fifth server",
            "Four servers placed by hash on a ring of 1000 positions, then S4 joins: compare what moves.",
            hashing(1000, by_hash(4), vec![HashingAction::AddServer { name: "S4".into(), position: None }]),
        ),
        preset(
            "modulo-4-to-5",
            "Modulo: 4 → 5 servers",
            "Under h % N, going from 4 to 5 servers moves 80% of the key space: only h mod 20 in 0..3 stays.",
            hashing(100, by_hash(4), vec![HashingAction::AddServer { name: "S4".into(), position: None }]),
        ),
        preset(
            "ring-add-s3",
            "Ring: add S3 at 90",
            "S0=20, S1=80, S2=200, then S3=90 joins: only the keys 81..90 move, all to S3.",
            hashing(
                256,
                by_hand(&[("S0", 20), ("S1", 80), ("S2", 200)]),
                vec![HashingAction::AddServer { name: "S3".into(), position: Some(90) }],
            ),
        ),
        preset(
            "ring-skew",
            "Ring: skewed servers",
            "S1=10, S2=11, S3=12, S4=90 on a ring of 100: S4 owns 13..90, 78% of the key space.",
            hashing(100, by_hand(&[("S1", 10), ("S2", 11), ("S3", 12), ("S4", 90)]), vec![]),
        ),
        preset(
            "virtual-nodes",
            "Virtual nodes: k = 1 → 100",
            "Five servers by hash on a 2^32 ring own very unequal arcs; 100 points each bring the spread near 1/sqrt(100) = 10%.",
            hashing(1 << 32, by_hash(5), vec![HashingAction::SetVnodes { vnodes: 100 }]),
        ),
        preset(
            "jump-add-bucket",
            "Jump: add a 11th bucket",
            "Jump consistent hash from 10 to 11 servers moves 1/11 of the keys, all to the new bucket; modulo moves 10/11.",
            compare(
                by_hash(10),
                100,
                (Algo::Jump, Algo::Modulo),
                vec![HashingAction::AddServer { name: "S10".into(), position: None }],
            ),
        ),
        preset(
            "maglev-remove",
            "Maglev: a backend leaves",
            "Removing one of 8 Maglev backends moves its keys and only a little more; the ring with 100 points moves exactly its keys.",
            compare(
                by_hash(8),
                100,
                (Algo::Maglev, Algo::Ring),
                vec![HashingAction::RemoveServer { name: "S3".into() }],
            ),
        ),
        preset(
            "rendezvous-remove",
            "Rendezvous: a server leaves",
            "Highest random weight moves exactly the removed server's keys (the least possible), with no ring at all.",
            compare(
                by_hash(6),
                1,
                (Algo::Rendezvous, Algo::Modulo),
                vec![HashingAction::RemoveServer { name: "S2".into() }],
            ),
        ),
        preset(
            "ketama-weighted",
            "Ketama: a heavier server",
            "libmemcached's ketama gives a server of weight 3 about three times the points and the keys of the others.",
            compare(
                by_hash(5),
                100,
                (Algo::Ketama, Algo::Ring),
                vec![HashingAction::SetWeight { name: "S0".into(), weight: 3 }],
            ),
        ),
        preset(
            "bounded-loads",
            "Bounded loads: cap the hot server",
            "With one point per server the ring overloads some servers; bounded loads (c = 1.25) keeps every server at most 25% above the mean.",
            compare(
                by_hash(6),
                1,
                (Algo::Bounded, Algo::Ring),
                vec![HashingAction::AddServer { name: "S6".into(), position: None }],
            ),
        ),
        preset(
            "ring-capacity-20",
            "Ring of capacity 20",
            "M=20 with S0=1, S1=10: a key hashing to 25 lands at 25 % 20 = 5, on S1, the server after it.",
            hashing(20, by_hand(&[("S0", 1), ("S1", 10)]), vec![HashingAction::Probe { hash: 25 }]),
        ),
    ]
}
