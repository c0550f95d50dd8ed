//! The animation every simulated lab shares: a replay of the session's scenario that advances in
//! virtual time from an interval timer, in bounded slices of events so the tab never freezes, and the
//! playback bar (play, pause, step one virtual second, to the end, restart, speed, the clock). Live
//! actions are recorded at the animation's virtual time, so after one the replay starts over and
//! catches up with where the animation was. The timeline computed ahead is the run itself: once it
//! reaches the end, its last state is the whole run's outcome (`Playback::outcome`), so a page computes
//! its run once, in time-budgeted slices.

use super::app::Playhead;
use super::busy::Working;
use super::sliced::{Progress, now_ms};
use crate::scenario::{Finished, LabSession, Registered, Scenario};
use crate::sim::timeline::{TimedRun, Timeline};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use yew::prelude::*;

/// Real milliseconds between animation ticks.
const TICK_MS: i32 = 100;
/// Most simulation events processed in one tick: a long or busy run falls behind rather than freezing.
const EVENTS_PER_TICK: u64 = 20_000;
/// Real milliseconds of one slice of the timeline computed ahead (between slices the page answers input
/// and paints), and the events between two looks at the clock within a slice.
const AHEAD_SLICE_MS: f64 = 8.0;
const AHEAD_CHUNK: u64 = 4_096;
/// Real milliseconds between two progress re-renders while the timeline is computed.
const AHEAD_PROGRESS_MS: f64 = 500.0;
/// Virtual time between two looks at the clock while advancing, µs.
const STRIDE_US: u64 = 50_000;
/// Most looks at the clock in one call (a quiet run advances at most this many strides a tick).
const STRIDES_MAX: u32 = 100_000;

/// A timed lab as the animation drives it: the lab's own simulation (through `scenario::Lab`) and
/// what one frame of it shows.
pub trait Animated: Registered<Sim: TimedRun> {
    /// What a frame shows.
    type Snapshot: 'static;
    fn snapshot(sim: &Self::Sim) -> Self::Snapshot;
    /// What a frame shows at the animation's clock `clock_us` (at or after the last event processed):
    /// the snapshot, unless the lab shows something that depends on the moment between events.
    fn snapshot_at(sim: &Self::Sim, clock_us: u64) -> Self::Snapshot {
        let _ = clock_us;
        Self::snapshot(sim)
    }
    /// How much of the whole run `sim` has done, from 0 to 1, for a progress bar (when the lab knows).
    fn done_share(_sim: &Self::Sim) -> Option<f64> {
        None
    }
}

/// True when two scenarios start the same run of lab `L` (same seed and configuration; the actions may
/// differ).
fn same_start<L: Registered>(a: &Scenario, b: &Scenario) -> bool {
    a.seed == b.seed && a.setup::<L>().map(|(c, _)| c) == b.setup::<L>().map(|(c, _)| c)
}

/// What the animation shows now.
pub struct Frame<S> {
    /// The animation's virtual clock, µs.
    pub clock_us: u64,
    pub snap: Rc<S>,
    pub finished: bool,
    /// Events of the run up to the clock.
    pub events: u64,
    /// How far the timeline is computed, µs (the whole run once `end_known`).
    pub computed_us: u64,
    pub end_known: bool,
}

impl<S> Clone for Frame<S> {
    fn clone(&self) -> Self {
        Self {
            clock_us: self.clock_us,
            snap: self.snap.clone(),
            finished: self.finished,
            events: self.events,
            computed_us: self.computed_us,
            end_known: self.end_known,
        }
    }
}

impl<S> PartialEq for Frame<S> {
    /// A new snapshot is a new frame: compared by identity, not by content.
    fn eq(&self, other: &Self) -> bool {
        self.clock_us == other.clock_us
            && self.finished == other.finished
            && self.computed_us == other.computed_us
            && Rc::ptr_eq(&self.snap, &other.snap)
    }
}

/// The replay driving the animation: the timeline computed ahead in the background (checkpoints every
/// so many events), and the run at the clock, what the frame shows. Going back copies the nearest
/// checkpoint and replays from there; going forward continues the shown run.
struct Player<A: Animated> {
    timeline: Option<Timeline<A::Sim>>,
    shown: Option<A::Sim>,
    clock_us: u64,
    /// Where the animation should be: after a live action the new run catches up to the old clock, a
    /// slice per tick, even while paused; "to the end" sets it to the end of time.
    catch_up_us: u64,
    scenario: Option<Rc<Scenario>>,
    /// The whole run summed up, once the timeline reached its end.
    outcome: Option<Rc<Finished<A>>>,
    /// Counts loads: a slice computing ahead for an older scenario stops.
    generation: u64,
    /// Held while the timeline is computed ahead.
    working: Option<Working>,
}

