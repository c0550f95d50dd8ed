//! The hashing lab's state machine: a membership (ring size + servers) changed by actions, over a fixed
//! set of uniformly random request ids drawn from the seed.

use super::algos::Algo;
use super::report::{Assignment, HistoryEntry};
use super::{Ring, modulo_space_moved};
use crate::sim::budget::WorkEstimate;
use crate::sim::hash::{hash_str, hash_u64};
use crate::sim::kernel::SimRng;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
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
        let mut points = Vec::with_capacity(usize::try_from(self.point_count()).unwrap_or(0));
        // One buffer for every label, the bytes of `format!("{name}#{i}")`: no allocation per point.
        let mut label = String::new();
        for (slot, s) in self.servers.iter().enumerate() {
            let count = u64::from(self.vnodes.max(1)) * u64::from(s.weight.max(1));
            points.push((s.position, slot as u32));
            for i in 1..count {
                label.clear();
                let _ = write!(label, "{}#{i}", s.name);
                points.push((hash_position(&label, self.ring_size), slot as u32));
            }
        }
        Ring::build(points)
    }

    /// The ring of this membership derived from `before`'s ring (`before_ring`): the points of servers
    /// that kept their name, position and weight are kept (their slots renumbered), only the others'
    /// points are computed, and the two sorted lists merged. The same ring as [`Membership::ring`], in
    /// time linear in the points instead of hashing and sorting them all; a new layout (ring size or
    /// virtual nodes) builds it whole.
    pub fn ring_from(&self, before: &Membership, before_ring: &Ring) -> Ring {
        if before.ring_size != self.ring_size || before.vnodes != self.vnodes {
            return self.ring();
        }
        // The slot each of `before`'s servers has now, when its points are unchanged. Servers keep their
        // order (removals close gaps, additions append), so kept slots stay in the same order.
        let same = |a: &Server, b: &Server| a.id == b.id && a.position == b.position && a.weight == b.weight;
        let mut slot_now: Vec<Option<u32>> = vec![None; before.servers.len()];
        let mut fresh = Membership { ring_size: self.ring_size, servers: Vec::new(), vnodes: self.vnodes };
        let mut fresh_slots = Vec::new();
        let mut j = 0;
        for (slot, s) in self.servers.iter().enumerate() {
            // Both lists are in id order (servers are appended with a new id and never reordered).
            while j < before.servers.len() && before.servers[j].id < s.id {
                j += 1;
            }
            match before.servers.get(j) {
                Some(b) if same(b, s) => {
                    slot_now[j] = Some(slot as u32);
                    j += 1;
                }
                _ => {
                    fresh.servers.push(s.clone());
                    fresh_slots.push(slot as u32);
                }
            }
        }
        let kept = before_ring.points().filter_map(|(p, slot)| slot_now[slot as usize].map(|now| (p, now)));
        let mut added: Vec<(u64, u32)> = fresh.ring().points().map(|(p, i)| (p, fresh_slots[i as usize])).collect();
        added.sort_unstable();
        Ring::merge_sorted(kept, added)
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
    /// The request ids in the order of their positions on the ring (see [`KeyOrder`]).
    pub(super) key_order: Arc<KeyOrder>,
    next_id: u32,
    /// The ring of `membership` when the last change built it: the next change's "before" ring.
    ring_cache: Option<Arc<Ring>>,
    /// The ring of the membership before the last change, when that change built it.
    previous_ring: Option<Arc<Ring>>,
    /// Every key's server now and before the last change, once [`HashingLab::prepare_report`] computed
    /// them (a change forgets them).
    pub(super) assigned: Option<Arc<(Assignment, Option<Assignment>)>>,
    /// True when the last change built the ring of `membership` (a dry lab only pretends to).
    ring_built: bool,
    /// A dry lab replays the membership only: no request id drawn, no ring built, no history.
    pub(super) dry: bool,
    /// The most request ids the lab had, which the report's work was counted for.
    report_keys: u64,
    /// The work so far (its start, every change, and the final report's), in events: after replaying
    /// a scenario it is what [`check_replay`] estimated.
    estimate: WorkEstimate,
}

impl HashingLab {
    /// A lab at its starting configuration; refuses configurations that break a limit.
    pub fn new(seed: u64, config: &HashingConfig) -> Result<Self, String> {
        Self::with_mode(seed, config, false)
    }

