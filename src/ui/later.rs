//! Parts of a page mounted after it, one part per task: a lab's cards, each drawn (its DOM built, its
//! charts painted) in a task of its own instead of the whole page in one long task. Parts are mounted
//! in the order they were first rendered, which is the page's order, so a part never appears above one
//! already shown and nothing visible moves. Once mounted, a part re-renders like any other.

use super::busy::Working;
use yew::prelude::*;

/// Runs `work` now, or, while the page starts (`busy::starting`), in a task of its own after those
/// queued before it: a chart drawn as its card mounts is drawn in the next task, not in the card's.
pub fn soon(work: impl FnOnce() + 'static) {
    if super::busy::starting() {
        let working = Working::start();
        super::task::next(move || {
            work();
            drop(working);
        });
    } else {
        work();
    }
}

#[derive(Properties, PartialEq)]
pub struct LaterProps {
    pub children: Html,
}

/// Its children, mounted in a task after the one that first rendered it (an empty placeholder until).
#[function_component(Later)]
pub fn later(props: &LaterProps) -> Html {
    let shown = use_state(|| false);
    {
        let shown = shown.clone();
        use_effect_with((), move |_| {
            // Held until shown: the page is not idle (its session not yet opened) before.
            let working = Working::start();
            super::task::next(move || {
                shown.set(true);
                drop(working);
            });
        });
    }
    if *shown {
        props.children.clone()
    } else {
        html! { <div class="later" aria-hidden="true"></div> }
    }
}
