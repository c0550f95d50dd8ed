//! The commission run itself: the events of [`super::commission`]'s model on the kernel's scheduler, one
//! step an event, each step a sentence in the log.

use super::commission::{
    CommissionConfig, CommissionReport, CommissionSnapshot, Consumer, ConsumerView, CrashPoint, LogLine,
    TransferOutcome,
};
use super::sourcing::{AccountEvent, TimedEvent};
use crate::sim::kernel::{Scheduler, SimTime};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

const MS: SimTime = 1_000;

/// What the broker carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Msg {
    /// "Transfer record `id` was requested."
    Requested(u32),
    /// "Transfer record `id` failed" (the saga's).
    Failed(u32),
}

#[derive(Clone, Copy, Debug)]
enum Ev {
    /// The user's request reaches S1.
    Send {
        intent: u32,
        retry: bool,
    },
    /// The user looks for the transfer and sends again if it is not made.
    Check {
        intent: u32,
    },
    /// S1's second step (dual write) or the relay's publish (outbox), scheduled in S1's `life` (a crash
    /// ends a life: what it had in memory is gone).
    Publish {
        id: u32,
        life: u32,
    },
    S1Restart,
    Down(Consumer),
    Up(Consumer),
    Pump(Consumer),
    Done {
        c: Consumer,
        generation: u64,
        msg: Msg,
    },
    Redeliver(Consumer, Msg),
}

#[derive(Clone, Debug, Default)]
struct Sub {
    queue: VecDeque<Msg>,
    down: u32,
    busy: Option<Msg>,
    generation: u64,
    deliveries: u32,
    inbox: BTreeSet<Msg>,
}

#[derive(Clone, Debug)]
struct Record {
    intent: u32,
    amount: u64,
    key: Option<u32>,
    published: u32,
    sent: bool,
    crash_after_publish: bool,
    made: u32,
    failed: u32,
    taken: u32,
    given_back: u32,
    cancelled: bool,
}

/// A commission run, computed in slices: one step is one event.
#[derive(Clone)]
pub struct CommissionRun {
    c: CommissionConfig,
    q: Scheduler<Ev>,
    user: u64,
    payee: u64,
    bank: u64,
    s1_up: bool,
    /// S1's crashes so far.
    s1_life: u32,
    requests: u32,
    records: Vec<Record>,
    subs: [Sub; 2],
    lost_events: u32,
    events_published: u32,
    redeliveries: u32,
    inbox_skips: u32,
    compensations: u32,
    requests_failed: u32,
    retries_recognised: u32,
    steps: u64,
    log: Vec<LogLine>,
    history: Vec<TimedEvent>,
}

fn idx(c: Consumer) -> usize {
    match c {
        Consumer::S0 => 0,
        Consumer::S2 => 1,
    }
}

impl CommissionRun {
    /// A run of `config` (checked); the seed changes nothing (the model draws nothing at random).
    pub fn new(config: CommissionConfig, _seed: u64) -> Result<Self, String> {
        config.validate()?;
        let mut q = Scheduler::new();
        for (i, x) in config.transfers.iter().enumerate() {
            q.schedule_at(SimTime::from(x.at_ms) * MS, Ev::Send { intent: i as u32, retry: false });
            if let Some(r) = x.retry {
                q.schedule_at(SimTime::from(x.at_ms + r.after_ms) * MS, Ev::Check { intent: i as u32 });
            }
        }
        for w in &config.downtime {
            q.schedule_at(SimTime::from(w.from_ms) * MS, Ev::Down(w.consumer));
            q.schedule_at(SimTime::from(w.to_ms) * MS, Ev::Up(w.consumer));
        }
        Ok(Self {
            q,
            user: config.balance,
            payee: 0,
            bank: 0,
            s1_up: true,
            s1_life: 0,
            requests: 0,
            records: Vec::new(),
            subs: [Sub::default(), Sub::default()],
            lost_events: 0,
            events_published: 0,
            redeliveries: 0,
            inbox_skips: 0,
            compensations: 0,
            requests_failed: 0,
            retries_recognised: 0,
            steps: 0,
            log: Vec::new(),
            history: vec![TimedEvent { at_ms: 0, event: AccountEvent::Deposited { amount: config.balance } }],
            c: config,
        })
    }

