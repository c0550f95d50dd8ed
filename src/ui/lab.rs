//! The page side of the lab contract: what a lab implements in its folder under `src/ui/`. The
//! registry (`crate::labs`) lists the labs once and dispatches `LabId::page` to these.

use super::app::{AppAction, Playhead};
use crate::scenario::{Registered, Session};
use yew::prelude::*;

/// What every lab page gets: its session, the preset it was opened from, the app's dispatcher, and
/// where to report its playhead (so Share can link to the moment shown).
#[derive(Properties, Clone, PartialEq)]
pub struct PageProps {
    pub session: Session,
    pub active_preset: Option<String>,
    pub on_action: Callback<AppAction>,
    pub playhead: Playhead,
}

/// A lab's page.
pub trait LabPage: Registered {
    /// The page, for a session of this lab.
    fn page(props: PageProps) -> Html;
}

/// A lab's heading and introduction (`Lab::INTRO`), as the site's HTML already shows them before the
/// code arrives: the same markup, so the page's largest text is not painted a second time larger.
pub fn intro<L: crate::scenario::Lab>() -> Html {
    Html::from_html_unchecked(L::INTRO.into())
}
