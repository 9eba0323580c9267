//! Exact scores of Gaussian mixtures perturbed by any of the forward SDEs: the
//! independent truth the samplers, losses and likelihoods are tested against.
//! Each component N(mu_k, c_k^2 I) becomes N(m(t) mu_k, (m^2 c_k^2 + s^2) I) at
//! time t, so the perturbed density and its score are closed-form.

use super::backend::read_f32;
use super::score_fn::ScoreFn;
use super::sde::Sde;
use crate::rng::{Rng64, normal};
use burn::prelude::*;

/// A mixture of isotropic Gaussians in `dim` dimensions.
#[derive(Debug, Clone)]
pub struct GaussianMixture {
    pub dim: usize,
    pub weights: Vec<f64>,
    /// Row-major means, one row per component.
    pub means: Vec<f64>,
    pub stds: Vec<f64>,
    pub sde: Sde,
}

impl GaussianMixture {
    fn components(&self) -> usize {
        self.weights.len()
    }

    /// Per-component log weight and log density terms at x for kernel (m, s).
    fn log_terms(&self, x: &[f64], m: f64, s: f64) -> Vec<(f64, f64)> {
        let d = self.dim as f64;
        (0..self.components())
            .map(|k| {
                let v = m * m * self.stds[k].powi(2) + s * s;
                let r2: f64 = (0..self.dim)
                    .map(|j| (x[j] - m * self.means[k * self.dim + j]).powi(2))
                    .sum();
                let lp = self.weights[k].ln()
                    - 0.5 * d * (std::f64::consts::TAU * v).ln()
                    - 0.5 * r2 / v;
                (lp, v)
            })
            .collect()
    }

    /// log p_t(x).
    pub fn log_density(&self, x: &[f64], t: f64) -> f64 {
        let (m, s) = self.sde.marginal(t);
        let terms = self.log_terms(x, m, s);
        let max = terms
            .iter()
            .map(|(l, _)| *l)
            .fold(f64::NEG_INFINITY, f64::max);
        max + terms.iter().map(|(l, _)| (l - max).exp()).sum::<f64>().ln()
    }

    /// log p(x) of the unperturbed mixture (t = 0 with no noise at all).
    pub fn data_log_density(&self, x: &[f64]) -> f64 {
        let terms = self.log_terms(x, 1.0, 0.0);
        let max = terms
            .iter()
            .map(|(l, _)| *l)
            .fold(f64::NEG_INFINITY, f64::max);
        max + terms.iter().map(|(l, _)| (l - max).exp()).sum::<f64>().ln()
    }

    /// The score of p_t at x, written into `out`.
    pub fn score(&self, x: &[f64], t: f64, out: &mut [f64]) {
        let (m, s) = self.sde.marginal(t);
        self.score_with(x, m, s, out)
    }

    fn score_with(&self, x: &[f64], m: f64, s: f64, out: &mut [f64]) {
        let terms = self.log_terms(x, m, s);
        let max = terms
            .iter()
            .map(|(l, _)| *l)
            .fold(f64::NEG_INFINITY, f64::max);
        let w: Vec<f64> = terms.iter().map(|(l, _)| (l - max).exp()).collect();
        let total: f64 = w.iter().sum();
        out.iter_mut().for_each(|o| *o = 0.0);
        for k in 0..self.components() {
            let r = w[k] / total;
            let v = terms[k].1;
            for j in 0..self.dim {
                out[j] -= r * (x[j] - m * self.means[k * self.dim + j]) / v;
            }
        }
    }

    /// `n` exact draws from the data distribution (t = 0), row-major.
    pub fn sample(&self, n: usize, seed: u64) -> Vec<f64> {
        let mut rng = Rng64::new(seed);
        let mut out = Vec::with_capacity(n * self.dim);
        for _ in 0..n {
            let u = rng.uniform();
            let mut acc = 0.0;
            let mut k = self.components() - 1;
            for (i, w) in self.weights.iter().enumerate() {
                acc += w;
                if u < acc {
                    k = i;
                    break;
                }
            }
            for j in 0..self.dim {
                out.push(self.means[k * self.dim + j] + self.stds[k] * normal(&mut rng));
            }
        }
        out
    }
}

