//! Heavy work in short steps: each job runs in a task of its own (`task::next`), so the page paints (and shows
//! progress) between them and a new request cancels the steps of the old one.

use super::busy::Working;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// One step of work.
pub type Job<T> = Box<dyn FnOnce() -> T>;

/// The results so far and how many steps there are in all.
pub struct Chunked<T> {
    pub done: Rc<RefCell<Vec<T>>>,
    pub total: usize,
}

impl<T> Chunked<T> {
    /// True while steps remain.
    pub fn busy(&self) -> bool {
        self.done.borrow().len() < self.total
    }
}

/// Runs the jobs made by `make_jobs` one per task whenever `generation` changes.
#[hook]
pub fn use_chunked<T: 'static, F>(generation: u64, make_jobs: F) -> Chunked<T>
where
    F: FnOnce() -> Vec<Job<T>> + 'static,
{
    let done = use_mut_ref(Vec::<T>::new);
    let total = use_mut_ref(|| 0usize);
    let running = use_mut_ref(|| u64::MAX);
    let redraw = use_state(|| 0u64);
    let ticks = use_mut_ref(|| 0u64);
    {
        let (done, total, running) = (done.clone(), total.clone(), running.clone());
        let (redraw, ticks) = (redraw.clone(), ticks.clone());
        use_effect_with(generation, move |&g| {
            *running.borrow_mut() = g;
            done.borrow_mut().clear();
            let jobs = make_jobs();
            *total.borrow_mut() = jobs.len();
            step(jobs.into_iter(), g, running, done, redraw, ticks, Working::start());
        });
    }
    let total = *total.borrow();
    Chunked { done, total }
}

fn step<T: 'static>(
    mut jobs: std::vec::IntoIter<Job<T>>,
    generation: u64,
    running: Rc<RefCell<u64>>,
    done: Rc<RefCell<Vec<T>>>,
    redraw: UseStateHandle<u64>,
    ticks: Rc<RefCell<u64>>,
    // Held (not read) until the jobs are done or superseded: the page is busy meanwhile.
    _working: Working,
) {
    super::task::next(move || {
        if *running.borrow() != generation {
            return; // superseded by a newer request
        }
        let Some(job) = jobs.next() else { return };
        done.borrow_mut().push(job());
        *ticks.borrow_mut() += 1;
        redraw.set(*ticks.borrow());
        step(jobs, generation, running, done, redraw, ticks, _working);
    });
}
