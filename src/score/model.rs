//! The score network: an MLP on [x, Gaussian Fourier features of t] with SiLU
//! activations. Its raw output is divided by the marginal std s(t), so that
//! score(x, t) = net(x, t) / s(t) and the sigma^2-weighted DSM target for `net` is -z.

use crate::Error;
use crate::rng::{Rng64, normal};
use burn::module::Param;
use burn::nn::Linear;
use burn::prelude::*;
use burn::tensor::activation::silu;
use serde::{Deserialize, Serialize};

/// The network families, by their `--arch` names.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Arch {
    /// The MLP on [x, Fourier features of t]: a score or a velocity.
    #[default]
    Mlp,
    /// Affine coupling layers ([`super::realnvp`]), each with an MLP of the net's
    /// width and depth: a normalizing flow.
    #[serde(rename = "realnvp")]
    RealNvp,
}

impl Arch {
    pub const NAMES: &'static str = "mlp, realnvp";

    pub fn parse(name: &str) -> Result<Self, Error> {
        match name {
            "mlp" => Ok(Self::Mlp),
            "realnvp" => Ok(Self::RealNvp),
            other => Err(Error::invalid(format!(
                "unknown architecture '{other}'; supported: {}",
                Self::NAMES
            ))),
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Self::Mlp => "mlp",
            Self::RealNvp => "realnvp",
        }
    }

    fn is_mlp(&self) -> bool {
        *self == Self::Mlp
    }
}

/// Coupling layers of a RealNVP when none are given.
pub const DEFAULT_COUPLINGS: usize = 8;

/// Architecture of a network; stored in model files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetConfig {
    /// Files written before architectures existed hold MLPs.
    #[serde(default, skip_serializing_if = "Arch::is_mlp")]
    pub arch: Arch,
    /// RealNVP: coupling layers (none for an MLP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layers: Option<usize>,
    /// Data dimension.
    pub dim: usize,
    /// Hidden width (of each coupling layer's MLP for a RealNVP).
    pub width: usize,
    /// Number of hidden layers.
    pub depth: usize,
    /// Number of random Fourier frequencies (features: sin and cos of each).
    pub fourier_features: usize,
    /// Std of the Fourier frequencies.
    pub fourier_scale: f64,
    /// Seed of the initial weights and frequencies.
    pub seed: u64,
}

impl NetConfig {
    pub fn new(dim: usize) -> Self {
        Self {
            arch: Arch::Mlp,
            layers: None,
            dim,
            width: 128,
            depth: 3,
            fourier_features: 8,
            fourier_scale: 16.0,
            seed: 0,
        }
    }

    pub fn validate(&self) -> Result<(), Error> {
        let bad = |what: &str| Err(Error::invalid(what.to_string()));
        if self.dim == 0 || self.dim > crate::dataset::MAX_DIM {
            return bad(&format!(
                "data dimension must be between 1 and {}",
                crate::dataset::MAX_DIM
            ));
        }
        if !(1..=4096).contains(&self.width) {
            return bad("width must be between 1 and 4096");
        }
        if !(1..=32).contains(&self.depth) {
            return bad("depth must be between 1 and 32");
        }
        if !(1..=512).contains(&self.fourier_features) {
            return bad("fourier_features must be between 1 and 512");
        }
        if !(self.fourier_scale.is_finite() && self.fourier_scale > 0.0) {
            return bad("fourier_scale must be a positive number");
        }
        match (self.arch, self.layers) {
            (Arch::Mlp, None) => {}
            (Arch::Mlp, Some(_)) => {
                return bad("layers apply to the realnvp architecture, not mlp");
            }
            (Arch::RealNvp, Some(k)) if !(1..=64).contains(&k) => {
                return bad(&format!("layers must be between 1 and 64, got {k}"));
            }
            (Arch::RealNvp, _) if self.dim < 2 => {
                return bad(
                    "a RealNVP's coupling layers need at least 2 coordinates; for 1-D data use cnf or flow-matching",
                );
            }
            (Arch::RealNvp, _) => {}
        }
        Ok(())
    }

