//! What every sampler, the likelihood and the field slice evaluate: a score (or a
//! flow-matching velocity) of perturbed data, and the network that provides one.

use super::model::ScoreNet;
use super::sde::Sde;
use burn::prelude::*;

/// Anything that gives the score of the perturbed data.
pub trait ScoreFn {
    /// The score at x [B, d] at times t [B, 1], marginal stds s(t) [B, 1].
    fn score_at(&self, x: Tensor<2>, t: Tensor<2>, std: Tensor<2>) -> Tensor<2>;

    /// The raw output f(x, t): for flow-matching models, the velocity.
    fn raw(&self, x: Tensor<2>, t: Tensor<2>) -> Tensor<2> {
        let ones = t.clone().ones_like();
        self.score_at(x, t, ones)
    }

    /// The score of every row of x at one diffusion time t of `sde`.
    fn score_at_time(&self, sde: &Sde, x: Tensor<2>, t: f64) -> Tensor<2> {
        let [n, _] = x.dims();
        let device = x.device();
        let (_, s) = sde.marginal(t);
        self.score_at(
            x,
            Tensor::full([n, 1], t as f32, &device),
            Tensor::full([n, 1], s as f32, &device),
        )
    }

    /// The raw output (a velocity) of every row of x at one flow time tau.
    fn raw_at_time(&self, x: Tensor<2>, tau: f64) -> Tensor<2> {
        let [n, _] = x.dims();
        let device = x.device();
        self.raw(x, Tensor::full([n, 1], tau as f32, &device))
    }
}

impl ScoreFn for ScoreNet {
    fn score_at(&self, x: Tensor<2>, t: Tensor<2>, std: Tensor<2>) -> Tensor<2> {
        self.score(x, t, std)
    }

    fn raw(&self, x: Tensor<2>, t: Tensor<2>) -> Tensor<2> {
        self.forward(x, t)
    }
}
