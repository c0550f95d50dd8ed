//! The next task: work cut into slices runs one slice per task, so the page paints and answers input
//! between them. A `MessageChannel` message starts a task at once, where a chain of zero-delay timers
//! is held back 4 ms a link by the browser (after five links): with slices of about 10 ms that clamp
//! alone would cost a quarter of the time.

use std::cell::RefCell;
use std::collections::VecDeque;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{MessageChannel, MessagePort};

struct Channel {
    send: MessagePort,
    queue: RefCell<VecDeque<Box<dyn FnOnce()>>>,
    // Kept alive with the channel.
    _receive: (MessagePort, Closure<dyn FnMut()>),
}

thread_local! {
    static CHANNEL: Option<Channel> = open();
}

fn open() -> Option<Channel> {
    let channel = MessageChannel::new().ok()?;
    let receive = channel.port1();
    let on_message = Closure::<dyn FnMut()>::new(|| {
        let next = CHANNEL.with(|c| c.as_ref().and_then(|c| c.queue.borrow_mut().pop_front()));
        if let Some(work) = next {
            work();
        }
    });
    receive.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    Some(Channel { send: channel.port2(), queue: RefCell::default(), _receive: (receive, on_message) })
}

/// Runs `work` in a task of its own, after the tasks already asked for (a zero-delay timer where the
/// browser has no message channel).
pub fn next(work: impl FnOnce() + 'static) {
    let work: Box<dyn FnOnce()> = Box::new(work);
    let unsent = CHANNEL.with(|c| match c {
        Some(c) => {
            c.queue.borrow_mut().push_back(work);
            // A port takes any value; the message only starts the task.
            let _ = c.send.post_message(&wasm_bindgen::JsValue::NULL);
            None
        }
        None => Some(work),
    });
    if let Some(work) = unsent {
        gloo_timers::callback::Timeout::new(0, work).forget();
    }
}
