//! Continuous normalizing flows trained by maximum likelihood (Neural ODE, Chen et al.
//! 2018; FFJORD, Grathwohl et al. 2018; the regularisers of RNODE, Finlay et al. 2020).
//!
//! The vector field is the score models' MLP read as a velocity v(x, tau), oriented as
//! in flow matching: dx/dtau = v carries N(0, I) at tau = 0 to the model at tau = 1, so
//! flow matching's samplers and likelihood ([`super::likelihood::log_likelihood_velocity`])
//! serve the CNF unchanged. Training integrates each batch from the data (tau = 1) back
//! to the noise (tau = 0) by fixed-step RK4 with the instantaneous change of variables,
//! log p_1(x) = log N(x(0); 0, I) - int_0^1 tr(dv/dx) dtau, and backpropagates through
//! the solver's steps with burn's autodiff (discretise-then-optimise). The trace is
//! Hutchinson's estimate e^T J e with one Rademacher probe per row, or exact (d
//! products); J e comes from the network's forward-mode product
//! ([`super::model::ScoreNet::forward_jvp`]), exact rather than a difference.
//!
//! Memory: every evaluation's activations are kept for the backward pass, 4 per RK4
//! step, each the forward and the product through every layer: about
//! 8 x steps x depth x batch x width floats (8 steps, depth 3, batch 256, width 128:
//! 25 MB), so no adjoint or checkpointing is needed at these sizes.

use super::sampling::ode::rk4_step;
use crate::Error;
use burn::prelude::*;
use serde::{Deserialize, Serialize};

/// The CNF's training settings; stored in model files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CnfConfig {
    /// RK4 steps from the data to the noise, evenly spaced in tau.
    pub steps: usize,
    /// Weight of the kinetic energy int |v|^2 dtau (RNODE).
    pub kinetic: f64,
    /// Weight of the Jacobian's Frobenius norm int |J|_F^2 dtau (RNODE).
    pub jacobian: f64,
}

impl Default for CnfConfig {
    fn default() -> Self {
        Self {
            steps: 8,
            kinetic: 0.1,
            jacobian: 0.1,
        }
    }
}

impl CnfConfig {
    pub fn validate(&self) -> Result<(), Error> {
        if !(1..=1000).contains(&self.steps) {
            return Err(Error::invalid(format!(
                "cnf steps must be between 1 and 1000, got {}",
                self.steps
            )));
        }
        for (name, v) in [("kinetic", self.kinetic), ("jacobian", self.jacobian)] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(Error::invalid(format!(
                    "the {name} regulariser's weight must be a number >= 0, got {v}"
                )));
            }
        }
        Ok(())
    }
}

/// How the trace of the velocity's Jacobian is taken.
pub enum Trace {
    /// sum_i (J e_i)_i: d products.
    Exact,
    /// e^T J e with these probes [B, d] (Rademacher in training), fixed over the solve.
    Hutchinson(Box<Tensor<2>>),
}

/// Per-row results of one solve from the data to the noise, [B, 1] each.
pub struct Terms {
    /// log p_1(x) in standardized units.
    pub logp: Tensor<2>,
    /// int_0^1 |v|^2 dtau.
    pub kinetic: Tensor<2>,
    /// int_0^1 |J|_F^2 dtau (estimated by |J e|^2 under Hutchinson).
    pub frobenius: Tensor<2>,
}

