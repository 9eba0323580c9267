//! Every training objective against its analytic minimum: for Gaussian data
//! N(0, c^2 I) the minimiser of each objective is known in closed form (the
//! perturbed score, or flow matching's conditional-mean velocity, which also
//! minimises the CNF's negative log-likelihood; for a RealNVP, the flow that whitens
//! the data), and so is the
//! objective's value there. The loss code evaluated at that exact model must
//! reproduce the value, and a perturbed model must score worse.
#![cfg(not(target_arch = "wasm32"))]

use burn::prelude::*;
use scoredyn::rng::{Rng64, normal};
use scoredyn::score::losses::{FM_SIGMA_MIN, draw_batch, loss};
use scoredyn::score::model::ParamValues;
use scoredyn::score::realnvp::{self, RealNvp};
use scoredyn::score::{Arch, Backend, NetConfig, Objective, Sde};

const C: f64 = 0.7;
const DIM: usize = 2;
const T_EPS: f64 = 1e-5;

fn read(t: Tensor<2>) -> Vec<f32> {
    t.into_data().try_into_vec::<f32>().unwrap()
}

/// The exact raw output at (x, t), scaled by `k` (k = 1: the minimiser).
fn exact(objective: Objective, sde: Sde, k: f64, x: Tensor<2>, t: Tensor<2>) -> Tensor<2> {
    let device = x.device();
    let [n, d] = x.dims();
    let (xs, ts) = (read(x), read(t));
    let out: Vec<f32> = (0..n * d)
        .map(|i| {
            let t = ts[i / d] as f64;
            let x = xs[i] as f64;
            let v = if objective.is_velocity() {
                let a = 1.0 - (1.0 - FM_SIGMA_MIN) * t;
                let var = a * a + t * t * C * C;
                let cov = t * C * C - (1.0 - FM_SIGMA_MIN) * a;
                cov / var * x
            } else {
                let (m, s) = sde.marginal(t);
                -s * x / (m * m * C * C + s * s)
            };
            (k * v) as f32
        })
        .collect();
    Tensor::from_data(TensorData::new(out, [n, d]), &device)
}

/// The objective's value at the minimiser, by quadrature.
fn analytic(objective: Objective, sde: Sde) -> f64 {
    let d = DIM as f64;
    let n = 200_000;
    let mid = |lo: f64, hi: f64, f: &dyn Fn(f64) -> f64| -> f64 {
        let h = (hi - lo) / n as f64;
        (0..n).map(|i| f(lo + (i as f64 + 0.5) * h)).sum::<f64>() * h
    };
    let v = |t: f64| {
        let (m, s) = sde.marginal(t);
        (m, s, m * m * C * C + s * s)
    };
    match objective {
        Objective::Dsm => {
            mid(T_EPS, 1.0, &|t| {
                let (m, _, var) = v(t);
                d * m * m * C * C / var
            }) / (1.0 - T_EPS)
        }
        // Log-spaced midpoints: the weight g^2 / s^2 grows like 1 / t near 0.
        Objective::DsmLikelihood => {
            let (a, b) = (T_EPS.ln(), 0.0f64);
            mid(a, b, &|u| {
                let t = u.exp();
                let (m, s, var) = v(t);
                let g2 = sde.diffusion(t).powi(2);
                t * g2 / (s * s) * d * m * m * C * C / var
            })
        }
        Objective::Ncsn => {
            let l = sde.ladder();
            l.iter().map(|s| d * C * C / (C * C + s * s)).sum::<f64>() / l.len() as f64
        }
        Objective::Ssm => {
            mid(T_EPS, 1.0, &|t| {
                let (_, s, var) = v(t);
                -0.5 * d * s * s / var
            }) / (1.0 - T_EPS)
        }
        Objective::FlowMatching => mid(0.0, 1.0, &|t| {
            let a = 1.0 - (1.0 - FM_SIGMA_MIN) * t;
            let var = a * a + t * t * C * C;
            let cov = t * C * C - (1.0 - FM_SIGMA_MIN) * a;
            d * (C * C + (1.0 - FM_SIGMA_MIN).powi(2) - cov * cov / var)
        }),
        // Any velocity carrying N(0, I) to the data minimises the negative
        // log-likelihood, the entropy d/2 ln(2 pi e (c^2 + sigma_min^2)); flow
        // matching's linear v = k(tau) x is one, with kinetic energy d k^2 var(tau) and
        // Jacobian norm d k^2 (the defaults' weights, 0.01 each).
        Objective::Cnf => {
            let c = scoredyn::score::cnf::CnfConfig::default();
            let entropy = 0.5
                * d
                * (std::f64::consts::TAU * std::f64::consts::E * (C * C + FM_SIGMA_MIN.powi(2)))
                    .ln();
            let regs = mid(0.0, 1.0, &|t| {
                let a = 1.0 - (1.0 - FM_SIGMA_MIN) * t;
                let var = a * a + t * t * C * C;
                let k = (t * C * C - (1.0 - FM_SIGMA_MIN) * a) / var;
                d * k * k * (c.kinetic * var + c.jacobian)
            });
            entropy + regs
        }
        // The exact flow's negative log-likelihood: the Gaussian's entropy.
        Objective::MaximumLikelihood => {
            0.5 * d * (std::f64::consts::TAU * std::f64::consts::E * C * C).ln()
        }
    }
}

