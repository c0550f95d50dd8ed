//! What every eviction policy answers: is this request a hit, and if not, what did the cache drop to
//! make room. One trait, so a trace replays the same way under any policy, and one list of policies with
//! stable names, so a page, a link and the command line all name them alike.
//!
//! A page steps one request at a time with [`Policy::access_explained`] and draws
//! [`Policy::segments`] after each; a replay of millions of requests calls [`Policy::access`], which does
//! the same work without describing it.

use super::{Arc, Clock, Fifo, Lfu, Lru, RandomEviction, S3Fifo, Sieve, WTinyLfu};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A cache of keys under one eviction policy. Every request either hits (the key is cached) or misses,
/// in which case the key is inserted and, when the cache is full, the policy evicts one key for it. A
/// cache of capacity 0 keeps nothing: every request misses.
pub trait Policy {
    /// Requests `key`: true on a hit. On a miss the key is inserted, evicting per the policy.
    fn access(&mut self, key: u64) -> bool;

    /// The same request as [`Policy::access`], with what the policy did and why, for a page to show.
    fn access_explained(&mut self, key: u64) -> Access;

    /// Keys cached now (ghost entries, which remember keys without holding them, do not count).
    fn len(&self) -> usize;

    /// True when nothing is cached.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Most keys the cache holds.
    fn capacity(&self) -> usize;

    /// Whether `key` is cached now, without counting as a request.
    fn contains(&self, key: u64) -> bool;

    /// Which policy this is.
    fn kind(&self) -> PolicyKind;

    /// The cache's state in the policy's own terms: its lists (or its clock face) in order, with each
    /// key's mark and, for CLOCK and SIEVE, the hand. Each policy's type documents its segments.
    fn segments(&self) -> Vec<Segment>;

    /// The cached keys in the policy's display order: its non-ghost segments one after another (see
    /// [`Policy::segments`]).
    fn contents(&self) -> Vec<u64> {
        self.segments().into_iter().filter(|s| !s.ghost).flat_map(|s| s.keys).collect()
    }

    /// A copy that continues exactly as this one would (a page keeps one per checkpoint).
    fn clone_box(&self) -> Box<dyn Policy>;
}

impl Clone for Box<dyn Policy> {
    fn clone(&self) -> Self {
        self.clone_box()
    }
}

/// The eviction policies, in the order a page lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PolicyKind {
    #[serde(rename = "lru")]
    Lru,
    #[serde(rename = "lfu")]
    Lfu,
    #[serde(rename = "fifo")]
    Fifo,
    #[serde(rename = "random")]
    Random,
    #[serde(rename = "clock")]
    Clock,
    #[serde(rename = "arc")]
    Arc,
    #[serde(rename = "w-tinylfu")]
    WTinyLfu,
    #[serde(rename = "s3-fifo")]
    S3Fifo,
    #[serde(rename = "sieve")]
    Sieve,
}

impl PolicyKind {
    /// Every policy.
    pub const ALL: [PolicyKind; 9] = [
        PolicyKind::Lru,
        PolicyKind::Lfu,
        PolicyKind::Fifo,
        PolicyKind::Random,
        PolicyKind::Clock,
        PolicyKind::Arc,
        PolicyKind::WTinyLfu,
        PolicyKind::S3Fifo,
        PolicyKind::Sieve,
    ];

