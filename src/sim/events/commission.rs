//! The notes' commission anomaly ("Drawback" of the event-driven design), as discrete events over time,
//! and its fixes as switches.
//!
//! **The story** (the notes' exact numbers): a user holds 1000 and sends 950; the bank takes a commission
//! of 50 per transfer. S1 records the request and publishes one event; S0 (the commission) and S2 (the
//! transfer) each consume it through their own subscription. S2 is down: S0 takes 50 (balance 950), the
//! user sees no transfer and sends 800; S0 takes 50 again (900); S2 comes back, fails the 950 (900 < 950)
//! and makes the 800: the final balance is 100 and the bank took 100 of commission for one transfer made.
//!
//! **The model.** Three accounts: the user's, the payee's and the bank's commission account; their sum
//! never changes (every movement is a debit and a credit in one step), which the report checks. Services:
//!
//! - S1 receives the user's requests; it commits a transfer record in its database, then publishes the
//!   event as a second step `publish_gap_ms` later (a *dual write*), answering the user. A crash schedule
//!   ([`Crash`]) stops S1 right after the write or right after the publish; it restarts `s1_restart_ms`
//!   later, and a request arriving meanwhile fails. With the dual write, an event not yet published when
//!   S1 crashes is lost for good (a committed write with no event). With the **outbox** the record and an
//!   outbox row commit in one local transaction and a relay publishes the row then marks it sent; after a
//!   restart the relay publishes every unsent row again (at-least-once: a crash between publish and mark
//!   publishes the same event twice).
//! - The broker keeps one FIFO queue per subscriber. A consumer takes the head when it is up and idle,
//!   works `process_ms`, applies the effect in one local transaction and acknowledges. While it is down
//!   the queue holds its events; work in progress when it goes down is not applied and is delivered
//!   again when it comes back. A lost acknowledgement ([`LostAck`]) makes the broker deliver the same
//!   event again `ack_timeout_ms` later (at-least-once).
//! - S0 takes the commission from the user's account (if the balance covers it); S2 moves the amount to
//!   the payee if the balance covers it, and otherwise fails the transfer.
//! - The user sends each [`TransferIntent`] at its time and, if no transfer of it was made `after_ms`
//!   later, sends once more (the notes' 800).
//!
//! **Fixes** ([`Fixes`], combinable): `saga` (S2 publishes "transfer failed" and S0 gives the commission
//! back: a compensation), `single_consumer` (S2 alone consumes the event and takes commission and amount
//! in one transaction after checking the balance covers both), `idempotency_key` (the retry carries the
//! first request's key; S1 recognises it: the same amount is answered with the first request's status,
//! a different amount is refused, as Stripe refuses a key reused with other parameters; either way no
//! second event), `outbox` (above) and `inbox` (each consumer records the events it applied in the same
//! transaction as the effect and acknowledges a redelivered one without applying it again).
//!
//! The patterns are those named on Chris Richardson's microservices.io (Saga, Transactional outbox,
//! Idempotent consumer); the key's handling follows Stripe's documented idempotent requests (a key
//! reused with other parameters is an error). The numbers are the notes'; the times (S2 down for a
//! minute, the user's retry after 10 s, 5 ms of work a message) are illustrative.
//!
//! A run is bounded by its configuration: at most two requests an intent, one publish each (two with the
//! outbox after a crash), one delivery a subscriber a publish plus one a lost acknowledgement, so the
//! limits keep every run to a few thousand steps.
//!
//! One step is one event; each step writes a sentence to the log (with the balances after it), so a
//! page can animate the run step by step. The model draws nothing at random: the seed is accepted for
//! the shared signature and changes nothing.

use super::commission_run::CommissionRun;
use crate::sim::check_range;
use serde::{Deserialize, Serialize};

/// Limits on a commission run.
pub mod limits {
    /// Most transfer intents (each may be sent twice).
    pub const INTENTS_MAX: usize = 200;
    /// Largest balance or amount (rupees).
    pub const AMOUNT_MAX: u64 = 1_000_000_000;
    /// Latest moment of anything scheduled, ms (a day).
    pub const TIME_MS_MAX: u32 = 86_400_000;
    /// Longest processing time, gap, restart or timeout, ms (an hour).
    pub const DELAY_MS_MAX: u32 = 3_600_000;
    /// Most downtime windows, crashes or lost acknowledgements, each.
    pub const FAULTS_MAX: usize = 200;
}

/// A consumer of the transfer event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Consumer {
    /// The commission service.
    S0,
    /// The transfer service.
    S2,
}

impl Consumer {
    /// The service's name on the page.
    pub fn name(self) -> &'static str {
        match self {
            Consumer::S0 => "S0",
            Consumer::S2 => "S2",
        }
    }
}

