//! The score-model layer against analytic truths (Gaussian data, whose perturbed
//! score is known in closed form) and against its own training.
#![cfg(not(target_arch = "wasm32"))]

use burn::prelude::*;
use scoredyn::dataset::{Dataset, Standardizer};
use scoredyn::dynamics::{SimulateOptions, System, simulate};
use scoredyn::metrics;
use scoredyn::rng::{Rng64, normal};
use scoredyn::score::checkpoint::TrainSummary;
use scoredyn::score::exact::GaussianMixture;
use scoredyn::score::train::train_blocking;
use scoredyn::score::{
    Backend, ModelFile, NetConfig, SampleConfig, Sampler, SamplerKind, Sde, TrainConfig, Trainer,
};

fn cpu() -> Device {
    Backend::DEFAULT_CPU.device().unwrap()
}

fn read(t: Tensor<2>) -> Vec<f32> {
    t.into_data().try_into_vec::<f32>().unwrap()
}

/// Exact score of N(0, c^2 I) data perturbed by the SDE: -x / (m^2 c^2 + s^2).
fn gaussian(c: f64, dim: usize, sde: Sde) -> GaussianMixture {
    GaussianMixture {
        dim,
        weights: vec![1.0],
        means: vec![0.0; dim],
        stds: vec![c],
        sde,
    }
}

fn std_of(v: &[f32], dim: usize, k: usize) -> f64 {
    let xs: Vec<f64> = v.iter().skip(k).step_by(dim).map(|x| *x as f64).collect();
    let mean = xs.iter().sum::<f64>() / xs.len() as f64;
    (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / xs.len() as f64).sqrt()
}

#[test]
fn probability_flow_ode_with_the_exact_score_reproduces_a_gaussian() {
    let device = cpu();
    let sde = Sde::default();
    let c = 0.3;
    for (method, steps, stages) in [
        (SamplerKind::parse("ode-rk4").unwrap(), 50, 4),
        (SamplerKind::parse("ode-heun").unwrap(), 100, 2),
        (SamplerKind::parse("ode-euler").unwrap(), 1000, 1),
    ] {
        let config = SampleConfig {
            n: 20_000,
            steps,
            sampler: method,
            seed: 4,
            ..Default::default()
        };
        let mut sampler = Sampler::new(gaussian(c, 2, sde), sde, 2, config, &device).unwrap();
        assert!(sampler.advance(steps).unwrap());
        assert_eq!(sampler.nfe(), steps * stages);
        let x = read(sampler.state());
        for k in 0..2 {
            // Exact flow maps N(0, 1) to N(0, c^2 + s(eps)^2 ...): the eps = 1e-3 end
            // leaves std sqrt(m^2 c^2 + s^2); sampling error of a std is 0.5%.
            let (m, s) = sde.marginal(1e-3);
            let want = (m * m * c * c + s * s).sqrt();
            let got = std_of(&x, 2, k);
            let tol = if method == SamplerKind::parse("ode-euler").unwrap() {
                0.03
            } else {
                0.015
            };
            assert!(
                (got - want).abs() < tol * want,
                "{method:?}: std {got} vs {want}"
            );
        }
    }
}

/// Thin data: a direction of std 0.01 (as attractors have) must come out right with
/// RK4 at the page's 25 steps and at 100 (on the old uniform time grid it was 76% and
/// 5.6% off), and with Heun and Euler at their default steps. The exact flow maps the
/// prior to N(0, m(eps)^2 c^2 + s(eps)^2).
#[test]
fn fixed_step_odes_resolve_a_thin_direction() {
    let device = cpu();
    for name in ["vp", "subvp"] {
        let sde = Sde::parse(name).unwrap();
        let c = 0.01;
        let (m, s) = sde.marginal(1e-3);
        let want = (m * m * c * c + s * s).sqrt();
        for (kind, steps, tol) in [
            ("ode-rk4", 25, 0.02),
            ("ode-rk4", 100, 0.015),
            // Sub-VP's noise ratio falls to 1e-4 at eps, so EDM's schedule spends
            // Heun's steps below the data's scale there: 7% off at 50 steps.
            ("ode-heun", 50, 0.08),
            ("ode-euler", 1000, 0.03),
        ] {
            let config = SampleConfig {
                n: 20_000,
                steps,
                sampler: SamplerKind::parse(kind).unwrap(),
                seed: 4,
                ..Default::default()
            };
            let mut sampler = Sampler::new(gaussian(c, 1, sde), sde, 1, config, &device).unwrap();
            while !sampler.advance(steps).unwrap() {}
            let got = std_of(&read(sampler.state()), 1, 0);
            println!(
                "{name} {kind} {steps}: std {got:.5} vs {want:.5} ({:+.1}%)",
                100.0 * (got / want - 1.0)
            );
            assert!(
                (got - want).abs() < tol * want,
                "{name} {kind} {steps} steps: std {got} vs {want}"
            );
        }
    }
}

