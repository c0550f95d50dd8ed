//! The hashing lab's state machine: a membership (ring size + servers) changed by actions, over a fixed
//! set of uniformly random request ids drawn from the seed.

use super::algos::Algo;
use super::report::HistoryEntry;
use super::{Ring, modulo_space_moved};
use crate::sim::hash::{hash_str, hash_u64};
use crate::sim::kernel::SimRng;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Limits on everything a user can set in this lab.
pub mod limits {
    /// Most servers at once.
    pub const SERVERS_MAX: usize = 1000;
    /// Most request ids in the key set.
    pub const KEYS_MAX: u32 = 1_000_000;
    /// Longest server name, in characters.
    pub const NAME_LEN_MAX: usize = 24;
    pub use crate::limits::ACTIONS_MAX;
    /// Most ring points per unit of weight (virtual nodes).
    pub const VNODES_MAX: u32 = 1000;
    /// Largest server weight.
    pub const WEIGHT_MAX: u32 = 100;
    /// Most ring points in all (servers x virtual nodes x weight).
    pub const POINTS_MAX: u64 = 1_000_000;
}

/// A server as configured: a name and, when placed by hand, its ring position.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerSpec {
    /// Unique display name, also what "placed by hash" hashes.
    pub name: String,
    /// Ring position set by hand; `None` places the server at `hash(name) % M`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<u64>,
    /// Relative capacity: a server of weight w gets w times the ring points.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub weight: u32,
}

fn one() -> u32 {
    1
}

fn is_one(v: &u32) -> bool {
    *v == 1
}

/// The lab's starting configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HashingConfig {
    /// Ring capacity M: a key's position is `hash(key) % M`, positions are `0..M`.
    pub ring_size: u64,
    /// Number of request ids drawn from the seed.
    pub key_count: u32,
    /// Servers in order: under modulo hashing, server number i gets the keys with `h % N == i`.
    pub servers: Vec<ServerSpec>,
    /// Ring points per unit of weight (virtual nodes); 1 is the plain ring of the notes.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub vnodes: u32,
    /// The two algorithms of the split view.
    #[serde(default = "default_split", skip_serializing_if = "is_default_split")]
    pub split: (Algo, Algo),
}

fn default_split() -> (Algo, Algo) {
    (Algo::Modulo, Algo::Ring)
}

fn is_default_split(split: &(Algo, Algo)) -> bool {
    *split == default_split()
}

impl Default for HashingConfig {
    fn default() -> Self {
        Self {
            ring_size: 1000,
            key_count: 10_000,
            servers: (0..4).map(|i| ServerSpec { name: format!("S{i}"), position: None, weight: 1 }).collect(),
            vnodes: 1,
            split: default_split(),
        }
    }
}

/// One user intent in this lab; a scenario records these with their time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum HashingAction {
    /// Adds a server at the end of the list; `position: None` places it by hash.
    AddServer {
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        position: Option<u64>,
    },
    /// Removes a server; its keys go to the others.
    RemoveServer { name: String },
    /// Moves a server by hand, or back to its hash position with `position: None`.
    PlaceServer {
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        position: Option<u64>,
    },
    /// Changes the ring capacity M (hand positions must stay below it).
    SetRingSize { ring_size: u64 },
    /// Changes how many request ids are drawn (the first ones stay the same).
    SetKeyCount { key_count: u32 },
    /// Follows one key: shows where the hash value lands under each scheme.
    Probe { hash: u64 },
    /// Sets the ring points per unit of weight (virtual nodes).
    SetVnodes { vnodes: u32 },
    /// Sets a server's weight (its share of ring points).
    SetWeight { name: String, weight: u32 },
    /// Chooses the two algorithms of the split view.
    SetSplit { left: Algo, right: Algo },
}

impl HashingAction {
    /// One line saying what the action does, for the history.
    pub fn describe(&self) -> String {
        match self {
            Self::AddServer { name, position: Some(p) } => format!("add {name} at {p}"),
            Self::AddServer { name, position: None } => format!("add {name} (by hash)"),
            Self::RemoveServer { name } => format!("remove {name}"),
            Self::PlaceServer { name, position: Some(p) } => format!("move {name} to {p}"),
            Self::PlaceServer { name, position: None } => format!("place {name} by hash"),
            Self::SetRingSize { ring_size } => format!("ring size M = {ring_size}"),
            Self::SetKeyCount { key_count } => format!("{key_count} keys"),
            Self::Probe { hash } => format!("follow hash {hash}"),
            Self::SetVnodes { vnodes } => format!("{vnodes} virtual nodes per server"),
            Self::SetWeight { name, weight } => format!("weight of {name} = {weight}"),
            Self::SetSplit { left, right } => format!("compare {left} with {right}"),
        }
    }
}

