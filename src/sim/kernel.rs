//! Simulation kernel: a seeded PRNG with a pinned algorithm, a virtual clock and a discrete-event
//! scheduler ordered by (time, sequence).

use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// Virtual time in microseconds since the start of a run.
pub type SimTime = u64;

/// Microseconds in one virtual second.
pub const MICROS_PER_S: SimTime = 1_000_000;

/// The simulation's only source of randomness: ChaCha8 (from `rand_chacha`, whose stream is fixed by
/// the algorithm), seeded from the scenario. Never replace it with `StdRng`/`SmallRng`, whose algorithm
/// may change between releases and would silently break every old share link.
#[derive(Clone, Debug)]
pub struct SimRng(ChaCha8Rng);

impl SimRng {
    /// A generator whose whole stream is fixed by `seed`.
    pub fn new(seed: u64) -> Self {
        Self(ChaCha8Rng::seed_from_u64(seed))
    }

    /// A uniformly random 64-bit value.
    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// A uniformly random value in `0..n` without modulo bias (Lemire's method). `n` must be > 0.
    pub fn below(&mut self, n: u64) -> u64 {
        assert!(n > 0, "below(0) has no value");
        loop {
            let m = u128::from(self.next_u64()) * u128::from(n);
            let low = m as u64;
            if low >= n.wrapping_neg() % n {
                return (m >> 64) as u64;
            }
        }
    }

    /// A uniformly random float in `[0, 1)` with 53 random bits.
    pub fn unit_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

#[derive(Clone)]
struct Entry<E> {
    at: SimTime,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    // Reversed so that the max-heap pops the earliest (time, sequence) first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

/// A discrete-event scheduler with a virtual clock. Events at the same time pop in the order they were
/// scheduled, so a run never depends on heap internals. Cloning copies every pending event: the clone
/// continues exactly as the original would.
#[derive(Clone)]
pub struct Scheduler<E> {
    heap: BinaryHeap<Entry<E>>,
    seq: u64,
    now: SimTime,
}

impl<E> Default for Scheduler<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> Scheduler<E> {
    /// An empty scheduler at time zero.
    pub fn new() -> Self {
        Self { heap: BinaryHeap::new(), seq: 0, now: 0 }
    }

    /// The current virtual time: the time of the last popped event.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Number of pending events.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// True when no event is pending.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// Schedules `event` at absolute time `at`; an event in the past is a logic error.
    pub fn schedule_at(&mut self, at: SimTime, event: E) {
        assert!(at >= self.now, "event scheduled in the past: {at} < {}", self.now);
        self.seq += 1;
        self.heap.push(Entry { at, seq: self.seq, event });
    }

    /// Schedules `event` after a delay from now.
    pub fn schedule_in(&mut self, delay: SimTime, event: E) {
        self.schedule_at(self.now.saturating_add(delay), event);
    }

    /// Pops the earliest event and advances the clock to its time.
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        let entry = self.heap.pop()?;
        debug_assert!(entry.at >= self.now);
        self.now = entry.at;
        Some((entry.at, entry.event))
    }

    /// The time of the next event, if any.
    pub fn peek_time(&self) -> Option<SimTime> {
        self.heap.peek().map(|e| e.at)
    }

    /// Bytes the pending events take on the heap (capacity × entry size).
    pub fn approx_bytes(&self) -> usize {
        self.heap.capacity() * std::mem::size_of::<Entry<E>>()
    }
}

/// A simulation run to a horizon by the loop every lab shares: events pop in (time, sequence) order; the
/// run is over when the model is settled after an event, or when the next event lies beyond the horizon
/// (or there is none).
pub(crate) trait Model {
    type Event;
    fn scheduler(&mut self) -> &mut Scheduler<Self::Event>;
    /// The last virtual time the run may reach, µs.
    fn horizon_us(&self) -> SimTime;
    fn is_over(&self) -> bool;
    /// Ends the run at `at` (the model records its last samples).
    fn end_at(&mut self, at: SimTime);
    /// Handles one event at `now` (and counts it).
    fn on_event(&mut self, event: Self::Event, now: SimTime);
    /// True when nothing is left to happen.
    fn is_settled(&self) -> bool;

    /// Processes the next event; returns its time, or `None` when the run is over.
    fn step_event(&mut self) -> Option<SimTime> {
        if self.is_over() {
            return None;
        }
        let horizon = self.horizon_us();
        let next = self.scheduler().peek_time();
        match next {
            Some(t) if t <= horizon => {}
            _ => {
                self.end_at(horizon.min(next.unwrap_or(horizon)));
                return None;
            }
        }
        let (now, event) = self.scheduler().pop()?;
        self.on_event(event, now);
        if self.is_settled() {
            self.end_at(now);
        }
        Some(now)
    }

    /// Processes every event up to and including virtual time `t` (µs).
    fn run_events_until(&mut self, t: SimTime) {
        while self.scheduler().peek_time().is_some_and(|next| next <= t) && self.step_event().is_some() {}
    }

    /// Runs to the end.
    fn run_to_end(&mut self) {
        while self.step_event().is_some() {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream_and_pinned_values() {
        let mut a = SimRng::new(42);
        let mut b = SimRng::new(42);
        let xs: Vec<u64> = (0..4).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..4).map(|_| b.next_u64()).collect();
        assert_eq!(xs, ys);
        assert_ne!(SimRng::new(43).next_u64(), xs[0]);
    }

    #[test]
    fn below_stays_in_range_and_covers_it() {
        let mut rng = SimRng::new(7);
        let mut seen = [0u32; 7];
        for _ in 0..7000 {
            seen[rng.below(7) as usize] += 1;
        }
        assert!(seen.iter().all(|&c| c > 800 && c < 1200), "{seen:?}");
    }

    #[test]
    fn unit_f64_in_half_open_interval() {
        let mut rng = SimRng::new(1);
        for _ in 0..10_000 {
            let u = rng.unit_f64();
            assert!((0.0..1.0).contains(&u));
        }
    }

    #[test]
    fn scheduler_orders_by_time_then_sequence() {
        let mut s = Scheduler::new();
        s.schedule_at(5, "c");
        s.schedule_at(1, "a");
        s.schedule_at(5, "d");
        s.schedule_at(3, "b");
        let order: Vec<_> = std::iter::from_fn(|| s.pop()).collect();
        assert_eq!(order, vec![(1, "a"), (3, "b"), (5, "c"), (5, "d")]);
        assert_eq!(s.now(), 5);
    }

    #[test]
    fn schedule_in_is_relative_to_now() {
        let mut s = Scheduler::new();
        s.schedule_at(10, 1);
        s.pop();
        s.schedule_in(5, 2);
        assert_eq!(s.pop(), Some((15, 2)));
    }

    #[test]
    #[should_panic(expected = "in the past")]
    fn scheduling_in_the_past_is_refused() {
        let mut s = Scheduler::new();
        s.schedule_at(10, ());
        s.pop();
        s.schedule_at(3, ());
    }
}
