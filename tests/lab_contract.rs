//! The lab contract and the registry: every lab is reachable through them, and the session edits every
//! page shares (live actions, branching from the past, setup, clear, undo) behave the same in each.
#![cfg(not(target_arch = "wasm32"))]

use sysplay::limits::ACTIONS_MAX;
use sysplay::scenario::{
    Edit, Edited, LabId, LabVisitor, Registered, Scenario, Session, decode_link, encode_link, lab_presets, preset,
};
use sysplay::sim::hashing::{Hashing, HashingAction};
use sysplay::sim::queue::{MessageQueue, ShopAction};

#[test]
fn every_lab_is_registered_once_with_presets_that_open() {
    let keys: Vec<_> = LabId::ALL.iter().map(|l| l.key()).collect();
    let mut unique = keys.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), keys.len(), "keys are unique: {keys:?}");
    for &lab in LabId::ALL {
        assert_eq!(LabId::from_key(lab.key()), Some(lab));
        assert!(!lab.title().is_empty());
        let presets = lab_presets(lab);
        assert!(!presets.is_empty(), "{} has presets", lab.key());
        for p in presets {
            assert_eq!(p.lab(), lab);
            // The scenario's `lab` field is the registry's key.
            let json = serde_json::to_value(&p.scenario).unwrap();
            assert_eq!(json["lab"], lab.key(), "{}", p.name);
            assert!(Session::new(p.scenario).is_ok(), "{} opens", p.name);
        }
    }
}

#[test]
fn visitors_reach_the_lab_of_each_id() {
    struct Timed;
    impl LabVisitor for Timed {
        type Out = (LabId, bool);
        fn visit<L: Registered>(self) -> (LabId, bool) {
            (L::ID, L::TIMED)
        }
    }
    for &lab in LabId::ALL {
        assert_eq!(lab.visit(Timed), (lab, lab.timed()));
    }
    assert!(!LabId::Hashing.timed() && LabId::Queue.timed());
}

fn changed(e: Result<Edited, String>) -> Session {
    match e {
        Ok(Edited::Changed(s)) => s,
        other => panic!("expected a change, got {other:?}"),
    }
}

fn kill(shop: &str) -> ShopAction {
    ShopAction::KillShop { shop: shop.into() }
}

#[test]
fn a_live_action_before_recorded_ones_asks_then_branches_and_undo_brings_them_back() {
    // shop-dies records a kill at 60 s and a broker outage at 90-100 s.
    let session = Session::new(preset("shop-dies").unwrap().scenario).unwrap();
    let recorded = session.actions::<MessageQueue>().to_vec();
    assert_eq!(recorded.len(), 3);
    let live = Edit::<MessageQueue>::Live { at_ms: 30_000, action: kill("PS0") };
    assert_eq!(session.edit(live.clone()), Ok(Edited::WouldDrop { later: 3 }));
    let branched = changed(session.edit(live.clone().branching()));
    assert_eq!(branched.actions::<MessageQueue>(), &[(30_000, kill("PS0"))]);
    // Keeping them instead inserts the action among them.
    let kept = changed(session.edit(live.clone().inserting()));
    assert_eq!(kept.actions::<MessageQueue>().len(), 4);
    assert_eq!(kept.actions::<MessageQueue>()[0], (30_000, kill("PS0")));
    let undone = changed(branched.edit::<MessageQueue>(Edit::Undo));
    assert_eq!(undone.actions::<MessageQueue>(), recorded.as_slice());
    assert_eq!(undone.scenario, session.scenario);
}

#[test]
fn a_live_action_at_or_after_the_last_one_is_recorded_in_time_order() {
    let session = Session::new(preset("shop-dies").unwrap().scenario).unwrap();
    let s = changed(session.edit(Edit::<MessageQueue>::Live { at_ms: 100_000, action: kill("PS0") }));
    let times: Vec<u64> = s.actions::<MessageQueue>().iter().map(|(t, _)| *t).collect();
    assert_eq!(times, vec![60_000, 90_000, 100_000, 100_000]);
    // Past the horizon is clamped to it.
    let config = s.config::<MessageQueue>().unwrap().clone();
    let late = changed(s.edit(Edit::<MessageQueue>::Live { at_ms: u64::MAX, action: kill("PS1") }));
    assert_eq!(late.actions::<MessageQueue>().last().unwrap().0, config.horizon_ms);
}