fn lorenz(t_end: f64, seed: u64) -> Dataset {
    let sys = System::new("Lorenz").unwrap();
    let opts = SimulateOptions {
        t_end: Some(t_end),
        seed: Some(seed),
        ..Default::default()
    };
    Dataset::from_trajectory(&simulate(&sys, &opts).unwrap())
}

fn small_net(dim: usize) -> NetConfig {
    NetConfig {
        width: 64,
        depth: 2,
        ..NetConfig::new(dim)
    }
}

fn samples_of(
    net: &scoredyn::score::ScoreNet,
    s: &Standardizer,
    n: usize,
    device: &Device,
) -> Dataset {
    let config = SampleConfig {
        n,
        steps: 30,
        ..Default::default()
    };
    let mut sampler = Sampler::new(net.clone(), Sde::default(), 3, config, device).unwrap();
    sampler.advance(30).unwrap();
    s.inverse(&read(sampler.state()))
}

#[test]
fn training_lowers_the_loss_and_its_samples_beat_the_untrained_model() {
    let device = cpu();
    let data = lorenz(500.0, 1);
    let held_out = lorenz(500.0, 2);
    let s = Standardizer::fit(&data).unwrap();
    let config = TrainConfig {
        steps: 1500,
        seed: 3,
        ..Default::default()
    };
    let net = small_net(3);
    let mut trainer = Trainer::new(
        s.forward(&data),
        net.clone(),
        Sde::default(),
        config,
        &device,
    )
    .unwrap();
    let untrained = trainer.ema().as_mlp().unwrap().clone();
    train_blocking(&mut trainer, 100, |_, _| {}).unwrap();
    let losses = trainer.losses();
    assert_eq!(losses.len(), 15);
    let first = losses[0].1;
    let last = losses[losses.len() - 1].1;
    assert!(last < 0.6 * first, "loss went from {first} to {last}");

    let before = metrics::evaluate(&samples_of(&untrained, &s, 2000, &device), &held_out).unwrap();
    let after = metrics::evaluate(
        &samples_of(trainer.ema().as_mlp().unwrap(), &s, 2000, &device),
        &held_out,
    )
    .unwrap();
    assert!(
        after.swd < 0.3 * before.swd,
        "swd {} -> {}",
        before.swd,
        after.swd
    );
    assert!(
        after.swd < 5.0 * after.swd_floor,
        "swd {} floor {}",
        after.swd,
        after.swd_floor
    );
}

#[test]
fn a_diverging_run_stops_with_a_message_and_keeps_the_last_good_weights() {
    let device = cpu();
    let data = lorenz(100.0, 1);
    let s = Standardizer::fit(&data).unwrap();
    let config = TrainConfig {
        steps: 40,
        ..Default::default()
    };
    let mut trainer = Trainer::new(
        s.forward(&data),
        small_net(3),
        Sde::default(),
        config,
        &device,
    )
    .unwrap();
    let (sum, n) = trainer.run(20);
    trainer.commit(sum.into_scalar::<f32>() / n as f32).unwrap();
    let good = trainer.ema().to_values(&small_net(3)).unwrap();
    let _ = trainer.run(20);
    let err = trainer.commit(f32::NAN).unwrap_err();
    assert_eq!(err.kind, scoredyn::ErrorKind::Diverged);
    assert!(err.message.contains("kept the weights of step 20"), "{err}");
    assert_eq!(trainer.step(), 20);
    assert_eq!(trainer.ema().to_values(&small_net(3)).unwrap(), good);
}

