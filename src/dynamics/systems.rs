//! The catalog: every system with its parameters, initial condition and
//! metadata. dysts' flows come from `catalog.json` (dysts' own metadata, made by
//! `scripts/dysts_reference.sh`) joined by name with their equations in
//! [`flows`](super::flows); the stochastic systems are defined in
//! [`stochastic`](super::stochastic).

use std::sync::OnceLock;

use serde_json::Value;

use super::flows::{self, Rhs};
use super::stochastic;
use crate::Error;

/// What kind of system an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// A deterministic flow from dysts.
    Flow,
    /// A delay equation from dysts (listed, not integrated).
    Delay,
    /// A stochastic differential equation.
    Stochastic,
}

impl Family {
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Flow => "flow",
            Family::Delay => "delay",
            Family::Stochastic => "stochastic",
        }
    }
}

/// A named parameter and its published value (scalars have an empty shape).
#[derive(Debug, Clone, PartialEq)]
pub struct ParamSpec {
    pub name: String,
    pub value: Vec<f64>,
    pub shape: Vec<usize>,
}

impl ParamSpec {
    pub fn scalar(name: &str, value: f64) -> Self {
        Self {
            name: name.into(),
            value: vec![value],
            shape: vec![],
        }
    }
    pub fn is_scalar(&self) -> bool {
        self.shape.is_empty()
    }
}

/// How the noise of a stochastic system is built from its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoiseModel {
    /// `sigma dW`, independent per coordinate.
    Scalar,
    /// `sigma L dW` with `L L^T = Gamma`, `Gamma_ij = 1 / sqrt(d_ij^2 + 1)` over
    /// the distances of a periodic grid of the given number of axes (1 or 2).
    GridCorrelated { axes: usize },
}

/// One catalog entry.
#[derive(Debug, Clone)]
pub struct SystemInfo {
    pub name: String,
    pub family: Family,
    /// The dimension with the published parameters.
    pub dim: usize,
    /// In alphabetical order, the order the equations read them.
    pub params: Vec<ParamSpec>,
    pub initial_condition: Vec<f64>,
    /// dysts' sampling step hint.
    pub dt: f64,
    /// dysts' dominant period (a time scale for the stochastic systems).
    pub period: f64,
    pub max_lyapunov: Option<f64>,
    pub correlation_dimension: Option<f64>,
    pub kaplan_yorke_dimension: Option<f64>,
    pub mean: Option<Vec<f64>>,
    pub std: Option<Vec<f64>>,
    pub description: String,
    pub citation: String,
    pub nonautonomous: bool,
    /// Why the system cannot be simulated, if it cannot.
    pub unsupported: Option<String>,
    pub(crate) rhs: Option<Rhs>,
    pub(crate) post: Option<Rhs>,
    pub(crate) noise: Option<NoiseModel>,
    /// Grid systems: the dimension follows the parameter `n`.
    pub(crate) grid_axes: usize,
}

impl SystemInfo {
    pub fn stochastic(&self) -> bool {
        self.family == Family::Stochastic
    }
    pub fn supported(&self) -> bool {
        self.unsupported.is_none()
    }
    /// Whether dysts reports this system in transformed coordinates (for example
    /// an angle as its sine); trajectories are then reported the same way.
    pub fn has_postprocessing(&self) -> bool {
        self.post.is_some()
    }
}

static CATALOG_JSON: &str = include_str!("catalog.json");
static CATALOG: OnceLock<Vec<SystemInfo>> = OnceLock::new();

fn f64s(v: &Value) -> Option<Vec<f64>> {
    v.as_array()?.iter().map(Value::as_f64).collect()
}

/// A JSON number or (nested) list as a flat vector and its shape.
fn flatten(v: &Value) -> Option<(Vec<f64>, Vec<usize>)> {
    match v {
        Value::Number(n) => Some((vec![n.as_f64()?], vec![])),
        Value::Array(items) => {
            let mut flat = Vec::new();
            let mut inner: Option<Vec<usize>> = None;
            for item in items {
                let (f, s) = flatten(item)?;
                if inner.as_ref().is_some_and(|i| *i != s) {
                    return None;
                }
                inner = Some(s);
                flat.extend(f);
            }
            let mut shape = vec![items.len()];
            shape.extend(inner.unwrap_or_default());
            Some((flat, shape))
        }
        _ => None,
    }
}