    /// RealNVP: the coupling layers (given or the default).
    pub fn couplings(&self) -> usize {
        self.layers.unwrap_or(DEFAULT_COUPLINGS)
    }

    /// Shapes of every parameter, by name, in storage order.
    pub fn param_shapes(&self) -> Vec<(String, Vec<usize>)> {
        if self.arch == Arch::RealNvp {
            return super::realnvp::param_shapes(self);
        }
        let mut out = vec![("fourier".to_string(), vec![1, self.fourier_features])];
        let mut fan_in = self.dim + 2 * self.fourier_features;
        for i in 0..=self.depth {
            let fan_out = if i == self.depth {
                self.dim
            } else {
                self.width
            };
            out.push((format!("layers.{i}.weight"), vec![fan_in, fan_out]));
            out.push((format!("layers.{i}.bias"), vec![fan_out]));
            fan_in = fan_out;
        }
        out
    }

    /// Fresh weights of an MLP, drawn on the host from `seed` so that every device
    /// starts alike.
    pub fn init(&self, device: &Device) -> Result<ScoreNet, Error> {
        ScoreNet::from_values(self, &self.init_values()?, device)
    }

    /// [`NetConfig::init`]'s weights as host values.
    pub fn init_values(&self) -> Result<Vec<ParamValues>, Error> {
        self.validate()?;
        if self.arch != Arch::Mlp {
            return Err(Error::invalid(format!(
                "a {} is not a score or velocity network",
                self.arch.name()
            )));
        }
        let mut rng = Rng64::new(self.seed);
        let mut values = Vec::new();
        for (name, shape) in self.param_shapes() {
            let n: usize = shape.iter().product();
            let v: Vec<f32> = if name == "fourier" {
                (0..n)
                    .map(|_| (std::f64::consts::TAU * self.fourier_scale * normal(&mut rng)) as f32)
                    .collect()
            } else {
                // PyTorch's default: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
                let fan_in = if shape.len() == 2 {
                    shape[0]
                } else {
                    values_fan_in(&values)
                };
                let k = 1.0 / (fan_in as f64).sqrt();
                (0..n)
                    .map(|_| (k * (2.0 * rng.uniform() - 1.0)) as f32)
                    .collect()
            };
            values.push(ParamValues {
                name,
                shape,
                values: v,
            });
        }
        Ok(values)
    }
}

fn values_fan_in(values: &[ParamValues]) -> usize {
    values.last().map(|p| p.shape[0]).unwrap_or(1)
}

/// Checks host values against an architecture's names and shapes.
pub(crate) fn check_values(
    shapes: &[(String, Vec<usize>)],
    values: &[ParamValues],
) -> Result<(), Error> {
    if values.len() != shapes.len() {
        return Err(Error::invalid(format!(
            "the model has {} parameter tensors but the architecture needs {}",
            values.len(),
            shapes.len()
        )));
    }
    for (p, (name, shape)) in values.iter().zip(shapes) {
        if &p.name != name || &p.shape != shape {
            return Err(Error::invalid(format!(
                "parameter '{}' of shape {:?} does not fit the architecture, which needs '{name}' of shape {shape:?}",
                p.name, p.shape
            )));
        }
        if p.values.len() != shape.iter().product::<usize>() {
            return Err(Error::invalid(format!(
                "parameter '{}' has {} values for shape {shape:?}",
                p.name,
                p.values.len()
            )));
        }
        if p.values.iter().any(|v| !v.is_finite()) {
            return Err(Error::invalid(format!(
                "parameter '{}' has non-finite values",
                p.name
            )));
        }
    }
    Ok(())
}

fn named(config: &NetConfig, data: Vec<Vec<f32>>) -> Vec<ParamValues> {
    config
        .param_shapes()
        .into_iter()
        .zip(data)
        .map(|((name, shape), values)| ParamValues {
            name,
            shape,
            values,
        })
        .collect()
}

