//! Event sourcing and CQRS on one account (the notes' "Event Stores for audit, Event Sourcing, CQRS").
//!
//! The **event store** is append-only: every change to the account is a fact ([`AccountEvent`]:
//! deposit, withdrawal, commission, transfer, failed transfer, compensation) with its time and index,
//! never updated nor deleted. Nothing else is stored: the balance is a **projection** computed by
//! replaying the events from the first, and any past state is the replay of a prefix ([`balance_at`] by
//! index, [`index_at_ms`] by time).
//!
//! **CQRS**: the write side appends facts; read sides are built from them, each shaped for its reader.
//! Here two read models follow the same events: the balance, and a **statement** (one line an event that
//! moves money, with the running balance). A third projection has a deliberate bug ([`ProjectionBug`]:
//! it ignores compensations, or applies each commission twice); since the facts are all kept, the bug is
//! fixed by rebuilding that read model from the history, and the report shows the balance the buggy one
//! showed, the rebuilt one and the difference, event by event.
//!
//! The preset [`event_replay`] is the commission saga's history (see [`super::commission`]): deposit
//! 1000, two commissions of 50, the 950 transfer failed and its commission given back, the 800 made:
//! balance 150; a projection ignoring compensations shows 100.
//!
//! One step appends one event and updates every projection.

use crate::sim::check_range;
use serde::{Deserialize, Serialize};

/// Limits on an event store.
pub mod limits {
    /// Most events.
    pub const EVENTS_MAX: usize = 100_000;
    /// Largest amount.
    pub const AMOUNT_MAX: u64 = 1_000_000_000;
    /// Latest event time, ms (a day).
    pub const TIME_MS_MAX: u64 = 86_400_000;
}

/// A fact about the account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum AccountEvent {
    Deposited {
        amount: u64,
    },
    Withdrawn {
        amount: u64,
    },
    /// The bank's commission for transfer `transfer`.
    CommissionTaken {
        amount: u64,
        transfer: u32,
    },
    TransferMade {
        amount: u64,
        transfer: u32,
    },
    /// A transfer refused for want of money: moves nothing.
    TransferFailed {
        amount: u64,
        transfer: u32,
    },
    /// A failed transfer's commission given back.
    CommissionReturned {
        amount: u64,
        transfer: u32,
    },
}

impl AccountEvent {
    /// Its effect on the balance (signed).
    pub fn delta(self) -> i64 {
        match self {
            AccountEvent::Deposited { amount } | AccountEvent::CommissionReturned { amount, .. } => amount as i64,
            AccountEvent::Withdrawn { amount }
            | AccountEvent::CommissionTaken { amount, .. }
            | AccountEvent::TransferMade { amount, .. } => -(amount as i64),
            AccountEvent::TransferFailed { .. } => 0,
        }
    }

    /// The sentence a statement line shows.
    pub fn text(self) -> String {
        match self {
            AccountEvent::Deposited { amount } => format!("Deposit of {amount}"),
            AccountEvent::Withdrawn { amount } => format!("Withdrawal of {amount}"),
            AccountEvent::CommissionTaken { amount, transfer } => {
                format!("Commission of {amount} (transfer #{transfer})")
            }
            AccountEvent::TransferMade { amount, transfer } => format!("Transfer #{transfer} of {amount}"),
            AccountEvent::TransferFailed { amount, transfer } => format!("Transfer #{transfer} of {amount} failed"),
            AccountEvent::CommissionReturned { amount, transfer } => {
                format!("Commission of {amount} given back (transfer #{transfer} failed)")
            }
        }
    }
}

/// An event with its time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimedEvent {
    pub at_ms: u64,
    pub event: AccountEvent,
}

/// The buggy projection's mistake.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProjectionBug {
    /// Compensations are not applied.
    IgnoresCompensations,
    /// Each commission is taken twice.
    CommissionTwice,
}

