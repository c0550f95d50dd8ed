//! Where a cache sits, and what each hit saves: the notes' arithmetic (client to server 100 ms, server
//! to database 10 ms, so a request that reaches the database takes 100 + 10 + 10 + 100 = 220 ms) with a
//! cache at each place the notes name, each switchable, sized and under its own eviction policy:
//!
//! - the **client** cache, one per user: a hit costs only the local lookup (`client_lookup_us`);
//! - the **server**'s in-process cache, one per application server (requests spread over the servers at
//!   random, as a load balancer does): a hit costs the two client–server legs, 200 ms, saving the
//!   database's;
//! - a dedicated **cache tier** of K nodes, sharded by consistent hashing on the hashing lab's
//!   [`Ring`] (virtual nodes labelled `tier-{n}#{v}`, hashed by xxh3) and scaled on its own: each lookup
//!   adds a hop from the server and back (`tier_hop_us` each way), hit or miss;
//! - the **database**'s buffer cache: the notes' 10 ms legs are a database answering from memory; a
//!   buffer miss adds a disk read (`disk_read_us`). With the buffer cache off, every request that reaches
//!   the database reads the disk.
//!
//! A request looks in each enabled level in that order and is answered by the first that holds its key;
//! every level it missed is filled on the way back (an inclusive hierarchy, as read-through caches are).
//! A level looked in costs its lookup whether it hits or not: the notes' "waste of some time" when the
//! cache does not hold what users ask for.
//!
//! The workload is the notes' Instagram feed: U users, each with an interest (user u's is
//! `splitmix64(u) mod interests`, so interests are near-uniform), ask for pages of a feed, page p drawn
//! Zipf(s) over `items` (the top of a feed is read most). With [`Feeds::ByInterest`] (the notes: "whenever
//! another user having same area of interest comes, we can serve that directly") a feed is one per
//! interest and a page cached in a server serves every user of that interest; with [`Feeds::PerUser`]
//! every user's feed is their own, so only that user's own requests can hit it.
//!
//! [`PlacementRun`] runs the same requests (the same seed, so the same users, pages and servers) through
//! every [`Setup`]: as configured, no cache, client only, server only, tier only, all levels; one step is
//! one request through one setup, so a run is at most `6 × requests` steps, each a handful of policy
//! accesses (the defaults run in a few tens of milliseconds natively). [`tier_layout`] is the tier's
//! ring: each node's share, and the keys that move when one node joins.

use super::stats::{Histogram, Summary, Tally, round_bucket_us};
use super::{Policy, PolicyKind, build, check_capacity};
use crate::sim::check_range;
use crate::sim::hash::{hash_str, hash_u64, splitmix64};
use crate::sim::hashing::Ring;
use crate::sim::kernel::SimRng;
use crate::sim::zipf::Zipf;
use serde::{Deserialize, Serialize};

/// Limits on a placement run, each refused with a sentence naming the setting.
pub mod limits {
    /// Most requests in a run (each one through all six setups).
    pub const REQUESTS_MAX: u32 = 1_000_000;
    /// Most users.
    pub const USERS_MAX: u32 = 1_000_000;
    /// Most interests.
    pub const INTERESTS_MAX: u32 = 100_000;
    /// Most pages in a feed.
    pub const ITEMS_MAX: u32 = 100_000;
    /// Most distinct keys: feeds (interests or users) times pages.
    pub const KEYS_MAX: u64 = 100_000_000;
    /// Most application servers.
    pub const SERVERS_MAX: u32 = 64;
    /// Most cache-tier nodes.
    pub const TIER_NODES_MAX: u32 = 64;
    /// Most virtual nodes per tier node.
    pub const VNODES_MAX: u32 = 1_000;
    /// Most keys one cache holds.
    pub const CAPACITY_MAX: u32 = 1_000_000;
    /// Most cache slots over every cache of a setup (users × client, servers × server, nodes × tier and
    /// the database's), which bounds a run's memory.
    pub const SLOTS_MAX: u64 = 4_000_000;
    /// Longest one-way leg between client, server and database, ms.
    pub const LEG_MS_MAX: u32 = 10_000;
    /// Longest lookup, hop or disk read, µs.
    pub const COST_US_MAX: u32 = 10_000_000;
    /// Largest Zipf exponent, in thousandths.
    pub const S_MILLI_MAX: u32 = 5_000;
    /// Catalogue keys [`super::tier_layout`] counts (all of them when fewer).
    pub const LAYOUT_KEYS_MAX: u64 = 200_000;
    /// Buckets in each setup's latency histogram.
    pub const HISTOGRAM_BUCKETS: u64 = 25;
}

