//! The score MLP's training step written out by hand on the host: forward pass,
//! backward pass, per-tensor gradient clipping, Adam and the EMA as plain loops over
//! flat `f32` buffers, with the matrix products on the `gemm` crate (which picks
//! AVX2/FMA or SIMD128 at run time). burn's autodiff spends most of a step on
//! bookkeeping for this small network (about 245 tensor operations, 190 of them the
//! optimiser); here one step is six matrix products and a few fused passes.
//!
//! It is the CPU trainer of the MLP for DSM, its likelihood weighting, NCSN, sliced
//! score matching and flow matching: the same network, loss, optimiser and batches as
//! [`super::train`]'s burn path, which stays the reference (the gradients and whole
//! steps are tested equal to burn's, `tests/score.rs`) and the trainer for WebGPU, the
//! CNF (whose loss runs through an ODE solve) and the RealNVP.

use super::backend::read_f32;
use super::losses::{HostBatch, Objective, SSM_STEP};
use super::model::{Arch, NetConfig, ParamValues};
use super::score_fn::ScoreFn;
use crate::Error;
use burn::prelude::*;

/// The batch is split into this many shares (one per thread when there are two).
const SHARES: usize = 2;
/// Batches smaller than two shares of this many rows are not split.
const MIN_SHARE: usize = 32;

/// Runs `a` and `b` on two cores: on rayon's pool where the build has one (natively,
/// with the command line; a few microseconds per call), else `b` on a scoped thread
/// while `a` runs here.
fn join<RA: Send, RB: Send>(
    a: impl FnOnce() -> RA + Send,
    b: impl FnOnce() -> RB + Send,
) -> (RA, RB) {
    #[cfg(all(feature = "cli", not(target_arch = "wasm32")))]
    {
        rayon::join(a, b)
    }
    #[cfg(not(all(feature = "cli", not(target_arch = "wasm32"))))]
    {
        std::thread::scope(|scope| {
            let other = scope.spawn(b);
            let ra = a();
            (ra, other.join().expect("a training thread panicked"))
        })
    }
}

/// Adam's constants, as burn's `AdamConfig` with the trainer's epsilon.
const BETA1: f32 = 0.9;
const BETA2: f32 = 0.999;
const EPSILON: f32 = 1e-8;

/// Whether the host code (the step and the forward pass) runs for this device: the
/// CPU backend, flex.
pub fn runs_on(device: &Device) -> bool {
    *device == Device::flex()
}

/// Whether the host step trains this network with this objective.
pub fn supports(config: &NetConfig, objective: Objective) -> bool {
    config.arch == Arch::Mlp
        && matches!(
            objective,
            Objective::Dsm
                | Objective::DsmLikelihood
                | Objective::Ncsn
                | Objective::FlowMatching
                | Objective::Ssm
        )
}

/// out[m, n] (+)= lhs[m, k] rhs[k, n], each matrix given by its row and column strides.
#[allow(clippy::too_many_arguments)]
fn matmul(
    (m, n, k): (usize, usize, usize),
    out: &mut [f32],
    accumulate: bool,
    lhs: &[f32],
    (lhs_rs, lhs_cs): (usize, usize),
    rhs: &[f32],
    (rhs_rs, rhs_cs): (usize, usize),
) {
    if m == 0 || n == 0 {
        return;
    }
    assert!(out.len() >= m * n, "matmul: output too small");
    if k == 0 {
        if !accumulate {
            out[..m * n].fill(0.0);
        }
        return;
    }
    let last = |rs: usize, cs: usize, r: usize, c: usize| (r - 1) * rs + (c - 1) * cs;
    assert!(
        last(lhs_rs, lhs_cs, m, k) < lhs.len(),
        "matmul: left operand too small"
    );
    assert!(
        last(rhs_rs, rhs_cs, k, n) < rhs.len(),
        "matmul: right operand too small"
    );
    // SAFETY: every index the product touches was bounds-checked just above, the
    // output is a distinct mutable slice, and no operand aliases it.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            out.as_mut_ptr(),
            1,
            n as isize,
            accumulate,
            lhs.as_ptr(),
            lhs_cs as isize,
            lhs_rs as isize,
            rhs.as_ptr(),
            rhs_cs as isize,
            rhs_rs as isize,
            1.0,
            1.0,
            false,
            false,
            false,
            gemm::Parallelism::None,
        );
    }
}

