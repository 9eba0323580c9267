//! A whole data-generation request (system, parameters, noise, integration,
//! pipeline) as one serializable value: what the page sends its worker and
//! what the URL hash stores.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::integrate::Method;
use super::pipeline::{DelayEmbedding, PipelineOptions, prepare};
use super::simulation::{SimulateOptions, simulate};
use super::system::System;
use crate::Error;
use crate::dataset::Dataset;

/// Missing fields take the system's defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DataSpec {
    pub system: String,
    /// Scalar parameter overrides.
    pub params: BTreeMap<String, f64>,
    /// Added noise for a deterministic flow: empty (none), one value, or one per coordinate.
    pub noise: Vec<f64>,
    /// `rk4`, `dopri5`, `em` or `heun`.
    pub method: Option<String>,
    pub t_end: Option<f64>,
    pub dt: Option<f64>,
    pub burn_in: Option<f64>,
    pub every: Option<usize>,
    pub rtol: Option<f64>,
    pub atol: Option<f64>,
    pub seed: Option<u64>,
    /// Skip dysts' post-processing.
    pub raw: bool,
    pub obs_noise: f64,
    /// `[coord, dims, lag]`.
    pub embed: Option<[usize; 3]>,
    pub heldout: f64,
}

impl Default for DataSpec {
    fn default() -> Self {
        Self {
            system: "Lorenz".into(),
            params: BTreeMap::new(),
            noise: vec![],
            method: None,
            t_end: None,
            dt: None,
            burn_in: None,
            every: None,
            rtol: None,
            atol: None,
            seed: None,
            raw: false,
            obs_noise: 0.0,
            embed: None,
            heldout: 0.0,
        }
    }
}

/// What a [`DataSpec`] produces.
#[derive(Debug, Clone)]
pub struct Generated {
    pub system: System,
    /// Times of the training rows.
    pub t: Vec<f64>,
    pub train: Dataset,
    pub heldout: Dataset,
}

impl DataSpec {
    /// The configured system; nothing is changed if any setting is bad.
    pub fn system(&self) -> Result<System, Error> {
        let mut system = System::new(&self.system)?;
        for (k, v) in &self.params {
            system.set_param(k, *v)?;
        }
        if !self.noise.is_empty() {
            system.set_noise(&self.noise)?;
        }
        Ok(system)
    }

    pub fn simulate_options(&self) -> Result<SimulateOptions, Error> {
        Ok(SimulateOptions {
            t_end: self.t_end,
            dt: self.dt,
            burn_in: self.burn_in,
            every: self.every,
            method: self
                .method
                .as_deref()
                .map(str::parse::<Method>)
                .transpose()?,
            rtol: self.rtol,
            atol: self.atol,
            init: None,
            seed: self.seed,
            raw: self.raw,
        })
    }

    pub fn pipeline(&self) -> PipelineOptions {
        PipelineOptions {
            heldout: self.heldout,
            embed: self
                .embed
                .map(|[coord, dims, lag]| DelayEmbedding { coord, dims, lag }),
            obs_noise: self.obs_noise,
            seed: self.seed.unwrap_or(0),
        }
    }

    /// Simulates and runs the pipeline.
    pub fn generate(&self) -> Result<Generated, Error> {
        let system = self.system()?;
        let opts = self.simulate_options()?;
        let traj = simulate(&system, &opts)?;
        let (train, heldout) = prepare(&Dataset::from_trajectory(&traj), &self.pipeline())?;
        let t = traj.t[..train.len()].to_vec();
        Ok(Generated {
            system,
            t,
            train,
            heldout,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spec_from_json_generates_the_same_data_as_the_direct_calls() {
        let spec: DataSpec = serde_json::from_str(
            r#"{"system":"Rossler","params":{"a":0.2},"t_end":50,"seed":3,"heldout":0.2}"#,
        )
        .unwrap();
        let g = spec.generate().unwrap();
        let mut sys = System::new("Rossler").unwrap();
        sys.set_param("a", 0.2).unwrap();
        let traj = simulate(
            &sys,
            &SimulateOptions {
                t_end: Some(50.0),
                seed: Some(3),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(g.train.len() + g.heldout.len(), traj.len());
        assert_eq!(g.train.row(7), traj.row(7));
    }

    #[test]
    fn unknown_fields_and_bad_values_are_refused() {
        assert!(serde_json::from_str::<DataSpec>(r#"{"sytem":"Lorenz"}"#).is_err());
        let bad = DataSpec {
            method: Some("rk5".into()),
            ..Default::default()
        };
        assert!(bad.generate().is_err());
    }
}
