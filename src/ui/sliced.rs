//! A whole run computed in slices of events, one slice per timer tick, so a long run (100,000 records)
//! never freezes the tab; small runs finish in the first, synchronous slice and never flicker.

use crate::scenario::Scenario;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// Events processed before the first paint.
const FIRST_SLICE_EVENTS: u64 = 20_000;
/// Events processed per timer tick afterwards (about 10–20 ms of work in the browser).
const SLICE_EVENTS: u64 = 20_000;

/// A run that can be advanced one event at a time and summed up at its end.
pub trait Finite: Sized + 'static {
    type Outcome: 'static;
    /// A fresh run of the scenario, or `None` when it is not this lab's (or not valid).
    fn start(scenario: &Scenario) -> Option<Self>;
    /// Processes one event; false when the run is over.
    fn advance(&mut self) -> bool;
    /// Events processed so far.
    fn done_events(&self) -> u64;
    fn outcome(&self) -> Self::Outcome;
}

/// The run's outcome once finished, or how many events it has processed so far.
pub enum Progress<O> {
    Running { events: u64 },
    Done(Rc<O>),
}

impl<O> Clone for Progress<O> {
    fn clone(&self) -> Self {
        match self {
            Self::Running { events } => Self::Running { events: *events },
            Self::Done(o) => Self::Done(o.clone()),
        }
    }
}

struct Runner<F: Finite> {
    generation: u64,
    sim: Option<F>,
    state: Progress<F::Outcome>,
}

impl<F: Finite> Runner<F> {
    fn work(&mut self, budget: u64) -> bool {
        let Some(sim) = self.sim.as_mut() else { return true };
        let mut finished = false;
        for _ in 0..budget {
            if !sim.advance() {
                finished = true;
                break;
            }
        }
        self.state = if finished {
            let done = Progress::Done(Rc::new(sim.outcome()));
            self.sim = None;
            done
        } else {
            Progress::Running { events: sim.done_events() }
        };
        finished
    }
}

/// The outcome of `scenario`'s whole run, computed over the next ticks. A newer scenario stops the
/// older run.
#[hook]
pub fn use_outcome<F: Finite>(scenario: Rc<Scenario>) -> Progress<F::Outcome> {
    let latest = use_mut_ref(|| 0u64);
    let runner = use_memo(scenario.clone(), |s| {
        let generation = *latest.borrow() + 1;
        *latest.borrow_mut() = generation;
        let mut r = Runner::<F> { generation, sim: F::start(s), state: Progress::Running { events: 0 } };
        r.work(FIRST_SLICE_EVENTS);
        Rc::new(RefCell::new(r))
    });
    let redraw = use_state(|| 0u64);
    let ticks = use_mut_ref(|| 0u64);
    {
        let (runner, latest) = ((*runner).clone(), latest.clone());
        use_effect_with(scenario, move |_| schedule(runner, latest, redraw, ticks));
    }
    runner.borrow().state.clone()
}

fn schedule<F: Finite>(
    runner: Rc<RefCell<Runner<F>>>,
    latest: Rc<RefCell<u64>>,
    redraw: UseStateHandle<u64>,
    ticks: Rc<RefCell<u64>>,
) {
    if runner.borrow().sim.is_none() {
        return;
    }
    gloo_timers::callback::Timeout::new(0, move || {
        if *latest.borrow() != runner.borrow().generation {
            return; // a newer scenario replaced this one
        }
        let finished = runner.borrow_mut().work(SLICE_EVENTS);
        *ticks.borrow_mut() += 1;
        redraw.set(*ticks.borrow());
        if !finished {
            schedule(runner, latest, redraw, ticks);
        }
    })
    .forget();
}