/// e^x to about 2e-7 relative, in straight-line arithmetic that the compiler
/// vectorises (the library `exp` is a scalar call: a third of a step went there).
/// Range reduction x = n ln2 + r, |r| <= ln2 / 2, then a degree-6 Taylor polynomial.
#[inline(always)]
pub fn exp_approx(x: f32) -> f32 {
    let x = x.clamp(-87.0, 88.0);
    // Round to nearest by the 1.5 * 2^23 trick (no call to `round`).
    let n = (x * std::f32::consts::LOG2_E + 12_582_912.0) - 12_582_912.0;
    // ln 2 split in two so that n * LN2_HI is exact.
    let r = x - n * 0.693_145_75 - n * 1.428_606_8e-6;
    let p = 1.0
        + r * (1.0
            + r * (0.5
                + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0))))));
    p * f32::from_bits(((n as i32 + 127) as u32) << 23)
}

/// The logistic function.
#[inline(always)]
fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + exp_approx(-z))
}

/// Per-thread buffers of one forward and backward pass over `rows` batch rows, kept
/// from step to step (fresh buffers of this size cost page faults on every step).
#[derive(Default, Clone)]
struct Workspace {
    /// Inputs of each layer: the features, then each hidden layer's SiLU output.
    h: Vec<Vec<f32>>,
    /// sigmoid(z) of each hidden layer.
    sig: Vec<Vec<f32>>,
    /// The network's output.
    out: Vec<f32>,
    /// Gradient buffers of the backward pass.
    g: Vec<f32>,
    g_next: Vec<f32>,
    /// SSM's stacked inputs and times.
    x: Vec<f32>,
    t: Vec<f32>,
    /// Gradient of the loss in every parameter (the flat layout of `HostMlp::theta`).
    grad: Vec<f32>,
}

/// The MLP's weights, optimiser state and EMA on the host.
pub struct HostMlp {
    config: NetConfig,
    /// Layer widths: features, hidden..., output.
    widths: Vec<usize>,
    /// 2 pi times the Fourier frequencies (constant).
    freqs: Vec<f32>,
    /// Every trained parameter: W0, b0, W1, b1, ... (row-major [in, out] weights).
    theta: Vec<f32>,
    ema: Vec<f32>,
    m: Vec<f32>,
    v: Vec<f32>,
    /// Adam's step count.
    time: i32,
    /// (start, len) of each parameter tensor in `theta`, in storage order.
    tensors: Vec<(usize, usize)>,
    threads: usize,
    /// One per thread; the first also holds the summed gradient after a pass.
    workspaces: Vec<Workspace>,
}

/// What one training step needs besides the batch.
pub struct StepSettings {
    pub objective: Objective,
    pub lr: f64,
    pub grad_clip: f64,
    pub ema_decay: f64,
}

impl HostMlp {
    /// From host values (in [`NetConfig::param_shapes`] order): the weights, with the
    /// EMA equal to them and a fresh optimiser.
    pub fn from_values(config: &NetConfig, values: &[ParamValues]) -> Result<Self, Error> {
        config.validate()?;
        if config.arch != Arch::Mlp {
            return Err(Error::invalid("the host trainer runs MLPs only"));
        }
        super::model::check_values(&config.param_shapes(), values)?;
        let mut widths = vec![config.dim + 2 * config.fourier_features];
        let mut theta = Vec::new();
        let mut tensors = Vec::new();
        for p in &values[1..] {
            if p.shape.len() == 2 {
                widths.push(p.shape[1]);
            }
            tensors.push((theta.len(), p.values.len()));
            theta.extend_from_slice(&p.values);
        }
        let n = theta.len();
        Ok(Self {
            config: config.clone(),
            widths,
            freqs: values[0].values.clone(),
            ema: theta.clone(),
            theta,
            m: vec![0.0; n],
            v: vec![0.0; n],
            time: 0,
            tensors,
            threads: default_threads(),
            workspaces: Vec::new(),
        })
    }

    /// Runs the batch's shares on `threads` cores (natively; the browser has one;
    /// [`default_threads`] to begin with). The result does not depend on it.
    pub fn set_threads(&mut self, threads: usize) {
        self.threads = if cfg!(target_arch = "wasm32") {
            1
        } else {
            threads.max(1)
        };
    }