/// One transfer the user wants made, sent at `at_ms`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransferIntent {
    pub at_ms: u32,
    pub amount: u64,
    /// Sent once more when no transfer of it was made by then.
    pub retry: Option<UserRetry>,
}

/// The user's second send: `after_ms` after the first, for `amount` (the notes: 800 after 950).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserRetry {
    pub after_ms: u32,
    pub amount: u64,
}

/// A consumer down from `from_ms` to `to_ms`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Downtime {
    pub consumer: Consumer,
    pub from_ms: u32,
    pub to_ms: u32,
}

/// Where S1 crashes while handling a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CrashPoint {
    /// After committing its write, before the event is published.
    AfterWrite,
    /// After publishing, before marking the outbox row sent and answering the user.
    AfterPublish,
}

/// S1 crashes at `point` of the `request`-th request it receives (1-based, retries counted).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Crash {
    pub request: u32,
    pub point: CrashPoint,
}

/// The acknowledgement of the `delivery`-th delivery (1-based) to `consumer` is lost: the broker
/// delivers that event again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LostAck {
    pub consumer: Consumer,
    pub delivery: u32,
}

/// The fixes, each a switch; any combination runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Fixes {
    /// A failed transfer's commission is given back (S2 publishes the failure; S0 compensates).
    pub saga: bool,
    /// S2 alone consumes the event: checks the balance covers amount and commission, takes both at once.
    pub single_consumer: bool,
    /// The user's retry carries the first request's key; S1 publishes nothing new for it.
    pub idempotency_key: bool,
    /// S1 commits an outbox row with its write; a relay publishes it (again after a crash).
    pub outbox: bool,
    /// Consumers apply each event once, whatever the redeliveries.
    pub inbox: bool,
}

/// The accounts, the user's transfers, the faults and the fixes.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommissionConfig {
    /// The user's starting balance.
    pub balance: u64,
    /// The bank's commission per transfer.
    pub commission: u64,
    pub transfers: Vec<TransferIntent>,
    pub downtime: Vec<Downtime>,
    pub crashes: Vec<Crash>,
    pub lost_acks: Vec<LostAck>,
    /// Time between S1's write and its publish (the relay's poll with the outbox), ms.
    pub publish_gap_ms: u32,
    /// Time S1 takes to restart after a crash, ms.
    pub s1_restart_ms: u32,
    /// A consumer's work on one event, ms.
    pub process_ms: u32,
    /// Broker to consumer, ms.
    pub hop_ms: u32,
    /// Time before the broker delivers an unacknowledged event again, ms.
    pub ack_timeout_ms: u32,
    pub fixes: Fixes,
}

impl Default for CommissionConfig {
    /// [`commission_anomaly`].
    fn default() -> Self {
        commission_anomaly()
    }
}

/// The notes' story: 1000, a transfer of 950, a commission of 50; S2 down for the first minute; the user
/// sends 800 after 10 s without a transfer. Final balance 100, commission 100.
pub fn commission_anomaly() -> CommissionConfig {
    CommissionConfig {
        balance: 1_000,
        commission: 50,
        transfers: vec![TransferIntent {
            at_ms: 0,
            amount: 950,
            retry: Some(UserRetry { after_ms: 10_000, amount: 800 }),
        }],
        downtime: vec![Downtime { consumer: Consumer::S2, from_ms: 0, to_ms: 60_000 }],
        crashes: Vec::new(),
        lost_acks: Vec::new(),
        publish_gap_ms: 1,
        s1_restart_ms: 2_000,
        process_ms: 5,
        hop_ms: 1,
        ack_timeout_ms: 30_000,
        fixes: Fixes::default(),
    }
}

/// The anomaly with a saga: the failed 950's commission is given back. Final balance 150, commission 50.
pub fn commission_saga() -> CommissionConfig {
    CommissionConfig { fixes: Fixes { saga: true, ..Fixes::default() }, ..commission_anomaly() }
}

/// The anomaly with one consumer checking funds first: the 950 is made with its commission when S2 comes
/// back (1000 covers 950 + 50), the 800 then fails without commission. Final balance 0, commission 50.
pub fn commission_single_consumer() -> CommissionConfig {
    CommissionConfig { fixes: Fixes { single_consumer: true, ..Fixes::default() }, ..commission_anomaly() }
}

/// The anomaly with an idempotency key on the retry: S1 recognises the key and refuses the 800 (another
/// amount under the same key); the 950 is made when S2 comes back. Final balance 0, commission 50.
pub fn commission_idempotency_key() -> CommissionConfig {
    CommissionConfig { fixes: Fixes { idempotency_key: true, ..Fixes::default() }, ..commission_anomaly() }
}

