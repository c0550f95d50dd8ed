//! The setup form: shops, speed, order rate, persistence, delivery, redistribution, heartbeat check,
//! visibility timeout, attempts and a poison order. Applying it replaces the starting configuration;
//! the core refuses anything outside its limits with a sentence, shown as a notice.

use super::QueueSession;
use crate::scenario::Edit;
use crate::sim::queue::MessageQueue;
use crate::sim::queue::{Delivery, Redistribution, ShopConfig, ShopSpec, limits};
use crate::ui::app::{AppAction, Notice};
use crate::ui::form::{number, selected, small};
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ConfigFormProps {
    pub session: QueueSession,
    pub on_action: Callback<AppAction>,
}

/// The form.
#[function_component(ConfigForm)]
pub fn config_form(props: &ConfigFormProps) -> Html {
    let refs: [NodeRef; 11] = Default::default();
    let c = props.session.config().clone();
    let [shops, ovens, speed, orders, rate, persistent, delivery, redistribution, check, visibility, attempts] =
        refs.clone();
    let poison = use_node_ref();
    let seed_ref = use_node_ref();
    let seed = props.session.scenario.seed;
    let on_apply = {
        let (on_action, base) = (props.on_action.clone(), c.clone());
        let refs = refs.clone();
        let poison = poison.clone();
        let seed_ref = seed_ref.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let [shops, ovens, speed, orders, rate, persistent, delivery, redistribution, check, visibility, attempts] =
                &refs;
            let parsed = (|| -> Result<ShopConfig, String> {
                let n = number(shops, "The number of shops")?;
                if n == 0 || n > limits::SHOPS_MAX as u64 {
                    return Err(format!("The number of shops must be between 1 and {} (got {n}).", limits::SHOPS_MAX));
                }
                let (ovens, speed_pct) = (small(ovens, "Ovens per shop")?, small(speed, "Shop speed")?);
                let check_ms = number(check, "The heartbeat check interval")?.saturating_mul(1000);
                let poison_text = poison.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
                let poison_orders = match poison_text.trim() {
                    "" => Vec::new(),
                    t => vec![
                        t.parse::<u64>()
                            .map_err(|_| format!("The poison order must be an order number (got \"{t}\")."))?,
                    ],
                };
                Ok(ShopConfig {
                    shops: (0..n).map(|i| ShopSpec { name: format!("PS{i}"), ovens, speed_pct }).collect(),
                    orders: small(orders, "Orders")?,
                    order_rate_per_min: small(rate, "The order rate")?,
                    persistent: persistent.cast::<HtmlInputElement>().is_some_and(|i| i.checked()),
                    delivery: match selected(delivery).as_str() {
                        "at-most-once" => Delivery::AtMostOnce,
                        "effectively-once" => Delivery::EffectivelyOnce,
                        _ => Delivery::AtLeastOnce,
                    },
                    redistribution: if selected(redistribution) == "ring" {
                        Redistribution::Ring
                    } else {
                        Redistribution::Naive
                    },
                    check_every_ms: check_ms,
                    heartbeat_every_ms: base.heartbeat_every_ms.min(check_ms.max(1)),
                    visibility_timeout_ms: number(visibility, "The visibility timeout")?.saturating_mul(1000),
                    max_attempts: small(attempts, "Attempts")?,
                    poison_orders,
                    ..base.clone()
                })
            })();
            let seed = number(&seed_ref, "The seed");
            match parsed.and_then(|config| seed.map(|seed| (config, seed))) {
                Ok((config, seed)) => on_action.emit(AppAction::edit::<MessageQueue>(Edit::Setup { config, seed })),
                Err(e) => on_action.emit(AppAction::Notice(Notice::error(e))),
            }
        })
    };
    let clear = {
        let on_action = props.on_action.clone();
        Callback::from(move |_| on_action.emit(AppAction::edit::<MessageQueue>(Edit::ClearActions)))
    };
    let undo = {
        let on_action = props.on_action.clone();
        Callback::from(move |_| on_action.emit(AppAction::edit::<MessageQueue>(Edit::Undo)))
    };
    let first = c.shops.first().cloned().unwrap_or(ShopSpec { name: "PS0".into(), ovens: 1, speed_pct: 100 });
    let field = |label: &'static str, r: &NodeRef, testid: &'static str, value: String, max: String| {
        html! {
            <label>{ label }
                <input ref={r.clone()} data-testid={testid} type="number" min="0" max={max} inputmode="numeric" value={value} />
            </label>
        }
    };
    let d = c.delivery;
    let actions = props.session.actions();
    html! {
        <>
        <form class="queue-config" onsubmit={on_apply} data-testid="queue-config">
            { field("Shops", &shops, "cfg-shops", c.shops.len().to_string(), limits::SHOPS_MAX.to_string()) }
            { field("Ovens each", &ovens, "cfg-ovens", first.ovens.to_string(), limits::OVENS_MAX.to_string()) }
            { field("Speed %", &speed, "cfg-speed", first.speed_pct.to_string(), "1000".into()) }
            { field("Orders", &orders, "cfg-orders", c.orders.to_string(), limits::ORDERS_MAX.to_string()) }
            { field("Orders / min", &rate, "cfg-rate", c.order_rate_per_min.to_string(), limits::RATE_PER_MIN_MAX.to_string()) }
            { field("Heartbeat check H (s)", &check, "cfg-check", (c.check_every_ms / 1000).to_string(), "3600".into()) }
            { field("Visibility timeout (s)", &visibility, "cfg-visibility", (c.visibility_timeout_ms / 1000).to_string(), "3600".into()) }
            { field("Max attempts", &attempts, "cfg-attempts", c.max_attempts.to_string(), limits::ATTEMPTS_MAX.to_string()) }
            <label>{ "Poison order #" }
                <input ref={poison} data-testid="cfg-poison" type="text" inputmode="numeric" placeholder="none"
                    value={c.poison_orders.first().map(u64::to_string).unwrap_or_default()} />
            </label>
            <label>{ "Delivery" }
                <select ref={delivery} data-testid="cfg-delivery">
                    <option value="at-most-once" selected={d == Delivery::AtMostOnce}>{ "at most once" }</option>
                    <option value="at-least-once" selected={d == Delivery::AtLeastOnce}>{ "at least once" }</option>
                    <option value="effectively-once" selected={d == Delivery::EffectivelyOnce}>{ "effectively once" }</option>
                </select>
            </label>
            <label>{ "Redistribution" }
                <select ref={redistribution} data-testid="cfg-redistribution">
                    <option value="naive" selected={c.redistribution == Redistribution::Naive}>{ "naive (re-send all)" }</option>
                    <option value="ring" selected={c.redistribution == Redistribution::Ring}>{ "consistent-hash ring" }</option>
                </select>
            </label>
            <label>{ "Seed" }
                <input ref={seed_ref} data-testid="cfg-seed" type="number" min="0" inputmode="numeric" value={seed.to_string()}
                    title="The random draw of order times, kinds and work; the same seed replays the same run" />
            </label>
            <label class="check">
                <input ref={persistent} data-testid="cfg-persistent" type="checkbox" checked={c.persistent} />
                { "Queue on disk (persistent)" }
            </label>
            <button class="primary" type="submit" data-testid="cfg-apply">{ "Apply and restart" }</button>
        </form>
        <div class="recorded">
            <h3>{ format!("Recorded actions ({})", actions.len()) }</h3>
            if actions.is_empty() {
                <p class="muted">{ "None yet: use Kill, Restart, Slow or Crash broker while the shop runs." }</p>
            } else {
                <ol class="actions-list" data-testid="queue-actions">
                    { for actions.iter().map(|(t, a)| html! { <li>{ format!("{:.1} s: {}", *t as f64 / 1000.0, a.describe()) }</li> }) }
                </ol>
            }
            <div class="row">
                <button data-testid="queue-undo" onclick={undo} disabled={actions.is_empty()}>{ "Undo last" }</button>
                <button data-testid="queue-clear" onclick={clear} disabled={actions.is_empty()}>{ "Clear actions" }</button>
            </div>
        </div>
        </>
    }
}
