//! Dynamical systems: the catalog (dysts' chaotic flows and the stochastic
//! systems), integrators, invariants and the data pipeline that turns a
//! trajectory into a training set. Plain `f64` Rust: no burn, no wasm.

pub mod data;
pub mod flows;
pub mod integrate;
pub mod invariants;
pub mod spec;
pub mod stochastic;
pub mod systems;

pub use data::{Dataset, DelayEmbedding, PipelineOptions, Standardizer, prepare};
pub use integrate::{Method, SimulateOptions, Trajectory, simulate};
pub use spec::{DataSpec, Generated};
pub use systems::{Family, Noise, System, SystemInfo, catalog, find};
