//! `scoredyn report`: the tables and figures of any number of sweep results files.

use crate::common::{print_json, read_text};
use crate::sweep::report;
use clap::Args;
use scoredyn::Error;

/// Merge sweep results (JSONL, any number of files or shards) into DIR/README.md with
/// SVG figures: objective/SDE x sampler, quality against noise and training-set size,
/// the probability-flow ODE against the SDE on the same model, the hardest systems with
/// their invariants, and the failures; and DIR/cells.json, the table the study page
/// (www/study.html) shows
#[derive(Args)]
pub struct Report {
    /// Results files written by `scoredyn sweep` (shards in any order)
    #[arg(value_name = "RESULTS.jsonl", required = true)]
    results: Vec<String>,
    /// The report's folder (created if missing)
    #[arg(long, value_name = "DIR")]
    out: String,
    /// Markdown put at the top of README.md in place of its title (the study's title
    /// and findings, written by hand; the tables below stay generated)
    #[arg(long, value_name = "FILE.md")]
    preface: Option<String>,
}

impl Report {
    pub fn run(self) -> Result<(), Error> {
        let dir = std::path::Path::new(&self.out);
        if dir.is_file() {
            return Err(Error::invalid(format!(
                "--out {} is a file; give a folder",
                self.out
            )));
        }
        let (lines, notes) = report::load(&self.results, read_text)?;
        for n in &notes {
            eprintln!("note: {n}");
        }
        let preface = self.preface.as_deref().map(read_text).transpose()?;
        let files = report::write(&lines, &notes, &self.results, preface.as_deref(), dir)?;
        print_json(&serde_json::json!({
            "cells": lines.len(),
            "ok": lines.iter().filter(|v| v["status"] == "ok").count(),
            "out": self.out,
            "files": files,
        }));
        Ok(())
    }
}