/// Whose feed a page belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Feeds {
    /// One feed per interest, shared by every user of it (the notes' example).
    ByInterest,
    /// One feed per user.
    PerUser,
}

/// The costs of the path, in the notes' units: the legs in ms, the rest in µs.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Network {
    /// Client to server, one way (the notes: 100 ms).
    pub client_server_ms: u32,
    /// Server to database, one way (the notes: 10 ms).
    pub server_db_ms: u32,
    /// Looking in the client's own cache, hit or miss.
    pub client_lookup_us: u32,
    /// Looking in the server's in-process cache, hit or miss.
    pub server_lookup_us: u32,
    /// Server to a cache-tier node, one way.
    pub tier_hop_us: u32,
    /// A disk read when the database's buffer cache misses.
    pub disk_read_us: u32,
}

impl Default for Network {
    /// The notes' 100 ms and 10 ms; a 1 ms local read on the client; an in-process lookup counted as
    /// nothing next to them; 1 ms each way to a tier node in the same data center (about what a
    /// memcached or Redis round trip there takes); 5 ms for a random disk read (a spinning disk's seek
    /// and half a turn; an SSD is about 0.1 ms).
    fn default() -> Self {
        Self {
            client_server_ms: 100,
            server_db_ms: 10,
            client_lookup_us: 1_000,
            server_lookup_us: 0,
            tier_hop_us: 1_000,
            disk_read_us: 5_000,
        }
    }
}

/// One cache level: on or off, its size in keys (per user, per server or for the database) and policy.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelConfig {
    pub enabled: bool,
    pub capacity: u32,
    pub policy: PolicyKind,
}

impl LevelConfig {
    pub const fn lru(capacity: u32) -> Self {
        Self { enabled: true, capacity, policy: PolicyKind::Lru }
    }
}

/// The dedicated cache tier: K nodes on a consistent-hashing ring, each holding `capacity` keys.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TierConfig {
    pub enabled: bool,
    pub nodes: u32,
    /// Keys per node.
    pub capacity: u32,
    pub policy: PolicyKind,
    /// Points per node on the ring.
    pub vnodes: u32,
}

/// A placement run's setting (the seed is the scenario's).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlacementConfig {
    pub requests: u32,
    pub users: u32,
    pub interests: u32,
    /// Pages per feed.
    pub items: u32,
    /// The Zipf exponent of page popularity, in thousandths (1000 is s = 1).
    pub s_milli: u32,
    pub feeds: Feeds,
    /// Application servers, each with its own in-process cache.
    pub servers: u32,
    pub network: Network,
    pub client: LevelConfig,
    pub server: LevelConfig,
    pub tier: TierConfig,
    pub database: LevelConfig,
}

impl Default for PlacementConfig {
    /// [`feed_by_interest`].
    fn default() -> Self {
        feed_by_interest()
    }
}

/// The preset names this module offers, in the order a page lists them.
pub const PRESETS: [&str; 2] = ["feed-by-interest", "feed-per-user"];

/// A preset by name.
pub fn preset(name: &str) -> Option<PlacementConfig> {
    match name {
        "feed-by-interest" => Some(feed_by_interest()),
        "feed-per-user" => Some(feed_per_user()),
        _ => None,
    }
}

