//! The learned score (or a flow-matching model's velocity) on a 2D slice through data
//! space at one diffusion time: the page's vector-field view; and the grid of the
//! density view, where a model of two coordinates gives its log-density. Coordinates off the
//! slice sit at the data mean. Values are in data units: with z = (x - mean) / std,
//! the score of x is score_z / std and the velocity of x is v_z * std.

use super::score_fn::ScoreFn;
use super::sde::Sde;
use crate::Error;
use crate::dataset::Standardizer;
use burn::tensor::{Device, Tensor, TensorData};

/// Which slice, at which time, on how fine a grid.
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Slice {
    /// The two coordinates spanned (0-based, distinct).
    pub axes: [usize; 2],
    /// Diffusion time in (0, 1]: small is nearly clean data, 1 is the prior.
    pub t: f64,
    /// Points per side (2 to 64).
    pub grid: usize,
    /// Lower and upper corners of the slice in data units.
    pub lo: [f64; 2],
    pub hi: [f64; 2],
}

impl Slice {
    pub fn validate(&self, dim: usize) -> Result<(), Error> {
        let [a, b] = self.axes;
        if a >= dim || b >= dim || a == b {
            return Err(Error::invalid(format!(
                "vector field: choose two different coordinates below {dim}, not {a} and {b}"
            )));
        }
        if !(self.t > 0.0 && self.t <= Sde::T) {
            return Err(Error::invalid(format!(
                "vector field: the time must be in (0, 1], not {}",
                self.t
            )));
        }
        if !(2..=64).contains(&self.grid) {
            return Err(Error::invalid(format!(
                "vector field: the grid must have 2 to 64 points per side, not {}",
                self.grid
            )));
        }
        for k in 0..2 {
            if !(self.lo[k].is_finite() && self.hi[k].is_finite() && self.lo[k] < self.hi[k]) {
                return Err(Error::invalid(
                    "vector field: the slice needs finite bounds with lower < upper",
                ));
            }
        }
        Ok(())
    }

    /// Position of grid point `p` (row-major over (row, column)) on the two axes.
    fn coords(&self, p: usize) -> [f64; 2] {
        let n = self.grid;
        let at = |k: usize, idx: usize| {
            self.lo[k] + idx as f64 / (n - 1) as f64 * (self.hi[k] - self.lo[k])
        };
        [at(0, p % n), at(1, p / n)]
    }

    /// The grid's points in data units, row-major over (row, column), `dim` each.
    pub fn points(&self, standardizer: &Standardizer) -> Vec<f64> {
        let n = self.grid;
        let mut out = Vec::with_capacity(n * n * standardizer.dim());
        for p in 0..n * n {
            let mut row = standardizer.mean.clone();
            for (k, c) in self.coords(p).into_iter().enumerate() {
                row[self.axes[k]] = c;
            }
            out.extend(row);
        }
        out
    }
}

/// The density view's grid over data of two coordinates: points per side and corners.
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DensityGrid {
    pub grid: usize,
    pub lo: [f64; 2],
    pub hi: [f64; 2],
}

impl DensityGrid {
    /// The grid's points (data units, row-major over (row, column)) as data rows, for
    /// a model of `dim` coordinates: the density of the whole space needs two.
    pub fn points(&self, dim: usize) -> Result<crate::dataset::Dataset, Error> {
        if dim != 2 {
            return Err(Error::invalid(format!(
                "the density view draws models of two coordinates; these data have {dim}"
            )));
        }
        let slice = Slice {
            axes: [0, 1],
            t: Sde::T,
            grid: self.grid,
            lo: self.lo,
            hi: self.hi,
        };
        slice
            .validate(2)
            .map_err(|e| Error::invalid(e.message.replace("vector field", "density view")))?;
        let rows = (0..self.grid * self.grid)
            .flat_map(|p| slice.coords(p))
            .collect();
        crate::dataset::Dataset::new(2, rows)
    }
}

/// Noise-to-signal ratio at diffusion time t in standardized units: s(t) / m(t) of the
/// SDE, or for a flow-matching model (1 - tau) / tau with tau = 1 - t.
pub fn noise_ratio(sde: &Sde, velocity_model: bool, t: f64) -> f64 {
    if !velocity_model {
        return sde.noise_ratio(t);
    }
    let tau = Sde::T - t;
    if tau <= 0.0 {
        f64::INFINITY
    } else {
        (1.0 - tau) / tau
    }
}

/// Evaluates the field on the slice: returns the [grid², dim] tensor of the score
/// (or velocity) in data units at [`Slice::points`]. Read it with
/// [`super::backend::read_f32`] (or its async twin) and pass it to [`assemble`].
pub fn evaluate<S: ScoreFn>(
    f: &S,
    sde: &Sde,
    velocity_model: bool,
    standardizer: &Standardizer,
    slice: &Slice,
    device: &Device,
) -> Result<Tensor<2>, Error> {
    let dim = standardizer.dim();
    slice.validate(dim)?;
    let pts = slice.points(standardizer);
    let n = pts.len() / dim;
    let z: Vec<f32> = pts
        .chunks(dim)
        .flat_map(|row| {
            row.iter()
                .zip(standardizer.mean.iter().zip(&standardizer.std))
                .map(|(x, (m, s))| ((x - m) / s) as f32)
                .collect::<Vec<_>>()
        })
        .collect();
    let x = Tensor::<2>::from_data(TensorData::new(z, [n, dim]), device);
    let scale: Vec<f32> = standardizer
        .std
        .iter()
        .map(|s| if velocity_model { *s } else { 1.0 / s } as f32)
        .collect();
    let scale = Tensor::<2>::from_data(TensorData::new(scale, [1, dim]), device);
    let out = if velocity_model {
        f.raw_at_time(x, Sde::T - slice.t)
    } else {
        f.score_at_time(sde, x, slice.t)
    };
    Ok(out.mul(scale))
}

/// Interleaves the grid as (x, y, u, v) per point: position on the two axes and the
/// field's components along them.
pub fn assemble(slice: &Slice, dim: usize, values: &[f32]) -> Vec<f32> {
    let [a, b] = slice.axes;
    let mut out = Vec::with_capacity(values.len() / dim * 4);
    for (p, v) in values.chunks(dim).enumerate() {
        let [x, y] = slice.coords(p);
        out.extend([x as f32, y as f32, v[a], v[b]]);
    }
    out
}