#[test]
fn undo_goes_back_one_edit_at_a_time_then_removes_recorded_actions() {
    let start = Session::new(preset("ring-add-s3").unwrap().scenario).unwrap();
    assert_eq!(start.actions::<Hashing>().len(), 1);
    let add = |name: &str| Edit::<Hashing>::Live {
        at_ms: 0,
        action: HashingAction::AddServer { name: name.into(), position: None },
    };
    let one = changed(start.edit(add("A")));
    let two = changed(one.edit(add("B")));
    assert_eq!(two.actions::<Hashing>().iter().map(|(t, _)| *t).collect::<Vec<_>>(), vec![0, 1, 2]);
    let back = changed(two.edit::<Hashing>(Edit::Undo));
    assert_eq!(back.scenario, one.scenario);
    let back = changed(back.edit::<Hashing>(Edit::Undo));
    assert_eq!(back.scenario, start.scenario);
    // No edit left to undo: the recorded action goes, then nothing is left.
    let bare = changed(back.edit::<Hashing>(Edit::Undo));
    assert!(bare.actions::<Hashing>().is_empty());
    assert_eq!(bare.edit::<Hashing>(Edit::Undo), Ok(Edited::NothingToUndo));
}

#[test]
fn refused_edits_say_why_and_change_nothing() {
    let session = Session::new(preset("ring-add-s3").unwrap().scenario).unwrap();
    let dup =
        Edit::<Hashing>::Live { at_ms: 0, action: HashingAction::AddServer { name: "S0".into(), position: None } };
    let e = session.edit(dup).unwrap_err();
    assert_eq!(e, "a server named \"S0\" already exists", "the action just taken is not named again");
    // An edit of another lab's kind is refused.
    assert!(session.edit(Edit::<MessageQueue>::ClearActions).is_err());
    // The setup edit keeps the actions, which must still apply.
    let mut config = session.config::<Hashing>().unwrap().clone();
    config.ring_size = 50;
    let e = session.edit(Edit::<Hashing>::Setup { seed: 1, config }).unwrap_err();
    assert!(e.contains("outside"), "{e}");
}

#[test]
fn a_form_applies_all_its_fields_or_none_and_one_undo_takes_them_back() {
    let session = Session::new(preset("ring-add-s3").unwrap().scenario).unwrap();
    let seed = session.scenario.seed;
    let config = session.config::<Hashing>().unwrap().clone();
    let live = |action| Edit::<Hashing>::Live { at_ms: 0, action };
    // A ring size of 0 with a new seed: refused as a whole, the seed is not applied either.
    let e = session
        .edit_all(vec![
            live(HashingAction::SetRingSize { ring_size: 0 }),
            Edit::Setup { seed: seed + 1, config: config.clone() },
        ])
        .unwrap_err();
    assert!(e.contains("at least 1"), "{e}");
    assert_eq!(session.scenario.seed, seed);
    // Valid fields: all applied, and one undo takes all of them back.
    let both = changed(session.edit_all(vec![
        live(HashingAction::SetKeyCount { key_count: 500 }),
        Edit::Setup { seed: seed + 1, config: config.clone() },
    ]));
    assert_eq!(both.scenario.seed, seed + 1);
    assert_eq!(both.actions::<Hashing>().len(), session.actions::<Hashing>().len() + 1);
    let back = changed(both.edit(Edit::<Hashing>::Undo));
    assert_eq!(back.scenario, session.scenario);
    // Nothing to change: no undo step.
    let same = changed(session.edit_all::<Hashing>(Vec::new()));
    assert_eq!(same.scenario, session.scenario);
    // (so undo, with no earlier state to go back to, removes the last recorded action instead).
    let undone = changed(same.edit(Edit::<Hashing>::Undo));
    assert_eq!(undone.actions::<Hashing>().len(), session.actions::<Hashing>().len() - 1);
}

#[test]
fn a_session_keeps_at_most_the_shared_number_of_actions() {
    let mut scenario = Scenario::new::<MessageQueue>(1, Default::default());
    for i in 0..ACTIONS_MAX {
        scenario.push::<MessageQueue>(i as u64, ShopAction::RestartBroker);
    }
    let session = Session::new(scenario.clone()).expect("the limit itself is accepted");
    let e = session.edit(Edit::<MessageQueue>::Live { at_ms: 999_999, action: ShopAction::RestartBroker }).unwrap_err();
    assert!(e.contains(&ACTIONS_MAX.to_string()), "{e}");
    scenario.push::<MessageQueue>(0, ShopAction::RestartBroker);
    let e = Session::new(scenario.clone()).unwrap_err();
    assert!(e.starts_with("too many actions"), "{e}");
    assert!(decode_link(&encode_link(&scenario)).is_err(), "a link over the limit does not open");
}

#[test]
fn run_until_stops_at_the_moment() {
    let scenario = preset("shop-dies").unwrap().scenario;
    let whole = scenario.run().unwrap();
    let half = scenario.run_until(Some(30_000_000)).unwrap();
    let (sysplay::scenario::LabRun::Queue(whole), sysplay::scenario::LabRun::Queue(half)) = (whole, half) else {
        panic!("a queue run")
    };
    assert!(half.sim.now() <= 30_000_000);
    assert!(half.report.completed < whole.report.completed, "fewer orders are done at 30 s than at the end");
}
