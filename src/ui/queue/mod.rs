//! The message-queue lab page: the pizza shop of the notes. The reducer holds the session and the
//! outcome of running it to the end; this page also replays it step by step for the animation, with
//! `ShopSim::run_until` in bounded chunks from an interval timer, so the tab never freezes.

mod charts;
mod controls;
mod flow;
mod metrics;
mod outcome;
mod player;
mod session;
mod theory;

pub use session::QueueSession;

use super::app::AppAction;
use crate::scenario::{LabId, Scenario, lab_presets};
use crate::sim::queue::{ShopSim, ShopSnapshot};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use yew::prelude::*;

/// Real milliseconds between animation ticks.
const TICK_MS: i32 = 100;
/// Most simulation events processed in one tick: a long or busy run falls behind rather than freezing.
const EVENTS_PER_TICK: u64 = 20_000;

/// What the animation shows now.
#[derive(Clone, PartialEq)]
pub struct Frame {
    /// The animation's virtual clock, µs.
    pub clock_us: u64,
    pub snap: Rc<ShopSnapshot>,
    pub finished: bool,
}

impl Frame {
    fn of(sim: &ShopSim, clock_us: u64) -> Self {
        Self { clock_us, snap: Rc::new(sim.snapshot()), finished: sim.is_finished() }
    }
}

/// The replay driving the animation.
struct Player {
    sim: Option<ShopSim>,
    clock_us: u64,
    /// Where the animation was before a live action replaced the run: the ticks catch up to it, a slice
    /// at a time, even while paused.
    catch_up_us: u64,
    scenario: Option<Rc<Scenario>>,
}

impl Player {
    /// Starts over on a new scenario; when only the recorded actions changed (a live action, an undo), it
    /// fast-forwards to where the animation was.
    fn load(&mut self, scenario: &Rc<Scenario>) {
        let same_start = self
            .scenario
            .as_ref()
            .is_some_and(|old| old.seed == scenario.seed && config_of(old) == config_of(scenario));
        let resume = if same_start { self.clock_us } else { 0 };
        self.sim = scenario.shop_run().and_then(Result::ok);
        self.clock_us = 0;
        self.catch_up_us = resume;
        self.scenario = Some(scenario.clone());
        self.advance_to(resume, EVENTS_PER_TICK);
    }

    /// One animation tick: `advance_us` of virtual time (0 when paused), or more to catch up.
    fn tick(&mut self, advance_us: u64) {
        let target = (self.clock_us + advance_us).max(self.catch_up_us);
        self.advance_to(target, EVENTS_PER_TICK);
    }

    /// Runs up to virtual time `target_us`, processing at most `budget` events.
    fn advance_to(&mut self, target_us: u64, budget: u64) {
        let Some(sim) = self.sim.as_mut() else { return };
        let start = sim.events();
        // Events at the clock's own time first (a live action recorded at the paused playhead, or at 0).
        sim.run_until(self.clock_us);
        while self.clock_us < target_us && !sim.is_finished() && sim.events() - start < budget {
            self.clock_us = (self.clock_us + 50_000).min(target_us);
            sim.run_until(self.clock_us);
        }
        if sim.is_finished() {
            self.clock_us = self.clock_us.max(sim.now());
        }
    }

    fn frame(&self) -> Option<Frame> {
        self.sim.as_ref().map(|s| Frame::of(s, self.clock_us))
    }
}

fn config_of(s: &Scenario) -> Option<&crate::sim::queue::ShopConfig> {
    match &s.setup {
        crate::scenario::LabSetup::Queue { config, .. } => Some(config),
        _ => None,
    }
}

/// Animation speeds: virtual seconds per real second.
pub const SPEEDS: [u32; 5] = [1, 5, 20, 60, 300];

#[derive(Properties, PartialEq)]
pub struct QueuePageProps {
    pub session: QueueSession,
    pub active_preset: Option<String>,
    pub on_action: Callback<AppAction>,
}

