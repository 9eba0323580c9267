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
        "\nCells that differ only in sampler, sampler steps and samples share one trained model; \
cells that share the data (system, noise, span, stride, held-out span, seed) form a group, \
simulated once. Group g belongs to shard g mod N. Each line holds the cell's settings, \
its id and group, the crate version and git commit, the data, training, sampling, metrics (against the \
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
        // Shards are slices of data groups, so that no shard simulates or trains what
        // another one does.
        let groups = plan::data_groups(&grid.cells);
        let mine: Vec<(usize, &Vec<usize>)> = groups
            .iter()
            .enumerate()
            .filter(|(g, _)| g % of == shard)
            .collect();
        let in_shard: usize = mine.iter().map(|(_, g)| g.len()).sum();
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
        // Each group's cells still to run (a group partly done trains again for them).
        let todo: Vec<(usize, Vec<(usize, &plan::Cell)>)> = mine
            .iter()
            .map(|(g, members)| {
                let left = members
                    .iter()
                    .map(|&i| (i, &grid.cells[i]))
                    .filter(|(_, c)| !done.contains(&c.id()))
                    .collect::<Vec<_>>();
                (*g, left)
            })
            .filter(|(_, left)| !left.is_empty())
            .collect();
        let n_todo: usize = todo.iter().map(|(_, l)| l.len()).sum();
        if self.dry_run {
            for (g, left) in &todo {
                for (i, c) in left {
                    println!(
                        "{}",
                        serde_json::json!({"index": i, "group": g, "id": c.id(), "cell": c})
                    );
                }
            }
            return Ok(());
        }
        check_out("--out", Some(&self.out))?;
        eprintln!(
            "sweep: {} cells in the grid ({} data groups), {in_shard} in shard {shard}/{of}, {} already in {}, {n_todo} to run on {} thread(s)",
            grid.cells.len(),
            groups.len(),
            in_shard - n_todo,
            self.out,
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
        let progress = Progress::new(n_todo);
        let failed = Mutex::new(0usize);
        let write_error: Mutex<Option<String>> = Mutex::new(None);
        let start = Instant::now();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(self.jobs as usize)
            .build()
            .map_err(|e| Error::io(format!("cannot start {} threads: {e}", self.jobs)))?;
        // One line per cell, appended as the cell ends: a line is whole or absent.
        let write = |c: &plan::Cell, line: serde_json::Value| {
            if line["status"] != "ok" {
                *failed.lock().expect("not poisoned") += 1;
            }
            let text = format!("{line}\n");
            let mut f = file.lock().expect("not poisoned");
            if let Err(e) = f.write_all(text.as_bytes()).and_then(|()| f.flush()) {
                *write_error.lock().expect("not poisoned") =
                    Some(format!("cannot write {}: {e}", self.out));
            }
            drop(f);
            progress.cell_done(c, &line);
        };
        pool.install(|| {
            todo.par_iter().for_each(|(g, left)| {
                if write_error.lock().expect("not poisoned").is_some() {
                    return;
                }
                let mut written: HashSet<usize> = HashSet::new();
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    cell::run_group(*g, left, &mut |i, line| {
                        written.insert(i);
                        write(&grid.cells[i], line);
                    })
                }));
                if let Err(p) = outcome {
                    let why = p
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_else(|| "unknown".into());
                    for (i, c) in left.iter().filter(|(i, _)| !written.contains(i)) {
                        write(
                            c,
                            cell::failed(c, *i, *g, "panic", &format!("the cell panicked: {why}")),
                        );
                    }
                }
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
            "in_shard": in_shard,
            "already_done": in_shard - n_todo,
            "ran": n_todo,
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