impl<A: Animated> Player<A> {
    /// Starts over on a new scenario; when only the recorded actions changed (a live action, an undo), it
    /// catches up with where the animation was.
    fn load(&mut self, scenario: &Rc<Scenario>, open_at_us: Option<u64>) {
        let same_start = self.scenario.as_ref().is_some_and(|old| same_start::<A>(old, scenario));
        let resume = open_at_us.unwrap_or(if same_start { self.clock_us } else { 0 });
        let sim = scenario.start::<A>().and_then(Result::ok);
        self.timeline = sim.clone().map(Timeline::new);
        self.shown = sim;
        self.clock_us = 0;
        self.catch_up_us = resume;
        self.scenario = Some(scenario.clone());
        self.outcome = None;
        self.generation += 1;
        self.working = self.timeline.as_ref().map(|_| Working::start());
        self.advance_to(resume, EVENTS_PER_TICK);
    }

    /// Computes the timeline ahead for about `budget_ms`; once it holds the whole run, sums it up as the
    /// outcome. Returns true when there is nothing left to compute.
    fn compute_ahead(&mut self, budget_ms: f64) -> bool {
        let Some(timeline) = self.timeline.as_mut() else { return true };
        super::sliced::work_for(budget_ms, AHEAD_CHUNK, |events| {
            timeline.advance(events);
            timeline.is_finished()
        });
        if timeline.is_finished() && self.outcome.is_none() {
            self.outcome = Some(Rc::new(Finished::of(timeline.head().clone())));
        }
        if timeline.is_finished() {
            self.working = None;
        }
        timeline.is_finished()
    }

    /// The whole run's outcome, or how far the timeline is.
    fn progress(&self) -> Progress<Finished<A>> {
        match &self.outcome {
            Some(o) => Progress::Done(o.clone()),
            None => Progress::Running { events: self.timeline.as_ref().map_or(0, Timeline::events), partial: None },
        }
    }

    /// Runs the shown run up to virtual time `target_us`, processing at most about `budget` events.
    fn advance_to(&mut self, target_us: u64, budget: u64) {
        let Some(sim) = self.shown.as_mut() else { return };
        let start = sim.events();
        // Events at the clock's own time first (an action recorded at the paused playhead, or at 0).
        sim.run_until(self.clock_us);
        // Strides per call are bounded too: a run with no event for a long while must not spin the tab.
        let mut strides = 0u32;
        while self.clock_us < target_us && !sim.is_finished() && sim.events() - start < budget && strides < STRIDES_MAX
        {
            strides += 1;
            self.clock_us = self.clock_us.saturating_add(STRIDE_US).min(target_us);
            sim.run_until(self.clock_us);
        }
        if sim.is_finished() {
            self.clock_us = self.clock_us.max(sim.now());
            self.catch_up_us = self.clock_us;
        }
    }

    /// One timer tick: `advance_us` of virtual time (0 when paused), or more to catch up (from the
    /// timeline, when it is computed that far: one copy instead of the events in between).
    fn tick(&mut self, advance_us: u64) {
        let target = self.clock_us.saturating_add(advance_us).max(self.catch_up_us);
        let known = self.timeline.as_ref().map_or(0, |t| if t.is_finished() { u64::MAX } else { t.computed_us() });
        if target > self.clock_us.saturating_add(advance_us) && known > self.clock_us.saturating_add(STRIDE_US) {
            let catch_up = self.catch_up_us;
            self.seek(target.min(known));
            self.catch_up_us = catch_up;
        }
        self.advance_to(target, EVENTS_PER_TICK);
    }

    /// Shows the run at virtual time `t_us` (past the computed timeline: the ticks catch up).
    fn seek(&mut self, t_us: u64) {
        let Some(timeline) = self.timeline.as_ref() else { return };
        let t_us = if timeline.is_finished() { t_us.min(timeline.computed_us()) } else { t_us };
        if t_us <= timeline.computed_us() {
            self.shown = Some(timeline.seek(t_us));
            self.clock_us = t_us;
            self.catch_up_us = t_us;
        } else {
            // Beyond what is computed: continue from the latest known moment, a slice per tick.
            let from = timeline.computed_us();
            self.shown = Some(timeline.seek(from));
            self.clock_us = from;
            self.catch_up_us = t_us;
            self.advance_to(t_us, EVENTS_PER_TICK);
        }
    }

