//! What a partitioned-log run shows: a snapshot at the animation's time (log cells, offsets, owners,
//! consumers, a rebalance in progress) and the summary of the run (per group: lag, rebalances and
//! pauses, loss and duplicates counted from the ledger of effects, latency, ordering).

use super::config::CommitMode;
use super::log::{Record, StreamSim};
use crate::sim::cow::CowVec;
use crate::sim::kernel::SimTime;
use crate::sim::queue::stats::{percentiles_s, secs};
use serde::Serialize;

/// One partition of one group, now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PartitionGroupView {
    pub committed: u64,
    /// Log end minus committed offset.
    pub lag: u64,
    /// Where the owner's next poll starts.
    pub position: u64,
    pub owner: Option<String>,
}

/// One partition now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PartitionView {
    pub partition: u32,
    /// Offset the next record gets.
    pub log_end: u64,
    /// The last records (at most the snapshot's cell count), oldest first.
    pub tail: Vec<Record>,
    /// Per group, in the configuration's order.
    pub groups: Vec<PartitionGroupView>,
}

/// A consumer now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConsumerView {
    pub name: String,
    pub alive: bool,
    /// In the group as the coordinator sees it.
    pub member: bool,
    pub slow_pct: u32,
    pub partitions: Vec<u32>,
    /// The record in hand (partition, offset) and the end of its batch.
    pub working_on: Option<(u32, u64, u64)>,
    pub handled: u64,
}

/// A group now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GroupView {
    pub name: String,
    pub commit: CommitMode,
    pub generation: u32,
    pub consumers: Vec<ConsumerView>,
    /// A rebalance in progress: since when, why, and whether the sync (everyone stopped) has begun.
    pub rebalancing: Option<RebalancingView>,
    pub lag_total: u64,
}

/// A rebalance in progress.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RebalancingView {
    pub since_us: SimTime,
    pub triggers: Vec<String>,
    pub syncing: bool,
}

/// The state of a run at one virtual time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StreamSnapshot {
    pub now_us: SimTime,
    pub finished: bool,
    pub produced: u64,
    pub partitions: Vec<PartitionView>,
    pub groups: Vec<GroupView>,
}

/// A finished rebalance, in seconds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RebalanceReport {
    pub at_s: f64,
    /// From the trigger until the new assignment: no fetch in the whole group.
    pub paused_s: f64,
    /// When every member had finished its batch and the sync began.
    pub sync_from_s: f64,
    pub done_s: f64,
    pub triggers: Vec<String>,
    pub generation: u32,
    pub before: Vec<(String, Vec<u32>)>,
    pub after: Vec<(String, Vec<u32>)>,
    pub lag_at_sync: u64,
    pub lag_at_end: u64,
}

/// A crash, in seconds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CrashReport {
    pub consumer: String,
    pub at_s: f64,
    pub in_flight: u64,
    pub handled_uncommitted: u64,
}

/// Two records handled in the opposite order of their publication (different partitions).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OutOfOrderExample {
    pub first: Record,
    pub first_handled_s: f64,
    pub second: Record,
    pub second_handled_s: f64,
}

/// What order the group saw.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OrderingReport {
    /// A consumer handled an offset not after the previous one it handled in that partition (must be 0).
    pub within_partition_violations: u64,
    pub first_violation: Option<String>,
    /// Records first handled after a record published later than them: across partitions only.
    pub cross_partition_out_of_order: u64,
    pub example: Option<OutOfOrderExample>,
    /// Keys whose records were first handled out of the customer's order (must be 0).
    pub keys_out_of_order: u64,
}

/// One group's outcome.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GroupReport {
    pub name: String,
    pub commit: CommitMode,
    /// Records handled at least once.
    pub consumed: u64,
    /// Handlings in all (duplicates included).
    pub handled: u64,
    /// Never handled, and the committed offset is past them: nobody will.
    pub lost: u64,
    /// Extra handlings: a record handled twice counts 1.
    pub duplicates: u64,
    /// Not handled yet: at or after the committed offset, or in a live consumer's batch.
    pub pending: u64,
    pub throughput_per_s: f64,
    pub latency_p50_s: f64,
    pub latency_p95_s: f64,
    pub latency_p99_s: f64,
    pub latency_mean_s: f64,
    /// Time average of records published and not yet handled (from the samples): L of Little's law.
    pub in_system_mean: f64,
    /// λ·W of Little's law: records per second over the whole run times the mean latency.
    pub little_lambda_w: f64,
    pub paused_s: f64,
    pub rebalances: Vec<RebalanceReport>,
    pub crashes: Vec<CrashReport>,
    pub consumers: Vec<ConsumerView>,
    pub lag_final: Vec<u64>,
    pub committed_final: Vec<u64>,
    /// Lag per partition at every sample.
    pub lag_series: Vec<Vec<u32>>,
    pub ordering: OrderingReport,
}

