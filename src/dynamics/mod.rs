//! Dynamical systems: the catalog, integrators, simulation, invariants and the data pipeline.
//!
//! The catalog holds dysts' chaotic flows and the stochastic systems; the
//! pipeline turns a trajectory into a training set. Plain `f64` Rust: no burn,
//! no wasm.
//!
//! Files import one way only: each from files listed before it, never after.
//! 1. `types` (the catalog's vocabulary), `noise`;
//! 2. `flows`, `stochastic` (equations), `integrate` (steps, tableau, DOPRI5);
//! 3. `catalog` (loading), then `system` (a configured system);
//! 4. `simulation` (options, defaults, `simulate`);
//! 5. `invariants`, `pipeline`, `listing`, then `spec` (a whole data request).

pub mod catalog;
pub mod flows;
pub mod integrate;
pub mod invariants;
pub mod listing;
pub mod noise;
pub mod pipeline;
pub mod simulation;
pub mod spec;
pub mod stochastic;
pub mod system;
pub mod types;

pub use catalog::{catalog, find};
pub use integrate::Method;
pub use noise::Noise;
pub use pipeline::{DelayEmbedding, PipelineOptions, prepare};
pub use simulation::{SimulateOptions, Trajectory, simulate};
pub use spec::{DataSpec, Generated};
pub use system::System;
pub use types::{Family, ParamSpec, SystemInfo};
