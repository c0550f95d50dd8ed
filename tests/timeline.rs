//! The timeline against fresh runs: for every preset of the three timed labs, a copy of a run half-way
//! finishes exactly like the original, and every seek (by virtual time, forward and backward, at 0 and
//! past the end; and by event count) gives exactly the state a fresh run reaches: the same snapshot, the
//! same report fingerprint, and the same future (both run to the end agree too, so hidden state such as
//! the random streams and the pending events matches).
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use sysplay::sim::kernel::SimTime;
use sysplay::sim::pubsub::{PubSubSim, pubsub_presets};
use sysplay::sim::queue::{ShopSim, shop_presets};
use sysplay::sim::stream::{StreamSim, stream_presets};
use sysplay::sim::timeline::{TimedRun, Timeline};

/// A timed lab's run with everything the page shows of it, as bytes.
trait Lab: TimedRun {
    fn shown(&self) -> Vec<u8>;
}

fn with_clock(run: &impl TimedRun, mut bytes: Vec<u8>) -> Vec<u8> {
    for v in [run.events(), run.now(), u64::from(run.is_finished())] {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    bytes
}

impl Lab for ShopSim {
    fn shown(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec(&self.snapshot()).unwrap();
        bytes.extend(self.report().fingerprint());
        with_clock(self, bytes)
    }
}

impl Lab for StreamSim {
    fn shown(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec(&self.snapshot(40)).unwrap();
        bytes.extend(self.report().fingerprint());
        with_clock(self, bytes)
    }
}

impl Lab for PubSubSim {
    fn shown(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec(&self.snapshot()).unwrap();
        bytes.extend(self.report().fingerprint());
        with_clock(self, bytes)
    }
}

/// What a state shows now and once run to the end.
fn now_and_future<S: Lab>(run: &S) -> (Vec<u8>, Vec<u8>) {
    let mut end = run.clone();
    while end.step().is_some() {}
    (run.shown(), end.shown())
}

fn fresh_until<S: Lab>(start: &S, t: SimTime) -> S {
    let mut run = start.clone();
    run.run_until(t);
    run
}

fn fresh_steps<S: Lab>(start: &S, n: u64) -> S {
    let mut run = start.clone();
    for _ in 0..n {
        run.step();
    }
    run
}

/// The end of a fresh run, ms (rounded up).
fn end_ms(start: &impl TimedRun) -> u64 {
    let mut run = start.clone();
    while run.step().is_some() {}
    run.now().div_ceil(1000)
}

/// Runs of every preset of the three labs, not started (the 100,000-order shop has its own test), and
/// of the first preset with its horizon cut at two thirds of its run (actions beyond it dropped), so a
/// run that ends at its horizon, with events still due, is covered too.
fn shops() -> Vec<(String, ShopSim)> {
    let presets: Vec<_> = shop_presets().into_iter().filter(|p| p.config.orders <= 10_000).collect();
    let mut runs: Vec<_> =
        presets.iter().map(|p| (p.name.to_string(), ShopSim::new(p.seed, &p.config, &p.actions).unwrap())).collect();
    let (p, full) = (&presets[0], &runs[0].1);
    let config = sysplay::sim::queue::ShopConfig { horizon_ms: end_ms(full) * 2 / 3, ..p.config.clone() };
    let actions: Vec<_> = p.actions.iter().filter(|a| a.0 <= config.horizon_ms).cloned().collect();
    runs.push((format!("{} cut", p.name), ShopSim::new(p.seed, &config, &actions).unwrap()));
    runs
}

fn streams() -> Vec<(String, StreamSim)> {
    let presets = stream_presets();
    let mut runs: Vec<_> =
        presets.iter().map(|p| (p.name.to_string(), StreamSim::new(p.seed, &p.config, &p.actions).unwrap())).collect();
    let (p, full) = (&presets[0], &runs[0].1);
    let config = sysplay::sim::stream::StreamConfig { horizon_ms: end_ms(full) * 2 / 3, ..p.config.clone() };
    let actions: Vec<_> = p.actions.iter().filter(|a| a.0 <= config.horizon_ms).cloned().collect();
    runs.push((format!("{} cut", p.name), StreamSim::new(p.seed, &config, &actions).unwrap()));
    runs
}

fn pubsubs() -> Vec<(String, PubSubSim)> {
    let presets = pubsub_presets();
    let mut runs: Vec<_> =
        presets.iter().map(|p| (p.name.to_string(), PubSubSim::new(p.seed, &p.config, &p.actions).unwrap())).collect();
    let (p, full) = (&presets[0], &runs[0].1);
    let config = sysplay::sim::pubsub::PubSubConfig { horizon_ms: end_ms(full) * 2 / 3, ..p.config.clone() };
    let actions: Vec<_> = p.actions.iter().filter(|a| a.0 <= config.horizon_ms).cloned().collect();
    runs.push((format!("{} cut", p.name), PubSubSim::new(p.seed, &config, &actions).unwrap()));
    runs
}

/// The cut runs end at their horizon with events still due: `run_until(horizon)` does not finish them,
/// only an event due beyond it does (so the end is not a prefix of every later moment).
fn ends_at_horizon<S: Lab>(name: &str, start: &S) {
    let mut end = start.clone();
    while end.step().is_some() {}
    let at_horizon = fresh_until(start, end.now());
    assert!(!at_horizon.is_finished() && at_horizon.events() == end.events(), "{name}");
}

#[test]
fn cut_runs_end_at_their_horizon() {
    let (name, run) = shops().pop().unwrap();
    ends_at_horizon(&name, &run);
    let (name, run) = streams().pop().unwrap();
    ends_at_horizon(&name, &run);
    let (name, run) = pubsubs().pop().unwrap();
    ends_at_horizon(&name, &run);
}

/// A copy taken half-way finishes like the original and like a fresh run, and running the original on
/// leaves the copy as it was.
fn copies_are_deep<S: Lab>(name: &str, start: &S) {
    let mut whole = start.clone();
    while whole.step().is_some() {}
    let mut original = fresh_steps(start, whole.events() / 2);
    let copy = original.clone();
    let copy_shown = copy.shown();
    while original.step().is_some() {}
    assert_eq!(copy.shown(), copy_shown, "{name}: the copy changed with the original");
    let mut copy = copy;
    while copy.step().is_some() {}
    assert_eq!(copy.shown(), original.shown(), "{name}: the copy finishes differently");
    assert_eq!(original.shown(), whole.shown(), "{name}: a run stepped in two parts differs");
}

#[test]
fn copies_of_every_preset_are_deep() {
    for (name, start) in shops() {
        copies_are_deep(&name, &start);
    }
    for (name, start) in streams() {
        copies_are_deep(&name, &start);
    }
    for (name, start) in pubsubs() {
        copies_are_deep(&name, &start);
    }
}

/// Builds the timeline in slices of `slice` events, then checks seeks at times spread over the run
/// (forward then backward, 0, the exact end, past the end, an event's exact time and just before it)
/// and at event counts (every checkpoint's neighbours, one back from the end, beyond the end).
fn seeks_match_fresh_runs<S: Lab>(name: &str, start: &S, every: u64, budget: usize, slice: u64) {
    let mut tl = Timeline::with_budget(start.clone(), every, budget);
    let mut slices = 0;
    while !tl.advance(slice) {
        slices += 1;
        if slices == 3 {
            // Half computed: a seek behind the head and one beyond it are still fresh runs.
            let at = tl.computed_us();
            for t in [at / 2, at, at + 5_000_000] {
                assert_eq!(
                    now_and_future(&tl.seek(t)),
                    now_and_future(&fresh_until(start, t)),
                    "{name}: t={t} mid-way"
                );
            }
        }
    }
    let end = tl.head().clone();
    assert!(tl.checkpoint_bytes() <= budget.max(start.approx_bytes()), "{name}: over budget");
    let (n, t_end) = (end.events(), end.now());
    let event_time = {
        let run = fresh_steps(start, n / 3);
        run.now()
    };
    let mut times = vec![0, 1, event_time.saturating_sub(1), event_time];
    times.extend((1..=5).map(|i| t_end * i / 5));
    times.extend((0..5).rev().map(|i| t_end * i / 5 + 777));
    times.extend([t_end + 1, t_end + 60_000_000]);
    for t in times {
        let got = tl.seek(t);
        let want = fresh_until(start, t);
        assert_eq!(now_and_future(&got), now_and_future(&want), "{name}: seek({t})");
    }
    let mut counts = vec![0, 1, n / 2, n - 1, n, n + 1, n + 100];
    counts.extend([every - 1, every, every + 1, 3 * every].iter().filter(|&&c| c <= n));
    for c in counts {
        let got = tl.seek_events(c);
        let want = fresh_steps(start, c);
        assert_eq!(got.events(), c.min(n), "{name}: seek_events({c}) events");
        assert_eq!(now_and_future(&got), now_and_future(&want), "{name}: seek_events({c})");
    }
    assert_eq!(tl.seek_events(n).shown(), fresh_steps(start, n).shown());
    assert_eq!(tl.seek_events(n + 1).shown(), end.shown(), "{name}: past the last event is the end");
}

#[test]
fn shop_seeks_are_fresh_runs() {
    for (name, start) in shops() {
        seeks_match_fresh_runs(&name, &start, 64, usize::MAX, 500);
        // A budget of a few copies forces the checkpoints to thin out.
        seeks_match_fresh_runs(&name, &start, 16, 6 * start.approx_bytes(), 997);
    }
}

#[test]
fn stream_seeks_are_fresh_runs() {
    for (name, start) in streams() {
        seeks_match_fresh_runs(&name, &start, 64, usize::MAX, 500);
        seeks_match_fresh_runs(&name, &start, 16, 6 * start.approx_bytes(), 997);
    }
}

#[test]
fn pubsub_seeks_are_fresh_runs() {
    for (name, start) in pubsubs() {
        seeks_match_fresh_runs(&name, &start, 64, usize::MAX, 500);
        seeks_match_fresh_runs(&name, &start, 16, 6 * start.approx_bytes(), 997);
    }
}

#[test]
fn the_100k_order_shop_seeks_within_the_default_budget() {
    let p = sysplay::sim::queue::shop_preset("friday-night-100k").unwrap();
    let start = ShopSim::new(p.seed, &p.config, &p.actions).unwrap();
    let mut tl = Timeline::new(start.clone());
    while !tl.advance(50_000) {}
    assert!(tl.checkpoint_bytes() <= tl.budget_bytes());
    assert!(tl.checkpoints() >= 8, "{} checkpoints", tl.checkpoints());
    let end = tl.head().now();
    // Backward from the end: the kill of PS7 at 600 s, and the middle.
    for t in [end / 2, 600_000_000, 599_999_999] {
        let got = tl.seek(t);
        let want = fresh_until(&start, t);
        assert_eq!(got.shown(), want.shown(), "seek({t})");
    }
    let n = tl.events() - 1;
    assert_eq!(tl.seek_events(n).shown(), fresh_steps(&start, n).shown(), "one event back from the end");
}

fn small_shop() -> ShopSim {
    let p = shop_presets().into_iter().find(|p| p.name == "slow-shop-duplicates").unwrap();
    ShopSim::new(p.seed, &p.config, &p.actions).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Any interval, budget and slicing; any sequence of seeks by time or by events, interleaved with
    /// computing more of the run: each is a fresh run.
    #[test]
    fn any_seek_sequence_is_fresh_runs(
        every in 1u64..300,
        copies in 2usize..40,
        slice in 1u64..3000,
        seeks in prop::collection::vec((any::<bool>(), 0u64..400_000_000, 0u64..5_000), 1..12),
    ) {
        let start = small_shop();
        let mut tl = Timeline::with_budget(start.clone(), every, copies * start.approx_bytes());
        for (by_time, t, n) in seeks {
            tl.advance(slice);
            let (got, want) = if by_time {
                (tl.seek(t), fresh_until(&start, t))
            } else {
                (tl.seek_events(n), fresh_steps(&start, n))
            };
            prop_assert_eq!(got.shown(), want.shown());
        }
    }
}