/// A server in the current membership.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Server {
    /// Identity that survives reordering; key movement compares these.
    pub id: u32,
    pub name: String,
    /// Position on the ring, in `0..M`.
    pub position: u64,
    /// True when the position was set by hand.
    pub by_hand: bool,
    /// Relative capacity (ring points = vnodes x weight).
    pub weight: u32,
}

/// Who is in the cluster and how big the ring is.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Membership {
    pub ring_size: u64,
    pub servers: Vec<Server>,
    /// Ring points per unit of weight.
    pub vnodes: u32,
}

impl Membership {
    /// The ring of the current servers (slot = index in `servers`). A server has `vnodes x weight`
    /// points: the first at its position, the others at `xxh3("name#i") % M` (labels hashed, one hash
    /// function).
    pub fn ring(&self) -> Ring {
        Ring::build(self.servers.iter().enumerate().flat_map(|(slot, s)| {
            let points = u64::from(self.vnodes.max(1)) * u64::from(s.weight.max(1));
            (0..points).map(move |i| {
                let at = if i == 0 { s.position } else { hash_position(&format!("{}#{i}", s.name), self.ring_size) };
                (at, slot as u32)
            })
        }))
    }

    /// Total ring points.
    pub fn point_count(&self) -> u64 {
        self.servers.iter().map(|s| u64::from(self.vnodes.max(1)) * u64::from(s.weight.max(1))).sum()
    }

    /// Server ids in modulo order.
    pub fn ids(&self) -> Vec<u32> {
        self.servers.iter().map(|s| s.id).collect()
    }

    fn index_of(&self, name: &str) -> Option<usize> {
        self.servers.iter().position(|s| s.name == name)
    }
}

/// The lab: current membership, the one before the last change, the key set and the change history.
#[derive(Clone, Debug)]
pub struct HashingLab {
    pub(super) seed: u64,
    pub(super) membership: Membership,
    pub(super) previous: Option<(Membership, String)>,
    pub(super) history: Vec<HistoryEntry>,
    pub(super) probe: Option<u64>,
    pub(super) split: (Algo, Algo),
    /// 64-bit hashes of the request ids; a key's position is `hash % M`.
    pub(super) key_hashes: Arc<Vec<u64>>,
    next_id: u32,
}

impl HashingLab {
    /// A lab at its starting configuration; refuses configurations that break a limit.
    pub fn new(seed: u64, config: &HashingConfig) -> Result<Self, String> {
        check_ring_size(config.ring_size)?;
        check_key_count(config.key_count)?;
        if config.servers.len() > limits::SERVERS_MAX {
            return Err(format!("too many servers: {} (the limit is {})", config.servers.len(), limits::SERVERS_MAX));
        }
        check_vnodes(config.vnodes)?;
        let mut lab = Self {
            seed,
            membership: Membership { ring_size: config.ring_size, servers: Vec::new(), vnodes: config.vnodes },
            previous: None,
            history: Vec::new(),
            probe: None,
            split: config.split,
            key_hashes: Arc::new(draw_key_hashes(seed, config.key_count)),
            next_id: 0,
        };
        for spec in &config.servers {
            lab.push_server(&spec.name, spec.position)?;
            let i = lab.membership.servers.len() - 1;
            check_weight(spec.weight)?;
            lab.membership.servers[i].weight = spec.weight;
        }
        lab.check_points()?;
        Ok(lab)
    }

    /// The current membership.
    pub fn membership(&self) -> &Membership {
        &self.membership
    }

    /// The two algorithms of the split view.
    pub fn split(&self) -> (Algo, Algo) {
        self.split
    }

    /// The membership before the last change, if any.
    pub fn previous_membership(&self) -> Option<&Membership> {
        self.previous.as_ref().map(|(m, _)| m)
    }

    /// The seed the keys were drawn from.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The hashes of all request ids.
    pub fn key_hashes(&self) -> &[u64] {
        &self.key_hashes
    }

    /// The hash value being followed, if any.
    pub fn probe(&self) -> Option<u64> {
        self.probe
    }

    /// The first unused name of the form S<n>, for the "add server" button.
    pub fn next_free_name(&self) -> String {
        (0..).map(|i| format!("S{i}")).find(|n| self.membership.index_of(n).is_none()).expect("infinite names")
    }