    fn with_mode(seed: u64, config: &HashingConfig, dry: bool) -> Result<Self, String> {
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
            key_hashes: Arc::new(if dry { Vec::new() } else { draw_key_hashes(seed, config.key_count) }),
            key_order: Arc::default(),
            next_id: 0,
            ring_cache: None,
            previous_ring: None,
            assigned: None,
            ring_built: false,
            dry,
            report_keys: u64::from(config.key_count),
            estimate: start_work(u64::from(config.key_count)),
        };
        lab.estimate.check()?;
        for spec in &config.servers {
            lab.push_server(&spec.name, spec.position)?;
            let i = lab.membership.servers.len() - 1;
            check_weight(spec.weight)?;
            lab.membership.servers[i].weight = spec.weight;
        }
        lab.check_points()?;
        lab.key_order = Arc::new(KeyOrder::new(&lab.key_hashes, config.ring_size));
        Ok(lab)
    }

    /// The work of the lab so far, in events: its start (drawing the keys, and the final report), and
    /// every change (rings built and compared, the modulo period, keys drawn). Replaying a scenario
    /// ends with the estimate [`check_replay`] made for it.
    pub fn work(&self) -> &WorkEstimate {
        &self.estimate
    }

    /// The current membership.
    pub fn membership(&self) -> &Membership {
        &self.membership
    }

    /// The two algorithms of the split view.
    pub fn split(&self) -> (Algo, Algo) {
        self.split
    }

    /// Builds the ring of the current membership now, if no change has (the next change then derives its
    /// ring from it): lets a replay build the first ring in a step of its own.
    pub fn prepare_ring(&mut self) {
        if !self.dry && self.ring_cache.is_none() && !self.membership.servers.is_empty() {
            // The work estimate is left as it is: it counts this ring as the first change's "before".
            self.ring_cache = Some(Arc::new(self.membership.ring()));
        }
    }

    /// The ring of the current membership: the one the last change built, or built now.
    pub fn ring(&self) -> Arc<Ring> {
        self.ring_cache.clone().unwrap_or_else(|| Arc::new(self.membership.ring()))
    }

    /// The ring of the membership before the last change (`None` before any change).
    pub fn previous_ring(&self) -> Option<Arc<Ring>> {
        let (before, _) = self.previous.as_ref()?;
        Some(self.previous_ring.clone().unwrap_or_else(|| Arc::new(before.ring())))
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
        self.assigned = None;
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
        let same = before == *after;
        let drawn = match action {
            HashingAction::SetKeyCount { key_count } => u64::from(*key_count),
            _ => 0,
        };
        let compared = same_space && !same;
        let reported = drawn.saturating_sub(self.report_keys);
        let mut estimate = self.estimate.clone();
        let change = change_work(Shape::of(&before), Shape::of(after), compared, self.ring_built, drawn, reported);
        estimate.add_all(&change);
        if let Err(e) = estimate.check() {
            self.membership = before;
            self.key_hashes = old_keys;
            return Err(e);
        }
        self.estimate = estimate;
        self.report_keys = self.report_keys.max(drawn);
        if self.dry {
            self.ring_built = compared || (same && self.ring_built);
            return Ok(());
        }
        if drawn > 0 || self.key_order.ring_size != after.ring_size {
            self.key_order = Arc::new(KeyOrder::new(&self.key_hashes, after.ring_size));
        }
        // The rings only when the hash space stayed (otherwise nothing is compared), the "before" one
        // from the previous change when it built it; nothing moved when nothing changed.
        let (modulo_moved, ring_moved) = if !same_space {
            self.ring_cache = None;
            self.previous_ring = None;
            self.ring_built = false;
            (None, None)
        } else if same {
            self.previous_ring = self.ring_cache.clone();
            (Some(0), Some(0))
        } else {
            let rb = self.ring_cache.take().unwrap_or_else(|| Arc::new(before.ring()));
            let ra = Arc::new(after.ring_from(&before, &rb));
            let moved = ring_space_moved(&before, &rb, after, &ra);
            self.ring_cache = Some(ra);
            self.previous_ring = Some(rb);
            self.ring_built = true;
            (Some(modulo_space_moved(after.ring_size, &before.ids(), &after.ids())), Some(moved))
        };
        let entry = HistoryEntry {
            step: self.history.len() as u32 + 1,
            change: action.describe(),
            servers: after.servers.len() as u32,
            modulo_space_moved_pct: modulo_moved.map(|m| pct(m, after.ring_size)),
            ring_space_moved_pct: ring_moved.map(|m| pct(m, after.ring_size)),
        };
        self.history.push(entry);
        self.previous = Some((before, action.describe()));
        Ok(())
    }

    fn apply_inner(&mut self, action: &HashingAction) -> Result<(), String> {
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
                if !self.dry {
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
/// The request ids sorted by their position on a ring of `ring_size` (`hash % M`, ties by id): with it
/// every key's ring server is found by walking the keys and the ring points together, in order, instead
/// of a lookup per key (a million lookups on a million points miss the cache at every one).
#[derive(Clone, Debug, Default)]
pub(super) struct KeyOrder {
    pub ring_size: u64,
    /// The keys' positions, ascending.
    pub positions: Vec<u64>,
    /// The request id at each of `positions`.
    pub ids: Vec<u32>,
}

impl KeyOrder {
    fn new(key_hashes: &[u64], ring_size: u64) -> Self {
        if ring_size == 0 {
            return Self::default();
        }
        let mut pairs: Vec<(u64, u32)> =
            key_hashes.iter().enumerate().map(|(i, &k)| (k % ring_size, i as u32)).collect();
        pairs.sort_unstable();
        let (positions, ids) = pairs.into_iter().unzip();
        Self { ring_size, positions, ids }
    }
}

fn draw_key_hashes(seed: u64, count: u32) -> Vec<u64> {
    let mut rng = SimRng::new(seed);
    (0..count).map(|_| hash_u64(rng.next_u64())).collect()
}

/// Exact number of ring positions whose owner (by server id) differs between two memberships with the
/// same ring size: between consecutive boundaries of either ring the owners are constant.
/// `rb` and `ra` are the two memberships' rings (callers build each once).
pub(super) fn ring_space_moved(before: &Membership, rb: &Ring, after: &Membership, ra: &Ring) -> u64 {
    let m = after.ring_size;
    let (pb, pa) = (rb.positions(), ra.positions());
    let Some(last) = pb.last().copied().max(pa.last().copied()) else {
        return 0;
    };
    // The owner of boundary h on a ring is its first point at or after h (wrapping to the first point):
    // walking the boundaries in order, that point's index only moves forward, so both rings are walked
    // once, merged, instead of looked up (the same numbers as a lookup per boundary, in linear time).
    let owner = |ring: &Ring, ms: &Membership, i: usize| {
        let n = ring.len();
        (n > 0).then(|| ms.servers[ring.owners()[if i < n { i } else { 0 }] as usize].id)
    };
    let (mut i, mut j) = (0, 0);
    let mut previous: Option<u64> = None;
    let mut moved = 0;
    while i < pb.len() || j < pa.len() {
        let h = match (pb.get(i), pa.get(j)) {
            (Some(&x), Some(&y)) => x.min(y),
            (Some(&x), None) | (None, Some(&x)) => x,
            (None, None) => unreachable!("the loop condition"),
        };
        if owner(rb, before, i) != owner(ra, after, j) {
            // The wrapping segment (last, M) + [0, first] is owned by whoever owns the first boundary.
            moved += previous.map_or(m - last + h, |p| h - p);
        }
        previous = Some(h);
        while pb.get(i) == Some(&h) {
            i += 1;
        }
        while pa.get(j) == Some(&h) {
            j += 1;
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

/// Advice for the work of rings: building them and comparing them on every change.
const ADVICE_POINTS: &str = "lower the virtual nodes, the servers or their weights, or record fewer changes";
/// Advice for the modulo comparison, which walks lcm(servers before, servers after) positions.
const ADVICE_MODULO: &str = "lower the number of servers or record fewer changes";
/// Advice for drawing request ids (at the start and on every change of the key count).
const ADVICE_KEYS: &str = "lower the key count or change it fewer times";
/// Advice for what earlier changes already spent.
const ADVICE_CHANGES: &str = "record fewer changes";

// What each kind of work is worth in events, measured on the release build with the `run_budget`
// bench against the budget's 1.6 million events per second (16 million in ten seconds): a change of 1000 servers x 1000 virtual
// nodes (a ring of 1,000,000 points built, mostly sorting, and compared with the one before) takes
// about 0.65 s; the modulo period of 1000 and 999 servers (999,000 positions) about 5 ms; drawing
// 1,000,000 request ids about 30 ms; the report of a change over 1,000,000 keys and 1000 servers
// (every key placed before and after under both schemes, the flows between servers) about 4.5 s, and
// 5 s with the command line printing its 23 MB of JSON.
/// Points of the two rings compared (walked once, merged) per event of work; building a ring is an
/// event of work per point (a label formatted and hashed, then sorted).
const POINTS_COMPARED_PER_EVENT: u64 = 16;
/// Positions of the modulo period walked per event of work.
const MODULO_STEPS_PER_EVENT: u64 = 128;
/// Request ids drawn and hashed per event of work.
const KEYS_DRAWN_PER_EVENT: u64 = 16;
/// Events of work per request id in the report.
const REPORT_EVENTS_PER_KEY: u64 = 8;

/// What a change's work depends on: ring points, servers, ring size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Shape {
    points: u64,
    servers: u64,
    ring_size: u64,
}

impl Shape {
    fn of(m: &Membership) -> Self {
        Self { points: m.point_count(), servers: m.servers.len() as u64, ring_size: m.ring_size }
    }
}

/// The work of a lab's start: drawing its keys, and the report at the end (its keys placed, two rings
/// of at most the limit of points built and compared).
fn start_work(keys: u64) -> WorkEstimate {
    let mut w = WorkEstimate::new();
    w.add(ADVICE_KEYS, keys / KEYS_DRAWN_PER_EVENT + keys * REPORT_EVENTS_PER_KEY);
    let report_points = 2 * limits::POINTS_MAX;
    w.add(ADVICE_POINTS, report_points + report_points / POINTS_COMPARED_PER_EVENT);
    w
}

/// The work of one change from `before` to `after`: when `compared`, the two rings (the "before" one
/// only when the previous change did not build it) and their comparison, and the modulo period;
/// `drawn` new request ids, `reported` of them more than the report was counted for so far.
fn change_work(
    before: Shape,
    after: Shape,
    compared: bool,
    before_built: bool,
    drawn: u64,
    reported: u64,
) -> WorkEstimate {
    let mut w = WorkEstimate::new();
    w.add(ADVICE_CHANGES, 1);
    w.add(ADVICE_KEYS, drawn / KEYS_DRAWN_PER_EVENT + reported * REPORT_EVENTS_PER_KEY);
    if compared {
        let built = after.points + if before_built { 0 } else { before.points };
        let points = before.points + after.points;
        w.add(ADVICE_POINTS, built + points / POINTS_COMPARED_PER_EVENT);
        let period = lcm(before.servers.max(1), after.servers.max(1)).min(after.ring_size);
        w.add(ADVICE_MODULO, period / MODULO_STEPS_PER_EVENT);
    }
    w
}

/// Checks that replaying `actions` on `config` stays within the work budget, without doing the work:
/// the membership is replayed (cheap) but no ring is built and no request id drawn. The first action
/// that cannot apply, or that takes the work over the budget, is refused with its place.
pub fn check_replay<'a>(
    seed: u64,
    config: &HashingConfig,
    actions: impl IntoIterator<Item = &'a HashingAction>,
) -> Result<WorkEstimate, String> {
    let mut lab = HashingLab::with_mode(seed, config, true).map_err(|e| format!("configuration: {e}"))?;
    for (i, action) in actions.into_iter().enumerate() {
        lab.apply(action).map_err(|e| format!("action {} ({}): {e}", i + 1, action.describe()))?;
    }
    Ok(lab.estimate)
}

fn lcm(a: u64, b: u64) -> u64 {
    let (mut x, mut y) = (a, b);
    while y != 0 {
        (x, y) = (y, x % y);
    }
    a / x * b
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The movement as first written: every boundary of either ring looked up on both.
    fn moved_by_lookup(before: &Membership, rb: &Ring, after: &Membership, ra: &Ring) -> u64 {
        let m = after.ring_size;
        let owner = |ring: &Ring, ms: &Membership, h: u64| ring.lookup(h).map(|slot| ms.servers[slot as usize].id);
        let mut bounds: Vec<u64> = rb.points().chain(ra.points()).map(|(p, _)| p).collect();
        bounds.sort_unstable();
        bounds.dedup();
        let (Some(&first), Some(&last)) = (bounds.first(), bounds.last()) else {
            return 0;
        };
        let differs = |h: u64| owner(rb, before, h) != owner(ra, after, h);
        let mut moved = if differs(first) { m - last + first } else { 0 };
        for w in bounds.windows(2) {
            if differs(w[1]) {
                moved += w[1] - w[0];
            }
        }
        moved
    }

    #[test]
    fn the_merged_walk_moves_what_lookups_move() {
        let mut rng = SimRng::new(11);
        for case in 0..300 {
            let ring_size = [7, 64, 1000, 1 << 32][case % 4];
            let mut lab = HashingLab::new(
                case as u64,
                &HashingConfig {
                    ring_size,
                    key_count: 0,
                    servers: Vec::new(),
                    vnodes: 1 + rng.below(4) as u32,
                    split: default_split(),
                },
            )
            .expect("valid");
            let mut previous = lab.membership.clone();
            for step in 0..6 {
                let name = format!("S{}", rng.below(5));
                let position = (rng.below(3) == 0).then(|| rng.below(ring_size));
                let action = match rng.below(4) {
                    0 => HashingAction::RemoveServer { name },
                    1 => HashingAction::PlaceServer { name, position },
                    2 => HashingAction::SetWeight { name, weight: 1 + rng.below(3) as u32 },
                    _ => HashingAction::AddServer { name, position },
                };
                let _ = lab.apply(&action);
                let now = &lab.membership;
                let (rb, ra) = (previous.ring(), now.ring());
                let expected = moved_by_lookup(&previous, &rb, now, &ra);
                assert_eq!(ring_space_moved(&previous, &rb, now, &ra), expected, "case {case} step {step}");
                previous = now.clone();
            }
        }
    }

    #[test]
    fn a_dry_replay_estimates_the_work_of_the_real_one() {
        let config = HashingConfig {
            servers: (0..6).map(|i| ServerSpec { name: format!("S{i}"), position: None, weight: 1 }).collect(),
            vnodes: 50,
            ..HashingConfig::default()
        };
        let actions = [
            HashingAction::AddServer { name: "S9".into(), position: Some(3) },
            HashingAction::Probe { hash: 5 },
            HashingAction::SetKeyCount { key_count: 2000 },
            HashingAction::SetRingSize { ring_size: 5000 },
            HashingAction::SetWeight { name: "S1".into(), weight: 4 },
            HashingAction::PlaceServer { name: "S9".into(), position: Some(3) },
            HashingAction::RemoveServer { name: "S2".into() },
        ];
        let estimate = check_replay(1, &config, &actions).expect("within the budget");
        let mut lab = HashingLab::new(1, &config).expect("valid");
        for a in &actions {
            lab.apply(a).expect("applies");
        }
        assert_eq!(lab.work(), &estimate);
    }

    #[test]
    fn changes_over_the_budget_are_refused_and_leave_the_lab_as_it_was() {
        let config = HashingConfig {
            servers: (0..1000).map(|i| ServerSpec { name: format!("S{i}"), position: None, weight: 1 }).collect(),
            vnodes: 1000,
            ..HashingConfig::default()
        };
        let flip = [
            HashingAction::RemoveServer { name: "S7".into() },
            HashingAction::AddServer { name: "S7".into(), position: None },
        ];
        let e = check_replay(1, &config, flip.iter().cycle().take(limits::ACTIONS_MAX)).expect_err("over the budget");
        assert!(e.starts_with("action ") && e.contains("lower the virtual nodes"), "{e}");
        // The same through a dry lab applying changes one by one (as the page does): refused, unchanged.
        let mut lab = HashingLab::with_mode(1, &config, true).expect("valid");
        let refused = flip.iter().cycle().take(limits::ACTIONS_MAX).find_map(|a| {
            let before = (lab.membership.clone(), lab.work().clone());
            lab.apply(a).err().map(|e| (e, before))
        });
        let (e, (membership, work)) = refused.expect("some change goes over the budget");
        assert!(e.starts_with("too many simulation steps"), "{e}");
        assert_eq!((&lab.membership, lab.work()), (&membership, &work));
    }
}