/// The history to append and the buggy projection's mistake.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourcingConfig {
    /// In time order.
    pub events: Vec<TimedEvent>,
    pub bug: ProjectionBug,
}

impl Default for SourcingConfig {
    /// [`event_replay`].
    fn default() -> Self {
        event_replay()
    }
}

/// The commission saga's history: balance 150; the projection ignoring compensations shows 100.
pub fn event_replay() -> SourcingConfig {
    use AccountEvent::*;
    let ev = |at_ms, event| TimedEvent { at_ms, event };
    SourcingConfig {
        events: vec![
            ev(0, Deposited { amount: 1_000 }),
            ev(6, CommissionTaken { amount: 50, transfer: 1 }),
            ev(10_006, CommissionTaken { amount: 50, transfer: 2 }),
            ev(60_005, TransferFailed { amount: 950, transfer: 1 }),
            ev(60_010, TransferMade { amount: 800, transfer: 2 }),
            ev(60_011, CommissionReturned { amount: 50, transfer: 1 }),
        ],
        bug: ProjectionBug::IgnoresCompensations,
    }
}

impl SourcingConfig {
    /// Refuses anything outside the limits, events out of time order, and a history that overdraws the
    /// account, with a sentence naming the event.
    pub fn validate(&self) -> Result<(), String> {
        check_range("the number of events", self.events.len() as u64, 0, limits::EVENTS_MAX as u64)?;
        let mut balance: i64 = 0;
        let mut last = 0;
        for (i, e) in self.events.iter().enumerate() {
            let n = i + 1;
            check_range(&format!("event {n}'s time (ms)"), e.at_ms, last, limits::TIME_MS_MAX)?;
            last = e.at_ms;
            let amount = match e.event {
                AccountEvent::Deposited { amount } | AccountEvent::Withdrawn { amount } => amount,
                AccountEvent::CommissionTaken { amount, .. }
                | AccountEvent::TransferMade { amount, .. }
                | AccountEvent::TransferFailed { amount, .. }
                | AccountEvent::CommissionReturned { amount, .. } => amount,
            };
            check_range(&format!("event {n}'s amount"), amount, 0, limits::AMOUNT_MAX)?;
            balance += e.event.delta();
            if balance < 0 {
                return Err(format!(
                    "event {n} ({}) overdraws the account: remove it or deposit first",
                    e.event.text()
                ));
            }
        }
        Ok(())
    }
}

/// The balance after the first `n` events of `events` (a replay of the prefix).
pub fn balance_at(events: &[TimedEvent], n: usize) -> i64 {
    events.iter().take(n).map(|e| e.event.delta()).sum()
}

/// How many events had happened by `at_ms` (inclusive): replay that many for the state at that time.
pub fn index_at_ms(events: &[TimedEvent], at_ms: u64) -> usize {
    events.partition_point(|e| e.at_ms <= at_ms)
}

/// The buggy projection's view of one event.
fn buggy_delta(bug: ProjectionBug, e: AccountEvent) -> i64 {
    match (bug, e) {
        (ProjectionBug::IgnoresCompensations, AccountEvent::CommissionReturned { .. }) => 0,
        (ProjectionBug::CommissionTwice, AccountEvent::CommissionTaken { amount, .. }) => -2 * amount as i64,
        _ => e.delta(),
    }
}

/// One line of the statement read model.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StatementLine {
    /// The event's index in the store (1-based).
    pub index: usize,
    pub at_ms: u64,
    pub text: String,
    pub delta: i64,
    /// The balance after it.
    pub running: i64,
}

/// The store and its read models so far.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SourcingReport {
    /// Events in the store.
    pub events: usize,
    /// The balance projection.
    pub balance: i64,
    /// The statement read model: lines for the events that move money or record a failure.
    pub statement: Vec<StatementLine>,
    /// The buggy projection's balance.
    pub buggy_balance: i64,
    /// The buggy projection rebuilt from the history with the bug fixed.
    pub rebuilt_balance: i64,
    /// What fixing changed: rebuilt minus buggy.
    pub difference: i64,
    /// The first event (1-based) after which the buggy projection disagreed, if any.
    pub first_wrong_event: Option<usize>,
    /// The balance after each event, by replay (the page's slider over history).
    pub balances: Vec<i64>,
    /// The buggy projection's balance after each event.
    pub buggy_balances: Vec<i64>,
}

