//! The simulate driver: options and their period-scaled defaults, the stepper, the recorded trajectory.

use super::integrate::{Dopri5, Method, em_step, heun_step, rk4_step};
use super::system::System;
use crate::Error;
use crate::rng::{Rng64, normal};

/// What `simulate` produces. `None` fields take the system's defaults (see
/// [`SimulateOptions::resolve`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SimulateOptions {
    /// Recorded time span after burn-in.
    pub t_end: Option<f64>,
    /// Step (fixed-step methods) and output spacing unit (every method).
    pub dt: Option<f64>,
    /// Time integrated and discarded before recording.
    pub burn_in: Option<f64>,
    /// Record every `every`-th step (default 10).
    pub every: Option<usize>,
    pub method: Option<Method>,
    /// Dormand-Prince tolerances (defaults 1e-8 and 1e-10).
    pub rtol: Option<f64>,
    pub atol: Option<f64>,
    /// Explicit initial condition; otherwise the catalog's, perturbed by `seed`.
    pub init: Option<Vec<f64>>,
    /// Seeds the initial perturbation and the noise.
    pub seed: Option<u64>,
    /// Report dysts' post-processed coordinates (default true, as dysts does).
    pub raw: bool,
}

/// [`SimulateOptions`] with every default filled in for one system.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    pub t_end: f64,
    pub dt: f64,
    pub burn_in: f64,
    pub every: usize,
    pub method: Method,
    pub rtol: f64,
    pub atol: f64,
}

/// Rounds to one significant digit (0.010005 -> 0.01, 1000.5 -> 1000).
fn round1(v: f64) -> f64 {
    if v <= 0.0 || !v.is_finite() {
        return v;
    }
    let p = 10f64.powf(v.log10().floor());
    (v / p).round() * p
}

impl SimulateOptions {
    /// Defaults scale with the system's time scale (dysts' period `P`): step
    /// (output spacing unit) `P / 150`, 667 periods recorded after 6.7 periods of
    /// burn-in, each rounded to one digit. For Lorenz-63 (P = 1.5) that is dt 0.01,
    /// t_end 1000, burn-in 10. Flows integrate with dopri5, noisy systems with Heun.
    pub fn resolve(&self, system: &System) -> Result<Resolved, Error> {
        let p = system.info.period;
        // Dormand-Prince by default: at dt = P/150 fixed-step RK4 diverges on six
        // stiff catalog flows, and the adaptive solver is as fast on Lorenz.
        let method = self.method.unwrap_or(if system.is_stochastic() {
            Method::Heun
        } else {
            Method::Dopri5
        });
        let r = Resolved {
            t_end: self.t_end.unwrap_or_else(|| round1(p * 2000.0 / 3.0)),
            dt: self.dt.unwrap_or_else(|| round1(p / 150.0)),
            burn_in: self.burn_in.unwrap_or_else(|| round1(p * 20.0 / 3.0)),
            every: self.every.unwrap_or(10),
            method,
            rtol: self.rtol.unwrap_or(1e-8),
            atol: self.atol.unwrap_or(1e-10),
        };
        let positive = |name: &str, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(Error::invalid(format!(
                    "{name} must be a positive number, got {v}"
                )))
            }
        };
        positive("dt", r.dt)?;
        positive("t-end", r.t_end)?;
        // Looser than 1 controls nothing: steps grow until the solution blows up.
        for (name, v) in [("rtol", r.rtol), ("atol", r.atol)] {
            if !(v > 0.0 && v <= 1.0) {
                return Err(Error::invalid(format!(
                    "{name} must be a tolerance in (0, 1], got {v}"
                )));
            }
        }
        if !(r.burn_in.is_finite() && r.burn_in >= 0.0) {
            return Err(Error::invalid(format!(
                "burn-in must be a non-negative number, got {}",
                r.burn_in
            )));
        }
        if r.every == 0 {
            return Err(Error::invalid("every must be at least 1"));
        }
        if r.t_end / r.dt < r.every as f64 {
            return Err(Error::invalid(format!(
                "t-end {} is shorter than one recorded interval (dt {} × every {}): \
                 nothing after the start would be recorded",
                r.t_end, r.dt, r.every
            )));
        }
        let steps = ((r.t_end + r.burn_in) / r.dt).round();
        if steps > 5e8 {
            return Err(Error::invalid(format!(
                "(t-end + burn-in) / dt = {steps:.0} steps is too many (at most 5e8)"
            )));
        }
        if system.is_stochastic() && !method.is_stochastic() {
            return Err(Error::invalid(format!(
                "{} is stochastic; integrate it with em or heun, not {}",
                system.name(),
                method.as_str()
            )));
        }
        if !system.is_stochastic() && method.is_stochastic() {
            return Err(Error::invalid(format!(
                "{} is deterministic; {} needs noise (add some with --noise) or use rk4 or dopri5",
                system.name(),
                method.as_str()
            )));
        }
        let d = system.dim();
        if let Some(init) = &self.init {
            if init.len() != d {
                return Err(Error::invalid(format!(
                    "init has {} values but {} has dimension {d}",
                    init.len(),
                    system.name()
                )));
            }
            if init.iter().any(|v| !v.is_finite()) {
                return Err(Error::invalid("init values must be finite numbers"));
            }
        }
        Ok(r)
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

