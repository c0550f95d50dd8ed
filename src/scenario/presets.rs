//! Named scenarios that reproduce the worked examples of the notes; each is also a native test.

use super::{LabId, LabSetup, Scenario};
use crate::sim::hashing::algos::Algo;
use crate::sim::hashing::{HashingAction, HashingConfig, ServerSpec};
use crate::sim::pubsub::pubsub_presets;
use crate::sim::queue::shop_presets;
use crate::sim::stream::stream_presets;

/// A named scenario with a one-line explanation.
#[derive(Clone, Debug)]
pub struct Preset {
    pub name: &'static str,
    pub title: &'static str,
    pub explains: &'static str,
    pub scenario: Scenario,
}

/// The seed every preset draws its keys from.
pub const PRESET_SEED: u64 = 2024;

fn by_hand(servers: &[(&str, u64)]) -> Vec<ServerSpec> {
    servers.iter().map(|&(name, p)| ServerSpec { name: name.into(), position: Some(p), weight: 1 }).collect()
}

fn by_hash(count: usize) -> Vec<ServerSpec> {
    (0..count).map(|i| ServerSpec { name: format!("S{i}"), position: None, weight: 1 }).collect()
}

/// A comparison preset: `servers` by hash on a 2^32 ring with `vnodes`, the split view on `split`.
fn compare(servers: Vec<ServerSpec>, vnodes: u32, split: (Algo, Algo), actions: Vec<HashingAction>) -> Scenario {
    let config = HashingConfig { ring_size: 1 << 32, key_count: 20_000, servers, vnodes, split };
    let mut s = Scenario::hashing(PRESET_SEED, config);
    for a in actions {
        s.push_hashing(a);
    }
    s
}

fn hashing(ring_size: u64, servers: Vec<ServerSpec>, actions: Vec<HashingAction>) -> Scenario {
    let mut s = Scenario::hashing(
        PRESET_SEED,
        HashingConfig { ring_size, key_count: 10_000, servers, ..HashingConfig::default() },
    );
    for a in actions {
        s.push_hashing(a);
    }
    s
}

impl Preset {
    /// The lab the preset opens.
    pub fn lab(&self) -> LabId {
        self.scenario.lab()
    }
}

/// A short title for each pizza-shop preset of the core (`sim::queue::presets`).
fn queue_title(name: &str) -> &'static str {
    match name {
        "rush-hour" => "Rush hour",
        "shop-dies" => "A shop dies (queue on disk)",
        "shop-dies-in-memory" => "A shop dies (queue in memory)",
        "slow-shop-duplicates" => "Slow shop: duplicate pizzas",
        "ring-redistribution" => "Ring: no duplicates",
        "slow-shop-effectively-once" => "Effectively once",
        "poison-order" => "Poison order",
        "friday-night-100k" => "100,000 orders",
        _ => "Pizza shop",
    }
}

/// A preset of a timed lab: its core constructor's fields and the scenario they make.
fn timed(name: &'static str, title: &'static str, explains: &'static str, seed: u64, setup: LabSetup) -> Preset {
    Preset { name, title, explains, scenario: Scenario { version: super::SCENARIO_VERSION, seed, setup } }
}

/// The pizza-shop presets as queue scenarios.
fn queue_presets() -> Vec<Preset> {
    shop_presets()
        .into_iter()
        .map(|p| {
            let setup = LabSetup::Queue { config: p.config, actions: p.actions };
            timed(p.name, queue_title(p.name), p.explains, p.seed, setup)
        })
        .collect()
}

/// The presets of one lab, in the order its page lists them.
pub fn lab_presets(lab: LabId) -> Vec<Preset> {
    presets().into_iter().filter(|p| p.lab() == lab).collect()
}

/// All presets: hashing first, then the message queue's, the partitioned log's and publish/subscribe's.
pub fn presets() -> Vec<Preset> {
    let mut all = hashing_presets();
    all.extend(queue_presets());
    all.extend(stream_lab_presets());
    all.extend(pubsub_lab_presets());
    all
}

/// The publish/subscribe presets of the core (`sim::pubsub::presets`) as scenarios.
fn pubsub_lab_presets() -> Vec<Preset> {
    pubsub_presets()
        .into_iter()
        .map(|p| timed(p.name, p.title, p.explains, p.seed, LabSetup::Pubsub { config: p.config, actions: p.actions }))
        .collect()
}

/// The partitioned-log presets of the core (`sim::stream::presets`) as scenarios.
fn stream_lab_presets() -> Vec<Preset> {
    stream_presets()
        .into_iter()
        .map(|p| timed(p.name, p.title, p.explains, p.seed, LabSetup::Stream { config: p.config, actions: p.actions }))
        .collect()
}

