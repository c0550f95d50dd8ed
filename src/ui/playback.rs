//! The animation every simulated lab shares: a replay of the session's scenario that advances in
//! virtual time from an interval timer, in bounded slices of events so the tab never freezes, and the
//! playback bar (play, pause, step one virtual second, to the end, restart, speed, the clock). Live
//! actions are recorded at the animation's virtual time, so after one the replay starts over and
//! catches up with where the animation was.

use super::app::Playhead;
use crate::scenario::{LabSession, Registered, Scenario};
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
/// Events of the timeline computed ahead per tick (its checkpoints make going back cheap).
const TIMELINE_EVENTS_PER_TICK: u64 = 20_000;
/// Virtual time between two looks at the clock while advancing, µs.
const STRIDE_US: u64 = 50_000;

/// A timed lab as the animation drives it: the lab's own simulation (through `scenario::Lab`) and
/// what one frame of it shows.
pub trait Animated: Registered<Sim: TimedRun> {
    /// What a frame shows.
    type Snapshot: 'static;
    fn snapshot(sim: &Self::Sim) -> Self::Snapshot;
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
        self.advance_to(resume, EVENTS_PER_TICK);
    }

    /// Runs the shown run up to virtual time `target_us`, processing at most about `budget` events.
    fn advance_to(&mut self, target_us: u64, budget: u64) {
        let Some(sim) = self.shown.as_mut() else { return };
        let start = sim.events();
        // Events at the clock's own time first (an action recorded at the paused playhead, or at 0).
        sim.run_until(self.clock_us);
        while self.clock_us < target_us && !sim.is_finished() && sim.events() - start < budget {
            self.clock_us = self.clock_us.saturating_add(STRIDE_US).min(target_us);
            sim.run_until(self.clock_us);
        }
        if sim.is_finished() {
            self.clock_us = self.clock_us.max(sim.now());
            self.catch_up_us = self.clock_us;
        }
    }

    /// One timer tick: `advance_us` of virtual time (0 when paused), or more to catch up; and the
    /// timeline computed a little further.
    fn tick(&mut self, advance_us: u64) {
        let target = self.clock_us.saturating_add(advance_us).max(self.catch_up_us);
        self.advance_to(target, EVENTS_PER_TICK);
        if let Some(t) = self.timeline.as_mut() {
            t.advance(TIMELINE_EVENTS_PER_TICK);
        }
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
            snap: Rc::new(A::snapshot(s)),
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

/// The animation of one lab page: the current frame and the playback state.
pub struct Playback<S> {
    pub frame: Option<Frame<S>>,
    pub playing: bool,
    /// Virtual seconds per real second.
    pub speed: u32,
    pub on_command: Callback<Command>,
}

/// Animates `scenario`: replays it from the start (or catches up after a live action, or opens at the
/// session's moment, paused) and advances it while playing. The clock is reported to `playhead`.
#[hook]
pub fn use_playback<A: Animated>(
    session: &LabSession<A>,
    initial_speed: u32,
    playhead: &Playhead,
) -> Playback<A::Snapshot> {
    let player =
        use_mut_ref(|| Player::<A> { timeline: None, shown: None, clock_us: 0, catch_up_us: 0, scenario: None });
    let frame = use_state(|| None::<Frame<A::Snapshot>>);
    let playing = use_state(|| session.session.open_at_us.is_none());
    let speed = use_state(|| initial_speed);

    {
        let (player, frame, playing) = (player.clone(), frame.clone(), playing.clone());
        let open_at = session.session.open_at_us;
        use_effect_with(session.scenario.clone(), move |scenario| {
            let mut p = player.borrow_mut();
            p.load(scenario, open_at);
            if open_at.is_some() {
                playing.set(false);
            }
            frame.set(p.frame());
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
                Command::Restart => {
                    if let Some(s) = p.scenario.take() {
                        p.clock_us = 0;
                        p.load(&s, None);
                    }
                }
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
    Playback { frame: (*frame).clone(), playing: *playing, speed: *speed, on_command }
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
        // The timeline computing ahead re-renders the page only once, when it holds the whole run (the
        // scrubber's end): a paused page is not redrawn under the user's hands every tick.
        let complete = |p: &Player<A>| p.timeline.as_ref().is_some_and(|t| t.is_finished());
        let (before, was_finished, was_complete) = (p.clock_us, p.finished(), complete(&p));
        p.tick(if playing { u64::from(speed) * TICK_MS as u64 * 1000 } else { 0 });
        if p.clock_us != before || p.finished() != was_finished || complete(&p) != was_complete {
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
    html! {
        <div class="player" role="group" aria-label="Playback">
            if props.playing && !finished {
                <button data-testid={tid("pause")} onclick={cmd(Command::Play(false))}>{ "Pause" }</button>
            } else {
                <button data-testid={tid("play")} disabled={finished} onclick={cmd(Command::Play(true))}>{ "Play" }</button>
            }
            <button data-testid={tid("back")} disabled={at_start} onclick={cmd(Command::Back)} title="Back one virtual second">{ "◀ 1 s" }</button>
            <button data-testid={tid("back-event")} disabled={at_start} onclick={cmd(Command::Event { forward: false })} title="Back one event">{ "◀ event" }</button>
            <button data-testid={tid("next-event")} disabled={finished} onclick={cmd(Command::Event { forward: true })} title="Forward one event">{ "event ▶" }</button>
            <button data-testid={tid("step")} disabled={finished} onclick={cmd(Command::Step)} title="Advance one virtual second">{ "Step 1 s" }</button>
            <button data-testid={tid("to-end")} disabled={finished} onclick={cmd(Command::ToEnd)}>{ "To the end" }</button>
            <button data-testid={tid("restart")} onclick={cmd(Command::Restart)}>{ "Restart" }</button>
            <label class="speed">{ "Speed " }
                <select data-testid={tid("speed")} onchange={on_speed} aria-label="Virtual seconds per second">
                    { for props.speeds.iter().map(|&s| html! {
                        <option value={s.to_string()} selected={s == props.speed}>{ format!("{s}×") }</option>
                    }) }
                </select>
            </label>
            <span class="clock" data-testid={tid("clock")}>
                { format!("t = {:.1} s", props.clock_us as f64 / 1e6) }
                if finished { { " · run over" } }
            </span>
            <label class="scrubber">
                <span class="sr-only">{ "Moment of the run" }</span>
                <input type="range" data-testid={tid("scrubber")} min="0" max={end_ms.to_string()}
                    value={(props.clock_us / 1000).to_string()} step="1" onchange={on_scrub}
                    aria-valuetext={format!("t = {:.1} s", props.clock_us as f64 / 1e6)}
                    title={if props.end_known { "Drag to any moment of the run" } else { "Drag to any moment computed so far" }} />
            </label>
            if let Some(p) = props.progress {
                <progress max="100" value={format!("{:.1}", p.clamp(0.0, 100.0))} aria-label="Progress of the run" />
            }
        </div>
    }
}