/// The starting state: `init`, or the catalog's initial condition perturbed by
/// `seed` (normal noise of 0.1% of dysts' per-coordinate std, or 1e-3 when
/// unknown): chaos spreads it over the attractor during the burn-in, and it is
/// small enough to stay in the basin of attraction.
pub fn initial_state(system: &System, opts: &SimulateOptions) -> Vec<f64> {
    if let Some(init) = &opts.init {
        return init.clone();
    }
    let mut x = system.initial_condition().to_vec();
    if let (Some(seed), false) = (opts.seed, system.is_stochastic()) {
        let mut rng = Rng64::new(seed);
        let std = system.info.std.as_ref().filter(|s| s.len() == x.len());
        for (i, v) in x.iter_mut().enumerate() {
            let scale = std.map_or(1.0, |s| s[i]);
            *v += 1e-3 * scale * normal(&mut rng);
        }
    }
    x
}

/// Steps one system forward on a fixed output grid with any method.
pub struct Stepper<'a> {
    system: &'a System,
    method: Method,
    dt: f64,
    dopri: Option<Dopri5>,
    rng: Rng64,
    z: Vec<f64>,
    k: Vec<f64>,
    pub t: f64,
}

impl<'a> Stepper<'a> {
    pub fn new(system: &'a System, r: &Resolved, seed: u64) -> Self {
        let d = system.dim();
        Self {
            system,
            method: r.method,
            dt: r.dt,
            dopri: (r.method == Method::Dopri5).then(|| Dopri5::new(d, r.rtol, r.atol)),
            // Decorrelated from the initial-condition stream of the same seed.
            rng: Rng64::new(seed ^ 0x05ee_d0f0_015e),
            z: vec![0.0; d],
            k: vec![0.0; 5 * d],
            t: 0.0,
        }
    }

    /// Advances `x` by `n` steps of `dt`.
    pub fn advance(&mut self, x: &mut [f64], n: usize) -> Result<(), Error> {
        let sys = self.system;
        let f = |t: f64, x: &[f64], dx: &mut [f64]| sys.rhs(t, x, dx);
        match self.method {
            Method::Rk4 => {
                for _ in 0..n {
                    rk4_step(&f, self.t, x, self.dt, &mut self.k);
                    self.t += self.dt;
                }
            }
            Method::Dopri5 => {
                let dp = self.dopri.as_mut().expect("dopri5 state");
                let t_end = self.t + n as f64 * self.dt;
                dp.advance(&f, self.t, x, t_end)?;
                self.t = t_end;
            }
            Method::EulerMaruyama | Method::Heun => {
                let noise = sys.noise().expect("checked stochastic");
                for _ in 0..n {
                    for z in self.z.iter_mut() {
                        *z = normal(&mut self.rng);
                    }
                    if self.method == Method::Heun {
                        heun_step(&f, noise, self.t, x, self.dt, &self.z, &mut self.k);
                    } else {
                        em_step(&f, noise, self.t, x, self.dt, &self.z, &mut self.k);
                    }
                    self.t += self.dt;
                }
            }
        }
        if x.iter().all(|v| v.is_finite()) {
            Ok(())
        } else {
            Err(Error::invalid(format!(
                "the trajectory diverged at t = {:.4}; try a smaller dt{}",
                self.t,
                match self.method {
                    Method::Dopri5 => " or tighter tolerances",
                    Method::Rk4 => " or --method dopri5",
                    // dopri5 integrates no noise: the noise itself may be too large.
                    _ => " or less noise",
                }
            )))
        }
    }
}