/// Flat parameter tensors (in [`NetConfig::param_shapes`] order) read back
/// synchronously and named.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn read_values(
    config: &NetConfig,
    tensors: Vec<Tensor<1>>,
) -> Result<Vec<ParamValues>, Error> {
    let mut data = Vec::new();
    for t in tensors {
        data.push(super::backend::read_f32(t)?);
    }
    Ok(named(config, data))
}

/// [`read_values`] with asynchronous reads (required for WebGPU).
pub(crate) async fn read_values_async(
    config: &NetConfig,
    tensors: Vec<Tensor<1>>,
) -> Result<Vec<ParamValues>, Error> {
    let mut data = Vec::new();
    for t in tensors {
        data.push(super::backend::read_f32_async(t).await?);
    }
    Ok(named(config, data))
}

/// A [rows, cols] tensor of host values.
pub(crate) fn tensor2(p: &ParamValues, device: &Device) -> Tensor<2> {
    Tensor::from_data(
        TensorData::new(p.values.clone(), [p.shape[0], p.shape[1]]),
        device,
    )
}

/// A vector of host values.
pub(crate) fn tensor1(p: &ParamValues, device: &Device) -> Tensor<1> {
    Tensor::from_data(TensorData::new(p.values.clone(), [p.shape[0]]), device)
}

/// Linear layers from (weight, bias) pairs of host values.
pub(crate) fn linears(values: &[ParamValues], device: &Device) -> Vec<Linear> {
    values
        .chunks(2)
        .map(|wb| Linear {
            weight: Param::from_tensor(tensor2(&wb[0], device)),
            bias: Some(Param::from_tensor(tensor1(&wb[1], device))),
        })
        .collect()
}

/// decay * mine + (1 - decay) * theirs, the latter detached: one EMA update.
pub(crate) fn ema<const D: usize>(mine: Tensor<D>, theirs: Tensor<D>, decay: f64) -> Tensor<D> {
    mine.mul_scalar(decay)
        .add(theirs.inner().mul_scalar(1.0 - decay))
}

/// [`ema`] of every weight and bias of a stack of linear layers.
pub(crate) fn ema_linears(mine: Vec<Linear>, theirs: &[Linear], decay: f64) -> Vec<Linear> {
    mine.into_iter()
        .zip(theirs)
        .map(|(l, t)| Linear {
            weight: l.weight.map(|a| ema(a, t.weight.val(), decay)),
            bias: l.bias.map(|b| {
                b.map(|a| ema(a, t.bias.as_ref().expect("layers have biases").val(), decay))
            }),
        })
        .collect()
}

/// A named parameter read back to the host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParamValues {
    pub name: String,
    pub shape: Vec<usize>,
    pub values: Vec<f32>,
}

/// The score network.
#[derive(Module, Debug)]
pub struct ScoreNet {
    /// 2 pi times the Fourier frequencies, [1, F]; a constant, not trained.
    freqs: Tensor<2>,
    layers: Vec<Linear>,
}

impl ScoreNet {
    /// Raw output for x [B, d] at times t [B, 1]: the sigma-scaled score, s(t) * score.
    pub fn forward(&self, x: Tensor<2>, t: Tensor<2>) -> Tensor<2> {
        let proj = t.mul(self.freqs.clone());
        let mut h = Tensor::cat(vec![x, proj.clone().sin(), proj.cos()], 1);
        let last = self.layers.len() - 1;
        for (i, layer) in self.layers.iter().enumerate() {
            h = layer.forward(h);
            if i < last {
                h = silu(h);
            }
        }
        h
    }

