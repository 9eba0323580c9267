//! Every model family against a density known in closed form: trained on a correlated
//! 2-D Gaussian, its held-out likelihood (in data units, through `likelihood::of_data`,
//! the path the CLI and the sweep take) must come within 0.05 nats/dim of the Gaussian's
//! own log-density on the same rows.
#![cfg(not(target_arch = "wasm32"))]

use scoredyn::dataset::Dataset;
use scoredyn::rng::{Rng64, normal};
use scoredyn::score::likelihood::{self, LikelihoodConfig};
use scoredyn::score::{Backend, Session, TrainSpec};

/// N(mu, L L^T) with L = [[2, 0], [1.2, 0.5]]: correlation 0.92, so N(0, I) after
/// per-coordinate standardization is 0.47 nats/dim away and a model must learn it.
const MU: [f64; 2] = [1.0, -3.0];
const L: [[f64; 2]; 2] = [[2.0, 0.0], [1.2, 0.5]];

fn gaussian(n: usize, seed: u64) -> Dataset {
    let mut rng = Rng64::new(seed);
    let mut v = Vec::with_capacity(2 * n);
    for _ in 0..n {
        let (a, b) = (normal(&mut rng), normal(&mut rng));
        v.push(MU[0] + L[0][0] * a);
        v.push(MU[1] + L[1][0] * a + L[1][1] * b);
    }
    Dataset::new(2, v).unwrap()
}

/// Mean log N(x; mu, L L^T) / 2 over the rows.
fn analytic_nats_per_dim(data: &Dataset) -> f64 {
    let log_det = (L[0][0] * L[1][1]).ln();
    let mut total = 0.0;
    for i in 0..data.len() {
        let r = data.row(i);
        let a = (r[0] - MU[0]) / L[0][0];
        let b = (r[1] - MU[1] - L[1][0] * a) / L[1][1];
        total += -std::f64::consts::TAU.ln() - log_det - 0.5 * (a * a + b * b);
    }
    total / data.len() as f64 / 2.0
}

/// Trains `spec` on 4000 rows and returns (model, analytic) nats/dim on 1000 others.
fn held_out(spec: &TrainSpec) -> (f64, f64) {
    let device = Backend::DEFAULT_CPU.device().unwrap();
    let train = gaussian(4000, 1);
    let test = gaussian(1000, 2);
    let mut session = Session::new(&train, "gaussian", spec, "flex", &device).unwrap();
    let start = std::time::Instant::now();
    session.train_blocking(100, |_, _| {}).unwrap();
    let seconds = start.elapsed().as_secs_f64();
    let file = session.model_file().unwrap();
    let got = likelihood::of_data(&file, &test, 1000, &LikelihoodConfig::default(), &device)
        .unwrap()
        .nats_per_dim;
    let truth = analytic_nats_per_dim(&test);
    println!(
        "{}: held-out {got:.4} nats/dim, analytic {truth:.4}, gap {:+.4}; {} steps in {seconds:.1} s",
        spec.objective,
        got - truth,
        spec.steps
    );
    (got, truth)
}

#[test]
fn a_cnf_reaches_the_analytic_held_out_likelihood_of_a_gaussian() {
    let spec = TrainSpec {
        objective: "cnf".into(),
        steps: 1500,
        width: 32,
        depth: 2,
        ..TrainSpec::default()
    };
    let (got, truth) = held_out(&spec);
    assert!((got - truth).abs() < 0.05, "CNF {got} vs analytic {truth}");
}

/// The RealNVP both tests train: 4 couplings of width 32, depth 2, 1500 steps.
fn realnvp() -> TrainSpec {
    TrainSpec {
        objective: "maximum-likelihood".into(),
        arch: "realnvp".into(),
        layers: Some(4),
        steps: 1500,
        width: 32,
        depth: 2,
        ..TrainSpec::default()
    }
}

#[test]
fn a_realnvp_reaches_the_analytic_held_out_likelihood_of_a_gaussian() {
    let spec = realnvp();
    let (got, truth) = held_out(&spec);
    assert!(
        (got - truth).abs() < 0.05,
        "RealNVP {got} vs analytic {truth}"
    );
}

/// The density view's numbers: a RealNVP trained on the Gaussian, evaluated on the
/// view's grid (`field::DensityGrid`, the rows `likelihood::of_data` returns one by one),
/// against the Gaussian's log-density at the grid points within two standard deviations.
#[test]
fn the_density_grid_of_a_trained_realnvp_matches_the_gaussian() {
    use scoredyn::score::field::DensityGrid;
    let device = Backend::DEFAULT_CPU.device().unwrap();
    let spec = realnvp();
    let mut session = Session::new(&gaussian(4000, 1), "gaussian", &spec, "flex", &device).unwrap();
    session.train_blocking(100, |_, _| {}).unwrap();
    let file = session.model_file().unwrap();
    let grid = DensityGrid {
        grid: 21,
        lo: [MU[0] - 5.0, MU[1] - 4.0],
        hi: [MU[0] + 5.0, MU[1] + 4.0],
    };
    let points = grid.points(2).unwrap();
    let l = likelihood::of_data(
        &file,
        &points,
        points.len(),
        &LikelihoodConfig::default(),
        &device,
    )
    .unwrap();
    assert_eq!(l.logp.len(), 21 * 21);
    let (mut worst, mut inside) = (0.0f64, 0);
    for (i, lp) in l.logp.iter().enumerate() {
        let r = points.row(i);
        let a = (r[0] - MU[0]) / L[0][0];
        let b = (r[1] - MU[1] - L[1][0] * a) / L[1][1];
        if a * a + b * b > 4.0 {
            continue;
        }
        inside += 1;
        let truth = -std::f64::consts::TAU.ln() - (L[0][0] * L[1][1]).ln() - 0.5 * (a * a + b * b);
        worst = worst.max((lp - truth).abs());
    }
    println!("density grid: {inside} points within 2 std, worst error {worst:.4} nats");
    assert!(
        inside > 20 && worst < 0.15,
        "{inside} points, worst {worst}"
    );
    // The grid is refused for data of another dimension.
    assert!(grid.points(3).is_err());
}
