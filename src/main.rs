//! The web entry point: mounts the Yew app (built for wasm32 by trunk).

#[cfg(target_arch = "wasm32")]
fn main() {
    sysplay::ui::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("sysplay-web is the browser build; serve it with trunk (see the README). Try `sysplay --help`.");
}
