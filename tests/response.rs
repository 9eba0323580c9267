//! Response theory against independent truths: the OU ring's analytic `exp(A tau)`, and
//! for the double well (non-Gaussian) its exact score's GFDT against the perturbation
//! experiment, where the Gaussian estimator is visibly wrong.
#![cfg(not(target_arch = "wasm32"))]

use scoredyn::dynamics::{SimulateOptions, System, simulate};
use scoredyn::response::{self, PerturbationOptions};

fn ou(n: usize) -> (System, Vec<f64>) {
    let mut sys = System::new("OrnsteinUhlenbeck").unwrap();
    sys.set_param("n", n as f64).unwrap();
    let a = scoredyn::dynamics::stochastic::linear_drift(&sys).unwrap();
    // Independently: the drift is linear, so A's columns are the drift of unit vectors.
    for j in 0..n {
        let mut e = vec![0.0; n];
        e[j] = 1.0;
        let mut col = vec![0.0; n];
        sys.rhs(0.0, &e, &mut col);
        for i in 0..n {
            assert!((a[i * n + j] - col[i]).abs() < 1e-15);
        }
    }
    (sys, a)
}

#[test]
fn ou_ring_gaussian_and_perturbation_estimators_match_exp_a_tau() {
    let (sys, a) = ou(4);
    let sim = SimulateOptions {
        t_end: Some(100_000.0),
        dt: Some(0.01),
        every: Some(10),
        seed: Some(3),
        ..Default::default()
    };
    let traj = simulate(&sys, &sim).unwrap();
    let lag_dt = 0.1;
    let max_lag = 30; // tau up to 3 / theta
    let truth = response::linear_analytic(&a, 4, lag_dt, max_lag);
    let g = response::gaussian(&traj.x, 4, lag_dt, max_lag).unwrap();
    let eg = response::compare(&g, &truth).unwrap().relative_l2;
    // Linear: with common noise the kicked difference is deterministic, so a few
    // members give the discrete flow's exp(A tau) to Heun's O(dt^2).
    let p = response::perturbation(
        &sys,
        &sim,
        &PerturbationOptions {
            delta: 0.02,
            members: 4,
            restart: 5.0,
            every: 10,
            max_lag,
            kicks: vec![0, 2],
            seed: 1,
        },
    )
    .unwrap();
    let cp = response::compare(&p, &truth).unwrap();
    assert_eq!(cp.columns, [0, 2], "the kicked columns");
    let ep = cp.relative_l2;
    println!(
        "OU ring (n = 4): relative L2 over tau in [0, 3]: gaussian {eg:.4}, perturbation {ep:.2e}"
    );
    // Statistical: 0.18, 0.079 and 0.015 at T = 4e3, 4e4 and 4e5 (about 1 / sqrt(T)).
    assert!(eg < 0.07, "gaussian {eg}");
    assert!(ep < 1e-3, "perturbation {ep}");
    assert!(p.r[5][1].is_nan(), "an unkicked column is NaN");
}

#[test]
fn double_well_exact_score_gfdt_matches_the_perturbation_truth_and_gaussian_does_not() {
    let sys = System::new("DoubleWell").unwrap();
    let sigma = sys.param("sigma").unwrap();
    let sim = SimulateOptions {
        t_end: Some(20_000.0),
        dt: Some(0.01),
        every: Some(10),
        seed: Some(5),
        ..Default::default()
    };
    let traj = simulate(&sys, &sim).unwrap();
    // The stationary density is proportional to exp(-2 V / sigma^2), V = (x^2 - 1)^2 / 4.
    let score: Vec<f64> = traj
        .x
        .iter()
        .map(|x| 2.0 * (x - x.powi(3)) / (sigma * sigma))
        .collect();
    let mut table = vec![0.0; traj.x.len()];
    assert!(scoredyn::dynamics::stochastic::exact_score(
        &sys, &traj.x, &mut table
    ));
    assert!(
        score
            .iter()
            .zip(&table)
            .all(|(a, b)| (a - b).abs() <= 1e-12 * a.abs().max(1.0))
    );
    let (lag_dt, max_lag) = (0.1, 30);
    let s = response::from_score(&traj.x, &score, 1, lag_dt, max_lag).unwrap();
    let g = response::gaussian(&traj.x, 1, lag_dt, max_lag).unwrap();
    let p = response::perturbation(
        &sys,
        &sim,
        &PerturbationOptions {
            delta: 0.01,
            members: 4000,
            restart: 2.0,
            every: 10,
            max_lag,
            kicks: vec![0],
            seed: 2,
        },
    )
    .unwrap();
    let (es, eg) = (
        response::compare(&s, &p).unwrap().relative_l2,
        response::compare(&g, &p).unwrap().relative_l2,
    );
    let se = p.stderr.as_ref().unwrap()[10][0];
    println!(
        "double well: R(0) score {:.3}; R(1): perturbation {:.3} +- {se:.3}, score {:.3}, gaussian {:.3}; \
         relative L2 against perturbation: score {es:.3}, gaussian {eg:.3}",
        s.r[0][0], p.r[10][0], s.r[10][0], g.r[10][0]
    );
    // R(0) = 1 for the exact score, by integration by parts.
    assert!((s.r[0][0] - 1.0).abs() < 0.03, "R(0) = {}", s.r[0][0]);
    assert!(es < 0.08, "score {es}");
    assert!(eg > 2.0 * es, "gaussian {eg} vs score {es}");
}

