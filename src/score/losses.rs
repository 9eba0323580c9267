//! Training objectives (score_sde's `losses.py`, NCSN, sliced score matching,
//! flow matching). Batches are drawn on the host so that a seed gives the same
//! batches on every device; each objective is a function of the network's raw
//! output `f(x, t)` (the sigma-scaled score s(t) score, or a velocity for flow
//! matching), so the same code scores a trained network or an exact model.

use super::model::Arch;
use super::sde::Sde;
use crate::Error;
use crate::rng::{Rng64, normal};
use burn::prelude::*;
use serde::{Deserialize, Serialize};

/// The objectives, by their `--objective` names.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Objective {
    /// Continuous-time denoising score matching, lambda(t) = s(t)^2.
    #[default]
    Dsm,
    /// Denoising score matching with likelihood weighting lambda(t) = g(t)^2,
    /// t drawn from q(t) ~ g^2 / s^2 (importance sampling) to tame its variance.
    DsmLikelihood,
    /// Sliced score matching on the perturbed data, with the Jacobian-vector
    /// product by central differences (FD-SSM), lambda(t) = s(t)^2.
    Ssm,
    /// NCSN's discrete loss over the geometric ladder, lambda(sigma) = sigma^2.
    Ncsn,
    /// Conditional flow matching on the optimal-transport path (Lipman et al.).
    FlowMatching,
    /// A continuous normalizing flow trained by maximum likelihood through its ODE
    /// (FFJORD; [`super::cnf`]).
    Cnf,
    /// The exact negative log-likelihood of an invertible flow (RealNVP,
    /// [`super::realnvp`]).
    MaximumLikelihood,
}

/// One objective: its `--objective` name, other names accepted, and the menu label the
/// page shows.
pub struct ObjectiveInfo {
    pub objective: Objective,
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub label: &'static str,
}

/// Every objective, in the order the help, the page's select and the docs list them:
/// the one table they are made from.
pub static OBJECTIVES: &[ObjectiveInfo] = &[
    ObjectiveInfo {
        objective: Objective::Dsm,
        name: "dsm",
        aliases: &[],
        label: "denoising score matching",
    },
    ObjectiveInfo {
        objective: Objective::DsmLikelihood,
        name: "dsm-likelihood",
        aliases: &[],
        label: "DSM, likelihood weighting",
    },
    ObjectiveInfo {
        objective: Objective::Ssm,
        name: "ssm",
        aliases: &[],
        label: "sliced score matching",
    },
    ObjectiveInfo {
        objective: Objective::Ncsn,
        name: "ncsn",
        aliases: &[],
        label: "NCSN loss (NCSN ladder)",
    },
    ObjectiveInfo {
        objective: Objective::FlowMatching,
        name: "flow-matching",
        aliases: &["fm"],
        label: "flow matching",
    },
    ObjectiveInfo {
        objective: Objective::Cnf,
        name: "cnf",
        aliases: &[],
        label: "CNF, maximum likelihood (FFJORD)",
    },
    ObjectiveInfo {
        objective: Objective::MaximumLikelihood,
        name: "maximum-likelihood",
        aliases: &["ml"],
        label: "maximum likelihood (RealNVP)",
    },
];

impl Objective {
    /// The names, for help texts and messages: "dsm, dsm-likelihood, ...".
    pub fn names() -> String {
        OBJECTIVES
            .iter()
            .map(|o| o.name)
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn parse(name: &str) -> Result<Self, Error> {
        OBJECTIVES
            .iter()
            .find(|o| o.name == name || o.aliases.contains(&name))
            .map(|o| o.objective)
            .ok_or_else(|| {
                Error::invalid(format!(
                    "unknown objective '{name}'; supported: {}",
                    Self::names()
                ))
            })
    }

    pub fn name(&self) -> &'static str {
        self.info().name
    }

    fn info(&self) -> &'static ObjectiveInfo {
        OBJECTIVES
            .iter()
            .find(|o| o.objective == *self)
            .expect("every objective has a row")
    }

    /// The table as JSON (name, aliases, label, velocity), for the page's select.
    pub fn table_json() -> String {
        let rows: Vec<serde_json::Value> = OBJECTIVES
            .iter()
            .map(|o| {
                serde_json::json!({
                    "name": o.name,
                    "aliases": o.aliases,
                    "label": o.label,
                    "velocity": o.objective.is_velocity(),
                })
            })
            .collect();
        serde_json::Value::Array(rows).to_string()
    }

    /// Whether the network learns a velocity (flow matching, CNF) rather than a score.
    pub fn is_velocity(&self) -> bool {
        matches!(self, Self::FlowMatching | Self::Cnf)
    }

    /// The architecture it trains: an invertible flow for maximum likelihood, an MLP
    /// field for the others.
    pub fn check_arch(&self, arch: Arch) -> Result<(), Error> {
        match (self, arch) {
            (Self::MaximumLikelihood, Arch::RealNvp) => Ok(()),
            (Self::MaximumLikelihood, a) => Err(Error::invalid(format!(
                "the maximum-likelihood objective trains an invertible flow: use --arch realnvp, not {}",
                a.name()
            ))),
            (o, Arch::RealNvp) => Err(Error::invalid(format!(
                "a RealNVP trains by --objective maximum-likelihood, not {}",
                o.name()
            ))),
            (_, Arch::Mlp) => Ok(()),
        }
    }

    pub fn check(&self, sde: &Sde) -> Result<(), Error> {
        if *self == Self::Ncsn && !matches!(sde, Sde::Ncsn { .. }) {
            return Err(Error::invalid(
                "the ncsn objective trains on NCSN's noise ladder: use --sde ncsn",
            ));
        }
        Ok(())
    }
}

