//! A progress bar on stderr: redrawn in place on a terminal, a line per 10% otherwise.

use std::io::{IsTerminal, Write};
use std::time::Instant;

pub struct Progress {
    total: usize,
    start: Instant,
    tty: bool,
    last_decile: usize,
}

impl Progress {
    pub fn new(total: usize) -> Self {
        Self {
            total,
            start: Instant::now(),
            tty: std::io::stderr().is_terminal(),
            last_decile: 0,
        }
    }

    pub fn update(&mut self, done: usize, loss: f32) {
        let secs = self.start.elapsed().as_secs_f64().max(1e-9);
        let rate = done as f64 / secs;
        let eta = (self.total - done.min(self.total)) as f64 / rate.max(1e-9);
        let frac = done as f64 / self.total.max(1) as f64;
        let width = 30;
        let filled = (frac * width as f64).round() as usize;
        let bar: String = "#".repeat(filled) + &"-".repeat(width - filled.min(width));
        let line = format!(
            "[{bar}] {done}/{} loss {loss:.4} {rate:.0} steps/s ETA {eta:.0}s",
            self.total
        );
        let mut err = std::io::stderr();
        if self.tty {
            let _ = write!(err, "\r{line}\x1b[K");
            if done >= self.total {
                let _ = writeln!(err);
            }
        } else {
            let decile = (frac * 10.0).floor() as usize;
            if decile > self.last_decile || done >= self.total {
                self.last_decile = decile;
                let _ = writeln!(err, "{line}");
            }
        }
        let _ = err.flush();
    }
}
