//! A circuit breaker with resilience4j's count-based semantics and defaults.
//!
//! **Closed**: every call is let through and its outcome kept in a sliding window of the last
//! `window` calls (100). Once at least `minimum_calls` outcomes are kept (100; never more than the
//! window), a failure rate at or above `failure_rate_pct` (50%) opens the breaker.
//! **Open**: calls are refused at once, for `open_ms` (60 s); the first call asked for after that moves
//! it to half-open (resilience4j's default, without the automatic transition).
//! **Half-open**: `half_open_calls` calls (10) are let through, the others refused; once all their
//! outcomes are in, a failure rate at or above the threshold opens it again, else it closes with an
//! empty window. Outcomes of calls let through before the breaker opened, arriving while it is open, are
//! not counted.

use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// The breaker's settings (resilience4j's names, shortened).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BreakerConfig {
    /// Calls in the sliding window (`slidingWindowSize`).
    pub window: u32,
    /// Outcomes needed before the rate is judged (`minimumNumberOfCalls`).
    pub minimum_calls: u32,
    /// Failure rate that opens it, percent (`failureRateThreshold`).
    pub failure_rate_pct: u32,
    /// Time open before a call may try (`waitDurationInOpenState`), ms.
    pub open_ms: u64,
    /// Calls let through half-open (`permittedNumberOfCallsInHalfOpenState`).
    pub half_open_calls: u32,
}

impl Default for BreakerConfig {
    /// resilience4j's defaults.
    fn default() -> Self {
        Self { window: 100, minimum_calls: 100, failure_rate_pct: 50, open_ms: 60_000, half_open_calls: 10 }
    }
}

impl BreakerConfig {
    pub fn validate(&self) -> Result<(), String> {
        crate::sim::check_range("the sliding window (calls)", u64::from(self.window), 1, 100_000)?;
        crate::sim::check_range("the minimum number of calls", u64::from(self.minimum_calls), 1, 100_000)?;
        crate::sim::check_range("the failure rate threshold (%)", u64::from(self.failure_rate_pct), 1, 100)?;
        crate::sim::check_range("the time open (ms)", self.open_ms, 0, 86_400_000)?;
        crate::sim::check_range("the calls let through half-open", u64::from(self.half_open_calls), 1, 100_000)
    }
}

/// The breaker's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    Closed,
    Open,
    HalfOpen,
}

/// A change of state: when, from, to, and the failure rate that decided it (percent; none when time
/// did).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Transition {
    pub at_ms: u64,
    pub from: State,
    pub to: State,
    pub failure_rate_pct: Option<f64>,
}

/// A circuit breaker.
#[derive(Clone, Debug)]
pub struct Breaker {
    config: BreakerConfig,
    state: State,
    /// Outcomes kept (true: failed), oldest first, and the failures among them.
    outcomes: VecDeque<bool>,
    failures: u32,
    opened_at: u64,
    /// Half-open: calls still to let through.
    permits: u32,
    transitions: Vec<Transition>,
    refused: u64,
}

impl Breaker {
    pub fn new(config: BreakerConfig) -> Self {
        Self {
            config,
            state: State::Closed,
            outcomes: VecDeque::new(),
            failures: 0,
            opened_at: 0,
            permits: 0,
            transitions: Vec::new(),
            refused: 0,
        }
    }

    pub fn state(&self) -> State {
        self.state
    }

    pub fn transitions(&self) -> &[Transition] {
        &self.transitions
    }

    /// Calls refused so far.
    pub fn refused(&self) -> u64 {
        self.refused
    }

    /// The failure rate of the kept outcomes, percent (none before any).
    pub fn failure_rate_pct(&self) -> Option<f64> {
        (!self.outcomes.is_empty()).then(|| 100.0 * f64::from(self.failures) / self.outcomes.len() as f64)
    }

    fn move_to(&mut self, at_ms: u64, to: State, rate: Option<f64>) {
        self.transitions.push(Transition { at_ms, from: self.state, to, failure_rate_pct: rate });
        self.state = to;
        self.outcomes.clear();
        self.failures = 0;
        match to {
            State::Open => self.opened_at = at_ms,
            State::HalfOpen => self.permits = self.config.half_open_calls,
            State::Closed => {}
        }
    }

    /// Whether a call asked for at `now_ms` may go.
    pub fn try_acquire(&mut self, now_ms: u64) -> bool {
        if self.state == State::Open && now_ms >= self.opened_at.saturating_add(self.config.open_ms) {
            self.move_to(now_ms, State::HalfOpen, None);
        }
        let allowed = match self.state {
            State::Closed => true,
            State::Open => false,
            State::HalfOpen => {
                let some = self.permits > 0;
                self.permits = self.permits.saturating_sub(1);
                some
            }
        };
        if !allowed {
            self.refused += 1;
        }
        allowed
    }

