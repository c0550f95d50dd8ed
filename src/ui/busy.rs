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

thread_local! {
    static STARTING: Cell<bool> = const { Cell::new(false) };
}

/// True while the page starts: from `begin_starting` until the page first falls idle. Work sliced
/// meanwhile runs in shorter slices, so the page answers (and a phone's main thread is never held
/// long) while its code starts and its first session is computed.
pub fn starting() -> bool {
    STARTING.with(Cell::get)
}

/// A slice of work while the page starts, ms (see `starting`).
const STARTING_SLICE_MS: f64 = 6.0;

/// The time budget of a slice of work: `normal`, or a short one while the page starts.
pub fn slice_ms(normal: f64) -> f64 {
    if starting() { STARTING_SLICE_MS.min(normal) } else { normal }
}

/// The page starts now (see `starting`).
pub fn begin_starting() {
    STARTING.with(|s| s.set(true));
    watch_start();
}

fn watch_start() {
    gloo_timers::callback::Timeout::new(100, || {
        if idle() {
            STARTING.with(|s| s.set(false));
        } else {
            watch_start();
        }
    })
    .forget();
}
