//! `scoredyn response-compare`: the errors of one response against another (the truth).

use crate::common::{print_json, read_text};
use clap::Args;
use scoredyn::Error;
use scoredyn::response::{self, Response};
use serde::Deserialize;

/// Relative L2 and L-infinity errors of response A against response B (the truth), over
/// all lags and per lag, on the kicked columns both have; prints JSON
#[derive(Args)]
pub struct ResponseCompare {
    /// A `scoredyn response` JSON file
    #[arg(value_name = "A.json")]
    a: String,
    /// The truth: another `scoredyn response` JSON file
    #[arg(value_name = "B.json")]
    b: String,
}

#[derive(Deserialize)]
struct File {
    estimator: String,
    dim: usize,
    tau: Vec<f64>,
    #[serde(rename = "R")]
    r: Vec<Vec<Vec<Option<f64>>>>,
}

fn read(path: &str) -> Result<(String, Response), Error> {
    let f: File = serde_json::from_str(&read_text(path)?)
        .map_err(|e| Error::invalid(format!("{path}: not a response file ({e})")))?;
    let d = f.dim;
    if d == 0
        || f.r.len() != f.tau.len()
        || f.r
            .iter()
            .any(|m| m.len() != d || m.iter().any(|row| row.len() != d))
    {
        return Err(Error::invalid(format!(
            "{path}: R is not {} matrices of {d} x {d}",
            f.tau.len()
        )));
    }
    let r =
        f.r.iter()
            .map(|m| m.iter().flatten().map(|v| v.unwrap_or(f64::NAN)).collect())
            .collect();
    Ok((
        f.estimator.clone(),
        Response {
            estimator: "file",
            dim: d,
            tau: f.tau,
            r,
            stderr: None,
        },
    ))
}

#[derive(serde::Serialize)]
struct Report {
    estimator: String,
    truth: String,
    #[serde(flatten)]
    comparison: response::Comparison,
}

impl ResponseCompare {
    pub fn run(self) -> Result<(), Error> {
        let (ea, a) = read(&self.a)?;
        let (eb, b) = read(&self.b)?;
        let comparison = response::compare(&a, &b)
            .map_err(|e| Error::invalid(format!("{} vs {}: {e}", self.a, self.b)))?;
        print_json(&Report {
            estimator: ea,
            truth: eb,
            comparison,
        });
        Ok(())
    }
}
