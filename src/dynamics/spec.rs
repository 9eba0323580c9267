//! One data request (system, parameters, noise, simulation, pipeline) as one value, read from the page's flat JSON.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::integrate::Method;
use super::pipeline::{DelayEmbedding, PipelineOptions, prepare};
use super::simulation::{SimulateOptions, simulate};
use super::system::System;
use crate::Error;
use crate::dataset::Dataset;

/// A whole data-generation request: what the page sends its worker and what the
/// URL hash stores. Its JSON is one flat object whose fields are [`FIELDS`]:
/// the simulation's sit beside the others, missing ones take the system's
/// defaults, unknown ones are refused.
#[derive(Debug, Clone, PartialEq)]
pub struct DataSpec {
    pub system: String,
    /// Scalar parameter overrides.
    pub params: BTreeMap<String, f64>,
    /// Added noise for a deterministic flow: empty (none), one value, or one per coordinate.
    pub noise: Vec<f64>,
    /// How to simulate (`method` is `rk4`, `dopri5`, `em` or `heun` in JSON;
    /// `init` has no JSON field). Its `seed` also seeds the pipeline.
    pub simulate: SimulateOptions,
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
            simulate: SimulateOptions::default(),
            obs_noise: 0.0,
            embed: None,
            heldout: 0.0,
        }
    }
}

/// The JSON fields of a [`DataSpec`], in the order error messages list them.
pub const FIELDS: &[&str] = &[
    "system",
    "params",
    "noise",
    "method",
    "t_end",
    "dt",
    "burn_in",
    "every",
    "rtol",
    "atol",
    "seed",
    "raw",
    "obs_noise",
    "embed",
    "heldout",
];

impl Serialize for DataSpec {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let sim = &self.simulate;
        let mut s = serializer.serialize_struct("DataSpec", FIELDS.len())?;
        s.serialize_field("system", &self.system)?;
        s.serialize_field("params", &self.params)?;
        s.serialize_field("noise", &self.noise)?;
        s.serialize_field("method", &sim.method.map(Method::as_str))?;
        s.serialize_field("t_end", &sim.t_end)?;
        s.serialize_field("dt", &sim.dt)?;
        s.serialize_field("burn_in", &sim.burn_in)?;
        s.serialize_field("every", &sim.every)?;
        s.serialize_field("rtol", &sim.rtol)?;
        s.serialize_field("atol", &sim.atol)?;
        s.serialize_field("seed", &sim.seed)?;
        s.serialize_field("raw", &sim.raw)?;
        s.serialize_field("obs_noise", &self.obs_noise)?;
        s.serialize_field("embed", &self.embed)?;
        s.serialize_field("heldout", &self.heldout)?;
        s.end()
    }
}

impl<'de> Deserialize<'de> for DataSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_struct("DataSpec", FIELDS, SpecVisitor)
    }
}

/// Reads the flat object into the nested value by hand: serde's `flatten`
/// cannot refuse unknown fields.
struct SpecVisitor;