    pub fn threads(&self) -> usize {
        self.threads
    }

    /// A fresh optimiser (after a divergence).
    pub fn reset_optimizer(&mut self) {
        self.m.fill(0.0);
        self.v.fill(0.0);
        self.time = 0;
    }

    fn values_of(&self, flat: &[f32]) -> Vec<ParamValues> {
        let shapes = self.config.param_shapes();
        let mut out = vec![ParamValues {
            name: shapes[0].0.clone(),
            shape: shapes[0].1.clone(),
            values: self.freqs.clone(),
        }];
        for ((name, shape), &(start, len)) in shapes[1..].iter().zip(&self.tensors) {
            out.push(ParamValues {
                name: name.clone(),
                shape: shape.clone(),
                values: flat[start..start + len].to_vec(),
            });
        }
        out
    }

    /// The trained weights, as named host values.
    pub fn values(&self) -> Vec<ParamValues> {
        self.values_of(&self.theta)
    }

    /// The EMA weights, as named host values.
    pub fn ema_values(&self) -> Vec<ParamValues> {
        self.values_of(&self.ema)
    }

    fn layers(&self) -> usize {
        self.widths.len() - 1
    }

    /// (weight start, bias start) of layer `i` in the flat buffers.
    fn offsets(&self, i: usize) -> (usize, usize) {
        (self.tensors[2 * i].0, self.tensors[2 * i + 1].0)
    }

    /// The forward pass over rows x [r, d] at times t [r]: every layer's input (and
    /// sigmoid) in `ws`, the output in `ws.out`.
    fn forward(&self, ws: &mut Workspace, x: &[f32], t: &[f32]) {
        debug_assert_eq!(x.len(), t.len() * self.config.dim);
        let d = self.config.dim;
        let nf = self.freqs.len();
        let r = t.len();
        let layers = self.layers();
        let w = &self.widths;
        ws.h.resize_with(layers, Vec::new);
        ws.sig.resize_with(layers - 1, Vec::new);
        // Features [x, sin(2 pi f t), cos(2 pi f t)].
        let h0 = &mut ws.h[0];
        h0.resize(r * w[0], 0.0);
        for (k, dst) in h0.chunks_exact_mut(w[0]).enumerate() {
            dst[..d].copy_from_slice(&x[k * d..(k + 1) * d]);
            for j in 0..nf {
                let p = t[k] * self.freqs[j];
                dst[d + j] = p.sin();
                dst[d + nf + j] = p.cos();
            }
        }
        // Layers: z = h W + b, then SiLU on the hidden ones.
        for i in 0..layers {
            let (wo, bo) = self.offsets(i);
            let (n_in, n_out) = (w[i], w[i + 1]);
            let weight = &self.theta[wo..wo + n_in * n_out];
            let bias = &self.theta[bo..bo + n_out];
            let mut z = if i + 1 < layers {
                std::mem::take(&mut ws.h[i + 1])
            } else {
                std::mem::take(&mut ws.out)
            };
            z.resize(r * n_out, 0.0);
            for row in z.chunks_exact_mut(n_out) {
                row.copy_from_slice(bias);
            }
            matmul(
                (r, n_out, n_in),
                &mut z,
                true,
                &ws.h[i],
                (n_in, 1),
                weight,
                (n_out, 1),
            );
            if i + 1 < layers {
                let s = &mut ws.sig[i];
                s.resize(r * n_out, 0.0);
                for (zv, sv) in z.iter_mut().zip(s.iter_mut()) {
                    *sv = sigmoid(*zv);
                    *zv *= *sv;
                }
                ws.h[i + 1] = z;
            } else {
                ws.out = z;
            }
        }
    }

