//! Any trainable network of a model file, by its architecture: the MLP (a score or a
//! velocity, [`super::model`]) or a RealNVP flow ([`super::realnvp`]). The trainer, the
//! optimiser and model files work on this; samplers and likelihoods take the family
//! they need.

use super::model::{Arch, NetConfig, ParamValues, ScoreNet};
use super::realnvp::{self, RealNvp};
use crate::Error;
use burn::prelude::*;

#[derive(Module, Debug)]
pub enum Net {
    Mlp(ScoreNet),
    RealNvp(RealNvp),
}

impl Net {
    /// Fresh weights, drawn on the host from the config's seed.
    pub fn init(config: &NetConfig, device: &Device) -> Result<Self, Error> {
        config.validate()?;
        match config.arch {
            Arch::Mlp => Ok(Self::Mlp(config.init(device)?)),
            Arch::RealNvp => Self::from_values(config, &realnvp::init_values(config), device),
        }
    }

    /// Builds a network from host values, checking every name and shape.
    pub fn from_values(
        config: &NetConfig,
        values: &[ParamValues],
        device: &Device,
    ) -> Result<Self, Error> {
        Ok(match config.arch {
            Arch::Mlp => Self::Mlp(ScoreNet::from_values(config, values, device)?),
            Arch::RealNvp => Self::RealNvp(RealNvp::from_values(config, values, device)?),
        })
    }

    /// The MLP, if this is one.
    pub fn as_mlp(&self) -> Option<&ScoreNet> {
        match self {
            Self::Mlp(n) => Some(n),
            Self::RealNvp(_) => None,
        }
    }

    fn flat_tensors(&self) -> Vec<Tensor<1>> {
        match self {
            Self::Mlp(n) => n.flat_tensors(),
            Self::RealNvp(f) => f.flat_tensors(),
        }
    }

    /// Reads the parameters back synchronously (CPU backends, native wgpu).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn to_values(&self, config: &NetConfig) -> Result<Vec<ParamValues>, Error> {
        super::model::read_values(config, self.flat_tensors())
    }

    /// Reads the parameters back asynchronously (required for WebGPU).
    pub async fn to_values_async(&self, config: &NetConfig) -> Result<Vec<ParamValues>, Error> {
        super::model::read_values_async(config, self.flat_tensors()).await
    }

    /// Exponential moving average: self <- decay * self + (1 - decay) * other (detached).
    pub fn ema_from(self, other: &Net, decay: f64) -> Net {
        match (self, other) {
            (Self::Mlp(a), Self::Mlp(b)) => Self::Mlp(a.ema_from(b, decay)),
            (Self::RealNvp(a), Self::RealNvp(b)) => Self::RealNvp(a.ema_from(b, decay)),
            (mine, _) => mine,
        }
    }
}