    /// The outcome of a call let through, known at `now_ms`.
    pub fn on_result(&mut self, now_ms: u64, failed: bool) {
        let (size, needed) = match self.state {
            State::Open => return,
            State::Closed => (self.config.window, self.config.minimum_calls.min(self.config.window)),
            State::HalfOpen => (self.config.half_open_calls, self.config.half_open_calls),
        };
        self.outcomes.push_back(failed);
        self.failures += u32::from(failed);
        if self.outcomes.len() > size as usize && self.outcomes.pop_front() == Some(true) {
            self.failures -= 1;
        }
        if self.outcomes.len() < needed as usize {
            return;
        }
        let rate = self.failure_rate_pct().unwrap_or(0.0);
        let over = rate >= f64::from(self.config.failure_rate_pct);
        match (self.state, over) {
            (State::Closed, true) | (State::HalfOpen, true) => self.move_to(now_ms, State::Open, Some(rate)),
            (State::HalfOpen, false) => self.move_to(now_ms, State::Closed, Some(rate)),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn judges_only_after_the_minimum_and_opens_at_the_threshold() {
        let mut b = Breaker::new(BreakerConfig::default());
        // 99 failures: not yet judged.
        for t in 0..99 {
            assert!(b.try_acquire(t));
            b.on_result(t, true);
        }
        assert_eq!(b.state(), State::Closed);
        b.try_acquire(99);
        b.on_result(99, true);
        assert_eq!(b.state(), State::Open);
        assert_eq!(b.transitions()[0].failure_rate_pct, Some(100.0));
        // Exactly 50% of 100 opens it too.
        let mut b = Breaker::new(BreakerConfig::default());
        for t in 0..100 {
            b.try_acquire(t);
            b.on_result(t, t % 2 == 0);
        }
        assert_eq!(b.state(), State::Open);
        // 49% does not, and the window slides: the oldest outcome leaves.
        let mut b = Breaker::new(BreakerConfig::default());
        for t in 0..100 {
            b.try_acquire(t);
            b.on_result(t, t < 49);
        }
        assert_eq!((b.state(), b.failure_rate_pct()), (State::Closed, Some(49.0)));
        b.try_acquire(100);
        b.on_result(100, false);
        assert_eq!(b.failure_rate_pct(), Some(48.0));
    }

    #[test]
    fn open_then_half_open_then_closed_or_open_again() {
        let c = BreakerConfig { window: 10, minimum_calls: 10, ..BreakerConfig::default() };
        let mut b = Breaker::new(c);
        for t in 0..10 {
            b.try_acquire(t);
            b.on_result(t, true);
        }
        assert_eq!(b.state(), State::Open);
        // Refused for 60 s from the opening (at 9 ms).
        assert!(!b.try_acquire(30_000));
        assert!(!b.try_acquire(60_008));
        assert_eq!(b.refused(), 2);
        // The first call after: half-open, ten let through, the eleventh refused.
        for k in 0..10 {
            assert!(b.try_acquire(60_009 + k), "call {k}");
        }
        assert_eq!(b.state(), State::HalfOpen);
        assert!(!b.try_acquire(60_020));
        // Four failures of ten: below 50%, it closes.
        for k in 0..10 {
            b.on_result(60_100 + k, k < 4);
        }
        assert_eq!(b.state(), State::Closed);
        let path: Vec<(State, State)> = b.transitions().iter().map(|t| (t.from, t.to)).collect();
        assert_eq!(
            path,
            [(State::Closed, State::Open), (State::Open, State::HalfOpen), (State::HalfOpen, State::Closed)]
        );
        // Half-open again, five failures of ten: open again.
        for t in 0..10 {
            b.try_acquire(70_000 + t);
            b.on_result(70_000 + t, true);
        }
        for k in 0..10 {
            assert!(b.try_acquire(200_000 + k));
        }
        for k in 0..10 {
            b.on_result(200_100 + k, k % 2 == 0);
        }
        assert_eq!(b.state(), State::Open);
        assert_eq!(b.transitions().last().unwrap().failure_rate_pct, Some(50.0));
    }

    #[test]
    fn a_minimum_above_the_window_is_the_window() {
        let mut b = Breaker::new(BreakerConfig { window: 10, minimum_calls: 100, ..BreakerConfig::default() });
        for t in 0..10 {
            b.try_acquire(t);
            b.on_result(t, true);
        }
        assert_eq!(b.state(), State::Open);
        // Outcomes arriving while open are not counted.
        b.on_result(11, false);
        assert_eq!(b.state(), State::Open);
        assert!(BreakerConfig { failure_rate_pct: 0, ..BreakerConfig::default() }.validate().is_err());
    }
}
