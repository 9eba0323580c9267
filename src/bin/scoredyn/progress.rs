//! Progress on stderr: an indicatif bar on a terminal; in a log, a line per 10% of
//! training (a sweep writes a line per cell).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// A progress bar on stderr with this template, when stderr is a terminal.
pub fn terminal_bar(total: usize, template: &str) -> Option<ProgressBar> {
    std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(template)
                .expect("a valid template")
                .progress_chars("#>-"),
        );
        bar
    })
}

pub struct Progress {
    bar: Option<ProgressBar>,
    total: usize,
    start: std::time::Instant,
    last_decile: usize,
}

impl Progress {
    pub fn new(total: usize) -> Self {
        let bar = terminal_bar(
            total,
            "[{bar:30}] {pos}/{len} loss {msg} {per_sec:.0} ETA {eta}",
        );
        Self {
            bar,
            total,
            start: std::time::Instant::now(),
            last_decile: 0,
        }
    }

    pub fn update(&mut self, done: usize, loss: f32) {
        if let Some(bar) = &self.bar {
            bar.set_message(format!("{loss:.4}"));
            bar.set_position(done as u64);
            if done >= self.total {
                bar.finish();
            }
            return;
        }
        let frac = done as f64 / self.total.max(1) as f64;
        let decile = (frac * 10.0).floor() as usize;
        if decile > self.last_decile || done >= self.total {
            self.last_decile = decile;
            let rate = done as f64 / self.start.elapsed().as_secs_f64().max(1e-9);
            eprintln!("{done}/{} loss {loss:.4} {rate:.0} steps/s", self.total);
        }
    }
}
