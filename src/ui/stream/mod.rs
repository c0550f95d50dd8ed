//! The partitioned-log lab page (Kafka's model). The reducer holds the session and the outcome of the
//! whole run; `ui::playback` replays it in virtual time for the animation.

mod controls;
mod live;
mod log_view;
mod panels;

/// The lab's session, typed.
pub type StreamSession = LabSession<PartitionedLog>;

use super::app::{AppAction, Playhead};
use super::lab::{LabPage, PageProps};
use super::playback::{self, Animated, PlayerBar};
use super::sliced::Progress;
use crate::scenario::{Finished, LabId, LabSession, lab_presets};
use crate::sim::stream::{PartitionedLog, StreamAction, StreamSim, StreamSnapshot};
use crate::ui::later::Later;
use yew::prelude::*;

/// Log cells drawn per partition.
pub const CELLS: usize = 18;

/// What the animation shows now.
pub type Frame = playback::Frame<StreamSnapshot>;

impl Animated for PartitionedLog {
    type Snapshot = StreamSnapshot;
    fn snapshot(sim: &StreamSim) -> StreamSnapshot {
        sim.snapshot(CELLS)
    }
}

impl LabPage for PartitionedLog {
    fn page(props: PageProps) -> Html {
        let session = StreamSession::new(props.session).expect("the registry passes this lab's session");
        html! { <StreamPage {session} active_preset={props.active_preset} on_action={props.on_action}
        playhead={props.playhead} /> }
    }
}

/// Animation speeds: virtual seconds per real second.
pub const SPEEDS: [u32; 5] = [1, 5, 10, 30, 120];

/// The whole run: its report and any invariant it broke.
pub type StreamOutcome = Finished<PartitionedLog>;

#[derive(Properties, PartialEq)]
pub struct StreamPageProps {
    pub session: StreamSession,
    pub active_preset: Option<String>,
    pub on_action: Callback<AppAction>,
    pub playhead: Playhead,
}

/// The lab page.
#[function_component(StreamPage)]
pub fn stream_page(props: &StreamPageProps) -> Html {
    let play = playback::use_playback::<PartitionedLog>(&props.session, 10, &props.playhead);
    let outcome = play.outcome.clone();
    let frame = play.frame.clone();
    let color_by_key = use_state(|| false);

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
    let (done, running_events) = match &outcome {
        Progress::Done(o) => (Some(o.clone()), 0),
        Progress::Running { events, .. } => (None, *events),
    };
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
                { crate::ui::lab::intro::<crate::sim::stream::PartitionedLog>() }
                <crate::ui::shell::PresetButtons lab={LabId::Stream} active={props.active_preset.clone()} on_action={props.on_action.clone()} />
                if let Some(e) = explains {
                    <p class="preset-explains muted" data-testid="preset-explains">{ e }</p>
                }
            </section>
            <div class="lab-grid stream-grid">
                <Later>
                    <section class="card log-card" aria-labelledby="log-title">
                        <h2 id="log-title">{ "The log, live" }</h2>
                        <PlayerBar clock_us={frame.as_ref().map_or(0, |f| f.clock_us)} finished={frame.as_ref().is_some_and(|f| f.finished)}
                            computed_us={frame.as_ref().map_or(0, |f| f.computed_us)} end_known={frame.as_ref().is_some_and(|f| f.end_known)}
                            playing={play.playing} speed={play.speed} speeds={&SPEEDS[..]} on_command={play.on_command.clone()}
                            testid_prefix="stream-" />
                        if let Some(f) = frame.clone() {
                            <log_view::RebalanceBanner frame={f.clone()} />
                            <log_view::LogView frame={f.clone()} by_key={*color_by_key} on_color={on_color} />
                            <live::LiveConsumers frame={f} config={session.config().clone()} reserved={reserved}
                                on_action={props.on_action.clone()} />
                        }
                    </section>
                </Later>
                <Later>
                    <section class="card metrics-card" aria-labelledby="smetrics-title">
                        <h2 id="smetrics-title">{ "Outcome of the whole run" }</h2>
                        if let Some(o) = done.clone() {
                            <panels::Metrics session={session.clone()} outcome={o} />
                        } else {
                            <p class="progress" role="status" data-testid="stream-progress">
                                <progress aria-label="Computing the run" />
                                { format!(" computing the whole run: {} events so far…", crate::ui::format::count(running_events)) }
                            </p>
                        }
                    </section>
                </Later>
                <Later>
                    <section class="card lag-card" aria-labelledby="lag-title">
                        <h2 id="lag-title">{ "Consumer lag" }</h2>
                        if let Some(o) = done.clone() {
                            <panels::LagCharts outcome={o} frame={frame.clone()} />
                        }
                    </section>
                </Later>
                <Later>
                    <section class="card rebalances-card" aria-labelledby="rebalances-title">
                        <h2 id="rebalances-title">{ "Rebalances" }</h2>
                        if let Some(o) = done.clone() {
                            <panels::Rebalances session={session.clone()} outcome={o} />
                        }
                    </section>
                </Later>
                <Later>
                    <section class="card ordering-card" aria-labelledby="ordering-title">
                        <h2 id="ordering-title">{ "Ordering" }</h2>
                        if let Some(o) = done.clone() {
                            <panels::Ordering session={session.clone()} outcome={o} />
                        }
                    </section>
                </Later>
                <Later>
                    <section class="card controls-card" aria-labelledby="scontrols-title">
                        <h2 id="scontrols-title">{ "Setup" }</h2>
                        <controls::ConfigForm session={session.clone()} on_action={props.on_action.clone()} />
                    </section>
                </Later>
                <Later>
                    <section class="card theory-card" aria-labelledby="stheory-title">
                        <h2 id="stheory-title">{ "Theory: capacity and Little's law" }</h2>
                        if let Some(o) = done {
                            <panels::Theory session={session.clone()} outcome={o} />
                        }
                    </section>
                </Later>
            </div>
        </div>
    }
}