    /// The stable lowercase name links and the command line use.
    pub const fn name(self) -> &'static str {
        match self {
            PolicyKind::Lru => "lru",
            PolicyKind::Lfu => "lfu",
            PolicyKind::Fifo => "fifo",
            PolicyKind::Random => "random",
            PolicyKind::Clock => "clock",
            PolicyKind::Arc => "arc",
            PolicyKind::WTinyLfu => "w-tinylfu",
            PolicyKind::S3Fifo => "s3-fifo",
            PolicyKind::Sieve => "sieve",
        }
    }

    /// The name as the literature writes it.
    pub const fn title(self) -> &'static str {
        match self {
            PolicyKind::Lru => "LRU",
            PolicyKind::Lfu => "LFU",
            PolicyKind::Fifo => "FIFO",
            PolicyKind::Random => "Random",
            PolicyKind::Clock => "CLOCK",
            PolicyKind::Arc => "ARC",
            PolicyKind::WTinyLfu => "W-TinyLFU",
            PolicyKind::S3Fifo => "S3-FIFO",
            PolicyKind::Sieve => "SIEVE",
        }
    }

    /// What the policy evicts, in a line.
    pub const fn evicts(self) -> &'static str {
        match self {
            PolicyKind::Lru => "the least recently used key",
            PolicyKind::Lfu => "the least frequently used key, the least recently used among equals",
            PolicyKind::Fifo => "the oldest key, however often it was used",
            PolicyKind::Random => "a key drawn at random",
            PolicyKind::Clock => "the first key the hand finds unused since its last pass",
            PolicyKind::Arc => "from recency or frequency, whichever its ghosts show was evicted too soon",
            PolicyKind::WTinyLfu => "the newcomer or main's oldest, whichever a frequency sketch says is rarer",
            PolicyKind::S3Fifo => "most new keys quickly, from a small queue; keys used again go to main",
            PolicyKind::Sieve => "the first key the hand finds unvisited, moving from old to new",
        }
    }

    /// The names of every policy, comma-separated, for messages.
    pub fn names() -> String {
        PolicyKind::ALL.map(PolicyKind::name).join(", ")
    }
}

impl fmt::Display for PolicyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for PolicyKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        PolicyKind::ALL.into_iter().find(|k| k.name() == s).ok_or_else(|| {
            format!("there is no eviction policy named \"{s}\": the policies are {}", PolicyKind::names())
        })
    }
}

/// A cache of `capacity` keys under `kind`; `seed` drives the random policy's draws (the others ignore
/// it). Callers check the capacity with [`super::check_capacity`] first.
pub fn build(kind: PolicyKind, capacity: usize, seed: u64) -> Box<dyn Policy> {
    match kind {
        PolicyKind::Lru => Box::new(Lru::new(capacity)),
        PolicyKind::Lfu => Box::new(Lfu::new(capacity)),
        PolicyKind::Fifo => Box::new(Fifo::new(capacity)),
        PolicyKind::Random => Box::new(RandomEviction::new(capacity, seed)),
        PolicyKind::Clock => Box::new(Clock::new(capacity)),
        PolicyKind::Arc => Box::new(Arc::new(capacity)),
        PolicyKind::WTinyLfu => Box::new(WTinyLfu::new(capacity)),
        PolicyKind::S3Fifo => Box::new(S3Fifo::new(capacity)),
        PolicyKind::Sieve => Box::new(Sieve::new(capacity)),
    }
}

/// Most keys a policy allocates room for up front: a cache this big is allocated whole, so it never
/// reallocates; a bigger one grows as it fills (and allocates nothing more once full), so asking for ten
/// million keys costs nothing until they arrive.
const PREALLOC_MAX: usize = 1 << 20;

/// The room to allocate up front for `capacity` keys.
pub(crate) fn prealloc(capacity: usize) -> usize {
    capacity.min(PREALLOC_MAX)
}

/// One part of a cache's state, as its policy names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Segment {
    /// Its name as the policy's paper calls it ("T1", "probation", "small").
    pub name: &'static str,
    /// Its keys in the policy's order (each policy's type says which).
    pub keys: Vec<u64>,
    /// Each key's mark, in the same order (a reference bit, a frequency, a next use), or empty when the
    /// policy keeps none.
    pub marks: Vec<u32>,
    /// A ghost list remembers keys the cache no longer holds (ARC's B1 and B2, S3-FIFO's ghost queue).
    pub ghost: bool,
    /// The hand's position in `keys` (CLOCK, SIEVE), when it points at a key.
    pub hand: Option<usize>,
}

