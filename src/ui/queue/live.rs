//! The live actions (kill, restart or slow a shop; crash or restart the broker), recorded in the
//! scenario at the animation's current virtual time.

use super::Frame;
use crate::scenario::Edit;
use crate::sim::queue::MessageQueue;
use crate::sim::queue::ShopAction;
use crate::ui::app::AppAction;
use crate::ui::scroll::scroll;
use yew::prelude::*;

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
        Callback::from(move |_| on.emit(AppAction::edit::<MessageQueue>(Edit::Live { at_ms, action: action.clone() })))
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
            { scroll("Shops", html! { <>
                <table class="shops">
                    <thead><tr><th>{ "Shop" }</th><th>{ "State" }</th><th class="num">{ "Oven / queued" }</th>
                        <th class="num">{ "Made" }</th><th>{ "Act now" }</th></tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            </> }) }
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