/// The smallest noise of flow matching's path (Lipman et al.'s sigma_min).
pub const FM_SIGMA_MIN: f64 = 1e-4;
/// Central-difference step of FD-SSM.
pub const SSM_STEP: f64 = 1e-3;

/// One minibatch.
pub struct Batch {
    /// The network's input x(t) and time t [B, 1].
    pub xt: Tensor<2>,
    pub t: Tensor<2>,
    /// Marginal std s(t) [B, 1] (1 for flow matching).
    pub std: Tensor<2>,
    /// The noise z of x_t = m x0 + s z; for flow matching the target velocity.
    pub target: Tensor<2>,
    /// Per-row weight [B, 1].
    pub weight: Tensor<2>,
    /// SSM's projection directions.
    pub probe: Option<Tensor<2>>,
}

/// Inverse CDF of q(t) ~ g(t)^2 / s(t)^2 on [eps, 1] (tabulated), and its
/// normaliser Z = int g^2 / s^2 dt.
fn likelihood_sampler(sde: &Sde, t_eps: f64) -> (Vec<f64>, Vec<f64>, f64) {
    let n = 4000;
    // Log-spaced grid: the weight grows like 1 / t near 0.
    let ts: Vec<f64> = (0..=n)
        .map(|i| t_eps * (1.0 / t_eps).powf(i as f64 / n as f64))
        .collect();
    let w = |t: f64| sde.diffusion(t).powi(2) / sde.marginal(t).1.powi(2);
    let mut cdf = vec![0.0];
    for k in 0..n {
        let (a, b) = (ts[k], ts[k + 1]);
        cdf.push(cdf[k] + 0.5 * (w(a) + w(b)) * (b - a));
    }
    let z = cdf[n];
    (ts, cdf.into_iter().map(|c| c / z).collect(), z)
}

/// A minibatch on the host, row-major: what [`Batch`] holds, before it goes to a device.
pub struct HostBatch {
    pub dim: usize,
    pub xt: Vec<f32>,
    pub t: Vec<f32>,
    pub std: Vec<f32>,
    pub target: Vec<f32>,
    pub weight: Vec<f32>,
    pub probe: Option<Vec<f32>>,
}

impl HostBatch {
    /// The batch as tensors on `device`.
    pub fn to_device(&self, device: &Device) -> Batch {
        let (b, d) = (self.t.len(), self.dim);
        let mat = |v: &[f32], cols: usize| {
            Tensor::from_data(TensorData::new(v.to_vec(), [b, cols]), device)
        };
        Batch {
            xt: mat(&self.xt, d),
            t: mat(&self.t, 1),
            std: mat(&self.std, 1),
            target: mat(&self.target, d),
            weight: mat(&self.weight, 1),
            probe: self.probe.as_ref().map(|p| mat(p, d)),
        }
    }
}