#[test]
fn model_files_round_trip_and_reject_bad_files() {
    let device = cpu();
    let net_cfg = small_net(3);
    let net = net_cfg.init(&device).unwrap();
    let data = lorenz(50.0, 1);
    let s = Standardizer::fit(&data).unwrap();
    let file = ModelFile::new(
        net_cfg.clone(),
        Sde::default(),
        TrainConfig::default(),
        s,
        data.names.clone(),
        TrainSummary::default(),
        net.to_values(&net_cfg).unwrap(),
    );
    let json = file.to_json();
    let back = ModelFile::from_json(&json).unwrap();
    assert_eq!(back, file);
    let x = Tensor::<2>::from_data(
        TensorData::new(vec![0.1f32, -0.2, 0.3, 1.0, 2.0, -1.0], [2, 3]),
        &device,
    );
    let t = Tensor::<2>::from_data(TensorData::new(vec![0.5f32, 0.01], [2, 1]), &device);
    let a = read(net.forward(x.clone(), t.clone()));
    let b = read(back.build_net(&device).unwrap().forward(x, t));
    assert_eq!(a, b);

    let wrong_version = json.replacen("\"version\":1", "\"version\":99", 1);
    assert!(
        ModelFile::from_json(&wrong_version)
            .unwrap_err()
            .message
            .contains("version 99")
    );
    let wrong_shape = json.replacen("\"width\":64", "\"width\":32", 1);
    assert!(
        ModelFile::from_json(&wrong_shape)
            .unwrap_err()
            .message
            .contains("do not match")
    );
    assert!(
        ModelFile::from_json("{}")
            .unwrap_err()
            .message
            .contains("not a scoredyn model")
    );
    assert!(ModelFile::from_json("not json").is_err());
}

#[test]
fn flex_and_ndarray_compute_the_same_network() {
    let cfg = NetConfig::new(3);
    let mut outs = Vec::new();
    for b in [Backend::Flex, Backend::NdArray] {
        let device = b.device().unwrap();
        let net = cfg.init(&device).unwrap();
        let mut rng = Rng64::new(5);
        let x: Vec<f32> = (0..64 * 3).map(|_| normal(&mut rng) as f32).collect();
        let t: Vec<f32> = (0..64).map(|_| rng.uniform() as f32).collect();
        let x = Tensor::<2>::from_data(TensorData::new(x, [64, 3]), &device);
        let t = Tensor::<2>::from_data(TensorData::new(t, [64, 1]), &device);
        outs.push(read(net.forward(x, t)));
    }
    let max = outs[0]
        .iter()
        .zip(&outs[1])
        .map(|(a, b)| (a - b).abs())
        .fold(0f32, f32::max);
    assert!(max < 1e-4, "max difference {max}");
}

