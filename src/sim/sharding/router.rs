//! The query router: plans a query of the subset over the shards (which shards, how each reads its
//! rows), executes it exactly over the rows (pure functions of the id), and prices it with a simulated
//! latency.
//!
//! Routing uses only the shard key: a condition pinning the key (one id under id-hash or ring, an id
//! range under id-range, locations under the directory) names the shards; anything else asks every shard
//! (scatter-gather). Conditions on the key that contradict each other ask no shard.
//!
//! Each shard reads its users by the cheapest of: its primary key on `id` (when the id is bounded: the
//! rows in the range), the index on `age` (when it exists and the age is bounded: the rows in the age
//! range), a full scan. With the join, a shard finds each matching user's orders through its index on
//! `orders.user_id` (orders scanned = the matching users' orders). Co-located (orders sharded by user
//! id) each shard joins locally; otherwise the router gathers the matching users and sends them to every
//! shard holding orders (broadcast), and the rows it sends are counted as moved over the network.
//!
//! Latency ([`LatencyModel`]): the router's hop, then each phase waits for its slowest shard (a shard
//! costs a round trip, an index seek when it uses an index, a time per row read and per row sent), then
//! the router merges the rows it received.

use super::data::{CITIES, Dataset};
use super::partition::{Census, Layout, OrdersBy, ShardKey, ShardingConfig};
use super::sql::{Column, Cond, Literal, Op, Projection, Query};
use super::vertical::{SideBySide, TableFacts, horizontal_work, vertical_work};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Most rows an answer carries to the page or the command line; the count stays exact.
pub const ROWS_SHOWN_MAX: usize = 1_000;

/// The simulated costs, in nanoseconds. Orders of magnitude of an in-memory database in one data centre,
/// not measurements: what matters is their ratio (a network round trip is thousands of rows read).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LatencyModel {
    /// The router parsing and planning.
    pub router_ns: u64,
    /// A round trip between the router and a shard.
    pub round_trip_ns: u64,
    /// One index seek (primary key or age).
    pub seek_ns: u64,
    /// Reading one row on a shard.
    pub scan_ns_per_row: u64,
    /// Sending one row over the network.
    pub transfer_ns_per_row: u64,
    /// The router merging one received row.
    pub merge_ns_per_row: u64,
}

impl Default for LatencyModel {
    fn default() -> Self {
        Self {
            router_ns: 50_000,
            round_trip_ns: 500_000,
            seek_ns: 20_000,
            scan_ns_per_row: 100,
            transfer_ns_per_row: 1_000,
            merge_ns_per_row: 100,
        }
    }
}

/// How many shards a query asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Routing {
    /// The key conditions contradict each other: no row can match.
    NoShard,
    /// One shard.
    SingleShard,
    /// Some shards, not all.
    Subset,
    /// Every shard (scatter-gather).
    ScatterGather,
}

/// How a shard reads its users.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Access {
    PrimaryKey,
    AgeIndex,
    FullScan,
}

/// The router's plan, before any row is read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub routing: Routing,
    /// Why these shards, one sentence.
    pub reason: String,
    /// Shards asked for users, ascending.
    pub user_shards: Vec<u32>,
    /// Shards asked for orders (the join), ascending.
    pub order_shards: Vec<u32>,
    /// Every shard asked, ascending.
    pub touched: Vec<u32>,
    /// The join: true when each shard joins locally.
    pub co_located: Option<bool>,
}

/// One asked shard's work.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardWork {
    pub shard: u32,
    /// Users read (by `access`).
    pub access: Access,
    pub users_scanned: u64,
    /// Users it would read without the age index.
    pub users_scanned_without_index: u64,
    /// Users it would read with the age index.
    pub users_scanned_with_index: u64,
    /// Users matching the users' conditions.
    pub users_matched: u64,
    /// Orders read through the user_id index (the join).
    pub orders_scanned: u64,
    /// Rows it sends to the router (a partial count is one row).
    pub rows_sent: u64,
    /// Its time in the slowest phase it takes part in, ns.
    pub latency_ns: u64,
}

/// The simulated latency, ns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Latency {
    pub router_ns: u64,
    /// The slowest shard of the first phase.
    pub shards_ns: u64,
    /// The broadcast join's second phase (0 otherwise).
    pub broadcast_ns: u64,
    pub merge_ns: u64,
    pub total_ns: u64,
}