fn parse_dysts(name: &str, e: &Value) -> Result<SystemInfo, String> {
    let str_of = |k: &str| e[k].as_str().unwrap_or("").trim().to_string();
    let num = |k: &str| e[k].as_f64();
    let ic = f64s(&e["initial_conditions"]).ok_or("initial_conditions")?;
    let mut params = Vec::new();
    for (pname, pv) in e["parameters"].as_object().ok_or("parameters")? {
        let (value, shape) = flatten(pv).ok_or_else(|| format!("parameter {pname}"))?;
        params.push(ParamSpec {
            name: pname.clone(),
            value,
            shape,
        });
    }
    params.sort_by(|a, b| a.name.cmp(&b.name));
    let delay = e["delay"].as_bool().unwrap_or(false);
    let flow = flows::flow(name);
    let unsupported = if delay {
        Some("a delay differential equation; scoredyn integrates ordinary and stochastic differential equations only".to_string())
    } else if flow.is_none() {
        Some("its equations are not in scoredyn".to_string())
    } else {
        None
    };
    Ok(SystemInfo {
        name: name.to_string(),
        family: if delay { Family::Delay } else { Family::Flow },
        dim: ic.len(),
        params,
        initial_condition: ic,
        dt: num("dt").ok_or("dt")?,
        period: num("period").ok_or("period")?,
        max_lyapunov: num("maximum_lyapunov_estimated"),
        correlation_dimension: num("correlation_dimension"),
        kaplan_yorke_dimension: num("kaplan_yorke_dimension"),
        mean: f64s(&e["mean"]),
        std: f64s(&e["std"]),
        description: str_of("description"),
        citation: str_of("citation"),
        nonautonomous: e["nonautonomous"].as_bool().unwrap_or(false),
        unsupported,
        rhs: flow.map(|f| f.rhs),
        post: flows::post(name).map(|p| p.map),
        noise: None,
        grid_axes: 0,
    })
}

fn build() -> Vec<SystemInfo> {
    let root: Value = serde_json::from_str(CATALOG_JSON).expect("catalog.json is valid JSON");
    let systems = root["systems"]
        .as_object()
        .expect("catalog.json has a systems object");
    let mut out: Vec<SystemInfo> = systems
        .iter()
        .map(|(name, e)| {
            parse_dysts(name, e).unwrap_or_else(|f| panic!("catalog.json: {name}: bad {f}"))
        })
        .collect();
    out.extend(stochastic::systems());
    out
}

/// Every system, supported or not: dysts' flows (alphabetical), then the
/// stochastic systems.
pub fn catalog() -> &'static [SystemInfo] {
    CATALOG.get_or_init(build)
}

/// Looks a system up by name (case-insensitive).
pub fn find(name: &str) -> Result<&'static SystemInfo, Error> {
    catalog()
        .iter()
        .find(|s| s.name.eq_ignore_ascii_case(name))
        .ok_or_else(|| {
            let mut near: Vec<&str> = catalog()
                .iter()
                .filter(|s| {
                    let (a, b) = (s.name.to_lowercase(), name.to_lowercase());
                    !b.is_empty() && (a.contains(&b) || b.contains(&a))
                })
                .map(|s| s.name.as_str())
                .collect();
            near.truncate(8);
            let hint = if near.is_empty() {
                "run `scoredyn systems` for the list".to_string()
            } else {
                format!("did you mean {}?", near.join(", "))
            };
            Error::invalid(format!("unknown system '{name}'; {hint}"))
        })
}

