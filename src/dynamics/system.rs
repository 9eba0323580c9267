//! A catalog system with concrete parameters: its drift, noise and reporting coordinates.

use super::catalog::find;
use super::noise::Noise;
use super::stochastic;
use super::types::{NoiseModel, ParamSpec, SystemInfo};
use crate::Error;

/// A catalog system with concrete parameters (and, optionally, added noise).
#[derive(Debug, Clone)]
pub struct System {
    pub info: &'static SystemInfo,
    /// Current parameters, as in `info.params`.
    pub params: Vec<ParamSpec>,
    /// The flat vector the equations read.
    flat: Vec<f64>,
    dim: usize,
    initial_condition: Vec<f64>,
    noise: Option<Noise>,
    /// Per-coordinate noise added to a deterministic flow with [`System::set_noise`].
    added_noise: Option<Vec<f64>>,
}

impl System {
    /// The system with its published parameters.
    pub fn new(name: &str) -> Result<Self, Error> {
        let info = find(name)?;
        if let Some(why) = &info.unsupported {
            return Err(Error::invalid(format!(
                "{} cannot be simulated: {why}",
                info.name
            )));
        }
        let mut s = Self {
            info,
            params: info.params.clone(),
            flat: vec![],
            dim: info.dim,
            initial_condition: info.initial_condition.clone(),
            noise: None,
            added_noise: None,
        };
        s.refresh()?;
        Ok(s)
    }

    /// Recomputes what follows from the parameters.
    fn refresh(&mut self) -> Result<(), Error> {
        self.flat = self
            .params
            .iter()
            .flat_map(|p| p.value.iter().copied())
            .collect();
        if self.info.grid_axes > 0 {
            let n = self.param("n").unwrap_or(8.0) as usize;
            self.dim = n.pow(self.info.grid_axes as u32);
            if self.initial_condition.len() != self.dim {
                self.initial_condition = vec![0.0; self.dim];
            }
        }
        self.noise = match (self.info.noise, &self.added_noise) {
            (_, Some(s)) => Some(Noise::Diagonal(s.clone())),
            (Some(NoiseModel::Scalar), None) => Some(Noise::Diagonal(vec![
                self.param("sigma")
                    .unwrap_or(0.0);
                self.dim
            ])),
            (Some(NoiseModel::GridCorrelated { axes }), None) => {
                let n = self.param("n").unwrap_or(8.0) as usize;
                let l = stochastic::grid_noise_factor(n, axes)?;
                let sigma = self.param("sigma").unwrap_or(1.0);
                Some(Noise::Lower(l.into_iter().map(|v| sigma * v).collect()))
            }
            (None, None) => None,
        };
        Ok(())
    }

    pub fn name(&self) -> &str {
        &self.info.name
    }

    pub fn dim(&self) -> usize {
        self.dim
    }

    /// The catalog's initial condition (zeros for grid systems).
    pub fn initial_condition(&self) -> &[f64] {
        &self.initial_condition
    }

    /// A scalar parameter's current value.
    pub fn param(&self, name: &str) -> Option<f64> {
        self.params
            .iter()
            .find(|p| p.name == name && p.is_scalar())
            .map(|p| p.value[0])
    }

    /// The flat parameter vector the equations read.
    pub fn flat_params(&self) -> &[f64] {
        &self.flat
    }

    /// Whether the system is driven by noise (its own or added).
    pub fn is_stochastic(&self) -> bool {
        self.noise.is_some()
    }

    pub fn noise(&self) -> Option<&Noise> {
        self.noise.as_ref()
    }