/// A RealNVP that maps x to x / (k c): two coupling layers whose MLPs output a constant
/// log-scale -ln(k c) (through the last bias; tanh-bounded with c = 1) and no shift, so
/// each moves its half of the coordinates. k = 1 is the data's exact flow.
fn gaussian_flow(k: f64, device: &Device) -> RealNvp {
    let config = NetConfig {
        arch: Arch::RealNvp,
        layers: Some(2),
        width: 4,
        depth: 1,
        ..NetConfig::new(DIM)
    };
    let raw = (-(k * C).ln()).atanh() as f32;
    let values = realnvp::param_shapes(&config)
        .into_iter()
        .map(|(name, shape)| {
            let n: usize = shape.iter().product();
            let values = if name.ends_with(".scale") {
                vec![1.0; n]
            } else if name.ends_with("layers.1.bias") {
                (0..n).map(|i| if i < DIM { raw } else { 0.0 }).collect()
            } else {
                vec![0.0; n]
            };
            ParamValues {
                name,
                shape,
                values,
            }
        })
        .collect::<Vec<_>>();
    RealNvp::from_values(&config, &values, device).unwrap()
}

fn check(objective: Objective, sde: Sde, tolerance: f64) {
    let device = Backend::DEFAULT_CPU.device().unwrap();
    let mut rng = Rng64::new(11);
    let data: Vec<f32> = (0..50_000 * DIM)
        .map(|_| (C * normal(&mut rng)) as f32)
        .collect();
    let value = |k: f64, seed: u64| {
        let mut rng = Rng64::new(seed);
        let batch =
            draw_batch(objective, &data, DIM, 200_000, &sde, T_EPS, &mut rng).to_device(&device);
        let l = if objective == Objective::MaximumLikelihood {
            // What the trainer passes: the flow's negative log-likelihood per row.
            let flow = gaussian_flow(k, &device);
            loss(objective, |x, _| flow.log_prob(x).neg(), batch)
        } else {
            loss(objective, |x, t| exact(objective, sde, k, x, t), batch)
        };
        l.into_scalar::<f32>() as f64
    };
    let (at_min, expected) = (value(1.0, 3), analytic(objective, sde));
    println!(
        "{:<14} {:<5} loss at the exact model {at_min:.5}, analytic {expected:.5}",
        objective.name(),
        sde.name()
    );
    assert!(
        (at_min - expected).abs() < tolerance * expected.abs(),
        "{}: {at_min} vs analytic {expected}",
        objective.name()
    );
    // Same batches (same seed), perturbed models: strictly worse. For the CNF that holds
    // for its likelihood, not for the regularisers (a slower velocity has less kinetic
    // energy): the perturbed models are compared on the negative log-likelihood alone.
    let nll = |k: f64, seed: u64| {
        use scoredyn::score::cnf::{self, CnfConfig, Trace};
        let mut rng = Rng64::new(seed);
        let batch =
            draw_batch(objective, &data, DIM, 200_000, &sde, T_EPS, &mut rng).to_device(&device);
        let probe = batch.probe.expect("cnf batches carry probes");
        let f = cnf::jvp_by_differences(|x, t| exact(objective, sde, k, x, t), 1e-3);
        let plain = CnfConfig {
            kinetic: 0.0,
            jacobian: 0.0,
            ..CnfConfig::default()
        };
        let l = cnf::loss(f, batch.xt, &Trace::Hutchinson(Box::new(probe)), &plain);
        l.into_scalar::<f32>() as f64
    };
    let compared = |k: f64| {
        if objective == Objective::Cnf {
            nll(k, 3)
        } else {
            value(k, 3)
        }
    };
    let at_min = compared(1.0);
    for k in [0.8, 1.2] {
        let worse = compared(k);
        assert!(
            worse > at_min,
            "{}: x{k} gives {worse} <= {at_min}",
            objective.name()
        );
    }
}

#[test]
fn denoising_score_matching_is_minimised_by_the_exact_score() {
    for name in ["vp", "subvp", "ve"] {
        check(Objective::Dsm, Sde::parse_with(name, 8.0).unwrap(), 0.015);
    }
}

#[test]
fn likelihood_weighted_dsm_is_minimised_by_the_exact_score() {
    for name in ["vp", "ve"] {
        check(
            Objective::DsmLikelihood,
            Sde::parse_with(name, 8.0).unwrap(),
            0.02,
        );
    }
}

#[test]
fn ncsn_loss_is_minimised_by_the_exact_score() {
    check(
        Objective::Ncsn,
        Sde::parse_with("ncsn", 8.0).unwrap(),
        0.015,
    );
}

#[test]
fn sliced_score_matching_is_minimised_by_the_exact_score() {
    check(Objective::Ssm, Sde::default(), 0.03);
}

#[test]
fn flow_matching_is_minimised_by_the_conditional_mean_velocity() {
    check(Objective::FlowMatching, Sde::default(), 0.015);
}

