//! The catalog's vocabulary: an entry ([`SystemInfo`]), its parameters, family, noise model and equations' signature.

/// `out = f(t, state; params)`. `params` holds the parameters in alphabetical
/// order, arrays flattened row-major.
pub type Rhs = fn(t: f64, state: &[f64], params: &[f64], out: &mut [f64]);

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