/// The exact answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub columns: Vec<String>,
    /// The first rows, by user id then order id (at most the cap asked for).
    pub rows: Vec<Vec<Literal>>,
    /// Rows the query returns (for `count(*)`, 1).
    pub row_count: u64,
    /// `count(*)`'s value.
    pub count: Option<u64>,
    pub truncated: bool,
}

impl Answer {
    /// The count for `count(*)`, else the rows returned.
    pub fn rows_value(&self) -> u64 {
        self.count.unwrap_or(self.row_count)
    }
}

/// A query planned, executed and priced.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub query: String,
    pub plan: Plan,
    /// The asked shards' work, by shard.
    pub shards: Vec<ShardWork>,
    pub answer: Answer,
    /// Users and orders read, all shards, by the plan's access paths.
    pub rows_scanned: u64,
    pub rows_scanned_without_index: u64,
    pub rows_scanned_with_index: u64,
    /// Rows sent between shards or from the router to shards (the broadcast join).
    pub network_rows: u64,
    pub latency: Latency,
    /// The users table split by rows (these shards) and by columns, side by side.
    pub side_by_side: SideBySide,
}

/// A dataset sharded under one setup, with its census: what the router routes over.
#[derive(Clone, Debug)]
pub struct Cluster {
    pub data: Dataset,
    pub layout: Layout,
    pub census: Census,
}

impl Cluster {
    /// Shards `data` under `config` and counts every shard (a scan of the users).
    pub fn new(data: Dataset, config: &ShardingConfig) -> Result<Self, String> {
        let layout = Layout::new(&data, config)?;
        let census = Census::of(&data, &layout);
        Ok(Self { data, layout, census })
    }

    /// Plans, executes and prices `query`, with at most `rows_cap` rows in the answer.
    pub fn run(&self, query: &Query, model: &LatencyModel, rows_cap: usize) -> Outcome {
        let mut run = QueryRun::new(self, query, rows_cap);
        while !run.advance(1 << 20) {}
        run.finish(model)
    }
}

/// An interval of integers, inclusive, in i128 (no overflow at the ends).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Bounds {
    lo: i128,
    hi: i128,
}

impl Bounds {
    const ALL: Bounds = Bounds { lo: i128::MIN, hi: i128::MAX };

    fn of(conds: &[(Op, i64)]) -> Self {
        let mut b = Self::ALL;
        for &(op, v) in conds {
            let v = i128::from(v);
            match op {
                Op::Eq => (b.lo, b.hi) = (b.lo.max(v), b.hi.min(v)),
                Op::Lt => b.hi = b.hi.min(v - 1),
                Op::Le => b.hi = b.hi.min(v),
                Op::Gt => b.lo = b.lo.max(v + 1),
                Op::Ge => b.lo = b.lo.max(v),
                Op::Ne => {}
            }
        }
        b
    }

    fn is_bounded(self) -> bool {
        self != Self::ALL
    }

    fn is_empty(self) -> bool {
        self.lo > self.hi
    }
}

#[inline]
fn int_ok(conds: &[(Op, i64)], v: i64) -> bool {
    conds.iter().all(|&(op, x)| op.holds(v.cmp(&x)))
}

#[inline]
fn text_ok(conds: &[(Op, String)], v: &str) -> bool {
    conds.iter().all(|(op, x)| op.holds(v.cmp(x.as_str())))
}

/// The conditions, split by column.
#[derive(Clone, Debug, Default)]
struct Filters {
    id: Vec<(Op, i64)>,
    age: Vec<(Op, i64)>,
    name: Vec<(Op, String)>,
    email: Vec<(Op, String)>,
    order_id: Vec<(Op, i64)>,
    amount: Vec<(Op, i64)>,
    /// Cities satisfying every location condition.
    cities: [bool; CITIES.len()],
    has_user_filter: bool,
}

impl Filters {
    fn of(conds: &[Cond]) -> Self {
        let mut f = Filters { cities: [true; CITIES.len()], ..Filters::default() };
        for c in conds {
            match (&c.value, c.column) {
                // orders.user_id = users.id in the join: a condition on either is on both.
                (Literal::Int(v), Column::Id | Column::UserId) => f.id.push((c.op, *v)),
                (Literal::Int(v), Column::Age) => f.age.push((c.op, *v)),
                (Literal::Int(v), Column::OrderId) => f.order_id.push((c.op, *v)),
                (Literal::Int(v), Column::Amount) => f.amount.push((c.op, *v)),
                (Literal::Text(s), Column::Name) => f.name.push((c.op, s.clone())),
                (Literal::Text(s), Column::Email) => f.email.push((c.op, s.clone())),
                (Literal::Text(s), Column::Location) => {
                    for (k, ok) in f.cities.iter_mut().enumerate() {
                        *ok &= c.op.holds(CITIES[k].cmp(s.as_str()));
                    }
                }
                _ => unreachable!("the parser checks literal types"),
            }
        }
        f.has_user_filter =
            !(f.age.is_empty() && f.name.is_empty() && f.email.is_empty()) || f.cities.iter().any(|ok| !ok);
        f
    }

