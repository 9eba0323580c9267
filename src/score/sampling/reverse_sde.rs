//! Reverse-time SDE samplers on a uniform grid: Euler-Maruyama, score_sde's
//! reverse-diffusion predictor and ancestral sampling (DDPM for VP, NCSN's for VE).

use super::{Fixed, Run, Stepper};
use crate::Error;
use burn::prelude::*;

/// Euler-Maruyama: x(t - h) = x - (a x - g^2 score) h + g sqrt(h) z.
pub fn em(run: &Run) -> Result<Box<dyn Stepper>, Error> {
    Ok(Box::new(Fixed::uniform(run, |run, x, t0, t1, last| {
        let h = t0 - t1;
        let (a, g) = (run.sde.drift_coeff(t0), run.sde.diffusion(t0));
        let s = run.score(x.clone(), t0);
        let mean = x
            .clone()
            .sub(x.mul_scalar(a * h))
            .add(s.mul_scalar(g * g * h));
        if last {
            mean
        } else {
            let z = run.noise();
            mean.add(z.mul_scalar(g * h.sqrt()))
        }
    })))
}

pub fn reverse_diffusion(run: &Run) -> Result<Box<dyn Stepper>, Error> {
    Ok(Box::new(Fixed::uniform(run, reverse_diffusion_step)))
}

/// score_sde's reverse-diffusion predictor: x - f + G^2 score (+ G z), with f, G
/// the SDE's discretization over [t1, t0].
pub fn reverse_diffusion_step(
    run: &mut Run,
    x: Tensor<2>,
    t0: f64,
    t1: f64,
    last: bool,
) -> Tensor<2> {
    let (f_coef, g) = run.sde.discretize(t0, t1);
    let s = run.score(x.clone(), t0);
    let mean = x.clone().sub(x.mul_scalar(f_coef)).add(s.mul_scalar(g * g));
    if last {
        mean
    } else {
        let z = run.noise();
        mean.add(z.mul_scalar(g))
    }
}

/// Ancestral sampling: NCSN's for VE, DDPM's for VP.
pub fn ancestral(run: &Run) -> Result<Box<dyn Stepper>, Error> {
    Ok(Box::new(Fixed::uniform(run, |run, x, t0, t1, last| {
        let sde = run.sde;
        let s = run.score(x.clone(), t0);
        let (mean, std) = if sde.is_ve() {
            let (sig, adj) = (sde.marginal(t0).1, sde.marginal(t1).1);
            let var = sig * sig - adj * adj;
            (
                x.add(s.mul_scalar(var)),
                (adj * adj * var / (sig * sig)).sqrt(),
            )
        } else {
            let beta = sde.discrete_beta(t0, t1);
            (
                x.add(s.mul_scalar(beta)).div_scalar((1.0 - beta).sqrt()),
                beta.sqrt(),
            )
        };
        if last {
            mean
        } else {
            let z = run.noise();
            mean.add(z.mul_scalar(std))
        }
    })))
}
