//! A run's timeline: the page's scrubber over virtual time. Step back one event or one virtual second,
//! jump to any moment, start a branch from the past.
//!
//! A timed lab's run is deterministic, so any past moment can be recomputed by replaying from the
//! start; the timeline keeps a copy of the run (a *checkpoint*) every `every` events as it computes it,
//! and recomputes a moment by copying the nearest checkpoint at or before it and replaying only from
//! there: at most `every` events, however long the run.
//!
//! A moment is named the way a fresh run names it, so a seek is *exactly* a fresh run:
//! - `seek(t)` is the state `run_until(t)` reaches from the start: after every event at time <= t;
//! - `seek_events(n)` is the state after `n` calls of `step()` from the start (the run's end when it
//!   has fewer events).
//!
//! Memory is bounded. Each checkpoint's size is estimated by the run's `approx_bytes()`: the struct
//! plus every collection that grows with the run, by capacity × element size (a B-tree map by entries
//! × entry size × 2, for its partly filled nodes). The runs keep their growing logs in `sim::cow`
//! vectors, whose copies share chunks until written, so a checkpoint is counted by what it does not
//! share with the one before (`approx_bytes_beyond`): mostly the pending events and the chunks written
//! since. When the checkpoints together exceed the budget, every other one is dropped and the interval
//! doubles, so they stay evenly spread over the events. `benches/timeline.rs` compares the estimate
//! with the bytes really allocated.
//!
//! Everything here is generic over [`TimedRun`], which the pizza shop, the partitioned log, the
//! publish/subscribe run and the sharding lab's replication run implement.

use super::kernel::SimTime;
use super::pubsub::PubSubSim;
use super::queue::ShopSim;
use super::stream::StreamSim;
use std::collections::VecDeque;
use std::mem::size_of;

/// Events between two checkpoints at the start (the interval doubles whenever the budget is exceeded).
/// Chosen by measurement (`benches/timeline.rs`): on the largest partitioned-log preset (5,392 events),
/// a checkpoint every 2048 events adds under 10% to computing the run and a jump takes about 0.1 ms
/// natively (replaying from the start: 0.4 to 0.9 ms); every 512 events adds 30 to 40%, every 8192
/// leaves only the start to jump from. On the 100,000-order pizza shop the budget decides (the interval
/// grows to 16,384 whatever it starts at), and starting at 2048 adds 10 to 20% to computing the run.
pub const DEFAULT_EVERY: u64 = 2048;

/// The checkpoints' default memory budget: 64 MiB, a modest share of what a browser tab gives a wasm
/// page. The 100,000-order pizza shop (600,000 events) keeps 37 checkpoints in it, about 1.3 MiB each
/// (mostly its pending events: every delivered order's lease timer stays scheduled for 5 minutes).
pub const DEFAULT_BUDGET_BYTES: usize = 64 << 20;

/// A timed lab's run as the timeline drives it. A clone must be independent and continue exactly as the
/// original would.
pub trait TimedRun: Clone {
    /// Processes the next event; returns its virtual time, or `None` once the run is over.
    fn step(&mut self) -> Option<SimTime>;
    /// Processes every event up to and including virtual time `t_us`.
    fn run_until(&mut self, t_us: SimTime);
    /// The virtual time of the last processed event, µs.
    fn now(&self) -> SimTime;
    /// Events processed so far: each `step()` returning `Some` adds exactly one.
    fn events(&self) -> u64;
    fn is_finished(&self) -> bool;
    /// An estimate of the bytes the run holds (see the module's documentation).
    fn approx_bytes(&self) -> usize;
    /// The same, leaving out what it shares with `earlier`, a copy of the run at an earlier moment that
    /// this one continues (the chunks of its logs, see `sim::cow`). Without sharing: `approx_bytes()`.
    fn approx_bytes_beyond(&self, earlier: &Self) -> usize {
        let _ = earlier;
        self.approx_bytes()
    }
}

/// Heap bytes of a vector: capacity × element size (a clone's capacity is its length).
pub(crate) fn vec_bytes<T>(v: &Vec<T>) -> usize {
    v.capacity() * size_of::<T>()
}

