//! What a run shows: a full snapshot (every matched event's fate per queue, for the invariants) and the
//! report (per topic and per queue counts, each queue with its bindings, the event bus beside the broker, the backlog
//! series and the event log) for the page, the command line and the presets' tests.

use super::bus::BusCounts;
use super::pattern::{Pattern, PatternKind};
use super::sim::{EventRecord, Fate, PubSubSim};
use crate::sim::kernel::SimTime;
use crate::sim::queue::stats::secs;
use serde::Serialize;

/// One binding in a snapshot.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BindingSnapshot {
    pub pattern: Pattern,
    pub active: bool,
    /// Events with ids in `from_event..until_event` were published while it was bound.
    pub from_event: u64,
    pub until_event: Option<u64>,
}

/// One queue in a snapshot.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QueueSnapshot {
    pub service: String,
    pub service_up: bool,
    pub durable: bool,
    pub active: bool,
    pub bindings: Vec<BindingSnapshot>,
    /// (event, fate, times handled), by event id.
    pub fates: Vec<(u64, Fate, u32)>,
    pub handled_order: Vec<u64>,
    pub delivered: u64,
    pub queue: Vec<u64>,
    pub in_flight: Option<u64>,
}

impl QueueSnapshot {
    /// "Email (durable)".
    pub fn describe(&self) -> String {
        format!("{} ({})", self.service, if self.durable { "durable" } else { "ephemeral" })
    }
}

/// The whole state of a run at one virtual time.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PubSubSnapshot {
    pub now_us: SimTime,
    pub finished: bool,
    pub persistent: bool,
    pub broker_up: bool,
    pub events: Vec<EventRecord>,
    pub queues: Vec<QueueSnapshot>,
}

/// A catch-up after a restart, in seconds.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CatchUpReport {
    pub restart_at_s: f64,
    pub backlog: u32,
    pub took_s: f64,
}

/// One binding of a queue (a subscription of its service).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BindingReport {
    pub id: u32,
    pub kind: PatternKind,
    pub pattern: String,
    pub active: bool,
    /// The same subscription on the in-process event bus: one callback.
    pub bus: BusCounts,
}

/// One queue's counts: an event matching several of its bindings counts once.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QueueReport {
    pub id: u32,
    pub service: String,
    pub service_up: bool,
    pub durable: bool,
    /// False once its last binding was removed (the queue was deleted).
    pub active: bool,
    /// Its bindings in the order they were made, removed ones included.
    pub bindings: Vec<BindingReport>,
    /// Events published (and accepted) whose topic matched at least one of its bindings then.
    pub matched: u64,
    /// Delivery attempts (a redelivery counts again).
    pub delivered: u64,
    /// Distinct events handled.
    pub handled: u64,
    /// Handlings beyond the first of an event (redelivery after a lost ack).
    pub duplicates: u64,
    pub missed: u64,
    pub lost: u64,
    pub discarded: u64,
    /// Waiting or being handled now.
    pub pending: u64,
    pub backlog: u32,
    pub backlog_max: u32,
    pub catch_ups: Vec<CatchUpReport>,
    /// Published events that matched n > 1 of its bindings add n − 1: the queue got each once, the
    /// in-process bus ran (or, while down, would have run) that many callbacks more.
    pub callbacks_beyond_one: u64,
    /// Its bindings' callbacks on the in-process event bus, summed (an event matching two bindings ran
    /// two callbacks there).
    pub bus: BusCounts,
}

impl QueueReport {
    /// The bindings still in place.
    pub fn live_bindings(&self) -> impl Iterator<Item = &BindingReport> {
        self.bindings.iter().filter(|b| b.active)
    }

    /// Its bindings' patterns, comma-separated (the live ones, or all when it was deleted).
    pub fn patterns(&self) -> String {
        let live: Vec<&str> = self.live_bindings().map(|b| b.pattern.as_str()).collect();
        if live.is_empty() {
            self.bindings.iter().map(|b| b.pattern.as_str()).collect::<Vec<_>>().join(", ")
        } else {
            live.join(", ")
        }
    }

    /// "durable" or "ephemeral".
    pub fn kind(&self) -> &'static str {
        if self.durable { "durable" } else { "ephemeral" }
    }
}

/// One topic's counts.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TopicReport {
    pub topic: String,
    pub published: u64,
    pub rejected: u64,
    /// Queues that received its accepted events, summed over them: a queue counts once per event however
    /// many of its bindings matched (a down ephemeral subscriber that missed an event still counts).
    pub fanout: u64,
}

/// A service's state.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ServiceState {
    pub name: String,
    pub up: bool,
}