    /// Shows the run one event earlier (or later), its clock at that event's time.
    fn step_event(&mut self, forward: bool) {
        let (Some(timeline), Some(shown)) = (self.timeline.as_ref(), self.shown.as_mut()) else { return };
        if forward {
            shown.step();
        } else {
            *shown = timeline.seek_events(shown.events().saturating_sub(1));
        }
        self.clock_us = shown.now();
        self.catch_up_us = self.clock_us;
    }

    fn finished(&self) -> bool {
        self.shown.as_ref().is_some_and(|s| s.is_finished())
    }

    fn frame(&self) -> Option<Frame<A::Snapshot>> {
        let timeline = self.timeline.as_ref()?;
        self.shown.as_ref().map(|s| Frame {
            clock_us: self.clock_us,
            snap: Rc::new(A::snapshot_at(s, self.clock_us)),
            finished: s.is_finished(),
            events: s.events(),
            computed_us: timeline.computed_us().max(self.clock_us),
            end_known: timeline.is_finished(),
        })
    }
}

/// What the playback buttons ask for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Command {
    Play(bool),
    /// One virtual second forward.
    Step,
    /// One virtual second back.
    Back,
    /// One event forward or back.
    Event {
        forward: bool,
    },
    /// To a virtual moment, µs.
    Seek(u64),
    Restart,
    ToEnd,
    Speed(u32),
}

/// The animation of one lab page: the current frame, the playback state and the whole run's outcome.
pub struct Playback<A: Animated> {
    pub frame: Option<Frame<A::Snapshot>>,
    /// The whole run (computed once, as the timeline): done when the timeline reached the end.
    pub outcome: Progress<Finished<A>>,
    /// The share of the whole run the timeline has computed, when the lab says (`Animated::done_share`).
    pub computed_share: Option<f64>,
    pub playing: bool,
    /// Virtual seconds per real second.
    pub speed: u32,
    pub on_command: Callback<Command>,
}

/// Animates `scenario`: replays it from the start (or catches up after a live action, or opens at the
/// session's moment, paused) and advances it while playing. The clock is reported to `playhead`.
#[hook]
pub fn use_playback<A: Animated>(session: &LabSession<A>, initial_speed: u32, playhead: &Playhead) -> Playback<A> {
    let player = use_mut_ref(|| Player::<A> {
        timeline: None,
        shown: None,
        clock_us: 0,
        catch_up_us: 0,
        scenario: None,
        outcome: None,
        generation: 0,
        working: None,
    });
    let frame = use_state(|| None::<Frame<A::Snapshot>>);
    let outcome = use_state(|| Progress::<Finished<A>>::Running { events: 0, partial: None });
    let playing = use_state(|| session.session.open_at_us.is_none());
    let speed = use_state(|| initial_speed);

    {
        let (player, frame, playing, outcome) = (player.clone(), frame.clone(), playing.clone(), outcome.clone());
        let open_at = session.session.open_at_us;
        use_effect_with(session.scenario.clone(), move |scenario| {
            let mut p = player.borrow_mut();
            p.load(scenario, open_at);
            if open_at.is_some() {
                playing.set(false);
            }
            frame.set(p.frame());
            // A small run is over in the first slice: its outcome shows with the first frame.
            p.compute_ahead(super::busy::slice_ms(AHEAD_SLICE_MS));
            outcome.set(p.progress());
            let generation = p.generation;
            drop(p);
            compute_ahead(player, generation, frame, outcome, now_ms());
        });
    }
    {
        let (player, frame) = (player.clone(), frame.clone());
        use_effect_with((*playing, *speed), move |&(playing, speed)| ticker(player, frame, playing, speed));
    }
    playhead.set((*frame).as_ref().map(|f| f.clock_us));
    let on_command = {
        let (player, frame, playing, speed) = (player.clone(), frame.clone(), playing.clone(), speed.clone());
        Callback::from(move |cmd: Command| {
            let mut p = player.borrow_mut();
            match cmd {
                Command::Play(on) => playing.set(on),
                Command::Step => {
                    playing.set(false);
                    let target = p.clock_us + 1_000_000;
                    p.catch_up_us = p.catch_up_us.max(target);
                    p.advance_to(target, EVENTS_PER_TICK);
                }
                Command::Back => {
                    playing.set(false);
                    let t = p.clock_us.saturating_sub(1_000_000);
                    p.seek(t);
                }
                Command::Event { forward } => {
                    playing.set(false);
                    p.step_event(forward);
                }
                Command::Seek(t) => {
                    playing.set(false);
                    p.seek(t);
                }
                Command::Restart => p.seek(0),
                // The ticks run to the end a slice at a time; the page stays responsive.
                Command::ToEnd => {
                    p.catch_up_us = u64::MAX;
                    p.advance_to(u64::MAX, EVENTS_PER_TICK);
                }
                Command::Speed(v) => speed.set(v),
            }
            frame.set(p.frame());
        })
    };
    // (A timer's callback may hold the player while a state it sets renders the page.)
    let computed_share =
        player.try_borrow().ok().and_then(|p| p.timeline.as_ref().and_then(|t| A::done_share(t.head())));
    // The outcome of this session's scenario only: right after a new one arrives (before the effect loads
    // it) the player still holds the previous run, whose outcome is not this one's. (An equal scenario,
    // say a preset opened again, is not loaded again: the effect compares by value, and so does this.)
    let same = |s: &Rc<Scenario>| Rc::ptr_eq(s, &session.scenario) || **s == *session.scenario;
    let outcome = match player.try_borrow() {
        Ok(p) if p.scenario.as_ref().is_some_and(same) => p.progress(),
        Ok(_) => Progress::Running { events: 0, partial: None },
        Err(_) => (*outcome).clone(),
    };
    Playback { frame: (*frame).clone(), outcome, computed_share, playing: *playing, speed: *speed, on_command }
}