impl Segment {
    /// A segment of cached keys with no marks and no hand.
    pub(crate) fn plain(name: &'static str, keys: Vec<u64>) -> Self {
        Segment { name, keys, marks: Vec::new(), ghost: false, hand: None }
    }
}

/// One request's outcome: hit or miss, the key evicted for it, and the policy's reasons.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Access {
    pub key: u64,
    pub hit: bool,
    /// The key that left the cache for this request, if one did. Under W-TinyLFU it may be the window's
    /// oldest key, turned away by admission rather than evicted from main (see [`Duel`]).
    pub evicted: Option<u64>,
    pub note: Note,
}

impl Access {
    #[inline]
    pub(crate) fn hit(key: u64, note: Note) -> Self {
        Access { key, hit: true, evicted: None, note }
    }

    #[inline]
    pub(crate) fn miss(key: u64, evicted: Option<u64>, note: Note) -> Self {
        Access { key, hit: false, evicted, note }
    }
}

/// What a policy did on one request, beyond hit and miss: enough for a sentence on the page.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "policy", rename_all = "snake_case")]
pub enum Note {
    /// The cache's capacity is 0: nothing is inserted.
    NoRoom,
    /// LRU: a hit moves the key to the front; a miss inserts it there and evicts from the back.
    Lru,
    /// LFU: the key's use count after this request and, when a key was evicted, the victim's.
    Lfu { freq: u32, victim_freq: Option<u32> },
    /// FIFO: a hit changes nothing; a miss joins the queue as its newest key, the oldest leaving.
    Fifo,
    /// Random: on an eviction, the slot drawn.
    Random { slot: Option<usize> },
    /// CLOCK: keys whose reference bit the hand cleared (a second chance) before it found the victim.
    Clock { spared: u32 },
    /// SIEVE: keys whose visited bit the hand cleared before it found the victim.
    Sieve { spared: u32 },
    /// ARC: the paper's case, the target size of T1 after it, and where the victim came from.
    Arc { case: ArcCase, p: f64, victim: Option<ArcVictim> },
    /// W-TinyLFU: where the hit was, or what the window's overflow did.
    WTinyLfu { step: TinyLfuStep },
    /// S3-FIFO: the key's frequency after a hit, whether a miss was remembered by the ghost queue, the
    /// keys promoted from small to main and reinserted into main while looking for a victim, and the
    /// victim's queue (a victim from small is remembered by the ghost queue).
    S3Fifo { freq: u8, ghost_hit: bool, promoted: u32, reinserted: u32, victim_from: Option<S3Queue> },
    /// Belady's optimal: the evicted key's next request (its index in the trace), or `None` when it is
    /// never requested again.
    Optimal { victim_next_use: Option<usize> },
}

/// ARC's cases (Megiddo & Modha, FAST'03, figure 4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ArcCase {
    /// Case I, the key in T1: it moves to T2's front (seen twice now).
    HitT1,
    /// Case I, the key in T2: it moves to T2's front.
    HitT2,
    /// Case II, a ghost in B1: recency was evicted too soon, so T1's target p grows.
    GhostB1,
    /// Case III, a ghost in B2: frequency was evicted too soon, so p shrinks.
    GhostB2,
    /// Case IV: a key neither cached nor remembered, inserted at T1's front.
    New,
}

/// Where ARC's victim came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ArcVictim {
    /// REPLACE took T1's least recently used key and remembered it in B1.
    T1ToB1,
    /// REPLACE took T2's least recently used key and remembered it in B2.
    T2ToB2,
    /// Case IV(A) with B1 empty: T1's least recently used key is dropped, not remembered.
    T1Dropped,
}