    /// Forward and backward over rows `rows` of the batch; the loss term of those rows
    /// (not yet divided by the batch size) and their gradient in `ws.grad`, already
    /// scaled by 1 / `batch`.
    fn pass(
        &self,
        ws: &mut Workspace,
        b: &HostBatch,
        rows: std::ops::Range<usize>,
        objective: Objective,
    ) -> f64 {
        let d = self.config.dim;
        let layers = self.layers();
        let w = &self.widths;
        let inv_batch = 1.0 / b.t.len() as f32;
        let mut loss = 0.0f64;
        if objective == Objective::Ssm {
            // FD-SSM evaluates the network at x + h v, x - h v and x: one forward over
            // the three blocks stacked, and one backward, whose weight gradients then
            // sum the three evaluations' contributions.
            let r = rows.len();
            let probe = b.probe.as_ref().expect("ssm batches carry probes");
            let h = SSM_STEP as f32;
            let (mut x, mut t) = (std::mem::take(&mut ws.x), std::mem::take(&mut ws.t));
            x.clear();
            t.clear();
            for sign in [h, -h, 0.0] {
                for row in rows.clone() {
                    let (xr, vr) = (&b.xt[row * d..][..d], &probe[row * d..][..d]);
                    x.extend(xr.iter().zip(vr).map(|(x, v)| x + v * sign));
                    t.push(b.t[row]);
                }
            }
            self.forward(ws, &x, &t);
            (ws.x, ws.t) = (x, t);
            // Per row: s v.(f+ - f-) / 2h + (v.f0)^2 / 2.
            ws.g.resize(3 * r * d, 0.0);
            let (plus, rest) = ws.out.split_at(r * d);
            let (minus, center) = rest.split_at(r * d);
            let (gp, grest) = ws.g.split_at_mut(r * d);
            let (gm, gc) = grest.split_at_mut(r * d);
            for (k, row) in rows.enumerate() {
                let v = &probe[row * d..][..d];
                let std = b.std[row];
                let at = k * d..(k + 1) * d;
                let (fp, fm, fc) = (&plus[at.clone()], &minus[at.clone()], &center[at.clone()]);
                let mut jvp = 0.0f32;
                let mut vf = 0.0f32;
                for j in 0..d {
                    jvp += (fp[j] - fm[j]) * v[j];
                    vf += fc[j] * v[j];
                }
                jvp /= 2.0 * h;
                loss += (jvp * std + 0.5 * vf * vf) as f64;
                let c = std / (2.0 * h) * inv_batch;
                for j in 0..d {
                    gp[k * d + j] = c * v[j];
                    gm[k * d + j] = -c * v[j];
                    gc[k * d + j] = vf * v[j] * inv_batch;
                }
            }
        } else {
            let r = rows.len();
            self.forward(ws, &b.xt[rows.start * d..rows.end * d], &b.t[rows.clone()]);
            // weight * |f - y|^2 with y = -z (score objectives) or the velocity.
            let sign = if objective == Objective::FlowMatching {
                -1.0
            } else {
                1.0
            };
            ws.g.resize(r * d, 0.0);
            for (k, row) in rows.enumerate() {
                let weight = b.weight[row];
                let mut sum = 0.0f32;
                for j in 0..d {
                    let res = ws.out[k * d + j] + sign * b.target[row * d + j];
                    sum += res * res;
                    ws.g[k * d + j] = 2.0 * inv_batch * weight * res;
                }
                loss += (weight * sum) as f64;
            }
        }
        // The rows the network saw (three per batch row for SSM).
        let r = ws.g.len() / d;
        // Backward.
        ws.grad.resize(self.theta.len(), 0.0);
        for i in (0..layers).rev() {
            let (wo, bo) = self.offsets(i);
            let (n_in, n_out) = (w[i], w[i + 1]);
            // dW = h^T g, db = column sums of g.
            matmul(
                (n_in, n_out, r),
                &mut ws.grad[wo..wo + n_in * n_out],
                false,
                &ws.h[i],
                (1, n_in),
                &ws.g,
                (n_out, 1),
            );
            let db = &mut ws.grad[bo..bo + n_out];
            db.fill(0.0);
            for row in ws.g.chunks_exact(n_out) {
                for (a, g) in db.iter_mut().zip(row) {
                    *a += g;
                }
            }
            if i == 0 {
                break;
            }
            // dh = g W^T, then through SiLU: silu'(z) = s + h (1 - s).
            let weight = &self.theta[wo..wo + n_in * n_out];
            ws.g_next.resize(r * n_in, 0.0);
            matmul(
                (r, n_in, n_out),
                &mut ws.g_next,
                false,
                &ws.g,
                (n_out, 1),
                weight,
                (1, n_out),
            );
            let (s, h) = (&ws.sig[i - 1], &ws.h[i]);
            for ((g, &sv), &hv) in ws.g_next.iter_mut().zip(s).zip(h) {
                *g *= sv + hv * (1.0 - sv);
            }
            std::mem::swap(&mut ws.g, &mut ws.g_next);
        }
        loss
    }

