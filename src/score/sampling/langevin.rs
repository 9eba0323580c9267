//! Langevin samplers: predictor-corrector (reverse diffusion + score_sde's Langevin
//! corrector) and NCSN's annealed Langevin dynamics over the noise ladder.

use super::reverse_sde::reverse_diffusion_step;
use super::{Fixed, Run, Stepper};
use crate::Error;
use crate::score::backend::read_f32;
use crate::score::sde::Sde;
use burn::prelude::*;

/// Predictor-corrector: `corrector_steps` Langevin steps, then reverse diffusion.
pub fn pc(run: &Run) -> Result<Box<dyn Stepper>, Error> {
    Ok(Box::new(Fixed::uniform(run, |run, x, t0, t1, last| {
        let mut x = x;
        for _ in 0..run.config.corrector_steps {
            x = langevin(run, x, t0, t1);
        }
        reverse_diffusion_step(run, x, t0, t1, last)
    })))
}

/// score_sde's Langevin corrector: step 2 alpha (snr |z| / |score|)^2, norms
/// averaged over the batch.
fn langevin(run: &mut Run, x: Tensor<2>, t: f64, t1: f64) -> Tensor<2> {
    let alpha = if matches!(run.sde, Sde::Vp { .. }) {
        1.0 - run.sde.discrete_beta(t, t1)
    } else {
        1.0
    };
    let grad = run.score(x.clone(), t);
    let z = run.noise();
    let mean_norm = |v: Tensor<2>| -> f64 {
        read_f32(v.square().sum_dim(1).sqrt().mean())
            .ok()
            .and_then(|v| v.first().copied())
            .map_or(f64::NAN, |v| v as f64)
    };
    let (gn, zn) = (mean_norm(grad.clone()), mean_norm(z.clone()));
    let snr = if run.config.snr > 0.0 {
        run.config.snr
    } else if run.sde.is_ve() {
        0.16
    } else {
        0.05
    };
    let step = 2.0 * alpha * (snr * zn / gn).powi(2);
    if !step.is_finite() {
        return x;
    }
    x.add(grad.mul_scalar(step))
        .add(z.mul_scalar((2.0 * step).sqrt()))
}

/// Annealed Langevin dynamics (Song & Ermon 2019, Algorithm 1): `steps` iterations
/// in all, the same number at each level of the SDE's ladder.
pub struct Ald {
    ladder: Vec<f64>,
    per_level: usize,
    /// The steps asked for (at least `per_level` times the levels).
    steps: usize,
    step: usize,
    /// The last level's time.
    end: f64,
}

pub fn ald(run: &Run) -> Result<Box<dyn Stepper>, Error> {
    let ladder = run.sde.ladder();
    let steps = run.config.steps();
    if steps < ladder.len() {
        return Err(Error::invalid(format!(
            "ald needs at least one step per noise level ({})",
            ladder.len()
        )));
    }
    Ok(Box::new(Ald {
        per_level: steps / ladder.len(),
        steps,
        end: level_time(&run.sde, ladder[ladder.len() - 1]),
        ladder,
        step: 0,
    }))
}

impl Ald {
    fn total(&self) -> usize {
        self.per_level * self.ladder.len()
    }
}

impl Stepper for Ald {
    fn step(&mut self, run: &mut Run) -> Result<bool, Error> {
        let levels = self.ladder.len();
        let level = (self.step / self.per_level).min(levels - 1);
        let sde = run.sde;
        let time = |sigma: f64| level_time(&sde, sigma);
        // The network knows noise levels by time; the step follows the marginal
        // std there (sigma itself for VE; at most 1 for VP, whose ladder is of
        // noise-to-signal ratios).
        let t = time(self.ladder[level]);
        let s_level = sde.marginal(t).1;
        let s_last = sde.marginal(time(self.ladder[levels - 1])).1;
        let alpha = run.config.ald_eps * (s_level / s_last).powi(2);
        let s = run.score(run.x.clone(), t);
        let z = run.noise();
        run.x = run
            .x
            .clone()
            .add(s.mul_scalar(0.5 * alpha))
            .add(z.mul_scalar(alpha.sqrt()));
        self.step += 1;
        Ok(self.step >= self.total())
    }

    fn progress(&self) -> f64 {
        self.step as f64 / self.steps as f64
    }

    fn time(&self) -> f64 {
        Sde::T * (1.0 - self.progress())
    }

    fn steps_taken(&self) -> usize {
        self.step
    }

    /// The last level's time: the model knows no noise below it (an NCSN ladder
    /// model was never trained at t_eps).
    fn end_time(&self) -> f64 {
        self.end
    }
}

/// The diffusion time of a ladder level (a VE sigma, or a VP noise-to-signal ratio).
fn level_time(sde: &Sde, sigma: f64) -> f64 {
    if sde.is_ve() {
        sde.time_of_sigma(sigma)
    } else {
        sde.time_of_ratio(sigma)
    }
}
