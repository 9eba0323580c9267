//! Sweeps: a plan's grid of cells ([`plan`]) and one cell run end to end ([`cell`]).

pub mod cell;
pub mod plan;
