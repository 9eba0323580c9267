//! One file per command: its options (a clap struct) and its `run`.

pub mod eval;
pub mod invariants;
pub mod likelihood;
pub mod report;
pub mod response;
pub mod response_compare;
pub mod sample;
pub mod simulate;
pub mod sweep;
pub mod systems;
pub mod train;
