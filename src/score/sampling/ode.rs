//! Fixed-step probability-flow ODE samplers (Euler, RK4, Heun, all on EDM's schedule) and
//! the RK4 step that the likelihood integration shares.

use super::{Fixed, Run, Stepper};
use crate::Error;
use crate::score::sde::Sde;
use burn::prelude::*;

/// A state an explicit Runge-Kutta method can combine: x + a k.
pub trait OdeState: Clone {
    fn axpy(self, a: f64, k: Self) -> Self;
    fn plus(self, other: Self) -> Self;
}

impl OdeState for Tensor<2> {
    fn axpy(self, a: f64, k: Self) -> Self {
        self.add(k.mul_scalar(a))
    }
    fn plus(self, other: Self) -> Self {
        self.add(other)
    }
}

impl<A: OdeState, B: OdeState> OdeState for (A, B) {
    fn axpy(self, a: f64, k: Self) -> Self {
        (self.0.axpy(a, k.0), self.1.axpy(a, k.1))
    }
    fn plus(self, other: Self) -> Self {
        (self.0.plus(other.0), self.1.plus(other.1))
    }
}

/// One classical RK4 step of dx/dt = f(x, t) from t0 to t1 (either direction).
pub fn rk4_step<S: OdeState>(f: &mut impl FnMut(S, f64) -> S, x: S, t0: f64, t1: f64) -> S {
    let h = t1 - t0;
    let tm = 0.5 * (t0 + t1);
    let k1 = f(x.clone(), t0);
    let k2 = f(x.clone().axpy(0.5 * h, k1.clone()), tm);
    let k3 = f(x.clone().axpy(0.5 * h, k2.clone()), tm);
    let k4 = f(x.clone().axpy(h, k3.clone()), t1);
    let sum = k1.axpy(2.0, k2).axpy(2.0, k3).plus(k4);
    x.axpy(h / 6.0, sum)
}

/// Every fixed-step ODE sampler's grid: EDM's for a score model (a uniform time grid
/// spends too few steps where thin directions of the data are resolved: a direction
/// of std 0.01 came out 76% off at 25 RK4 steps); a velocity model's uniform grid of
/// its flow time.
fn grid(run: &Run, rule: super::Rule) -> Box<dyn Stepper> {
    if run.config.velocity_model {
        return Box::new(Fixed::uniform(run, rule));
    }
    let grid = edm_grid(&run.sde, run.config.steps(), run.config.t_eps);
    Box::new(Fixed::on(grid, rule))
}

/// RK4 (four evaluations a step).
pub fn rk4(run: &Run) -> Result<Box<dyn Stepper>, Error> {
    Ok(grid(run, |run, x, t0, t1, _| {
        rk4_step(&mut |x, t| run.flow(x, t), x, t0, t1)
    }))
}

/// Euler (one evaluation a step).
pub fn euler(run: &Run) -> Result<Box<dyn Stepper>, Error> {
    Ok(grid(run, |run, x, t0, t1, _| {
        let v = run.flow(x.clone(), t0);
        x.axpy(t1 - t0, v)
    }))
}

/// Heun (two evaluations a step).
pub fn heun(run: &Run) -> Result<Box<dyn Stepper>, Error> {
    Ok(grid(run, |run, x, t0, t1, _| {
        let h = t1 - t0;
        let v0 = run.flow(x.clone(), t0);
        let pred = x.clone().axpy(h, v0.clone());
        let v1 = run.flow(pred, t1);
        x.axpy(0.5 * h, v0.add(v1))
    }))
}

/// EDM's time steps (Karras et al. 2022, rho = 7): noise ratios
/// sigma_i = (sigma_max^(1/rho) + i / N (sigma_min^(1/rho) - sigma_max^(1/rho)))^rho
/// between the ratios at T and at eps, mapped back to times.
pub fn edm_grid(sde: &Sde, steps: usize, t_eps: f64) -> Vec<f64> {
    let rho = 7.0;
    let (hi, lo) = (sde.noise_ratio(Sde::T), sde.noise_ratio(t_eps));
    let (a, b) = (hi.powf(1.0 / rho), lo.powf(1.0 / rho));
    let mut grid: Vec<f64> = (0..=steps)
        .map(|i| {
            let sigma = (a + i as f64 / steps as f64 * (b - a)).powf(rho);
            sde.time_of_ratio(sigma)
        })
        .collect();
    grid[0] = Sde::T;
    grid[steps] = t_eps;
    grid
}