fn hashing_presets() -> Vec<Preset> {
    vec![
        Preset {
            name: "add-fifth-server",
            title: "Add a fifth server",
            explains: "Four servers placed by hash on a ring of 1000 positions, then S4 joins: compare what moves.",
            scenario: hashing(1000, by_hash(4), vec![HashingAction::AddServer { name: "S4".into(), position: None }]),
        },
        Preset {
            name: "modulo-4-to-5",
            title: "Modulo: 4 → 5 servers",
            explains: "Under h % N, going from 4 to 5 servers moves 80% of the key space: only h mod 20 in 0..3 stays.",
            scenario: hashing(100, by_hash(4), vec![HashingAction::AddServer { name: "S4".into(), position: None }]),
        },
        Preset {
            name: "ring-add-s3",
            title: "Ring: add S3 at 90",
            explains: "S0=20, S1=80, S2=200, then S3=90 joins: only the keys 81..90 move, all to S3.",
            scenario: hashing(
                256,
                by_hand(&[("S0", 20), ("S1", 80), ("S2", 200)]),
                vec![HashingAction::AddServer { name: "S3".into(), position: Some(90) }],
            ),
        },
        Preset {
            name: "ring-skew",
            title: "Ring: skewed servers",
            explains: "S1=10, S2=11, S3=12, S4=90 on a ring of 100: S4 owns 13..90, 78% of the key space.",
            scenario: hashing(100, by_hand(&[("S1", 10), ("S2", 11), ("S3", 12), ("S4", 90)]), vec![]),
        },
        Preset {
            name: "virtual-nodes",
            title: "Virtual nodes: k = 1 → 100",
            explains: "Five servers by hash on a 2^32 ring own very unequal arcs; 100 points each bring the spread near 1/sqrt(100) = 10%.",
            scenario: hashing(1 << 32, by_hash(5), vec![HashingAction::SetVnodes { vnodes: 100 }]),
        },
        Preset {
            name: "jump-add-bucket",
            title: "Jump: add a 11th bucket",
            explains: "Jump consistent hash from 10 to 11 servers moves 1/11 of the keys, all to the new bucket; modulo moves 10/11.",
            scenario: compare(
                by_hash(10),
                100,
                (Algo::Jump, Algo::Modulo),
                vec![HashingAction::AddServer { name: "S10".into(), position: None }],
            ),
        },
        Preset {
            name: "maglev-remove",
            title: "Maglev: a backend leaves",
            explains: "Removing one of 8 Maglev backends moves its keys and only a little more; the ring with 100 points moves exactly its keys.",
            scenario: compare(
                by_hash(8),
                100,
                (Algo::Maglev, Algo::Ring),
                vec![HashingAction::RemoveServer { name: "S3".into() }],
            ),
        },
        Preset {
            name: "rendezvous-remove",
            title: "Rendezvous: a server leaves",
            explains: "Highest random weight moves exactly the removed server's keys (the least possible), with no ring at all.",
            scenario: compare(
                by_hash(6),
                1,
                (Algo::Rendezvous, Algo::Modulo),
                vec![HashingAction::RemoveServer { name: "S2".into() }],
            ),
        },
        Preset {
            name: "ketama-weighted",
            title: "Ketama: a heavier server",
            explains: "libmemcached's ketama gives a server of weight 3 about three times the points and the keys of the others.",
            scenario: compare(
                by_hash(5),
                100,
                (Algo::Ketama, Algo::Ring),
                vec![HashingAction::SetWeight { name: "S0".into(), weight: 3 }],
            ),
        },
        Preset {
            name: "bounded-loads",
            title: "Bounded loads: cap the hot server",
            explains: "With one point per server the ring overloads some servers; bounded loads (c = 1.25) keeps every server at most 25% above the mean.",
            scenario: compare(
                by_hash(6),
                1,
                (Algo::Bounded, Algo::Ring),
                vec![HashingAction::AddServer { name: "S6".into(), position: None }],
            ),
        },
        Preset {
            name: "ring-capacity-20",
            title: "Ring of capacity 20",
            explains: "M=20 with S0=1, S1=10: a key hashing to 25 lands at 25 % 20 = 5, on S1, the server after it.",
            scenario: hashing(20, by_hand(&[("S0", 1), ("S1", 10)]), vec![HashingAction::Probe { hash: 25 }]),
        },
    ]
}

/// The preset with this name.
pub fn preset(name: &str) -> Option<Preset> {
    presets().into_iter().find(|p| p.name == name)
}
