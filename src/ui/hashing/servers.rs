//! The server table (move by hand, back to hash, remove), the add-server form and the lab settings.

use crate::scenario::Edit;
use crate::sim::hashing::{Hashing, HashingAction, HashingConfig, HashingReport, limits};
use crate::ui::app::{AppAction, Notice};
use crate::ui::form::{Checked, Field, text_of, use_checked, whole, whole_in};
use crate::ui::format::{count, pct};
use crate::ui::palette;
use crate::ui::scroll::scroll;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// The virtual-node counts the slider offers (160 is ketama's default).
const VNODE_STEPS: [u32; 12] = [1, 2, 3, 5, 10, 20, 50, 100, 160, 200, 500, 1000];

fn hashing(on_action: &Callback<AppAction>, action: HashingAction) {
    on_action.emit(AppAction::edit::<Hashing>(Edit::Live { at_ms: 0, action }));
}

fn error(on_action: &Callback<AppAction>, text: String) {
    on_action.emit(AppAction::Notice(Notice::error(text)));
}

/// Reads an optional whole number from an input: empty is `None`, anything else must parse.
fn read_u64(input: &NodeRef, what: &str) -> Result<Option<u64>, String> {
    let Some(el) = input.cast::<HtmlInputElement>() else { return Ok(None) };
    let text = el.value();
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.replace([',', '_', ' '], "")
        .parse::<u64>()
        .map(Some)
        .map_err(|_| format!("{what} must be a whole number, not \"{}\".", text.chars().take(24).collect::<String>()))
}

#[derive(Properties, PartialEq)]
pub struct TableProps {
    pub report: Rc<HashingReport>,
    pub on_action: Callback<AppAction>,
}

/// Rows listed before "show all": a thousand rows of inputs take the page a long task to draw.
const ROWS_SHOWN: usize = 100;

