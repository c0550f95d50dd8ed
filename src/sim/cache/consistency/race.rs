//! The stale race under cache-aside, and the financial case, as a discrete-event model on the kernel's
//! [`Scheduler`].
//!
//! C clients each loop: think (exponential, mean `think_us`), then read or write one key (Zipf over the
//! keys), waiting for the answer. Every message between a client and the cache or the database takes a
//! one-way hop, its base plus an exponential jitter of mean `jitter_us` (queues, pauses); the cache and
//! the database apply a message when it arrives.
//!
//! - A read asks the cache; a hit returns the cached version. A miss reads the database, returns that
//!   value to the user, then puts it in the cache and waits for the put's acknowledgement before its
//!   next operation.
//! - A write writes the database (the key's version goes up by one), then, with [`OnWrite::Invalidate`],
//!   deletes the key in the cache, and is acknowledged when the delete is; with [`OnWrite::TtlOnly`] it
//!   is acknowledged at once and the cache keeps its copy until the TTL (the like count's approach).
//!
//! **The race** (cache-aside's known flaw): reader A misses and reads version v from the database;
//! writer B writes v + 1 and deletes the key in the cache; A's put of v then arrives and caches the old
//! value, which stays until the TTL or the next write. The model counts those *stale puts after an
//! invalidation* (a put of v applied after the delete of a write newer than v) and the reads they serve.
//! The usual fixes, as switches ([`RaceFix`]): a second delete `delay_ms` after the first (delayed double
//! delete: it removes a stale put that arrived in between); versions (the delete leaves the written
//! version as a floor and the cache refuses a put older than its floor, as a compare-and-set on a version
//! would); leases (Facebook's memcache, Nishtala et al., NSDI 2013, section 3.2.1: a miss hands out a
//! token, a delete invalidates the tokens handed out before it, and a put with an invalidated token is
//! refused). With versions or leases a stale put is never accepted, and with one client no two
//! operations overlap, so the race cannot happen: both are tested.
//!
//! **Staleness** is judged as a user would: a read is stale when it returns a version older than the
//! newest write of its key *acknowledged before the read began*. A read that overlaps a write may see
//! either value and is not stale; a read served the old value after the writer was told "done" is.
//!
//! **The financial case** (the notes: "in case of a financial transaction, we can't do this as the user'll
//! be seeing a false data"): the first `balance_keys` keys are bank balances, which must never be stale;
//! every stale read of one is an *error*, counted apart. A TTL cache on the balances produces errors;
//! reading them from the database ([`BalanceReads::Database`]), or invalidating on write with versions or
//! leases, produces none.
//!
//! One step is one event. A run has at most `clients × (duration / (2 × the shortest hop) + 1)`
//! operations (an operation is at least one round trip), each at most 7 events; [`RaceConfig::validate`]
//! refuses a configuration whose bound exceeds [`limits::EVENTS_MAX`].

use super::super::stats::{Summary, Tally, exp_us};
use super::super::store::Store;
use super::super::{PolicyKind, check_capacity};
use crate::sim::check_range;
use crate::sim::kernel::{Scheduler, SimRng};
use crate::sim::zipf::Zipf;
use serde::{Deserialize, Serialize};

/// Limits on a race run.
pub mod limits {
    /// Most clients.
    pub const CLIENTS_MAX: u32 = 1_000;
    /// Most keys.
    pub const KEYS_MAX: u32 = 1_000_000;
    /// Longest run, ms (an hour).
    pub const DURATION_MS_MAX: u32 = 3_600_000;
    /// Longest hop base, jitter mean or think time, µs (ten seconds).
    pub const TIME_US_MAX: u32 = 10_000_000;
    /// Longest TTL or double-delete delay, ms (a day).
    pub const TTL_MS_MAX: u32 = 86_400_000;
    /// Largest cache, keys.
    pub const CAPACITY_MAX: u32 = 1_000_000;
    /// Largest Zipf exponent, thousandths.
    pub const S_MILLI_MAX: u32 = 5_000;
    /// Most events a run may take by the bound in the module's header: about two seconds natively.
    pub const EVENTS_MAX: u64 = 10_000_000;
    /// Events one operation takes at most.
    pub const EVENTS_PER_OP: u64 = 7;
}

