//! The partitioned-log lab page (Kafka's model). The reducer holds the session and the outcome of the
//! whole run; this page also replays it step by step for the animation, with `StreamSim::run_until`
//! in bounded chunks from an interval timer, so the tab never freezes.

mod controls;
mod live;
mod log_view;
mod panels;
mod player;
mod session;

pub use session::{StreamEdit, StreamSession};

use super::app::AppAction;
use crate::scenario::{LabId, LabSetup, Scenario, lab_presets};
use crate::sim::stream::{StreamAction, StreamConfig, StreamSim, StreamSnapshot};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use yew::prelude::*;

/// Real milliseconds between animation ticks.
const TICK_MS: i32 = 100;
/// Most simulation events processed in one tick.
const EVENTS_PER_TICK: u64 = 20_000;
/// Log cells drawn per partition.
pub const CELLS: usize = 18;

/// What the animation shows now.
#[derive(Clone, PartialEq)]
pub struct Frame {
    /// The animation's virtual clock, µs.
    pub clock_us: u64,
    pub snap: Rc<StreamSnapshot>,
    pub finished: bool,
}

/// The replay driving the animation.
struct Player {
    sim: Option<StreamSim>,
    clock_us: u64,
    scenario: Option<Rc<Scenario>>,
}

fn config_of(s: &Scenario) -> Option<&StreamConfig> {
    match &s.setup {
        LabSetup::Stream { config, .. } => Some(config),
        _ => None,
    }
}

impl Player {
    /// Starts over on a new scenario; when only the recorded actions changed it fast-forwards to where
    /// the animation was.
    fn load(&mut self, scenario: &Rc<Scenario>) {
        let same_start = self
            .scenario
            .as_ref()
            .is_some_and(|old| old.seed == scenario.seed && config_of(old) == config_of(scenario));
        let resume = if same_start { self.clock_us } else { 0 };
        self.sim = scenario.stream_run().and_then(Result::ok);
        self.clock_us = 0;
        self.scenario = Some(scenario.clone());
        self.advance_to(resume, u64::MAX);
    }

    /// Runs up to virtual time `target_us`, processing at most `budget` events.
    fn advance_to(&mut self, target_us: u64, budget: u64) {
        let Some(sim) = self.sim.as_mut() else { return };
        let start = sim.events();
        while self.clock_us < target_us && !sim.is_finished() && sim.events() - start < budget {
            self.clock_us = (self.clock_us + 50_000).min(target_us);
            sim.run_until(self.clock_us);
        }
        if sim.is_finished() {
            self.clock_us = self.clock_us.max(sim.now());
        }
    }

    fn frame(&self) -> Option<Frame> {
        self.sim.as_ref().map(|s| Frame {
            clock_us: self.clock_us,
            snap: Rc::new(s.snapshot(CELLS)),
            finished: s.is_finished(),
        })
    }
}

/// Animation speeds: virtual seconds per real second.
pub const SPEEDS: [u32; 5] = [1, 5, 10, 30, 120];

#[derive(Properties, PartialEq)]
pub struct StreamPageProps {
    pub session: StreamSession,
    pub active_preset: Option<String>,
    pub on_action: Callback<AppAction>,
}

/// The lab page.
#[function_component(StreamPage)]
pub fn stream_page(props: &StreamPageProps) -> Html {
    let player = use_mut_ref(|| Player { sim: None, clock_us: 0, scenario: None });
    let frame = use_state(|| None::<Frame>);
    let playing = use_state(|| true);
    let speed = use_state(|| 10u32);
    let color_by_key = use_state(|| false);

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
                        p.load(&s);
                    }
                }
                player::Command::ToEnd => {
                    playing.set(false);
                    p.advance_to(u64::MAX, u64::MAX);
                }
                player::Command::Speed(v) => speed.set(v),
            }
            frame.set(p.frame());
        })
    };
    let on_color = {
        let color_by_key = color_by_key.clone();
        Callback::from(move |by_key: bool| color_by_key.set(by_key))
    };

    let explains = props
        .active_preset
        .as_deref()
        .and_then(|n| lab_presets(LabId::Stream).into_iter().find(|p| p.name == n))
        .map(|p| p.explains);
    let session = &props.session;
    let reserved: Vec<String> = session
        .actions()
        .iter()
        .filter_map(|(_, a)| match a {
            StreamAction::AddConsumer { name, .. } | StreamAction::RemoveConsumer { name, .. } => Some(name.clone()),
            _ => None,
        })
        .collect();
    html! {
        <div class="lab lab-stream" data-testid="lab-stream">
            <section class="lab-intro">
                <h1>{ "Partitioned log: consumer groups and offsets" }</h1>
                <p>{ "Producers append records to a topic of " }<strong>{ "partitions" }</strong>
                   { "; a record's key (the customer) decides its partition (Kafka's murmur2), so one \
                      customer's records stay in order. Each " }<strong>{ "consumer group" }</strong>
                   { " reads every partition at its own " }<strong>{ "committed offset" }</strong>
                   { "; a join, leave or crash makes the group " }<strong>{ "rebalance" }</strong>
                   { ", and everyone stops while partitions are reassigned." }</p>
                <crate::ui::shell::PresetButtons lab={LabId::Stream} active={props.active_preset.clone()} on_action={props.on_action.clone()} />
                if let Some(e) = explains {
                    <p class="preset-explains muted" data-testid="preset-explains">{ e }</p>
                }
            </section>
            <div class="lab-grid stream-grid">
                <section class="card log-card" aria-labelledby="log-title">
                    <h2 id="log-title">{ "The log, live" }</h2>
                    <player::PlayerBar frame={(*frame).clone()} playing={*playing} speed={*speed} on_command={on_player} />
                    if let Some(f) = (*frame).clone() {
                        <log_view::RebalanceBanner frame={f.clone()} />
                        <log_view::LogView frame={f.clone()} by_key={*color_by_key} on_color={on_color} />
                        <live::LiveConsumers frame={f} config={session.config().clone()} reserved={reserved}
                            on_action={props.on_action.clone()} />
                    }
                </section>
                <section class="card metrics-card" aria-labelledby="smetrics-title">
                    <h2 id="smetrics-title">{ "Outcome of the whole run" }</h2>
                    <panels::Metrics session={session.clone()} />
                </section>
                <section class="card lag-card" aria-labelledby="lag-title">
                    <h2 id="lag-title">{ "Consumer lag" }</h2>
                    <panels::LagCharts session={session.clone()} frame={(*frame).clone()} />
                </section>
                <section class="card rebalances-card" aria-labelledby="rebalances-title">
                    <h2 id="rebalances-title">{ "Rebalances" }</h2>
                    <panels::Rebalances session={session.clone()} />
                </section>
                <section class="card ordering-card" aria-labelledby="ordering-title">
                    <h2 id="ordering-title">{ "Ordering" }</h2>
                    <panels::Ordering session={session.clone()} />
                </section>
                <section class="card controls-card" aria-labelledby="scontrols-title">
                    <h2 id="scontrols-title">{ "Setup" }</h2>
                    <controls::ConfigForm session={session.clone()} on_action={props.on_action.clone()} />
                </section>
                <section class="card theory-card" aria-labelledby="stheory-title">
                    <h2 id="stheory-title">{ "Theory: capacity and Little's law" }</h2>
                    <panels::Theory session={session.clone()} />
                </section>
            </div>
        </div>
    }
}