/// One row per server, in modulo order (server number i gets h % N == i); the first hundred, then all
/// on request.
#[function_component(ServerTable)]
pub fn server_table(props: &TableProps) -> Html {
    let show_all = use_state(|| false);
    let r = &props.report;
    let shown = if *show_all { r.servers.len() } else { r.servers.len().min(ROWS_SHOWN) };
    let rows = r.servers.iter().take(shown).enumerate().map(|(i, s)| {
        let name = s.name.clone();
        let on_action = props.on_action.clone();
        let on_position = {
            let name = name.clone();
            let on_action = on_action.clone();
            Callback::from(move |e: Event| {
                let Some(input) = e.target_dyn_into::<HtmlInputElement>() else { return };
                let text = input.value();
                match text.trim().parse::<u64>() {
                    Ok(p) => hashing(&on_action, HashingAction::PlaceServer { name: name.clone(), position: Some(p) }),
                    Err(_) => error(&on_action, format!("A position is a whole number; \"{}\" is not.", text.trim())),
                }
            })
        };
        let by_hash = {
            let name = name.clone();
            let on_action = on_action.clone();
            Callback::from(move |_| hashing(&on_action, HashingAction::PlaceServer { name: name.clone(), position: None }))
        };
        let on_weight = {
            let name = name.clone();
            let on_action = on_action.clone();
            Callback::from(move |e: Event| {
                let Some(input) = e.target_dyn_into::<HtmlInputElement>() else { return };
                let text = input.value();
                match text.trim().parse::<u32>() {
                    Ok(weight) => hashing(&on_action, HashingAction::SetWeight { name: name.clone(), weight }),
                    Err(_) => error(&on_action, format!("A weight is a whole number from 1 to {}; \"{}\" is not.", limits::WEIGHT_MAX, text.trim())),
                }
            })
        };
        let remove = {
            let name = name.clone();
            Callback::from(move |e: MouseEvent| {
                // The row goes: focus moves to the next row's Remove (or the previous one's, or the add
                // form) rather than falling to the page, for whoever removes servers with the keyboard.
                let next = e.target_dyn_into::<web_sys::Element>().and_then(|b| b.closest("tr").ok().flatten()).and_then(|tr| {
                    let pick = |row: Option<web_sys::Element>| row.and_then(|r| r.query_selector("[data-testid=remove-server]").ok().flatten());
                    pick(tr.next_element_sibling()).or_else(|| pick(tr.previous_element_sibling()))
                });
                hashing(&on_action, HashingAction::RemoveServer { name: name.clone() });
                let target = next.or_else(|| {
                    web_sys::window()?.document()?.query_selector("[data-testid=add-name]").ok().flatten()
                });
                if let Some(el) = target.and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok()) {
                    let _ = el.focus();
                }
            })
        };
        html! {
            <tr data-testid="server-row" data-name={s.name.clone()} key={s.name.clone()}>
                <td>{ palette::swatch(i) }</td>
                <th scope="row" class="server-name" title={crate::ui::format::shown(&s.name)}><bdi>{ crate::ui::format::shown(&s.name) }</bdi></th>
                <td>
                    <input class="position" type="text" inputmode="numeric" value={s.position.to_string()}
                        aria-label={format!("Position of {}", s.name)} data-testid="position" onchange={on_position} />
                    if s.placed_by == "hand" {
                        <button class="link" title="Place this server at hash(name) % M again" onclick={by_hash}>{ "by hash" }</button>
                    }
                </td>
                <td>
                    <input class="weight" type="number" min="1" max={limits::WEIGHT_MAX.to_string()} value={s.weight.to_string()}
                        aria-label={format!("Weight of {}", s.name)} data-testid="weight" onchange={on_weight}
                        title={format!("{} ring points", s.points)} />
                </td>
                <td class="num" data-testid="ring-share" title="Share of the ring's positions this server owns">{ pct(s.ring_space_pct) }</td>
                <td class="num" data-testid="ring-keys">{ count(s.ring_keys) }</td>
                <td class="num" data-testid="modulo-keys">{ count(s.modulo_keys) }</td>
                <td><button class="remove" data-testid="remove-server" aria-label={format!("Remove {}", s.name)} onclick={remove}>{ "Remove" }</button></td>
            </tr>
        }
    });
    html! {
        { scroll("Servers", html! { <>
            <table class="servers">
                <thead>
                    <tr>
                        <th><span class="sr-only">{ "Colour" }</span></th>
                        <th>{ "Server" }</th>
                        <th title="Ring position in 0..M-1; edit it to place the server by hand">{ "Position" }</th>
                        <th title="Relative capacity: a server of weight w gets w times the ring points">{ "Weight" }</th>
                        <th title="Share of the key space owned on the ring">{ "Ring share" }</th>
                        <th title="Keys of the key set on the ring">{ "Ring keys" }</th>
                        <th title="Keys of the key set under h % N">{ "Modulo keys" }</th>
                        <th><span class="sr-only">{ "Actions" }</span></th>
                    </tr>
                </thead>
                <tbody>{ for rows }</tbody>
            </table>
            if shown < r.servers.len() {
                <button class="show-all" data-testid="show-all-servers" onclick={{
                    let show_all = show_all.clone();
                    Callback::from(move |_| show_all.set(true))
                }}>{ format!("Show all {} servers (the first {} are listed)", count(r.servers.len() as u64), shown) }</button>
            }
        </> }) }
    }
}

#[derive(Properties, PartialEq)]
pub struct AddProps {
    pub next_name: String,
    /// Servers on the ring: when it changes (the server was added), the form empties.
    pub servers: usize,
    pub on_action: Callback<AppAction>,
}

/// Adds a server with an optional name and an optional hand position. What the user typed stays until
/// the server is added: a refusal (a name taken, a position outside the ring) keeps it, to correct.
#[function_component(AddServer)]
pub fn add_server(props: &AddProps) -> Html {
    let name_ref = use_node_ref();
    let position_ref = use_node_ref();
    let marks = use_checked(props.servers);
    let submit = {
        let (name_ref, position_ref, marks) = (name_ref.clone(), position_ref.clone(), marks.clone());
        let on_action = props.on_action.clone();
        let next_name = props.next_name.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let typed = text_of(&name_ref).trim().to_string();
            let name = if typed.is_empty() { next_name.clone() } else { typed };
            let mut k = Checked::default();
            match k.field("add-position", read_u64(&position_ref, "A position")) {
                Some(position) => {
                    marks.set(k);
                    hashing(&on_action, HashingAction::AddServer { name, position });
                }
                None => {
                    error(&on_action, k.summary());
                    marks.set(k);
                }
            }
        })
    };
    html! {
        <form class="add-server" onsubmit={submit} novalidate=true>
            <Field label="Name" node={name_ref} testid="add-name" source="" reset={props.servers as u64} inputmode="text"
                placeholder={props.next_name.clone()} maxlength={limits::NAME_LEN_MAX.to_string()} />
            <Field label="Position" node={position_ref} testid="add-position" source="" reset={props.servers as u64}
                placeholder="by hash" error={marks.error("add-position")} />
            <button type="submit" class="primary" data-testid="add-server">{ "Add server" }</button>
        </form>
    }
}