/// The notes' Instagram feed: 1,000 users over 20 interests read pages of their interest's feed (50
/// pages, Zipf s = 1), 100,000 requests over 3 servers; every level on: a client cache of 10 pages per
/// user, 200 per server, a tier of 3 nodes × 200 (100 points each), a database buffer of 500, all LRU.
pub fn feed_by_interest() -> PlacementConfig {
    PlacementConfig {
        requests: 100_000,
        users: 1_000,
        interests: 20,
        items: 50,
        s_milli: 1_000,
        feeds: Feeds::ByInterest,
        servers: 3,
        network: Network::default(),
        client: LevelConfig::lru(10),
        server: LevelConfig::lru(200),
        tier: TierConfig { enabled: true, nodes: 3, capacity: 200, policy: PolicyKind::Lru, vnodes: 100 },
        database: LevelConfig::lru(500),
    }
}

/// The same, with every user's feed their own: the server and tier caches now hold pages only their
/// own user asks for again, and hit far less.
pub fn feed_per_user() -> PlacementConfig {
    PlacementConfig { feeds: Feeds::PerUser, ..feed_by_interest() }
}

/// The levels a request can look in, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    Client,
    Server,
    Tier,
    Database,
}

impl Level {
    pub const ALL: [Level; 4] = [Level::Client, Level::Server, Level::Tier, Level::Database];
}

/// Where a request was answered: a cache level, or the database from memory or from its disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Answer {
    Client,
    Server,
    Tier,
    /// The database, from its buffer cache.
    Database,
    /// The database, reading its disk.
    Disk,
}

impl Answer {
    pub const ALL: [Answer; 5] = [Answer::Client, Answer::Server, Answer::Tier, Answer::Database, Answer::Disk];
}

/// Which application caches a run uses; the database's buffer cache is part of the database and is on
/// or off as configured in every setup.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Setup {
    /// The levels as the configuration enables them.
    Configured,
    /// No client, server or tier cache.
    NoCache,
    ClientOnly,
    ServerOnly,
    TierOnly,
    /// Client, server and tier caches.
    All,
}

impl Setup {
    /// Every setup, in the order a run computes and a report lists them.
    pub const ALL: [Setup; 6] =
        [Setup::Configured, Setup::NoCache, Setup::ClientOnly, Setup::ServerOnly, Setup::TierOnly, Setup::All];

    /// Whether the client, server and tier caches are on, and the database's buffer cache.
    pub fn enabled(self, c: &PlacementConfig) -> [bool; 4] {
        let [cl, sv, ti] = match self {
            Setup::Configured => [c.client.enabled, c.server.enabled, c.tier.enabled],
            Setup::NoCache => [false, false, false],
            Setup::ClientOnly => [true, false, false],
            Setup::ServerOnly => [false, true, false],
            Setup::TierOnly => [false, false, true],
            Setup::All => [true, true, true],
        };
        [cl, sv, ti, c.database.enabled]
    }
}

impl PlacementConfig {
    /// Distinct keys in the catalogue: feeds times pages.
    pub fn keys(&self) -> u64 {
        let feeds = match self.feeds {
            Feeds::ByInterest => self.interests,
            Feeds::PerUser => self.users,
        };
        u64::from(feeds) * u64::from(self.items)
    }

    /// The key of page `item` (0-based) of `user`'s feed.
    pub fn key_of(&self, user: u32, item: u32) -> u64 {
        let feed = match self.feeds {
            Feeds::ByInterest => self.interest_of(user),
            Feeds::PerUser => user,
        };
        u64::from(feed) * u64::from(self.items) + u64::from(item)
    }

    /// `user`'s interest: `splitmix64(user) mod interests`.
    pub fn interest_of(&self, user: u32) -> u32 {
        (splitmix64(u64::from(user)) % u64::from(self.interests.max(1))) as u32
    }

