//! Whether the page is still computing what it shows: every piece of sliced work (`sliced`, `chunked`,
//! the timeline computed ahead in `playback`) holds a `Working` token until it is over. The root watches
//! for the page to fall idle after opening a session, to know the session finished opening.

use std::cell::Cell;

thread_local! {
    static WORKING: Cell<usize> = const { Cell::new(0) };
}

/// Held while some work is under way; dropping it (the work is over, or replaced) releases it.
#[derive(Debug)]
pub struct Working(());

impl Working {
    pub fn start() -> Self {
        WORKING.with(|w| w.set(w.get() + 1));
        Self(())
    }
}

impl Drop for Working {
    fn drop(&mut self) {
        WORKING.with(|w| w.set(w.get().saturating_sub(1)));
    }
}

/// True when no work is under way.
pub fn idle() -> bool {
    WORKING.with(Cell::get) == 0
}