/// What a write does to the cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OnWrite {
    /// Delete the key in the cache after writing the database (cache-aside).
    Invalidate,
    /// Nothing: the cached copy lives until its TTL.
    TtlOnly,
}

/// The race's fix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum RaceFix {
    None,
    /// Delete again `delay_ms` after the first delete's acknowledgement.
    DoubleDelete {
        delay_ms: u32,
    },
    /// Refuse a put older than the newest version the cache has seen for the key.
    Versions,
    /// Refuse a put whose miss came before the key's last delete.
    Leases,
}

/// Where reads of a balance go.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BalanceReads {
    /// Through the cache, like every other key.
    Cache,
    /// Straight to the database, never served from the cache.
    Database,
}

/// The clients, the costs, the cache and what writes do.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RaceConfig {
    pub clients: u32,
    pub keys: u32,
    /// Zipf exponent of key popularity, thousandths.
    pub s_milli: u32,
    /// Writes among operations, thousandths.
    pub writes_milli: u32,
    /// Mean think time between a client's operations, µs.
    pub think_us: u32,
    /// Clients start no operation after this, ms.
    pub duration_ms: u32,
    /// One-way hop to the cache, base, µs.
    pub cache_hop_us: u32,
    /// One-way hop to the database, base, µs.
    pub db_hop_us: u32,
    /// Mean exponential jitter added to every hop, µs.
    pub jitter_us: u32,
    /// A cached copy's lifetime, ms (0: it never expires).
    pub ttl_ms: u32,
    /// Cache size, keys.
    pub capacity: u32,
    pub policy: PolicyKind,
    pub on_write: OnWrite,
    pub fix: RaceFix,
    /// The first `balance_keys` keys (the most popular) are balances.
    pub balance_keys: u32,
    pub balance_reads: BalanceReads,
}

impl Default for RaceConfig {
    /// [`stale_race`].
    fn default() -> Self {
        stale_race()
    }
}

/// Cache-aside with invalidation and no fix: 8 clients over 50 keys (Zipf 1), one operation in ten a
/// write, 5 ms of thought between operations, for a minute; the cache 0.25 ms away, the database 2.5
/// ms, every hop with 2 ms of mean jitter; a TTL of a minute, and room for every key.
pub fn stale_race() -> RaceConfig {
    RaceConfig {
        clients: 8,
        keys: 50,
        s_milli: 1_000,
        writes_milli: 100,
        think_us: 5_000,
        duration_ms: 60_000,
        cache_hop_us: 250,
        db_hop_us: 2_500,
        jitter_us: 2_000,
        ttl_ms: 60_000,
        capacity: 50,
        policy: PolicyKind::Lru,
        on_write: OnWrite::Invalidate,
        fix: RaceFix::None,
        balance_keys: 0,
        balance_reads: BalanceReads::Cache,
    }
}

/// The notes' financial case: the 10 most popular of 50 keys are bank balances, the others like counts,
/// all cached with a 30 s TTL and no invalidation (the like count's approach applied to everything):
/// balances are served stale, and every such read is an error.
pub fn bank_balance() -> RaceConfig {
    RaceConfig { on_write: OnWrite::TtlOnly, ttl_ms: 30_000, balance_keys: 10, ..stale_race() }
}

/// The fix: balances are read from the database (the like counts keep their TTL cache): no errors.
pub fn bank_balance_fixed() -> RaceConfig {
    RaceConfig { balance_reads: BalanceReads::Database, ..bank_balance() }
}

impl RaceConfig {
    /// The most events the run can take: `clients × (duration / (2 × shortest hop) + 1) × 7`.
    pub fn events_bound(&self) -> u64 {
        let hop = u64::from(self.cache_hop_us.min(self.db_hop_us).max(1));
        let ops = u64::from(self.duration_ms) * 1_000 / (2 * hop) + 1;
        u64::from(self.clients) * ops * limits::EVENTS_PER_OP
    }

