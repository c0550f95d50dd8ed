//! Named scenarios that reproduce the worked examples of the notes; each is also a native test.

use super::{LabId, LabSetup, Scenario};
use crate::sim::hashing::{HashingAction, HashingConfig, ServerSpec};
use crate::sim::queue::shop_presets;

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
        _ => "Pizza shop",
    }
}

/// The pizza-shop presets as queue scenarios.
fn queue_presets() -> Vec<Preset> {
    shop_presets()
        .into_iter()
        .map(|p| Preset {
            name: p.name,
            title: queue_title(p.name),
            explains: p.explains,
            scenario: Scenario {
                version: super::SCENARIO_VERSION,
                seed: p.seed,
                setup: LabSetup::Queue { config: p.config, actions: p.actions },
            },
        })
        .collect()
}

/// The presets of one lab, in the order its page lists them.
pub fn lab_presets(lab: LabId) -> Vec<Preset> {
    presets().into_iter().filter(|p| p.lab() == lab).collect()
}

/// All presets, hashing first, then the message queue's.
pub fn presets() -> Vec<Preset> {
    let mut all = hashing_presets();
    all.extend(queue_presets());
    all
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
