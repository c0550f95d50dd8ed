//! A region that scrolls when its content is wider (or taller) than the page allows: a wide table on a
//! phone, a long log. Keyboard users reach it (it takes the focus, so the arrow keys scroll it) and a
//! screen reader names it, as WCAG 2.1.1 asks of scrollable content and axe-core's
//! `scrollable-region-focusable` checks. Lists that scroll themselves take the same two attributes
//! (`tabindex="0"` and an `aria-label`) on the list.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ScrollProps {
    /// What the region holds, read out on focus ("Servers", "Event log").
    pub label: AttrValue,
    /// The overflow style (`table-scroll`, `log-scroll`, `svg-scroll`).
    #[prop_or(classes!("table-scroll"))]
    pub class: Classes,
    #[prop_or_default]
    pub children: Html,
}

/// `<div class role="region" aria-label tabindex="0">` around `children`.
#[function_component(Scroll)]
pub fn scroll(props: &ScrollProps) -> Html {
    html! {
        <div class={props.class.clone()} role="region" aria-label={props.label.clone()} tabindex="0">
            { props.children.clone() }
        </div>
    }
}