/// The vector-field slice converts the standardized score back to data units: for data
/// N(mu, diag(sd^2)), standardized to N(0, I), the perturbed score in data units is
/// -(x - mu) / (sd^2 (m^2 + s^2)) on the slice and zero off it (those coordinates sit at
/// the mean).
#[test]
fn the_vector_field_slice_is_the_score_in_data_units() {
    use scoredyn::score::field::{Slice, assemble, evaluate};
    let device = cpu();
    let sde = Sde::parse("vp").unwrap();
    let mu = [1.0, -2.0, 5.0];
    let sd = [2.0, 0.5, 3.0];
    let standardizer = Standardizer {
        mean: mu.to_vec(),
        std: sd.to_vec(),
    };
    let exact = gaussian(1.0, 3, sde);
    for t in [0.05, 0.5, 1.0] {
        let slice = Slice {
            axes: [2, 0],
            t,
            grid: 5,
            lo: [-1.0, -3.0],
            hi: [11.0, 5.0],
        };
        let values = read(evaluate(&exact, &sde, false, &standardizer, &slice, &device).unwrap());
        let out = assemble(&slice, 3, &values);
        assert_eq!(out.len(), 25 * 4);
        let (m, s) = sde.marginal(t);
        let v = m * m + s * s;
        for p in out.chunks(4) {
            let (x, y) = (p[0] as f64, p[1] as f64);
            assert!((-1.0..=11.0).contains(&x) && (-3.0..=5.0).contains(&y));
            let want_u = -(x - mu[2]) / (sd[2] * sd[2] * v);
            let want_v = -(y - mu[0]) / (sd[0] * sd[0] * v);
            assert!(
                (p[2] as f64 - want_u).abs() < 1e-4 * (1.0 + want_u.abs()),
                "t={t} {p:?}"
            );
            assert!(
                (p[3] as f64 - want_v).abs() < 1e-4 * (1.0 + want_v.abs()),
                "t={t} {p:?}"
            );
        }
        // The coordinate off the slice is at its mean, where the score vanishes.
        assert!(values.chunks(3).all(|r| r[1].abs() < 1e-5));
    }
    let bad = Slice {
        axes: [0, 0],
        t: 0.5,
        grid: 5,
        lo: [0.0, 0.0],
        hi: [1.0, 1.0],
    };
    let e = evaluate(&exact, &sde, false, &standardizer, &bad, &device).unwrap_err();
    assert!(
        e.message.contains("two different coordinates"),
        "{}",
        e.message
    );
}

/// Relative L2 distance |a - b| / |b|.
fn rel_dist(a: &[f32], b: &[f32]) -> f64 {
    assert_eq!(a.len(), b.len());
    let num: f64 = a.iter().zip(b).map(|(x, y)| ((x - y) as f64).powi(2)).sum();
    let den: f64 = b.iter().map(|y| (*y as f64).powi(2)).sum();
    (num / den.max(1e-300)).sqrt()
}

#[test]
fn the_host_step_has_burns_loss_and_gradients_for_every_objective_it_runs() {
    use scoredyn::score::ScoreNet;
    use scoredyn::score::host_mlp::HostMlp;
    use scoredyn::score::losses::{Objective, draw_batch, loss};
    let ad = cpu().autodiff();
    let data = lorenz(50.0, 1);
    let rows = Standardizer::fit(&data).unwrap().forward(&data);
    let config = NetConfig {
        width: 48,
        depth: 3,
        seed: 5,
        ..NetConfig::new(3)
    };
    let values = config.init_values().unwrap();
    for (objective, sde) in [
        (Objective::Dsm, Sde::default()),
        (Objective::Dsm, Sde::parse("ve").unwrap()),
        (Objective::DsmLikelihood, Sde::default()),
        (Objective::Ncsn, Sde::parse_with("ncsn", 8.0).unwrap()),
        (Objective::FlowMatching, Sde::default()),
        (Objective::Ssm, Sde::default()),
    ] {
        // SSM's Jacobian term is a central difference with step 1e-3 in f32: its
        // cancellation leaves both implementations about 1e-4 apart, relatively.
        let tol = if objective == Objective::Ssm {
            1e-3
        } else {
            1e-5
        };
        let mut rng = Rng64::new(9);
        let batch = draw_batch(objective, &rows, 3, 200, &sde, 1e-5, &mut rng);
        let net = ScoreNet::from_values(&config, &values, &ad).unwrap();
        let reference = loss(objective, |x, t| net.forward(x, t), batch.to_device(&ad));
        let ref_loss = reference.clone().inner().into_scalar::<f32>() as f64;
        let ref_grads = net.param_grads(&reference.backward()).unwrap();
        let mut worst = 0.0f64;
        let mut single = None;
        for threads in [1, 2] {
            let mut host = HostMlp::from_values(&config, &values).unwrap();
            host.set_threads(threads);
            let (l, grads) = host.gradient(&batch, objective);
            // The thread count changes no bit (a sweep's numbers must not depend on --jobs).
            match &single {
                None => single = Some((l, grads.clone())),
                Some(one) => assert!(one.0 == l && one.1 == grads, "1 and 2 threads differ"),
            }
            let what = format!(
                "{} on {}, {threads} thread(s)",
                objective.name(),
                sde.name()
            );
            assert!(
                ((l - ref_loss) / ref_loss).abs() < tol,
                "{what}: loss {l} vs burn {ref_loss}"
            );
            assert_eq!(grads.len(), ref_grads.len());
            for (g, r) in grads.iter().zip(&ref_grads) {
                let d = rel_dist(&g.values, r);
                assert!(d < tol, "{what}: gradient of {} off by {d:.2e}", g.name);
                worst = worst.max(d);
            }
        }
        eprintln!(
            "{} on {}: gradients within {worst:.1e} of burn's",
            objective.name(),
            sde.name()
        );
    }
}

