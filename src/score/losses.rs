//! Training objectives (score_sde's `losses.py`).

use super::model::ScoreNet;
use super::sde::Sde;
use crate::rng::{Rng64, normal};
use burn::prelude::*;

/// One denoising-score-matching minibatch, drawn on the host so that a seed gives the
/// same batches on every device: x_t = m(t) x_0 + s(t) z.
pub struct DsmBatch {
    pub xt: Tensor<2>,
    pub t: Tensor<2>,
    pub z: Tensor<2>,
}

/// Draws `batch` rows of `data` (standardized, row-major, `dim` columns) with
/// replacement, t ~ U(t_eps, T) and z ~ N(0, I).
pub fn dsm_batch(
    data: &[f32],
    dim: usize,
    batch: usize,
    sde: &Sde,
    t_eps: f64,
    rng: &mut Rng64,
    device: &Device,
) -> DsmBatch {
    let n = data.len() / dim;
    let mut xt = Vec::with_capacity(batch * dim);
    let mut ts = Vec::with_capacity(batch);
    let mut zs = Vec::with_capacity(batch * dim);
    for _ in 0..batch {
        let row = &data[rng.below(n) * dim..][..dim];
        let t = t_eps + (Sde::T - t_eps) * rng.uniform();
        let (m, s) = sde.marginal(t);
        for &x0 in row {
            let z = normal(rng);
            xt.push((m * x0 as f64 + s * z) as f32);
            zs.push(z as f32);
        }
        ts.push(t as f32);
    }
    DsmBatch {
        xt: Tensor::from_data(TensorData::new(xt, [batch, dim]), device),
        t: Tensor::from_data(TensorData::new(ts, [batch, 1]), device),
        z: Tensor::from_data(TensorData::new(zs, [batch, dim]), device),
    }
}

/// Continuous-time DSM with sigma^2 weighting (Song et al. 2021, eq. 7):
/// E || s(t) score(x_t, t) + z ||^2 = E || net(x_t, t) + z ||^2, summed over
/// coordinates and averaged over the batch. Its minimum over all functions is
/// E[ s(t)^2 tr Cov(score of the kernel - score of p_t) ], zero only for point data.
pub fn dsm_loss(net: &ScoreNet, batch: DsmBatch) -> Tensor<1> {
    let out = net.forward(batch.xt, batch.t);
    dsm_objective(out, batch.z)
}

/// The DSM objective for given network outputs s(t) * score [B, d] and noises z [B, d].
pub fn dsm_objective(out: Tensor<2>, z: Tensor<2>) -> Tensor<1> {
    out.add(z).square().sum_dim(1).mean().reshape([1])
}
