//! The sharding lab's run: the shards' replication (`ReplSim`: primaries, replicas, elections, failures)
//! with the user's queries routed at their virtual moments. A query at time t is planned over the shard
//! layout (which shards it needs) and meets the shards as they are at t: a shard that cannot serve fails
//! the query with the replication's sentence, or is left out of a partial answer the user allowed,
//! flagged. The answer itself (rows, counts, rows scanned) depends only on the data and the plan, so the
//! page computes it apart, in slices (`router::QueryRun`).

use super::config::ShardDataConfig;
use super::data::Dataset;
use super::partition::Layout;
use super::repl_config::{ReplAction, ReplConfig};
use super::repl_report::{ReplReport, ReplSnapshot};
use super::replication::ReplSim;
use super::router::{Plan, plan};
use super::sql::{Query, parse};
use crate::sim::hash::hash_str;
use crate::sim::kernel::SimTime;
use crate::sim::timeline::TimedRun;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The lab's starting point: the tables and how they are sharded, and how each shard is replicated.
/// Both sides have the same shards (`data.sharding.shards == repl.shards`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ShardLabConfig {
    pub data: ShardDataConfig,
    pub repl: ReplConfig,
}

impl Default for ShardLabConfig {
    /// Ten thousand users in three shards by id hash, each a primary and two replicas (majority quorum).
    fn default() -> Self {
        let repl = ReplConfig::default();
        let mut data = ShardDataConfig::default();
        data.sharding.shards = repl.shards;
        Self { data, repl }
    }
}

impl ShardLabConfig {
    /// Refuses anything outside the limits of either side, or shard counts that disagree.
    pub fn validate(&self) -> Result<(), String> {
        self.data.validate()?;
        self.repl.validate()?;
        if self.data.sharding.shards != self.repl.shards {
            return Err(format!(
                "the data has {} shards but the replication {}: both sides shard the same tables",
                self.data.sharding.shards, self.repl.shards
            ));
        }
        Ok(())
    }
}

/// What a user does: a failure (or repair) of the shards' nodes, or a query through the router.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ShardAction {
    /// A kill, revival, partition, heal or write burst (the replication's actions).
    Node(ReplAction),
    /// A query of the documented SQL subset; with `allow_partial`, shards that cannot answer are left
    /// out and the answer is flagged partial instead of failing.
    Query {
        sql: String,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        allow_partial: bool,
    },
}

impl ShardAction {
    /// One line saying what the action does, for the history.
    pub fn describe(&self) -> String {
        match self {
            Self::Node(a) => a.describe(),
            Self::Query { sql, allow_partial: false } => format!("query: {sql}"),
            Self::Query { sql, allow_partial: true } => format!("query (partial allowed): {sql}"),
        }
    }
}

/// How a query fared against the shards at its moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum QueryStatus {
    /// Every shard it needs answered.
    Answered,
    /// Some shards could not answer and the user allowed a partial answer: flagged, from the others.
    Partial,
    /// A shard it needs could not answer: the query fails with that shard's error.
    Failed,
}

/// One query, as routed at its moment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct QueryLog {
    pub at_ms: u64,
    pub sql: String,
    pub plan: Plan,
    pub allow_partial: bool,
    /// The shards it needs that could not answer, each with the error a client sees.
    pub unavailable: Vec<(u32, String)>,
    pub status: QueryStatus,
}

/// The replication's actions among the lab's.
fn node_actions(actions: &[(u64, ShardAction)]) -> Vec<(u64, ReplAction)> {
    actions
        .iter()
        .filter_map(|(at, a)| match a {
            ShardAction::Node(r) => Some((*at, r.clone())),
            ShardAction::Query { .. } => None,
        })
        .collect()
}

/// An upper bound on a run's steps: the replication's events (see `repl_budget`) and one per query.
pub fn estimate_work(config: &ShardLabConfig, actions: &[(u64, ShardAction)]) -> crate::sim::budget::WorkEstimate {
    let nodes = node_actions(actions);
    let mut work = super::repl_budget::estimate_work(&config.repl, &nodes);
    let queries = actions.len() - nodes.len();
    work.add("record fewer queries", queries as u64);
    work
}

/// A query waiting for its moment.
#[derive(Clone, Debug)]
struct Pending {
    at_us: SimTime,
    sql: String,
    query: Query,
    allow_partial: bool,
}

