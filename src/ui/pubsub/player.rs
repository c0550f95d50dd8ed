//! Playback controls: play/pause, step one virtual second, run to the end, restart, speed, the clock.

use super::{Frame, SPEEDS};
use yew::prelude::*;

/// What the playback buttons ask for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Command {
    Play(bool),
    Step,
    Restart,
    ToEnd,
    Speed(u32),
}

#[derive(Properties, PartialEq)]
pub struct PlayerBarProps {
    pub frame: Option<Frame>,
    pub playing: bool,
    pub speed: u32,
    pub on_command: Callback<Command>,
}

/// The playback bar.
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
    let (clock_s, finished) = props.frame.as_ref().map_or((0.0, false), |f| (f.clock_us as f64 / 1e6, f.finished));
    html! {
        <div class="player" role="group" aria-label="Playback">
            if props.playing && !finished {
                <button data-testid="pause" onclick={cmd(Command::Play(false))}>{ "Pause" }</button>
            } else {
                <button data-testid="play" disabled={finished} onclick={cmd(Command::Play(true))}>{ "Play" }</button>
            }
            <button data-testid="step" disabled={finished} onclick={cmd(Command::Step)} title="Advance one virtual second">{ "Step 1 s" }</button>
            <button data-testid="to-end" disabled={finished} onclick={cmd(Command::ToEnd)}>{ "To the end" }</button>
            <button data-testid="restart" onclick={cmd(Command::Restart)}>{ "Restart" }</button>
            <label class="speed">{ "Speed " }
                <select data-testid="speed" onchange={on_speed} aria-label="Virtual seconds per second">
                    { for SPEEDS.iter().map(|&s| html! {
                        <option value={s.to_string()} selected={s == props.speed}>{ format!("{s}×") }</option>
                    }) }
                </select>
            </label>
            <span class="clock" data-testid="clock">
                { format!("t = {clock_s:.1} s") }
                if finished { { " · run over" } }
            </span>
        </div>
    }
}
