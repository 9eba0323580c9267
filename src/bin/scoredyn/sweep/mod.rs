//! Sweeps: a plan's grid of cells ([`plan`]), one cell run end to end ([`cell`]), and
//! the report of their results ([`report`]).

pub mod cell;
pub mod plan;
pub mod report;