impl ScoreFn for GaussianMixture {
    /// Reads the batch back to the host (synchronously) and evaluates there in f64.
    fn score_at(&self, x: Tensor<2>, t: Tensor<2>, std: Tensor<2>) -> Tensor<2> {
        let [n, d] = x.dims();
        let device = x.device();
        let xs = read_f32(x).unwrap_or_default();
        let ts = read_f32(t).unwrap_or_default();
        let ss = read_f32(std).unwrap_or_default();
        let mut out = vec![0f32; n * d];
        let mut row = vec![0.0; d];
        let mut sc = vec![0.0; d];
        for i in 0..n {
            for j in 0..d {
                row[j] = xs[i * d + j] as f64;
            }
            let (m, _) = self.sde.marginal(ts[i] as f64);
            self.score_with(&row, m, ss[i] as f64, &mut sc);
            for j in 0..d {
                out[i * d + j] = sc[j] as f32;
            }
        }
        Tensor::from_data(TensorData::new(out, [n, d]), &device)
    }

    /// The exact flow-matching velocity E[x1 - (1 - sigma_min) x0 | x_tau = x] on
    /// the optimal-transport path from N(0, I) to the mixture.
    fn raw(&self, x: Tensor<2>, t: Tensor<2>) -> Tensor<2> {
        let [n, d] = x.dims();
        let device = x.device();
        let xs = read_f32(x).unwrap_or_default();
        let ts = read_f32(t).unwrap_or_default();
        let k1 = 1.0 - super::losses::FM_SIGMA_MIN;
        let mut out = vec![0f32; n * d];
        for i in 0..n {
            let tau = ts[i] as f64;
            let a = 1.0 - k1 * tau;
            let row: Vec<f64> = (0..d).map(|j| xs[i * d + j] as f64).collect();
            let logs: Vec<f64> = (0..self.components())
                .map(|k| {
                    let v = a * a + tau * tau * self.stds[k].powi(2);
                    let r2: f64 = (0..d)
                        .map(|j| (row[j] - tau * self.means[k * d + j]).powi(2))
                        .sum();
                    self.weights[k].ln() - 0.5 * d as f64 * v.ln() - 0.5 * r2 / v
                })
                .collect();
            let max = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let w: Vec<f64> = logs.iter().map(|l| (l - max).exp()).collect();
            let total: f64 = w.iter().sum();
            for (k, wk) in w.iter().enumerate() {
                let v = a * a + tau * tau * self.stds[k].powi(2);
                let cov = tau * self.stds[k].powi(2) - k1 * a;
                for j in 0..d {
                    let mu = self.means[k * d + j];
                    let e = mu + cov / v * (row[j] - tau * mu);
                    out[i * d + j] += (wk / total * e) as f32;
                }
            }
        }
        Tensor::from_data(TensorData::new(out, [n, d]), &device)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The score is the gradient of the log-density: compare with central differences.
    #[test]
    fn score_is_the_gradient_of_the_log_density() {
        for name in ["vp", "subvp", "ve"] {
            let gm = GaussianMixture {
                dim: 2,
                weights: vec![0.3, 0.7],
                means: vec![-1.0, 0.5, 1.5, -0.5],
                stds: vec![0.2, 0.4],
                sde: Sde::parse_with(name, 4.0).unwrap(),
            };
            for t in [0.01, 0.3, 0.9] {
                let x = [0.3, -0.2];
                let mut s = [0.0; 2];
                gm.score(&x, t, &mut s);
                for j in 0..2 {
                    let h = 1e-5;
                    let (mut a, mut b) = (x, x);
                    a[j] += h;
                    b[j] -= h;
                    let fd = (gm.log_density(&a, t) - gm.log_density(&b, t)) / (2.0 * h);
                    assert!(
                        (fd - s[j]).abs() < 1e-6 * fd.abs().max(1.0),
                        "{name} t={t}: {fd} vs {}",
                        s[j]
                    );
                }
            }
        }
    }
}