    /// The latency of a request answered at `at` when the levels `enabled` (client, server, tier,
    /// database buffer, as [`Setup::enabled`] gives them) are on, µs: every enabled level above `at`
    /// was looked in and missed.
    pub fn latency_us(&self, enabled: [bool; 4], at: Answer) -> u64 {
        let n = &self.network;
        let [cl, sv, ti, _] = enabled;
        let client = if cl { u64::from(n.client_lookup_us) } else { 0 };
        if at == Answer::Client {
            return u64::from(n.client_lookup_us);
        }
        let to_server = client + 2 * 1_000 * u64::from(n.client_server_ms);
        let server = to_server + if sv { u64::from(n.server_lookup_us) } else { 0 };
        if at == Answer::Server {
            return to_server + u64::from(n.server_lookup_us);
        }
        let tier = server + if ti { 2 * u64::from(n.tier_hop_us) } else { 0 };
        if at == Answer::Tier {
            return server + 2 * u64::from(n.tier_hop_us);
        }
        let database = tier + 2 * 1_000 * u64::from(n.server_db_ms);
        if at == Answer::Database { database } else { database + u64::from(n.disk_read_us) }
    }

    /// The histogram's bucket width: round, and wide enough that the slowest path (every level on and
    /// missing, then the disk) fits in [`limits::HISTOGRAM_BUCKETS`] buckets.
    pub fn bucket_us(&self) -> u64 {
        round_bucket_us(self.latency_us([true; 4], Answer::Disk) + 1, limits::HISTOGRAM_BUCKETS)
    }

    /// Refuses anything outside the limits with a sentence saying which setting to change.
    pub fn validate(&self) -> Result<(), String> {
        check_range("requests", u64::from(self.requests), 1, u64::from(limits::REQUESTS_MAX))?;
        check_range("users", u64::from(self.users), 1, u64::from(limits::USERS_MAX))?;
        check_range("interests", u64::from(self.interests), 1, u64::from(limits::INTERESTS_MAX))?;
        check_range("pages per feed", u64::from(self.items), 1, u64::from(limits::ITEMS_MAX))?;
        check_range("the Zipf exponent (thousandths)", u64::from(self.s_milli), 0, u64::from(limits::S_MILLI_MAX))?;
        check_range("servers", u64::from(self.servers), 1, u64::from(limits::SERVERS_MAX))?;
        if self.keys() > limits::KEYS_MAX {
            return Err(format!(
                "the catalogue has {} keys (feeds × pages), more than {}: lower the users, interests or pages",
                self.keys(),
                limits::KEYS_MAX
            ));
        }
        let n = &self.network;
        check_range("the client–server leg (ms)", u64::from(n.client_server_ms), 0, u64::from(limits::LEG_MS_MAX))?;
        check_range("the server–database leg (ms)", u64::from(n.server_db_ms), 0, u64::from(limits::LEG_MS_MAX))?;
        for (what, v) in [
            ("the client's lookup (µs)", n.client_lookup_us),
            ("the server's lookup (µs)", n.server_lookup_us),
            ("the hop to a tier node (µs)", n.tier_hop_us),
            ("a disk read (µs)", n.disk_read_us),
        ] {
            check_range(what, u64::from(v), 0, u64::from(limits::COST_US_MAX))?;
        }
        for (what, v) in [
            ("the client cache's capacity", self.client.capacity),
            ("the server cache's capacity", self.server.capacity),
            ("a tier node's capacity", self.tier.capacity),
            ("the database buffer's capacity", self.database.capacity),
        ] {
            check_range(what, u64::from(v), 0, u64::from(limits::CAPACITY_MAX))?;
            check_capacity(v as usize)?;
        }
        check_range("tier nodes", u64::from(self.tier.nodes), 1, u64::from(limits::TIER_NODES_MAX))?;
        check_range("points per tier node", u64::from(self.tier.vnodes), 1, u64::from(limits::VNODES_MAX))?;
        let parts = [
            ("the client caches (users × capacity)", u64::from(self.users) * u64::from(self.client.capacity)),
            ("the server caches (servers × capacity)", u64::from(self.servers) * u64::from(self.server.capacity)),
            ("the tier (nodes × capacity)", u64::from(self.tier.nodes) * u64::from(self.tier.capacity)),
            ("the database buffer", u64::from(self.database.capacity)),
        ];
        let slots: u64 = parts.iter().map(|p| p.1).sum();
        if slots > limits::SLOTS_MAX {
            let (what, most) = parts.iter().max_by_key(|p| p.1).expect("four parts");
            return Err(format!(
                "the caches hold {slots} keys in all, more than {}: make {what} smaller (it holds {most})",
                limits::SLOTS_MAX
            ));
        }
        Ok(())
    }
}