/// The summary of a run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StreamReport {
    pub time_s: f64,
    pub finished: bool,
    pub partitions: u32,
    pub produced: u64,
    /// Records per partition (the log end offsets).
    pub log_end: Vec<u64>,
    /// Arrival rate over the run, per second.
    pub lambda_per_s: f64,
    /// Over all groups.
    pub lost: u64,
    pub duplicates: u64,
    pub sample_every_s: f64,
    pub groups: Vec<GroupReport>,
    pub events: u64,
}

impl StreamSim {
    /// The state now, with at most `cells` records per partition.
    pub fn snapshot(&self, cells: usize) -> StreamSnapshot {
        let partitions = self
            .log
            .iter()
            .enumerate()
            .map(|(p, l)| PartitionView {
                partition: p as u32,
                log_end: l.len() as u64,
                tail: l.iter().skip(l.len().saturating_sub(cells)).copied().collect(),
                groups: self
                    .groups
                    .iter()
                    .map(|g| PartitionGroupView {
                        committed: g.committed[p],
                        lag: l.len() as u64 - g.committed[p],
                        position: g.position[p],
                        owner: g.owner[p].map(|c| g.consumers[c].name.clone()),
                    })
                    .collect(),
            })
            .collect();
        let groups = self
            .groups
            .iter()
            .map(|g| GroupView {
                name: g.name.clone(),
                commit: g.commit,
                generation: g.generation,
                consumers: consumer_views(g),
                rebalancing: g.rebalance.as_ref().map(|r| RebalancingView {
                    since_us: r.started,
                    triggers: r.triggers.clone(),
                    syncing: r.sync_from.is_some(),
                }),
                lag_total: g.lag_total(&self.log),
            })
            .collect();
        StreamSnapshot {
            now_us: self.now(),
            finished: self.finished,
            produced: self.records.len() as u64,
            partitions,
            groups,
        }
    }

    /// The summary metrics now.
    pub fn report(&self) -> StreamReport {
        let groups: Vec<GroupReport> = self.groups.iter().map(|g| self.group_report(g)).collect();
        let last_publish = self.records.last().map_or(0, |r| r.published_at);
        StreamReport {
            time_s: secs(self.now()),
            finished: self.finished,
            partitions: self.config.partitions,
            produced: self.records.len() as u64,
            log_end: self.log.iter().map(|l| l.len() as u64).collect(),
            lambda_per_s: if last_publish > 0 { self.records.len() as f64 / secs(last_publish) } else { 0.0 },
            lost: groups.iter().map(|g| g.lost).sum(),
            duplicates: groups.iter().map(|g| g.duplicates).sum(),
            sample_every_s: self.config.sample_every_ms as f64 / 1000.0,
            groups,
            events: self.events,
        }
    }

    fn group_report(&self, g: &super::log::Group) -> GroupReport {
        let mut latencies = Vec::new();
        let mut last_effect = 0;
        let (mut lost, mut pending, mut duplicates, mut handled) = (0, 0, 0, 0);
        let batches: Vec<_> = g.consumers.iter().filter(|c| c.alive).filter_map(|c| c.batch).collect();
        let in_hand =
            |r: &Record| batches.iter().any(|b| b.partition == r.partition && (b.next..b.end).contains(&r.offset));
        for r in &self.records {
            let i = r.id as usize;
            handled += u64::from(g.effects[i]);
            duplicates += u64::from(g.effects[i].saturating_sub(1));
            match g.first_effect[i] {
                Some(at) => {
                    latencies.push(at - r.published_at);
                    last_effect = last_effect.max(at);
                }
                // Committed past it and not in a live consumer's batch: nobody will handle it.
                None if r.offset < g.committed[r.partition as usize] && !in_hand(r) => lost += 1,
                None => pending += 1,
            }
        }
        let consumed = latencies.len() as u64;
        let latency_mean_s =
            if consumed > 0 { latencies.iter().map(|&l| secs(l)).sum::<f64>() / consumed as f64 } else { 0.0 };
        let [p50, p95, p99] = percentiles_s(&mut latencies);
        let in_system_mean =
            if g.backlog.is_empty() { 0.0 } else { g.backlog.iter().sum::<u64>() as f64 / g.backlog.len() as f64 };
        let rebalances: Vec<RebalanceReport> = g
            .rebalances
            .iter()
            .map(|r| RebalanceReport {
                at_s: secs(r.started),
                paused_s: secs(r.done - r.started),
                sync_from_s: secs(r.sync_from),
                done_s: secs(r.done),
                triggers: r.triggers.clone(),
                generation: r.generation,
                before: r.before.clone(),
                after: r.after.clone(),
                lag_at_sync: r.lag_at_sync,
                lag_at_end: r.lag_at_end,
            })
            .collect();
        let ongoing = g.rebalance.as_ref().map_or(0, |r| self.now() - r.started);
        GroupReport {
            name: g.name.clone(),
            commit: g.commit,
            consumed,
            handled,
            lost,
            duplicates,
            pending,
            throughput_per_s: if last_effect > 0 { consumed as f64 / secs(last_effect) } else { 0.0 },
            latency_p50_s: p50,
            latency_p95_s: p95,
            latency_p99_s: p99,
            latency_mean_s,
            in_system_mean,
            little_lambda_w: if self.now() > 0 { consumed as f64 / secs(self.now()) * latency_mean_s } else { 0.0 },
            paused_s: secs(g.rebalances.iter().map(|r| r.done - r.started).sum::<SimTime>() + ongoing),
            rebalances,
            crashes: g
                .crashes
                .iter()
                .map(|c| CrashReport {
                    consumer: c.consumer.clone(),
                    at_s: secs(c.at),
                    in_flight: c.in_flight,
                    handled_uncommitted: c.handled_uncommitted,
                })
                .collect(),
            consumers: consumer_views(g),
            lag_final: self.log.iter().zip(&g.committed).map(|(l, &c)| l.len() as u64 - c).collect(),
            committed_final: g.committed.clone(),
            lag_series: g.lag.iter().map(CowVec::to_vec).collect(),
            ordering: self.ordering(g),
        }
    }

