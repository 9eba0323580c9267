//! scoredyn: score-based generative modeling of dynamical systems.
//!
//! Layers, data flowing one way:
//! - [`dataset`]: the sample table every layer shares, and its standardization;
//! - [`dynamics`]: systems, integrators, the data pipeline (plain `f64`, no burn);
//! - [`score`]: forward SDEs, score networks, losses, training, sampling (device-agnostic burn);
//! - [`metrics`]: distances between sample sets;
//! - [`response`]: linear response to a kick, from a score (GFDT), a Gaussian fit or a
//!   perturbation experiment;
//! - `web` (wasm32 only): the browser bindings.

pub mod csv;
pub mod dataset;
pub mod dynamics;
pub mod metrics;
pub mod response;
pub mod rng;
pub mod score;

#[cfg(target_arch = "wasm32")]
pub mod web;

use std::fmt;

/// The crate's error: a message meant for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Bad input: parameters, files, shapes.
    Invalid,
    /// Training produced a non-finite loss.
    Diverged,
    /// The device or backend failed.
    Device,
    /// Reading or writing a file failed.
    Io,
}

impl Error {
    pub fn invalid(msg: impl Into<String>) -> Self {
        Self {
            kind: ErrorKind::Invalid,
            message: msg.into(),
        }
    }
    pub fn diverged(msg: impl Into<String>) -> Self {
        Self {
            kind: ErrorKind::Diverged,
            message: msg.into(),
        }
    }
    pub fn device(msg: impl Into<String>) -> Self {
        Self {
            kind: ErrorKind::Device,
            message: msg.into(),
        }
    }
    pub fn io(msg: impl Into<String>) -> Self {
        Self {
            kind: ErrorKind::Io,
            message: msg.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}
