//! RealNVP (Dinh, Sohl-Dickstein and Bengio, ICLR 2017): a normalizing flow of affine
//! coupling layers, with an exact log-likelihood and exact sampling in one pass.
//!
//! Layer k keeps the coordinates i with (i + k) even and moves the others by an affine
//! map whose log-scale and shift an MLP computes from the kept ones:
//! y = x exp(s) + b, s = c tanh(raw) (c learned per coordinate, so the log-scale is
//! bounded and starts small), s and b zero on the kept coordinates. The layers carry
//! the data x to z = f(x), and log p(x) = log N(f(x); 0, I) + sum_k sum_i s_k,i(x);
//! sampling runs them backwards from z ~ N(0, I), x = (y - b) exp(-s). The last layer
//! of every MLP starts at zero, so the untrained flow is the identity. No ActNorm: the
//! data are standardized before they reach the flow. Coupling layers need a kept and a
//! moved part, so a RealNVP models two coordinates or more.

use super::model::{NetConfig, ParamValues, ema, ema_linears, linears, tensor1};
use crate::Error;
use crate::rng::Rng64;
use burn::module::Param;
use burn::nn::Linear;
use burn::prelude::*;
use burn::tensor::activation::silu;

/// Shapes of every parameter of the RealNVP of `config`, by name, in storage order.
pub fn param_shapes(config: &NetConfig) -> Vec<(String, Vec<usize>)> {
    let d = config.dim;
    let mut out = Vec::new();
    for k in 0..config.couplings() {
        let mut fan_in = d;
        for i in 0..=config.depth {
            let fan_out = if i == config.depth {
                2 * d
            } else {
                config.width
            };
            out.push((
                format!("couplings.{k}.layers.{i}.weight"),
                vec![fan_in, fan_out],
            ));
            out.push((format!("couplings.{k}.layers.{i}.bias"), vec![fan_out]));
            fan_in = fan_out;
        }
        out.push((format!("couplings.{k}.scale"), vec![d]));
    }
    out
}

/// Fresh values: PyTorch's U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for the hidden layers,
/// zeros for each MLP's last layer (the identity flow), scale factors of 1.
pub fn init_values(config: &NetConfig) -> Vec<ParamValues> {
    let mut rng = Rng64::new(config.seed);
    let last = format!("layers.{}.", config.depth);
    // A bias takes the bound of the weight before it.
    let mut fan_in = config.dim;
    param_shapes(config)
        .into_iter()
        .map(|(name, shape)| {
            let n: usize = shape.iter().product();
            if shape.len() == 2 {
                fan_in = shape[0];
            }
            let values = if name.ends_with(".scale") {
                vec![1.0; n]
            } else if name.contains(&last) {
                vec![0.0; n]
            } else {
                let k = 1.0 / (fan_in as f64).sqrt();
                (0..n)
                    .map(|_| (k * (2.0 * rng.uniform() - 1.0)) as f32)
                    .collect()
            };
            ParamValues {
                name,
                shape,
                values,
            }
        })
        .collect()
}

/// One affine coupling layer: the MLP from the kept coordinates to (raw log-scale,
/// shift), and the log-scale's bound c.
#[derive(Module, Debug)]
pub struct Coupling {
    layers: Vec<Linear>,
    scale: Param<Tensor<1>>,
}

/// A RealNVP flow.
#[derive(Module, Debug)]
pub struct RealNvp {
    couplings: Vec<Coupling>,
    /// 1 on the coordinates layer k keeps, [K, d]; a constant, not trained.
    masks: Tensor<2>,
}

impl Coupling {
    /// The masked log-scale s and shift b at the kept coordinates `kept` = x m.
    fn scale_shift(&self, kept: Tensor<2>, moved: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        let [_, d] = kept.dims();
        let mut h = kept;
        let last = self.layers.len() - 1;
        for (i, layer) in self.layers.iter().enumerate() {
            h = layer.forward(h);
            if i < last {
                h = silu(h);
            }
        }
        let [b, _] = h.dims();
        let raw = h.clone().slice([0..b, 0..d]);
        let shift = h.slice([0..b, d..2 * d]);
        let c = self.scale.val().reshape([1, d]);
        let s = raw.tanh().mul(c).mul(moved.clone());
        (s, shift.mul(moved))
    }
}

