//! The timeline's jump back: the time to go back to the middle of a finished run, from the nearest
//! checkpoint versus replaying from the start, on the 100,000-order pizza shop (`friday-night-100k`)
//! and on the partitioned-log preset with the most records. Run with `cargo bench --bench timeline`.
//!
//! Before criterion's measurements it prints, per run: the events, the checkpoints' memory (the
//! estimate `approx_bytes()` and the bytes really allocated by copying them, counted by this binary's
//! allocator), and for a few starting intervals k and budgets: the time to compute the run with
//! checkpoints against without, and the mean jump to 16 moments spread over the run. The default
//! interval and budget were chosen from these figures.

use criterion::{Criterion, criterion_group};
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};
use sysplay::sim::kernel::SimTime;
use sysplay::sim::queue::{ShopSim, shop_preset};
use sysplay::sim::stream::{StreamSim, stream_presets};
use sysplay::sim::timeline::{DEFAULT_BUDGET_BYTES, DEFAULT_EVERY, TimedRun, Timeline};

/// The system allocator, counting the bytes live, so a copy's real size can be compared to the estimate.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size, Relaxed);
        LIVE.fetch_sub(layout.size(), Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn shop() -> ShopSim {
    let p = shop_preset("friday-night-100k").expect("preset");
    ShopSim::new(p.seed, &p.config, &p.actions).expect("valid")
}

/// The partitioned-log preset producing the most records (ties: the most events).
fn largest_stream() -> (&'static str, StreamSim) {
    let p = stream_presets()
        .into_iter()
        .max_by_key(|p| {
            let run = p.run();
            (run.records().len(), run.events())
        })
        .expect("presets");
    (p.name, StreamSim::new(p.seed, &p.config, &p.actions).expect("valid"))
}

fn mib(bytes: usize) -> f64 {
    bytes as f64 / f64::from(1 << 20)
}

fn full<S: TimedRun>(start: &S) -> S {
    let mut run = start.clone();
    while run.step().is_some() {}
    run
}

/// Bytes live on the heap after `f` minus before, and what `f` returned (kept alive while counting).
fn allocated<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = LIVE.load(Relaxed);
    let out = f();
    (out, LIVE.load(Relaxed).saturating_sub(before))
}

/// The shortest of `n` timings of `f` (the machine is shared: the minimum is the least disturbed).
fn timed_min<T>(n: usize, mut f: impl FnMut() -> T) -> (T, Duration) {
    let mut best = None;
    let mut out = None;
    for _ in 0..n {
        let t = Instant::now();
        let o = black_box(f());
        let d = t.elapsed();
        best = Some(best.map_or(d, |b: Duration| b.min(d)));
        out = Some(o);
    }
    (out.expect("n > 0"), best.expect("n > 0"))
}

fn build<S: TimedRun>(start: &S, every: u64, budget: usize) -> Timeline<S> {
    let mut tl = Timeline::with_budget(start.clone(), every, budget);
    while !tl.advance(10_000) {}
    tl
}

/// Prints the figures of one run: the estimate against the real size of the run and its checkpoints,
/// and the interval and budget against the time to compute the run and to jump.
fn figures<S: TimedRun>(name: &str, start: &S, repeat: usize) {
    let (end, plain) = timed_min(repeat, || full(start));
    println!("\n== {name}: {} events, {:.1} s of virtual time", end.events(), end.now() as f64 / 1e6);
    let (end, live) = allocated(|| full(start));
    let (copy, copied) = allocated(|| end.clone());
    println!(
        "   the finished run: estimate {:.2} MiB, really {:.2} MiB; a copy of it: estimate {:.2} MiB beyond what it \
         shares, really {:.2} MiB",
        mib(end.approx_bytes()),
        mib(live),
        mib(copy.approx_bytes_beyond(&end)),
        mib(copied)
    );
    drop((copy, end));
    let moments: Vec<SimTime> = (0..16).map(|i| full(start).now() * (2 * i + 1) / 32).collect();
    let (_, replay) = timed_min(repeat, || {
        for &t in &moments {
            let mut run = start.clone();
            run.run_until(t);
            black_box(run.events());
        }
    });
    println!(
        "   without checkpoints: computing the run {:.1} ms, a jump (replay from 0, mean of 16 moments) {:.2} ms",
        plain.as_secs_f64() * 1e3,
        replay.as_secs_f64() * 1e3 / 16.0
    );
    let (head, head_live) = allocated(|| full(start));
    let (tl, tl_live) = allocated(|| build(start, DEFAULT_EVERY, DEFAULT_BUDGET_BYTES));
    println!(
        "   default checkpoints: {} every {} events, estimate {:.2} MiB, really {:.2} MiB (the timeline's heap \
         minus the run's)",
        tl.checkpoints(),
        tl.every(),
        mib(tl.checkpoint_bytes()),
        mib(tl_live.saturating_sub(head_live))
    );
    drop((head, tl));
    println!(
        "   k at start | budget MiB | compute: with / without | checkpoints | k at end | estimate MiB | mean jump ms"
    );
    let settings = [
        (512, DEFAULT_BUDGET_BYTES),
        (DEFAULT_EVERY, DEFAULT_BUDGET_BYTES),
        (8192, DEFAULT_BUDGET_BYTES),
        (DEFAULT_EVERY, 16 << 20),
        (DEFAULT_EVERY, 256 << 20),
    ];
    for (every, budget) in settings {
        let (tl, with) = timed_min(repeat, || build(start, every, budget));
        let (_, jumps) = timed_min(repeat, || {
            for &t in &moments {
                black_box(tl.seek(t).events());
            }
        });
        println!(
            "   {every:>10} | {:>10} | {:>23.2} | {:>11} | {:>8} | {:>12.2} | {:>12.3}",
            budget >> 20,
            with.as_secs_f64() / plain.as_secs_f64(),
            tl.checkpoints(),
            tl.every(),
            mib(tl.checkpoint_bytes()),
            jumps.as_secs_f64() * 1e3 / 16.0
        );
    }
}

/// Criterion: back to the middle of the finished run, with the default checkpoints and from the start.
fn jump_back<S: TimedRun>(c: &mut Criterion, name: &str, start: &S) {
    let mut tl = Timeline::new(start.clone());
    while !tl.advance(10_000) {}
    let middle = tl.computed_us() / 2;
    assert_eq!(tl.seek(middle).events(), {
        let mut run = start.clone();
        run.run_until(middle);
        run.events()
    });
    let mut group = c.benchmark_group(format!("timeline/{name}"));
    group.sample_size(10).measurement_time(Duration::from_secs(8));
    group.bench_function("jump_to_middle_from_checkpoint", |b| {
        b.iter(|| black_box(tl.seek(black_box(middle))).events())
    });
    group.bench_function("jump_to_middle_replay_from_0", |b| {
        b.iter(|| {
            let mut run = start.clone();
            run.run_until(black_box(middle));
            black_box(run).events()
        })
    });
    group.finish();
}

fn benches(c: &mut Criterion) {
    let shop = shop();
    let (stream_name, stream) = largest_stream();
    figures("friday-night-100k", &shop, 3);
    figures(stream_name, &stream, 20);
    jump_back(c, "friday-night-100k", &shop);
    jump_back(c, stream_name, &stream);
}

criterion_group!(timeline, benches);

fn main() {
    timeline();
    Criterion::default().configure_from_args().final_summary();
}