    /// Refuses anything outside the limits with a sentence saying which setting to change.
    pub fn validate(&self) -> Result<(), String> {
        check_range("clients", u64::from(self.clients), 1, u64::from(limits::CLIENTS_MAX))?;
        check_range("keys", u64::from(self.keys), 1, u64::from(limits::KEYS_MAX))?;
        check_range("the Zipf exponent (thousandths)", u64::from(self.s_milli), 0, u64::from(limits::S_MILLI_MAX))?;
        check_range("writes (thousandths of operations)", u64::from(self.writes_milli), 0, 1_000)?;
        check_range("the run's length (ms)", u64::from(self.duration_ms), 1, u64::from(limits::DURATION_MS_MAX))?;
        let t = u64::from(limits::TIME_US_MAX);
        check_range("the think time (µs)", u64::from(self.think_us), 0, t)?;
        check_range("the hop to the cache (µs)", u64::from(self.cache_hop_us), 1, t)?;
        check_range("the hop to the database (µs)", u64::from(self.db_hop_us), 1, t)?;
        check_range("the jitter (µs)", u64::from(self.jitter_us), 0, t)?;
        check_range("the TTL (ms)", u64::from(self.ttl_ms), 0, u64::from(limits::TTL_MS_MAX))?;
        if let RaceFix::DoubleDelete { delay_ms } = self.fix {
            check_range("the second delete's delay (ms)", u64::from(delay_ms), 0, u64::from(limits::TTL_MS_MAX))?;
        }
        check_range("the cache's capacity", u64::from(self.capacity), 0, u64::from(limits::CAPACITY_MAX))?;
        check_capacity(self.capacity as usize)?;
        check_range("balance keys", u64::from(self.balance_keys), 0, u64::from(self.keys))?;
        if self.events_bound() > limits::EVENTS_MAX {
            return Err(format!(
                "the run could take {} events, more than {}: fewer clients, a shorter run or longer hops",
                self.events_bound(),
                limits::EVENTS_MAX
            ));
        }
        Ok(())
    }
}

/// A race run summed up.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RaceReport {
    pub reads: u64,
    pub writes: u64,
    pub hits: u64,
    pub misses: u64,
    pub db_reads: u64,
    /// Reads that returned a version older than the newest write of their key acknowledged before the
    /// read began (balances included).
    pub stale_reads: u64,
    /// Puts of a value older than a write whose invalidation the cache had already applied: the race.
    pub stale_puts: u64,
    /// Hits served from such a put.
    pub race_reads: u64,
    /// How long those stale copies stayed in the cache, in all, ms.
    pub stale_put_ms: f64,
    /// Puts the fix refused (versions, leases).
    pub refused_puts: u64,
    /// Second deletes that removed a stale put (delayed double delete).
    pub second_delete_removals: u64,
    /// Reads of balances.
    pub balance_reads: u64,
    /// Stale reads of balances: errors.
    pub errors: u64,
    /// Read latency (to the value; a miss's put comes after), µs.
    pub read_latency: Summary,
    /// Write latency (to the acknowledgement), µs.
    pub write_latency: Summary,
    /// The last event's time, µs.
    pub end_us: u64,
}

/// A read's record, for recounting (see [`RaceRun::with_log`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadRecord {
    pub key: u64,
    /// The step at which the read began.
    pub start: u64,
    pub version: u64,
}

/// A write's acknowledgement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WriteRecord {
    pub key: u64,
    pub version: u64,
    /// The step at which it was acknowledged.
    pub acked: u64,
}

/// A put or a delete reaching the cache.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CacheRecord {
    pub key: u64,
    pub version: u64,
    pub step: u64,
    /// Put: accepted. Delete: the writer's first delete (not a second one).
    pub flag: bool,
}

