//! The probability-flow ODE by adaptive Dormand-Prince 5(4) on the whole batch (error
//! norm over all entries, as score_sde's scipy call does), with the integrator's
//! tableau; first-same-as-last saves one evaluation per accepted step.

use super::{Run, Stepper};
use crate::Error;
use crate::dynamics::integrate::{A, B4, B5, C};
use crate::score::backend::read_f32;
use crate::score::sde::Sde;
use burn::prelude::*;

pub struct Dopri5 {
    /// Diffusion time reached, step size, and the first stage of the next step.
    t: f64,
    h: f64,
    first: Option<Tensor<2>>,
    t_end: f64,
    accepted: usize,
}

pub fn build(run: &Run) -> Result<Box<dyn Stepper>, Error> {
    Ok(Box::new(Dopri5 {
        t: Sde::T,
        h: 0.01,
        first: None,
        t_end: run.config.t_end(),
        accepted: 0,
    }))
}

impl Stepper for Dopri5 {
    /// One attempted step.
    fn step(&mut self, run: &mut Run) -> Result<bool, Error> {
        // Error weights: fifth- minus fourth-order.
        let e: [f64; 7] = std::array::from_fn(|j| B5[j] - B4[j]);
        // Integrate in tau = T - t so that the step is positive.
        let f = |run: &mut Run, x: Tensor<2>, tau: f64| run.flow(x, Sde::T - tau).neg();
        let tau = Sde::T - self.t;
        let tau_end = Sde::T - self.t_end;
        let x = run.x.clone();
        let k1 = match self.first.take() {
            Some(k) => k,
            None => f(run, x.clone(), tau),
        };
        let h = self.h.min(tau_end - tau);
        let mut ks = vec![k1];
        for (s, c) in C.iter().enumerate().take(6).skip(1) {
            let xi = stage(&x, &ks, s, h);
            ks.push(f(run, xi, tau + c * h));
        }
        // The fifth-order solution is the last stage's argument.
        let y5 = stage(&x, &ks, 6, h);
        ks.push(f(run, y5.clone(), tau + C[6] * h));
        let mut err = ks[0].clone().mul_scalar(h * e[0]);
        for (j, kj) in ks.iter().enumerate().skip(1) {
            if e[j] != 0.0 {
                err = err.add(kj.clone().mul_scalar(h * e[j]));
            }
        }
        let scale = x
            .clone()
            .abs()
            .max_pair(y5.clone().abs())
            .mul_scalar(run.config.rtol)
            .add_scalar(run.config.atol);
        let norm = read_f32(err.div(scale).square().mean())?
            .first()
            .map_or(f64::NAN, |v| (*v as f64).sqrt());
        if !norm.is_finite() {
            self.h = h * 0.1;
            self.first = Some(ks.swap_remove(0));
            if self.h < 1e-12 {
                return Err(Error::diverged("ode-dopri5: the solution blew up"));
            }
            return Ok(false);
        }
        let factor = (0.9 * norm.powf(-0.2)).clamp(0.2, 10.0);
        let mut finished = false;
        if norm <= 1.0 {
            run.x = y5;
            self.t = Sde::T - (tau + h);
            self.first = ks.pop();
            self.accepted += 1;
            finished = self.t <= self.t_end + 1e-12;
        } else {
            self.first = Some(ks.swap_remove(0));
        }
        self.h = h * if norm <= 1.0 { factor } else { factor.min(1.0) };
        if self.h < 1e-12 {
            return Err(Error::diverged("ode-dopri5: step size underflow"));
        }
        Ok(finished)
    }

    fn progress(&self) -> f64 {
        (Sde::T - self.t) / (Sde::T - self.t_end)
    }

    fn time(&self) -> f64 {
        self.t
    }

    fn end_time(&self) -> f64 {
        self.t_end
    }

    fn steps_taken(&self) -> usize {
        self.accepted
    }
}

/// x + h sum_j A[s][j] k_j, the argument of stage s.
fn stage(x: &Tensor<2>, ks: &[Tensor<2>], s: usize, h: f64) -> Tensor<2> {
    let mut xi = x.clone();
    for (j, kj) in ks.iter().enumerate() {
        if A[s][j] != 0.0 {
            xi = xi.add(kj.clone().mul_scalar(h * A[s][j]));
        }
    }
    xi
}
