//! The publish/subscribe lab page. The reducer holds the session and the outcome of running it to the
//! end; `ui::playback` replays it in virtual time for the animation, and live actions are recorded at
//! the animation's virtual time.

mod charts;
mod compare;
mod controls;
mod session;
mod setup;
mod topology;

pub use session::{PubSubEdit, PubSubSession};

use super::app::AppAction;
use super::playback::{self, Animated, PlayerBar};
use super::sliced::{Finite, Progress};
use crate::scenario::{LabId, LabSetup, Scenario, lab_presets};
use crate::sim::pubsub::{PubSubReport, PubSubSim};
use yew::prelude::*;

/// Animation speeds: virtual seconds per real second.
pub const SPEEDS: [u32; 5] = [1, 5, 20, 60, 300];

/// The whole run: its report and any invariant it broke.
#[derive(Debug, PartialEq)]
pub struct PubSubOutcome {
    pub report: PubSubReport,
    pub violations: Vec<String>,
}

impl Finite for PubSubSim {
    type Outcome = PubSubOutcome;
    fn start(scenario: &Scenario) -> Option<Self> {
        scenario.pubsub_run().and_then(Result::ok)
    }
    fn advance(&mut self) -> bool {
        self.step().is_some()
    }
    fn done_events(&self) -> u64 {
        self.steps()
    }
    fn outcome(&self) -> PubSubOutcome {
        let violations = crate::sim::pubsub::check_all(&self.snapshot());
        PubSubOutcome { report: self.report(), violations }
    }
}

/// What the animation shows now: the run's report at the animation's virtual time.
pub type Frame = playback::Frame<PubSubReport>;

impl Animated for PubSubSim {
    type Snapshot = PubSubReport;
    fn start(scenario: &Scenario) -> Option<Self> {
        scenario.pubsub_run().and_then(Result::ok)
    }
    fn same_start(a: &Scenario, b: &Scenario) -> bool {
        let config = |s: &Scenario| match &s.setup {
            LabSetup::Pubsub { config, .. } => Some(config.clone()),
            _ => None,
        };
        a.seed == b.seed && config(a) == config(b)
    }
    fn run_until(&mut self, t_us: u64) {
        PubSubSim::run_until(self, t_us);
    }
    fn events(&self) -> u64 {
        self.steps()
    }
    fn now(&self) -> u64 {
        PubSubSim::now(self)
    }
    fn is_finished(&self) -> bool {
        PubSubSim::is_finished(self)
    }
    /// The report so far, without the time series (the charts show those for the whole run).
    fn snapshot(&self) -> PubSubReport {
        self.report_with(false)
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
    let play = playback::use_playback::<PubSubSim>(props.session.scenario.clone(), 20);
    let outcome = super::sliced::use_outcome::<PubSubSim>(props.session.scenario.clone());
    let frame = play.frame.clone();

    let explains = props
        .active_preset
        .as_deref()
        .and_then(|n| lab_presets(LabId::Pubsub).into_iter().find(|p| p.name == n))
        .map(|p| p.explains);
    let session = &props.session;
    let (done, running_events) = match &outcome {
        Progress::Done(o) => (Some(o.clone()), 0),
        Progress::Running { events } => (None, *events),
    };
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
                    <PlayerBar clock_us={frame.as_ref().map_or(0, |f| f.clock_us)} finished={frame.as_ref().is_some_and(|f| f.finished)}
                        playing={play.playing} speed={play.speed} speeds={&SPEEDS[..]} on_command={play.on_command.clone()} />
                    if let Some(f) = frame.clone() {
                        <topology::Topology frame={f.clone()} />
                        <controls::PublishForm frame={f.clone()} topics={session.config().topics.iter().map(|t| t.topic.clone()).collect::<Vec<_>>()} on_action={props.on_action.clone()} />
                        <controls::Subscribers frame={f.clone()} on_action={props.on_action.clone()} />
                        <controls::SubscribeForm frame={f.clone()} on_action={props.on_action.clone()} />
                        <controls::EventLog frame={f} />
                    }
                </section>
                <section class="card metrics-card" aria-labelledby="ps-metrics-title">
                    <h2 id="ps-metrics-title">{ "Outcome of the whole run" }</h2>
                    if let Some(o) = done.clone() {
                        <compare::Metrics outcome={o} />
                    } else {
                        <p class="progress" role="status" data-testid="pubsub-progress">
                            <progress aria-label="Computing the run" />
                            { format!(" computing the whole run: {} events so far…", crate::ui::format::count(running_events)) }
                        </p>
                    }
                    <controls::Recorded session={session.clone()} on_action={props.on_action.clone()} />
                    <h3 class="setup-title">{ "Setup" }</h3>
                    <setup::SetupForm session={session.clone()} on_action={props.on_action.clone()} />
                </section>
                <section class="card compare-card" aria-labelledby="ps-compare-title">
                    <h2 id="ps-compare-title">{ "In-process event bus vs broker" }</h2>
                    if let Some(o) = done.clone() {
                        <compare::Compare outcome={o} />
                    }
                </section>
                <section class="card queue-charts-card" aria-labelledby="ps-charts-title">
                    <h2 id="ps-charts-title">{ "Charts" }</h2>
                    if let Some(o) = done {
                        <charts::PubSubCharts session={session.clone()} outcome={o} />
                    }
                </section>
            </div>
        </div>
    }
}
