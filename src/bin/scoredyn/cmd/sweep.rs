//! `scoredyn sweep`: a plan's grid of cells, run in parallel on one machine or as one
//! shard of many (Slurm arrays, GNU parallel), one JSON line per cell.

use crate::common::{check_out, read_text};
use crate::progress::terminal_bar;
use crate::sweep::{cell, plan};
use clap::Args;
use indicatif::ProgressBar;
use rayon::prelude::*;
use scoredyn::Error;
use std::collections::HashSet;
use std::io::Write;
use std::sync::Mutex;
use std::time::Instant;

/// Run a plan's grid of cells (simulate with a held-out trajectory, train, sample,
/// measure), one JSON line per cell
#[derive(Args)]
#[command(after_help = plan_help())]
pub struct Sweep {
    /// The plan (TOML): keys below, each a value or a list (an axis of the grid)
    #[arg(long, value_name = "PLAN.toml")]
    plan: String,
    /// Results, one JSON line per cell, appended as each cell ends
    #[arg(long, value_name = "RESULTS.jsonl")]
    out: String,
    /// Cells run at once, each on one thread
    #[arg(long, value_name = "J", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=256))]
    jobs: u16,
    /// Run only the I-th of N disjoint slices of the grid, 0 <= I < N [default: from
    /// SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT when set, else the whole grid]
    #[arg(long, value_name = "I/N", value_parser = plan::shard)]
    shard: Option<(usize, usize)>,
    /// Skip the cells already in --out (re-running a finished plan does nothing)
    #[arg(long)]
    resume: bool,
    /// Print the cells this run would do (JSON lines) and stop
    #[arg(long = "dry-run")]
    dry_run: bool,
}

fn plan_help() -> String {
    let mut s = String::from("Plan keys (a value, or a list to sweep over):\n");
    for (k, about) in plan::keys() {
        s.push_str(&format!("  {k:<16} {about}\n"));
    }
    s.push_str(
        "\nCell i of the grid belongs to shard i mod N. Each line holds the cell's settings, \
its id, the crate version and git commit, the data, training, sampling, metrics (against the \
held-out trajectory) and likelihood, or status \"failed\" with the stage and the error.",
    );
    s
}

/// The shard from the Slurm array's environment, if this runs in one.
fn slurm_shard() -> Result<Option<(usize, usize)>, Error> {
    let var = |k: &str| std::env::var(k).ok();
    let (Some(id), Some(count)) = (var("SLURM_ARRAY_TASK_ID"), var("SLURM_ARRAY_TASK_COUNT"))
    else {
        return Ok(None);
    };
    let min = var("SLURM_ARRAY_TASK_MIN").unwrap_or_else(|| "0".into());
    let parse = |k: &str, v: &str| {
        v.trim()
            .parse::<usize>()
            .map_err(|_| Error::invalid(format!("{k}={v:?} is not a whole number")))
    };
    let (id, count, min) = (
        parse("SLURM_ARRAY_TASK_ID", &id)?,
        parse("SLURM_ARRAY_TASK_COUNT", &count)?,
        parse("SLURM_ARRAY_TASK_MIN", &min)?,
    );
    let i = id.checked_sub(min).filter(|i| *i < count).ok_or_else(|| {
        Error::invalid(format!(
            "SLURM_ARRAY_TASK_ID {id} is outside the array (min {min}, count {count}): use --array=0-{} or pass --shard",
            count.saturating_sub(1)
        ))
    })?;
    Ok(Some((i, count)))
}

/// The ids already in a results file (unreadable lines are reported and not counted).
fn done_ids(path: &str) -> Result<HashSet<String>, Error> {
    let text = match std::fs::metadata(path) {
        Ok(_) => read_text(path)?,
        Err(_) => return Ok(HashSet::new()),
    };
    let mut ids = HashSet::new();
    for (k, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        match serde_json::from_str::<serde_json::Value>(line)
            .ok()
            .and_then(|v| v["id"].as_str().map(String::from))
        {
            Some(id) => {
                ids.insert(id);
            }
            None => eprintln!(
                "warning: {path} line {}: not a cell's line (an interrupted write?); its cell runs again",
                k + 1
            ),
        }
    }
    Ok(ids)
}