/// A lost acknowledgement at S0 without the inbox (S2 up, a transfer of 800, no retry): S2 makes the 800
/// and S0 takes the commission twice, the second time when the broker delivers the event again a second
/// later. Final balance 100, commission 100, one duplicate write.
pub fn commission_redelivery() -> CommissionConfig {
    CommissionConfig {
        balance: 1_000,
        transfers: vec![TransferIntent { at_ms: 0, amount: 800, retry: None }],
        downtime: Vec::new(),
        lost_acks: vec![LostAck { consumer: Consumer::S0, delivery: 1 }],
        ack_timeout_ms: 1_000,
        ..commission_anomaly()
    }
}

/// The same redelivery with the inbox: the second delivery is recognised and applied once. Final balance
/// 150, commission 50.
pub fn commission_inbox() -> CommissionConfig {
    CommissionConfig { fixes: Fixes { inbox: true, ..Fixes::default() }, ..commission_redelivery() }
}

/// The dual write: S1 commits the 950 then crashes before publishing; the event is lost. The user sends
/// 800 after 10 s (S1 is back): it is made. Final balance 150, one lost event, S1's database holding a
/// 950 that nobody will act on.
pub fn dual_write_lost_event() -> CommissionConfig {
    CommissionConfig {
        downtime: Vec::new(),
        crashes: vec![Crash { request: 1, point: CrashPoint::AfterWrite }],
        ..commission_anomaly()
    }
}

/// The same crash with the outbox: the relay publishes the 950 when S1 restarts; it is made and the user
/// does not retry. Final balance 0, no lost event.
pub fn outbox() -> CommissionConfig {
    CommissionConfig { fixes: Fixes { outbox: true, ..Fixes::default() }, ..dual_write_lost_event() }
}

/// The preset names, in the order a page lists them.
pub const PRESETS: [&str; 8] = [
    "commission-anomaly",
    "commission-saga",
    "commission-single-consumer",
    "commission-idempotency-key",
    "commission-redelivery",
    "commission-inbox",
    "dual-write-lost-event",
    "outbox",
];

/// A preset by name.
pub fn preset(name: &str) -> Option<CommissionConfig> {
    Some(match name {
        "commission-anomaly" => commission_anomaly(),
        "commission-saga" => commission_saga(),
        "commission-single-consumer" => commission_single_consumer(),
        "commission-idempotency-key" => commission_idempotency_key(),
        "commission-redelivery" => commission_redelivery(),
        "commission-inbox" => commission_inbox(),
        "dual-write-lost-event" => dual_write_lost_event(),
        "outbox" => outbox(),
        _ => return None,
    })
}

impl CommissionConfig {
    /// Refuses anything outside the limits with a sentence saying which setting to change.
    pub fn validate(&self) -> Result<(), String> {
        check_range("the balance", self.balance, 0, limits::AMOUNT_MAX)?;
        check_range("the commission", self.commission, 0, limits::AMOUNT_MAX)?;
        check_range("the number of transfers", self.transfers.len() as u64, 1, limits::INTENTS_MAX as u64)?;
        let t = u64::from(limits::TIME_MS_MAX);
        let d = u64::from(limits::DELAY_MS_MAX);
        for (i, x) in self.transfers.iter().enumerate() {
            let n = i + 1;
            check_range(&format!("transfer {n}'s time (ms)"), u64::from(x.at_ms), 0, t)?;
            check_range(&format!("transfer {n}'s amount"), x.amount, 1, limits::AMOUNT_MAX)?;
            if let Some(r) = x.retry {
                check_range(&format!("transfer {n}'s retry delay (ms)"), u64::from(r.after_ms), 1, t)?;
                check_range(&format!("transfer {n}'s retry amount"), r.amount, 1, limits::AMOUNT_MAX)?;
            }
        }
        check_range("downtime windows", self.downtime.len() as u64, 0, limits::FAULTS_MAX as u64)?;
        for w in &self.downtime {
            check_range(&format!("{}'s downtime start (ms)", w.consumer.name()), u64::from(w.from_ms), 0, t)?;
            check_range(
                &format!("{}'s downtime end (ms)", w.consumer.name()),
                u64::from(w.to_ms),
                u64::from(w.from_ms) + 1,
                t,
            )?;
        }
        check_range("S1's crashes", self.crashes.len() as u64, 0, limits::FAULTS_MAX as u64)?;
        let requests = self.transfers.iter().map(|x| 1 + u64::from(x.retry.is_some())).sum::<u64>();
        for c in &self.crashes {
            check_range("a crash's request number", u64::from(c.request), 1, requests)?;
        }
        check_range("lost acknowledgements", self.lost_acks.len() as u64, 0, limits::FAULTS_MAX as u64)?;
        for l in &self.lost_acks {
            check_range(
                &format!("{}'s lost acknowledgement (delivery number)", l.consumer.name()),
                u64::from(l.delivery),
                1,
                10_000,
            )?;
        }
        check_range("the gap between S1's write and its publish (ms)", u64::from(self.publish_gap_ms), 0, d)?;
        check_range("S1's restart time (ms)", u64::from(self.s1_restart_ms), 1, d)?;
        check_range("a consumer's processing time (ms)", u64::from(self.process_ms), 1, d)?;
        check_range("the broker's hop (ms)", u64::from(self.hop_ms), 0, d)?;
        check_range("the acknowledgement timeout (ms)", u64::from(self.ack_timeout_ms), 1, d)?;
        Ok(())
    }
}