    fn say(&mut self, text: String) {
        self.log.push(LogLine {
            step: self.steps,
            at_ms: self.q.now() / MS,
            text,
            balance: self.user,
            bank: self.bank,
            payee: self.payee,
        });
    }

    fn record(&mut self, event: AccountEvent) {
        self.history.push(TimedEvent { at_ms: self.q.now() / MS, event });
    }

    fn subscribers(&self) -> &'static [Consumer] {
        if self.c.fixes.single_consumer { &[Consumer::S2] } else { &[Consumer::S0, Consumer::S2] }
    }

    fn enqueue(&mut self, c: Consumer, msg: Msg) {
        self.subs[idx(c)].queue.push_back(msg);
        self.q.schedule_in(SimTime::from(self.c.hop_ms) * MS, Ev::Pump(c));
    }

    fn crash_s1(&mut self, why: &str) {
        self.s1_up = false;
        self.s1_life += 1;
        self.q.schedule_in(SimTime::from(self.c.s1_restart_ms) * MS, Ev::S1Restart);
        self.say(format!("S1 crashes {why}"));
    }

    fn send(&mut self, intent: u32, retry: bool) {
        let x = &self.c.transfers[intent as usize];
        let amount = if retry { x.retry.map_or(x.amount, |r| r.amount) } else { x.amount };
        let again = if retry { " again" } else { "" };
        if !self.s1_up {
            self.requests_failed += 1;
            self.say(format!("The user sends {amount}{again}, but S1 is down: the request fails"));
            return;
        }
        self.requests += 1;
        let key = self.c.fixes.idempotency_key.then_some(intent);
        if let Some(k) = key
            && let Some(i) = self.records.iter().position(|r| r.key == Some(k))
        {
            self.retries_recognised += 1;
            let first = self.records[i].amount;
            let text = if first == amount {
                format!(
                    "The user sends {amount}{again} with the key of transfer #{}: S1 recognises it and answers with its status, publishing nothing",
                    i + 1
                )
            } else {
                format!(
                    "The user sends {amount}{again} with the key of transfer #{} ({first}): S1 refuses another amount under the same key and publishes nothing",
                    i + 1
                )
            };
            self.say(text);
            return;
        }
        let crash = self.c.crashes.iter().find(|c| c.request == self.requests).map(|c| c.point);
        self.records.push(Record {
            intent,
            amount,
            key,
            published: 0,
            sent: false,
            crash_after_publish: crash == Some(CrashPoint::AfterPublish),
            made: 0,
            failed: 0,
            taken: 0,
            given_back: 0,
            cancelled: false,
        });
        let id = self.records.len() as u32;
        let outbox = if self.c.fixes.outbox { " with an outbox row, in one transaction" } else { "" };
        self.say(format!(
            "The user sends {amount}{again}; S1 writes transfer #{id} ({amount}) to its database{outbox}"
        ));
        if crash == Some(CrashPoint::AfterWrite) {
            if self.c.fixes.outbox {
                self.crash_s1("after its write: the outbox row waits for the relay");
            } else {
                self.lost_events += 1;
                self.crash_s1(&format!("before publishing: the event of transfer #{id} is lost"));
            }
            return;
        }
        self.q.schedule_in(SimTime::from(self.c.publish_gap_ms) * MS, Ev::Publish { id, life: self.s1_life });
    }

    fn publish(&mut self, id: u32, life: u32) {
        let r = &self.records[id as usize - 1];
        if r.sent {
            return;
        }
        if life != self.s1_life {
            // S1 crashed since this step was scheduled: with the outbox the relay has the row again.
            if !self.c.fixes.outbox && r.published == 0 {
                self.lost_events += 1;
                self.say(format!(
                    "S1 crashed before its second step: the event of transfer #{id} is never published (lost)"
                ));
            }
            return;
        }
        let r = &mut self.records[id as usize - 1];
        r.published += 1;
        let crash = std::mem::take(&mut r.crash_after_publish);
        let amount = r.amount;
        self.events_published += 1;
        for &c in self.subscribers() {
            self.enqueue(c, Msg::Requested(id));
        }
        let who = if self.c.fixes.outbox { "The relay" } else { "S1" };
        self.say(format!("{who} publishes the event of transfer #{id} ({amount})"));
        if crash {
            if self.c.fixes.outbox {
                self.crash_s1("before marking the outbox row sent: the relay will publish it again");
            } else {
                self.records[id as usize - 1].sent = true;
                self.crash_s1("before answering the user");
            }
        } else {
            self.records[id as usize - 1].sent = true;
        }
    }

    fn restart(&mut self) {
        self.s1_up = true;
        let unsent: Vec<u32> = if self.c.fixes.outbox {
            (0..self.records.len()).filter(|&i| !self.records[i].sent).map(|i| i as u32 + 1).collect()
        } else {
            Vec::new()
        };
        for &id in &unsent {
            self.q.schedule_in(SimTime::from(self.c.publish_gap_ms) * MS, Ev::Publish { id, life: self.s1_life });
        }
        if self.c.fixes.outbox {
            self.say(format!("S1 restarts; the relay finds {} unsent outbox row(s)", unsent.len()));
        } else {
            self.say("S1 restarts".to_string());
        }
    }

    fn pump(&mut self, c: Consumer) {
        let s = &mut self.subs[idx(c)];
        if s.down > 0 || s.busy.is_some() {
            return;
        }
        let Some(msg) = s.queue.pop_front() else { return };
        s.busy = Some(msg);
        s.deliveries += 1;
        let generation = s.generation;
        self.q.schedule_in(SimTime::from(self.c.process_ms) * MS, Ev::Done { c, generation, msg });
    }

    fn apply(&mut self, c: Consumer, msg: Msg) {
        let fee = self.c.commission;
        match (c, msg) {
            (Consumer::S0, Msg::Requested(id)) => {
                let r = &self.records[id as usize - 1];
                if r.cancelled {
                    self.say(format!("S0 sees transfer #{id} already failed: no commission"));
                } else if self.user >= fee {
                    self.user -= fee;
                    self.bank += fee;
                    self.records[id as usize - 1].taken += 1;
                    self.record(AccountEvent::CommissionTaken { amount: fee, transfer: id });
                    self.say(format!("S0 takes the commission of {fee} for transfer #{id}: balance {}", self.user));
                } else {
                    self.say(format!(
                        "S0 cannot take the commission of {fee} for transfer #{id}: balance {}",
                        self.user
                    ));
                }
            }
            (Consumer::S0, Msg::Failed(id)) => {
                let r = &mut self.records[id as usize - 1];
                if r.taken > r.given_back {
                    r.given_back += 1;
                    self.user += fee;
                    self.bank -= fee;
                    self.compensations += 1;
                    self.record(AccountEvent::CommissionReturned { amount: fee, transfer: id });
                    self.say(format!(
                        "S0 gives back the commission of failed transfer #{id} (compensation): balance {}",
                        self.user
                    ));
                } else {
                    // Remembered, so a commission event arriving later takes nothing.
                    r.cancelled = true;
                    self.say(format!(
                        "S0 learns transfer #{id} failed before taking its commission: nothing to give back"
                    ));
                }
            }
            (Consumer::S2, Msg::Requested(id)) => {
                let amount = self.records[id as usize - 1].amount;
                let single = self.c.fixes.single_consumer;
                let need = if single { amount + fee } else { amount };
                if self.user >= need {
                    self.user -= need;
                    self.payee += amount;
                    let r = &mut self.records[id as usize - 1];
                    r.made += 1;
                    if single {
                        self.bank += fee;
                        r.taken += 1;
                        self.record(AccountEvent::CommissionTaken { amount: fee, transfer: id });
                        self.say(format!(
                            "S2 checks {} covers {amount} + {fee}, takes both for transfer #{id}: balance {}",
                            self.user + need,
                            self.user
                        ));
                    } else {
                        self.say(format!("S2 transfers {amount} (transfer #{id}): balance {}", self.user));
                    }
                    self.record(AccountEvent::TransferMade { amount, transfer: id });
                } else {
                    self.records[id as usize - 1].failed += 1;
                    self.record(AccountEvent::TransferFailed { amount, transfer: id });
                    let covers = if single { format!("{amount} + {fee}") } else { format!("{amount}") };
                    self.say(format!("S2 fails transfer #{id}: the balance {} does not cover {covers}", self.user));
                    if self.c.fixes.saga && !single {
                        self.events_published += 1;
                        self.enqueue(Consumer::S0, Msg::Failed(id));
                        self.say(format!("S2 publishes \"transfer #{id} failed\" for the saga"));
                    }
                }
            }
            (Consumer::S2, Msg::Failed(_)) => {}
        }
    }

    fn done(&mut self, c: Consumer, generation: u64, msg: Msg) {
        let s = &mut self.subs[idx(c)];
        if generation != s.generation {
            return;
        }
        s.busy = None;
        let delivery = s.deliveries;
        let seen = s.inbox.contains(&msg);
        if self.c.fixes.inbox && seen {
            self.inbox_skips += 1;
            let what = describe(msg);
            self.say(format!("{} finds {what} in its inbox: acknowledged, nothing applied again", c.name()));
        } else {
            self.subs[idx(c)].inbox.insert(msg);
            self.apply(c, msg);
        }
        if self.c.lost_acks.iter().any(|l| l.consumer == c && l.delivery == delivery) {
            self.q.schedule_in(SimTime::from(self.c.ack_timeout_ms) * MS, Ev::Redeliver(c, msg));
            self.say(format!(
                "{}'s acknowledgement of {} is lost: the broker will deliver it again",
                c.name(),
                describe(msg)
            ));
        }
        self.q.schedule_in(0, Ev::Pump(c));
    }

    fn step(&mut self, ev: Ev) {
        match ev {
            Ev::Send { intent, retry } => self.send(intent, retry),
            Ev::Check { intent } => {
                let made = self.records.iter().any(|r| r.intent == intent && r.made > 0);
                if !made {
                    self.send(intent, true);
                }
            }
            Ev::Publish { id, life } => self.publish(id, life),
            Ev::S1Restart => self.restart(),
            Ev::Down(c) => {
                let s = &mut self.subs[idx(c)];
                s.down += 1;
                if s.down == 1 {
                    if let Some(msg) = s.busy.take() {
                        s.generation += 1;
                        s.queue.push_front(msg);
                    }
                    self.say(format!("{} goes down: its events wait in the queue", c.name()));
                }
            }
            Ev::Up(c) => {
                let s = &mut self.subs[idx(c)];
                s.down = s.down.saturating_sub(1);
                if s.down == 0 {
                    let n = s.queue.len();
                    self.say(format!("{} is back: {n} event(s) waiting", c.name()));
                    self.q.schedule_in(0, Ev::Pump(c));
                }
            }
            Ev::Pump(c) => self.pump(c),
            Ev::Done { c, generation, msg } => self.done(c, generation, msg),
            Ev::Redeliver(c, msg) => {
                self.redeliveries += 1;
                self.subs[idx(c)].queue.push_front(msg);
                self.q.schedule_in(0, Ev::Pump(c));
            }
        }
    }

    /// Runs at most `max_steps` more events (at least one); true when the run is over.
    pub fn advance(&mut self, max_steps: u64) -> bool {
        for _ in 0..max_steps.max(1) {
            let Some((_, ev)) = self.q.pop() else { return true };
            self.steps += 1;
            self.step(ev);
        }
        self.q.is_empty()
    }

    /// True when nothing is left to happen.
    pub fn is_over(&self) -> bool {
        self.q.is_empty()
    }

    /// Events processed so far.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Every step's sentence so far.
    pub fn log(&self) -> &[LogLine] {
        &self.log
    }

    /// The state after the last step, for an animation: accounts, S1, each consumer's queue.
    pub fn snapshot(&self) -> CommissionSnapshot {
        let consumers = [Consumer::S0, Consumer::S2]
            .iter()
            .map(|&c| {
                let s = &self.subs[idx(c)];
                ConsumerView {
                    name: c.name(),
                    up: s.down == 0,
                    queue: s.queue.iter().map(|&m| describe(m)).collect(),
                    working_on: s.busy.map(describe),
                    deliveries: s.deliveries,
                }
            })
            .collect();
        CommissionSnapshot {
            at_ms: self.q.now() / MS,
            step: self.steps,
            balance: self.user,
            bank: self.bank,
            payee: self.payee,
            s1_up: self.s1_up,
            records: self.records.len() as u32,
            unsent_outbox_rows: if self.c.fixes.outbox {
                self.records.iter().filter(|r| !r.sent).count() as u32
            } else {
                0
            },
            consumers,
        }
    }

    /// The user's account as an event store would hold it: the opening deposit, then every commission,
    /// transfer, failure and compensation in order (see [`super::sourcing`]).
    pub fn account_history(&self) -> &[TimedEvent] {
        &self.history
    }

    /// The run so far.
    pub fn report(&self) -> CommissionReport {
        let fee = self.c.commission;
        let transfers: Vec<TransferOutcome> = self
            .records
            .iter()
            .enumerate()
            .map(|(i, r)| TransferOutcome {
                id: i as u32 + 1,
                intent: r.intent,
                amount: r.amount,
                published: r.published,
                made: r.made,
                failed: r.failed,
                commission_kept: u64::from(r.taken.saturating_sub(r.given_back)) * fee,
            })
            .collect();
        let commission_without_transfer = transfers
            .iter()
            .filter(|t| t.made == 0 && t.failed > 0 && t.commission_kept > 0)
            .map(|t| {
                format!("transfer #{} ({}) failed but its commission of {} was kept", t.id, t.amount, t.commission_kept)
            })
            .collect();
        let mut per_intent: BTreeMap<u32, u32> = BTreeMap::new();
        for r in &self.records {
            *per_intent.entry(r.intent).or_default() += r.made;
        }
        let money_total = self.user + self.payee + self.bank;
        CommissionReport {
            final_balance: self.user,
            payee_balance: self.payee,
            commission_taken: self.bank,
            transfers_made: self.records.iter().map(|r| r.made).sum(),
            transfers_failed: self.records.iter().filter(|r| r.made == 0 && r.failed > 0).count() as u32,
            retries_recognised: self.retries_recognised,
            duplicate_writes: self
                .records
                .iter()
                .map(|r| {
                    let extra = r.made.saturating_sub(1);
                    if self.c.fixes.single_consumer { extra } else { extra + r.taken.saturating_sub(1) }
                })
                .sum(),
            lost_events: self.lost_events,
            unpublished_writes: self.records.iter().filter(|r| r.published == 0).count() as u32,
            events_published: self.events_published,
            redeliveries: self.redeliveries,
            inbox_skips: self.inbox_skips,
            compensations: self.compensations,
            requests_failed: self.requests_failed,
            intents_transferred_twice: per_intent.values().filter(|&&n| n > 1).count() as u32,
            commission_without_transfer,
            money_total,
            money_conserved: money_total == self.c.balance,
            transfers,
            end_ms: self.q.now() / MS,
            steps: self.steps,
        }
    }
}

impl crate::sim::SlicedRun for CommissionRun {
    type Report = CommissionReport;
    fn advance(&mut self, max_steps: u64) -> bool {
        CommissionRun::advance(self, max_steps)
    }
    fn steps(&self) -> u64 {
        CommissionRun::steps(self)
    }
    fn report(&self) -> CommissionReport {
        CommissionRun::report(self)
    }
}

fn describe(msg: Msg) -> String {
    match msg {
        Msg::Requested(id) => format!("the event of transfer #{id}"),
        Msg::Failed(id) => format!("\"transfer #{id} failed\""),
    }
}
