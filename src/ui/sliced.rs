//! Heavy work computed in slices, one slice per task, so no run within the limits freezes the tab:
//! every lab's whole run (`WholeRun`), the queue lab's three delivery guarantees, any replay. A slice
//! works for a time budget (not a fixed count of events: a cheap event and a costly one differ a
//! hundredfold), and the page re-renders only when there is something new to show, or a few times a
//! second for the progress. Small runs finish in the first, synchronous slice and never flicker.

use super::busy::Working;
use crate::scenario::{Finished, Lab, Registered, Scenario};
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// Work done before the first paint, ms: a small run finishes in it (no flicker of a progress bar), and
/// a render that includes it still stays short on a slow phone.
const FIRST_SLICE_MS: f64 = 10.0;
/// Work per task afterwards, ms: well under a frame, so the page paints and answers input between
/// slices, and short enough that a phone four times slower than this machine still finishes a slice
/// within the 50 ms that count as a long task; `task::next` starts the next one at once.
const SLICE_MS: f64 = 8.0;
/// Steps taken between two looks at the clock.
const CHUNK: u64 = 512;
/// Least time between two progress re-renders, ms.
const PROGRESS_EVERY_MS: f64 = 250.0;

/// Work that can be advanced a bounded number of steps at a time.
pub trait Finite: Sized + 'static {
    type Outcome: 'static;
    /// Takes at most `max` steps; true once the work is over.
    fn advance(&mut self, max: u64) -> bool;
    /// Steps taken so far.
    fn done_events(&self) -> u64;
    /// What can be shown now: the whole outcome once over, a partial one (or `None`) before.
    fn outcome(&mut self, over: bool) -> Option<Self::Outcome>;
    /// True when the partial outcome changed in a way worth showing at once (a part finished); the
    /// page also re-renders a few times a second for the progress.
    fn has_news(&self) -> bool {
        false
    }
}

/// Steps of a `sim::SlicedRun` per unit of sliced work.
const RUN_STEPS_PER_UNIT: u64 = 64;

/// A lab part's run (`sim::SlicedRun`) as sliced work, or why it cannot run: its outcome is the run's
/// report, or the refusal.
pub struct RunJob<R>(pub Result<R, String>);

impl<R: crate::sim::SlicedRun + 'static> Finite for RunJob<R> {
    type Outcome = Result<R::Report, String>;
    fn advance(&mut self, max: u64) -> bool {
        self.0.as_mut().map_or(true, |r| r.advance(max.saturating_mul(RUN_STEPS_PER_UNIT)))
    }
    fn done_events(&self) -> u64 {
        self.0.as_ref().map_or(0, |r| r.steps())
    }
    fn outcome(&mut self, over: bool) -> Option<Self::Outcome> {
        over.then(|| self.0.as_ref().map(|r| r.report()).map_err(Clone::clone))
    }
}

/// Where the work stands.
pub enum Progress<O> {
    Running { events: u64, partial: Option<Rc<O>> },
    Done(Rc<O>),
}

impl<O> Clone for Progress<O> {
    fn clone(&self) -> Self {
        match self {
            Self::Running { events, partial } => Self::Running { events: *events, partial: partial.clone() },
            Self::Done(o) => Self::Done(o.clone()),
        }
    }
}

impl<O> Progress<O> {
    /// The whole outcome, once done.
    pub fn done(&self) -> Option<Rc<O>> {
        match self {
            Self::Done(o) => Some(o.clone()),
            Self::Running { .. } => None,
        }
    }

    /// Steps taken so far (0 once done).
    pub fn events(&self) -> u64 {
        match self {
            Self::Running { events, .. } => *events,
            Self::Done(_) => 0,
        }
    }
}

/// A lab's whole run, as the page computes it.
pub struct WholeRun<L: Lab> {
    sim: Option<L::Sim>,
}

impl<L: Registered> WholeRun<L> {
    /// The run of `scenario`, or `None` when it is not of lab `L` or does not check.
    pub fn start(scenario: &Scenario) -> Option<Self> {
        Some(Self { sim: Some(scenario.start::<L>()?.ok()?) })
    }
}

impl<L: Lab> WholeRun<L> {
    /// The simulation, while it runs (`None` once handed to its outcome).
    pub fn sim_mut(&mut self) -> Option<&mut L::Sim> {
        self.sim.as_mut()
    }
}

impl<L: Lab> Finite for WholeRun<L> {
    type Outcome = Finished<L>;
    fn advance(&mut self, max: u64) -> bool {
        let Some(sim) = self.sim.as_mut() else { return true };
        for _ in 0..max {
            if L::step(sim).is_none() {
                return true;
            }
        }
        L::is_finished(sim)
    }
    fn done_events(&self) -> u64 {
        self.sim.as_ref().map_or(0, L::steps)
    }
    fn outcome(&mut self, over: bool) -> Option<Finished<L>> {
        if over { self.sim.take().map(Finished::of) } else { None }
    }
}