/// The tier's ring for `nodes` nodes: node n's `vnodes` points at `xxh3("tier-{n}#{v}")`, so a node
/// joining adds its own points and moves nothing between the others.
pub fn tier_ring(nodes: u32, vnodes: u32) -> Ring {
    Ring::build((0..nodes).flat_map(|n| (0..vnodes).map(move |v| (hash_str(&format!("tier-{n}#{v}")), n))))
}

/// Each node's exact share of the whole 64-bit hash space: the arcs ending at its points (a key at h
/// belongs to the first point at or after h, wrapping).
pub fn arc_shares(ring: &Ring, nodes: u32) -> Vec<f64> {
    let mut owned = vec![0u128; nodes as usize];
    let p = ring.positions();
    for (i, (&pos, &owner)) in p.iter().zip(ring.owners()).enumerate() {
        let arc = if i == 0 {
            (1u128 << 64) - u128::from(p[p.len() - 1]) + u128::from(pos)
        } else {
            u128::from(pos - p[i - 1])
        };
        owned[owner as usize] += arc;
    }
    owned.into_iter().map(|a| a as f64 / (1u128 << 64) as f64).collect()
}

/// The tier's layout over the catalogue: each node's share of the ring and of the keys, and what one
/// more node moves.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TierLayout {
    /// Catalogue keys counted: all of them, or the first [`limits::LAYOUT_KEYS_MAX`] (their hashes make
    /// any keys a uniform sample of the ring).
    pub keys_counted: u64,
    pub nodes: Vec<TierNodeShare>,
    /// Counted keys whose node changes when node K (numbered from 0) joins.
    pub moved: u64,
    /// `moved / keys_counted`.
    pub moved_fraction: f64,
    /// The new node's exact share of the ring: the fraction of a uniform key space that moves.
    pub new_node_share: f64,
    /// 1 / (K + 1), what the new node takes on average over rings.
    pub expected_fraction: f64,
    /// Every moved key went to the new node (consistent hashing moves nothing between old nodes).
    pub all_moved_to_new: bool,
}

/// One tier node's share.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TierNodeShare {
    pub node: u32,
    /// Its exact share of the hash space.
    pub arc_share: f64,
    /// Counted keys it owns.
    pub keys: u64,
}