/// Every read, acknowledged write, put and delete of a run, in step order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RaceLog {
    pub reads: Vec<ReadRecord>,
    pub writes: Vec<WriteRecord>,
    pub puts: Vec<CacheRecord>,
    pub deletes: Vec<CacheRecord>,
}

#[derive(Clone, Copy, Debug)]
enum Ev {
    Start(u32),
    Get(u32),
    GotHit(u32, u64),
    GotMiss(u32, u64),
    DbRead(u32),
    DbReadReply(u32, u64),
    Put(u32, u64, u64),
    PutAck(u32),
    DbWrite(u32),
    DbWriteReply(u32, u64),
    Delete { client: Option<u32>, key: u64, version: u64 },
    DeleteAck(u32, u64),
}

#[derive(Clone, Copy, Debug, Default)]
struct Client {
    key: u64,
    start: u64,
    start_step: u64,
    snapshot: u64,
    token: u64,
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    version: u64,
    filled: u64,
    racy: bool,
}

/// A race run, computed in slices: one step is one event.
#[derive(Clone)]
pub struct RaceRun {
    c: RaceConfig,
    rng: SimRng,
    zipf: Zipf,
    q: Scheduler<Ev>,
    clients: Vec<Client>,
    cache: Store<Entry>,
    db: Vec<u64>,
    acked: Vec<u64>,
    invalidated: Vec<u64>,
    floor: Vec<u64>,
    epoch: Vec<u64>,
    r: RaceReport,
    stale_put_us: u64,
    reads: Tally,
    writes: Tally,
    steps: u64,
    log: Option<RaceLog>,
}

impl RaceRun {
    /// A run of `config` (checked) from `seed`.
    pub fn new(config: RaceConfig, seed: u64) -> Result<Self, String> {
        config.validate()?;
        let mut rng = SimRng::new(seed);
        let mut q = Scheduler::new();
        for c in 0..config.clients {
            q.schedule_at(exp_us(&mut rng, f64::from(config.think_us)), Ev::Start(c));
        }
        let k = config.keys as usize;
        Ok(Self {
            zipf: Zipf::new(u64::from(config.keys), f64::from(config.s_milli) / 1000.0),
            clients: vec![Client::default(); config.clients as usize],
            cache: Store::new(config.policy, config.capacity as usize, seed),
            db: vec![0; k],
            acked: vec![0; k],
            invalidated: vec![0; k],
            floor: vec![0; k],
            epoch: vec![0; k],
            r: RaceReport {
                reads: 0,
                writes: 0,
                hits: 0,
                misses: 0,
                db_reads: 0,
                stale_reads: 0,
                stale_puts: 0,
                race_reads: 0,
                stale_put_ms: 0.0,
                refused_puts: 0,
                second_delete_removals: 0,
                balance_reads: 0,
                errors: 0,
                read_latency: Summary::default(),
                write_latency: Summary::default(),
                end_us: 0,
            },
            stale_put_us: 0,
            reads: Tally::default(),
            writes: Tally::default(),
            steps: 0,
            log: None,
            rng,
            q,
            c: config,
        })
    }

    /// The same run, keeping a [`RaceLog`] of every read, write, put and delete (for tests: memory grows
    /// with the run).
    pub fn with_log(config: RaceConfig, seed: u64) -> Result<Self, String> {
        let mut run = Self::new(config, seed)?;
        run.log = Some(RaceLog::default());
        Ok(run)
    }

    fn hop(&mut self, base: u32) -> u64 {
        u64::from(base) + exp_us(&mut self.rng, f64::from(self.c.jitter_us))
    }

    fn send_cache(&mut self, ev: Ev) {
        let d = self.hop(self.c.cache_hop_us);
        self.q.schedule_in(d, ev);
    }

    fn send_db(&mut self, ev: Ev) {
        let d = self.hop(self.c.db_hop_us);
        self.q.schedule_in(d, ev);
    }

    fn next_op(&mut self, c: u32) {
        let d = exp_us(&mut self.rng, f64::from(self.c.think_us));
        self.q.schedule_in(d, Ev::Start(c));
    }

