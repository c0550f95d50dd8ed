//! The publish/subscribe lab page. The reducer holds the session and the outcome of running it to the
//! end; this page also replays it step by step for the animation (`PubSubSim::run_until` in bounded
//! chunks from an interval timer), and live actions are recorded at the animation's virtual time.

mod charts;
mod compare;
mod controls;
mod player;
mod session;
mod setup;
mod topology;

pub use session::{PubSubEdit, PubSubSession};

use super::app::AppAction;
use crate::scenario::{LabId, LabSetup, Scenario, lab_presets};
use crate::sim::pubsub::{PubSubConfig, PubSubReport, PubSubSim};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use yew::prelude::*;

/// Real milliseconds between animation ticks.
const TICK_MS: i32 = 100;
/// Most simulation events processed in one tick: a long or busy run falls behind rather than freezing.
const EVENTS_PER_TICK: u64 = 20_000;
/// Animation speeds: virtual seconds per real second.
pub const SPEEDS: [u32; 5] = [1, 5, 20, 60, 300];

/// What the animation shows now: the run's report at the animation's virtual time.
#[derive(Clone, PartialEq)]
pub struct Frame {
    pub clock_us: u64,
    pub report: Rc<PubSubReport>,
    pub finished: bool,
}

/// The replay driving the animation.
struct Player {
    sim: Option<PubSubSim>,
    clock_us: u64,
    scenario: Option<Rc<Scenario>>,
}

fn config_of(s: &Scenario) -> Option<&PubSubConfig> {
    match &s.setup {
        LabSetup::Pubsub { config, .. } => Some(config),
        _ => None,
    }
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
        self.sim = scenario.pubsub_run().and_then(Result::ok);
        self.clock_us = 0;
        self.scenario = Some(scenario.clone());
        self.advance_to(resume, u64::MAX);
    }

    /// Runs up to virtual time `target_us`, processing at most `budget` events.
    fn advance_to(&mut self, target_us: u64, budget: u64) {
        let Some(sim) = self.sim.as_mut() else { return };
        let start = sim.steps();
        while self.clock_us < target_us && !sim.is_finished() && sim.steps() - start < budget {
            self.clock_us = (self.clock_us + 50_000).min(target_us);
            sim.run_until(self.clock_us);
        }
        // Events at exactly the clock, such as an action just recorded at it (also at t = 0).
        sim.run_until(self.clock_us);
        if sim.is_finished() {
            self.clock_us = self.clock_us.max(sim.now());
        }
    }

    fn frame(&self) -> Option<Frame> {
        self.sim.as_ref().map(|s| Frame {
            clock_us: self.clock_us,
            report: Rc::new(s.report_with(false)),
            finished: s.is_finished(),
        })
    }
}

#[derive(Properties, PartialEq)]
pub struct PubSubPageProps {
    pub session: PubSubSession,
    pub active_preset: Option<String>,
    pub on_action: Callback<AppAction>,
}