impl Sweep {
    pub fn run(self) -> Result<(), Error> {
        let grid = plan::expand(&read_text(&self.plan)?)
            .map_err(|e| Error::invalid(format!("{}: {}", self.plan, e.message)))?;
        for note in &grid.skipped {
            eprintln!("note: not in the grid: {note}");
        }
        let (shard, of) = match self.shard {
            Some(s) => s,
            None => slurm_shard()?.unwrap_or((0, 1)),
        };
        let mine: Vec<(usize, &plan::Cell)> = grid
            .cells
            .iter()
            .enumerate()
            .filter(|(i, _)| i % of == shard)
            .collect();
        let exists = std::fs::metadata(&self.out).is_ok_and(|m| m.len() > 0);
        if exists && !self.resume && !self.dry_run {
            return Err(Error::invalid(format!(
                "--out {} already holds results: pass --resume to skip its cells, or choose another file",
                self.out
            )));
        }
        let done = if self.resume {
            done_ids(&self.out)?
        } else {
            HashSet::new()
        };
        let todo: Vec<(usize, &plan::Cell)> = mine
            .iter()
            .filter(|(_, c)| !done.contains(&c.id()))
            .copied()
            .collect();
        if self.dry_run {
            for (i, c) in &todo {
                println!(
                    "{}",
                    serde_json::json!({"index": i, "id": c.id(), "cell": c})
                );
            }
            return Ok(());
        }
        check_out("--out", Some(&self.out))?;
        eprintln!(
            "sweep: {} cells in the grid, {} in shard {shard}/{of}, {} already in {}, {} to run on {} thread(s)",
            grid.cells.len(),
            mine.len(),
            mine.len() - todo.len(),
            self.out,
            todo.len(),
            self.jobs
        );
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.out)
            .map_err(|e| Error::io(format!("cannot open --out {}: {e}", self.out)))?;
        // A line cut short by an interrupted run must not swallow the next one.
        let text_len = std::fs::metadata(&self.out).map(|m| m.len()).unwrap_or(0);
        if text_len > 0 && !std::fs::read(&self.out).is_ok_and(|b| b.ends_with(b"\n")) {
            file.write_all(b"\n")
                .map_err(|e| Error::io(format!("cannot write {}: {e}", self.out)))?;
        }
        let file = Mutex::new(file);
        let progress = Progress::new(todo.len());
        let failed = Mutex::new(0usize);
        let write_error: Mutex<Option<String>> = Mutex::new(None);
        let start = Instant::now();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(self.jobs as usize)
            .build()
            .map_err(|e| Error::io(format!("cannot start {} threads: {e}", self.jobs)))?;
        pool.install(|| {
            todo.par_iter().for_each(|(i, c)| {
                if write_error.lock().expect("not poisoned").is_some() {
                    return;
                }
                let line = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    cell::run(c, *i)
                }))
                .unwrap_or_else(|p| {
                    let why = p
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_else(|| "unknown".into());
                    serde_json::json!({
                        "id": c.id(), "index": i, "cell": c, "status": "failed",
                        "stage": "panic", "error": format!("the cell panicked: {why}"),
                        "version": env!("CARGO_PKG_VERSION"), "commit": env!("SCOREDYN_COMMIT"),
                    })
                });
                let ok = line["status"] == "ok";
                if !ok {
                    *failed.lock().expect("not poisoned") += 1;
                }
                // One write per line, appended: a line is whole or absent.
                let text = format!("{line}\n");
                let mut f = file.lock().expect("not poisoned");
                if let Err(e) = f.write_all(text.as_bytes()).and_then(|()| f.flush()) {
                    *write_error.lock().expect("not poisoned") =
                        Some(format!("cannot write {}: {e}", self.out));
                }
                drop(f);
                progress.cell_done(c, &line);
            })
        });
        progress.finish();
        if let Some(e) = write_error.into_inner().expect("not poisoned") {
            return Err(Error::io(e));
        }
        let failed = failed.into_inner().expect("not poisoned");
        crate::common::print_json(&serde_json::json!({
            "grid": grid.cells.len(),
            "shard": format!("{shard}/{of}"),
            "in_shard": mine.len(),
            "already_done": mine.len() - todo.len(),
            "ran": todo.len(),
            "failed": failed,
            "out": self.out,
            "seconds": start.elapsed().as_secs_f64(),
        }));
        Ok(())
    }
}

/// Cells done and the ETA on stderr: a bar on a terminal, a line per cell in a log.
struct Progress {
    bar: Option<ProgressBar>,
    total: usize,
    done: Mutex<usize>,
    start: Instant,
}

impl Progress {
    fn new(total: usize) -> Self {
        let bar = terminal_bar(total, "[{bar:30}] {pos}/{len} cells  {msg}  ETA {eta}");
        Self {
            bar,
            total,
            done: Mutex::new(0),
            start: Instant::now(),
        }
    }

    fn cell_done(&self, c: &plan::Cell, line: &serde_json::Value) {
        let mut done = self.done.lock().expect("not poisoned");
        *done += 1;
        let what = if line["status"] == "ok" {
            format!(
                "swd/floor {:.2}",
                line["metrics"]["swd_ratio"].as_f64().unwrap_or(f64::NAN)
            )
        } else {
            format!(
                "failed at {}: {}",
                line["stage"].as_str().unwrap_or("?"),
                line["error"].as_str().unwrap_or("?")
            )
        };
        let msg = format!(
            "{} {} {} {}: {what}",
            c.system, c.objective, c.sde, c.sampler
        );
        if let Some(bar) = &self.bar {
            bar.set_message(msg);
            bar.set_position(*done as u64);
            return;
        }
        let elapsed = self.start.elapsed().as_secs_f64();
        let eta = elapsed / *done as f64 * (self.total - *done) as f64;
        eprintln!("[{}/{}] {msg} (ETA {eta:.0} s)", *done, self.total);
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish();
        }
    }
}