#[test]
fn host_and_burn_trainers_take_the_same_steps() {
    use scoredyn::score::train::Engine;
    let device = cpu();
    let data = lorenz(100.0, 1);
    let rows = Standardizer::fit(&data).unwrap().forward(&data);
    let config = TrainConfig {
        steps: 300,
        seed: 2,
        warmup: 50,
        ..Default::default()
    };
    let run = |engine| {
        let mut t = Trainer::with_engine(
            rows.clone(),
            small_net(3),
            Sde::default(),
            config.clone(),
            &device,
            engine,
        )
        .unwrap();
        train_blocking(&mut t, 100, |_, _| {}).unwrap();
        let values = t.ema().to_values(&small_net(3)).unwrap();
        (t.engine(), t.losses().to_vec(), values)
    };
    let (host_engine, host_losses, host) = run(Engine::Auto);
    let (burn_engine, burn_losses, burn) = run(Engine::Burn);
    assert!(host_engine.starts_with("host"), "{host_engine}");
    assert_eq!(burn_engine, "burn");
    for ((s1, l1), (s2, l2)) in host_losses.iter().zip(&burn_losses) {
        assert_eq!(s1, s2);
        assert!(
            (l1 - l2).abs() < 1e-3 * l2.abs(),
            "step {s1}: loss {l1} vs {l2}"
        );
    }
    // The EMA weights after 300 Adam steps, tensor by tensor: the engines differ by
    // float rounding only (Adam's normalisation amplifies it where a gradient is tiny).
    for (h, b) in host.iter().zip(&burn) {
        let d = rel_dist(&h.values, &b.values);
        assert!(
            d < 1e-3,
            "{}: host and burn EMA weights differ by {d:.2e}",
            h.name
        );
    }
}

#[test]
fn the_host_forward_pass_is_the_networks() {
    use scoredyn::score::ScoreNet;
    use scoredyn::score::host_mlp::HostScore;
    let device = cpu();
    let config = NetConfig {
        width: 40,
        depth: 3,
        seed: 8,
        ..NetConfig::new(4)
    };
    let values = config.init_values().unwrap();
    let net = ScoreNet::from_values(&config, &values, &device).unwrap();
    let mut host = HostScore::from_values(&config, &values).unwrap();
    // More rows than one forward block, so the blocks are stitched too.
    let n = 2500;
    let mut rng = Rng64::new(3);
    let x: Vec<f32> = (0..n * 4).map(|_| 2.0 * normal(&mut rng) as f32).collect();
    let t: Vec<f32> = (0..n).map(|_| rng.uniform() as f32).collect();
    let xt = Tensor::<2>::from_data(TensorData::new(x.clone(), [n, 4]), &device);
    let tt = Tensor::<2>::from_data(TensorData::new(t.clone(), [n, 1]), &device);
    let reference = read(net.forward(xt, tt));
    host.set_threads(1);
    let ours = host.raw_host(&x, &t);
    let d = rel_dist(&ours, &reference);
    assert!(d < 1e-5, "host forward differs from burn's by {d:.2e}");
    host.set_threads(2);
    assert_eq!(host.raw_host(&x, &t), ours, "1 and 2 threads differ");
}