impl RealNvp {
    /// Builds a flow from host values, checking every name and shape against `config`.
    pub fn from_values(
        config: &NetConfig,
        values: &[ParamValues],
        device: &Device,
    ) -> Result<Self, Error> {
        config.validate()?;
        super::model::check_values(&param_shapes(config), values)?;
        let per = 2 * (config.depth + 1) + 1;
        let couplings = values
            .chunks(per)
            .map(|c| Coupling {
                layers: linears(&c[..per - 1], device),
                scale: Param::from_tensor(tensor1(&c[per - 1], device)),
            })
            .collect();
        let (k, d) = (config.couplings(), config.dim);
        let masks: Vec<f32> = (0..k)
            .flat_map(|k| (0..d).map(move |i| ((i + k) % 2 == 0) as u8 as f32))
            .collect();
        let masks = Tensor::<2>::from_data(TensorData::new(masks, [k, d]), device);
        Ok(Self { couplings, masks })
    }

    fn mask(&self, k: usize) -> (Tensor<2>, Tensor<2>) {
        let [_, d] = self.masks.dims();
        let m = self.masks.clone().slice([k..k + 1, 0..d]);
        (m.clone(), m.neg().add_scalar(1.0))
    }

    /// z = f(x) for data rows x [B, d] and log |det df/dx| per row, [B, 1].
    pub fn forward(&self, x: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        let [b, _] = x.dims();
        let mut logdet = Tensor::<2>::zeros([b, 1], &x.device());
        let mut x = x;
        for (k, c) in self.couplings.iter().enumerate() {
            let (kept, moved) = self.mask(k);
            let (s, shift) = c.scale_shift(x.clone().mul(kept), moved);
            logdet = logdet.add(s.clone().sum_dim(1));
            x = x.mul(s.exp()).add(shift);
        }
        (x, logdet)
    }

    /// x = f^-1(z): the layers backwards.
    pub fn inverse(&self, z: Tensor<2>) -> Tensor<2> {
        let mut y = z;
        for (k, c) in self.couplings.iter().enumerate().rev() {
            let (kept, moved) = self.mask(k);
            let (s, shift) = c.scale_shift(y.clone().mul(kept), moved);
            y = y.sub(shift).mul(s.neg().exp());
        }
        y
    }

    /// log p(x) per row [B, 1], in the flow's (standardized) units.
    pub fn log_prob(&self, x: Tensor<2>) -> Tensor<2> {
        let [_, d] = x.dims();
        let (z, logdet) = self.forward(x);
        let prior = z
            .square()
            .sum_dim(1)
            .mul_scalar(-0.5)
            .sub_scalar(0.5 * d as f64 * std::f64::consts::TAU.ln());
        prior.add(logdet)
    }

    /// Every parameter as a flat tensor, in [`param_shapes`] order.
    pub fn flat_tensors(&self) -> Vec<Tensor<1>> {
        let mut out = Vec::new();
        for c in &self.couplings {
            for l in &c.layers {
                out.push(l.weight.val().flatten(0, 1));
                out.push(l.bias.as_ref().expect("coupling layers have biases").val());
            }
            out.push(c.scale.val());
        }
        out
    }