/// Computes the timeline ahead, a slice per task, until the run is over (or a newer scenario was
/// loaded); shows the progress now and then, and the outcome (and the scrubber's known end) once over.
fn compute_ahead<A: Animated>(
    player: Rc<RefCell<Player<A>>>,
    generation: u64,
    frame: UseStateHandle<Option<Frame<A::Snapshot>>>,
    outcome: UseStateHandle<Progress<Finished<A>>>,
    shown_ms: f64,
) {
    if player.borrow().outcome.is_some() {
        return;
    }
    super::task::next(move || {
        let mut p = player.borrow_mut();
        if p.generation != generation {
            return;
        }
        let over = p.compute_ahead(super::busy::slice_ms(AHEAD_SLICE_MS));
        let due = now_ms() - shown_ms >= AHEAD_PROGRESS_MS;
        let progress = (over || due).then(|| p.progress());
        drop(p);
        if progress.is_none() {
            compute_ahead(player, generation, frame, outcome, shown_ms);
            return;
        }
        // The re-render in a task of its own, as in `sliced`.
        super::task::next(move || {
            if let Some(progress) = progress {
                outcome.set(progress);
            }
            if over {
                // The frame as it is now, not as it was when the run ended: the user may have moved the
                // clock in between (a seek right after the end must not be undone).
                if let Ok(p) = player.try_borrow()
                    && p.generation == generation
                {
                    frame.set(p.frame());
                }
                return;
            }
            compute_ahead(player, generation, frame, outcome, now_ms());
        });
    });
}

/// Ticks every `TICK_MS` (also while paused, to catch up and compute the timeline); returns the
/// effect's clean-up.
fn ticker<A: Animated>(
    player: Rc<RefCell<Player<A>>>,
    frame: UseStateHandle<Option<Frame<A::Snapshot>>>,
    playing: bool,
    speed: u32,
) -> impl FnOnce() {
    let window = web_sys::window();
    let tick = Closure::<dyn Fn()>::new(move || {
        let mut p = player.borrow_mut();
        // A paused page is not redrawn under the user's hands every tick: only when the clock moved.
        let (before, was_finished) = (p.clock_us, p.finished());
        p.tick(if playing { u64::from(speed) * TICK_MS as u64 * 1000 } else { 0 });
        if p.clock_us != before || p.finished() != was_finished {
            frame.set(p.frame());
        }
    });
    let id = window.as_ref().and_then(|w| {
        w.set_interval_with_callback_and_timeout_and_arguments_0(tick.as_ref().unchecked_ref(), TICK_MS).ok()
    });
    move || {
        if let (Some(w), Some(id)) = (window, id) {
            w.clear_interval_with_handle(id);
        }
        drop(tick);
    }
}

#[derive(Properties, PartialEq)]
pub struct PlayerBarProps {
    pub clock_us: u64,
    pub finished: bool,
    pub playing: bool,
    pub speed: u32,
    /// The speeds offered, virtual seconds per real second.
    pub speeds: &'static [u32],
    pub on_command: Callback<Command>,
    /// Put before every test id (labs that share a test id with another lab's page set it).
    #[prop_or_default]
    pub testid_prefix: &'static str,
    /// A progress bar, in percent, when the lab knows how far the run is.
    #[prop_or_default]
    pub progress: Option<f64>,
    /// How far the timeline is computed, µs (the scrubber's end).
    #[prop_or_default]
    pub computed_us: u64,
    /// True once the timeline holds the whole run.
    #[prop_or_default]
    pub end_known: bool,
    /// What one virtual second is, when the lab counts something else than time (the caching lab: a
    /// request): the buttons, the clock and the speeds then speak of it.
    #[prop_or_default]
    pub unit: Option<&'static str>,
}