/// The CNF's loss (its RK4 solve, 8 steps, with the regularisers) at the exact
/// flow-matching velocity is the data's entropy plus the regularisers' integrals.
#[test]
fn the_cnf_likelihood_is_minimised_by_a_velocity_that_carries_the_noise_to_the_data() {
    check(Objective::Cnf, Sde::default(), 0.015);
}

/// A RealNVP's maximum-likelihood loss at the flow that whitens the data is their
/// entropy, d/2 ln(2 pi e c^2); flows of another scale score worse.
#[test]
fn maximum_likelihood_is_minimised_by_the_flow_that_whitens_the_data() {
    check(Objective::MaximumLikelihood, Sde::default(), 0.005);
}

#[test]
fn ncsn_objective_needs_the_ncsn_ladder() {
    assert!(Objective::Ncsn.check(&Sde::default()).is_err());
    assert!(Objective::parse("nope").is_err());
}

/// Sliced score matching's finite-difference Jacobian term, exercised on a nonlinear
/// score: at the exact score of a Gaussian mixture, integration by parts gives
/// E[s^2 (v^T J v + (v^T score)^2 / 2)] = -E[s^2 |score|^2] / 2, which is evaluated here
/// on the same batch from the exact score alone (no derivative). A jvp off by a factor
/// (a step of h instead of 2h, the wrong sign, a missing std factor) misses it by 100%
/// or more.
#[test]
fn sliced_score_matching_at_a_mixture_score_meets_the_integration_by_parts_identity() {
    use scoredyn::score::exact::GaussianMixture;
    let device = Backend::DEFAULT_CPU.device().unwrap();
    let sde = Sde::default();
    let gm = GaussianMixture {
        dim: DIM,
        weights: vec![0.3, 0.5, 0.2],
        means: vec![-1.5, -0.5, 1.2, -0.3, 0.0, 1.6],
        stds: vec![0.25, 0.4, 0.3],
        sde,
    };
    let data: Vec<f32> = gm.sample(50_000, 4).iter().map(|v| *v as f32).collect();
    let mut rng = Rng64::new(8);
    let batch =
        draw_batch(Objective::Ssm, &data, DIM, 200_000, &sde, T_EPS, &mut rng).to_device(&device);
    // The network's raw output is s(t) times the score.
    let raw = |x: Tensor<2>, t: Tensor<2>| {
        let [n, d] = x.dims();
        let (xs, ts) = (read(x), read(t));
        let mut out = vec![0f32; n * d];
        let mut sc = vec![0.0; d];
        for i in 0..n {
            let row: Vec<f64> = xs[i * d..(i + 1) * d].iter().map(|v| *v as f64).collect();
            gm.score(&row, ts[i] as f64, &mut sc);
            let s = sde.marginal(ts[i] as f64).1;
            for j in 0..d {
                out[i * d + j] = (s * sc[j]) as f32;
            }
        }
        Tensor::from_data(TensorData::new(out, [n, d]), &device)
    };
    let (xs, ts) = (read(batch.xt.clone()), read(batch.t.clone()));
    let mut sc = vec![0.0; DIM];
    let mut identity = 0.0;
    for (i, t) in ts.iter().enumerate() {
        let row: Vec<f64> = xs[i * DIM..(i + 1) * DIM]
            .iter()
            .map(|v| *v as f64)
            .collect();
        gm.score(&row, *t as f64, &mut sc);
        let s = sde.marginal(*t as f64).1;
        identity -= 0.5 * s * s * sc.iter().map(|v| v * v).sum::<f64>() / ts.len() as f64;
    }
    let got = loss(Objective::Ssm, raw, batch).into_scalar::<f32>() as f64;
    println!(
        "sliced score matching at the mixture's exact score: {got:.5}, identity {identity:.5}"
    );
    assert!(
        (got - identity).abs() < 0.03 * identity.abs(),
        "{got} vs {identity}"
    );
}

/// The objectives' table (CLI help, the page's select) and the model files agree: every
/// row's name parses back to its objective, its aliases too, and is the name model
/// files store (serde's); names are unique.
#[test]
fn the_objective_table_names_every_objective_once_and_as_model_files_do() {
    use scoredyn::score::losses::OBJECTIVES;
    let mut names = std::collections::BTreeSet::new();
    for row in OBJECTIVES {
        assert_eq!(Objective::parse(row.name).unwrap(), row.objective);
        assert_eq!(row.objective.name(), row.name);
        for a in row.aliases {
            assert_eq!(Objective::parse(a).unwrap(), row.objective, "{a}");
        }
        assert_eq!(
            serde_json::to_value(row.objective).unwrap(),
            serde_json::Value::from(row.name)
        );
        assert!(names.insert(row.name), "{} twice", row.name);
    }
    let table: Vec<serde_json::Value> = serde_json::from_str(&Objective::table_json()).unwrap();
    assert_eq!(table.len(), OBJECTIVES.len());
    assert!(
        table
            .iter()
            .all(|r| r["label"].as_str().is_some_and(|l| !l.is_empty()))
    );
}