#[derive(Properties, PartialEq)]
pub struct SettingsProps {
    pub report: Rc<HashingReport>,
    pub seed: u64,
    /// The session's starting configuration (a new seed keeps it).
    pub config: Rc<HashingConfig>,
    pub on_action: Callback<AppAction>,
}

/// Ring size M, number of keys, and the seed the keys are drawn from: applied together, or none.
#[function_component(Settings)]
pub fn settings(props: &SettingsProps) -> Html {
    let m_ref = use_node_ref();
    let keys_ref = use_node_ref();
    let seed_ref = use_node_ref();
    let r = &props.report;
    let marks = use_checked((r.ring_size, r.key_count, props.seed));
    let submit = {
        let (m_ref, keys_ref, seed_ref) = (m_ref.clone(), keys_ref.clone(), seed_ref.clone());
        let (on_action, marks) = (props.on_action.clone(), marks.clone());
        let (ring_size, key_count, seed) = (r.ring_size, r.key_count, props.seed);
        let config = props.config.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let mut k = Checked::default();
            let plain = |r: &NodeRef| text_of(r).replace([',', '_', ' '], "");
            let m = k.field(
                "ring-size",
                whole(&plain(&m_ref), "The ring size M")
                    .and_then(|m| if m >= 1 { Ok(m) } else { Err("The ring size M must be at least 1.".into()) }),
            );
            let keys =
                k.field("key-count", whole_in(&plain(&keys_ref), "The number of keys", 0, limits::KEYS_MAX.into()));
            let s = k.field("seed", whole(&plain(&seed_ref), "The seed"));
            let (Some(m), Some(keys), Some(s)) = (m, keys, s) else {
                on_action.emit(AppAction::Notice(Notice::error(k.summary())));
                return marks.set(k);
            };
            let mut edits = Vec::new();
            if m != ring_size {
                edits.push(Edit::Live { at_ms: 0, action: HashingAction::SetRingSize { ring_size: m } });
            }
            if keys != key_count {
                edits.push(Edit::Live { at_ms: 0, action: HashingAction::SetKeyCount { key_count: keys as u32 } });
            }
            if s != seed {
                edits.push(Edit::Setup { seed: s, config: (*config).clone() });
            }
            marks.set(Checked::default());
            if !edits.is_empty() {
                on_action.emit(AppAction::edits::<Hashing>(edits));
            }
        })
    };
    let vnodes_now = r.vnodes;
    let step = VNODE_STEPS.iter().position(|&k| k >= vnodes_now).unwrap_or(VNODE_STEPS.len() - 1);
    let on_vnodes = {
        let on_action = props.on_action.clone();
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<HtmlInputElement>() else { return };
            let picked = input.value().parse::<usize>().ok().and_then(|i| VNODE_STEPS.get(i).copied());
            if let Some(vnodes) = picked.filter(|&k| k != vnodes_now) {
                hashing(&on_action, HashingAction::SetVnodes { vnodes });
            }
        })
    };
    html! {
        <>
        <label class="vnodes" title="Ring points per server (per unit of weight): more points spread the load more evenly, about 1/sqrt(k)">
            { format!("Virtual nodes per server: k = {}", r.vnodes) }
            <input type="range" min="0" max={(VNODE_STEPS.len() - 1).to_string()} value={step.to_string()}
                data-testid="vnodes" onchange={on_vnodes} aria-valuetext={r.vnodes.to_string()} />
        </label>
        <form class="settings" onsubmit={submit} novalidate=true>
            <Field label="Ring size M" node={m_ref} testid="ring-size" source={r.ring_size.to_string()} error={marks.error("ring-size")} />
            <Field label="Keys" node={keys_ref} testid="key-count" source={r.key_count.to_string()} error={marks.error("key-count")}
                title={format!("Uniformly random request ids drawn from the seed; up to {}", count(limits::KEYS_MAX.into()))} />
            <Field label="Seed" node={seed_ref} testid="seed" source={props.seed.to_string()} error={marks.error("seed")} />
            <button type="submit" data-testid="apply-settings">{ "Apply" }</button>
        </form>
        </>
    }
}