    /// A cached copy leaves the cache: a stale put's time in it ends.
    fn gone(&mut self, e: Entry, now: u64) {
        if e.racy {
            self.stale_put_us += now - e.filled;
        }
    }

    fn read_done(&mut self, c: u32, version: u64, now: u64) {
        let cl = self.clients[c as usize];
        self.reads.add(now - cl.start);
        let stale = version < cl.snapshot;
        if stale {
            self.r.stale_reads += 1;
        }
        if cl.key < u64::from(self.c.balance_keys) {
            self.r.balance_reads += 1;
            if stale {
                self.r.errors += 1;
            }
        }
        if let Some(log) = &mut self.log {
            log.reads.push(ReadRecord { key: cl.key, start: cl.start_step, version });
        }
    }

    fn write_acked(&mut self, c: u32, version: u64, now: u64) {
        let cl = self.clients[c as usize];
        let k = cl.key as usize;
        self.acked[k] = self.acked[k].max(version);
        self.writes.add(now - cl.start);
        if let Some(log) = &mut self.log {
            log.writes.push(WriteRecord { key: cl.key, version, acked: self.steps });
        }
    }

    fn delete(&mut self, key: u64, version: u64, first: bool, now: u64) {
        let k = key as usize;
        if let Some(e) = self.cache.invalidate(key) {
            if e.racy && !first {
                self.r.second_delete_removals += 1;
            }
            self.gone(e, now);
        }
        if first {
            self.invalidated[k] = self.invalidated[k].max(version);
            self.floor[k] = self.floor[k].max(version);
            self.epoch[k] += 1;
        }
        if let Some(log) = &mut self.log {
            log.deletes.push(CacheRecord { key, version, step: self.steps, flag: first });
        }
    }

    fn put(&mut self, key: u64, version: u64, token: u64, now: u64) {
        let k = key as usize;
        let accepted = match self.c.fix {
            RaceFix::Versions => version >= self.floor[k],
            RaceFix::Leases => token == self.epoch[k],
            RaceFix::None | RaceFix::DoubleDelete { .. } => true,
        };
        if let Some(log) = &mut self.log {
            log.puts.push(CacheRecord { key, version, step: self.steps, flag: accepted });
        }
        if !accepted {
            self.r.refused_puts += 1;
            return;
        }
        self.floor[k] = self.floor[k].max(version);
        let racy = version < self.invalidated[k];
        if racy {
            self.r.stale_puts += 1;
        }
        if let Some(&old) = self.cache.peek(key) {
            self.gone(old, now);
        }
        if let Some((_, e)) = self.cache.fill(key, Entry { version, filled: now, racy }) {
            self.gone(e, now);
        }
    }