/// Integrates `system` and records every `every`-th step after the burn-in.
pub fn simulate(system: &System, opts: &SimulateOptions) -> Result<Trajectory, Error> {
    let r = opts.resolve(system)?;
    let d = system.dim();
    let mut x = initial_state(system, opts);
    let mut stepper = Stepper::new(system, &r, opts.seed.unwrap_or(0));
    let burn_steps = (r.burn_in / r.dt).round() as usize;
    let steps = (r.t_end / r.dt).round() as usize;
    // Burn in by output-sized chunks so divergence is caught early.
    let mut left = burn_steps;
    while left > 0 {
        let n = left.min(1024);
        stepper.advance(&mut x, n)?;
        left -= n;
    }
    let n_out = steps / r.every + 1;
    let mut traj = Trajectory {
        dim: d,
        t: Vec::with_capacity(n_out),
        x: Vec::with_capacity(n_out * d),
    };
    let mut out = vec![0.0; d];
    let mut record = |traj: &mut Trajectory, t: f64, x: &[f64]| {
        traj.t.push(t);
        if opts.raw {
            traj.x.extend_from_slice(x);
        } else {
            system.postprocess(x, &mut out);
            traj.x.extend_from_slice(&out);
        }
    };
    record(&mut traj, 0.0, &x);
    for i in 1..n_out {
        stepper.advance(&mut x, r.every)?;
        record(&mut traj, (i * r.every) as f64 * r.dt, &x);
    }
    Ok(traj)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_options_are_rejected() {
        let sys = System::new("Lorenz").unwrap();
        let bad = [
            SimulateOptions {
                dt: Some(f64::NAN),
                ..Default::default()
            },
            SimulateOptions {
                dt: Some(-1.0),
                ..Default::default()
            },
            SimulateOptions {
                every: Some(0),
                ..Default::default()
            },
            SimulateOptions {
                init: Some(vec![1.0]),
                ..Default::default()
            },
            SimulateOptions {
                method: Some(Method::EulerMaruyama),
                ..Default::default()
            },
            SimulateOptions {
                rtol: Some(0.0),
                method: Some(Method::Dopri5),
                ..Default::default()
            },
        ];
        for o in bad {
            assert!(simulate(&sys, &o).is_err(), "{o:?}");
        }
        let ou = System::new("OrnsteinUhlenbeck").unwrap();
        let rk = SimulateOptions {
            method: Some(Method::Rk4),
            ..Default::default()
        };
        assert!(simulate(&ou, &rk).is_err());
    }

    #[test]
    fn lorenz_defaults_follow_its_period() {
        let sys = System::new("Lorenz").unwrap();
        let r = SimulateOptions::default().resolve(&sys).unwrap();
        assert_eq!(
            (r.dt, r.t_end, r.burn_in, r.every),
            (0.01, 1000.0, 10.0, 10)
        );
        assert_eq!(r.method, Method::Dopri5);
    }

    #[test]
    fn a_divergent_step_is_reported() {
        let sys = System::new("Lorenz").unwrap();
        let o = SimulateOptions {
            dt: Some(1.0),
            t_end: Some(100.0),
            burn_in: Some(0.0),
            method: Some(Method::Rk4),
            ..Default::default()
        };
        let err = simulate(&sys, &o).unwrap_err();
        assert!(err.to_string().contains("diverged"), "{err}");
    }
}