    /// User `id` (known to pass the id conditions) passes the users' other conditions.
    #[inline]
    fn user_ok(&self, data: &Dataset, id: u64, city: usize) -> bool {
        self.cities[city]
            && int_ok(&self.age, i64::from(data.age(id)))
            && (self.name.is_empty() || text_ok(&self.name, &data.name(id)))
            && (self.email.is_empty() || text_ok(&self.email, &data.email(id)))
    }

    #[inline]
    fn order_ok(&self, order_id: u64, amount: u64) -> bool {
        int_ok(&self.order_id, order_id as i64) && int_ok(&self.amount, amount as i64)
    }
}

fn sorted_unique(mut v: Vec<u32>) -> Vec<u32> {
    v.sort_unstable();
    v.dedup();
    v
}

/// Plans `query` over the shards of `layout` (no row read).
pub fn plan(layout: &Layout, query: &Query) -> Plan {
    let f = Filters::of(&query.conds);
    let ids = Bounds::of(&f.id);
    let all: Vec<u32> = (0..layout.shards()).collect();
    let (user_shards, reason) = match layout.key() {
        key if key.is_by_id() && ids.is_empty() => {
            (Vec::new(), "the conditions on the id contradict each other: no row can match, no shard is asked".into())
        }
        ShardKey::IdRange if ids.is_bounded() => {
            let at = |v: i128| layout.shard_of_id(v.clamp(1, i128::from(u64::MAX)) as u64);
            let (a, b) = (at(ids.lo), at(ids.hi));
            let why = if a == b {
                "the id range lies in one shard's range".to_string()
            } else {
                format!("the id range spans the ranges of shards {a} to {b}")
            };
            ((a..=b).collect(), why)
        }
        ShardKey::IdHash | ShardKey::Ring if ids.lo == ids.hi => {
            let s = layout.shard_of_id(ids.lo as u64);
            (vec![s], format!("id = {} pins the shard key: it hashes to shard {s}", ids.lo))
        }
        ShardKey::Location if f.cities.iter().any(|ok| !ok) => {
            let cities: Vec<usize> = (0..CITIES.len()).filter(|&k| f.cities[k]).collect();
            let shards = sorted_unique(cities.iter().map(|&k| layout.shard_of_city(k)).collect());
            let why = match (cities.len(), shards.len()) {
                (0, _) => "no city satisfies the location conditions: the directory names no shard".to_string(),
                (1, _) => format!("the directory puts {} on shard {}", CITIES[cities[0]], shards[0]),
                (n, 1) => format!("the directory puts the {n} matching cities on shard {}", shards[0]),
                (n, m) => format!("the directory puts the {n} matching cities on {m} shards"),
            };
            (shards, why)
        }
        key => {
            let why = match key {
                ShardKey::Location => "no condition on the location (the shard key): every shard is asked",
                ShardKey::IdRange => "no condition bounds the id (the shard key): every shard is asked",
                _ => "no condition pins one id (the hashed shard key): every shard is asked",
            };
            (all.clone(), why.into())
        }
    };
    let (order_shards, co_located) = if !query.join {
        (Vec::new(), None)
    } else if layout.orders_by() == OrdersBy::UserId {
        (user_shards.clone(), Some(true))
    } else if user_shards.is_empty() {
        (Vec::new(), Some(false))
    } else {
        (all.clone(), Some(false))
    };
    let touched = sorted_unique(user_shards.iter().chain(&order_shards).copied().collect());
    let routing = match touched.len() {
        0 => Routing::NoShard,
        1 => Routing::SingleShard,
        n if n == all.len() => Routing::ScatterGather,
        _ => Routing::Subset,
    };
    Plan { routing, reason, user_shards, order_shards, touched, co_located }
}

