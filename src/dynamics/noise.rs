//! Additive noise `B dW` of a system: its factor `B` (diagonal or lower-triangular) and covariance.

/// Additive noise of a system: `B dW` with `B` diagonal or lower-triangular.
#[derive(Debug, Clone, PartialEq)]
pub enum Noise {
    Diagonal(Vec<f64>),
    /// Row-major `dim x dim` lower-triangular factor.
    Lower(Vec<f64>),
}

impl Noise {
    /// `out = B z`.
    pub fn apply(&self, z: &[f64], out: &mut [f64]) {
        match self {
            Noise::Diagonal(s) => {
                for ((o, s), z) in out.iter_mut().zip(s).zip(z) {
                    *o = s * z;
                }
            }
            Noise::Lower(l) => {
                let d = z.len();
                for i in 0..d {
                    let row = &l[i * d..i * d + i + 1];
                    out[i] = row.iter().zip(&z[..=i]).map(|(a, b)| a * b).sum();
                }
            }
        }
    }

    /// The diffusion matrix `B B^T`, row-major.
    pub fn covariance(&self, dim: usize) -> Vec<f64> {
        let mut c = vec![0.0; dim * dim];
        match self {
            Noise::Diagonal(s) => (0..dim).for_each(|i| c[i * dim + i] = s[i] * s[i]),
            Noise::Lower(l) => {
                for i in 0..dim {
                    for j in 0..dim {
                        c[i * dim + j] = (0..dim).map(|k| l[i * dim + k] * l[j * dim + k]).sum();
                    }
                }
            }
        }
        c
    }
}