/// The event bus's totals.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct BusReport {
    pub up: bool,
    pub matched: u64,
    pub handled: u64,
    pub lost: u64,
    pub missed: u64,
    pub backlog: u32,
    pub backlog_max: u32,
}

/// One line of the event log.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LogLine {
    pub at_s: f64,
    pub text: String,
}

/// The summary of a run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PubSubReport {
    pub time_s: f64,
    pub finished: bool,
    pub persistent: bool,
    pub broker_up: bool,
    pub published: u64,
    pub by_hand: u64,
    pub accepted: u64,
    /// Publishes refused because the broker was down.
    pub rejected: u64,
    /// Ephemeral queues: matching events published while their service was down.
    pub missed: u64,
    /// Events gone before they were handled: an in-memory broker's crash, or an ephemeral
    /// subscriber's buffer when it stopped.
    pub lost: u64,
    pub duplicates: u64,
    /// Events dropped with a queue when its last binding was removed.
    pub discarded: u64,
    pub pending: u64,
    pub matched: u64,
    pub handled: u64,
    /// Queues reached per accepted publish.
    pub fanout: f64,
    pub bus: BusReport,
    pub services: Vec<ServiceState>,
    pub topics: Vec<TopicReport>,
    pub queues: Vec<QueueReport>,
    /// Times of the backlog samples, s.
    pub sample_times_s: Vec<f64>,
    /// Per queue, its backlog at each sample.
    pub backlog: Vec<Vec<u32>>,
    pub bus_backlog: Vec<u32>,
    /// The last lines of the event log, oldest first.
    pub log: Vec<LogLine>,
    pub steps: u64,
}

impl PubSubSim {
    /// The state of every queue and event now.
    pub fn snapshot(&self) -> PubSubSnapshot {
        PubSubSnapshot {
            now_us: self.now(),
            finished: self.finished,
            persistent: self.config.persistent,
            broker_up: self.broker_up,
            events: self.events.clone(),
            queues: self
                .queues
                .iter()
                .map(|q| QueueSnapshot {
                    service: self.config.services[q.service as usize].name.clone(),
                    service_up: self.service_up[q.service as usize],
                    durable: q.durable,
                    active: q.active,
                    bindings: q
                        .bindings
                        .iter()
                        .map(|&b| {
                            let b = &self.bindings[b as usize];
                            BindingSnapshot {
                                pattern: b.pattern.clone(),
                                active: b.active,
                                from_event: b.from_event,
                                until_event: b.until_event,
                            }
                        })
                        .collect(),
                    fates: q.fates.iter().map(|(&e, &(f, n))| (e, f, n)).collect(),
                    handled_order: q.handled_order.clone(),
                    delivered: q.delivered,
                    queue: q.queue.iter().copied().collect(),
                    in_flight: q.in_flight.map(|(e, _)| e),
                })
                .collect(),
        }
    }