/// A query being executed over the id range it can match, in slices (for a page that must not freeze).
pub struct QueryRun {
    cluster: Arc<Cluster>,
    query: Arc<Query>,
    plan: Plan,
    filters: Filters,
    ids: Bounds,
    ages: Bounds,
    asked: Vec<bool>,
    next_id: u64,
    end_id: u64,
    cap: usize,
    columns: Vec<Column>,
    rows: Vec<Vec<Literal>>,
    row_count: u64,
    // Per shard.
    pk_rows: Vec<u64>,
    users_matched: Vec<u64>,
    orders_scanned: Vec<u64>,
    rows_out: Vec<u64>,
    /// Nothing filters: counts come from the census, rows are read only to fill the cap.
    census_path: bool,
}

impl QueryRun {
    /// Plans `query`; nothing is read yet. The run keeps its own copy of the cluster (its census and
    /// layout are small; the rows are functions of the seed) and of the query.
    pub fn new(cluster: &Cluster, query: &Query, rows_cap: usize) -> Self {
        let plan = plan(&cluster.layout, query);
        let filters = Filters::of(&query.conds);
        let ids = Bounds::of(&filters.id);
        let ages = Bounds::of(&filters.age);
        let n = cluster.layout.shards() as usize;
        let mut asked = vec![false; n];
        for &s in &plan.user_shards {
            asked[s as usize] = true;
        }
        let users = cluster.data.users();
        let (next_id, end_id) = if plan.user_shards.is_empty() {
            (1, 0)
        } else {
            (ids.lo.max(1).min(i128::from(users) + 1) as u64, ids.hi.min(i128::from(users)).max(0) as u64)
        };
        let census_path = query.conds.is_empty();
        let mut run = Self {
            cluster: Arc::new(cluster.clone()),
            query: Arc::new(query.clone()),
            plan,
            filters,
            ids,
            ages,
            asked,
            next_id,
            end_id,
            cap: rows_cap,
            columns: query.output_columns(),
            rows: Vec::new(),
            row_count: 0,
            pk_rows: vec![0; n],
            users_matched: vec![0; n],
            orders_scanned: vec![0; n],
            rows_out: vec![0; n],
            census_path,
        };
        if census_path {
            let c = &cluster.census;
            run.users_matched = c.users.clone();
            run.orders_scanned = if query.join { c.orders.clone() } else { vec![0; n] };
            run.rows_out = if query.join { c.orders.clone() } else { c.users.clone() };
            run.row_count = if query.join { c.total_orders() } else { c.total_users() };
            if query.projection == Projection::Count {
                run.next_id = run.end_id + 1;
            }
        }
        run
    }

    /// The plan.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// Users still to read.
    pub fn remaining(&self) -> u64 {
        (self.end_id + 1).saturating_sub(self.next_id)
    }

    /// Reads up to `max_users` more users; true when done.
    pub fn advance(&mut self, max_users: u64) -> bool {
        let (cluster, query) = (Arc::clone(&self.cluster), Arc::clone(&self.query));
        let data = &cluster.data;
        let layout = &cluster.layout;
        let stop = self.end_id.min(self.next_id.saturating_add(max_users).saturating_sub(1));
        let (join, co_located) = (query.join, layout.orders_by() == OrdersBy::UserId);
        let materialize = query.projection != Projection::Count;
        let mut id = self.next_id;
        while id <= stop {
            if self.census_path {
                // Only rows to show: counts come from the census.
                if self.rows.len() >= self.cap {
                    id = self.end_id + 1;
                    break;
                }
                if join {
                    for o in data.orders_of(id) {
                        self.push_row(id, Some((o.order_id, o.amount)));
                    }
                } else {
                    self.push_row(id, None);
                }
                id += 1;
                continue;
            }
            let city = data.city(id);
            let s = match layout.key() {
                ShardKey::Location => layout.shard_of_city(city),
                _ => layout.shard_of_id(id),
            } as usize;
            id += 1;
            if !self.asked[s] {
                debug_assert!(!(int_ok(&self.filters.id, id as i64 - 1) && self.filters.user_ok(data, id - 1, city)));
                continue;
            }
            let uid = id - 1;
            self.pk_rows[s] += 1;
            if !int_ok(&self.filters.id, uid as i64) || !self.filters.user_ok(data, uid, city) {
                continue;
            }
            self.users_matched[s] += 1;
            if !join {
                self.rows_out[s] += 1;
                self.row_count += 1;
                if materialize {
                    self.push_row(uid, None);
                }
                continue;
            }
            for o in data.orders_of(uid) {
                let os = if co_located { s } else { layout.shard_of_order(o.order_id, s as u32) as usize };
                self.orders_scanned[os] += 1;
                if self.filters.order_ok(o.order_id, o.amount) {
                    self.rows_out[os] += 1;
                    self.row_count += 1;
                    if materialize {
                        self.push_row(uid, Some((o.order_id, o.amount)));
                    }
                }
            }
        }
        self.next_id = id;
        self.next_id > self.end_id
    }

