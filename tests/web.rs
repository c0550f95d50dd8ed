//! Browser tests (wasm-bindgen-test in headless Chromium): the core gives the same digest as natively,
//! and the hashing lab's components respond to clicks with the core's numbers.
#![cfg(target_arch = "wasm32")]

use sysplay::scenario::{Report, Scenario};
use sysplay::sim::hashing::HashingAction;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

/// Same constant as the native test in tests/determinism.rs.
const DEFAULT_DIGEST: u64 = include!("golden/default_digest.txt");

/// Same constant as tests/algo_presets.rs: all seven algorithms on the ketama-weighted preset.
const KETAMA_WEIGHTED_ALGOS_DIGEST: u64 = include!("golden/algos_digest.txt");

#[wasm_bindgen_test]
fn algorithm_comparison_matches_the_native_one() {
    use sysplay::sim::hashing::algos::Algo;
    use sysplay::sim::hashing::compare::{compare, fingerprint};
    let sysplay::scenario::LabRun::Hashing(lab) =
        sysplay::scenario::preset("ketama-weighted").unwrap().scenario.run().unwrap()
    else {
        panic!("not a hashing preset")
    };
    assert_eq!(fingerprint(&compare(&lab.sim.lab, &Algo::all())), KETAMA_WEIGHTED_ALGOS_DIGEST);
}

#[wasm_bindgen_test]
fn default_scenario_digest_matches_the_native_one() {
    assert_eq!(Scenario::default().run().unwrap().digest(), DEFAULT_DIGEST);
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window().unwrap().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms).unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// One timer tick of the page, and until the lab's cards are all mounted (`ui::later` mounts them one
/// per task after the page).
async fn tick() {
    sleep(60).await;
    let document = web_sys::window().unwrap().document().unwrap();
    for _ in 0..100 {
        if document.query_selector(".later").unwrap().is_none() {
            return;
        }
        sleep(20).await;
    }
}

/// Ticks until `done` holds, at most `ticks` times (work computed in slices per timer tick, such as the
/// queue lab's outcome, may need several on a busy machine).
async fn tick_until(ticks: u32, done: impl Fn() -> bool) {
    for _ in 0..ticks {
        if done() {
            return;
        }
        tick().await;
    }
}

fn mount() -> Element {
    let window = web_sys::window().unwrap();
    window.local_storage().unwrap().unwrap().clear().unwrap();
    let document = window.document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    sysplay::ui::mount(root.clone());
    root
}

fn text(root: &Element, testid: &str) -> String {
    root.query_selector(&format!("[data-testid={testid}]"))
        .unwrap()
        .unwrap_or_else(|| panic!("no {testid}"))
        .text_content()
        .unwrap()
        .trim()
        .to_string()
}

/// The text of `testid`, if it is on the page (work computed in slices shows up a few ticks later).
fn try_text(root: &Element, testid: &str) -> Option<String> {
    let el = root.query_selector(&format!("[data-testid={testid}]")).ok().flatten()?;
    Some(el.text_content()?.trim().to_string())
}

fn rows(root: &Element) -> u32 {
    root.query_selector_all("[data-testid=server-row]").unwrap().length()
}

fn click(root: &Element, testid: &str) {
    root.query_selector(&format!("[data-testid={testid}]")).unwrap().unwrap().unchecked_into::<HtmlElement>().click();
}