/// The lab's run: replication events and queries in time order.
#[derive(Clone)]
pub struct ShardLabSim {
    repl: ReplSim,
    layout: Arc<Layout>,
    config: Arc<ShardLabConfig>,
    queries: Arc<Vec<Pending>>,
    next_query: usize,
    log: Vec<QueryLog>,
    steps: u64,
}

impl ShardLabSim {
    /// A run ready to start; refuses a configuration, an action or a query outside the limits (the
    /// sentence names the action's moment).
    pub fn new(seed: u64, config: &ShardLabConfig, actions: &[(u64, ShardAction)]) -> Result<Self, String> {
        config.validate()?;
        let node_actions = node_actions(actions);
        let mut queries = Vec::new();
        for (at_ms, action) in actions {
            match action {
                ShardAction::Node(_) => {}
                ShardAction::Query { sql, allow_partial } => {
                    if *at_ms > config.repl.horizon_ms {
                        return Err(format!(
                            "the query at {at_ms} ms is past the end of the run ({} ms)",
                            config.repl.horizon_ms
                        ));
                    }
                    let query = parse(sql).map_err(|e| format!("the query at {at_ms} ms: {e}"))?;
                    queries.push(Pending {
                        at_us: at_ms.saturating_mul(1000),
                        sql: sql.clone(),
                        query,
                        allow_partial: *allow_partial,
                    });
                }
            }
        }
        // Queries at one moment keep their recorded order.
        queries.sort_by_key(|q| q.at_us);
        let repl = ReplSim::new(seed, &config.repl, &node_actions)?;
        estimate_work(config, actions).check()?;
        let data = Dataset::new(seed, &config.data.data)?;
        let layout = Layout::new(&data, &config.data.sharding)?;
        Ok(Self {
            repl,
            layout: Arc::new(layout),
            config: Arc::new(config.clone()),
            queries: Arc::new(queries),
            next_query: 0,
            log: Vec::new(),
            steps: 0,
        })
    }

    /// The configuration the run started from.
    pub fn config(&self) -> &ShardLabConfig {
        &self.config
    }

    /// The shards' replication.
    pub fn repl(&self) -> &ReplSim {
        &self.repl
    }

    /// The shard layout queries are planned over.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Queries routed so far.
    pub fn queries(&self) -> &[QueryLog] {
        &self.log
    }

    fn next_query_us(&self) -> Option<SimTime> {
        self.queries.get(self.next_query).map(|q| q.at_us)
    }

    /// The moment of the next step, if any (a replication event, or a query).
    fn next_us(&self) -> Option<SimTime> {
        match (self.next_query_us(), self.repl.next_event_us()) {
            (Some(q), Some(e)) => Some(q.min(e)),
            (q, e) => q.or(e),
        }
    }

    /// Handles the next replication event or query (a replication event first when they share a moment:
    /// a kill recorded with a query at the same time happens before it); its virtual time, or `None`
    /// when the run is over.
    pub fn step(&mut self) -> Option<SimTime> {
        let query = self.next_query_us();
        match (query, self.repl.next_event_us()) {
            (Some(q), e) if e.is_none_or(|e| q < e) => {
                self.route();
                self.steps += 1;
                Some(q)
            }
            _ => {
                let t = self.repl.step();
                self.steps += u64::from(t.is_some());
                t
            }
        }
    }

    /// Handles everything due up to and including virtual time `t_us` (past the horizon: the end).
    pub fn run_until(&mut self, t_us: SimTime) {
        loop {
            match self.next_us() {
                Some(next) if next <= t_us => {}
                // Nothing left to happen although the run is not over: the next step ends it.
                None if !self.is_finished() => {}
                _ => break,
            }
            if self.step().is_none() && self.next_us().is_none() {
                break;
            }
        }
    }

    /// Runs to the end.
    pub fn run(&mut self) {
        while self.step().is_some() {}
    }

    /// The virtual time of the last step.
    pub fn now(&self) -> SimTime {
        let last_query = self.log.last().map_or(0, |q| q.at_ms.saturating_mul(1000));
        self.repl.now().max(last_query)
    }

    /// Steps taken (replication events and queries).
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// True once the replication reached its end and every query was routed.
    pub fn is_finished(&self) -> bool {
        self.repl.is_finished() && self.next_query == self.queries.len()
    }

