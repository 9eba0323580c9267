//! Fixed-step integrators and the `simulate` driver (burn-in, subsampling).

use super::systems::System;
use crate::Error;
use crate::rng::{Rng64, normal};

/// Integration method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Classical fourth-order Runge-Kutta.
    Rk4,
}

impl std::str::FromStr for Method {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "rk4" => Ok(Method::Rk4),
            other => Err(Error::invalid(format!(
                "unknown integration method '{other}'; supported: rk4"
            ))),
        }
    }
}

/// One classical RK4 step of `dx/dt = f(x)` in place. `k` is scratch space of `5 * dim`.
pub fn rk4_step(f: &impl Fn(&[f64], &mut [f64]), x: &mut [f64], dt: f64, k: &mut [f64]) {
    let d = x.len();
    let (k1, rest) = k.split_at_mut(d);
    let (k2, rest) = rest.split_at_mut(d);
    let (k3, rest) = rest.split_at_mut(d);
    let (k4, tmp) = rest.split_at_mut(d);
    let tmp = &mut tmp[..d];
    f(x, k1);
    for i in 0..d {
        tmp[i] = x[i] + 0.5 * dt * k1[i];
    }
    f(tmp, k2);
    for i in 0..d {
        tmp[i] = x[i] + 0.5 * dt * k2[i];
    }
    f(tmp, k3);
    for i in 0..d {
        tmp[i] = x[i] + dt * k3[i];
    }
    f(tmp, k4);
    for i in 0..d {
        x[i] += dt / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
    }
}

/// What `simulate` produces.
#[derive(Debug, Clone)]
pub struct SimulateOptions {
    /// Recorded time span after burn-in.
    pub t_end: f64,
    pub dt: f64,
    /// Time integrated and discarded before recording.
    pub burn_in: f64,
    /// Record every `every`-th step.
    pub every: usize,
    pub method: Method,
    /// Explicit initial condition; otherwise the catalog's, perturbed by `seed`.
    pub init: Option<Vec<f64>>,
    pub seed: Option<u64>,
}

impl Default for SimulateOptions {
    fn default() -> Self {
        Self {
            t_end: 1000.0,
            dt: 0.01,
            burn_in: 10.0,
            every: 10,
            method: Method::Rk4,
            init: None,
            seed: None,
        }
    }
}

impl SimulateOptions {
    pub fn validate(&self, dim: usize) -> Result<(), Error> {
        let positive = |name: &str, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(Error::invalid(format!(
                    "{name} must be a positive number, got {v}"
                )))
            }
        };
        positive("dt", self.dt)?;
        positive("t-end", self.t_end)?;
        if !(self.burn_in.is_finite() && self.burn_in >= 0.0) {
            return Err(Error::invalid(format!(
                "burn-in must be a non-negative number, got {}",
                self.burn_in
            )));
        }
        if self.every == 0 {
            return Err(Error::invalid("every must be at least 1"));
        }
        let steps = (self.t_end / self.dt).round();
        if steps > 5e8 {
            return Err(Error::invalid(format!(
                "t-end / dt = {steps:.0} steps is too many (at most 5e8)"
            )));
        }
        if let Some(init) = &self.init {
            if init.len() != dim {
                return Err(Error::invalid(format!(
                    "init has {} values but the system has dimension {dim}",
                    init.len()
                )));
            }
            if init.iter().any(|v| !v.is_finite()) {
                return Err(Error::invalid("init values must be finite numbers"));
            }
        }
        Ok(())
    }
}

/// A recorded trajectory: times and row-major states.
#[derive(Debug, Clone)]
pub struct Trajectory {
    pub dim: usize,
    pub t: Vec<f64>,
    pub x: Vec<f64>,
}

impl Trajectory {
    pub fn len(&self) -> usize {
        self.t.len()
    }
    pub fn is_empty(&self) -> bool {
        self.t.is_empty()
    }
    pub fn row(&self, i: usize) -> &[f64] {
        &self.x[i * self.dim..(i + 1) * self.dim]
    }
}

/// Integrates `system` and records every `every`-th state after the burn-in.
pub fn simulate(system: &System, opts: &SimulateOptions) -> Result<Trajectory, Error> {
    let d = system.dim();
    opts.validate(d)?;
    let mut x: Vec<f64> = match &opts.init {
        Some(init) => init.clone(),
        None => {
            let mut x = system.info.initial_condition.to_vec();
            if let Some(seed) = opts.seed {
                let mut rng = Rng64::new(seed);
                for v in x.iter_mut() {
                    *v += normal(&mut rng);
                }
            }
            x
        }
    };
    let f = |x: &[f64], dx: &mut [f64]| system.rhs(x, dx);
    let mut k = vec![0.0; 5 * d];
    let burn_steps = (opts.burn_in / opts.dt).round() as usize;
    let steps = (opts.t_end / opts.dt).round() as usize;
    let check = |x: &[f64], t: f64| {
        if x.iter().all(|v| v.is_finite()) {
            Ok(())
        } else {
            Err(Error::invalid(format!(
                "the trajectory diverged at t = {t:.4}; try a smaller dt"
            )))
        }
    };
    for i in 0..burn_steps {
        rk4_step(&f, &mut x, opts.dt, &mut k);
        if i % 1024 == 0 {
            check(&x, i as f64 * opts.dt)?;
        }
    }
    check(&x, opts.burn_in)?;
    let n_out = steps / opts.every + 1;
    let mut traj = Trajectory {
        dim: d,
        t: Vec::with_capacity(n_out),
        x: Vec::with_capacity(n_out * d),
    };
    traj.t.push(0.0);
    traj.x.extend_from_slice(&x);
    for i in 1..=steps {
        rk4_step(&f, &mut x, opts.dt, &mut k);
        if i % opts.every == 0 {
            let t = i as f64 * opts.dt;
            check(&x, t)?;
            traj.t.push(t);
            traj.x.extend_from_slice(&x);
        }
    }
    Ok(traj)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rk4_is_exact_to_rounding_for_linear_decay_over_one_step_error_order() {
        // dx/dt = -x: one RK4 step reproduces the degree-4 Taylor polynomial of exp(-h).
        let f = |x: &[f64], dx: &mut [f64]| dx[0] = -x[0];
        let mut x = [1.0];
        let mut k = [0.0; 5];
        let h = 0.1;
        rk4_step(&f, &mut x, h, &mut k);
        let taylor = 1.0 - h + h * h / 2.0 - h.powi(3) / 6.0 + h.powi(4) / 24.0;
        assert!((x[0] - taylor).abs() < 1e-15);
    }

    #[test]
    fn bad_options_are_rejected() {
        let sys = System::new("Lorenz").unwrap();
        let bad = [
            SimulateOptions {
                dt: f64::NAN,
                ..Default::default()
            },
            SimulateOptions {
                dt: -1.0,
                ..Default::default()
            },
            SimulateOptions {
                every: 0,
                ..Default::default()
            },
            SimulateOptions {
                init: Some(vec![1.0]),
                ..Default::default()
            },
        ];
        for o in bad {
            assert!(simulate(&sys, &o).is_err(), "{o:?}");
        }
    }

    #[test]
    fn a_divergent_step_is_reported() {
        let sys = System::new("Lorenz").unwrap();
        let o = SimulateOptions {
            dt: 1.0,
            t_end: 100.0,
            burn_in: 0.0,
            ..Default::default()
        };
        let err = simulate(&sys, &o).unwrap_err();
        assert!(err.to_string().contains("diverged"), "{err}");
    }
}
