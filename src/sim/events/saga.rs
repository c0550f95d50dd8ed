//! The transfer saga two ways: by an **orchestrator** (a coordinator sends each service a command and
//! waits for its reply, keeping a central log of every saga's state) and by **choreography** (no
//! coordinator: each service reacts to the events of the others and publishes its own).
//!
//! Sagas: Garcia-Molina and Salem, "Sagas", SIGMOD 1987 (a long transaction as a sequence of local
//! ones, each with a compensating transaction run in reverse on failure); the two coordination styles
//! as described on microservices.io ("Saga" pattern: orchestration and choreography).
//!
//! The saga of one transfer: (1) S0 takes the commission, (2) S2 moves the amount; when (2) fails (the
//! balance does not cover it, or S2 refuses the transfer: `refused`), (1) is compensated: S0 gives the
//! commission back. When (1) fails (the balance does not cover the commission) the saga ends there.
//!
//! - Orchestrated: the orchestrator sends "take commission" to S0, S0 replies; "transfer" to S2, S2
//!   replies; on a failure, "give back" to S0, S0 replies. Every message takes `hop_ms`. The central log
//!   says where each saga is (started, commission taken, transfer made or failed, compensating,
//!   compensated, aborted) and is what an operator reads when a step fails.
//! - Choreographed: S1 publishes "transfer requested"; S0 takes the commission and publishes "commission
//!   taken"; S2 reacts by moving the amount and publishes "transfer made" or "transfer failed"; S0 reacts
//!   to the failure by giving back and publishes "commission returned", which S1 reads to tell the user.
//!   There is no central log: each service knows only the events it saw (the report lists them).
//!
//! The preset [`saga_notes`] is the notes' two transfers (950, then 800 a millisecond later, each saga's
//! commission taken before either transfer runs): the 950 fails, its commission is given back, the 800 is
//! made: final balance 150 both ways. The two styles take a different number of hops per step, so sagas
//! that overlap may interleave differently; sagas far enough apart (more than six hops) end with the
//! same balances (tested over random histories).
//!
//! One step is one message delivered.

use crate::sim::check_range;
use crate::sim::kernel::{Scheduler, SimTime};
use serde::{Deserialize, Serialize};

const MS: SimTime = 1_000;

/// Limits on a saga run.
pub mod limits {
    /// Most transfers.
    pub const TRANSFERS_MAX: usize = 1_000;
    /// Largest balance, commission or amount.
    pub const AMOUNT_MAX: u64 = 1_000_000_000;
    /// Latest start, ms (a day).
    pub const TIME_MS_MAX: u32 = 86_400_000;
    /// Longest hop, ms (a minute).
    pub const HOP_MS_MAX: u32 = 60_000;
}

/// Who runs the saga.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SagaStyle {
    Orchestrated,
    Choreographed,
}

/// One transfer: its start and amount.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SagaTransfer {
    pub at_ms: u32,
    pub amount: u64,
    /// S2 refuses it whatever the balance (the payee's account is closed).
    pub refused: bool,
}

/// The account, the transfers and the hop.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SagaConfig {
    pub balance: u64,
    pub commission: u64,
    pub transfers: Vec<SagaTransfer>,
    /// One message's time, ms.
    pub hop_ms: u32,
}

impl Default for SagaConfig {
    /// [`saga_notes`].
    fn default() -> Self {
        saga_notes()
    }
}

/// The notes' 950 then 800 a millisecond later, from 1000 with a commission of 50: final 150.
pub fn saga_notes() -> SagaConfig {
    SagaConfig {
        balance: 1_000,
        commission: 50,
        transfers: vec![
            SagaTransfer { at_ms: 0, amount: 950, refused: false },
            SagaTransfer { at_ms: 1, amount: 800, refused: false },
        ],
        hop_ms: 5,
    }
}

impl SagaConfig {
    /// Refuses anything outside the limits with a sentence saying which setting to change.
    pub fn validate(&self) -> Result<(), String> {
        check_range("the balance", self.balance, 0, limits::AMOUNT_MAX)?;
        check_range("the commission", self.commission, 0, limits::AMOUNT_MAX)?;
        check_range("the number of transfers", self.transfers.len() as u64, 1, limits::TRANSFERS_MAX as u64)?;
        for (i, t) in self.transfers.iter().enumerate() {
            check_range(
                &format!("transfer {}'s start (ms)", i + 1),
                u64::from(t.at_ms),
                0,
                u64::from(limits::TIME_MS_MAX),
            )?;
            check_range(&format!("transfer {}'s amount", i + 1), t.amount, 1, limits::AMOUNT_MAX)?;
        }
        check_range("the hop (ms)", u64::from(self.hop_ms), 1, u64::from(limits::HOP_MS_MAX))
    }
}

/// Where a saga is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SagaState {
    Started,
    CommissionTaken,
    /// The commission could not be taken: nothing to undo.
    Aborted,
    Completed,
    TransferFailed,
    Compensating,
    Compensated,
}