#[wasm_bindgen_test]
async fn add_server_shows_the_cores_numbers() {
    let root = mount();
    // The session is replayed in slices (a million keys): its rows show once it is done.
    tick_until(100, || rows(&root) == 5).await;
    assert_eq!(rows(&root), 5, "the default scenario has five servers");

    click(&root, "add-server");
    tick_until(100, || {
        rows(&root) == 6
            && try_text(&root, "last-change").is_some_and(|t| t.contains("add S5"))
            && try_text(&root, "ring-keys-moved").is_some()
    })
    .await;
    assert_eq!(rows(&root), 6);
    assert!(text(&root, "last-change").contains("add S5"));

    // The page shows exactly what the core computes for the same session.
    let mut expected = Scenario::default();
    expected.push::<sysplay::sim::hashing::Hashing>(0, HashingAction::AddServer { name: "S5".into(), position: None });
    let Report::Hashing(r) = expected.run().unwrap().report() else { panic!("not a hashing report") };
    let change = r.last_change.unwrap();
    assert_eq!(text(&root, "ring-space-moved"), format!("{:.2}%", change.ring.moved_space_pct.unwrap()));
    assert_eq!(text(&root, "modulo-space-moved"), format!("{:.2}%", change.modulo.moved_space_pct.unwrap()));
    assert!(text(&root, "ring-keys-moved").starts_with(&format!("{:.2}%", change.ring.moved_keys_pct)));
}

#[wasm_bindgen_test]
async fn presets_and_bad_input_in_the_form() {
    let root = mount();
    tick().await;
    click(&root, "preset-ring-skew");
    let s4_share = || {
        let cell =
            root.query_selector("[data-testid=server-row][data-name=S4] [data-testid=ring-share]").ok().flatten();
        cell.and_then(|c| c.text_content()).map(|t| t.trim().to_string())
    };
    tick_until(100, || s4_share().as_deref() == Some("78.00%") && rows(&root) == 4).await;
    assert_eq!(s4_share().as_deref(), Some("78.00%"));

    // A position outside the ring is refused with a message; nothing changes.
    let position =
        root.query_selector("[data-testid=add-position]").unwrap().unwrap().unchecked_into::<HtmlInputElement>();
    position.set_value("5000");
    click(&root, "add-server");
    tick().await;
    assert_eq!(rows(&root), 4);
    assert!(text(&root, "notice").contains("outside the ring"), "{}", text(&root, "notice"));

    position.set_value("not a number");
    click(&root, "add-server");
    tick().await;
    assert!(text(&root, "notice").contains("whole number"));
    assert_eq!(rows(&root), 4);
}

#[wasm_bindgen_test]
fn a_panic_shows_the_overlay_with_a_copy_button() {
    sysplay::ui::remember_link("http://127.0.0.1:8080/#s=1.example");
    sysplay::ui::show_panic_overlay("panicked at src/sim: example");
    let document = web_sys::window().unwrap().document().unwrap();
    let overlay = document.get_element_by_id("panic-overlay").expect("overlay shown");
    let text = overlay.text_content().unwrap();
    assert!(text.contains("panicked at src/sim: example"));
    let button = overlay.query_selector("[data-testid=panic-copy]").unwrap().expect("copy button");
    assert_eq!(button.text_content().unwrap(), "Copy scenario link");
    let reload = overlay.query_selector("a").unwrap().unwrap();
    assert_eq!(reload.get_attribute("href").unwrap(), "http://127.0.0.1:8080/#s=1.example");
    overlay.remove();
}

/// Same constant as the native test in tests/queue_scenarios.rs (the `shop-dies` preset).
const QUEUE_DIGEST: u64 = include!("golden/queue_digest.txt");

#[wasm_bindgen_test]
fn queue_preset_digest_matches_the_native_one() {
    let scenario = sysplay::scenario::preset("shop-dies").unwrap().scenario;
    assert_eq!(scenario.run().unwrap().digest(), QUEUE_DIGEST);
}

#[wasm_bindgen_test]
async fn the_queue_lab_shows_a_presets_outcome() {
    let root = mount();
    tick().await;
    click(&root, "nav-queue");
    tick().await;
    assert!(root.query_selector("[data-testid=lab-queue]").unwrap().is_some(), "the queue lab is shown");
    click(&root, "preset-shop-dies-in-memory");
    tick().await;
    let Report::Queue(r) = sysplay::scenario::preset("shop-dies-in-memory").unwrap().scenario.run().unwrap().report()
    else {
        panic!("not a queue report")
    };
    assert!(r.lost > 0);
    tick_until(100, || try_text(&root, "metric-lost").is_some()).await;
    assert_eq!(text(&root, "metric-lost"), r.lost.to_string());
    assert_eq!(text(&root, "metric-duplicates"), r.duplicates.to_string());
    // Back to the hashing lab: its page is as it was.
    click(&root, "nav-hashing");
    // The hashing page is computed again in slices: on a busy machine that may take several ticks.
    tick_until(100, || rows(&root) == 5).await;
    assert_eq!(rows(&root), 5);
}