/// Integrates rows `x1` [B, d] from tau = 1 to 0 under `f(x, tau, e) = (v, J e)`.
pub fn solve(
    f: impl Fn(Tensor<2>, Tensor<2>, Tensor<2>) -> (Tensor<2>, Tensor<2>),
    x1: Tensor<2>,
    trace: &Trace,
    steps: usize,
) -> Terms {
    let [n, d] = x1.dims();
    let device = x1.device();
    let basis: Vec<Tensor<2>> = (0..d)
        .map(|i| {
            let mut e = vec![0f32; n * d];
            for r in 0..n {
                e[r * d + i] = 1.0;
            }
            Tensor::from_data(TensorData::new(e, [n, d]), &device)
        })
        .collect();
    // In diffusion-time orientation t = 1 - tau: dx/dt = -v, d delta/dt = -tr J.
    let mut rhs = |((x, _), _): ((Tensor<2>, Tensor<2>), (Tensor<2>, Tensor<2>)), t: f64| {
        let tau = Tensor::<2>::full([n, 1], (1.0 - t) as f32, &device);
        let (v, tr, frob) = match trace {
            Trace::Hutchinson(e) => {
                let e = e.as_ref().clone();
                let (v, je) = f(x, tau, e.clone());
                let tr = je.clone().mul(e).sum_dim(1);
                (v, tr, je.square().sum_dim(1))
            }
            Trace::Exact => {
                let mut v = None;
                let mut tr = Tensor::<2>::zeros([n, 1], &device);
                let mut frob = Tensor::<2>::zeros([n, 1], &device);
                for (i, e) in basis.iter().enumerate() {
                    let (vi, je) = f(x.clone(), tau.clone(), e.clone());
                    tr = tr.add(je.clone().slice([0..n, i..i + 1]));
                    frob = frob.add(je.square().sum_dim(1));
                    v.get_or_insert(vi);
                }
                (v.expect("data have at least one coordinate"), tr, frob)
            }
        };
        let kinetic = v.clone().square().sum_dim(1);
        ((v.neg(), tr.neg()), (kinetic, frob))
    };
    let zero = || Tensor::<2>::zeros([n, 1], &device);
    let mut state = ((x1, zero()), (zero(), zero()));
    for k in 0..steps {
        let (t0, t1) = (k as f64 / steps as f64, (k + 1) as f64 / steps as f64);
        state = rk4_step(&mut rhs, state, t0, t1);
    }
    let ((z, delta), (kinetic, frobenius)) = state;
    let log_normal = z
        .square()
        .sum_dim(1)
        .mul_scalar(-0.5)
        .add_scalar(-0.5 * d as f64 * std::f64::consts::TAU.ln());
    Terms {
        logp: log_normal.add(delta),
        kinetic,
        frobenius,
    }
}

/// The training loss: mean over rows of -log p_1(x) + kinetic int |v|^2 + jacobian
/// int |J|_F^2, a per-row sum like every objective's. Without regularisers it is the
/// negative log-likelihood in nats per row (standardized units).
pub fn loss(
    f: impl Fn(Tensor<2>, Tensor<2>, Tensor<2>) -> (Tensor<2>, Tensor<2>),
    x1: Tensor<2>,
    trace: &Trace,
    config: &CnfConfig,
) -> Tensor<1> {
    let terms = solve(f, x1, trace, config.steps);
    let mut per_row = terms.logp.neg();
    if config.kinetic > 0.0 {
        per_row = per_row.add(terms.kinetic.mul_scalar(config.kinetic));
    }
    if config.jacobian > 0.0 {
        per_row = per_row.add(terms.frobenius.mul_scalar(config.jacobian));
    }
    per_row.mean().reshape([1])
}