impl<'de> Visitor<'de> for SpecVisitor {
    type Value = DataSpec;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("struct DataSpec")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<DataSpec, M::Error> {
        let mut spec = DataSpec::default();
        let mut seen = [false; FIELDS.len()];
        while let Some(key) = map.next_key::<String>()? {
            if let Some(i) = FIELDS.iter().position(|f| *f == key)
                && std::mem::replace(&mut seen[i], true)
            {
                return Err(de::Error::duplicate_field(FIELDS[i]));
            }
            let sim = &mut spec.simulate;
            match key.as_str() {
                "system" => spec.system = map.next_value()?,
                "params" => spec.params = map.next_value()?,
                "noise" => spec.noise = map.next_value()?,
                "method" => {
                    let name: Option<String> = map.next_value()?;
                    sim.method = name
                        .as_deref()
                        .map(str::parse::<Method>)
                        .transpose()
                        .map_err(de::Error::custom)?;
                }
                "t_end" => sim.t_end = map.next_value()?,
                "dt" => sim.dt = map.next_value()?,
                "burn_in" => sim.burn_in = map.next_value()?,
                "every" => sim.every = map.next_value()?,
                "rtol" => sim.rtol = map.next_value()?,
                "atol" => sim.atol = map.next_value()?,
                "seed" => sim.seed = map.next_value()?,
                "raw" => sim.raw = map.next_value()?,
                "obs_noise" => spec.obs_noise = map.next_value()?,
                "embed" => spec.embed = map.next_value()?,
                "heldout" => spec.heldout = map.next_value()?,
                other => return Err(de::Error::unknown_field(other, FIELDS)),
            }
        }
        Ok(spec)
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

    pub fn pipeline(&self) -> PipelineOptions {
        PipelineOptions {
            heldout: self.heldout,
            embed: self
                .embed
                .map(|[coord, dims, lag]| DelayEmbedding { coord, dims, lag }),
            obs_noise: self.obs_noise,
            seed: self.simulate.seed.unwrap_or(0),
        }
    }

    /// Simulates and runs the pipeline.
    pub fn generate(&self) -> Result<Generated, Error> {
        let system = self.system()?;
        let traj = simulate(&system, &self.simulate)?;
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
        // An unknown method is refused as the request is read, a bad value as it runs.
        assert!(serde_json::from_str::<DataSpec>(r#"{"method":"rk5"}"#).is_err());
        let bad = DataSpec {
            simulate: SimulateOptions {
                every: Some(0),
                ..Default::default()
            },
            ..Default::default()
        };
        assert!(bad.generate().is_err());
    }

    #[test]
    fn the_page_json_is_read_field_for_field() {
        let json = r#"{"system":"Thomas","params":{"b":0.2},"noise":[0.1],"method":"heun",
            "t_end":50,"dt":0.02,"burn_in":5,"every":4,"rtol":1e-6,"atol":1e-9,"seed":7,
            "raw":true,"obs_noise":0.05,"embed":[0,3,5],"heldout":0.25}"#;
        let spec: DataSpec = serde_json::from_str(json).unwrap();
        let want = DataSpec {
            system: "Thomas".into(),
            params: BTreeMap::from([("b".to_string(), 0.2)]),
            noise: vec![0.1],
            simulate: SimulateOptions {
                t_end: Some(50.0),
                dt: Some(0.02),
                burn_in: Some(5.0),
                every: Some(4),
                method: Some(Method::Heun),
                rtol: Some(1e-6),
                atol: Some(1e-9),
                init: None,
                seed: Some(7),
                raw: true,
            },
            obs_noise: 0.05,
            embed: Some([0, 3, 5]),
            heldout: 0.25,
        };
        assert_eq!(spec, want);
        // What it writes reads back the same; nulls and missing fields are defaults.
        let text = serde_json::to_string(&spec).unwrap();
        assert_eq!(serde_json::from_str::<DataSpec>(&text).unwrap(), want);
        let nulls = r#"{"method":null,"t_end":null,"dt":null,"burn_in":null,"every":null,
            "rtol":null,"atol":null,"seed":null,"embed":null}"#;
        let empty = serde_json::from_str::<DataSpec>(nulls).unwrap();
        assert_eq!(empty, DataSpec::default());
        assert_eq!(serde_json::from_str::<DataSpec>("{}").unwrap(), empty);
    }

    #[test]
    fn fields_outside_the_request_are_refused_by_name() {
        let err = |json: &str| {
            serde_json::from_str::<DataSpec>(json)
                .unwrap_err()
                .to_string()
        };
        let listed = FIELDS.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>();
        assert!(
            err(r#"{"system":"Lorenz","sytem":"Lorenz"}"#).starts_with(&format!(
                "unknown field `sytem`, expected one of {}",
                listed.join(", ")
            ))
        );
        // `init` belongs to the simulation options but not to the request.
        assert!(err(r#"{"init":[1,2,3]}"#).starts_with("unknown field `init`"));
        assert!(err(r#"{"dt":0.1,"dt":0.2}"#).starts_with("duplicate field `dt`"));
        assert!(err(r#"{"every":1.5}"#).starts_with("invalid type"));
        assert!(err(r#"{"method":"rk5"}"#).starts_with("unknown integration method 'rk5'"));
    }
}