/// One step of the run, for the page: a sentence and the balances after it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LogLine {
    /// The step (1-based).
    pub step: u64,
    /// Virtual time, ms (fractions dropped).
    pub at_ms: u64,
    pub text: String,
    /// The user's balance after the step.
    pub balance: u64,
    /// The bank's commission account after the step.
    pub bank: u64,
    /// The payee's account after the step.
    pub payee: u64,
}

/// What became of one transfer record of S1's database.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TransferOutcome {
    /// The record's number in S1's database (1-based).
    pub id: u32,
    /// The intent it was sent for (0-based).
    pub intent: u32,
    pub amount: u64,
    /// Times its event was published.
    pub published: u32,
    /// Times S2 moved its amount.
    pub made: u32,
    /// Times S2 refused it for want of money.
    pub failed: u32,
    /// Commission kept for it: taken minus given back.
    pub commission_kept: u64,
}

/// A commission run summed up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CommissionReport {
    /// The user's balance at the end.
    pub final_balance: u64,
    /// The payee's account at the end.
    pub payee_balance: u64,
    /// The bank's commission account at the end (taken minus given back).
    pub commission_taken: u64,
    /// Amounts moved to the payee (a duplicate counts again).
    pub transfers_made: u32,
    /// Records S2 refused and never made.
    pub transfers_failed: u32,
    /// Retries S1 recognised by their idempotency key and published nothing for.
    pub retries_recognised: u32,
    /// Effects applied again for an event a consumer had already applied.
    pub duplicate_writes: u32,
    /// Committed writes whose event was lost (dual write only).
    pub lost_events: u32,
    /// Committed writes whose event was never published, at this moment.
    pub unpublished_writes: u32,
    pub events_published: u32,
    /// Deliveries made again after a lost acknowledgement.
    pub redeliveries: u32,
    /// Deliveries a consumer recognised in its inbox and did not apply.
    pub inbox_skips: u32,
    /// Commissions given back by the saga.
    pub compensations: u32,
    /// User requests that failed because S1 was down.
    pub requests_failed: u32,
    /// Intents whose amount reached the payee more than once.
    pub intents_transferred_twice: u32,
    /// The notes' invariant "commission only for a transfer made", broken: records never made whose
    /// commission was kept, each said in a sentence.
    pub commission_without_transfer: Vec<String>,
    /// Sum of the three accounts: the user's starting balance when money is conserved.
    pub money_total: u64,
    pub money_conserved: bool,
    pub transfers: Vec<TransferOutcome>,
    /// The last event's time, ms.
    pub end_ms: u64,
    pub steps: u64,
}

/// One consumer as the page draws it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConsumerView {
    pub name: &'static str,
    pub up: bool,
    /// The events waiting in its queue, head first.
    pub queue: Vec<String>,
    /// The event it is working on.
    pub working_on: Option<String>,
    /// Deliveries so far.
    pub deliveries: u32,
}

/// The commission run's state at a step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CommissionSnapshot {
    pub at_ms: u64,
    pub step: u64,
    pub balance: u64,
    pub bank: u64,
    pub payee: u64,
    pub s1_up: bool,
    /// Transfer records in S1's database.
    pub records: u32,
    /// Outbox rows the relay has not marked sent (0 without the outbox).
    pub unsent_outbox_rows: u32,
    /// S0 then S2.
    pub consumers: Vec<ConsumerView>,
}

/// Runs `config` to the end and returns its report and log.
pub fn run(config: CommissionConfig, seed: u64) -> Result<(CommissionReport, Vec<LogLine>), String> {
    let mut r = CommissionRun::new(config, seed)?;
    while !r.advance(u64::MAX) {}
    Ok((r.report(), r.log().to_vec()))
}
