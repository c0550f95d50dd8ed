//! The setup form: shops, speed, order rate, persistence, delivery, redistribution, heartbeat check,
//! visibility timeout, attempts and a poison order. Applying it replaces the starting configuration;
//! the core refuses anything outside its limits with a sentence, shown as a notice.

use super::QueueSession;
use crate::scenario::Edit;
use crate::sim::queue::MessageQueue;
use crate::sim::queue::{Delivery, Redistribution, ShopConfig, ShopSpec, limits};
use crate::ui::app::{AppAction, Notice};
use crate::ui::form::{
    Check, Checked, Field, checked, seconds_in, seconds_plain, selected, text_of, use_checked, whole, whole_in,
};
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
    let marks = use_checked((seed, c.clone()));
    let on_apply = {
        let (on_action, base, marks) = (props.on_action.clone(), c.clone(), marks.clone());
        let refs = refs.clone();
        let poison = poison.clone();
        let seed_ref = seed_ref.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let [shops, ovens, speed, orders, rate, persistent, delivery, redistribution, check, visibility, attempts] =
                &refs;
            let mut k = Checked::default();
            let hour = limits::DURATION_MS_MAX;
            let fields = (
                k.field("cfg-shops", whole_in(&text_of(shops), "Shops", 1, limits::SHOPS_MAX as u64)),
                k.field("cfg-ovens", whole_in(&text_of(ovens), "Ovens each", 1, limits::OVENS_MAX.into())),
                k.field("cfg-speed", whole_in(&text_of(speed), "Speed %", 10, 1_000)),
                k.field("cfg-orders", whole_in(&text_of(orders), "Orders", 1, limits::ORDERS_MAX.into())),
                k.field("cfg-rate", whole_in(&text_of(rate), "Orders / min", 1, limits::RATE_PER_MIN_MAX.into())),
                k.field("cfg-check", seconds_in(&text_of(check), "The heartbeat check H (s)", 1, hour)),
                k.field("cfg-visibility", seconds_in(&text_of(visibility), "The visibility timeout (s)", 1, hour)),
                k.field("cfg-attempts", whole_in(&text_of(attempts), "Max attempts", 1, limits::ATTEMPTS_MAX.into())),
                k.field(
                    "cfg-poison",
                    match text_of(&poison).trim() {
                        "" => Ok(Vec::new()),
                        t => whole(t, "The poison order").map(|n| vec![n]),
                    },
                ),
                k.field("cfg-seed", whole(&text_of(&seed_ref), "The seed")),
            );
            let (
                Some(n),
                Some(ovens),
                Some(speed_pct),
                Some(orders),
                Some(rate),
                Some(check_ms),
                Some(visibility_ms),
                Some(attempts),
                Some(poison_orders),
                Some(seed),
            ) = fields
            else {
                on_action.emit(AppAction::Notice(Notice::error(k.summary())));
                return marks.set(k);
            };
            let config = ShopConfig {
                shops: (0..n)
                    .map(|i| ShopSpec { name: format!("PS{i}"), ovens: ovens as u32, speed_pct: speed_pct as u32 })
                    .collect(),
                orders: orders as u32,
                order_rate_per_min: rate as u32,
                persistent: checked(persistent),
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
                visibility_timeout_ms: visibility_ms,
                max_attempts: attempts as u32,
                poison_orders,
                ..base.clone()
            };
            k.whole(config.validate());
            if k.is_ok() {
                marks.set(Checked::default());
                on_action.emit(AppAction::edit::<MessageQueue>(Edit::Setup { config, seed }));
            } else {
                on_action.emit(AppAction::Notice(Notice::error(k.summary())));
                marks.set(k);
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
    let field = |label: &'static str, r: &NodeRef, testid: &'static str, value: String| {
        html! { <Field label={label} node={r.clone()} testid={testid} source={value} error={marks.error(testid)} /> }
    };
    let d = c.delivery;
    let actions = props.session.actions();
    html! {
        <>
        <form class="queue-config" onsubmit={on_apply} data-testid="queue-config" novalidate=true>
            { field("Shops", &shops, "cfg-shops", c.shops.len().to_string()) }
            { field("Ovens each", &ovens, "cfg-ovens", first.ovens.to_string()) }
            { field("Speed %", &speed, "cfg-speed", first.speed_pct.to_string()) }
            { field("Orders", &orders, "cfg-orders", c.orders.to_string()) }
            { field("Orders / min", &rate, "cfg-rate", c.order_rate_per_min.to_string()) }
            { field("Heartbeat check H (s)", &check, "cfg-check", seconds_plain(c.check_every_ms)) }
            { field("Visibility timeout (s)", &visibility, "cfg-visibility", seconds_plain(c.visibility_timeout_ms)) }
            { field("Max attempts", &attempts, "cfg-attempts", c.max_attempts.to_string()) }
            <Field label="Poison order #" node={poison} testid="cfg-poison" placeholder="none" error={marks.error("cfg-poison")}
                source={c.poison_orders.first().map(u64::to_string).unwrap_or_default()} />
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
            <Field label="Seed" node={seed_ref} testid="cfg-seed" source={seed.to_string()} error={marks.error("cfg-seed")}
                title="The random draw of order times, kinds and work; the same seed replays the same run" />
            <Check label="Queue on disk (persistent)" node={persistent} testid="cfg-persistent" source={c.persistent} />
            if let Some(e) = marks.whole_error() { <p class="form-error" role="alert" data-testid="form-error">{ e }</p> }
            <button class="primary" type="submit" data-testid="cfg-apply">{ "Apply and restart" }</button>
        </form>
        <div class="recorded">
            <h3>{ format!("Recorded actions ({})", actions.len()) }</h3>
            if actions.is_empty() {
                <p class="muted">{ "None yet: use Kill, Restart, Slow or Crash broker while the shop runs." }</p>
            } else {
                <ol class="actions-list" data-testid="queue-actions" tabindex="0" aria-label="Recorded actions">
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