/// A catalog entry as JSON, as `scoredyn systems --json` and the page show it.
pub fn to_json(s: &SystemInfo) -> serde_json::Value {
    // The simulation defaults `SimulateOptions::resolve` picks for this system.
    let defaults = System::new(&s.name).ok().and_then(|sys| {
        let r = super::integrate::SimulateOptions::default()
            .resolve(&sys)
            .ok()?;
        Some(serde_json::json!({
            "dt": r.dt, "t_end": r.t_end, "burn_in": r.burn_in, "every": r.every,
            "method": r.method.as_str(),
        }))
    });
    let params: serde_json::Map<String, serde_json::Value> = s
        .params
        .iter()
        .map(|p| {
            let v = if p.is_scalar() {
                serde_json::json!(p.value[0])
            } else {
                serde_json::json!({ "shape": p.shape, "values": p.value })
            };
            (p.name.clone(), v)
        })
        .collect();
    serde_json::json!({
        "name": s.name,
        "family": s.family.as_str(),
        "dim": s.dim,
        "stochastic": s.stochastic(),
        "supported": s.supported(),
        "unsupported_reason": s.unsupported,
        "nonautonomous": s.nonautonomous,
        "postprocessed": s.has_postprocessing(),
        "parameters": params,
        "initial_condition": s.initial_condition,
        "dt": s.dt,
        "period": s.period,
        "max_lyapunov": s.max_lyapunov,
        "correlation_dimension": s.correlation_dimension,
        "kaplan_yorke_dimension": s.kaplan_yorke_dimension,
        "mean": s.mean,
        "std": s.std,
        "description": s.description,
        "citation": s.citation,
        "defaults": defaults,
    })
}

/// Additive noise of a system: `B dW` with `B` diagonal or lower-triangular.
#[derive(Debug, Clone, PartialEq)]
pub enum Noise {
    Diagonal(Vec<f64>),
    /// Row-major `dim x dim` lower-triangular factor.
    Lower(Vec<f64>),
}

impl Noise {
    /// `out = B z`.
    pub fn apply(&self, z: &[f64], out: &mut [f64]) {
        match self {
            Noise::Diagonal(s) => {
                for ((o, s), z) in out.iter_mut().zip(s).zip(z) {
                    *o = s * z;
                }
            }
            Noise::Lower(l) => {
                let d = z.len();
                for i in 0..d {
                    let row = &l[i * d..i * d + i + 1];
                    out[i] = row.iter().zip(&z[..=i]).map(|(a, b)| a * b).sum();
                }
            }
        }
    }

    /// The diffusion matrix `B B^T`, row-major.
    pub fn covariance(&self, dim: usize) -> Vec<f64> {
        let mut c = vec![0.0; dim * dim];
        match self {
            Noise::Diagonal(s) => (0..dim).for_each(|i| c[i * dim + i] = s[i] * s[i]),
            Noise::Lower(l) => {
                for i in 0..dim {
                    for j in 0..dim {
                        c[i * dim + j] = (0..dim).map(|k| l[i * dim + k] * l[j * dim + k]).sum();
                    }
                }
            }
        }
        c
    }
}

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
    fn catalog_entries_are_consistent() {
        let cat = catalog();
        let flows = cat.iter().filter(|s| s.family == Family::Flow).count();
        let delays = cat.iter().filter(|s| s.family == Family::Delay).count();
        assert_eq!((flows, delays), (129, 6));
        for s in cat {
            assert_eq!(s.initial_condition.len(), s.dim, "{}", s.name);
            if let (Some(m), Some(sd)) = (&s.mean, &s.std) {
                assert_eq!((m.len(), sd.len()), (s.dim, s.dim), "{}", s.name);
            }
            if s.family == Family::Flow {
                assert!(s.supported(), "{}", s.name);
            }
        }
    }

    #[test]
    fn equations_bind_the_catalog_parameters_by_name() {
        for s in catalog().iter().filter(|s| s.family == Family::Flow) {
            let flow = flows::flow(&s.name).unwrap();
            if let Some(names) = flow.params {
                let ours: Vec<&str> = names.iter().map(|n| n.trim_end_matches('_')).collect();
                let theirs: Vec<&str> = s.params.iter().map(|p| p.name.as_str()).collect();
                assert_eq!(ours, theirs, "{}", s.name);
            }
        }
    }

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
