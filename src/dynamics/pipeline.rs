//! From a trajectory to training and held-out data: observation noise, delay embedding, held-out split.

use super::simulation::Trajectory;
use crate::Error;
use crate::dataset::Dataset;

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
    /// The recorded states, one row per time.
    pub fn from_trajectory(traj: &Trajectory) -> Self {
        Self::new(traj.dim, traj.x.clone()).expect("a trajectory has whole rows")
    }

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
        if !(0.0..=crate::dataset::MAX_ABS).contains(&sigma) {
            return Err(Error::invalid(format!(
                "obs-noise (observation noise) must be a number in [0, {:e}], got {sigma}",
                crate::dataset::MAX_ABS
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
            "heldout (the held-out fraction) must be in [0, 1), got {}",
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
}