/// Heap bytes of a double-ended queue: capacity × element size.
pub(crate) fn deque_bytes<T>(v: &VecDeque<T>) -> usize {
    v.capacity() * size_of::<T>()
}

/// Heap bytes of a B-tree map (or set, with `V = ()`) of `len` entries: its nodes hold 11 entries and
/// are about half to two-thirds full, so twice the entries' size.
pub(crate) fn btree_bytes<K, V>(len: usize) -> usize {
    len * (size_of::<K>() + size_of::<V>()) * 2
}

/// One kept copy of the run.
struct Checkpoint<S> {
    events: u64,
    now: SimTime,
    bytes: usize,
    state: S,
}

/// A run computed forward in slices, with checkpoints to go back to any moment of what is computed.
pub struct Timeline<S> {
    /// The run as far as it is computed.
    head: S,
    /// Copies in event order; the first is the run the timeline started from and is always kept.
    checkpoints: Vec<Checkpoint<S>>,
    every: u64,
    budget: usize,
    bytes: usize,
}

impl<S: TimedRun> Timeline<S> {
    /// A timeline of `start` (normally a run not yet started) with the default interval and budget.
    pub fn new(start: S) -> Self {
        Self::with_budget(start, DEFAULT_EVERY, DEFAULT_BUDGET_BYTES)
    }

    /// A timeline keeping a checkpoint every `every` events (at least 1) while the checkpoints take at
    /// most `budget_bytes` (beyond that the interval doubles). Moments before `start` are not kept: a
    /// seek before it gives `start`.
    pub fn with_budget(start: S, every: u64, budget_bytes: usize) -> Self {
        let mut timeline =
            Self { head: start, checkpoints: Vec::new(), every: every.max(1), budget: budget_bytes, bytes: 0 };
        timeline.capture();
        timeline
    }

    /// Computes at most `max_events` more events; returns true once the run is over. The page calls it
    /// once per timer tick so the tab stays responsive.
    pub fn advance(&mut self, max_events: u64) -> bool {
        for _ in 0..max_events {
            if self.head.step().is_none() {
                break;
            }
            if self.head.events().is_multiple_of(self.every) {
                self.capture();
            }
        }
        self.head.is_finished()
    }

    /// The run as far as it is computed (once finished: the end of the run).
    pub fn head(&self) -> &S {
        &self.head
    }

    /// True once the whole run is computed.
    pub fn is_finished(&self) -> bool {
        self.head.is_finished()
    }

    /// Events computed so far.
    pub fn events(&self) -> u64 {
        self.head.events()
    }

    /// Virtual time computed so far, µs: the scrubber's end.
    pub fn computed_us(&self) -> SimTime {
        self.head.now()
    }

    /// The run as a fresh run reaches it with `run_until(t_us)`: after every event at time <= `t_us`.
    /// Copies the last checkpoint at or before `t_us` and replays from there, so it costs one copy and at
    /// most `every()` events within what is computed (beyond `computed_us()` the replay goes on past it).
    pub fn seek(&self, t_us: SimTime) -> S {
        let mut run = self.base(|_, now| now <= t_us).clone();
        run.run_until(t_us);
        run
    }

    /// The run after `n` calls of `step()` from the start (the end of the run when it has fewer events):
    /// "one event back" is `seek_events(events - 1)`. Costs one copy and at most `every()` events.
    pub fn seek_events(&self, n: u64) -> S {
        let mut run = self.base(|events, _| events <= n).clone();
        while run.events() < n && run.step().is_some() {}
        run
    }

    /// Events between two checkpoints now (a power-of-two multiple of the starting interval).
    pub fn every(&self) -> u64 {
        self.every
    }

    /// Checkpoints kept, the starting run included.
    pub fn checkpoints(&self) -> usize {
        self.checkpoints.len()
    }

    /// The checkpoints' estimated size in bytes (each counted beyond what the one before shares with it),
    /// at most the budget unless the starting run alone exceeds it.
    pub fn checkpoint_bytes(&self) -> usize {
        self.bytes
    }