    /// Exponential moving average: self <- decay * self + (1 - decay) * other (detached).
    pub fn ema_from(self, other: &RealNvp, decay: f64) -> RealNvp {
        let couplings = self
            .couplings
            .into_iter()
            .zip(&other.couplings)
            .map(|(mine, theirs)| Coupling {
                layers: ema_linears(mine.layers, &theirs.layers, decay),
                scale: mine.scale.map(|a| ema(a, theirs.scale.val(), decay)),
            })
            .collect();
        RealNvp {
            couplings,
            masks: self.masks,
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::rng::normal;
    use crate::score::Backend;
    use crate::score::model::Arch;

    fn config(dim: usize) -> NetConfig {
        NetConfig {
            arch: Arch::RealNvp,
            layers: Some(4),
            width: 16,
            depth: 2,
            seed: 3,
            ..NetConfig::new(dim)
        }
    }

    /// A flow with random (not identity) weights: every value drawn, scales of 1.
    fn random_flow(dim: usize, device: &Device) -> RealNvp {
        let config = config(dim);
        let mut rng = Rng64::new(11);
        let values: Vec<ParamValues> = param_shapes(&config)
            .into_iter()
            .map(|(name, shape)| {
                let n = shape.iter().product();
                let values = (0..n)
                    .map(|_| {
                        if name.ends_with(".scale") {
                            1.0
                        } else {
                            (0.4 * normal(&mut rng)) as f32
                        }
                    })
                    .collect();
                ParamValues {
                    name,
                    shape,
                    values,
                }
            })
            .collect();
        RealNvp::from_values(&config, &values, device).unwrap()
    }

    fn read(t: Tensor<2>) -> Vec<f64> {
        crate::score::backend::read_f32(t)
            .unwrap()
            .into_iter()
            .map(|v| v as f64)
            .collect()
    }

    fn determinant(mut a: Vec<Vec<f64>>) -> f64 {
        let n = a.len();
        let mut det = 1.0;
        for c in 0..n {
            let p = (c..n)
                .max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))
                .unwrap();
            if p != c {
                a.swap(p, c);
                det = -det;
            }
            det *= a[c][c];
            let pivot = a[c].clone();
            for row in a.iter_mut().skip(c + 1) {
                let f = row[c] / pivot[c];
                for (v, p) in row.iter_mut().zip(&pivot).skip(c) {
                    *v -= f * p;
                }
            }
        }
        det
    }

    /// The flow's log-determinant equals log |det J| of a central-difference Jacobian
    /// of f, at random points of a 3-D flow with random weights (1e-3).
    #[test]
    fn log_det_matches_a_finite_difference_jacobian() {
        let device = Backend::DEFAULT_CPU.device().unwrap();
        let d = 3;
        let flow = random_flow(d, &device);
        let mut rng = Rng64::new(5);
        let h = 1e-2;
        let mut largest = 0.0f64;
        for _ in 0..8 {
            let x: Vec<f64> = (0..d).map(|_| normal(&mut rng)).collect();
            // Rows: x + h e_j and x - h e_j for each j, then x itself.
            let mut rows = Vec::new();
            for j in 0..d {
                for sign in [1.0, -1.0] {
                    let mut p = x.clone();
                    p[j] += sign * h;
                    rows.extend(p.iter().map(|v| *v as f32));
                }
            }
            rows.extend(x.iter().map(|v| *v as f32));
            let t = Tensor::<2>::from_data(TensorData::new(rows, [2 * d + 1, d]), &device);
            let (z, logdet) = flow.forward(t);
            let (z, logdet) = (read(z), read(logdet));
            let jac: Vec<Vec<f64>> = (0..d)
                .map(|i| {
                    (0..d)
                        .map(|j| (z[2 * j * d + i] - z[(2 * j + 1) * d + i]) / (2.0 * h))
                        .collect()
                })
                .collect();
            let fd = determinant(jac).abs().ln();
            let exact = logdet[2 * d];
            assert!(
                (fd - exact).abs() < 1e-3 * (1.0 + exact.abs()),
                "log det {exact} vs finite differences {fd}"
            );
            largest = largest.max(exact.abs());
        }
        assert!(
            largest > 0.2,
            "the flow is near volume-preserving: {largest}"
        );
    }

    /// The inverse undoes the forward map, and the untrained flow is the identity.
    #[test]
    fn inverse_undoes_forward_and_the_fresh_flow_is_the_identity() {
        let device = Backend::DEFAULT_CPU.device().unwrap();
        let flow = random_flow(4, &device);
        let mut rng = Rng64::new(8);
        let x: Vec<f32> = (0..64 * 4).map(|_| normal(&mut rng) as f32).collect();
        let x = Tensor::<2>::from_data(TensorData::new(x, [64, 4]), &device);
        let (z, _) = flow.forward(x.clone());
        let back = read(flow.inverse(z.clone()));
        let (x0, z) = (read(x.clone()), read(z));
        let moved = x0
            .iter()
            .zip(&z)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        let worst = x0
            .iter()
            .zip(&back)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(
            moved > 0.1 && worst < 1e-4,
            "moved {moved}, round trip {worst}"
        );
        let fresh = config(4);
        let fresh = RealNvp::from_values(&fresh, &init_values(&fresh), &device).unwrap();
        let (z, logdet) = fresh.forward(x);
        assert_eq!(read(z), x0);
        assert!(read(logdet).iter().all(|v| *v == 0.0));
    }
}
