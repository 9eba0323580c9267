//! Dynamical systems: the catalog, integrators and the data pipeline that turns a
//! trajectory into a training set. Plain `f64` Rust: no burn, no wasm.

pub mod data;
pub mod integrate;
pub mod systems;

pub use data::{Dataset, Standardizer};
pub use integrate::{Method, SimulateOptions, simulate};
pub use systems::{System, SystemInfo, catalog, find};