/// A line of the orchestrator's central log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SagaLogEntry {
    pub at_ms: u64,
    /// The transfer (1-based).
    pub saga: u32,
    pub state: SagaState,
}

/// What a service saw (choreography) or was told (orchestration).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Seen {
    pub at_ms: u64,
    pub service: &'static str,
    pub text: String,
}

/// A saga run summed up.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SagaReport {
    pub style: SagaStyle,
    pub final_balance: u64,
    pub commission_taken: u64,
    pub payee_balance: u64,
    pub transfers_made: u32,
    pub transfers_failed: u32,
    pub compensations: u32,
    pub messages: u32,
    /// Each saga's last state.
    pub states: Vec<SagaState>,
    /// The orchestrator's central log (empty under choreography).
    pub central_log: Vec<SagaLogEntry>,
    /// Every message as the service receiving it saw it.
    pub seen: Vec<Seen>,
    pub end_ms: u64,
}

#[derive(Clone, Copy, Debug)]
enum Msg {
    Start(u32),
    // Orchestration: commands to services, replies to the orchestrator.
    TakeCommission(u32),
    CommissionReply(u32, bool),
    Transfer(u32),
    TransferReply(u32, bool),
    GiveBack(u32),
    GiveBackReply(u32),
    // Choreography: events.
    Requested(u32),
    CommissionTaken(u32),
    CommissionFailed(u32),
    TransferMade(u32),
    TransferFailedEv(u32),
    CommissionReturned(u32),
}

/// A saga run, computed in slices: one step is one message delivered.
#[derive(Clone)]
pub struct SagaRun {
    c: SagaConfig,
    style: SagaStyle,
    q: Scheduler<Msg>,
    user: u64,
    bank: u64,
    payee: u64,
    made: u32,
    failed: u32,
    compensations: u32,
    messages: u32,
    states: Vec<SagaState>,
    central_log: Vec<SagaLogEntry>,
    seen: Vec<Seen>,
    steps: u64,
}

impl SagaRun {
    /// A run of `config` (checked) in `style`; the seed changes nothing (nothing is drawn).
    pub fn new(config: SagaConfig, style: SagaStyle, _seed: u64) -> Result<Self, String> {
        config.validate()?;
        let mut q = Scheduler::new();
        for (i, t) in config.transfers.iter().enumerate() {
            q.schedule_at(SimTime::from(t.at_ms) * MS, Msg::Start(i as u32 + 1));
        }
        Ok(Self {
            style,
            q,
            user: config.balance,
            bank: 0,
            payee: 0,
            made: 0,
            failed: 0,
            compensations: 0,
            messages: 0,
            states: vec![SagaState::Started; config.transfers.len()],
            central_log: Vec::new(),
            seen: Vec::new(),
            steps: 0,
            c: config,
        })
    }

    fn send(&mut self, m: Msg) {
        self.messages += 1;
        self.q.schedule_in(SimTime::from(self.c.hop_ms) * MS, m);
    }

    fn see(&mut self, service: &'static str, text: String) {
        self.seen.push(Seen { at_ms: self.q.now() / MS, service, text });
    }

    fn state(&mut self, saga: u32, state: SagaState) {
        self.states[saga as usize - 1] = state;
        if self.style == SagaStyle::Orchestrated {
            self.central_log.push(SagaLogEntry { at_ms: self.q.now() / MS, saga, state });
        }
    }

    fn take_commission(&mut self) -> bool {
        let ok = self.user >= self.c.commission;
        if ok {
            self.user -= self.c.commission;
            self.bank += self.c.commission;
        }
        ok
    }

    fn transfer(&mut self, saga: u32) -> bool {
        let t = self.c.transfers[saga as usize - 1];
        let ok = !t.refused && self.user >= t.amount;
        if ok {
            self.user -= t.amount;
            self.payee += t.amount;
            self.made += 1;
        } else {
            self.failed += 1;
        }
        ok
    }

    fn give_back(&mut self) {
        self.user += self.c.commission;
        self.bank -= self.c.commission;
        self.compensations += 1;
    }