    /// Applies one action, or explains why it cannot be applied (the lab is then unchanged).
    pub fn apply(&mut self, action: &HashingAction) -> Result<(), String> {
        let before = self.membership.clone();
        let old_keys = self.key_hashes.clone();
        let result = self.apply_inner(action).and_then(|()| self.check_points());
        if let Err(e) = result {
            self.membership = before;
            self.key_hashes = old_keys;
            return Err(e);
        }
        if matches!(action, HashingAction::Probe { .. } | HashingAction::SetSplit { .. }) {
            return Ok(());
        }
        let after = &self.membership;
        let same_space = before.ring_size == after.ring_size;
        let entry = HistoryEntry {
            step: self.history.len() as u32 + 1,
            change: action.describe(),
            servers: after.servers.len() as u32,
            modulo_space_moved_pct: same_space
                .then(|| pct(modulo_space_moved(after.ring_size, &before.ids(), &after.ids()), after.ring_size)),
            ring_space_moved_pct: same_space
                .then(|| pct(ring_space_moved(&before, &before.ring(), after, &after.ring()), after.ring_size)),
        };
        self.history.push(entry);
        self.previous = Some((before, action.describe()));
        Ok(())
    }

    /// Checks that every action applies in turn, changing only a copy of the membership (no ring is
    /// built, no key drawn): cheap enough to run on every link before the real replay. The message
    /// names the first action that does not apply.
    pub fn check_actions<'a>(&self, actions: impl IntoIterator<Item = &'a HashingAction>) -> Result<(), String> {
        let mut dry = Self {
            seed: self.seed,
            membership: self.membership.clone(),
            previous: None,
            history: Vec::new(),
            probe: None,
            split: self.split,
            key_hashes: Arc::new(Vec::new()),
            next_id: self.next_id,
        };
        for (i, action) in actions.into_iter().enumerate() {
            dry.apply_membership(action, false)
                .and_then(|()| dry.check_points())
                .map_err(|e| format!("action {} ({}): {e}", i + 1, action.describe()))?;
        }
        Ok(())
    }

    fn apply_inner(&mut self, action: &HashingAction) -> Result<(), String> {
        self.apply_membership(action, true)
    }

    /// Applies an action to the membership; the keys are drawn again only when `draw_keys`.
    fn apply_membership(&mut self, action: &HashingAction, draw_keys: bool) -> Result<(), String> {
        match action {
            HashingAction::AddServer { name, position } => {
                if self.membership.servers.len() >= limits::SERVERS_MAX {
                    return Err(format!("at most {} servers", limits::SERVERS_MAX));
                }
                self.push_server(name, *position)
            }
            HashingAction::RemoveServer { name } => {
                let i = self.find(name)?;
                self.membership.servers.remove(i);
                Ok(())
            }
            HashingAction::PlaceServer { name, position } => {
                let i = self.find(name)?;
                let position = self.check_position(name, *position)?;
                let server = &mut self.membership.servers[i];
                server.by_hand = position.is_some();
                server.position = position.unwrap_or_else(|| hash_position(name, self.membership.ring_size));
                Ok(())
            }
            HashingAction::SetRingSize { ring_size } => {
                check_ring_size(*ring_size)?;
                if let Some(s) = self.membership.servers.iter().find(|s| s.by_hand && s.position >= *ring_size) {
                    return Err(format!(
                        "{} is placed by hand at {}, outside a ring of size {ring_size}; move it first",
                        s.name, s.position
                    ));
                }
                self.membership.ring_size = *ring_size;
                for s in self.membership.servers.iter_mut().filter(|s| !s.by_hand) {
                    s.position = hash_position(&s.name, *ring_size);
                }
                Ok(())
            }
            HashingAction::SetKeyCount { key_count } => {
                check_key_count(*key_count)?;
                if draw_keys {
                    self.key_hashes = Arc::new(draw_key_hashes(self.seed, *key_count));
                }
                Ok(())
            }
            HashingAction::Probe { hash } => {
                self.probe = Some(*hash);
                Ok(())
            }
            HashingAction::SetSplit { left, right } => {
                self.split = (*left, *right);
                Ok(())
            }
            HashingAction::SetVnodes { vnodes } => {
                check_vnodes(*vnodes)?;
                self.membership.vnodes = *vnodes;
                Ok(())
            }
            HashingAction::SetWeight { name, weight } => {
                let i = self.find(name)?;
                check_weight(*weight)?;
                self.membership.servers[i].weight = *weight;
                Ok(())
            }
        }
    }

    fn check_points(&self) -> Result<(), String> {
        let points = self.membership.point_count();
        if points > limits::POINTS_MAX {
            return Err(format!(
                "that makes {points} ring points (servers x virtual nodes x weight); the limit is {}",
                limits::POINTS_MAX
            ));
        }
        Ok(())
    }

    fn find(&self, name: &str) -> Result<usize, String> {
        self.membership.index_of(name).ok_or_else(|| format!("there is no server named \"{name}\""))
    }

    fn check_position(&self, name: &str, position: Option<u64>) -> Result<Option<u64>, String> {
        match position {
            Some(p) if p >= self.membership.ring_size => Err(format!(
                "position {p} for {name} is outside the ring: positions go from 0 to {}",
                self.membership.ring_size - 1
            )),
            _ => Ok(position),
        }
    }

    fn push_server(&mut self, name: &str, position: Option<u64>) -> Result<(), String> {
        check_name(name)?;
        if self.membership.index_of(name).is_some() {
            return Err(format!("a server named \"{name}\" already exists"));
        }
        let position = self.check_position(name, position)?;
        self.membership.servers.push(Server {
            id: self.next_id,
            name: name.to_string(),
            position: position.unwrap_or_else(|| hash_position(name, self.membership.ring_size)),
            by_hand: position.is_some(),
            weight: 1,
        });
        self.next_id += 1;
        Ok(())
    }
}

