//! Memory over long work, natively: the resident set size over a 20,000-step training
//! run and over 200 sampling calls in one process must level off. Unbounded growth
//! fails: the second half's growth must be a small part of the first's (which holds the
//! warm-up), plus one allocator megabyte. One test, so that nothing else runs in
//! this process meanwhile.
#![cfg(target_os = "linux")]

use scoredyn::dataset::Dataset;
use scoredyn::dynamics::{SimulateOptions, System, simulate};
use scoredyn::score::{Backend, SampleConfig, Session, TrainSpec};

/// Resident set size in bytes (`/proc/self/statm`, in pages).
fn rss() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

const MB: f64 = (1 << 20) as f64;

fn assert_levels(what: &str, first: u64, mid: u64, last: u64) {
    let grew_first = mid.saturating_sub(first) as f64;
    let grew_second = last as f64 - mid as f64;
    assert!(
        grew_second <= 0.25 * grew_first + MB,
        "{what} keeps growing: +{:.1} MB in the first half, +{:.1} MB in the second",
        grew_first / MB,
        grew_second / MB
    );
}

#[test]
fn resident_memory_levels_off_over_long_training_and_many_sampling_calls() {
    let start = rss();
    let system = System::new("Lorenz").unwrap();
    let traj = simulate(
        &system,
        &SimulateOptions {
            t_end: Some(200.0),
            ..Default::default()
        },
    )
    .unwrap();
    let data = Dataset::from_trajectory(&traj);
    let device = Backend::DEFAULT_CPU.device().unwrap();
    // The default network and batch; 20,000 steps.
    let spec = TrainSpec {
        steps: 20_000,
        ..TrainSpec::default()
    };
    let mut session = Session::new(&data, "Lorenz", &spec, "flex", &device).unwrap();
    let mut readings = vec![];
    let t0 = std::time::Instant::now();
    session
        .train_blocking(500, |step, _| readings.push((step, rss())))
        .unwrap();
    let train_seconds = t0.elapsed().as_secs_f64();
    let at = |s: usize| {
        readings
            .iter()
            .min_by_key(|(k, _)| k.abs_diff(s))
            .unwrap()
            .1
    };
    let (q1, q2, q3) = (at(2_000), at(11_000), at(20_000));
    assert_levels("RSS over training", q1, q2, q3);

    let file = session.model_file().unwrap();
    let config = SampleConfig {
        n: 500,
        steps: 10,
        ..SampleConfig::default()
    };
    let mut after = vec![];
    let t1 = std::time::Instant::now();
    for seed in 0..200 {
        let mut sampler = file
            .sampler(
                SampleConfig {
                    seed,
                    ..config.clone()
                },
                &device,
            )
            .unwrap();
        while !sampler.advance(10).unwrap() {}
        let z = scoredyn::score::backend::read_f32(sampler.state()).unwrap();
        assert!(z.iter().all(|v| v.is_finite()));
        after.push(rss());
    }
    let sample_seconds = t1.elapsed().as_secs_f64();
    assert_levels("RSS over sampling calls", after[9], after[104], after[199]);
    println!(
        "RSS: {:.1} MB at start; training 20,000 steps ({train_seconds:.0} s): {:.1} MB at step 2,000, \
         {:.1} at 11,000, {:.1} at 20,000; 200 sampling calls of 500 samples ({sample_seconds:.0} s): \
         {:.1} MB after 10, {:.1} after 105, {:.1} after 200",
        start as f64 / MB,
        q1 as f64 / MB,
        q2 as f64 / MB,
        q3 as f64 / MB,
        after[9] as f64 / MB,
        after[104] as f64 / MB,
        after[199] as f64 / MB,
    );
}
