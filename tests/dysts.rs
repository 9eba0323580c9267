//! Every supported dysts flow against dysts itself: the right-hand side at the
//! catalog initial condition, the state after a short horizon, and the
//! post-processed coordinates. Reference values come from the dysts package
//! (`scripts/dysts_reference.sh`, stored in `tests/fixtures/dysts_reference.json`).
#![cfg(not(target_arch = "wasm32"))]

use scoredyn::dynamics::integrate::Dopri5;
use scoredyn::dynamics::{Family, System, catalog};
use serde_json::Value;

/// Component-wise error relative to the larger of the component and the
/// vector's largest entry (so a zero component does not demand a zero error).
fn rel_err(ours: &[f64], theirs: &[f64]) -> f64 {
    let scale = theirs
        .iter()
        .fold(0.0f64, |m, v| m.max(v.abs()))
        .max(1e-300);
    ours.iter()
        .zip(theirs)
        .map(|(a, b)| (a - b).abs() / b.abs().max(scale))
        .fold(0.0, f64::max)
}

fn f64s(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn fixture() -> Value {
    serde_json::from_str(include_str!("fixtures/dysts_reference.json")).unwrap()
}

#[test]
fn every_supported_flow_has_a_reference_and_every_reference_a_flow() {
    let fx = fixture();
    let refs = fx["systems"].as_object().unwrap();
    let flows: Vec<&str> = catalog()
        .iter()
        .filter(|s| s.family == Family::Flow)
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(flows.len(), 129);
    for name in &flows {
        assert!(refs.contains_key(*name), "no reference for {name}");
    }
    assert_eq!(refs.len(), flows.len());
}

#[test]
fn right_hand_sides_agree_with_dysts() {
    let fx = fixture();
    let mut worst = (0.0, String::new());
    for (name, r) in fx["systems"].as_object().unwrap() {
        let sys = System::new(name).unwrap();
        let ic = sys.initial_condition().to_vec();
        let mut dx = vec![0.0; ic.len()];
        sys.rhs(0.0, &ic, &mut dx);
        let e = rel_err(&dx, &f64s(&r["rhs_at_ic"]));
        assert!(e < 1e-6, "{name}: rhs {dx:?} vs dysts {}", r["rhs_at_ic"]);
        if e > worst.0 {
            worst = (e, name.clone());
        }
    }
    println!(
        "worst relative error of the rhs at the initial condition: {:.2e} ({})",
        worst.0, worst.1
    );
}

#[test]
fn short_horizon_states_agree_with_dysts() {
    let fx = fixture();
    let mut worst = (0.0, String::new());
    for (name, r) in fx["systems"].as_object().unwrap() {
        let sys = System::new(name).unwrap();
        let mut x = sys.initial_condition().to_vec();
        let f = |t: f64, x: &[f64], dx: &mut [f64]| sys.rhs(t, x, dx);
        let mut dp = Dopri5::new(x.len(), 1e-12, 1e-12);
        let horizon = r["horizon"].as_f64().unwrap();
        dp.advance(&f, 0.0, &mut x, horizon)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let e = rel_err(&x, &f64s(&r["state_at_horizon"]));
        assert!(
            e < 1e-6,
            "{name}: {x:?} vs dysts {} (rel err {e:.2e})",
            r["state_at_horizon"]
        );
        if e > worst.0 {
            worst = (e, name.clone());
        }
    }
    println!(
        "worst relative error after the short horizon: {:.2e} ({})",
        worst.0, worst.1
    );
}

#[test]
fn post_processed_coordinates_agree_with_dysts() {
    let fx = fixture();
    let mut checked = 0;
    for (name, r) in fx["systems"].as_object().unwrap() {
        let sys = System::new(name).unwrap();
        let ic = sys.initial_condition().to_vec();
        let mut out = vec![0.0; ic.len()];
        sys.postprocess(&ic, &mut out);
        match r.get("post_at_ic") {
            Some(p) => {
                checked += 1;
                let e = rel_err(&out, &f64s(p));
                assert!(e < 1e-12, "{name}: {out:?} vs dysts {p}");
            }
            None => assert_eq!(out, ic, "{name} has no post-processing in dysts"),
        }
    }
    assert!(checked >= 15, "{checked}");
}