/// Play/pause, step one second, to the end, restart, speed, and the virtual clock.
#[function_component(PlayerBar)]
pub fn player_bar(props: &PlayerBarProps) -> Html {
    let cmd = |c: Command| {
        let on = props.on_command.clone();
        Callback::from(move |_| on.emit(c))
    };
    let on_speed = {
        let on = props.on_command.clone();
        Callback::from(move |e: Event| {
            if let Some(v) = e.target_dyn_into::<web_sys::HtmlSelectElement>().and_then(|s| s.value().parse().ok()) {
                on.emit(Command::Speed(v));
            }
        })
    };
    let on_scrub = {
        let on = props.on_command.clone();
        Callback::from(move |e: Event| {
            if let Some(ms) =
                e.target_dyn_into::<web_sys::HtmlInputElement>().and_then(|i| i.value().parse::<f64>().ok())
            {
                on.emit(Command::Seek((ms.max(0.0) * 1000.0) as u64));
            }
        })
    };
    let tid = |id: &str| format!("{}{id}", props.testid_prefix);
    let finished = props.finished;
    let end_ms = props.computed_us.max(props.clock_us) / 1000;
    let at_start = props.clock_us == 0;
    let (back, back_title, step, step_title, speed_label) = match props.unit {
        None => (
            "◀ 1 s".to_string(),
            "Back one virtual second".to_string(),
            "Step 1 s".to_string(),
            "Advance one virtual second".to_string(),
            "Virtual seconds per second".to_string(),
        ),
        Some(u) => (
            format!("◀ 1 {u}"),
            format!("Back one {u}"),
            format!("Step 1 {u}"),
            format!("Advance one {u}"),
            format!("{u}s per second"),
        ),
    };
    let clock = match props.unit {
        None => format!("t = {:.1} s", props.clock_us as f64 / 1e6),
        Some(u) => format!("{u} {}", props.clock_us / 1_000_000),
    };
    html! {
        <div class="player" role="group" aria-label="Playback">
            if props.playing && !finished {
                <button data-testid={tid("pause")} onclick={cmd(Command::Play(false))}>{ "Pause" }</button>
            } else {
                <button data-testid={tid("play")} disabled={finished} onclick={cmd(Command::Play(true))}>{ "Play" }</button>
            }
            <button data-testid={tid("back")} disabled={at_start} onclick={cmd(Command::Back)} title={back_title}>{ back }</button>
            <button data-testid={tid("back-event")} disabled={at_start} onclick={cmd(Command::Event { forward: false })} title="Back one event">{ "◀ event" }</button>
            <button data-testid={tid("next-event")} disabled={finished} onclick={cmd(Command::Event { forward: true })} title="Forward one event">{ "event ▶" }</button>
            <button data-testid={tid("step")} disabled={finished} onclick={cmd(Command::Step)} title={step_title}>{ step }</button>
            <button data-testid={tid("to-end")} disabled={finished} onclick={cmd(Command::ToEnd)}>{ "To the end" }</button>
            <button data-testid={tid("restart")} onclick={cmd(Command::Restart)}>{ "Restart" }</button>
            <label class="speed">{ "Speed " }
                <select data-testid={tid("speed")} onchange={on_speed} aria-label={speed_label}>
                    { for props.speeds.iter().map(|&s| html! {
                        <option value={s.to_string()} selected={s == props.speed}>{ format!("{s}×") }</option>
                    }) }
                </select>
            </label>
            <span class="clock" data-testid={tid("clock")}>
                { clock.clone() }
                if finished { { " · run over" } }
            </span>
            <label class="scrubber">
                <span class="sr-only">{ "Moment of the run" }</span>
                <input type="range" data-testid={tid("scrubber")} min="0" max={end_ms.to_string()}
                    value={(props.clock_us / 1000).to_string()} step="1" onchange={on_scrub}
                    aria-valuetext={clock}
                    title={if props.end_known { "Drag to any moment of the run" } else { "Drag to any moment computed so far" }} />
            </label>
            if let Some(p) = props.progress {
                <progress max="100" value={format!("{:.1}", p.clamp(0.0, 100.0))} aria-label="Progress of the run" />
            }
        </div>
    }
}