/// The tier's layout (cost: two ring lookups for each of at most [`limits::LAYOUT_KEYS_MAX`] keys).
pub fn tier_layout(config: &PlacementConfig) -> TierLayout {
    let k = config.tier.nodes;
    let before = tier_ring(k, config.tier.vnodes);
    let after = tier_ring(k + 1, config.tier.vnodes);
    let shares = arc_shares(&before, k);
    let counted = config.keys().min(limits::LAYOUT_KEYS_MAX);
    let mut keys = vec![0u64; k as usize];
    let (mut moved, mut all_new) = (0, true);
    for key in 0..counted {
        let h = hash_u64(key);
        let a = before.lookup(h).expect("the tier has a node");
        let b = after.lookup(h).expect("the tier has a node");
        keys[a as usize] += 1;
        if a != b {
            moved += 1;
            all_new &= b == k;
        }
    }
    TierLayout {
        keys_counted: counted,
        nodes: (0..k)
            .map(|n| TierNodeShare { node: n, arc_share: shares[n as usize], keys: keys[n as usize] })
            .collect(),
        moved,
        moved_fraction: moved as f64 / counted.max(1) as f64,
        new_node_share: arc_shares(&after, k + 1)[k as usize],
        expected_fraction: 1.0 / f64::from(k + 1),
        all_moved_to_new: all_new,
    }
}

/// One level's lookups in one setup.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LevelReport {
    pub level: Level,
    pub enabled: bool,
    /// Requests that looked in this level.
    pub lookups: u64,
    pub hits: u64,
    /// `hits / lookups` (0 with no lookups).
    pub hit_ratio: f64,
}

/// The requests answered at one place and what each cost.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AnswerReport {
    pub at: Answer,
    pub requests: u64,
    /// `requests / all requests`.
    pub fraction: f64,
    /// The latency of each of them, µs ([`PlacementConfig::latency_us`]).
    pub latency_us: u64,
}

/// A tier node's traffic in one setup.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TierNodeReport {
    pub node: u32,
    /// Its exact share of the hash space.
    pub arc_share: f64,
    pub lookups: u64,
    pub hits: u64,
}

/// One setup's run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SetupReport {
    pub setup: Setup,
    /// The four levels in order.
    pub levels: Vec<LevelReport>,
    /// The five places a request is answered, in order.
    pub answers: Vec<AnswerReport>,
    /// Requests that reached the database.
    pub database_requests: u64,
    /// Of those, the ones that read the disk.
    pub disk_reads: u64,
    /// End-to-end latency, µs.
    pub latency: Summary,
    /// The same, in [`PlacementReport::bucket_us`] buckets.
    pub histogram: Histogram,
    /// The tier's nodes (empty when the setup has no tier).
    pub tier_nodes: Vec<TierNodeReport>,
}

/// Every setup's run on the same requests.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PlacementReport {
    pub requests: u32,
    /// Distinct keys in the catalogue.
    pub keys: u64,
    /// The width of every histogram's buckets, µs.
    pub bucket_us: u64,
    /// The setups computed so far, in [`Setup::ALL`] order.
    pub setups: Vec<SetupReport>,
}

/// One setup's caches and counts while it runs.
struct SetupRun {
    setup: Setup,
    enabled: [bool; 4],
    latency: [u64; 5],
    rng: SimRng,
    zipf: Zipf,
    clients: super::keymap::KeyMap<Box<dyn Policy>>,
    servers: Vec<Box<dyn Policy>>,
    ring: Ring,
    tier: Vec<Box<dyn Policy>>,
    tier_counts: Vec<[u64; 2]>,
    database: Box<dyn Policy>,
    lookups: [u64; 4],
    hits: [u64; 4],
    answered: [u64; 5],
    tally: Tally,
    done: u32,
}

// Seeds of the random policy's draws, apart for each level so no two caches draw alike.
const SALT_CLIENT: u64 = 0x636c_6965_6e74;
const SALT_SERVER: u64 = 0x7365_7276_6572;
const SALT_TIER: u64 = 0x7469_6572;
const SALT_DB: u64 = 0x6462;

