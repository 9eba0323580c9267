//! The catalog of systems, with parameters, initial conditions and metadata as
//! published in dysts (Gilpin, "Chaos as an interpretable benchmark", 2021).

use crate::Error;

/// Right-hand side `dx = f(x; p)` of an autonomous flow.
pub type Rhs = fn(params: &[f64], x: &[f64], dx: &mut [f64]);

/// One catalog entry. Metadata are dysts' `chaotic_attractors.json` values.
#[derive(Debug, Clone, Copy)]
pub struct SystemInfo {
    pub name: &'static str,
    pub dim: usize,
    /// Parameter names and published values, in the order `rhs` reads them.
    pub params: &'static [(&'static str, f64)],
    pub initial_condition: &'static [f64],
    /// dysts' integration step hint.
    pub dt: f64,
    /// dysts' dominant period.
    pub period: f64,
    pub max_lyapunov: f64,
    pub correlation_dimension: f64,
    pub mean: &'static [f64],
    pub std: &'static [f64],
    pub description: &'static str,
    pub citation: &'static str,
    pub rhs: Rhs,
}

fn lorenz(p: &[f64], x: &[f64], dx: &mut [f64]) {
    let (beta, rho, sigma) = (p[0], p[1], p[2]);
    dx[0] = sigma * (x[1] - x[0]);
    dx[1] = x[0] * (rho - x[2]) - x[1];
    dx[2] = x[0] * x[1] - beta * x[2];
}

static CATALOG: &[SystemInfo] = &[SystemInfo {
    name: "Lorenz",
    dim: 3,
    params: &[("beta", 2.667), ("rho", 28.0), ("sigma", 10.0)],
    initial_condition: &[-9.7869288, -15.03852, 20.533978],
    dt: 0.0003002100350058257,
    period: 1.5008,
    max_lyapunov: 0.8917098035724058,
    correlation_dimension: 1.993931310517824,
    mean: &[-0.44713708338891345, -0.312509325103127, 23.545984293942695],
    std: &[7.906225526391357, 8.999339290833237, 8.579487084165056],
    description: "A minimal weather model based on atmospheric convection.",
    citation: "Lorenz, Edward N (1963). Deterministic nonperiodic flow. Journal of the atmospheric sciences 20.2 (1963): 130-141.",
    rhs: lorenz,
}];

/// Every supported system.
pub fn catalog() -> &'static [SystemInfo] {
    CATALOG
}

/// Looks a system up by its dysts name (case-insensitive).
pub fn find(name: &str) -> Result<&'static SystemInfo, Error> {
    CATALOG
        .iter()
        .find(|s| s.name.eq_ignore_ascii_case(name))
        .ok_or_else(|| {
            let names: Vec<_> = CATALOG.iter().map(|s| s.name).collect();
            Error::invalid(format!(
                "unknown system '{name}'; supported: {}",
                names.join(", ")
            ))
        })
}

/// A catalog system with concrete parameter values.
#[derive(Debug, Clone)]
pub struct System {
    pub info: &'static SystemInfo,
    pub params: Vec<f64>,
}

impl System {
    /// The system with its published parameters.
    pub fn new(name: &str) -> Result<Self, Error> {
        let info = find(name)?;
        Ok(Self {
            info,
            params: info.params.iter().map(|(_, v)| *v).collect(),
        })
    }

    pub fn dim(&self) -> usize {
        self.info.dim
    }

    /// Overrides one parameter by name; rejects unknown names and non-finite values.
    pub fn set_param(&mut self, name: &str, value: f64) -> Result<(), Error> {
        if !value.is_finite() {
            return Err(Error::invalid(format!(
                "parameter {name} must be a finite number, got {value}"
            )));
        }
        let idx = self
            .info
            .params
            .iter()
            .position(|(n, _)| *n == name)
            .ok_or_else(|| {
                let names: Vec<_> = self.info.params.iter().map(|(n, _)| *n).collect();
                Error::invalid(format!(
                    "{} has no parameter '{name}'; its parameters are {}",
                    self.info.name,
                    names.join(", ")
                ))
            })?;
        self.params[idx] = value;
        Ok(())
    }

    /// Evaluates the vector field at `x`.
    pub fn rhs(&self, x: &[f64], dx: &mut [f64]) {
        (self.info.rhs)(&self.params, x, dx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_entries_are_consistent() {
        for s in catalog() {
            assert_eq!(s.initial_condition.len(), s.dim, "{}", s.name);
            assert_eq!(s.mean.len(), s.dim, "{}", s.name);
            assert_eq!(s.std.len(), s.dim, "{}", s.name);
        }
    }

    #[test]
    fn lorenz_rhs_matches_the_equations() {
        let sys = System::new("lorenz").unwrap();
        let x = [1.0, 2.0, 3.0];
        let mut dx = [0.0; 3];
        sys.rhs(&x, &mut dx);
        assert_eq!(
            dx,
            [
                10.0 * (2.0 - 1.0),
                1.0 * (28.0 - 3.0) - 2.0,
                2.0 - 2.667 * 3.0
            ]
        );
    }

    #[test]
    fn bad_parameters_are_rejected() {
        let mut sys = System::new("Lorenz").unwrap();
        assert!(sys.set_param("rho", f64::NAN).is_err());
        assert!(sys.set_param("nope", 1.0).is_err());
        assert!(System::new("Nope").is_err());
        sys.set_param("rho", 20.0).unwrap();
        assert_eq!(sys.params[1], 20.0);
    }
}