    fn step(&mut self, now: u64, ev: Ev) {
        match ev {
            Ev::Start(c) => {
                if now >= u64::from(self.c.duration_ms) * 1_000 {
                    return;
                }
                let write = self.rng.below(1_000) < u64::from(self.c.writes_milli);
                let key = self.zipf.sample(&mut self.rng) - 1;
                let snapshot = self.acked[key as usize];
                self.clients[c as usize] = Client { key, start: now, start_step: self.steps, snapshot, token: 0 };
                if write {
                    self.r.writes += 1;
                    self.send_db(Ev::DbWrite(c));
                } else {
                    self.r.reads += 1;
                    let balance = key < u64::from(self.c.balance_keys);
                    if balance && self.c.balance_reads == BalanceReads::Database {
                        self.send_db(Ev::DbRead(c));
                    } else {
                        self.send_cache(Ev::Get(c));
                    }
                }
            }
            Ev::Get(c) => {
                let key = self.clients[c as usize].key;
                let ttl = u64::from(self.c.ttl_ms) * 1_000;
                if ttl > 0
                    && let Some(&e) = self.cache.peek(key)
                    && now - e.filled >= ttl
                {
                    self.cache.invalidate(key);
                    self.gone(e, now);
                }
                match self.cache.get(key).copied() {
                    Some(e) => {
                        self.r.hits += 1;
                        if e.racy {
                            self.r.race_reads += 1;
                        }
                        self.send_cache(Ev::GotHit(c, e.version));
                    }
                    None => {
                        self.r.misses += 1;
                        let token = self.epoch[key as usize];
                        self.send_cache(Ev::GotMiss(c, token));
                    }
                }
            }
            Ev::GotHit(c, version) => {
                self.read_done(c, version, now);
                self.next_op(c);
            }
            Ev::GotMiss(c, token) => {
                self.clients[c as usize].token = token;
                self.send_db(Ev::DbRead(c));
            }
            Ev::DbRead(c) => {
                self.r.db_reads += 1;
                let v = self.db[self.clients[c as usize].key as usize];
                self.send_db(Ev::DbReadReply(c, v));
            }
            Ev::DbReadReply(c, version) => {
                self.read_done(c, version, now);
                let cl = self.clients[c as usize];
                if cl.key < u64::from(self.c.balance_keys) && self.c.balance_reads == BalanceReads::Database {
                    self.next_op(c);
                } else {
                    self.send_cache(Ev::Put(c, version, cl.token));
                }
            }
            Ev::Put(c, version, token) => {
                let key = self.clients[c as usize].key;
                self.put(key, version, token, now);
                self.send_cache(Ev::PutAck(c));
            }
            Ev::PutAck(c) => self.next_op(c),
            Ev::DbWrite(c) => {
                let k = self.clients[c as usize].key as usize;
                self.db[k] += 1;
                let v = self.db[k];
                self.send_db(Ev::DbWriteReply(c, v));
            }
            Ev::DbWriteReply(c, version) => match self.c.on_write {
                OnWrite::Invalidate => {
                    let key = self.clients[c as usize].key;
                    self.send_cache(Ev::Delete { client: Some(c), key, version });
                }
                OnWrite::TtlOnly => {
                    self.write_acked(c, version, now);
                    self.next_op(c);
                }
            },
            Ev::Delete { client, key, version } => {
                self.delete(key, version, client.is_some(), now);
                if let Some(c) = client {
                    self.send_cache(Ev::DeleteAck(c, version));
                }
            }
            Ev::DeleteAck(c, version) => {
                self.write_acked(c, version, now);
                if let RaceFix::DoubleDelete { delay_ms } = self.c.fix {
                    let key = self.clients[c as usize].key;
                    let d = u64::from(delay_ms) * 1_000 + self.hop(self.c.cache_hop_us);
                    self.q.schedule_in(d, Ev::Delete { client: None, key, version });
                }
                self.next_op(c);
            }
        }
    }

    /// Runs at most `max_steps` more events (at least one); true when the run is over.
    pub fn advance(&mut self, max_steps: u64) -> bool {
        for _ in 0..max_steps.max(1) {
            let Some((now, ev)) = self.q.pop() else {
                return true;
            };
            self.steps += 1;
            self.r.end_us = now;
            self.step(now, ev);
        }
        self.q.is_empty()
    }

    pub fn is_over(&self) -> bool {
        self.q.is_empty()
    }

    /// Events processed so far.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// The run so far; stale puts still cached count their time up to the last event.
    pub fn report(&self) -> RaceReport {
        let mut r = self.r.clone();
        let open: u64 = self.cache.entries().filter(|(_, e)| e.racy).map(|(_, e)| r.end_us - e.filled).sum();
        r.stale_put_ms = (self.stale_put_us + open) as f64 / 1_000.0;
        r.read_latency = self.reads.summary();
        r.write_latency = self.writes.summary();
        r
    }

    /// The log, when the run keeps one.
    pub fn log(&self) -> Option<&RaceLog> {
        self.log.as_ref()
    }

    /// The whole run at once.
    pub fn run(config: RaceConfig, seed: u64) -> Result<RaceReport, String> {
        let mut run = Self::new(config, seed)?;
        while !run.advance(u64::MAX) {}
        Ok(run.report())
    }
}