#[wasm_bindgen_test]
async fn the_queue_setup_changes_the_seed_and_reruns_with_it() {
    let root = mount();
    tick().await;
    click(&root, "nav-queue");
    tick().await;
    click(&root, "preset-rush-hour");
    tick().await;
    let mut scenario = sysplay::scenario::preset("rush-hour").unwrap().scenario;
    scenario.seed = 7;
    let Report::Queue(want) = scenario.run().unwrap().report() else { panic!("not a queue report") };
    let seed = root.query_selector("[data-testid=cfg-seed]").unwrap().unwrap().unchecked_into::<HtmlInputElement>();
    seed.set_value("7");
    click(&root, "cfg-apply");
    tick().await;
    assert_eq!(seed.value(), "7");
    let completed = format!("{} / {}", want.completed, want.accepted);
    tick_until(100, || try_text(&root, "metric-completed").as_deref() == Some(completed.as_str())).await;
    assert_eq!(text(&root, "metric-completed"), completed);
    // Not a number: a message, and the run stays as it was.
    seed.set_value("");
    click(&root, "cfg-apply");
    tick().await;
    assert!(text(&root, "notice").contains("The seed must be a whole number"), "{}", text(&root, "notice"));
    assert_eq!(text(&root, "metric-completed"), completed);
}

/// Same constant as the native test in tests/stream_scenarios.rs (the `partition-rebalance` preset).
const STREAM_DIGEST: u64 = include!("golden/stream_digest.txt");

#[wasm_bindgen_test]
fn stream_preset_digest_matches_the_native_one() {
    let scenario = sysplay::scenario::preset("partition-rebalance").unwrap().scenario;
    assert_eq!(scenario.run().unwrap().digest(), STREAM_DIGEST);
}

#[wasm_bindgen_test]
async fn the_stream_lab_shows_a_presets_outcome_and_records_a_join() {
    let root = mount();
    tick().await;
    click(&root, "nav-stream");
    tick().await;
    assert!(root.query_selector("[data-testid=lab-stream]").unwrap().is_some(), "the stream lab is shown");
    click(&root, "preset-commit-after-crash");
    tick().await;
    let Report::Stream(r) = sysplay::scenario::preset("commit-after-crash").unwrap().scenario.run().unwrap().report()
    else {
        panic!("not a stream report")
    };
    assert!(r.duplicates > 0);
    tick_until(100, || try_text(&root, "metric-duplicates").is_some()).await;
    assert_eq!(text(&root, "metric-duplicates"), r.duplicates.to_string());
    assert_eq!(text(&root, "metric-lost"), "0");
    assert_eq!(root.query_selector_all("[data-testid=partition-row]").unwrap().length(), 6);
    // A crash makes the run unsteady: the theory panel says why its throughput is not min(λ, capacity).
    let caveat = text(&root, "theory-caveat");
    assert!(caveat.contains("not a steady run") && caveat.contains("1 crash left work to redo"), "{caveat}");
    // Pause the animation and add a consumer: the action is recorded and the group rebalances.
    click(&root, "stream-pause");
    tick().await;
    click(&root, "add-consumer");
    tick().await;
    // The preset's join of c3 comes later than the playhead: a new branch from here drops it.
    click(&root, "branch-yes");
    tick().await;
    let actions = text(&root, "stream-actions");
    assert!(actions.contains("c4 joins billing") && !actions.contains("c3 joins"), "{actions}");
    assert!(text(&root, "rebalance-banner").contains("billing is rebalancing"));
    assert_eq!(root.query_selector_all("[data-testid=consumer-row]").unwrap().length(), 4);
}