/// The page's monotonic clock, ms, to a few microseconds (for slicing only: nothing simulated ever
/// reads it).
pub fn now_ms() -> f64 {
    thread_local! {
        static PERFORMANCE: Option<web_sys::Performance> = web_sys::window().and_then(|w| w.performance());
    }
    PERFORMANCE.with(|p| p.as_ref().map_or_else(js_sys::Date::now, web_sys::Performance::now))
}

/// Calls `advance(steps)` (true once the work is over) for about `budget_ms`; true once over. A
/// step first, then doubling, then as many steps as the time per step measured so far fits in half
/// of what is left (at most `max_chunk` between two looks at the clock): a slice ends within its
/// budget whether one step costs a microsecond (an event) or a millisecond (a hashing change on a
/// million ring points).
pub fn work_for(budget_ms: f64, max_chunk: u64, mut advance: impl FnMut(u64) -> bool) -> bool {
    let start = now_ms();
    let (mut done, mut steps) = (0u64, 1u64);
    loop {
        if advance(steps) {
            return true;
        }
        done += steps;
        let spent = now_ms() - start;
        let left = budget_ms - spent;
        if left <= 0.0 {
            return false;
        }
        let per_step = spent / done as f64;
        let fits = if per_step > 0.0 { (0.5 * left / per_step) as u64 } else { steps * 2 };
        steps = fits.clamp(1, (steps * 2).min(max_chunk));
    }
}

struct Runner<F: Finite> {
    generation: u64,
    work: Option<F>,
    state: Progress<F::Outcome>,
    last_render_ms: f64,
    /// Held until the work is over.
    working: Option<Working>,
}

impl<F: Finite> Runner<F> {
    /// Works for about `budget_ms`; returns (over, worth re-rendering).
    fn work(&mut self, budget_ms: f64) -> (bool, bool) {
        let Some(work) = self.work.as_mut() else { return (true, false) };
        let over = work_for(budget_ms, CHUNK, |steps| work.advance(steps));
        if over {
            let outcome = work.outcome(true);
            self.work = None;
            self.working = None;
            if let Some(o) = outcome {
                self.state = Progress::Done(Rc::new(o));
            }
            return (true, true);
        }
        let due = now_ms() - self.last_render_ms >= PROGRESS_EVERY_MS;
        let refresh = work.has_news() || due;
        let partial = if refresh {
            work.outcome(false).map(Rc::new)
        } else {
            match &self.state {
                Progress::Running { partial, .. } => partial.clone(),
                Progress::Done(_) => None,
            }
        };
        self.state = Progress::Running { events: work.done_events(), partial };
        if refresh {
            self.last_render_ms = now_ms();
        }
        (false, refresh)
    }
}

/// The outcome of the work `start` makes for `key`, computed over the next ticks. A newer key stops
/// the older work.
#[hook]
pub fn use_sliced<K, F>(key: Rc<K>, start: fn(&K) -> Option<F>) -> Progress<F::Outcome>
where
    K: PartialEq + 'static,
    F: Finite,
{
    let latest = use_mut_ref(|| 0u64);
    let runner = use_memo(key.clone(), |k| {
        let generation = *latest.borrow() + 1;
        *latest.borrow_mut() = generation;
        let started = now_ms();
        let work = start(k);
        let mut r = Runner::<F> {
            generation,
            working: work.is_some().then(Working::start),
            work,
            state: Progress::Running { events: 0, partial: None },
            last_render_ms: now_ms(),
        };
        // What starting took counts against the first slice (a hashing lab draws a million keys). While
        // the page starts, nothing before the first paint (`busy::starting`).
        if !super::busy::starting() {
            r.work(FIRST_SLICE_MS - (now_ms() - started));
        }
        Rc::new(RefCell::new(r))
    });
    let redraw = use_state(|| 0u64);
    let ticks = use_mut_ref(|| 0u64);
    {
        let (runner, latest) = ((*runner).clone(), latest.clone());
        use_effect_with(key, move |_| schedule(runner, latest, redraw, ticks));
    }
    runner.borrow().state.clone()
}

fn schedule<F: Finite>(
    runner: Rc<RefCell<Runner<F>>>,
    latest: Rc<RefCell<u64>>,
    redraw: UseStateHandle<u64>,
    ticks: Rc<RefCell<u64>>,
) {
    if runner.borrow().work.is_none() {
        return;
    }
    super::task::next(move || {
        if *latest.borrow() != runner.borrow().generation {
            return; // a newer key replaced this one
        }
        let (over, render) = runner.borrow_mut().work(super::busy::slice_ms(SLICE_MS));
        let go_on = move |redraw, ticks| {
            if !over {
                schedule(runner, latest, redraw, ticks);
            }
        };
        if render {
            // The re-render in a task of its own: a slice and a render together would hold the
            // thread for both.
            super::task::next(move || {
                *ticks.borrow_mut() += 1;
                redraw.set(*ticks.borrow());
                go_on(redraw, ticks);
            });
        } else {
            go_on(redraw, ticks);
        }
    });
}