    /// The memory budget of the checkpoints, bytes.
    pub fn budget_bytes(&self) -> usize {
        self.budget
    }

    /// Events of the checkpoint a seek matching `fits(events, now)` starts from (for tests).
    #[cfg(test)]
    fn base_events(&self, fits: impl Fn(u64, SimTime) -> bool) -> u64 {
        self.base(fits).events()
    }

    /// The latest kept state satisfying `fits(events, now)` (true for a prefix of the run): a checkpoint,
    /// or the head while the run is still being computed. Falls back to the starting run.
    fn base(&self, fits: impl Fn(u64, SimTime) -> bool) -> &S {
        let i = self.checkpoints.partition_point(|c| fits(c.events, c.now));
        let checkpoint = &self.checkpoints[i.saturating_sub(1)];
        // A finished head is not a prefix of every later moment (a run ended by its horizon records its
        // end only once an event beyond the horizon is due), so only an unfinished head is a base.
        let head_fits = !self.head.is_finished() && fits(self.head.events(), self.head.now());
        if head_fits && self.head.events() > checkpoint.events { &self.head } else { &checkpoint.state }
    }

    /// Keeps a copy of the head; thins the checkpoints out while they exceed the budget. Each
    /// checkpoint counts the bytes it does not share with the one before, so the sum counts shared
    /// storage once.
    fn capture(&mut self) {
        let state = self.head.clone();
        let bytes = match self.checkpoints.last() {
            Some(before) => state.approx_bytes_beyond(&before.state),
            None => state.approx_bytes(),
        };
        self.bytes += bytes;
        self.checkpoints.push(Checkpoint { events: state.events(), now: state.now(), bytes, state });
        while self.bytes > self.budget && self.checkpoints.len() > 1 {
            self.every = self.every.saturating_mul(2);
            let (every, first) = (self.every, self.checkpoints[0].events);
            self.checkpoints.retain(|c| c.events == first || c.events.is_multiple_of(every));
            for i in 1..self.checkpoints.len() {
                let (before, after) = self.checkpoints.split_at_mut(i);
                after[0].bytes = after[0].state.approx_bytes_beyond(&before[i - 1].state);
            }
            self.bytes = self.checkpoints.iter().map(|c| c.bytes).sum();
        }
    }
}

impl TimedRun for ShopSim {
    fn step(&mut self) -> Option<SimTime> {
        ShopSim::step(self)
    }
    fn run_until(&mut self, t_us: SimTime) {
        ShopSim::run_until(self, t_us)
    }
    fn now(&self) -> SimTime {
        ShopSim::now(self)
    }
    fn events(&self) -> u64 {
        ShopSim::events(self)
    }
    fn is_finished(&self) -> bool {
        ShopSim::is_finished(self)
    }
    fn approx_bytes(&self) -> usize {
        ShopSim::approx_bytes(self)
    }
    fn approx_bytes_beyond(&self, earlier: &Self) -> usize {
        ShopSim::approx_bytes_beyond(self, Some(earlier))
    }
}

impl TimedRun for StreamSim {
    fn step(&mut self) -> Option<SimTime> {
        StreamSim::step(self)
    }
    fn run_until(&mut self, t_us: SimTime) {
        StreamSim::run_until(self, t_us)
    }
    fn now(&self) -> SimTime {
        StreamSim::now(self)
    }
    fn events(&self) -> u64 {
        StreamSim::events(self)
    }
    fn is_finished(&self) -> bool {
        StreamSim::is_finished(self)
    }
    fn approx_bytes(&self) -> usize {
        StreamSim::approx_bytes(self)
    }
    fn approx_bytes_beyond(&self, earlier: &Self) -> usize {
        StreamSim::approx_bytes_beyond(self, Some(earlier))
    }
}

