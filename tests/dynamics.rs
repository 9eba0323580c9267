//! Integrators and the catalog against independent truths: convergence order and
//! the long-run statistics dysts publishes for Lorenz-63.
#![cfg(not(target_arch = "wasm32"))]

use scoredyn::dynamics::integrate::rk4_step;
use scoredyn::dynamics::{Dataset, SimulateOptions, Standardizer, System, simulate};

fn integrate(sys: &System, x0: &[f64], t: f64, dt: f64) -> Vec<f64> {
    let mut x = x0.to_vec();
    let mut k = vec![0.0; 5 * x.len()];
    let f = |x: &[f64], dx: &mut [f64]| sys.rhs(x, dx);
    let n = (t / dt).round() as usize;
    for _ in 0..n {
        rk4_step(&f, &mut x, dt, &mut k);
    }
    x
}

fn dist(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).powi(2))
        .sum::<f64>()
        .sqrt()
}

#[test]
fn rk4_converges_with_order_four_on_lorenz() {
    let sys = System::new("Lorenz").unwrap();
    let x0 = sys.info.initial_condition;
    let t = 0.5;
    let reference = integrate(&sys, x0, t, 1e-4);
    let dts = [0.02, 0.01, 0.005];
    let errs: Vec<f64> = dts
        .iter()
        .map(|&dt| dist(&integrate(&sys, x0, t, dt), &reference))
        .collect();
    for w in errs.windows(2) {
        let order = (w[0] / w[1]).log2();
        assert!(
            (3.7..4.4).contains(&order),
            "observed order {order:.2}, errors {errs:?}"
        );
    }
}

#[test]
fn lorenz_long_run_statistics_match_the_dysts_catalog() {
    let sys = System::new("Lorenz").unwrap();
    let opts = SimulateOptions {
        t_end: 4000.0,
        dt: 0.01,
        burn_in: 20.0,
        every: 5,
        ..Default::default()
    };
    let traj = simulate(&sys, &opts).unwrap();
    let s = Standardizer::fit(&Dataset::from_trajectory(&traj)).unwrap();
    for k in 0..3 {
        let (mean, std) = (sys.info.mean[k], sys.info.std[k]);
        // dysts' x and y means are zero up to sampling error (the attractor is symmetric).
        assert!(
            (s.mean[k] - mean).abs() < 0.08 * std,
            "mean[{k}] {} vs {mean}",
            s.mean[k]
        );
        assert!(
            (s.std[k] - std).abs() < 0.04 * std,
            "std[{k}] {} vs {std}",
            s.std[k]
        );
    }
}

#[test]
fn simulate_records_the_requested_grid() {
    let sys = System::new("Lorenz").unwrap();
    let opts = SimulateOptions {
        t_end: 2.0,
        dt: 0.01,
        burn_in: 0.0,
        every: 10,
        init: Some(vec![1.0, 1.0, 1.0]),
        ..Default::default()
    };
    let traj = simulate(&sys, &opts).unwrap();
    assert_eq!(traj.len(), 21);
    assert!((traj.t[20] - 2.0).abs() < 1e-12);
    assert_eq!(traj.row(0), &[1.0, 1.0, 1.0]);
    // Recorded states are the integrator's, not re-integrated: compare with a direct run.
    let direct = integrate(&sys, &[1.0, 1.0, 1.0], 1.0, 0.01);
    assert!(dist(traj.row(10), &direct) < 1e-12);
}