    /// The users read split by rows (the shards asked) and by columns (`vertical.rs`).
    fn side_by_side(&self, shards: &[ShardWork], matched: u64) -> SideBySide {
        let (census, users) = (&self.cluster.census, self.cluster.data.users());
        let in_range = |b: Bounds, lo: i128, hi: i128| (b.hi.min(hi) - b.lo.max(lo) + 1).max(0);
        let ids_in_range = self.ids.is_bounded().then(|| in_range(self.ids, 1, i128::from(users)) as u64);
        let (age_min, age_max) = (i128::from(super::data::AGE_MIN), i128::from(super::data::AGE_MAX));
        let ages_in_range = self.ages.is_bounded().then(|| {
            let (lo, hi) = (self.ages.lo.max(age_min), self.ages.hi.min(age_max));
            if lo > hi {
                0
            } else {
                (0..census.users.len()).map(|s| census.ages_between(s, lo as u32, hi as u32)).sum()
            }
        });
        let facts =
            TableFacts { users, ids_in_range, ages_in_range, age_index: self.cluster.layout.age_index(), matched };
        let asked = self.plan.user_shards.len() as u32;
        SideBySide {
            horizontal: horizontal_work(
                asked,
                self.cluster.layout.shards(),
                shards.iter().map(|w| w.users_scanned).sum(),
            ),
            vertical: vertical_work(&self.query, facts),
        }
    }

    fn push_row(&mut self, id: u64, order: Option<(u64, u64)>) {
        if self.rows.len() >= self.cap {
            return;
        }
        let cluster = Arc::clone(&self.cluster);
        let data = &cluster.data;
        let row = self
            .columns
            .iter()
            .map(|c| match c {
                Column::Id => Literal::Int(id as i64),
                Column::Name => Literal::Text(data.name(id)),
                Column::Email => Literal::Text(data.email(id)),
                Column::Age => Literal::Int(i64::from(data.age(id))),
                Column::Location => Literal::Text(data.location(id).into()),
                Column::OrderId => Literal::Int(order.expect("join row").0 as i64),
                Column::UserId => Literal::Int(id as i64),
                Column::Amount => Literal::Int(order.expect("join row").1 as i64),
            })
            .collect();
        self.rows.push(row);
    }