    fn ordering(&self, g: &super::log::Group) -> OrderingReport {
        // Records in the order they were first handled; a record is out of order when one published
        // before it is first handled after it.
        let mut handled: Vec<(SimTime, &Record)> =
            self.records.iter().filter_map(|r| g.first_effect[r.id as usize].map(|t| (t, r))).collect();
        handled.sort_by_key(|&(t, r)| (t, r.id));
        let mut suffix_min: Vec<Option<usize>> = vec![None; handled.len() + 1];
        for i in (0..handled.len()).rev() {
            let best = suffix_min[i + 1];
            suffix_min[i] = match best {
                Some(j) if handled[j].1.published_at <= handled[i].1.published_at => Some(j),
                _ => Some(i),
            };
        }
        let mut cross = 0;
        let mut example = None;
        for i in 0..handled.len() {
            if let Some(j) = suffix_min[i + 1] {
                let (a, b) = (handled[i], handled[j]);
                if b.1.published_at < a.1.published_at {
                    cross += 1;
                    example.get_or_insert(OutOfOrderExample {
                        first: *a.1,
                        first_handled_s: secs(a.0),
                        second: *b.1,
                        second_handled_s: secs(b.0),
                    });
                }
            }
        }
        let mut next_seq = vec![0u64; self.config.keys as usize];
        let mut keys_bad = vec![false; self.config.keys as usize];
        for &(_, r) in &handled {
            let k = r.key as usize;
            if r.key_seq < next_seq[k] {
                keys_bad[k] = true;
            }
            next_seq[k] = next_seq[k].max(r.key_seq + 1);
        }
        OrderingReport {
            within_partition_violations: g.order_violations,
            first_violation: g.first_violation.clone(),
            cross_partition_out_of_order: cross,
            example,
            keys_out_of_order: keys_bad.iter().filter(|&&b| b).count() as u64,
        }
    }
}

fn consumer_views(g: &super::log::Group) -> Vec<ConsumerView> {
    g.consumers
        .iter()
        .map(|c| ConsumerView {
            name: c.name.clone(),
            alive: c.alive,
            member: c.member,
            slow_pct: c.slow_pct,
            partitions: c.partitions.clone(),
            working_on: c.batch.map(|b| (b.partition, b.next, b.end)),
            handled: c.handled,
        })
        .collect()
}

impl StreamReport {
    /// The numbers the page shows, as bytes in a fixed order: counts as u64 little-endian, times and
    /// rates as the bits of their f64. Adding a field to the report does not change it.
    pub fn fingerprint(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut put = |v: u64| out.extend_from_slice(&v.to_le_bytes());
        for v in [u64::from(self.partitions), self.produced, self.lost, self.duplicates, self.events] {
            put(v);
        }
        put(self.time_s.to_bits());
        put(self.lambda_per_s.to_bits());
        for &e in &self.log_end {
            put(e);
        }
        for g in &self.groups {
            put(crate::sim::hash::hash_str(&g.name));
            for v in [g.consumed, g.handled, g.lost, g.duplicates, g.pending, g.rebalances.len() as u64] {
                put(v);
            }
            for v in [g.throughput_per_s, g.latency_p50_s, g.latency_p95_s, g.latency_p99_s, g.paused_s] {
                put(v.to_bits());
            }
            for v in [g.ordering.within_partition_violations, g.ordering.cross_partition_out_of_order] {
                put(v);
            }
            for &c in &g.committed_final {
                put(c);
            }
            for series in &g.lag_series {
                for &l in series {
                    put(u64::from(l));
                }
            }
        }
        out
    }
}