    /// Overrides one scalar parameter by name; rejects unknown names, array
    /// parameters and non-finite values, and leaves the system unchanged then.
    pub fn set_param(&mut self, name: &str, value: f64) -> Result<(), Error> {
        if !value.is_finite() {
            return Err(Error::invalid(format!(
                "parameter {name} must be a finite number, got {value}"
            )));
        }
        let Some(idx) = self.params.iter().position(|p| p.name == name) else {
            let names: Vec<_> = self.params.iter().map(|p| p.name.as_str()).collect();
            return Err(Error::invalid(if names.is_empty() {
                format!("{} has no parameters", self.info.name)
            } else {
                format!(
                    "{} has no parameter '{name}'; its parameters are {}",
                    self.info.name,
                    names.join(", ")
                )
            }));
        };
        if !self.params[idx].is_scalar() {
            return Err(Error::invalid(format!(
                "{}'s parameter {name} is an array (shape {:?}); only scalar parameters can be set",
                self.info.name, self.params[idx].shape
            )));
        }
        if self.info.stochastic() {
            stochastic::check_param(&self.info.name, name, value)?;
        }
        let old = self.clone();
        self.params[idx].value[0] = value;
        if let Err(e) = self.refresh() {
            *self = old;
            return Err(e);
        }
        Ok(())
    }

    /// Adds independent noise `sigma_i dW_i` to a deterministic flow: one value
    /// for every coordinate or one per coordinate. Zero removes it.
    pub fn set_noise(&mut self, sigma: &[f64]) -> Result<(), Error> {
        if self.info.stochastic() {
            return Err(Error::invalid(format!(
                "{} has its own noise; set its parameter sigma instead",
                self.info.name
            )));
        }
        if sigma.iter().any(|s| !s.is_finite() || *s < 0.0) {
            return Err(Error::invalid("noise must be non-negative finite numbers"));
        }
        let per = match sigma.len() {
            1 => vec![sigma[0]; self.dim],
            n if n == self.dim => sigma.to_vec(),
            n => {
                return Err(Error::invalid(format!(
                    "noise needs 1 or {} values, got {n}",
                    self.dim
                )));
            }
        };
        self.added_noise = if per.iter().all(|s| *s == 0.0) {
            None
        } else {
            Some(per)
        };
        self.refresh()
    }

    /// Evaluates the drift (the vector field) at time `t`.
    pub fn rhs(&self, t: f64, x: &[f64], dx: &mut [f64]) {
        if let Some(f) = self.info.rhs {
            f(t, x, &self.flat, dx)
        }
    }

    /// dysts' reporting coordinates of a state (identity for most systems).
    pub fn postprocess(&self, x: &[f64], out: &mut [f64]) {
        match self.info.post {
            Some(f) => f(0.0, x, &self.flat, out),
            None => out.copy_from_slice(x),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lorenz_rhs_matches_the_equations() {
        let sys = System::new("lorenz").unwrap();
        let mut dx = [0.0; 3];
        sys.rhs(0.0, &[1.0, 2.0, 3.0], &mut dx);
        assert_eq!(dx, [10.0, 28.0 - 3.0 - 2.0, 2.0 - 2.667 * 3.0]);
    }

    #[test]
    fn bad_parameters_leave_the_system_unchanged() {
        let mut sys = System::new("Lorenz").unwrap();
        assert!(sys.set_param("rho", f64::NAN).is_err());
        assert!(sys.set_param("nope", 1.0).is_err());
        assert_eq!(sys.param("rho"), Some(28.0));
        sys.set_param("rho", 99.0).unwrap();
        assert_eq!(sys.param("rho"), Some(99.0));
        let mut multi = System::new("MultiChua").unwrap();
        assert!(multi.set_param("m", 1.0).is_err());
        assert!(System::new("MackeyGlass").is_err());
        assert!(
            System::new("Lorentz")
                .unwrap_err()
                .message
                .contains("unknown system")
        );
    }

    #[test]
    fn added_noise_is_checked() {
        let mut sys = System::new("Lorenz").unwrap();
        assert!(sys.set_noise(&[1.0, 2.0]).is_err());
        assert!(sys.set_noise(&[-1.0]).is_err());
        sys.set_noise(&[0.5]).unwrap();
        assert_eq!(sys.noise(), Some(&Noise::Diagonal(vec![0.5; 3])));
        sys.set_noise(&[0.0]).unwrap();
        assert!(!sys.is_stochastic());
    }
}