impl TimedRun for PubSubSim {
    fn step(&mut self) -> Option<SimTime> {
        PubSubSim::step(self)
    }
    fn run_until(&mut self, t_us: SimTime) {
        PubSubSim::run_until(self, t_us)
    }
    fn now(&self) -> SimTime {
        PubSubSim::now(self)
    }
    fn events(&self) -> u64 {
        PubSubSim::steps(self)
    }
    fn is_finished(&self) -> bool {
        PubSubSim::is_finished(self)
    }
    fn approx_bytes(&self) -> usize {
        PubSubSim::approx_bytes(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A toy run: one event per virtual second for `len` seconds, then the end; its state is the list of
    /// event times so far, so any difference shows.
    #[derive(Clone, Debug, PartialEq)]
    struct Ticks {
        len: u64,
        seen: Vec<SimTime>,
        finished: bool,
    }

    impl TimedRun for Ticks {
        fn step(&mut self) -> Option<SimTime> {
            if self.finished {
                return None;
            }
            let t = self.seen.len() as u64 * 1_000_000;
            self.seen.push(t);
            self.finished = self.seen.len() as u64 == self.len;
            Some(t)
        }
        fn run_until(&mut self, t_us: SimTime) {
            while !self.finished && self.seen.len() as u64 * 1_000_000 <= t_us {
                self.step();
            }
        }
        fn now(&self) -> SimTime {
            self.seen.last().copied().unwrap_or(0)
        }
        fn events(&self) -> u64 {
            self.seen.len() as u64
        }
        fn is_finished(&self) -> bool {
            self.finished
        }
        fn approx_bytes(&self) -> usize {
            100
        }
    }

    fn ticks(len: u64) -> Ticks {
        Ticks { len, seen: Vec::new(), finished: false }
    }

    fn fresh_until(len: u64, t: SimTime) -> Ticks {
        let mut run = ticks(len);
        run.run_until(t);
        run
    }

    #[test]
    fn checkpoints_every_k_events_and_seeks_replay_at_most_k() {
        let mut tl = Timeline::with_budget(ticks(100), 8, usize::MAX);
        assert!(!tl.advance(50));
        assert_eq!(tl.events(), 50);
        assert!(tl.advance(1000));
        assert_eq!(tl.checkpoints(), 1 + 100 / 8);
        for n in [0, 1, 7, 8, 9, 63, 99, 100, 150] {
            assert_eq!(tl.seek_events(n).seen.len() as u64, n.min(100));
            let base = tl.base_events(|e, _| e <= n);
            assert!(base <= n && n.min(100) - base < 8, "n={n} base={base}");
        }
        for t in [0, 1, 999_999, 1_000_000, 42_500_000, 99_000_000, 500_000_000] {
            assert_eq!(tl.seek(t), fresh_until(100, t), "t={t}");
        }
    }

    #[test]
    fn the_head_is_a_base_while_computing_and_seeks_past_it_replay_on() {
        let mut tl = Timeline::with_budget(ticks(100), 16, usize::MAX);
        tl.advance(40);
        assert_eq!(tl.base_events(|e, _| e <= 45), 40);
        assert_eq!(tl.seek_events(45).seen.len(), 45);
        assert_eq!(tl.seek(70_000_000), fresh_until(100, 70_000_000));
    }

    #[test]
    fn over_budget_the_interval_doubles_and_checkpoints_stay_even() {
        // 100 bytes each: a budget of 1000 holds ten.
        let mut tl = Timeline::with_budget(ticks(1000), 4, 1000);
        tl.advance(10_000);
        assert!(tl.checkpoint_bytes() <= 1000);
        assert!(tl.checkpoints() >= 5, "thinning keeps about half: {}", tl.checkpoints());
        let every = tl.every();
        assert!(every >= 1000 / 10 && every.is_power_of_two(), "{every}");
        let events: Vec<u64> = tl.checkpoints.iter().map(|c| c.events).collect();
        assert!(events.iter().all(|e| e % every == 0), "{events:?}");
        assert_eq!(tl.seek_events(777).seen.len(), 777);
        assert_eq!(tl.seek(123_000_000), fresh_until(1000, 123_000_000));
    }

    #[test]
    fn a_start_over_budget_is_still_kept() {
        let mut tl = Timeline::with_budget(ticks(50), 2, 10);
        tl.advance(100);
        assert_eq!(tl.checkpoints(), 1);
        assert_eq!(tl.seek_events(33).seen.len(), 33);
    }
}
