//! The outcome of a queue scenario: the recorded run (the animation's timeline, computed once, by
//! `ui::playback`), then the same orders and actions under the two other delivery guarantees (for the
//! comparison table), run to their end in slices once the recorded run is over. Each slice is bounded,
//! so a 100,000-order run keeps the page responsive and shows its progress.

use crate::scenario::{Finished, Scenario};
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

/// The scenario and its recorded run, finished: what the two other guarantees start from.
#[derive(Clone)]
pub struct Recorded {
    scenario: Rc<Scenario>,
    run: Rc<Finished<MessageQueue>>,
}

impl PartialEq for Recorded {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.run, &other.run) && self.scenario == other.scenario
    }
}

impl Runner {
    /// The two other guarantees after the recorded run; `None` for a scenario of another lab.
    pub fn start(recorded: &Recorded) -> Option<Self> {
        let scenario = &recorded.scenario;
        let (config, actions) = scenario.setup::<MessageQueue>()?;
        let main = Outcome {
            delivery: config.delivery,
            report: recorded.run.report.clone(),
            violations: recorded.run.violations.clone(),
        };
        let todo: Vec<_> = [Delivery::AtMostOnce, Delivery::AtLeastOnce, Delivery::EffectivelyOnce]
            .into_iter()
            .filter(|d| *d != config.delivery)
            .rev()
            .filter_map(|d| {
                let c = crate::sim::queue::ShopConfig { delivery: d, ..config.clone() };
                ShopSim::new(scenario.seed, &c, actions).ok().map(|sim| (d, sim))
            })
            .collect();
        let generation = NEXT_GENERATION.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Some(Self {
            orders: config.orders,
            outcomes: Outcomes { delivery: config.delivery, done: vec![Rc::new(main)], running: None, generation },
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

/// The outcomes of `scenario`: the recorded run once `recorded` (the animation's timeline) is over, the
/// two other guarantees filled in over the next ticks. A newer scenario stops the older runs.
#[hook]
pub fn use_outcomes(
    scenario: Rc<Scenario>,
    recorded: &Progress<Finished<MessageQueue>>,
    recorded_share: Option<f64>,
) -> Outcomes {
    let key = match recorded {
        Progress::Done(run) => Some(Rc::new(Recorded { scenario: scenario.clone(), run: run.clone() })),
        Progress::Running { .. } => None,
    };
    let others =
        use_sliced::<Option<Rc<Recorded>>, Runner>(Rc::new(key), |r| r.as_ref().and_then(|r| Runner::start(r)));
    let delivery = scenario.setup::<MessageQueue>().map_or(Delivery::AtLeastOnce, |(c, _)| c.delivery);
    match others {
        Progress::Done(o) => (*o).clone(),
        Progress::Running { partial: Some(o), .. } => (*o).clone(),
        // The recorded run is still being computed (by the animation's timeline).
        Progress::Running { partial: None, .. } => Outcomes {
            delivery,
            done: Vec::new(),
            running: Some((delivery, recorded_share.unwrap_or(0.0))),
            generation: 0,
        },
    }
}