    /// Routes the next query over the shards as they are now.
    fn route(&mut self) {
        let p = &self.queries[self.next_query];
        self.next_query += 1;
        let plan = plan(&self.layout, &p.query);
        let unavailable: Vec<(u32, String)> =
            plan.touched.iter().filter_map(|&s| self.repl.serving(s as usize).err().map(|e| (s, e))).collect();
        let status = match (unavailable.is_empty(), p.allow_partial) {
            (true, _) => QueryStatus::Answered,
            (false, true) if unavailable.len() < plan.touched.len() => QueryStatus::Partial,
            _ => QueryStatus::Failed,
        };
        self.log.push(QueryLog {
            at_ms: p.at_us / 1000,
            sql: p.sql.clone(),
            plan,
            allow_partial: p.allow_partial,
            unavailable,
            status,
        });
    }

    /// The run at this moment, as the page draws it.
    pub fn snapshot(&self) -> ShardLabSnapshot {
        ShardLabSnapshot { repl: self.repl.snapshot(), queries: self.log.clone() }
    }

    /// The run summed up.
    pub fn report(&self) -> ShardLabReport {
        let count = |s: QueryStatus| self.log.iter().filter(|q| q.status == s).count() as u64;
        ShardLabReport {
            users: self.config.data.data.users,
            shard_key: self.config.data.sharding.key.name().to_string(),
            shards_touched: self.log.last().map(|q| q.plan.touched.len() as u64),
            queries_failed: count(QueryStatus::Failed),
            queries_partial: count(QueryStatus::Partial),
            queries: self.log.clone(),
            repl: self.repl.report(),
        }
    }

    /// Estimated heap bytes (for the timeline's checkpoint budget).
    pub fn approx_bytes(&self) -> usize {
        self.repl.approx_bytes() + self.log_bytes()
    }

    /// Estimated heap bytes not shared with `earlier` (a checkpoint of the same run).
    pub fn approx_bytes_beyond(&self, earlier: &Self) -> usize {
        self.repl.approx_bytes_beyond(Some(&earlier.repl)) + self.log_bytes()
    }

    fn log_bytes(&self) -> usize {
        self.log.iter().map(|q| std::mem::size_of::<QueryLog>() + q.sql.len() + q.plan.reason.len()).sum()
    }
}

/// What a frame of the lab shows.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ShardLabSnapshot {
    pub repl: ReplSnapshot,
    /// Queries routed so far.
    pub queries: Vec<QueryLog>,
}

/// The whole run: the replication's report and every query's routing.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ShardLabReport {
    pub users: u64,
    pub shard_key: String,
    /// Shards the last query touched.
    pub shards_touched: Option<u64>,
    pub queries_failed: u64,
    pub queries_partial: u64,
    pub queries: Vec<QueryLog>,
    #[serde(flatten)]
    pub repl: ReplReport,
}

impl ShardLabReport {
    /// The numbers a user sees, as bytes in a fixed order, for run digests.
    pub fn fingerprint(&self) -> Vec<u8> {
        let mut out = self.repl.fingerprint();
        let mut put = |v: u64| out.extend_from_slice(&v.to_le_bytes());
        for q in &self.queries {
            put(q.at_ms);
            put(hash_str(&q.sql));
            put(q.status as u64);
            for &s in &q.plan.touched {
                put(u64::from(s));
            }
            for (s, _) in &q.unavailable {
                put(u64::from(*s));
            }
        }
        out
    }
}

/// The timeline's view of the run (checkpoints, seeks): the same steps.
impl TimedRun for ShardLabSim {
    fn step(&mut self) -> Option<SimTime> {
        Self::step(self)
    }
    fn run_until(&mut self, t_us: SimTime) {
        Self::run_until(self, t_us)
    }
    fn now(&self) -> SimTime {
        Self::now(self)
    }
    fn events(&self) -> u64 {
        Self::steps(self)
    }
    fn is_finished(&self) -> bool {
        Self::is_finished(self)
    }
    fn approx_bytes(&self) -> usize {
        Self::approx_bytes(self)
    }
    fn approx_bytes_beyond(&self, earlier: &Self) -> usize {
        Self::approx_bytes_beyond(self, earlier)
    }
}