impl SetupRun {
    fn new(config: &PlacementConfig, seed: u64, setup: Setup) -> Self {
        let enabled = setup.enabled(config);
        let [_, sv, ti, db] = enabled;
        let server_caches = if sv { config.servers } else { 0 };
        let nodes = if ti { config.tier.nodes } else { 0 };
        let latency = Answer::ALL.map(|a| config.latency_us(enabled, a));
        Self {
            setup,
            enabled,
            latency,
            rng: SimRng::new(seed),
            zipf: Zipf::new(u64::from(config.items), f64::from(config.s_milli) / 1000.0),
            clients: super::keymap::key_map(0),
            servers: (0..server_caches)
                .map(|s| {
                    build(config.server.policy, config.server.capacity as usize, seed ^ SALT_SERVER ^ u64::from(s))
                })
                .collect(),
            ring: if ti { tier_ring(nodes, config.tier.vnodes) } else { Ring::default() },
            tier: (0..nodes)
                .map(|n| build(config.tier.policy, config.tier.capacity as usize, seed ^ SALT_TIER ^ u64::from(n)))
                .collect(),
            tier_counts: vec![[0; 2]; nodes as usize],
            database: build(
                config.database.policy,
                if db { config.database.capacity as usize } else { 0 },
                seed ^ SALT_DB,
            ),
            lookups: [0; 4],
            hits: [0; 4],
            answered: [0; 5],
            tally: Tally::default(),
            done: 0,
        }
    }

    /// One request: the same draws (user, page, server) in every setup.
    fn step(&mut self, config: &PlacementConfig, seed: u64) {
        let user = self.rng.below(u64::from(config.users)) as u32;
        let item = (self.zipf.sample(&mut self.rng) - 1) as u32;
        let server = self.rng.below(u64::from(config.servers)) as usize;
        let key = config.key_of(user, item);
        let at = self.look(config, seed, user, server, key);
        self.answered[at as usize] += 1;
        self.tally.add(self.latency[at as usize]);
        self.done += 1;
    }

    fn look(&mut self, config: &PlacementConfig, seed: u64, user: u32, server: usize, key: u64) -> Answer {
        let [cl, sv, ti, db] = self.enabled;
        if cl {
            self.lookups[0] += 1;
            let cache = self.clients.entry(u64::from(user)).or_insert_with(|| {
                build(config.client.policy, config.client.capacity as usize, seed ^ SALT_CLIENT ^ u64::from(user))
            });
            if cache.access(key) {
                self.hits[0] += 1;
                return Answer::Client;
            }
        }
        if sv {
            self.lookups[1] += 1;
            if self.servers[server].access(key) {
                self.hits[1] += 1;
                return Answer::Server;
            }
        }
        if ti {
            self.lookups[2] += 1;
            let node = self.ring.lookup(hash_u64(key)).expect("the tier has a node") as usize;
            self.tier_counts[node][0] += 1;
            if self.tier[node].access(key) {
                self.hits[2] += 1;
                self.tier_counts[node][1] += 1;
                return Answer::Tier;
            }
        }
        self.lookups[3] += 1;
        if db && self.database.access(key) {
            self.hits[3] += 1;
            return Answer::Database;
        }
        Answer::Disk
    }

    fn report(&self, config: &PlacementConfig) -> SetupReport {
        let total = u64::from(self.done.max(1));
        let shares = if self.enabled[2] { arc_shares(&self.ring, config.tier.nodes) } else { Vec::new() };
        SetupReport {
            setup: self.setup,
            levels: Level::ALL
                .iter()
                .enumerate()
                .map(|(i, &level)| LevelReport {
                    level,
                    enabled: self.enabled[i],
                    lookups: self.lookups[i],
                    hits: self.hits[i],
                    hit_ratio: if self.lookups[i] == 0 { 0.0 } else { self.hits[i] as f64 / self.lookups[i] as f64 },
                })
                .collect(),
            answers: Answer::ALL
                .iter()
                .enumerate()
                .map(|(i, &at)| AnswerReport {
                    at,
                    requests: self.answered[i],
                    fraction: self.answered[i] as f64 / total as f64,
                    latency_us: self.latency[i],
                })
                .collect(),
            database_requests: self.lookups[3],
            disk_reads: self.answered[Answer::Disk as usize],
            latency: self.tally.summary(),
            histogram: self.tally.histogram(config.bucket_us(), limits::HISTOGRAM_BUCKETS as usize),
            tier_nodes: self
                .tier_counts
                .iter()
                .enumerate()
                .map(|(n, c)| TierNodeReport { node: n as u32, arc_share: shares[n], lookups: c[0], hits: c[1] })
                .collect(),
        }
    }
}

