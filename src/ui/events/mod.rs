//! The request-response vs event-driven lab page: the notes' services killed, slowed and revived at the
//! playhead while the request chain and the event-driven flow serve the same requests; both whole runs
//! side by side; the commission anomaly stepped with its log and its fixes as switches; the event store
//! replayed; the saga orchestrated and choreographed.

mod commission;
mod requests;
mod saga;
mod store;

use super::app::{AppAction, Playhead};
use super::lab::{LabPage, PageProps};
use super::playback::{self, Animated, PlayerBar};
use crate::scenario::{ActionTime, Finished, LabId, LabSession, lab_presets};
use crate::sim::events::{Events, EventsLabSim, EventsSnapshot};
use crate::ui::format::count;
use crate::ui::later::Later;
use crate::ui::recorded::Recorded;
use yew::prelude::*;

/// The lab's session, typed.
pub type EventsSession = LabSession<Events>;

/// What the animation shows now.
pub type Frame = playback::Frame<EventsSnapshot>;

/// The whole run, once computed.
pub type Done = Option<std::rc::Rc<Finished<Events>>>;

/// Animation speeds, virtual seconds per real second.
const SPEEDS: [u32; 6] = [1, 2, 5, 10, 30, 100];

impl Animated for Events {
    type Snapshot = EventsSnapshot;
    fn snapshot(sim: &EventsLabSim) -> EventsSnapshot {
        sim.snapshot_at(sim.now())
    }
    fn snapshot_at(sim: &EventsLabSim, clock_us: u64) -> EventsSnapshot {
        sim.snapshot_at(clock_us.max(sim.now()))
    }
    fn done_share(sim: &EventsLabSim) -> Option<f64> {
        Some(sim.done_share())
    }
}

impl LabPage for Events {
    fn page(props: PageProps) -> Html {
        let session = EventsSession::new(props.session).expect("the registry passes this lab's session");
        html! { <EventsPage {session} active_preset={props.active_preset} on_action={props.on_action} playhead={props.playhead} /> }
    }
}

#[derive(Properties, PartialEq)]
pub struct EventsPageProps {
    pub session: EventsSession,
    pub active_preset: Option<String>,
    pub on_action: Callback<AppAction>,
    pub playhead: Playhead,
}

fn at_seconds(t: ActionTime) -> String {
    format!("at {:.1} s", t as f64 / 1000.0)
}

/// The lab page.
#[function_component(EventsPage)]
pub fn events_page(props: &EventsPageProps) -> Html {
    let play = playback::use_playback::<Events>(&props.session, 1, &props.playhead);
    let frame = play.frame.clone();
    let explains = props
        .active_preset
        .as_deref()
        .and_then(|n| lab_presets(LabId::Events).into_iter().find(|p| p.name == n))
        .map(|p| p.explains);
    let config = props.session.config();
    let chain = &config.requests.chain;
    let done = play.outcome.done();
    let error = props.session.scenario.start::<Events>().and_then(Result::err);
    html! {
        <div class="lab lab-events" data-testid="lab-events">
            <section class="lab-intro">
                { crate::ui::lab::intro::<Events>() }
                <crate::ui::shell::PresetButtons lab={LabId::Events} active={props.active_preset.clone()} on_action={props.on_action.clone()} />
                if let Some(e) = explains {
                    <p class="preset-explains muted" data-testid="preset-explains">{ e }</p>
                }
                <p class="muted" data-testid="events-setup-line">{ format!(
                    "{} requests at {} a second; S2 waits {} s for S3 and S4, S1 {} s for S0 and S2, the client {} s; {} client retr{}{}.",
                    count(u64::from(chain.requests)), count(u64::from(chain.rate_per_s)),
                    f64::from(chain.services[2].call_timeout_ms) / 1000.0, f64::from(chain.services[1].call_timeout_ms) / 1000.0,
                    f64::from(chain.client_timeout_ms) / 1000.0, chain.retries, if chain.retries == 1 { "y" } else { "ies" },
                    if chain.idempotency_keys { " with idempotency keys" } else { "" }
                ) }</p>
            </section>
            <div class="lab-grid events-grid">
                <Later>
                    <section class="card live-card" aria-labelledby="events-live-title">
                        <h2 id="events-live-title">{ "One request chain, one event-driven flow, the same requests" }</h2>
                        if let Some(e) = error {
                            <p class="form-error" role="alert" data-testid="events-error">{ crate::ui::form::sentence(&e) }</p>
                        }
                        <PlayerBar clock_us={frame.as_ref().map_or(0, |f| f.clock_us)} finished={frame.as_ref().is_some_and(|f| f.finished)}
                            computed_us={frame.as_ref().map_or(0, |f| f.computed_us)} end_known={frame.as_ref().is_some_and(|f| f.end_known)}
                            playing={play.playing} speed={play.speed} speeds={&SPEEDS[..]} on_command={play.on_command.clone()}
                            progress={play.computed_share.map(|s| s * 100.0)} testid_prefix="events-" />
                        if let Some(f) = frame.clone() {
                            <div class="events-live-grid">
                                <div>
                                    <requests::Diagram frame={f.clone()} />
                                    <requests::ServiceControls frame={f.clone()} on_action={props.on_action.clone()} />
                                </div>
                                <requests::LiveTable frame={f} />
                            </div>
                        }
                        <Recorded<Events> session={props.session.clone()} on_action={props.on_action.clone()} testid_prefix="events-"
                            when={at_seconds as fn(ActionTime) -> String}
                            empty="Nothing yet: kill, slow or revive a service while the requests play, or pause at a moment first." />
                    </section>
                </Later>
                <Later>
                    <section class="card compare-card" aria-labelledby="events-compare-title">
                        <h2 id="events-compare-title">{ "The whole run, side by side" }</h2>
                        if done.is_some() {
                            <requests::Comparison outcome={done.clone()} />
                        } else {
                            <p class="progress" role="status" data-testid="events-progress"><progress aria-label="Computing the run" />
                                { format!(" Serving every request both ways: {} events so far…", count(play.outcome.events())) }</p>
                        }
                    </section>
                </Later>
                <Later>
                    <section class="card setup-card" aria-labelledby="events-setup-title">
                        <h2 id="events-setup-title">{ "Setup of the requests" }</h2>
                        <requests::RequestSetup session={props.session.clone()} on_action={props.on_action.clone()} />
                    </section>
                </Later>
                <Later>
                    <section class="card commission-card" aria-labelledby="events-commission-title">
                        <h2 id="events-commission-title">{ "The commission anomaly, and its fixes" }</h2>
                        <commission::CommissionPart session={props.session.clone()} on_action={props.on_action.clone()} />
                    </section>
                </Later>
                <Later>
                    <section class="card store-card" aria-labelledby="events-store-title">
                        <h2 id="events-store-title">{ "Event sourcing: the store, its replay, its read models" }</h2>
                        <store::StorePart session={props.session.clone()} on_action={props.on_action.clone()} />
                    </section>
                </Later>
                <Later>
                    <section class="card saga-card" aria-labelledby="events-saga-title">
                        <h2 id="events-saga-title">{ "Orchestration vs choreography" }</h2>
                        <saga::SagaPart session={props.session.clone()} on_action={props.on_action.clone()} />
                    </section>
                </Later>
            </div>
        </div>
    }
}
