//! The sample table every layer shares ([`Dataset`], row-major, data units) and its standardization.

use crate::Error;
use serde::{Deserialize, Serialize};

/// The most coordinates a data set, and so a model, may have.
pub const MAX_DIM: usize = 4096;

/// The largest magnitude a data value may have: beyond it squares overflow.
pub const MAX_ABS: f64 = 1e150;

/// A table of samples (rows) in `dim` coordinates, row-major, in data units.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    pub dim: usize,
    pub names: Vec<String>,
    pub rows: Vec<f64>,
}

impl Dataset {
    pub fn new(dim: usize, rows: Vec<f64>) -> Result<Self, Error> {
        if dim == 0 || !rows.len().is_multiple_of(dim) {
            return Err(Error::invalid(format!(
                "{} values do not form rows of {dim} columns",
                rows.len()
            )));
        }
        Ok(Self {
            dim,
            names: (0..dim).map(|i| format!("x{i}")).collect(),
            rows,
        })
    }

    pub fn len(&self) -> usize {
        self.rows.len() / self.dim
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn row(&self, i: usize) -> &[f64] {
        &self.rows[i * self.dim..(i + 1) * self.dim]
    }

    /// At most `max_rows` rows, evenly spaced (every k-th from the first): the rows a
    /// likelihood is averaged over.
    pub fn evenly_spaced(&self, max_rows: usize) -> Result<Dataset, Error> {
        if max_rows == 0 {
            return Err(Error::invalid("rows must be at least 1"));
        }
        let stride = self.len().div_ceil(max_rows).max(1);
        let rows = (0..self.len())
            .step_by(stride)
            .flat_map(|i| self.row(i).to_vec())
            .collect();
        Ok(Dataset {
            dim: self.dim,
            names: self.names.clone(),
            rows,
        })
    }

    /// Splits into the first `n` rows and the rest.
    pub fn split_at(&self, n: usize) -> (Dataset, Dataset) {
        let n = n.min(self.len());
        let (a, b) = self.rows.split_at(n * self.dim);
        let mk = |r: &[f64]| Dataset {
            dim: self.dim,
            names: self.names.clone(),
            rows: r.to_vec(),
        };
        (mk(a), mk(b))
    }
}

/// Per-coordinate affine map to zero mean and unit variance. Remembered in model
/// files so that samples come back in data units.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Standardizer {
    pub mean: Vec<f64>,
    pub std: Vec<f64>,
}

impl Standardizer {
    pub fn fit(data: &Dataset) -> Result<Self, Error> {
        let n = data.len();
        if n < 2 {
            return Err(Error::invalid(format!(
                "need at least 2 rows to standardize, got {n}"
            )));
        }
        let d = data.dim;
        let mut mean = vec![0.0; d];
        for i in 0..n {
            for (m, v) in mean.iter_mut().zip(data.row(i)) {
                *m += v;
            }
        }
        mean.iter_mut().for_each(|m| *m /= n as f64);
        let mut var = vec![0.0; d];
        for i in 0..n {
            for j in 0..d {
                var[j] += (data.row(i)[j] - mean[j]).powi(2);
            }
        }
        let std: Vec<f64> = var.iter().map(|v| (v / (n - 1) as f64).sqrt()).collect();
        for (j, (m, s)) in mean.iter().zip(&std).enumerate() {
            if !m.is_finite() || !s.is_finite() {
                return Err(Error::invalid(format!(
                    "column {} ({}) has values too large to standardize",
                    j + 1,
                    data.names[j]
                )));
            }
            if *s <= 1e-12 * m.abs().max(1.0) {
                return Err(Error::invalid(format!(
                    "column {} ({}) is constant; nothing to model",
                    j + 1,
                    data.names[j]
                )));
            }
        }
        Ok(Self { mean, std })
    }

    pub fn dim(&self) -> usize {
        self.mean.len()
    }

    /// Data units to standardized `f32` rows.
    pub fn forward(&self, data: &Dataset) -> Vec<f32> {
        let d = self.dim();
        data.rows
            .iter()
            .enumerate()
            .map(|(k, v)| ((v - self.mean[k % d]) / self.std[k % d]) as f32)
            .collect()
    }

    /// Standardized rows back to data units.
    pub fn inverse(&self, z: &[f32]) -> Dataset {
        let d = self.dim();
        let rows = z
            .iter()
            .enumerate()
            .map(|(k, v)| *v as f64 * self.std[k % d] + self.mean[k % d])
            .collect();
        Dataset::new(d, rows).expect("whole rows")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standardize_round_trips_and_whitens() {
        let data = Dataset::new(2, vec![1.0, 10.0, 2.0, 30.0, 3.0, 20.0, 4.0, 40.0]).unwrap();
        let s = Standardizer::fit(&data).unwrap();
        assert_eq!(s.mean, vec![2.5, 25.0]);
        // Sample std of 1,2,3,4 is sqrt(5/3).
        assert!((s.std[0] - (5.0f64 / 3.0).sqrt()).abs() < 1e-12);
        let z = s.forward(&data);
        let back = s.inverse(&z);
        for (a, b) in back.rows.iter().zip(&data.rows) {
            assert!((a - b).abs() < 1e-5 * b.abs().max(1.0));
        }
    }

    #[test]
    fn degenerate_columns_are_rejected() {
        let constant = Dataset::new(1, vec![3.0; 10]).unwrap();
        assert!(Standardizer::fit(&constant).is_err());
        let huge = Dataset::new(1, vec![1e308, -1e308, 1e308]).unwrap();
        assert!(Standardizer::fit(&huge).is_err());
        let one = Dataset::new(1, vec![1.0]).unwrap();
        assert!(Standardizer::fit(&one).is_err());
    }
}
