//! From trajectories to training sets: the data table and its standardization.

use super::integrate::Trajectory;
use crate::Error;
use serde::{Deserialize, Serialize};

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

    pub fn from_trajectory(traj: &Trajectory) -> Self {
        Self::new(traj.dim, traj.x.clone()).expect("a trajectory has whole rows")
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

/// Time-delay embedding of one observable: rows
/// `[x_c(t), x_c(t + lag), ..., x_c(t + (dims - 1) lag)]`, `lag` in recorded rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DelayEmbedding {
    /// The observed coordinate (0-based).
    pub coord: usize,
    pub dims: usize,
    pub lag: usize,
}

/// How a recorded trajectory becomes training and held-out data.
#[derive(Debug, Clone, PartialEq)]
pub struct PipelineOptions {
    /// Fraction of rows, taken from the end of the record, held out (0 keeps all).
    pub heldout: f64,
    pub embed: Option<DelayEmbedding>,
    /// Standard deviation of Gaussian noise added to every observed value.
    pub obs_noise: f64,
    pub seed: u64,
}

impl Default for PipelineOptions {
    fn default() -> Self {
        Self {
            heldout: 0.0,
            embed: None,
            obs_noise: 0.0,
            seed: 0,
        }
    }
}

impl Dataset {
    /// The delay embedding of one column.
    pub fn delay_embed(&self, e: DelayEmbedding) -> Result<Dataset, Error> {
        if e.coord >= self.dim {
            return Err(Error::invalid(format!(
                "embedding coordinate {} does not exist; the data have {} columns (0-based)",
                e.coord, self.dim
            )));
        }
        if e.dims < 1 || e.lag < 1 {
            return Err(Error::invalid(
                "delay embedding needs at least 1 dimension and a lag of at least 1",
            ));
        }
        let span = (e.dims - 1) * e.lag;
        if self.len() <= span + 1 {
            return Err(Error::invalid(format!(
                "{} rows are too few for an embedding spanning {span} rows",
                self.len()
            )));
        }
        let n = self.len() - span;
        let mut rows = Vec::with_capacity(n * e.dims);
        for i in 0..n {
            for k in 0..e.dims {
                rows.push(self.row(i + k * e.lag)[e.coord]);
            }
        }
        let base = self.names[e.coord].clone();
        Ok(Dataset {
            dim: e.dims,
            names: (0..e.dims)
                .map(|k| {
                    if k == 0 {
                        base.clone()
                    } else {
                        format!("{base}(t+{})", k * e.lag)
                    }
                })
                .collect(),
            rows,
        })
    }

    /// Adds independent Gaussian noise of standard deviation `sigma`.
    pub fn with_observation_noise(&self, sigma: f64, seed: u64) -> Result<Dataset, Error> {
        if !(sigma.is_finite() && sigma >= 0.0) {
            return Err(Error::invalid(format!(
                "observation noise must be a non-negative number, got {sigma}"
            )));
        }
        let mut out = self.clone();
        if sigma > 0.0 {
            let mut rng = crate::rng::Rng64::new(seed ^ 0x0b5e);
            for v in out.rows.iter_mut() {
                *v += sigma * crate::rng::normal(&mut rng);
            }
        }
        Ok(out)
    }
}

/// Observation noise, then the delay embedding, then the held-out split (the
/// last `heldout` fraction of rows, so held-out data lie later in time).
pub fn prepare(data: &Dataset, opts: &PipelineOptions) -> Result<(Dataset, Dataset), Error> {
    if !(0.0..1.0).contains(&opts.heldout) {
        return Err(Error::invalid(format!(
            "held-out fraction must be in [0, 1), got {}",
            opts.heldout
        )));
    }
    let noisy = data.with_observation_noise(opts.obs_noise, opts.seed)?;
    let embedded = match opts.embed {
        Some(e) => noisy.delay_embed(e)?,
        None => noisy,
    };
    let n_train = ((1.0 - opts.heldout) * embedded.len() as f64).round() as usize;
    Ok(embedded.split_at(n_train))
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
    fn delay_embedding_shifts_one_column() {
        let data = Dataset::new(2, (0..20).map(f64::from).collect()).unwrap();
        let e = DelayEmbedding {
            coord: 1,
            dims: 3,
            lag: 2,
        };
        let emb = data.delay_embed(e).unwrap();
        // Column 1 is 1, 3, 5, ...: row i is [x(i), x(i+2), x(i+4)].
        assert_eq!(emb.len(), 10 - 4);
        assert_eq!(emb.row(0), &[1.0, 5.0, 9.0]);
        assert_eq!(emb.row(5), &[11.0, 15.0, 19.0]);
        assert!(data.delay_embed(DelayEmbedding { coord: 2, ..e }).is_err());
        assert!(data.delay_embed(DelayEmbedding { lag: 9, ..e }).is_err());
    }

    #[test]
    fn prepare_holds_out_the_end_and_adds_noise_of_the_asked_size() {
        let data = Dataset::new(1, vec![0.0; 20_000]).unwrap();
        let opts = PipelineOptions {
            heldout: 0.25,
            obs_noise: 0.5,
            ..Default::default()
        };
        let (train, held) = prepare(&data, &opts).unwrap();
        assert_eq!((train.len(), held.len()), (15_000, 5_000));
        let var = train.rows.iter().map(|v| v * v).sum::<f64>() / 15_000.0;
        // Sample variance of 15000 N(0, 0.25) values: standard error 0.0029.
        assert!((var - 0.25).abs() < 0.015, "{var}");
        assert!(
            prepare(
                &data,
                &PipelineOptions {
                    heldout: 1.0,
                    ..Default::default()
                }
            )
            .is_err()
        );
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