/// The lab page.
#[function_component(QueuePage)]
pub fn queue_page(props: &QueuePageProps) -> Html {
    let player = use_mut_ref(|| Player { sim: None, clock_us: 0, catch_up_us: 0, scenario: None });
    let outcomes = outcome::use_outcomes(props.session.scenario.clone());
    let frame = use_state(|| None::<Frame>);
    let playing = use_state(|| true);
    let speed = use_state(|| 20u32);

    // A new scenario: replay it (from the start, or up to the animation's time after a live action).
    {
        let (player, frame) = (player.clone(), frame.clone());
        use_effect_with(props.session.scenario.clone(), move |scenario| {
            let mut p = player.borrow_mut();
            p.load(scenario);
            frame.set(p.frame());
        });
    }

    // The animation clock.
    {
        let (player, frame) = (player.clone(), frame.clone());
        use_effect_with((*playing, *speed), move |&(playing, speed)| {
            let window = web_sys::window();
            // Ticks run while paused too, so a replaced run catches up with the animation's time.
            let tick = Closure::<dyn Fn()>::new(move || {
                let mut p = player.borrow_mut();
                let (before, was_finished) = (p.clock_us, p.sim.as_ref().is_some_and(ShopSim::is_finished));
                p.tick(if playing { u64::from(speed) * TICK_MS as u64 * 1000 } else { 0 });
                if p.clock_us != before || p.sim.as_ref().is_some_and(ShopSim::is_finished) != was_finished {
                    frame.set(p.frame());
                }
            });
            let id = window.as_ref().and_then(|w| {
                w.set_interval_with_callback_and_timeout_and_arguments_0(tick.as_ref().unchecked_ref(), TICK_MS).ok()
            });
            move || {
                if let (Some(w), Some(id)) = (window, id) {
                    w.clear_interval_with_handle(id);
                }
                drop(tick);
            }
        });
    }

    let on_player = {
        let (player, frame, playing, speed) = (player.clone(), frame.clone(), playing.clone(), speed.clone());
        Callback::from(move |cmd: player::Command| {
            let mut p = player.borrow_mut();
            match cmd {
                player::Command::Play(on) => playing.set(on),
                player::Command::Step => {
                    playing.set(false);
                    let target = p.clock_us + 1_000_000;
                    p.advance_to(target, u64::MAX);
                }
                player::Command::Restart => {
                    if let Some(s) = p.scenario.take() {
                        p.load(&s);
                    }
                }
                player::Command::ToEnd => {
                    playing.set(true);
                    speed.set(SPEEDS[SPEEDS.len() - 1]);
                }
                player::Command::Speed(v) => speed.set(v),
            }
            frame.set(p.frame());
        })
    };

    let explains = props
        .active_preset
        .as_deref()
        .and_then(|n| lab_presets(LabId::Queue).into_iter().find(|p| p.name == n))
        .map(|p| p.explains);
    let session = &props.session;
    let orders = session.config().orders;
    html! {
        <div class="lab lab-queue" data-testid="lab-queue">
            <section class="lab-intro">
                <h1>{ "Message queue: the pizza shop" }</h1>
                <p>{ "Producers place orders with a " }<strong>{ "broker" }</strong>{ " (the queue); " }
                   <strong>{ "shops" }</strong>{ " take them, make them and acknowledge. A " }
                   <strong>{ "notifier" }</strong>{ " checks heartbeats every H seconds and redistributes a dead \
                      shop's not-done orders. Kill a shop, crash the broker, and compare what each delivery \
                      guarantee promises with what happened." }</p>
                <crate::ui::shell::PresetButtons lab={LabId::Queue} active={props.active_preset.clone()} on_action={props.on_action.clone()} />
                if let Some(e) = explains {
                    <p class="preset-explains muted" data-testid="preset-explains">{ e }</p>
                }
            </section>
            <div class="lab-grid queue-grid">
                <section class="card flow-card" aria-labelledby="flow-title">
                    <h2 id="flow-title">{ "Orders flowing" }</h2>
                    <player::PlayerBar frame={(*frame).clone()} playing={*playing} speed={*speed} {orders}
                        on_command={on_player.clone()} />
                    if let Some(f) = (*frame).clone() {
                        <flow::FlowView frame={f.clone()} />
                        <player::LiveActions frame={f} on_action={props.on_action.clone()} />
                    }
                </section>
                <section class="card metrics-card" aria-labelledby="metrics-title">
                    <h2 id="metrics-title">{ "Outcome of the whole run" }</h2>
                    <metrics::Metrics outcomes={outcomes.clone()} {orders} />
                </section>
                <section class="card controls-card" aria-labelledby="controls-title">
                    <h2 id="controls-title">{ "Setup" }</h2>
                    <controls::ConfigForm session={session.clone()} on_action={props.on_action.clone()} />
                </section>
                <section class="card guarantees-card" aria-labelledby="guarantees-title">
                    <h2 id="guarantees-title">{ "Delivery guarantees: promised and measured" }</h2>
                    <metrics::Guarantees outcomes={outcomes.clone()} />
                </section>
                <section class="card queue-charts-card" aria-labelledby="qcharts-title">
                    <h2 id="qcharts-title">{ "Charts" }</h2>
                    <charts::QueueCharts outcome={outcomes.main().cloned()} frame={(*frame).clone()} />
                </section>
                <section class="card theory-card" aria-labelledby="theory-title">
                    <h2 id="theory-title">{ "Theory: M/M/c and Little's law" }</h2>
                    <theory::TheoryPanel session={session.clone()} />
                </section>
            </div>
        </div>
    }
}