    /// The batch loss; its gradient in every parameter (flat layout), summed over the
    /// batch's shares, is left in `self.workspaces[0].grad`. The shares depend on the
    /// batch size only and are summed in a fixed order, so the result is the same bit
    /// for bit on one thread or two (a sweep's numbers must not depend on its `--jobs`).
    fn loss_and_grad(&mut self, b: &HostBatch, objective: Objective) -> f64 {
        let rows = b.t.len();
        let shares = if rows >= 2 * MIN_SHARE { SHARES } else { 1 };
        let share = rows.div_ceil(shares);
        let range = |k: usize| (k * share).min(rows)..((k + 1) * share).min(rows);
        let mut workspaces = std::mem::take(&mut self.workspaces);
        workspaces.resize_with(shares, Workspace::default);
        let this = &*self;
        let losses: Vec<f64> = if self.threads >= 2 && shares == 2 {
            let (w0, w1) = workspaces.split_at_mut(1);
            let (l0, l1) = join(
                || this.pass(&mut w0[0], b, range(0), objective),
                || this.pass(&mut w1[0], b, range(1), objective),
            );
            vec![l0, l1]
        } else {
            workspaces
                .iter_mut()
                .enumerate()
                .map(|(k, ws)| this.pass(ws, b, range(k), objective))
                .collect()
        };
        let (first, rest) = workspaces.split_at_mut(1);
        for ws in rest {
            for (a, g) in first[0].grad.iter_mut().zip(&ws.grad) {
                *a += g;
            }
        }
        self.workspaces = workspaces;
        losses.iter().sum::<f64>() / rows as f64
    }

    /// The batch loss and gradient, weights unchanged (for tests against burn).
    pub fn gradient(&mut self, b: &HostBatch, objective: Objective) -> (f64, Vec<ParamValues>) {
        let loss = self.loss_and_grad(b, objective);
        let mut values = self.values_of(&self.workspaces[0].grad);
        values.remove(0);
        (loss, values)
    }

    /// One training step: loss and gradient, then per tensor: clip its norm, Adam,
    /// and the EMA, in one pass. Returns the batch loss.
    pub fn step(&mut self, b: &HostBatch, s: &StepSettings) -> f64 {
        let loss = self.loss_and_grad(b, s.objective);
        let grad = &self.workspaces[0].grad;
        self.time += 1;
        let bias2 = (1.0 - BETA2.powi(self.time)).sqrt();
        let factor = bias2 / (1.0 - BETA1.powi(self.time));
        let eps = EPSILON * bias2;
        let lr = s.lr as f32;
        let decay = s.ema_decay as f32;
        let clip = s.grad_clip as f32;
        for &(start, len) in &self.tensors {
            let g = &grad[start..start + len];
            let norm = g.iter().map(|x| x * x).sum::<f32>().sqrt();
            let coef = (clip / (norm + f32::MIN_POSITIVE)).min(1.0);
            let range = start..start + len;
            let (theta, ema) = (&mut self.theta[range.clone()], &mut self.ema[range.clone()]);
            let (m, v) = (&mut self.m[range.clone()], &mut self.v[range]);
            for j in 0..len {
                let gj = g[j] * coef;
                m[j] = BETA1 * m[j] + (1.0 - BETA1) * gj;
                v[j] = BETA2 * v[j] + (1.0 - BETA2) * gj * gj;
                theta[j] -= lr * (m[j] * factor / (v[j].sqrt() + eps));
                ema[j] = decay * ema[j] + (1.0 - decay) * theta[j];
            }
        }
        loss
    }

    /// Sets the weights and EMA (restoring a snapshot).
    pub fn restore(&mut self, theta: &[f32], ema: &[f32]) {
        self.theta.copy_from_slice(theta);
        self.ema.copy_from_slice(ema);
    }

    /// The flat weights and EMA (a snapshot for [`HostMlp::restore`]).
    pub fn snapshot(&self) -> (Vec<f32>, Vec<f32>) {
        (self.theta.clone(), self.ema.clone())
    }
}

