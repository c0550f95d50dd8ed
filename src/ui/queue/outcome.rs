//! The outcome of a queue scenario, run to its end in slices: the recorded run first, then the same
//! orders and actions under the two other delivery guarantees (for the comparison table). Each timer
//! tick processes a bounded number of events, so a 100,000-order run keeps the page responsive and shows
//! its progress. Small runs finish in the first, synchronous slice and never show a progress bar.

use crate::scenario::Scenario;
use crate::sim::queue::{Delivery, MessageQueue, ShopReport, ShopSim, check_all};
use crate::ui::sliced::{Finite, Progress, use_sliced};
use std::rc::Rc;
use yew::prelude::*;

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

/// Numbers the outcomes of successive scenarios (a new number means new results).
static NEXT_GENERATION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// The runs of one scenario, advanced slice by slice (`ui::sliced`).
pub struct Runner {
    todo: Vec<(Delivery, ShopSim)>,
    orders: u32,
    outcomes: Outcomes,
    /// A run finished since the outcomes were last taken.
    news: bool,
}

impl Runner {
    /// The recorded run first, then the two other guarantees; `None` for a scenario of another lab.
    pub fn start(scenario: &Scenario) -> Option<Self> {
        let (config, actions) = scenario.setup::<MessageQueue>()?;
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
        let generation = NEXT_GENERATION.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Some(Self {
            orders: config.orders,
            outcomes: Outcomes { delivery: config.delivery, done: Vec::new(), running: None, generation },
            todo,
            news: false,
        })
    }
}

impl Finite for Runner {
    type Outcome = Outcomes;

    fn advance(&mut self, mut budget: u64) -> bool {
        while let Some((delivery, sim)) = self.todo.last_mut() {
            let before = sim.events();
            let finished = sim.run_for(budget);
            budget = budget.saturating_sub(sim.events() - before);
            if finished {
                let violations = check_all(&sim.snapshot());
                let outcome = Outcome { delivery: *delivery, report: sim.report(), violations };
                self.outcomes.done.push(Rc::new(outcome));
                self.todo.pop();
                self.news = true;
            } else if budget == 0 {
                break;
            }
        }
        self.todo.is_empty()
    }

    fn done_events(&self) -> u64 {
        self.todo.last().map_or(0, |(_, sim)| sim.events())
    }

    fn outcome(&mut self, _over: bool) -> Option<Outcomes> {
        self.news = false;
        self.outcomes.running =
            self.todo.last().map(|(d, sim)| (*d, sim.produced() as f64 / f64::from(self.orders.max(1))));
        Some(self.outcomes.clone())
    }

    fn has_news(&self) -> bool {
        self.news
    }
}

/// The outcomes of `scenario`, filled in over the next ticks. A newer scenario stops the older runs.
#[hook]
pub fn use_outcomes(scenario: Rc<Scenario>) -> Outcomes {
    match use_sliced::<Scenario, Runner>(scenario, Runner::start) {
        Progress::Done(o) => (*o).clone(),
        Progress::Running { partial: Some(o), .. } => (*o).clone(),
        Progress::Running { partial: None, .. } => {
            Outcomes { delivery: Delivery::AtLeastOnce, done: Vec::new(), running: None, generation: 0 }
        }
    }
}
