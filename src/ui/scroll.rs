//! A region that scrolls when its content is wider (or taller) than the page allows: a wide table on a
//! phone, a long log. Keyboard users reach it (it takes the focus, so the arrow keys scroll it) and a
//! screen reader names it, as WCAG 2.1.1 asks of scrollable content and axe-core's
//! `scrollable-region-focusable` checks. Lists that scroll themselves take the same two attributes
//! (`tabindex="0"` and an `aria-label`) on the list. A function, not a component: it is used in every
//! lab, and a component's machinery costs the wasm more than the four attributes it writes.

use yew::prelude::*;

/// `<div class="table-scroll" role="region" aria-label={label} tabindex="0">` around `content`.
pub fn scroll(label: impl Into<AttrValue>, content: Html) -> Html {
    scroll_as("table-scroll", label.into(), content)
}

/// The same with another overflow style (`log-scroll`, `svg-scroll`).
pub fn scroll_as(class: &'static str, label: impl Into<AttrValue>, content: Html) -> Html {
    html! {
        <div class={class} role="region" aria-label={label.into()} tabindex="0">{ content }</div>
    }
}
