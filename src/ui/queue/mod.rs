//! The message-queue lab page: the pizza shop of the notes. The reducer holds the session (a valid
//! scenario); `outcome.rs` runs it to the end in slices for the metrics, and `ui::playback` replays it
//! in virtual time for the animation.

mod charts;
mod controls;
mod flow;
mod live;
mod metrics;
mod outcome;
mod theory;

/// The lab's session, typed.
pub type QueueSession = LabSession<MessageQueue>;

use super::app::{AppAction, Playhead};
use super::lab::{LabPage, PageProps};
use super::playback::{self, Animated, PlayerBar};
use crate::scenario::{LabId, LabSession, lab_presets};
use crate::sim::queue::{MessageQueue, OrderStatus, ShopSim, ShopSnapshot};
use crate::ui::later::Later;
use yew::prelude::*;

/// What the animation shows now.
pub type Frame = playback::Frame<ShopSnapshot>;

impl Animated for MessageQueue {
    type Snapshot = ShopSnapshot;
    fn snapshot(sim: &ShopSim) -> ShopSnapshot {
        sim.snapshot()
    }
    fn done_share(sim: &ShopSim) -> Option<f64> {
        Some(sim.produced() as f64 / f64::from(sim.config().orders.max(1)))
    }
}

impl LabPage for MessageQueue {
    fn page(props: PageProps) -> Html {
        let session = QueueSession::new(props.session).expect("the registry passes this lab's session");
        html! { <QueuePage {session} active_preset={props.active_preset} on_action={props.on_action}
        playhead={props.playhead} /> }
    }
}

/// Animation speeds: virtual seconds per real second.
pub const SPEEDS: [u32; 5] = [1, 5, 20, 60, 300];

/// Share of the orders settled (done, dead-lettered, lost or refused) at a frame, percent.
fn settled_pct(frame: &Frame, orders: u32) -> f64 {
    if frame.finished {
        return 100.0;
    }
    let settled = frame
        .snap
        .orders
        .iter()
        .filter(|o| !matches!(o.status, OrderStatus::Held { .. } | OrderStatus::Making))
        .count();
    settled as f64 / f64::from(orders.max(1)) * 100.0
}

#[derive(Properties, PartialEq)]
pub struct QueuePageProps {
    pub session: QueueSession,
    pub active_preset: Option<String>,
    pub on_action: Callback<AppAction>,
    pub playhead: Playhead,
}

/// The lab page.
#[function_component(QueuePage)]
pub fn queue_page(props: &QueuePageProps) -> Html {
    let play = playback::use_playback::<MessageQueue>(&props.session, 20, &props.playhead);
    let outcomes = outcome::use_outcomes(props.session.scenario.clone(), &play.outcome, play.computed_share);
    let frame = play.frame.clone();

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
                { crate::ui::lab::intro::<crate::sim::queue::MessageQueue>() }
                <crate::ui::shell::PresetButtons lab={LabId::Queue} active={props.active_preset.clone()} on_action={props.on_action.clone()} />
                if let Some(e) = explains {
                    <p class="preset-explains muted" data-testid="preset-explains">{ e }</p>
                }
            </section>
            <div class="lab-grid queue-grid">
                <Later>
                    <section class="card flow-card" aria-labelledby="flow-title">
                        <h2 id="flow-title">{ "Orders flowing" }</h2>
                        <PlayerBar clock_us={frame.as_ref().map_or(0, |f| f.clock_us)} finished={frame.as_ref().is_some_and(|f| f.finished)}
                            computed_us={frame.as_ref().map_or(0, |f| f.computed_us)} end_known={frame.as_ref().is_some_and(|f| f.end_known)}
                            playing={play.playing} speed={play.speed} speeds={&SPEEDS[..]} on_command={play.on_command.clone()}
                            progress={frame.as_ref().map(|f| settled_pct(f, orders))} />
                        if let Some(f) = frame.clone() {
                            <flow::FlowView frame={f.clone()} />
                            <live::LiveActions frame={f} on_action={props.on_action.clone()} />
                        }
                    </section>
                </Later>
                <Later>
                    <section class="card metrics-card" aria-labelledby="metrics-title">
                        <h2 id="metrics-title">{ "Outcome of the whole run" }</h2>
                        <metrics::Metrics outcomes={outcomes.clone()} {orders} />
                    </section>
                </Later>
                <Later>
                    <section class="card controls-card" aria-labelledby="controls-title">
                        <h2 id="controls-title">{ "Setup" }</h2>
                        <controls::ConfigForm session={session.clone()} on_action={props.on_action.clone()} />
                    </section>
                </Later>
                <Later>
                    <section class="card guarantees-card" aria-labelledby="guarantees-title">
                        <h2 id="guarantees-title">{ "Delivery guarantees: promised and measured" }</h2>
                        <metrics::Guarantees outcomes={outcomes.clone()} />
                    </section>
                </Later>
                <Later>
                    <section class="card queue-charts-card" aria-labelledby="qcharts-title">
                        <h2 id="qcharts-title">{ "Charts" }</h2>
                        <charts::QueueCharts outcome={outcomes.main().cloned()} frame={frame.clone()} />
                    </section>
                </Later>
                <Later>
                    <section class="card theory-card" aria-labelledby="theory-title">
                        <h2 id="theory-title">{ "Theory: M/M/c and Little's law" }</h2>
                        <theory::TheoryPanel session={session.clone()} />
                    </section>
                </Later>
            </div>
        </div>
    }
}