    /// The raw output and its Jacobian-vector product J v = (d f / d x) v, by
    /// forward-mode differentiation through the layers (exact, and differentiable in
    /// the weights by burn's reverse mode: what the CNF's trace estimate needs).
    pub fn forward_jvp(&self, x: Tensor<2>, t: Tensor<2>, v: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        let [_, d] = x.dims();
        let proj = t.mul(self.freqs.clone());
        let mut h = Tensor::cat(vec![x, proj.clone().sin(), proj.cos()], 1);
        let mut dh = v;
        let last = self.layers.len() - 1;
        for (i, layer) in self.layers.iter().enumerate() {
            let w = layer.weight.val();
            let z = layer.forward(h);
            // The time features do not depend on x: only the first d rows of W act on v.
            let dz = if i == 0 {
                let [_, out] = w.dims();
                dh.matmul(w.slice([0..d, 0..out]))
            } else {
                dh.matmul(w)
            };
            if i < last {
                // silu'(z) = sigma(z) (1 + z (1 - sigma(z))).
                let s = burn::tensor::activation::sigmoid(z.clone());
                let slope = s.clone().mul(
                    z.clone()
                        .mul(s.clone().neg().add_scalar(1.0))
                        .add_scalar(1.0),
                );
                h = z.mul(s);
                dh = dz.mul(slope);
            } else {
                h = z;
                dh = dz;
            }
        }
        (h, dh)
    }

    /// The score at x [B, d], times t [B, 1] with marginal stds `std` [B, 1].
    pub fn score(&self, x: Tensor<2>, t: Tensor<2>, std: Tensor<2>) -> Tensor<2> {
        self.forward(x, t).div(std)
    }

    /// Builds a network from host values, checking every name and shape against `config`.
    pub fn from_values(
        config: &NetConfig,
        values: &[ParamValues],
        device: &Device,
    ) -> Result<Self, Error> {
        config.validate()?;
        if config.arch != Arch::Mlp {
            return Err(Error::invalid(format!(
                "a {} is not a score or velocity network",
                config.arch.name()
            )));
        }
        check_values(&config.param_shapes(), values)?;
        let freqs = tensor2(&values[0], device);
        let layers = linears(&values[1..], device);
        Ok(Self { freqs, layers })
    }

    /// A network from host values known to fit (the host trainer's own), unchecked:
    /// non-finite weights pass through as they would on a device.
    pub(crate) fn from_host(values: &[ParamValues], device: &Device) -> Self {
        Self {
            freqs: tensor2(&values[0], device),
            layers: linears(&values[1..], device),
        }
    }

    /// The gradient of every trained parameter (each weight and bias, in storage
    /// order) read from `grads`, synchronously: the reference the host trainer's
    /// gradients are tested against.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn param_grads(&self, grads: &burn::tensor::Gradients) -> Result<Vec<Vec<f32>>, Error> {
        let missing = || Error::invalid("a parameter has no gradient");
        let mut out = Vec::new();
        for l in &self.layers {
            let w = l.weight.val().grad(grads).ok_or_else(missing)?;
            out.push(super::backend::read_f32(w)?);
            let b = l.bias.as_ref().ok_or_else(missing)?.val().grad(grads);
            out.push(super::backend::read_f32(b.ok_or_else(missing)?)?);
        }
        Ok(out)
    }

    /// Every parameter as a flat tensor, in [`NetConfig::param_shapes`] order.
    pub(crate) fn flat_tensors(&self) -> Vec<Tensor<1>> {
        let mut out = vec![self.freqs.clone().flatten(0, 1)];
        for l in &self.layers {
            out.push(l.weight.val().flatten(0, 1));
            out.push(l.bias.as_ref().expect("score layers have biases").val());
        }
        out
    }

    /// Reads the parameters back synchronously (CPU backends, native wgpu).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn to_values(&self, config: &NetConfig) -> Result<Vec<ParamValues>, Error> {
        read_values(config, self.flat_tensors())
    }

    /// Reads the parameters back asynchronously (required for WebGPU).
    pub async fn to_values_async(&self, config: &NetConfig) -> Result<Vec<ParamValues>, Error> {
        read_values_async(config, self.flat_tensors()).await
    }

    /// Exponential moving average: self <- decay * self + (1 - decay) * other (detached).
    pub fn ema_from(self, other: &ScoreNet, decay: f64) -> ScoreNet {
        let layers = ema_linears(self.layers, &other.layers, decay);
        ScoreNet {
            freqs: self.freqs,
            layers,
        }
    }
}