/// Central-difference J e from a model that only gives its output (exact models in
/// tests, [`super::losses::loss`]): (f(x + h e) - f(x - h e)) / 2h.
pub fn jvp_by_differences(
    f: impl Fn(Tensor<2>, Tensor<2>) -> Tensor<2>,
    h: f64,
) -> impl Fn(Tensor<2>, Tensor<2>, Tensor<2>) -> (Tensor<2>, Tensor<2>) {
    move |x, t, e| {
        let plus = f(x.clone().add(e.clone().mul_scalar(h)), t.clone());
        let minus = f(x.clone().sub(e.mul_scalar(h)), t.clone());
        (f(x, t), plus.sub(minus).div_scalar(2.0 * h))
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::rng::{Rng64, normal};
    use crate::score::Backend;
    use crate::score::likelihood::{LikelihoodConfig, log_likelihood_velocity};
    use crate::score::model::NetConfig;

    fn net(dim: usize, seed: u64) -> (crate::score::ScoreNet, Device) {
        let device = Backend::DEFAULT_CPU.device().unwrap();
        let config = NetConfig {
            width: 24,
            depth: 2,
            fourier_scale: 1.0,
            seed,
            ..NetConfig::new(dim)
        };
        (config.init(&device).unwrap(), device)
    }

    fn rows(n: usize, d: usize, seed: u64, device: &Device) -> Tensor<2> {
        let mut rng = Rng64::new(seed);
        let v: Vec<f32> = (0..n * d).map(|_| normal(&mut rng) as f32).collect();
        Tensor::from_data(TensorData::new(v, [n, d]), device)
    }

    fn read(t: Tensor<2>) -> Vec<f64> {
        crate::score::backend::read_f32(t)
            .unwrap()
            .into_iter()
            .map(|v| v as f64)
            .collect()
    }

    /// The forward-mode product equals central differences of the network's output.
    #[test]
    fn forward_jvp_matches_central_differences() {
        let (net, device) = net(3, 1);
        let x = rows(16, 3, 2, &device);
        let e = rows(16, 3, 3, &device);
        let t = Tensor::<2>::full([16, 1], 0.4, &device);
        let (f, je) = net.forward_jvp(x.clone(), t.clone(), e.clone());
        let h = 1e-2;
        let fd = net
            .forward(x.clone().add(e.clone().mul_scalar(h)), t.clone())
            .sub(net.forward(x.clone().sub(e.mul_scalar(h)), t.clone()))
            .div_scalar(2.0 * h);
        let (je, fd) = (read(je), read(fd));
        let scale = je.iter().map(|v| v.abs()).fold(0.0, f64::max);
        let worst = je
            .iter()
            .zip(&fd)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(worst < 1e-3 * scale, "worst {worst} of {scale}");
        let f0 = read(net.forward(x, t));
        assert_eq!(read(f), f0);
    }

    /// Hutchinson's trace makes the CNF's log-likelihood unbiased: over 400 probe
    /// draws its mean per row agrees with the exact trace's within three standard
    /// errors, and the estimates do vary.
    #[test]
    fn hutchinson_log_likelihood_is_unbiased() {
        let (net, device) = net(2, 4);
        let n = 8;
        let x = rows(n, 2, 5, &device);
        let f = |x, t, e| net.forward_jvp(x, t, e);
        let exact = read(solve(f, x.clone(), &Trace::Exact, 6).logp);
        let reps = 400;
        let mut rng = Rng64::new(9);
        let mut draws = vec![vec![]; n];
        for _ in 0..reps {
            let e: Vec<f32> = (0..n * 2)
                .map(|_| if rng.uniform() < 0.5 { -1.0 } else { 1.0 })
                .collect();
            let e = Tensor::from_data(TensorData::new(e, [n, 2]), &device);
            let est = read(solve(f, x.clone(), &Trace::Hutchinson(Box::new(e)), 6).logp);
            for (r, v) in est.into_iter().enumerate() {
                draws[r].push(v);
            }
        }
        for (r, d) in draws.iter().enumerate() {
            let mean = d.iter().sum::<f64>() / reps as f64;
            let var = d.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (reps - 1) as f64;
            let se = (var / reps as f64).sqrt();
            assert!(var > 0.0, "row {r}: no noise");
            assert!(
                (mean - exact[r]).abs() < 3.0 * se + 1e-5,
                "row {r}: Hutchinson {mean} vs exact {} (se {se})",
                exact[r]
            );
        }
    }

    /// The training solve with the exact trace and the likelihood module (another
    /// grid, central differences) agree on the same network: within 2e-3 nats.
    #[test]
    fn solve_agrees_with_the_velocity_likelihood() {
        let (net, device) = net(2, 6);
        let x = rows(32, 2, 7, &device);
        let f = |x, t, e| net.forward_jvp(x, t, e);
        let mine = read(solve(f, x.clone(), &Trace::Exact, 64).logp);
        let config = LikelihoodConfig {
            steps: 200,
            ..Default::default()
        };
        let theirs = log_likelihood_velocity(&net, x, &config).unwrap().logp;
        let worst = mine
            .iter()
            .zip(&theirs)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(worst < 2e-3, "worst difference {worst} nats");
    }
}