/// The same requests through every [`Setup`], computed in slices: one step is one request through one
/// setup, `6 × requests` steps in all.
pub struct PlacementRun {
    config: PlacementConfig,
    seed: u64,
    current: Option<SetupRun>,
    next: usize,
    done: Vec<SetupReport>,
    steps: u64,
}

impl PlacementRun {
    /// A run of `config` (checked) from `seed`.
    pub fn new(config: PlacementConfig, seed: u64) -> Result<Self, String> {
        config.validate()?;
        Ok(Self { config, seed, current: None, next: 0, done: Vec::new(), steps: 0 })
    }

    /// Runs at most `max_steps` more steps (at least one); true when every setup is done.
    pub fn advance(&mut self, max_steps: u64) -> bool {
        let mut left = max_steps.max(1);
        while left > 0 {
            if self.current.is_none() {
                if self.next == Setup::ALL.len() {
                    return true;
                }
                self.current = Some(SetupRun::new(&self.config, self.seed, Setup::ALL[self.next]));
                self.next += 1;
            }
            let run = self.current.as_mut().expect("a setup is running");
            while left > 0 && run.done < self.config.requests {
                run.step(&self.config, self.seed);
                left -= 1;
                self.steps += 1;
            }
            if run.done == self.config.requests {
                self.done.push(run.report(&self.config));
                self.current = None;
            }
        }
        self.is_over()
    }

    /// True when every setup is done.
    pub fn is_over(&self) -> bool {
        self.done.len() == Setup::ALL.len()
    }

    /// Steps taken so far.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Steps a whole run takes: `6 × requests`.
    pub fn total_steps(&self) -> u64 {
        Setup::ALL.len() as u64 * u64::from(self.config.requests)
    }

    /// The setups finished so far (all six once [`PlacementRun::is_over`]).
    pub fn report(&self) -> PlacementReport {
        PlacementReport {
            requests: self.config.requests,
            keys: self.config.keys(),
            bucket_us: self.config.bucket_us(),
            setups: self.done.clone(),
        }
    }

    /// The whole run at once.
    pub fn run(config: PlacementConfig, seed: u64) -> Result<PlacementReport, String> {
        let mut run = Self::new(config, seed)?;
        while !run.advance(u64::MAX) {}
        Ok(run.report())
    }
}

impl crate::sim::SlicedRun for PlacementRun {
    type Report = PlacementReport;
    fn advance(&mut self, max_steps: u64) -> bool {
        PlacementRun::advance(self, max_steps)
    }
    fn steps(&self) -> u64 {
        PlacementRun::steps(self)
    }
    fn report(&self) -> PlacementReport {
        PlacementRun::report(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_notes_round_trip_is_220_ms() {
        let c = PlacementConfig::default();
        assert_eq!(c.latency_us([false, false, false, true], Answer::Database), 220_000);
        assert_eq!(c.latency_us([false, true, false, true], Answer::Server), 200_000);
    }

    #[test]
    fn defaults_validate_and_round_trip() {
        for name in PRESETS {
            let c = preset(name).unwrap();
            c.validate().unwrap();
            let back: PlacementConfig = serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
            assert_eq!(back, c);
        }
        let mut c = PlacementConfig { users: 1_000_000, ..PlacementConfig::default() };
        c.client.capacity = 100;
        assert!(c.validate().unwrap_err().contains("client caches"));
        assert!(serde_json::from_str::<PlacementConfig>(r#"{"requests":1,"bogus":2}"#).is_err());
    }
}
