//! Simulation throughput: RK4 steps per second on Lorenz-63, Lorenz-96 and the
//! 2-D Allen-Cahn grid; the page's 100k-point Lorenz simulation; and, when
//! `scripts/bench.sh` has timed dysts' own `make_trajectory` on the same
//! horizons (file in `SCOREDYN_DYSTS_TIMINGS`), the ratio to it. Prints
//! figures (medians of 5 runs); asserts nothing.
//! `cargo run --release --example bench_dynamics`.

use scoredyn::dynamics::integrate::rk4_step;
use scoredyn::dynamics::{Method, SimulateOptions, System, simulate};
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Seconds for `steps` RK4 steps of the system's vector field (noise ignored).
fn rk4_seconds(sys: &System, steps: usize, dt: f64) -> f64 {
    let f = |t: f64, x: &[f64], dx: &mut [f64]| sys.rhs(t, x, dx);
    let mut x = sys.initial_condition().to_vec();
    if x.iter().all(|v| *v == 0.0) {
        x.iter_mut()
            .enumerate()
            .for_each(|(i, v)| *v = (i as f64).sin());
    }
    let mut k = vec![0.0; 5 * x.len()];
    let t0 = Instant::now();
    for i in 0..steps {
        rk4_step(&f, i as f64 * dt, &mut x, dt, &mut k);
    }
    std::hint::black_box(&x);
    t0.elapsed().as_secs_f64()
}

fn main() {
    println!("native RK4 (median of 5 runs)");
    for (name, steps) in [
        ("Lorenz", 2_000_000),
        ("Lorenz96", 1_000_000),
        ("AllenCahn2D", 100_000),
    ] {
        let sys = System::new(name).unwrap();
        let dt = if name == "AllenCahn2D" { 0.01 } else { 0.001 };
        let s = median((0..5).map(|_| rk4_seconds(&sys, steps, dt)).collect());
        println!(
            "  {name:<12} dim {:>2}: {:>12.0} steps/s ({:.1} ns/step)",
            sys.dim(),
            steps as f64 / s,
            s / steps as f64 * 1e9
        );
    }
    let lorenz = System::new("Lorenz").unwrap();
    for every in [1usize, 10] {
        let opts = SimulateOptions {
            t_end: Some(100_000.0 * every as f64 * 0.01),
            dt: Some(0.01),
            burn_in: Some(0.0),
            every: Some(every),
            ..Default::default()
        };
        let s = median(
            (0..5)
                .map(|_| {
                    let t0 = Instant::now();
                    std::hint::black_box(simulate(&lorenz, &opts).unwrap());
                    t0.elapsed().as_secs_f64()
                })
                .collect(),
        );
        println!(
            "  simulate 100k Lorenz points, every {every:>2} step(s): {:.1} ms",
            s * 1e3
        );
    }
    let Ok(path) = std::env::var("SCOREDYN_DYSTS_TIMINGS") else {
        println!(
            "(dysts timings not given; scripts/bench.sh measures them when dysts is installed)"
        );
        return;
    };
    let Ok(text) = std::fs::read_to_string(&path) else {
        println!("(cannot read {path})");
        return;
    };
    let timings: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    println!("against dysts make_trajectory on the same horizon (dysts time / ours)");
    for (name, t) in timings.as_object().into_iter().flatten() {
        let (Some(horizon), Some(dysts_s)) = (t["horizon"].as_f64(), t["seconds"].as_f64()) else {
            continue;
        };
        let n = t["n"].as_u64().unwrap_or(1000) as usize;
        let sys = System::new(name).unwrap();
        for (label, method, rtol) in [
            ("rk4, default dt", Method::Rk4, None),
            ("dopri5, rtol 1e-12", Method::Dopri5, Some(1e-12)),
        ] {
            let dt = horizon / n as f64;
            let opts = SimulateOptions {
                t_end: Some(horizon),
                // Our RK4 takes the system's default step; dopri5 adapts and lands on dysts' grid.
                dt: if method == Method::Rk4 {
                    None
                } else {
                    Some(dt)
                },
                every: if method == Method::Rk4 { None } else { Some(1) },
                burn_in: Some(0.0),
                method: Some(method),
                rtol,
                atol: rtol,
                ..Default::default()
            };
            let s = median(
                (0..5)
                    .map(|_| {
                        let t0 = Instant::now();
                        std::hint::black_box(simulate(&sys, &opts).unwrap());
                        t0.elapsed().as_secs_f64()
                    })
                    .collect(),
            );
            println!(
                "  {name:<10} horizon {horizon:>8.2}: dysts {:>8.3} s, ours ({label}) {:>8.4} s: {:>7.0}x",
                dysts_s,
                s,
                dysts_s / s
            );
        }
    }
}