    fn step(&mut self, m: Msg) {
        let fee = self.c.commission;
        match m {
            Msg::Start(s) => {
                self.state(s, SagaState::Started);
                match self.style {
                    SagaStyle::Orchestrated => self.send(Msg::TakeCommission(s)),
                    SagaStyle::Choreographed => self.send(Msg::Requested(s)),
                }
            }
            Msg::TakeCommission(s) | Msg::Requested(s) => {
                let ok = self.take_commission();
                let b = self.user;
                let orch = matches!(m, Msg::TakeCommission(_));
                let what = if orch { "the command \"take commission\"" } else { "\"transfer requested\"" };
                let done =
                    if ok { format!("takes {fee}: balance {b}") } else { format!("cannot take {fee}: balance {b}") };
                self.see("S0", format!("saga {s}: {what}; {done}"));
                self.send(match (orch, ok) {
                    (true, _) => Msg::CommissionReply(s, ok),
                    (false, true) => Msg::CommissionTaken(s),
                    (false, false) => Msg::CommissionFailed(s),
                });
            }
            Msg::CommissionReply(s, ok) => {
                if ok {
                    self.state(s, SagaState::CommissionTaken);
                    self.send(Msg::Transfer(s));
                } else {
                    self.state(s, SagaState::Aborted);
                }
            }
            Msg::CommissionFailed(s) => {
                self.see("S1", format!("saga {s}: \"commission failed\": the transfer is refused"));
                self.state(s, SagaState::Aborted);
            }
            Msg::Transfer(s) | Msg::CommissionTaken(s) => {
                let orch = matches!(m, Msg::Transfer(_));
                if !orch {
                    self.state(s, SagaState::CommissionTaken);
                }
                let ok = self.transfer(s);
                let a = self.c.transfers[s as usize - 1].amount;
                let what = if orch { "the command \"transfer\"" } else { "\"commission taken\"" };
                let b = self.user;
                let done = if ok { format!("moves {a}: balance {b}") } else { format!("fails {a}: balance {b}") };
                self.see("S2", format!("saga {s}: {what}; {done}"));
                self.send(match (orch, ok) {
                    (true, _) => Msg::TransferReply(s, ok),
                    (false, true) => Msg::TransferMade(s),
                    (false, false) => Msg::TransferFailedEv(s),
                });
            }
            Msg::TransferReply(s, ok) => {
                if ok {
                    self.state(s, SagaState::Completed);
                } else {
                    self.state(s, SagaState::TransferFailed);
                    self.state(s, SagaState::Compensating);
                    self.send(Msg::GiveBack(s));
                }
            }
            Msg::TransferMade(s) => {
                self.see("S1", format!("saga {s}: \"transfer made\": the user is told"));
                self.state(s, SagaState::Completed);
            }
            Msg::GiveBack(s) | Msg::TransferFailedEv(s) => {
                let orch = matches!(m, Msg::GiveBack(_));
                if !orch {
                    self.state(s, SagaState::TransferFailed);
                }
                self.give_back();
                let what = if orch { "the command \"give back\"" } else { "\"transfer failed\"" };
                self.see("S0", format!("saga {s}: {what}; gives back {fee}: balance {}", self.user));
                self.send(if orch { Msg::GiveBackReply(s) } else { Msg::CommissionReturned(s) });
            }
            Msg::GiveBackReply(s) => self.state(s, SagaState::Compensated),
            Msg::CommissionReturned(s) => {
                self.see("S1", format!("saga {s}: \"commission returned\": the user is told the transfer failed"));
                self.state(s, SagaState::Compensated);
            }
        }
    }

    /// Delivers at most `max_steps` more messages (at least one); true when every saga has ended.
    pub fn advance(&mut self, max_steps: u64) -> bool {
        for _ in 0..max_steps.max(1) {
            let Some((_, m)) = self.q.pop() else { return true };
            self.steps += 1;
            self.step(m);
        }
        self.q.is_empty()
    }

    /// True when every saga has ended.
    pub fn is_over(&self) -> bool {
        self.q.is_empty()
    }

    /// Messages delivered so far.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// The run so far.
    pub fn report(&self) -> SagaReport {
        SagaReport {
            style: self.style,
            final_balance: self.user,
            commission_taken: self.bank,
            payee_balance: self.payee,
            transfers_made: self.made,
            transfers_failed: self.failed,
            compensations: self.compensations,
            messages: self.messages,
            states: self.states.clone(),
            central_log: self.central_log.clone(),
            seen: self.seen.clone(),
            end_ms: self.q.now() / MS,
        }
    }

    /// The whole run at once.
    pub fn run(config: SagaConfig, style: SagaStyle, seed: u64) -> Result<SagaReport, String> {
        let mut r = Self::new(config, style, seed)?;
        while !r.advance(u64::MAX) {}
        Ok(r.report())
    }
}

impl crate::sim::SlicedRun for SagaRun {
    type Report = SagaReport;
    fn advance(&mut self, max_steps: u64) -> bool {
        SagaRun::advance(self, max_steps)
    }
    fn steps(&self) -> u64 {
        SagaRun::steps(self)
    }
    fn report(&self) -> SagaReport {
        SagaRun::report(self)
    }
}

/// The same transfers orchestrated and choreographed: (orchestrated, choreographed).
pub fn compare_styles(config: &SagaConfig, seed: u64) -> Result<(SagaReport, SagaReport), String> {
    Ok((
        SagaRun::run(config.clone(), SagaStyle::Orchestrated, seed)?,
        SagaRun::run(config.clone(), SagaStyle::Choreographed, seed)?,
    ))
}