/// The lab page.
#[function_component(PubSubPage)]
pub fn pubsub_page(props: &PubSubPageProps) -> Html {
    let player = use_mut_ref(|| Player { sim: None, clock_us: 0, scenario: None });
    let frame = use_state(|| None::<Frame>);
    let playing = use_state(|| true);
    let speed = use_state(|| 20u32);

    {
        let (player, frame) = (player.clone(), frame.clone());
        use_effect_with(props.session.scenario.clone(), move |scenario| {
            let mut p = player.borrow_mut();
            p.load(scenario);
            frame.set(p.frame());
        });
    }

    {
        let (player, frame) = (player.clone(), frame.clone());
        use_effect_with((*playing, *speed), move |&(playing, speed)| {
            let window = web_sys::window();
            let mut id = None;
            let mut tick: Option<Closure<dyn Fn()>> = None;
            if playing {
                let closure = Closure::<dyn Fn()>::new(move || {
                    let mut p = player.borrow_mut();
                    if p.sim.as_ref().is_some_and(PubSubSim::is_finished) {
                        return;
                    }
                    let target = p.clock_us + u64::from(speed) * TICK_MS as u64 * 1000;
                    p.advance_to(target, EVENTS_PER_TICK);
                    frame.set(p.frame());
                });
                if let Some(w) = &window {
                    id = w
                        .set_interval_with_callback_and_timeout_and_arguments_0(
                            closure.as_ref().unchecked_ref(),
                            TICK_MS,
                        )
                        .ok();
                }
                tick = Some(closure);
            }
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
                        p.clock_us = 0;
                        p.load(&s);
                    }
                }
                player::Command::ToEnd => {
                    let pl = &mut *p;
                    if let Some(sim) = pl.sim.as_mut() {
                        sim.run();
                        pl.clock_us = pl.clock_us.max(sim.now());
                    }
                }
                player::Command::Speed(v) => speed.set(v),
            }
            frame.set(p.frame());
        })
    };

    let explains = props
        .active_preset
        .as_deref()
        .and_then(|n| lab_presets(LabId::Pubsub).into_iter().find(|p| p.name == n))
        .map(|p| p.explains);
    let session = &props.session;
    html! {
        <div class="lab lab-pubsub" data-testid="lab-pubsub">
            <section class="lab-intro">
                <h1>{ "Publish/subscribe: one event, many services" }</h1>
                <p>{ "The order service " }<strong>{ "publishes" }</strong>{ " events on topics such as " }<code>{ "order_created" }</code>
                   { "; the " }<strong>{ "broker" }</strong>{ " puts each one in every queue with a binding whose pattern \
                      matches (exact, prefix, or RabbitMQ wildcards: * is one word, # zero or more), once per queue however \
                      many of its bindings match. A service's " }<strong>{ "durable" }</strong>
                   { " subscriptions are the bindings of its one queue at the broker, which catches up after a restart; its " }
                   <strong>{ "ephemeral" }</strong>{ " ones bind a queue that is pushed events only while the service is up and \
                      misses the rest. Beside it runs the notes' in-process event bus, fed the same events." }</p>
                <crate::ui::shell::PresetButtons lab={LabId::Pubsub} active={props.active_preset.clone()} on_action={props.on_action.clone()} />
                if let Some(e) = explains {
                    <p class="preset-explains muted" data-testid="preset-explains">{ e }</p>
                }
            </section>
            <div class="lab-grid pubsub-grid">
                <section class="card flow-card" aria-labelledby="ps-flow-title">
                    <h2 id="ps-flow-title">{ "Events fanning out" }</h2>
                    <player::PlayerBar frame={(*frame).clone()} playing={*playing} speed={*speed} on_command={on_player.clone()} />
                    if let Some(f) = (*frame).clone() {
                        <topology::Topology frame={f.clone()} />
                        <controls::PublishForm frame={f.clone()} topics={session.config().topics.iter().map(|t| t.topic.clone()).collect::<Vec<_>>()} on_action={props.on_action.clone()} />
                        <controls::Subscribers frame={f.clone()} on_action={props.on_action.clone()} />
                        <controls::SubscribeForm frame={f.clone()} on_action={props.on_action.clone()} />
                        <controls::EventLog frame={f} />
                    }
                </section>
                <section class="card metrics-card" aria-labelledby="ps-metrics-title">
                    <h2 id="ps-metrics-title">{ "Outcome of the whole run" }</h2>
                    <compare::Metrics session={session.clone()} />
                    <controls::Recorded session={session.clone()} on_action={props.on_action.clone()} />
                    <h3 class="setup-title">{ "Setup" }</h3>
                    <setup::SetupForm session={session.clone()} on_action={props.on_action.clone()} />
                </section>
                <section class="card compare-card" aria-labelledby="ps-compare-title">
                    <h2 id="ps-compare-title">{ "In-process event bus vs broker" }</h2>
                    <compare::Compare session={session.clone()} />
                </section>
                <section class="card queue-charts-card" aria-labelledby="ps-charts-title">
                    <h2 id="ps-charts-title">{ "Charts" }</h2>
                    <charts::PubSubCharts session={session.clone()} />
                </section>
            </div>
        </div>
    }
}