/// What W-TinyLFU did on one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum TinyLfuStep {
    /// A hit in the window: the key moves to the window's front.
    WindowHit,
    /// A hit in probation: the key is promoted to protected; when protected overflowed, its least
    /// recently used key went back to probation.
    ProbationHit { demoted: Option<u64> },
    /// A hit in protected: the key moves to protected's front.
    ProtectedHit,
    /// A miss: the key enters the window; when the window overflowed, what its oldest key met.
    Miss { overflow: Option<Overflow> },
}

/// The window's oldest key leaving it for main.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Overflow {
    /// Main had room: the candidate joined probation.
    Moved { candidate: u64 },
    /// Main was full: the candidate faced probation's least recently used key.
    Duel(Duel),
}

/// TinyLFU's admission: the candidate enters main only if the sketch estimates it more frequent than
/// main's victim; the loser is evicted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Duel {
    pub candidate: u64,
    pub victim: u64,
    pub candidate_freq: u8,
    pub victim_freq: u8,
    pub admitted: bool,
}

/// S3-FIFO's two cache queues.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum S3Queue {
    Small,
    Main,
}

impl fmt::Display for Access {
    /// The request in a sentence: "hit: …" or "miss: …", then what the policy did.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (k, e) = (self.key, self.evicted);
        let evicted = |f: &mut fmt::Formatter<'_>, why: &str| match e {
            Some(v) => write!(f, ", evicted {v} ({why})"),
            None => write!(f, " (the cache had room)"),
        };
        match (self.hit, self.note) {
            (_, Note::NoRoom) => write!(f, "miss: a cache of capacity 0 keeps nothing, so {k} is not inserted"),
            (true, Note::Lru) => write!(f, "hit: {k} moves to the front, the most recently used"),
            (false, Note::Lru) => {
                write!(f, "miss: {k} inserted at the front")?;
                evicted(f, "the least recently used")
            }
            (true, Note::Lfu { freq, .. }) => write!(f, "hit: {k} has now been used {freq} times"),
            (false, Note::Lfu { victim_freq, .. }) => {
                write!(f, "miss: {k} inserted, used once")?;
                let why = match victim_freq {
                    Some(1) => "the least frequently used, once, and the least recently used of those".to_string(),
                    Some(n) => format!("the least frequently used, {n} times, and the least recently used of those"),
                    None => String::new(),
                };
                evicted(f, &why)
            }
            (true, Note::Fifo) => write!(f, "hit: {k} stays where it is, FIFO ignores hits"),
            (false, Note::Fifo) => {
                write!(f, "miss: {k} joins the queue as its newest key")?;
                evicted(f, "the oldest")
            }
            (true, Note::Random { .. }) => write!(f, "hit: {k} stays where it is"),
            (false, Note::Random { slot }) => {
                write!(f, "miss: {k} inserted")?;
                evicted(f, &format!("drawn at random, from slot {}", slot.unwrap_or_default()))
            }
            (true, Note::Clock { .. }) => write!(f, "hit: {k}'s reference bit is set"),
            (false, Note::Clock { spared }) => match e {
                None => write!(f, "miss: {k} takes the next free slot, its bit clear (the cache had room)"),
                Some(v) if spared == 0 => {
                    write!(
                        f,
                        "miss: {k} takes the victim's slot, its bit clear, evicted {v} (the hand found its bit clear)"
                    )
                }
                Some(v) => write!(
                    f,
                    "miss: {k} takes the victim's slot, its bit clear, evicted {v} (the hand gave {} a second chance, \
                     then found its bit clear)",
                    plural(spared, "key", "keys")
                ),
            },
            (true, Note::Sieve { .. }) => write!(f, "hit: {k}'s visited bit is set, it does not move"),
            (false, Note::Sieve { spared }) => {
                write!(f, "miss: {k} inserted at the head, unvisited")?;
                evicted(
                    f,
                    &match spared {
                        0 => "the hand found it unvisited".to_string(),
                        n => format!(
                            "the hand cleared {}, then found it unvisited",
                            plural(n, "visited bit", "visited bits")
                        ),
                    },
                )
            }
            (_, Note::Arc { case, p, victim }) => {
                match case {
                    ArcCase::HitT1 => write!(f, "hit: {k} was in T1, seen once; now seen twice, it moves to T2")?,
                    ArcCase::HitT2 => write!(f, "hit: {k} moves to T2's front")?,
                    ArcCase::GhostB1 => {
                        write!(f, "miss: {k} was a ghost in B1, so T1's target grows to {p:.2}; it enters T2")?
                    }
                    ArcCase::GhostB2 => {
                        write!(f, "miss: {k} was a ghost in B2, so T1's target shrinks to {p:.2}; it enters T2")?
                    }
                    ArcCase::New => write!(f, "miss: {k} is new, it enters T1")?,
                }
                match (victim, e) {
                    (Some(ArcVictim::T1ToB1), Some(v)) => {
                        write!(f, ", evicted {v} (T1's least recently used, remembered in B1)")
                    }
                    (Some(ArcVictim::T2ToB2), Some(v)) => {
                        write!(f, ", evicted {v} (T2's least recently used, remembered in B2)")
                    }
                    (Some(ArcVictim::T1Dropped), Some(v)) => {
                        write!(f, ", evicted {v} (T1's least recently used; T1 filled the cache, so no ghost)")
                    }
                    _ => Ok(()),
                }
            }
            (_, Note::WTinyLfu { step }) => match step {
                TinyLfuStep::WindowHit => write!(f, "hit: {k} moves to the window's front"),
                TinyLfuStep::ProbationHit { demoted: None } => {
                    write!(f, "hit: {k} is promoted from probation to protected")
                }
                TinyLfuStep::ProbationHit { demoted: Some(d) } => {
                    write!(
                        f,
                        "hit: {k} is promoted from probation to protected, and {d}, protected's least recently \
                         used, goes back to probation"
                    )
                }
                TinyLfuStep::ProtectedHit => write!(f, "hit: {k} moves to protected's front"),
                TinyLfuStep::Miss { overflow: None } => write!(f, "miss: {k} enters the window, which had room"),
                TinyLfuStep::Miss { overflow: Some(Overflow::Moved { candidate }) } => {
                    write!(
                        f,
                        "miss: {k} enters the window; its oldest, {candidate}, moves to probation (main had room)"
                    )
                }
                TinyLfuStep::Miss { overflow: Some(Overflow::Duel(d)) } => {
                    write!(f, "miss: {k} enters the window; its oldest, {}, ", d.candidate)?;
                    if d.candidate == d.victim {
                        write!(f, "is evicted: main is full and it would be its own victim")
                    } else if d.admitted {
                        write!(
                            f,
                            "is admitted to main (estimated frequency {} > {} for {}, main's victim), evicting it",
                            d.candidate_freq, d.victim_freq, d.victim
                        )
                    } else {
                        write!(
                            f,
                            "is turned away (estimated frequency {} ≤ {} for {}, main's victim) and evicted",
                            d.candidate_freq, d.victim_freq, d.victim
                        )
                    }
                }
            },
            (true, Note::S3Fifo { freq, .. }) => write!(f, "hit: {k}'s frequency is now {freq} (at most 3)"),
            (false, Note::S3Fifo { ghost_hit, promoted, reinserted, victim_from, .. }) => {
                if ghost_hit {
                    write!(f, "miss: {k} was remembered by the ghost queue, so it enters main")?;
                } else {
                    write!(f, "miss: {k} enters the small queue")?;
                }
                if promoted > 0 {
                    let keys = plural(promoted, "key", "keys");
                    write!(f, "; {keys} requested twice or more since arriving moved from small to main")?;
                }
                if reinserted > 0 {
                    let keys = plural(reinserted, "key", "keys");
                    write!(f, "; {keys} requested while in main went back to its head, one use spent")?;
                }
                match (victim_from, e) {
                    (Some(S3Queue::Small), Some(v)) => {
                        write!(
                            f,
                            ", evicted {v} (small's oldest, requested less than twice since arriving: the ghost \
                             queue remembers it)"
                        )
                    }
                    (Some(S3Queue::Main), Some(v)) => write!(f, ", evicted {v} (main's oldest, its frequency spent)"),
                    _ => Ok(()),
                }
            }
            (true, Note::Optimal { .. }) => write!(f, "hit: {k} was kept"),
            (false, Note::Optimal { victim_next_use }) => {
                write!(f, "miss: {k} inserted")?;
                evicted(
                    f,
                    &match victim_next_use {
                        Some(i) => format!("requested again furthest in the future, at request {}", i + 1),
                        None => "never requested again".to_string(),
                    },
                )
            }
        }
    }
}

