//! The outcome of a queue scenario, run to its end in slices: the recorded run first, then the same
//! orders and actions under the two other delivery guarantees (for the comparison table). Each timer
//! tick processes a bounded number of events, so a 100,000-order run keeps the page responsive and shows
//! its progress. Small runs finish in the first, synchronous slice and never show a progress bar.

use crate::scenario::{LabSetup, Scenario};
use crate::sim::queue::{Delivery, ShopReport, ShopSim, check_all};
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// Events processed when a scenario is opened, before the first paint.
const FIRST_SLICE_EVENTS: u64 = 20_000;
/// Events processed per timer tick afterwards (about 10–20 ms of work in the browser).
const SLICE_EVENTS: u64 = 20_000;

/// One finished run.
#[derive(Debug, PartialEq)]
pub struct Outcome {
    pub delivery: Delivery,
    pub report: ShopReport,
    /// Invariants the run broke (none, unless the core has a bug).
    pub violations: Vec<String>,
}

/// What is known so far about a scenario's runs.
#[derive(Clone, Debug)]
pub struct Outcomes {
    /// The scenario's own guarantee, run first.
    pub delivery: Delivery,
    pub done: Vec<Rc<Outcome>>,
    /// The run in progress and the share of its orders sent so far.
    pub running: Option<(Delivery, f64)>,
    /// A change of this number means new results.
    generation: u64,
}

impl PartialEq for Outcomes {
    fn eq(&self, other: &Self) -> bool {
        self.generation == other.generation
            && self.done.len() == other.done.len()
            && self.done.iter().zip(&other.done).all(|(a, b)| Rc::ptr_eq(a, b))
            && self.running == other.running
    }
}

impl Outcomes {
    /// The recorded run's outcome, once finished.
    pub fn main(&self) -> Option<&Rc<Outcome>> {
        self.done.first()
    }

    /// The outcome under `delivery`, once finished.
    pub fn under(&self, delivery: Delivery) -> Option<&Rc<Outcome>> {
        self.done.iter().find(|o| o.delivery == delivery)
    }
}

/// The runs of one scenario, advanced slice by slice.
struct Runner {
    generation: u64,
    todo: Vec<(Delivery, ShopSim)>,
    orders: u32,
    outcomes: Outcomes,
}

impl Runner {
    fn new(scenario: &Scenario, generation: u64) -> Self {
        let LabSetup::Queue { config, actions } = &scenario.setup else {
            return Self::empty(generation);
        };
        let mut order = vec![config.delivery];
        order.extend(
            [Delivery::AtMostOnce, Delivery::AtLeastOnce, Delivery::EffectivelyOnce]
                .into_iter()
                .filter(|d| *d != config.delivery),
        );
        let todo: Vec<_> = order
            .into_iter()
            .rev()
            .filter_map(|d| {
                let c = crate::sim::queue::ShopConfig { delivery: d, ..config.clone() };
                ShopSim::new(scenario.seed, &c, actions).ok().map(|sim| (d, sim))
            })
            .collect();
        Self {
            generation,
            orders: config.orders,
            outcomes: Outcomes { delivery: config.delivery, done: Vec::new(), running: None, generation },
            todo,
        }
    }

    fn empty(generation: u64) -> Self {
        let outcomes = Outcomes { delivery: Delivery::AtLeastOnce, done: Vec::new(), running: None, generation };
        Self { generation, todo: Vec::new(), orders: 1, outcomes }
    }

    /// Processes up to `budget` events; returns true when every run is over.
    fn work(&mut self, mut budget: u64) -> bool {
        while let Some((delivery, sim)) = self.todo.last_mut() {
            let before = sim.events();
            let finished = sim.run_for(budget);
            budget = budget.saturating_sub(sim.events() - before);
            if finished {
                let violations = check_all(&sim.snapshot());
                let outcome = Outcome { delivery: *delivery, report: sim.report(), violations };
                self.outcomes.done.push(Rc::new(outcome));
                self.todo.pop();
            } else if budget == 0 {
                break;
            }
        }
        self.outcomes.running =
            self.todo.last().map(|(d, sim)| (*d, sim.produced() as f64 / f64::from(self.orders.max(1))));
        self.todo.is_empty()
    }
}

/// The outcomes of `scenario`, filled in over the next ticks. A newer scenario stops the older runs.
#[hook]
pub fn use_outcomes(scenario: Rc<Scenario>) -> Outcomes {
    let latest = use_mut_ref(|| 0u64);
    let runner = use_memo(scenario.clone(), |s| {
        let generation = *latest.borrow() + 1;
        *latest.borrow_mut() = generation;
        let mut r = Runner::new(s, generation);
        r.work(FIRST_SLICE_EVENTS);
        Rc::new(RefCell::new(r))
    });
    let redraw = use_state(|| 0u64);
    let ticks = use_mut_ref(|| 0u64);
    {
        let (runner, latest) = ((*runner).clone(), latest.clone());
        use_effect_with(scenario, move |_| schedule(runner, latest, redraw, ticks));
    }
    runner.borrow().outcomes.clone()
}

fn schedule(
    runner: Rc<RefCell<Runner>>,
    latest: Rc<RefCell<u64>>,
    redraw: UseStateHandle<u64>,
    ticks: Rc<RefCell<u64>>,
) {
    if runner.borrow().todo.is_empty() {
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