/// Same constant as the native test in tests/pubsub_scenarios.rs (the `fanout-email-down` preset).
const PUBSUB_DIGEST: u64 = include!("golden/pubsub_digest.txt");

#[wasm_bindgen_test]
fn pubsub_preset_digest_matches_the_native_one() {
    let scenario = sysplay::scenario::preset("fanout-email-down").unwrap().scenario;
    assert_eq!(scenario.run().unwrap().digest(), PUBSUB_DIGEST);
}

fn cell(root: &Element, service: &str, testid: &str) -> u64 {
    root.query_selector(&format!("[data-testid=sub-row][data-service={service}] [data-testid={testid}]"))
        .unwrap()
        .unwrap_or_else(|| panic!("no {testid} for {service}"))
        .text_content()
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

#[wasm_bindgen_test]
async fn the_pubsub_lab_fans_out_a_hand_publish_and_explains_bad_topics() {
    let root = mount();
    tick().await;
    click(&root, "nav-pubsub");
    tick().await;
    assert!(root.query_selector("[data-testid=lab-pubsub]").unwrap().is_some(), "the pub/sub lab is shown");
    click(&root, "pause");
    tick().await;
    let (email, inventory) = (cell(&root, "Email", "sub-matched"), cell(&root, "Inventory", "sub-matched"));
    let topic =
        root.query_selector("[data-testid=publish-topic]").unwrap().unwrap().unchecked_into::<HtmlInputElement>();
    topic.set_value("order_created");
    click(&root, "publish");
    tick().await;
    // The preset records actions later than the playhead: keep them.
    click(&root, "branch-keep");
    tick().await;
    assert_eq!(cell(&root, "Email", "sub-matched"), email + 1);
    assert_eq!(cell(&root, "Inventory", "sub-matched"), inventory + 1);

    topic.set_value("order created");
    click(&root, "publish");
    tick().await;
    assert!(text(&root, "publish-error").contains("not valid"), "{}", text(&root, "publish-error"));

    // The outcome cards show the core's report of the recorded session.
    let Report::Pubsub(r) = sysplay::scenario::preset("fanout-email-down").unwrap().scenario.run().unwrap().report()
    else {
        panic!("not a pub/sub report")
    };
    click(&root, "preset-fanout-email-down");
    tick().await;
    assert_eq!(text(&root, "metric-missed"), r.missed.to_string());
    assert_eq!(text(&root, "metric-lost"), r.lost.to_string());
    click(&root, "nav-hashing");
    // The hashing page is computed again in slices: on a busy machine that may take several ticks.
    tick_until(100, || rows(&root) == 5).await;
    assert_eq!(rows(&root), 5);
}

/// Same constant as the native test in tests/sharding_lab.rs (the `failover-async` preset).
const SHARDING_DIGEST: u64 = include!("golden/sharding_digest.txt");

#[wasm_bindgen_test]
fn sharding_preset_digest_matches_the_native_one() {
    let scenario = sysplay::scenario::preset("failover-async").unwrap().scenario;
    assert_eq!(scenario.run().unwrap().digest(), SHARDING_DIGEST);
}

#[wasm_bindgen_test]
async fn the_sharding_lab_shows_a_failover_and_routes_a_query() {
    let root = mount();
    tick().await;
    click(&root, "nav-sharding");
    tick().await;
    assert!(root.query_selector("[data-testid=lab-sharding]").unwrap().is_some(), "the sharding lab is shown");
    click(&root, "preset-failover-async");
    let Report::Sharding(r) = sysplay::scenario::preset("failover-async").unwrap().scenario.run().unwrap().report()
    else {
        panic!("not a sharding report")
    };
    assert!(r.repl.lost_writes > 0);
    // The outcome card shows the default session's outcome until the preset's run is computed.
    let lost = r.repl.lost_writes.to_string();
    tick_until(100, || try_text(&root, "metric-lost").as_deref() == Some(lost.as_str())).await;
    assert_eq!(text(&root, "metric-lost"), lost);
    // Two shards of three nodes, each with a kill button while up.
    assert_eq!(root.query_selector_all("[data-testid=shard]").unwrap().length(), 2);
    assert_eq!(root.query_selector_all("[data-testid=node]").unwrap().length(), 6);
    // A query pinned to one id asks one shard.
    click(&root, "sharding-pause");
    tick().await;
    let text_area = root.query_selector("[data-testid=query-text]").unwrap().unwrap();
    text_area.unchecked_ref::<web_sys::HtmlTextAreaElement>().set_value("SELECT * FROM users WHERE id = 42");
    click(&root, "query-route");
    let branch = || root.query_selector("[data-testid=branch-keep]").unwrap().is_some();
    tick_until(100, || branch() || try_text(&root, "shards-touched").is_some()).await;
    if branch() {
        click(&root, "branch-keep");
        tick_until(100, || try_text(&root, "shards-touched").is_some()).await;
    }
    assert_eq!(text(&root, "shards-touched"), "Shards touched: 1");
    // Leave on the hashing lab: this app stays mounted (and autosaving) while the next tests run.
    click(&root, "nav-hashing");
    tick().await;
}

/// Same constant as the native test in tests/caching_lab.rs (the `zipf-policies` preset).
const CACHING_DIGEST: u64 = include!("golden/caching_digest.txt");

#[wasm_bindgen_test]
fn caching_preset_digest_matches_the_native_one() {
    let scenario = sysplay::scenario::preset("zipf-policies").unwrap().scenario;
    assert_eq!(scenario.run().unwrap().digest(), CACHING_DIGEST);
}

#[wasm_bindgen_test]
async fn the_caching_lab_steps_the_notes_loop_and_shows_every_policy() {
    let root = mount();
    tick().await;
    click(&root, "nav-caching");
    tick().await;
    assert!(root.query_selector("[data-testid=lab-caching]").unwrap().is_some(), "the caching lab is shown");
    click(&root, "preset-lru-loop");
    tick().await;
    click(&root, "caching-pause");
    tick().await;
    // Back to before the first request, then four steps: 4 evicts 1, the least recently used.
    let scrub = root.query_selector("[data-testid=caching-scrubber]").unwrap().unwrap();
    scrub.unchecked_ref::<web_sys::HtmlInputElement>().set_value("0");
    scrub.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();
    tick_until(50, || try_text(&root, "caching-clock").is_some_and(|t| t.starts_with("request 0"))).await;
    for _ in 0..4 {
        click(&root, "caching-step");
        tick().await;
    }
    tick_until(50, || try_text(&root, "cache-current").is_some_and(|t| t.contains("Request 4 of 12: key 4."))).await;
    assert!(text(&root, "cache-watched-why").contains("evicted 1 (the least recently used)"));
    // Every policy compared has a row, and the optimum one more.
    assert_eq!(root.query_selector_all("[data-testid=cache-policy-row]").unwrap().length(), 10);
    click(&root, "nav-hashing");
    tick().await;
}

/// Same constant as the native test in tests/events_lab.rs (the `chain-retry-duplicates` preset).
const EVENTS_DIGEST: u64 = include!("golden/events_digest.txt");

#[wasm_bindgen_test]
fn events_preset_digest_matches_the_native_one() {
    let scenario = sysplay::scenario::preset("chain-retry-duplicates").unwrap().scenario;
    assert_eq!(scenario.run().unwrap().digest(), EVENTS_DIGEST);
}

#[wasm_bindgen_test]
async fn the_events_lab_kills_s4_and_shows_the_anomaly_and_its_saga() {
    let root = mount();
    tick().await;
    click(&root, "nav-events");
    tick().await;
    assert!(root.query_selector("[data-testid=lab-events]").unwrap().is_some(), "the events lab is shown");
    // Kill S4 at once and jump to the end: the chain failed requests, the flow none.
    click(&root, "events-pause");
    tick().await;
    click(&root, "kill-S4");
    tick().await;
    assert!(text(&root, "events-actions").contains("kill S4"));
    click(&root, "events-to-end");
    tick_until(200, || try_text(&root, "cmp-chain-failures").is_some()).await;
    // (The page played a moment before the pause: the first request or two may have made it.)
    let failed: u32 = text(&root, "cmp-chain-failures").parse().unwrap();
    assert!(failed >= 190, "{failed} of 200 requests failed");
    assert_eq!(text(&root, "cmp-flow-failures"), "0");
    // The notes' anomaly on screen, then the saga switched on.
    assert_eq!(text(&root, "commission-final-balance"), "100");
    click(&root, "fix-saga");
    tick_until(50, || try_text(&root, "commission-final-balance").as_deref() == Some("150")).await;
    assert_eq!(text(&root, "commission-final-balance"), "150");
    click(&root, "nav-hashing");
    tick().await;
}

#[wasm_bindgen_test]
async fn the_scaling_lab_kills_a_server_and_compares_the_policies() {
    let root = mount();
    tick().await;
    click(&root, "nav-scaling");
    tick().await;
    assert!(root.query_selector("[data-testid=lab-scaling]").unwrap().is_some(), "the scaling lab is shown");
    click(&root, "scaling-pause");
    tick().await;
    click(&root, "kill-server-0");
    tick().await;
    assert!(text(&root, "scaling-actions").contains("kill server 0"));
    click(&root, "scaling-to-end");
    tick_until(300, || try_text(&root, "run-failures").is_some_and(|t| t.contains("noticed"))).await;
    assert!(text(&root, "run-failures").contains("noticed each death after"));
    // Every compared policy has its row, theory beside the ones it covers.
    tick_until(600, || root.query_selector("[data-testid=compare-table]").unwrap().is_some()).await;
    assert_eq!(root.query_selector_all("[data-testid=compare-row]").unwrap().length(), 6);
    click(&root, "nav-hashing");
    tick().await;
}

/// Same constant as the native test in tests/resilience_lab.rs (the `notes-walkthrough` preset).
const RESILIENCE_DIGEST: u64 = include!("golden/resilience_digest.txt");

#[wasm_bindgen_test]
fn resilience_walkthrough_digest_matches_the_native_one() {
    let s = sysplay::scenario::preset("notes-walkthrough").unwrap().scenario;
    assert_eq!(s.run().unwrap().digest(), RESILIENCE_DIGEST);
}

#[wasm_bindgen_test]
async fn the_resilience_lab_removes_a_single_point_of_failure_and_kills_a_part() {
    let root = mount();
    tick().await;
    click(&root, "nav-resilience");
    tick_until(200, || try_text(&root, "spof-summary").is_some()).await;
    assert!(text(&root, "spof-summary").contains("node-a1, db-a1"), "{}", text(&root, "spof-summary"));
    click(&root, "step-backup-db");
    tick_until(200, || try_text(&root, "spof-summary").is_some_and(|t| !t.contains("db-a1"))).await;
    assert_eq!(text(&root, "spof-summary"), "Single points of failure: node-a1.");
    assert!(text(&root, "resilience-actions").contains("Add a backup database"));
    click(&root, "kill-db-a1");
    tick_until(200, || try_text(&root, "impacts").is_some()).await;
    assert!(text(&root, "impacts").contains("promotes by hand"), "{}", text(&root, "impacts"));
    assert!(text(&root, "serving").contains("served"));
    // The simulated years arrive beside the algebra.
    tick_until(300, || try_text(&root, "avail-simulated").is_some()).await;
    assert!(text(&root, "agreement").contains("agree"), "{}", text(&root, "agreement"));
    click(&root, "nav-hashing");
    tick_until(100, || rows(&root) == 5).await;
}