/// "1 key", "2 keys".
fn plural(n: u32, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
}

/// Implements [`Policy`] for a type with inherent `step`, `len`, `capacity`, `contains` and `segments`:
/// `access` is `step(key).hit`, whose description the compiler drops when nothing reads it.
macro_rules! impl_policy {
    ($t:ty, $kind:expr) => {
        impl $crate::sim::cache::Policy for $t {
            #[inline]
            fn access(&mut self, key: u64) -> bool {
                self.step(key).hit
            }
            fn access_explained(&mut self, key: u64) -> $crate::sim::cache::Access {
                self.step(key)
            }
            fn len(&self) -> usize {
                <$t>::len(self)
            }
            fn capacity(&self) -> usize {
                <$t>::capacity(self)
            }
            fn contains(&self, key: u64) -> bool {
                <$t>::contains(self, key)
            }
            fn kind(&self) -> $crate::sim::cache::PolicyKind {
                $kind
            }
            fn segments(&self) -> Vec<$crate::sim::cache::Segment> {
                <$t>::segments(self)
            }
            fn clone_box(&self) -> Box<dyn $crate::sim::cache::Policy> {
                Box::new(self.clone())
            }
        }
    };
}
pub(crate) use impl_policy;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_list_the_policies() {
        for k in PolicyKind::ALL {
            assert_eq!(k.name().parse::<PolicyKind>(), Ok(k));
            assert_eq!(serde_json::to_string(&k).unwrap(), format!("\"{}\"", k.name()));
            assert_eq!(serde_json::from_str::<PolicyKind>(&format!("\"{k}\"")).unwrap(), k);
            assert_eq!(build(k, 3, 1).kind(), k);
        }
        let e = "LRU".parse::<PolicyKind>().unwrap_err();
        assert_eq!(
            e,
            "there is no eviction policy named \"LRU\": the policies are lru, lfu, fifo, random, clock, arc, \
             w-tinylfu, s3-fifo, sieve"
        );
    }

    #[test]
    fn a_boxed_policy_clones_into_one_that_continues_alike() {
        for k in PolicyKind::ALL {
            let mut a = build(k, 4, 7);
            for key in [1, 2, 3, 1, 4, 5, 1, 6] {
                a.access(key);
            }
            let mut b = a.clone();
            for key in [7, 1, 2, 8, 3, 1, 9, 2] {
                assert_eq!(a.access_explained(key), b.access_explained(key), "{k}");
            }
            assert_eq!(a.segments(), b.segments(), "{k}");
        }
    }

    #[test]
    fn capacity_zero_keeps_nothing() {
        for k in PolicyKind::ALL {
            let mut p = build(k, 0, 1);
            for key in [1, 1, 2, 1] {
                let a = p.access_explained(key);
                assert!(!a.hit && a.evicted.is_none() && a.note == Note::NoRoom, "{k}");
                assert_eq!(
                    a.to_string(),
                    format!("miss: a cache of capacity 0 keeps nothing, so {key} is not inserted")
                );
            }
            assert!(p.is_empty() && p.contents().is_empty() && !p.contains(1), "{k}");
            assert_eq!(p.capacity(), 0);
        }
    }
}