/// Where a server placed by hash sits: `xxh3(name) % M`.
pub fn hash_position(name: &str, ring_size: u64) -> u64 {
    hash_str(name) % ring_size
}

/// The first `count` request ids of the seed's stream, hashed with the lab's stable hash. The ids are
/// prefix-stable: asking for more keys keeps the first ones.
fn draw_key_hashes(seed: u64, count: u32) -> Vec<u64> {
    let mut rng = SimRng::new(seed);
    (0..count).map(|_| hash_u64(rng.next_u64())).collect()
}

/// Exact number of ring positions whose owner (by server id) differs between two memberships with the
/// same ring size: between consecutive boundaries of either ring the owners are constant.
/// `rb` and `ra` are the two memberships' rings (callers build each once).
pub(super) fn ring_space_moved(before: &Membership, rb: &Ring, after: &Membership, ra: &Ring) -> u64 {
    let m = after.ring_size;
    let owner = |ring: &Ring, ms: &Membership, h: u64| ring.lookup(h).map(|slot| ms.servers[slot as usize].id);
    let mut bounds: Vec<u64> = rb.points().chain(ra.points()).map(|(p, _)| p).collect();
    bounds.sort_unstable();
    bounds.dedup();
    let (Some(&first), Some(&last)) = (bounds.first(), bounds.last()) else {
        return 0;
    };
    let differs = |h: u64| owner(rb, before, h) != owner(ra, after, h);
    // The wrapping segment (last, M) + [0, first] is owned by whoever owns `first`.
    let mut moved = if differs(first) { m - last + first } else { 0 };
    for w in bounds.windows(2) {
        if differs(w[1]) {
            moved += w[1] - w[0];
        }
    }
    moved
}

/// `part` as a percentage of `whole` (0 when `whole` is 0).
pub(super) fn pct(part: u64, whole: u64) -> f64 {
    if whole == 0 { 0.0 } else { 100.0 * part as f64 / whole as f64 }
}

fn check_ring_size(m: u64) -> Result<(), String> {
    if m == 0 { Err("the ring size M must be at least 1".into()) } else { Ok(()) }
}

fn check_vnodes(k: u32) -> Result<(), String> {
    if (1..=limits::VNODES_MAX).contains(&k) {
        Ok(())
    } else {
        Err(format!("virtual nodes per server go from 1 to {} (asked for {k})", limits::VNODES_MAX))
    }
}

fn check_weight(w: u32) -> Result<(), String> {
    if (1..=limits::WEIGHT_MAX).contains(&w) {
        Ok(())
    } else {
        Err(format!("a server's weight goes from 1 to {} (asked for {w})", limits::WEIGHT_MAX))
    }
}

fn check_key_count(k: u32) -> Result<(), String> {
    if k > limits::KEYS_MAX { Err(format!("at most {} keys (asked for {k})", limits::KEYS_MAX)) } else { Ok(()) }
}

fn check_name(name: &str) -> Result<(), String> {
    let len = name.chars().count();
    if name.trim().is_empty() {
        return Err("a server needs a name".into());
    }
    if len > limits::NAME_LEN_MAX {
        return Err(format!("server names are at most {} characters", limits::NAME_LEN_MAX));
    }
    if name.chars().any(char::is_control) {
        return Err("server names cannot contain control characters".into());
    }
    Ok(())
}
