//! The list of a timed lab's recorded actions, with Undo and Clear: what was done at which moment.

use super::app::AppAction;
use crate::scenario::{ActionTime, Edit, LabSession, Registered};
use yew::prelude::*;

#[derive(Properties)]
pub struct RecordedProps<L: Registered> {
    pub session: LabSession<L>,
    pub on_action: Callback<AppAction>,
    /// Put before the test ids: `{prefix}actions`, `{prefix}undo`, `{prefix}clear`.
    pub testid_prefix: &'static str,
    /// What to say while nothing is recorded.
    pub empty: &'static str,
    /// An action's moment as the list says it.
    pub when: fn(ActionTime) -> String,
}

impl<L: Registered> PartialEq for RecordedProps<L> {
    fn eq(&self, other: &Self) -> bool {
        self.session == other.session
            && self.on_action == other.on_action
            && self.testid_prefix == other.testid_prefix
            && self.empty == other.empty
    }
}

/// The recorded actions, with Undo and Clear.
#[function_component(Recorded)]
pub fn recorded<L: Registered>(props: &RecordedProps<L>) -> Html {
    let actions = props.session.actions();
    let edit = |e: Edit<L>| {
        let on = props.on_action.clone();
        Callback::from(move |_| on.emit(AppAction::edit::<L>(e.clone())))
    };
    let id = |what: &str| format!("{}{what}", props.testid_prefix);
    html! {
        <div class="recorded">
            <h3>{ format!("Recorded ({} of at most {})", actions.len(), crate::limits::ACTIONS_MAX) }</h3>
            if actions.is_empty() {
                <p class="muted">{ props.empty }</p>
            } else {
                <ol class="actions-list" data-testid={id("actions")} tabindex="0" aria-label="Recorded actions">
                    { for actions.iter().map(|(t, a)| html! { <li>{ format!("{}: {}", (props.when)(*t), L::describe(a)) }</li> }) }
                </ol>
            }
            <div class="row">
                <button data-testid={id("undo")} onclick={edit(Edit::Undo)} disabled={actions.is_empty()}>{ "Undo last" }</button>
                <button data-testid={id("clear")} onclick={edit(Edit::ClearActions)} disabled={actions.is_empty()}>{ "Clear" }</button>
            </div>
        </div>
    }
}
