//! Playback controls and the live actions (kill, restart or slow a shop; crash or restart the broker),
//! which are recorded in the scenario at the animation's current virtual time.

use super::{Frame, SPEEDS};
use crate::sim::queue::{OrderStatus, ShopAction};
use crate::ui::app::{AppAction, QueueEdit};
use yew::prelude::*;

/// What the playback buttons ask for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Command {
    Play(bool),
    Step,
    Restart,
    ToEnd,
    Speed(u32),
}

#[derive(Properties, PartialEq)]
pub struct PlayerBarProps {
    pub frame: Option<Frame>,
    pub playing: bool,
    pub speed: u32,
    /// Orders the producers send in the whole run.
    pub orders: u32,
    pub on_command: Callback<Command>,
}

/// Play/pause, step one second, restart, run to the end, speed, and the virtual clock.
#[function_component(PlayerBar)]
pub fn player_bar(props: &PlayerBarProps) -> Html {
    let cmd = |c: Command| {
        let on = props.on_command.clone();
        Callback::from(move |_| on.emit(c))
    };
    let on_speed = {
        let on = props.on_command.clone();
        Callback::from(move |e: Event| {
            if let Some(v) = e.target_dyn_into::<web_sys::HtmlSelectElement>().and_then(|s| s.value().parse().ok()) {
                on.emit(Command::Speed(v));
            }
        })
    };
    let (clock_s, finished) = props.frame.as_ref().map_or((0.0, false), |f| (f.clock_us as f64 / 1e6, f.finished));
    let progress = if finished {
        100.0
    } else {
        props.frame.as_ref().map_or(0.0, |f| {
            let settled = f
                .snap
                .orders
                .iter()
                .filter(|o| !matches!(o.status, OrderStatus::Held { .. } | OrderStatus::Making))
                .count();
            settled as f64 / f64::from(props.orders.max(1)) * 100.0
        })
    };
    html! {
        <div class="player" role="group" aria-label="Playback">
            if props.playing && !finished {
                <button data-testid="pause" onclick={cmd(Command::Play(false))}>{ "Pause" }</button>
            } else {
                <button data-testid="play" disabled={finished} onclick={cmd(Command::Play(true))}>{ "Play" }</button>
            }
            <button data-testid="step" disabled={finished} onclick={cmd(Command::Step)} title="Advance one virtual second">{ "Step 1 s" }</button>
            <button data-testid="to-end" disabled={finished} onclick={cmd(Command::ToEnd)}>{ "Fast to the end" }</button>
            <button data-testid="restart" onclick={cmd(Command::Restart)}>{ "Restart" }</button>
            <label class="speed">{ "Speed " }
                <select data-testid="speed" onchange={on_speed} aria-label="Virtual seconds per second">
                    { for SPEEDS.iter().map(|&s| html! {
                        <option value={s.to_string()} selected={s == props.speed}>{ format!("{s}×") }</option>
                    }) }
                </select>
            </label>
            <span class="clock" data-testid="clock">
                { format!("t = {clock_s:.1} s") }
                if finished { { " · run over" } }
            </span>
            <progress max="100" value={format!("{:.1}", progress.min(100.0))} aria-label="Progress of the run" />
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct LiveActionsProps {
    pub frame: Frame,
    pub on_action: Callback<AppAction>,
}

/// One row per shop with its state and Kill / Restart / Slow, and the broker's Crash / Restart.
#[function_component(LiveActions)]
pub fn live_actions(props: &LiveActionsProps) -> Html {
    let at_ms = props.frame.clock_us / 1000;
    let act = |action: ShopAction| {
        let on = props.on_action.clone();
        Callback::from(move |_| on.emit(AppAction::Queue(QueueEdit::Live { at_ms, action: action.clone() })))
    };
    let snap = &props.frame.snap;
    let rows = snap.shops.iter().map(|s| {
        let name = s.name.clone();
        let slow_to = if s.slow_pct == 100 { 300 } else { 100 };
        let state = match (s.alive, s.declared_dead) {
            (true, false) => "alive",
            (false, false) => "dead, not yet noticed",
            (false, true) => "dead, detected",
            (true, true) => "back, not yet noticed",
        };
        html! {
            <tr data-testid="shop-row" data-name={name.clone()} class={classes!((!s.alive).then_some("down"))}>
                <th scope="row">{ name.clone() }</th>
                <td data-testid="shop-state">{ state }
                    if s.slow_pct != 100 { <span class="sub">{ format!("at {}% time", s.slow_pct) }</span> }
                </td>
                <td class="num" title="in the oven / waiting at the broker">{ format!("{} / {}", s.making.len(), s.queued) }</td>
                <td class="num">{ s.finished }</td>
                <td class="row-actions">
                    if s.alive {
                        <button data-testid="kill-shop" onclick={act(ShopAction::KillShop { shop: name.clone() })}>{ "Kill" }</button>
                    } else {
                        <button data-testid="restart-shop" onclick={act(ShopAction::RestartShop { shop: name.clone() })}>{ "Restart" }</button>
                    }
                    <button data-testid="slow-shop" onclick={act(ShopAction::SlowShop { shop: name.clone(), factor_pct: slow_to })}>
                        { if slow_to == 100 { "Normal speed" } else { "Slow ×3" } }
                    </button>
                </td>
            </tr>
        }
    });
    html! {
        <div class="live">
            <div class="table-scroll">
                <table class="shops">
                    <thead><tr><th>{ "Shop" }</th><th>{ "State" }</th><th class="num">{ "Oven / queued" }</th>
                        <th class="num">{ "Made" }</th><th>{ "Act now" }</th></tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            </div>
            <div class="broker-actions">
                <span data-testid="broker-state">{ if snap.broker_up { "Broker up" } else { "Broker down" } }
                    { if snap.persistent { " (queue on disk)" } else { " (queue in memory)" } }</span>
                if snap.broker_up {
                    <button data-testid="crash-broker" onclick={act(ShopAction::CrashBroker)}>{ "Crash broker" }</button>
                } else {
                    <button data-testid="restart-broker" onclick={act(ShopAction::RestartBroker)}>{ "Restart broker" }</button>
                }
            </div>
            <p class="muted explain">{ format!("Actions are recorded at the animation's time (now {:.1} s) and become part of the shared scenario.", at_ms as f64 / 1000.0) }</p>
        </div>
    }
}
