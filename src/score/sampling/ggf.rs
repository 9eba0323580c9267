//! Gotta Go Fast (Jolicoeur-Martineau et al. 2021, Algorithm 1): an adaptive reverse
//! SDE with per-sample times and step sizes, Euler-Maruyama against improved Euler.

use super::{Run, Stepper};
use crate::Error;
use crate::score::backend::read_f32;
use crate::score::sde::Sde;
use burn::prelude::*;

pub struct Ggf {
    /// Per sample: time reached and step size.
    t: Vec<f64>,
    h: Vec<f64>,
    /// The previous accepted Euler-Maruyama proposal (x'_prev).
    prev: Option<Tensor<2>>,
    t_end: f64,
    steps: usize,
}

pub fn build(run: &Run) -> Result<Box<dyn Stepper>, Error> {
    Ok(Box::new(Ggf {
        t: vec![Sde::T; run.n],
        h: vec![0.01; run.n],
        prev: None,
        t_end: run.config.t_eps,
        steps: 0,
    }))
}

impl Stepper for Ggf {
    /// One iteration: an Euler-Maruyama proposal x' and an improved-Euler one x''
    /// from the same noise; E = ||(x' - x'') / delta||_2 / sqrt(d), delta =
    /// max(eps_abs, eps_rel max(|x'|, |x'_prev|)); accept x'' where E <= 1;
    /// h <- min(t - eps, 0.9 h E^-0.9). See `ggf_published` for which x' enters E.
    fn step(&mut self, run: &mut Run) -> Result<bool, Error> {
        let eps = run.config.t_eps;
        let n = run.n;
        let t0: Vec<f64> = self.t.clone();
        let h: Vec<f64> = (0..n)
            .map(|i| self.h[i].min(t0[i] - eps).max(0.0))
            .collect();
        let t1: Vec<f64> = (0..n).map(|i| t0[i] - h[i]).collect();
        let sde = run.sde;
        let coefs = |ts: &[f64]| -> (Vec<f64>, Vec<f64>, Vec<f64>) {
            let a = ts.iter().map(|t| sde.drift_coeff(*t)).collect();
            let g = ts.iter().map(|t| sde.diffusion(*t)).collect();
            let s = ts.iter().map(|t| sde.marginal(*t).1).collect();
            (a, g, s)
        };
        let (a0, g0, s0) = coefs(&t0);
        let (a1, g1, s1) = coefs(&t1);
        let hh = run.column(&h);
        let sqrt_h = run.column(&h.iter().map(|v| v.sqrt()).collect::<Vec<_>>());
        let z = run.noise();
        let x = run.x.clone();
        // Each step's columns, built once: times, stds, g^2 and a at both ends.
        let sq = |g: &[f64]| g.iter().map(|g| g * g).collect::<Vec<_>>();
        let (tt0, ss0, g0sq, aa0) = (
            run.column(&t0),
            run.column(&s0),
            run.column(&sq(&g0)),
            run.column(&a0),
        );
        let (tt1, ss1, g1sq, aa1) = (
            run.column(&t1),
            run.column(&s1),
            run.column(&sq(&g1)),
            run.column(&a1),
        );
        // The reverse drift times h, (g^2 score - a x) h, at x with the given end's columns.
        let drift =
            |run: &mut Run,
             x: &Tensor<2>,
             (t, s, g2, a): (&Tensor<2>, &Tensor<2>, &Tensor<2>, &Tensor<2>)| {
                run.score_rows(x.clone(), t.clone(), s.clone())
                    .mul(g2.clone())
                    .sub(x.clone().mul(a.clone()))
                    .mul(hh.clone())
            };
        let end0 = (&tt0, &ss0, &g0sq, &aa0);
        let end1 = (&tt1, &ss1, &g1sq, &aa1);
        let drift0 = drift(run, &x, end0);
        let x_em = x
            .clone()
            .add(drift0.clone())
            .add(z.clone().mul(run.column(&g0)).mul(sqrt_h.clone()));
        let drift1 = drift(run, &x_em, end1);
        let x_tilde = x
            .clone()
            .add(drift1)
            .add(z.mul(run.column(&g1)).mul(sqrt_h));
        let x_heun = x_em.clone().add(x_tilde).mul_scalar(0.5);
        let prev = self.prev.take().unwrap_or_else(|| x.clone());
        // The pair whose difference estimates the error, and the proposal kept as
        // x'_prev: with the noise (published) or on the drift alone.
        let (proposal, diff) = if run.config.ggf_published {
            (x_em.clone(), x_em.clone().sub(x_heun.clone()))
        } else {
            let x_det = x.clone().add(drift0);
            let drift_det = drift(run, &x_det, end1);
            // EM minus improved Euler, noise-free: (x_det - (x + drift(x_det))) / 2.
            let diff = x_det.clone().sub(x.clone().add(drift_det)).mul_scalar(0.5);
            (x_det, diff)
        };
        let delta = proposal
            .clone()
            .abs()
            .max_pair(prev.clone().abs())
            .mul_scalar(run.config.eps_rel)
            .clamp_min(run.config.eps_abs);
        let e2 = read_f32(diff.div(delta).square().mean_dim(1).sqrt())?;
        let mut accept = vec![0.0f64; n];
        let mut all_done = true;
        for i in 0..n {
            let e = e2[i] as f64;
            if h[i] <= 0.0 {
                // Finished sample: nothing moves.
                continue;
            }
            if !e.is_finite() {
                self.h[i] = h[i] * 0.1;
                if self.h[i] < 1e-12 {
                    return Err(Error::diverged("ggf: the solution blew up"));
                }
                all_done = false;
                continue;
            }
            if e <= 1.0 {
                accept[i] = 1.0;
                self.t[i] = t1[i];
            }
            let grow = 0.9 * h[i] * e.max(1e-10).powf(-0.9);
            self.h[i] = grow.min(self.t[i] - eps);
            if self.t[i] > eps + 1e-12 {
                all_done = false;
            }
        }
        let mask = run.column(&accept);
        let keep = mask.clone().neg().add_scalar(1.0);
        run.x = x_heun.mul(mask.clone()).add(x.mul(keep.clone()));
        self.prev = Some(proposal.mul(mask).add(prev.mul(keep)));
        self.steps += 1;
        Ok(all_done)
    }

    fn progress(&self) -> f64 {
        (Sde::T - self.time()) / (Sde::T - self.t_end)
    }

    fn time(&self) -> f64 {
        self.t.iter().copied().fold(f64::NEG_INFINITY, f64::max)
    }

    fn end_time(&self) -> f64 {
        self.t_end
    }

    fn steps_taken(&self) -> usize {
        self.steps
    }
}