/// Draws `batch` rows of `data` (standardized, row-major, `dim` columns) with
/// replacement, and what the objective needs besides, on the host (so that a seed gives
/// the same batches whichever trainer or device consumes them; [`HostBatch::to_device`]
/// makes tensors of them).
pub fn draw_batch(
    objective: Objective,
    data: &[f32],
    dim: usize,
    batch: usize,
    sde: &Sde,
    t_eps: f64,
    rng: &mut Rng64,
) -> HostBatch {
    let n = data.len() / dim;
    let mut xt = Vec::with_capacity(batch * dim);
    let mut target = Vec::with_capacity(batch * dim);
    let (mut ts, mut stds, mut weights) = (vec![], vec![], vec![]);
    let table = (objective == Objective::DsmLikelihood).then(|| likelihood_sampler(sde, t_eps));
    let ladder = (objective == Objective::Ncsn).then(|| sde.ladder());
    for _ in 0..batch {
        let row = &data[rng.below(n) * dim..][..dim];
        let (t, weight) = match (objective, &table, &ladder) {
            (Objective::DsmLikelihood, Some((grid, cdf, z)), _) => {
                let u = rng.uniform();
                let k = cdf.partition_point(|c| *c < u).clamp(1, cdf.len() - 1);
                let f = (u - cdf[k - 1]) / (cdf[k] - cdf[k - 1]).max(1e-300);
                let t = grid[k - 1] + f * (grid[k] - grid[k - 1]);
                // lambda / s^2 = g^2 / s^2 = z q(t): the importance weight is z.
                (t, *z)
            }
            (Objective::Ncsn, _, Some(l)) => (sde.time_of_sigma(l[rng.below(l.len())]), 1.0),
            (Objective::FlowMatching, _, _) => (rng.uniform(), 1.0),
            (Objective::Cnf | Objective::MaximumLikelihood, _, _) => (1.0, 1.0),
            _ => (t_eps + (Sde::T - t_eps) * rng.uniform(), 1.0),
        };
        if matches!(objective, Objective::Cnf | Objective::MaximumLikelihood) {
            // The data themselves: the flow carries them back to the noise.
            xt.extend_from_slice(row);
            target.extend_from_slice(row);
            stds.push(1.0);
        } else if objective == Objective::FlowMatching {
            // x_t = (1 - (1 - sigma_min) t) x0 + t x1, u = x1 - (1 - sigma_min) x0.
            let a = 1.0 - (1.0 - FM_SIGMA_MIN) * t;
            for &x1 in row {
                let x0 = normal(rng);
                xt.push((a * x0 + t * x1 as f64) as f32);
                target.push((x1 as f64 - (1.0 - FM_SIGMA_MIN) * x0) as f32);
            }
            stds.push(1.0);
        } else {
            let (m, s) = sde.marginal(t);
            for &x0 in row {
                let z = normal(rng);
                xt.push((m * x0 as f64 + s * z) as f32);
                target.push(z as f32);
            }
            stds.push(s as f32);
        }
        ts.push(t as f32);
        weights.push(weight as f32);
    }
    let probe = matches!(objective, Objective::Ssm | Objective::Cnf).then(|| {
        (0..batch * dim)
            .map(|_| if rng.uniform() < 0.5 { -1.0 } else { 1.0 })
            .collect()
    });
    HostBatch {
        dim,
        xt,
        t: ts,
        std: stds,
        target,
        weight: weights,
        probe,
    }
}

/// The objective's value on a batch for the model whose raw output is `f(x, t)`:
/// a per-row sum over coordinates, averaged over the batch.
pub fn loss(
    objective: Objective,
    f: impl Fn(Tensor<2>, Tensor<2>) -> Tensor<2>,
    batch: Batch,
) -> Tensor<1> {
    let per_row = match objective {
        Objective::Dsm | Objective::Ncsn => {
            f(batch.xt, batch.t).add(batch.target).square().sum_dim(1)
        }
        Objective::DsmLikelihood => f(batch.xt, batch.t)
            .add(batch.target)
            .square()
            .sum_dim(1)
            .mul(batch.weight),
        Objective::FlowMatching => f(batch.xt, batch.t).sub(batch.target).square().sum_dim(1),
        Objective::Ssm => {
            // s^2 [v^T J v + (v^T score)^2 / 2] with score = f / s:
            // = s v^T (f(x + h v) - f(x - h v)) / 2h + (v^T f)^2 / 2.
            let v = batch.probe.expect("ssm batches carry probes");
            let h = SSM_STEP;
            let plus = f(
                batch.xt.clone().add(v.clone().mul_scalar(h)),
                batch.t.clone(),
            );
            let minus = f(
                batch.xt.clone().sub(v.clone().mul_scalar(h)),
                batch.t.clone(),
            );
            let center = f(batch.xt, batch.t);
            let jvp = plus
                .sub(minus)
                .mul(v.clone())
                .sum_dim(1)
                .div_scalar(2.0 * h);
            let vf = center.mul(v).sum_dim(1);
            jvp.mul(batch.std).add(vf.square().mul_scalar(0.5))
        }
        Objective::Cnf => {
            // For a model that only gives f (exact models in tests): the default
            // settings, J e by central differences. The trainer uses the network's
            // forward-mode product and the model's settings instead.
            let probe = batch.probe.expect("cnf batches carry probes");
            let jvp = super::cnf::jvp_by_differences(f, SSM_STEP);
            let config = super::cnf::CnfConfig::default();
            let trace = super::cnf::Trace::Hutchinson(Box::new(probe));
            return super::cnf::loss(jvp, batch.xt, &trace, &config);
        }
        Objective::MaximumLikelihood => {
            // Read f as a flow's per-coordinate negative log-density terms: the
            // trainer passes its RealNVP's (a field f(x, t) has no density).
            f(batch.xt, batch.t).sum_dim(1)
        }
    };
    per_row.mean().reshape([1])
}