/// An event store filled one event a step, with its projections.
#[derive(Clone, Debug)]
pub struct SourcingRun {
    c: SourcingConfig,
    store: Vec<TimedEvent>,
    balance: i64,
    buggy: i64,
    statement: Vec<StatementLine>,
    balances: Vec<i64>,
    buggy_balances: Vec<i64>,
}

impl SourcingRun {
    /// A run of `config` (checked); the seed changes nothing (the history is given).
    pub fn new(config: SourcingConfig, _seed: u64) -> Result<Self, String> {
        config.validate()?;
        Ok(Self {
            c: config,
            store: Vec::new(),
            balance: 0,
            buggy: 0,
            statement: Vec::new(),
            balances: Vec::new(),
            buggy_balances: Vec::new(),
        })
    }

    /// Appends at most `max_steps` more events (at least one); true when the history is all in.
    pub fn advance(&mut self, max_steps: u64) -> bool {
        for _ in 0..max_steps.max(1) {
            let Some(&e) = self.c.events.get(self.store.len()) else { return true };
            self.store.push(e);
            self.balance += e.event.delta();
            self.buggy += buggy_delta(self.c.bug, e.event);
            self.statement.push(StatementLine {
                index: self.store.len(),
                at_ms: e.at_ms,
                text: e.event.text(),
                delta: e.event.delta(),
                running: self.balance,
            });
            self.balances.push(self.balance);
            self.buggy_balances.push(self.buggy);
        }
        self.is_over()
    }

    /// True when every event is in the store.
    pub fn is_over(&self) -> bool {
        self.store.len() == self.c.events.len()
    }

    /// Events appended so far.
    pub fn steps(&self) -> u64 {
        self.store.len() as u64
    }

    /// The append-only store so far.
    pub fn store(&self) -> &[TimedEvent] {
        &self.store
    }

    /// The balance after the first `n` events, by replay.
    pub fn replay_to(&self, n: usize) -> i64 {
        balance_at(&self.store, n)
    }

    /// The balance at `at_ms`, by replay.
    pub fn replay_to_ms(&self, at_ms: u64) -> i64 {
        balance_at(&self.store, index_at_ms(&self.store, at_ms))
    }

    /// The store and its read models; the buggy projection's rebuild replays the whole store.
    pub fn report(&self) -> SourcingReport {
        let rebuilt = balance_at(&self.store, self.store.len());
        let first_wrong_event = self.balances.iter().zip(&self.buggy_balances).position(|(a, b)| a != b).map(|i| i + 1);
        SourcingReport {
            events: self.store.len(),
            balance: self.balance,
            statement: self.statement.clone(),
            buggy_balance: self.buggy,
            rebuilt_balance: rebuilt,
            difference: rebuilt - self.buggy,
            first_wrong_event,
            balances: self.balances.clone(),
            buggy_balances: self.buggy_balances.clone(),
        }
    }

    /// The whole history at once.
    pub fn run(config: SourcingConfig, seed: u64) -> Result<SourcingReport, String> {
        let mut r = Self::new(config, seed)?;
        while !r.advance(u64::MAX) {}
        Ok(r.report())
    }
}

impl crate::sim::SlicedRun for SourcingRun {
    type Report = SourcingReport;
    fn advance(&mut self, max_steps: u64) -> bool {
        SourcingRun::advance(self, max_steps)
    }
    fn steps(&self) -> u64 {
        SourcingRun::steps(self)
    }
    fn report(&self) -> SourcingReport {
        SourcingRun::report(self)
    }
}
