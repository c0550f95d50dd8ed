//! The publish/subscribe lab page. The reducer holds the session and the outcome of running it to the
//! end; `ui::playback` replays it in virtual time for the animation, and live actions are recorded at
//! the animation's virtual time.

mod charts;
mod compare;
mod controls;
mod setup;
mod topology;

/// The lab's session, typed.
pub type PubSubSession = LabSession<PubSub>;

use super::app::{AppAction, Playhead};
use super::lab::{LabPage, PageProps};
use super::playback::{self, Animated, PlayerBar};
use super::sliced::Progress;
use crate::scenario::{Finished, LabId, LabSession, lab_presets};
use crate::sim::pubsub::{PubSub, PubSubReport, PubSubSim};
use crate::ui::later::Later;
use yew::prelude::*;

/// Animation speeds: virtual seconds per real second.
pub const SPEEDS: [u32; 5] = [1, 5, 20, 60, 300];

/// The whole run: its report and any invariant it broke.
pub type PubSubOutcome = Finished<PubSub>;

/// What the animation shows now: the run's report at the animation's virtual time.
pub type Frame = playback::Frame<PubSubReport>;

impl Animated for PubSub {
    type Snapshot = PubSubReport;
    /// The report so far, without the time series (the charts show those for the whole run).
    fn snapshot(sim: &PubSubSim) -> PubSubReport {
        sim.report_with(false)
    }
}

impl LabPage for PubSub {
    fn page(props: PageProps) -> Html {
        let session = PubSubSession::new(props.session).expect("the registry passes this lab's session");
        html! { <PubSubPage {session} active_preset={props.active_preset} on_action={props.on_action}
        playhead={props.playhead} /> }
    }
}

#[derive(Properties, PartialEq)]
pub struct PubSubPageProps {
    pub session: PubSubSession,
    pub active_preset: Option<String>,
    pub on_action: Callback<AppAction>,
    pub playhead: Playhead,
}

/// The lab page.
#[function_component(PubSubPage)]
pub fn pubsub_page(props: &PubSubPageProps) -> Html {
    let play = playback::use_playback::<PubSub>(&props.session, 20, &props.playhead);
    let outcome = play.outcome.clone();
    let frame = play.frame.clone();

    let explains = props
        .active_preset
        .as_deref()
        .and_then(|n| lab_presets(LabId::Pubsub).into_iter().find(|p| p.name == n))
        .map(|p| p.explains);
    let session = &props.session;
    let (done, running_events) = match &outcome {
        Progress::Done(o) => (Some(o.clone()), 0),
        Progress::Running { events, .. } => (None, *events),
    };
    html! {
        <div class="lab lab-pubsub" data-testid="lab-pubsub">
            <section class="lab-intro">
                { crate::ui::lab::intro::<crate::sim::pubsub::PubSub>() }
                <crate::ui::shell::PresetButtons lab={LabId::Pubsub} active={props.active_preset.clone()} on_action={props.on_action.clone()} />
                if let Some(e) = explains {
                    <p class="preset-explains muted" data-testid="preset-explains">{ e }</p>
                }
            </section>
            <div class="lab-grid pubsub-grid">
                <Later>
                    <section class="card flow-card" aria-labelledby="ps-flow-title">
                        <h2 id="ps-flow-title">{ "Events fanning out" }</h2>
                        <PlayerBar clock_us={frame.as_ref().map_or(0, |f| f.clock_us)} finished={frame.as_ref().is_some_and(|f| f.finished)}
                            computed_us={frame.as_ref().map_or(0, |f| f.computed_us)} end_known={frame.as_ref().is_some_and(|f| f.end_known)}
                            playing={play.playing} speed={play.speed} speeds={&SPEEDS[..]} on_command={play.on_command.clone()} />
                        if let Some(f) = frame.clone() {
                            <topology::Topology frame={f.clone()} />
                            <controls::PublishForm frame={f.clone()} topics={session.config().topics.iter().map(|t| t.topic.clone()).collect::<Vec<_>>()} on_action={props.on_action.clone()} />
                            <controls::Subscribers frame={f.clone()} on_action={props.on_action.clone()} />
                            <controls::SubscribeForm frame={f.clone()} on_action={props.on_action.clone()} />
                            <controls::EventLog frame={f} />
                        }
                    </section>
                </Later>
                <Later>
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
                </Later>
                <Later>
                    <section class="card compare-card" aria-labelledby="ps-compare-title">
                        <h2 id="ps-compare-title">{ "In-process event bus vs broker" }</h2>
                        if let Some(o) = done.clone() {
                            <compare::Compare outcome={o} />
                        }
                    </section>
                </Later>
                <Later>
                    <section class="card queue-charts-card" aria-labelledby="ps-charts-title">
                        <h2 id="ps-charts-title">{ "Charts" }</h2>
                        if let Some(o) = done {
                            <charts::PubSubCharts session={session.clone()} outcome={o} />
                        }
                    </section>
                </Later>
            </div>
        </div>
    }
}