    /// The report, with the backlog series (the page's animation asks for it without: `series = false`).
    pub fn report_with(&self, series: bool) -> PubSubReport {
        let queues: Vec<QueueReport> = self
            .queues
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let count = |f: Fate| s.fates.values().filter(|v| v.0 == f).count() as u64;
                let bindings: Vec<BindingReport> = s
                    .bindings
                    .iter()
                    .map(|&b| {
                        let binding = &self.bindings[b as usize];
                        BindingReport {
                            id: b,
                            kind: binding.pattern.kind,
                            pattern: binding.pattern.text.clone(),
                            active: binding.active,
                            bus: self.bus.counts[b as usize],
                        }
                    })
                    .collect();
                let bus = bindings.iter().fold(BusCounts::default(), |a, b| BusCounts {
                    matched: a.matched + b.bus.matched,
                    handled: a.handled + b.bus.handled,
                    lost: a.lost + b.bus.lost,
                    missed: a.missed + b.bus.missed,
                });
                QueueReport {
                    id: i as u32,
                    service: self.config.services[s.service as usize].name.clone(),
                    service_up: self.service_up[s.service as usize],
                    durable: s.durable,
                    active: s.active,
                    bindings,
                    callbacks_beyond_one: s.callbacks_beyond_one,
                    matched: s.fates.len() as u64,
                    delivered: s.delivered,
                    handled: count(Fate::Handled),
                    duplicates: s.fates.values().map(|v| u64::from(v.1.saturating_sub(1))).sum(),
                    missed: count(Fate::Missed),
                    lost: count(Fate::Lost),
                    discarded: count(Fate::Discarded),
                    pending: count(Fate::Pending),
                    backlog: s.queue.len() as u32,
                    backlog_max: s.backlog_max,
                    catch_ups: s
                        .catch_ups
                        .iter()
                        .map(|c| CatchUpReport {
                            restart_at_s: secs(c.restart_at_us),
                            backlog: c.backlog,
                            took_s: secs(c.took_us),
                        })
                        .collect(),
                    bus,
                }
            })
            .collect();
        let mut topics: Vec<TopicReport> = Vec::new();
        for e in &self.events {
            let i = match topics.iter().position(|t| t.topic == e.topic) {
                Some(i) => i,
                None => {
                    topics.push(TopicReport { topic: e.topic.clone(), published: 0, rejected: 0, fanout: 0 });
                    topics.len() - 1
                }
            };
            topics[i].published += 1;
            topics[i].rejected += u64::from(!e.accepted);
        }
        for s in &self.queues {
            for &e in s.fates.keys() {
                let topic = &self.events[e as usize].topic;
                if let Some(t) = topics.iter_mut().find(|t| &t.topic == topic) {
                    t.fanout += 1;
                }
            }
        }
        let sum = |f: &dyn Fn(&QueueReport) -> u64| queues.iter().map(f).sum::<u64>();
        let accepted = self.events.iter().filter(|e| e.accepted).count() as u64;
        let matched = sum(&|s| s.matched);
        let bus = BusReport {
            up: self.bus.up,
            matched: self.bus.counts.iter().map(|c| c.matched).sum(),
            handled: self.bus.counts.iter().map(|c| c.handled).sum(),
            lost: self.bus.counts.iter().map(|c| c.lost).sum(),
            missed: self.bus.counts.iter().map(|c| c.missed).sum(),
            backlog: self.bus.backlog(),
            backlog_max: self.bus.backlog_max,
        };
        PubSubReport {
            time_s: secs(self.now()),
            finished: self.finished,
            persistent: self.config.persistent,
            broker_up: self.broker_up,
            published: self.events.len() as u64,
            by_hand: self.events.iter().filter(|e| e.by_hand).count() as u64,
            accepted,
            rejected: self.events.len() as u64 - accepted,
            missed: sum(&|s| s.missed),
            lost: sum(&|s| s.lost),
            duplicates: sum(&|s| s.duplicates),
            discarded: sum(&|s| s.discarded),
            pending: sum(&|s| s.pending),
            matched,
            handled: sum(&|s| s.handled),
            fanout: if accepted > 0 { matched as f64 / accepted as f64 } else { 0.0 },
            bus,
            services: self
                .config
                .services
                .iter()
                .zip(&self.service_up)
                .map(|(s, &up)| ServiceState { name: s.name.clone(), up })
                .collect(),
            topics,
            queues,
            sample_times_s: if series { self.samples.iter().map(|&t| secs(t)).collect() } else { Vec::new() },
            backlog: if series { self.backlog_series.clone() } else { Vec::new() },
            bus_backlog: if series { self.bus_series.clone() } else { Vec::new() },
            log: self.log.iter().map(|(t, text)| LogLine { at_s: secs(*t), text: text.clone() }).collect(),
            steps: self.steps,
        }
    }

    /// The full report.
    pub fn report(&self) -> PubSubReport {
        self.report_with(true)
    }
}

impl PubSubReport {
    /// The numbers the page shows, as bytes in a fixed order (counts as u64 little-endian, times as f64
    /// bits). Adding a field to the report does not change it.
    pub fn fingerprint(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut put = |v: u64| out.extend_from_slice(&v.to_le_bytes());
        for v in [
            self.published,
            self.accepted,
            self.rejected,
            self.missed,
            self.lost,
            self.duplicates,
            self.discarded,
            self.pending,
            self.matched,
            self.handled,
            self.bus.matched,
            self.bus.handled,
            self.bus.lost,
            self.bus.missed,
            self.steps,
        ] {
            put(v);
        }
        put(self.time_s.to_bits());
        put(self.fanout.to_bits());
        for s in &self.queues {
            put(crate::sim::hash::hash_str(&s.service));
            // Every pattern it was ever bound with, in order: a queue with one binding hashes as the
            // subscription of the model before queues had several bindings did.
            let patterns: Vec<&str> = s.bindings.iter().map(|b| b.pattern.as_str()).collect();
            put(crate::sim::hash::hash_str(&patterns.join("\n")));
            for v in [s.matched, s.delivered, s.handled, s.duplicates, s.missed, s.lost, s.discarded] {
                put(v);
            }
            put(u64::from(s.backlog_max));
            for c in &s.catch_ups {
                put(c.took_s.to_bits());
            }
        }
        for series in &self.backlog {
            for &v in series {
                put(u64::from(v));
            }
        }
        for &v in &self.bus_backlog {
            put(u64::from(v));
        }
        out
    }
}