    /// Reads whatever is left and prices the plan.
    pub fn finish(mut self, model: &LatencyModel) -> Outcome {
        while !self.advance(1 << 20) {}
        let census = &self.cluster.census;
        let layout = &self.cluster.layout;
        let count = self.query.projection == Projection::Count;
        let ids_bounded = self.ids.is_bounded();
        let scan = |rows: u64| rows.saturating_mul(model.scan_ns_per_row);
        let send = |rows: u64| rows.saturating_mul(model.transfer_ns_per_row);
        let mut shards = Vec::new();
        let (mut phase1, mut phase2) = (0u64, 0u64);
        let mut network_rows = 0;
        let total_matched: u64 = self.users_matched.iter().sum();
        let co_located = self.plan.co_located != Some(false);
        for &s in &self.plan.touched {
            let su = s as usize;
            let asked_users = self.asked[su];
            let full = census.users[su];
            let pk = ids_bounded.then_some(self.pk_rows[su]);
            let to_age = |v: i128| v.clamp(0, i128::from(u32::MAX)) as u32;
            let age = self.ages.is_bounded().then(|| {
                if self.ages.is_empty() {
                    0
                } else {
                    census.ages_between(su, to_age(self.ages.lo), to_age(self.ages.hi))
                }
            });
            let best = |with_age: bool| {
                let mut options = vec![(Access::FullScan, full)];
                if let Some(p) = pk {
                    options.insert(0, (Access::PrimaryKey, p));
                }
                if let (true, Some(a)) = (with_age, age) {
                    options.insert(options.len() - 1, (Access::AgeIndex, a));
                }
                options.into_iter().min_by_key(|&(_, rows)| rows).expect("a full scan at least")
            };
            let (without, with) = (best(false), best(true));
            let (access, users_scanned) = if !asked_users {
                (Access::PrimaryKey, 0)
            } else if layout.age_index() {
                with
            } else {
                without
            };
            let rows_sent = if count { 1 } else { self.rows_out[su] };
            let seek = if access == Access::FullScan || !asked_users { 0 } else { model.seek_ns };
            let orders = self.orders_scanned[su];
            let latency_ns = if co_located {
                let t = model.round_trip_ns + seek + scan(users_scanned + orders) + send(rows_sent);
                phase1 = phase1.max(t);
                t
            } else {
                // Phase 1: users to the router; phase 2: every matching user to this shard, its joined rows back.
                let mut t = 0;
                if asked_users {
                    let t1 = model.round_trip_ns + seek + scan(users_scanned) + send(self.users_matched[su]);
                    phase1 = phase1.max(t1);
                    t = t1;
                }
                if self.plan.order_shards.contains(&s) {
                    let t2 = model.round_trip_ns + send(total_matched) + scan(orders) + send(rows_sent);
                    phase2 = phase2.max(t2);
                    network_rows += total_matched;
                    t = t.max(t2);
                }
                t
            };
            shards.push(ShardWork {
                shard: s,
                access,
                users_scanned,
                users_scanned_without_index: if asked_users { without.1 } else { 0 },
                users_scanned_with_index: if asked_users { with.1 } else { 0 },
                users_matched: self.users_matched[su],
                orders_scanned: orders,
                rows_sent,
                latency_ns,
            });
        }
        let received: u64 =
            shards.iter().map(|w| w.rows_sent).sum::<u64>() + if co_located { 0 } else { total_matched };
        let merge_ns = received.saturating_mul(model.merge_ns_per_row);
        let router_ns = model.router_ns;
        let latency = Latency {
            router_ns,
            shards_ns: phase1,
            broadcast_ns: phase2,
            merge_ns,
            total_ns: router_ns + phase1 + phase2 + merge_ns,
        };
        let orders_total: u64 = shards.iter().map(|w| w.orders_scanned).sum();
        let sum = |f: fn(&ShardWork) -> u64| shards.iter().map(f).sum::<u64>() + orders_total;
        let rows_scanned = sum(|w| w.users_scanned);
        let rows_scanned_without_index = sum(|w| w.users_scanned_without_index);
        let rows_scanned_with_index = sum(|w| w.users_scanned_with_index);
        let columns =
            self.columns.iter().map(|c| if self.query.join { c.qualified() } else { c.name().to_string() }).collect();
        let side_by_side = self.side_by_side(&shards, total_matched);
        let answer = if count {
            Answer {
                columns: vec!["count(*)".into()],
                rows: vec![vec![Literal::Int(self.row_count as i64)]],
                row_count: 1,
                count: Some(self.row_count),
                truncated: false,
            }
        } else {
            Answer {
                columns,
                truncated: self.row_count > self.rows.len() as u64,
                rows: self.rows,
                row_count: self.row_count,
                count: None,
            }
        };
        Outcome {
            side_by_side,
            query: self.query.to_string(),
            plan: self.plan,
            shards,
            answer,
            rows_scanned,
            rows_scanned_without_index,
            rows_scanned_with_index,
            network_rows,
            latency,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::data::DataConfig;
    use super::super::sql::parse;
    use super::*;

    fn cluster(users: u64, key: ShardKey, shards: u32) -> Cluster {
        let data = Dataset::new(11, &DataConfig { users, ..DataConfig::default() }).unwrap();
        Cluster::new(data, &ShardingConfig::new(key, shards)).unwrap()
    }

    fn run(c: &Cluster, sql: &str) -> Outcome {
        c.run(&parse(sql).unwrap(), &LatencyModel::default(), ROWS_SHOWN_MAX)
    }

    /// The answer by brute force over every user, independent of the router.
    fn brute_count(c: &Cluster, keep: impl Fn(u64) -> bool) -> u64 {
        (1..=c.data.users()).filter(|&id| keep(id)).count() as u64
    }

    #[test]
    fn point_lookup_by_id_touches_one_shard_under_id_hash() {
        let c = cluster(10_000, ShardKey::IdHash, 8);
        let o = run(&c, "SELECT * FROM users WHERE id = 4242");
        assert_eq!(o.plan.routing, Routing::SingleShard);
        assert_eq!(o.plan.touched, vec![c.layout.shard_of_id(4242)]);
        assert_eq!(o.answer.row_count, 1);
        assert_eq!(o.rows_scanned, 1, "the primary key reads one row");
        assert_eq!(o.shards[0].access, Access::PrimaryKey);
        assert_eq!(o.answer.rows[0][0], Literal::Int(4242));
        // Under location the id pins nothing: every shard looks it up.
        let c = cluster(10_000, ShardKey::Location, 8);
        let o = run(&c, "SELECT * FROM users WHERE id = 4242");
        assert_eq!((o.plan.routing, o.rows_scanned, o.answer.row_count), (Routing::ScatterGather, 1, 1));
    }

    #[test]
    fn london_over_50_touches_one_shard_under_location() {
        let c = cluster(20_000, ShardKey::Location, 4);
        let london = brute_count(&c, |id| c.data.location(id) == "London");
        let old = brute_count(&c, |id| c.data.location(id) == "London" && c.data.age(id) >= 50);
        let o = run(&c, "SELECT count(*) FROM users WHERE location = 'London'");
        assert_eq!((o.plan.routing, o.answer.count), (Routing::SingleShard, Some(london)));
        let o = run(&c, "SELECT * FROM users WHERE location = 'London' AND age >= 50");
        assert_eq!(o.plan.routing, Routing::SingleShard);
        assert_eq!(o.plan.touched, vec![c.layout.shard_of_city(0)]);
        assert_eq!(o.answer.row_count, old);
        // Without the age index the shard reads all its rows; with it, only those aged 50 or more.
        let s = o.plan.touched[0] as usize;
        assert_eq!(o.rows_scanned_without_index, c.census.users[s]);
        assert_eq!(o.rows_scanned_with_index, c.census.ages_between(s, 50, 90));
        assert!(o.rows_scanned_with_index < o.rows_scanned_without_index);
        // Under id hash the same query asks every shard.
        let h = cluster(20_000, ShardKey::IdHash, 4);
        let o2 = run(&h, "SELECT * FROM users WHERE location = 'London' AND age >= 50");
        assert_eq!((o2.plan.routing, o2.answer.row_count), (Routing::ScatterGather, old));
        assert_eq!(o2.rows_scanned_without_index, 20_000);
        assert!(o2.latency.total_ns > 0 && o.latency.total_ns > 0);
    }

    #[test]
    fn id_ranges_touch_the_overlapping_range_shards() {
        let c = cluster(10_000, ShardKey::IdRange, 10);
        let o = run(&c, "SELECT id FROM users WHERE id >= 2500 AND id < 4100");
        assert_eq!(o.plan.touched, vec![2, 3, 4]);
        assert_eq!(o.plan.routing, Routing::Subset);
        assert_eq!((o.answer.row_count, o.rows_scanned), (1600, 1600));
        assert_eq!(o.answer.rows.first(), Some(&vec![Literal::Int(2500)]));
        let o = run(&c, "SELECT id FROM users WHERE id > 5 AND id < 3");
        assert_eq!((o.plan.routing, o.answer.row_count, o.rows_scanned), (Routing::NoShard, 0, 0));
    }

    #[test]
    fn join_co_located_vs_broadcast() {
        let data = Dataset::new(5, &DataConfig { users: 5_000, ..DataConfig::default() }).unwrap();
        let local = Cluster::new(data.clone(), &ShardingConfig::new(ShardKey::IdHash, 4)).unwrap();
        let spread = Cluster::new(
            data.clone(),
            &ShardingConfig { orders_by: OrdersBy::OrderId, ..ShardingConfig::new(ShardKey::IdHash, 4) },
        )
        .unwrap();
        let sql =
            "SELECT users.name, orders.amount FROM users JOIN orders ON users.id = orders.user_id WHERE users.id = 77";
        let (a, b) = (run(&local, sql), run(&spread, sql));
        assert_eq!(a.answer, b.answer);
        assert_eq!(a.answer.row_count, u64::from(data.order_count(77)));
        assert_eq!((a.plan.routing, a.plan.co_located, a.network_rows), (Routing::SingleShard, Some(true), 0));
        assert_eq!((b.plan.routing, b.plan.co_located), (Routing::ScatterGather, Some(false)));
        assert_eq!(b.network_rows, 4, "the one matching user sent to each of the 4 shards");
        assert!(b.latency.total_ns > a.latency.total_ns);
        let all = "SELECT count(*) FROM users JOIN orders ON users.id = orders.user_id";
        let (a, b) = (run(&local, all), run(&spread, all));
        let orders: u64 = (1..=5000).map(|id| u64::from(data.order_count(id))).sum();
        assert_eq!((a.answer.count, b.answer.count), (Some(orders), Some(orders)));
        assert_eq!(b.network_rows, 5_000 * 4);
    }

    #[test]
    fn answers_do_not_depend_on_the_key_or_the_shard_count() {
        let queries = [
            "SELECT count(*) FROM users WHERE age >= 30 AND age < 40 AND location != 'Tokyo'",
            "SELECT * FROM users WHERE id > 100 AND id <= 180 AND age > 60",
            "SELECT name, email FROM users WHERE name = 'Grace Hall'",
            "SELECT * FROM users JOIN orders ON users.id = orders.user_id WHERE amount >= 40000 AND location = 'Paris'",
            "SELECT count(*) FROM users",
            "SELECT * FROM users",
        ];
        for sql in queries {
            let mut answers = Vec::new();
            for key in ShardKey::ALL {
                for shards in [1, 3, 16] {
                    let o = run(&cluster(3_000, key, shards), sql);
                    let w: u64 = o.shards.iter().map(|w| w.users_matched).sum();
                    if !parse(sql).unwrap().join {
                        assert_eq!(w, o.answer.rows_value(), "matched users add up to the answer");
                    }
                    answers.push(o.answer);
                }
            }
            assert!(answers.windows(2).all(|w| w[0] == w[1]), "{sql}");
        }
    }

    #[test]
    fn slices_give_the_same_outcome() {
        let c = cluster(4_000, ShardKey::Ring, 5);
        let q = parse("SELECT * FROM users JOIN orders ON users.id = orders.user_id WHERE age < 25").unwrap();
        let mut r = QueryRun::new(&c, &q, 50);
        let mut steps = 0;
        while !r.advance(333) {
            steps += 1;
        }
        assert!(steps >= 11);
        assert_eq!(r.finish(&LatencyModel::default()), c.run(&q, &LatencyModel::default(), 50));
    }

    #[test]
    fn split_by_columns_beside_split_by_rows() {
        use super::super::vertical::COLUMN_GROUPS;
        let c = cluster(20_000, ShardKey::Location, 4);
        let london = brute_count(&c, |id| c.data.location(id) == "London");
        // London's names and emails: one shard reads its whole rows; split by columns, the location group is
        // scanned whole and the two others read the London users by id.
        let o = run(&c, "SELECT name, email FROM users WHERE location = 'London'");
        let (h, v) = (&o.side_by_side.horizontal, &o.side_by_side.vertical);
        let shard = c.census.users[c.layout.shard_of_city(0) as usize];
        assert_eq!((h.shards_asked, h.shards, h.rows_read, h.cells_read), (1, 4, shard, shard * 5));
        let reads: Vec<_> = v.reads.iter().map(|r| (r.group, r.access, r.rows)).collect();
        assert_eq!(
            reads,
            vec![(0, Access::PrimaryKey, london), (1, Access::PrimaryKey, london), (2, Access::FullScan, 20_000)]
        );
        assert_eq!(v.cells_read, london * 2 + london * 3 + 20_000 * 2);
        // With the age index, the age group reads only the users of those ages, in the whole table.
        let mut config = ShardingConfig::new(ShardKey::IdHash, 3);
        config.age_index = true;
        let c = Cluster::new(c.data.clone(), &config).unwrap();
        let old = brute_count(&c, |id| c.data.age(id) >= 50);
        let o = run(&c, "SELECT count(*) FROM users WHERE age >= 50");
        let v = &o.side_by_side.vertical;
        assert_eq!(v.reads.len(), 1);
        assert_eq!((v.reads[0].group, v.reads[0].access, v.reads[0].rows), (1, Access::AgeIndex, old));
        assert_eq!(v.cells_read, old * COLUMN_GROUPS[1].len() as u64);
        assert_eq!(o.side_by_side.horizontal.rows_read, old, "each shard reads its users of those ages");
        // An id range: the ids in range, clipped to the table.
        let o = run(&c, "SELECT name FROM users WHERE id > 19990 AND id < 30000");
        assert_eq!(o.side_by_side.vertical.reads[0].rows, 10);
        assert_eq!(o.side_by_side.horizontal.rows_read, 10);
    }
}