#[test]
fn bad_requests_are_refused_with_their_reason() {
    let (sys, _) = ou(4);
    let sim = SimulateOptions {
        t_end: Some(10.0),
        ..Default::default()
    };
    let opts = PerturbationOptions {
        delta: 0.01,
        members: 4,
        restart: 1.0,
        every: 10,
        max_lag: 5,
        kicks: vec![4],
        seed: 0,
    };
    let e = response::perturbation(&sys, &sim, &opts).unwrap_err();
    assert!(
        e.message.contains("kick coordinate 4 is out of range"),
        "{}",
        e.message
    );
    let x = vec![0.5; 40];
    let e = response::gaussian(&x, 4, 0.1, 10).unwrap_err();
    assert!(e.message.contains("too short"), "{}", e.message);
    let e = response::gaussian(&vec![1.0; 400], 4, 0.1, 10).unwrap_err();
    assert!(e.message.contains("singular"), "{}", e.message);
}

/// The page's panel: each estimator's error against the truth per kicked column, as
/// `compare` gives it on that column alone; the truth is the perturbation experiment
/// when present, else exp(A tau).
#[test]
fn the_panel_states_each_estimator_error_per_kicked_column() {
    use scoredyn::response::plan::{Lags, Panel};
    let (sys, a) = ou(3);
    let sim = SimulateOptions {
        t_end: Some(20_000.0),
        dt: Some(0.01),
        every: Some(10),
        seed: Some(5),
        ..Default::default()
    };
    let lags = Lags::new(0.1, Some(0.2), Some(2.0), ["tau-max", "tau-step"]).unwrap();
    assert_eq!((lags.every, lags.max_lag), (2, 10));
    let x = lags.thin(&simulate(&sys, &sim).unwrap().x, 3).unwrap();
    let g = response::gaussian(&x, 3, lags.tau_step, lags.max_lag).unwrap();
    let exact = response::linear_analytic(&a, 3, lags.tau_step, lags.max_lag);
    let p = response::perturbation(
        &sys,
        &sim,
        &PerturbationOptions {
            delta: 0.02,
            members: 4,
            restart: 5.0,
            every: lags.every * 10,
            max_lag: lags.max_lag,
            kicks: vec![1],
            seed: 1,
        },
    )
    .unwrap();
    let all = vec![0, 1, 2];
    let with_truth = Panel::new(
        vec![
            (g.clone(), all.clone(), None),
            (exact.clone(), all.clone(), None),
            (p.clone(), vec![1], None),
        ],
        "OrnsteinUhlenbeck",
        x.len() / 3,
        vec![],
        0.0,
    )
    .unwrap();
    // Against the experiment, on its one column: gaussian and exp(A tau).
    assert_eq!(with_truth.errors.len(), 2);
    for e in &with_truth.errors {
        assert_eq!((e.truth, e.kick), ("perturbation", 1));
        let r = if e.estimator == "gaussian" {
            &g
        } else {
            &exact
        };
        // By hand: relative L2 over column 1 at every lag.
        let (mut num, mut den) = (0.0, 0.0);
        for (rk, pk) in r.r.iter().zip(&p.r) {
            for i in 0..3 {
                num += (rk[i * 3 + 1] - pk[i * 3 + 1]).powi(2);
                den += pk[i * 3 + 1].powi(2);
            }
        }
        assert!((e.relative_l2 - (num / den).sqrt()).abs() < 1e-12, "{e:?}");
    }
    // Without the experiment, exp(A tau) is the truth, on every column.
    let without = Panel::new(
        vec![(g, all.clone(), None), (exact, all, None)],
        "OrnsteinUhlenbeck",
        x.len() / 3,
        vec![],
        0.0,
    )
    .unwrap();
    assert_eq!(without.errors.len(), 3);
    assert!(
        without
            .errors
            .iter()
            .all(|e| e.truth == "analytic" && e.estimator == "gaussian")
    );
    // Too short a trajectory for the lags is refused with the reason.
    let e = lags.thin(&x[..3 * 150], 3).unwrap_err();
    assert!(e.message.contains("too few for 10 lags"), "{}", e.message);
}
