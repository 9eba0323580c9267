//! Distances between sample sets.

use crate::Error;
use crate::dynamics::Dataset;
use crate::rng::{Rng64, normal};
use serde::Serialize;

/// Number of random directions of the sliced Wasserstein distance.
pub const SWD_PROJECTIONS: usize = 512;
/// Seed of those directions: fixed so that figures are comparable between runs.
pub const SWD_SEED: u64 = 0x5_11ce;

/// Squared 2-Wasserstein distance between two 1D empirical distributions, exactly,
/// by walking their quantile functions (sizes may differ). Sorts its inputs.
pub fn w2_squared_1d(a: &mut [f64], b: &mut [f64]) -> f64 {
    a.sort_unstable_by(f64::total_cmp);
    b.sort_unstable_by(f64::total_cmp);
    let (n, m) = (a.len(), b.len());
    let (mut i, mut j) = (0usize, 0usize);
    let (mut u, mut acc) = (0.0f64, 0.0f64);
    while i < n && j < m {
        let next_a = (i + 1) as f64 / n as f64;
        let next_b = (j + 1) as f64 / m as f64;
        let next = next_a.min(next_b);
        acc += (next - u) * (a[i] - b[j]).powi(2);
        u = next;
        if next_a <= next {
            i += 1;
        }
        if next_b <= next {
            j += 1;
        }
    }
    acc
}

/// Sliced Wasserstein-2 distance sqrt(E_theta W2^2(theta.a, theta.b)) over
/// `projections` directions uniform on the sphere, drawn from `seed`.
pub fn sliced_wasserstein(a: &[f64], b: &[f64], dim: usize, projections: usize, seed: u64) -> f64 {
    let mut rng = Rng64::new(seed);
    let (n, m) = (a.len() / dim, b.len() / dim);
    let mut pa = vec![0.0; n];
    let mut pb = vec![0.0; m];
    let mut total = 0.0;
    for _ in 0..projections {
        let mut theta: Vec<f64> = (0..dim).map(|_| normal(&mut rng)).collect();
        let norm = theta.iter().map(|v| v * v).sum::<f64>().sqrt();
        theta.iter_mut().for_each(|v| *v /= norm);
        let project = |rows: &[f64], out: &mut [f64]| {
            for (o, row) in out.iter_mut().zip(rows.chunks_exact(dim)) {
                *o = row.iter().zip(&theta).map(|(x, t)| x * t).sum();
            }
        };
        project(a, &mut pa);
        project(b, &mut pb);
        total += w2_squared_1d(&mut pa, &mut pb);
    }
    (total / projections as f64).sqrt()
}

/// The result of `scoredyn eval`.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    /// SWD between samples and reference, in reference-standardized units.
    pub swd: f64,
    /// SWD between the two halves of the reference: the noise floor.
    pub swd_floor: f64,
    pub swd_ratio: f64,
    pub n_samples: usize,
    pub n_reference: usize,
    pub projections: usize,
    pub units: &'static str,
}