/// The MLP's forward pass on the host as a [`ScoreFn`]: what the samplers evaluate on
/// the CPU backend (three matrix products per evaluation, without burn's per-operation
/// cost). Rows go through in blocks that stay in cache, the blocks shared among the
/// threads (rows are independent: the thread count changes no bit).
pub struct HostScore {
    mlp: HostMlp,
    workspaces: std::cell::RefCell<Vec<Workspace>>,
}

/// Rows per forward block of [`HostScore`].
const BLOCK: usize = 1024;

/// Threads of the host step and forward pass: the machine's cores natively (at most 2:
/// beyond that a batch of a few hundred rows is too small to share), one in the browser.
pub fn default_threads() -> usize {
    #[cfg(not(target_arch = "wasm32"))]
    {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .min(SHARES)
    }
    #[cfg(target_arch = "wasm32")]
    {
        1
    }
}

impl HostScore {
    pub fn from_values(config: &NetConfig, values: &[ParamValues]) -> Result<Self, Error> {
        Ok(Self {
            mlp: HostMlp::from_values(config, values)?,
            workspaces: Default::default(),
        })
    }

    /// Evaluates on `threads` cores (natively; the browser has one).
    pub fn set_threads(&mut self, threads: usize) {
        self.mlp.set_threads(threads);
    }

    /// The raw output f(x, t) for rows x [n, d] at times t [n], on the host.
    pub fn raw_host(&self, x: &[f32], t: &[f32]) -> Vec<f32> {
        let d = self.mlp.config.dim;
        let n = t.len();
        let mut out = vec![0.0f32; n * d];
        let blocks = n.div_ceil(BLOCK).max(1);
        let threads = self.mlp.threads.min(blocks);
        // Each thread takes a run of whole blocks.
        let rows = blocks.div_ceil(threads) * BLOCK;
        let mut workspaces = self.workspaces.borrow_mut();
        workspaces.resize_with(threads, Workspace::default);
        let mlp = &self.mlp;
        let run = |ws: &mut Workspace, x: &[f32], t: &[f32], out: &mut [f32]| {
            for ((xb, tb), ob) in x
                .chunks(BLOCK * d)
                .zip(t.chunks(BLOCK))
                .zip(out.chunks_mut(BLOCK * d))
            {
                mlp.forward(ws, xb, tb);
                ob.copy_from_slice(&ws.out[..tb.len() * d]);
            }
        };
        if threads == 1 {
            run(&mut workspaces[0], x, t, &mut out);
        } else {
            std::thread::scope(|scope| {
                let parts = x.chunks(rows * d).zip(t.chunks(rows));
                for ((ws, (xp, tp)), op) in workspaces
                    .iter_mut()
                    .zip(parts)
                    .zip(out.chunks_mut(rows * d))
                {
                    scope.spawn(move || run(ws, xp, tp, op));
                }
            });
        }
        out
    }
}

impl ScoreFn for HostScore {
    fn score_at(&self, x: Tensor<2>, t: Tensor<2>, std: Tensor<2>) -> Tensor<2> {
        self.raw(x, t).div(std)
    }

    fn raw(&self, x: Tensor<2>, t: Tensor<2>) -> Tensor<2> {
        let device = x.device();
        let dims = x.dims();
        // Built for CPU devices only, whose reads are synchronous everywhere.
        let read = |v: Tensor<2>| read_f32(v).expect("a CPU tensor reads synchronously");
        let out = self.raw_host(&read(x), &read(t));
        Tensor::from_data(TensorData::new(out, dims), &device)
    }
}

#[cfg(test)]
mod tests {
    use super::exp_approx;

    #[test]
    fn exp_approx_is_exp_to_single_precision() {
        let mut worst = 0.0f64;
        for i in -8700..8800 {
            let x = i as f32 * 0.01 + 0.003;
            let exact = (x as f64).exp();
            worst = worst.max(((exp_approx(x) as f64 - exact) / exact).abs());
        }
        assert!(worst < 5e-7, "worst relative error {worst:.2e}");
        // Out of range: clamped to e^-87 and e^88 (a sigmoid of 0 or 1), never inf or 0.
        let (lo, hi) = (exp_approx(-200.0), exp_approx(200.0));
        assert!(
            lo > 0.0 && lo < 2e-38 && hi.is_finite() && hi > 1e38,
            "{lo} {hi}"
        );
        assert!(exp_approx(f32::NAN).is_nan());
    }
}
