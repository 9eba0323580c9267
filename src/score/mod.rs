//! Score-based generative modeling, split as in score_sde: forward SDEs ([`sde`]),
//! score networks ([`model`]), RealNVP flows ([`realnvp`]; either kind as
//! a trainable [`net`]), objectives ([`losses`]; continuous normalizing flows by
//! maximum likelihood in [`cnf`]), the training loop ([`train`]; the MLP's step by hand on the CPU in [`host_mlp`]),
//! samplers ([`sampling`], a registry of one file per family), what they evaluate
//! ([`score_fn`]), one training session from request to model file ([`session`]), the
//! score on a 2D slice ([`field`]), exact scores for tests ([`exact`]) and portable model
//! files ([`checkpoint`]). Device-agnostic
//! burn code: the same functions run on flex, ndarray and wgpu, natively and in a browser.

pub mod backend;
pub mod checkpoint;
pub mod cnf;
pub mod exact;
pub mod field;
pub mod host_mlp;
pub mod likelihood;
pub mod losses;
pub mod model;
pub mod net;
pub mod realnvp;
pub mod sampling;
pub mod score_fn;
pub mod sde;
pub mod session;
pub mod train;

pub use backend::Backend;
pub use checkpoint::ModelFile;
pub use losses::Objective;
pub use model::{Arch, NetConfig, ScoreNet};
pub use net::Net;
pub use sampling::{SAMPLERS, SampleConfig, Sampler, SamplerKind};
pub use score_fn::ScoreFn;
pub use sde::Sde;
pub use session::{Session, TrainSpec};
pub use train::{TrainConfig, Trainer};