/// Compares samples with a reference set, both standardized by the reference's
/// mean and std so that every coordinate weighs alike.
pub fn evaluate(samples: &Dataset, reference: &Dataset) -> Result<Evaluation, Error> {
    if samples.dim != reference.dim {
        return Err(Error::invalid(format!(
            "samples have {} columns but the reference has {}",
            samples.dim, reference.dim
        )));
    }
    if samples.len() < 2 || reference.len() < 4 {
        return Err(Error::invalid(
            "need at least 2 samples and 4 reference rows",
        ));
    }
    let s = crate::dynamics::Standardizer::fit(reference)?;
    let z = |d: &Dataset| -> Vec<f64> { s.forward(d).into_iter().map(f64::from).collect() };
    let (zs, zr) = (z(samples), z(reference));
    let d = reference.dim;
    let half = reference.len() / 2;
    let swd = sliced_wasserstein(&zs, &zr, d, SWD_PROJECTIONS, SWD_SEED);
    let floor = sliced_wasserstein(
        &zr[..half * d],
        &zr[half * d..],
        d,
        SWD_PROJECTIONS,
        SWD_SEED,
    );
    Ok(Evaluation {
        swd,
        swd_floor: floor,
        swd_ratio: swd / floor,
        n_samples: samples.len(),
        n_reference: reference.len(),
        projections: SWD_PROJECTIONS,
        units: "reference-standardized",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gaussian(n: usize, dim: usize, shift: &[f64], seed: u64) -> Vec<f64> {
        let mut rng = Rng64::new(seed);
        (0..n * dim)
            .map(|k| normal(&mut rng) + shift[k % dim])
            .collect()
    }

    #[test]
    fn w2_1d_of_a_shift_is_the_shift() {
        let mut a = vec![3.0, 1.0, 2.0];
        let mut b = vec![3.5, 1.5, 2.5];
        assert!((w2_squared_1d(&mut a, &mut b) - 0.25).abs() < 1e-15);
        // Unequal sizes: {0, 1} vs {0, 0.5, 1}: gap 0.5 on [1/3, 1/2) and on [1/2, 2/3): 1/12.
        let mut a = vec![0.0, 1.0];
        let mut b = vec![0.0, 0.5, 1.0];
        assert!((w2_squared_1d(&mut a, &mut b) - 0.25 / 6.0 - 0.25 / 6.0).abs() < 1e-15);
    }

    #[test]
    fn swd_of_a_set_with_itself_is_zero() {
        let a = gaussian(1000, 3, &[0.0; 3], 1);
        assert_eq!(sliced_wasserstein(&a, &a, 3, 64, 9), 0.0);
    }

    /// For x and x + m, W2 along theta is |theta . m|, so SW2^2 = E (theta . m)^2 = |m|^2 / d.
    #[test]
    fn swd_of_a_shifted_copy_matches_the_analytic_value() {
        let m = [1.0, -2.0, 0.5];
        let a = gaussian(2000, 3, &[0.0; 3], 2);
        let b: Vec<f64> = a.iter().enumerate().map(|(k, v)| v + m[k % 3]).collect();
        let exact = (m.iter().map(|v| v * v).sum::<f64>() / 3.0).sqrt();
        let got = sliced_wasserstein(&a, &b, 3, 4000, 5);
        // Monte Carlo over directions: relative error ~ sqrt(Var((theta.m)^2)) / (2 sqrt(L) E) < 2%.
        assert!((got - exact).abs() < 0.03 * exact, "{got} vs {exact}");
    }

    /// Two independent Gaussian samples differing by a shift m: the SWD approaches
    /// |m| / sqrt(d) as the samples grow (finite-sample noise adds in quadrature).
    #[test]
    fn swd_of_two_shifted_gaussians_matches_the_analytic_value() {
        let m = [2.0, 0.0, 0.0, 0.0];
        let a = gaussian(40_000, 4, &[0.0; 4], 3);
        let b = gaussian(40_000, 4, &m, 4);
        let exact = 2.0 / 4f64.sqrt();
        let got = sliced_wasserstein(&a, &b, 4, 500, 6);
        assert!((got - exact).abs() < 0.05 * exact, "{got} vs {exact}");
    }

    #[test]
    fn evaluate_reports_a_floor_and_rejects_mismatched_columns() {
        let r = Dataset::new(2, gaussian(4000, 2, &[0.0; 2], 7)).unwrap();
        let s = Dataset::new(2, gaussian(2000, 2, &[0.0; 2], 8)).unwrap();
        let e = evaluate(&s, &r).unwrap();
        assert!(e.swd_floor > 0.0 && e.swd_floor < 0.1, "{e:?}");
        assert!(e.swd < 3.0 * e.swd_floor, "{e:?}");
        let far = Dataset::new(2, gaussian(2000, 2, &[3.0, 0.0], 8)).unwrap();
        assert!(evaluate(&far, &r).unwrap().swd > 20.0 * e.swd_floor);
        let wrong = Dataset::new(3, gaussian(10, 3, &[0.0; 3], 8)).unwrap();
        assert!(evaluate(&wrong, &r).is_err());
    }
}
