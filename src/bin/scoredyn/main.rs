//! `scoredyn`: the native command line. Results go to stdout (CSV or JSON), progress
//! and errors to stderr; the exit code is 0 on success, 2 for bad input, 1 otherwise.

mod args;
mod progress;

use args::Args;
use progress::Progress;
use scoredyn::dynamics::invariants::{self, CorrelationOptions, LyapunovOptions};
use scoredyn::dynamics::{
    Dataset, DelayEmbedding, Method, PipelineOptions, SimulateOptions, Standardizer, System,
    prepare, simulate,
};
use scoredyn::score::backend::read_f32;
use scoredyn::score::checkpoint::TrainSummary;
use scoredyn::score::train::train_blocking;
use scoredyn::score::{
    Backend, ModelFile, NetConfig, SampleConfig, Sampler, SamplerKind, Sde, TrainConfig, Trainer,
};
use scoredyn::{Error, ErrorKind, csv, metrics};
use serde_json::json;
use std::time::Instant;

const HELP: &str = "\
scoredyn: score-based generative modeling of dynamical systems

USAGE:
  scoredyn systems [--json]
  scoredyn simulate --system NAME [simulation options] [--out FILE.csv]
  scoredyn invariants (--system NAME [simulation options] | --data FILE.csv)
  scoredyn train (--data FILE.csv | --system NAME [simulation options]) [--sde vp|subvp|ve|ncsn]
                 [--objective dsm|dsm-likelihood|ssm|ncsn|flow-matching] [--sigma-max S] [--steps N]
                 [--batch B] [--width W] [--depth L] [--lr LR] [--ema DECAY] [--seed S]
                 [--heldout FRACTION --heldout-out FILE.csv]
                 [--backend flex|ndarray|wgpu] --out MODEL
  scoredyn sample --model MODEL [--n N] [--sampler NAME] [--steps K] [--seed S] [--eps E]
                  [--snr R --corrector-steps C] [--ald-eps A] [--rtol R --atol A]
                  [--eps-abs A --eps-rel R --ggf-published] [--denoise] [--backend flex|ndarray|wgpu] [--out FILE.csv]
  scoredyn likelihood --model MODEL --data FILE.csv [--rows N] [--steps K]
                      [--divergence exact|rademacher|gaussian] [--probes P] [--seed S]
  scoredyn eval --samples A.csv --reference B.csv

Simulation options:
  --param NAME=VALUE   override a scalar parameter (repeatable)
  --method M           rk4 | dopri5 | em | heun (default dopri5; heun for noisy systems)
  --dt DT --t-end T --burn-in T0 --every K
                       step, recorded span, discarded span, record every K-th step;
                       defaults scale with the system's period P: P/150, 667 P, 6.7 P
                       (one significant digit; Lorenz: 0.01, 1000, 10)
  --rtol R --atol A    dopri5 tolerances (default 1e-8, 1e-10; output every K*DT)
  --noise S[,S...]     add sigma dW to a deterministic flow (one value or one per coordinate)
  --init x,y,...       initial condition (default: the catalog's, perturbed by --seed)
  --seed S             seeds the perturbation and the noise
  --raw                report the integrated state, not dysts' post-processed coordinates
  --obs-noise S        add N(0, S^2) observation noise to every recorded value
  --embed C,M,L        delay-embed coordinate C (0-based) in M dimensions with lag L rows

simulate writes CSV `t,x0,x1,...` (stdout without --out). train, sample, eval, invariants
and systems --json print JSON on stdout (sample without --out: CSV on stdout, JSON on
stderr); train shows progress on stderr. Data CSVs may have a leading `t` column, which is
ignored. Defaults: train --steps 6000 --batch 256 --width 128 --depth 3 --lr 0.002
--ema 0.999; sample --n 4000 --sampler ode (RK4, 100 steps).
Samplers: em, reverse-diffusion, ancestral, pc, ald (default 1000 steps), ode-rk4 (100),
ode-heun (50, EDM schedule), ode-euler (1000), ode-dopri5 and ggf (adaptive).
";

fn main() {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    let Some(cmd) = raw.first().cloned() else {
        eprint!("{HELP}");
        std::process::exit(2);
    };
    if matches!(cmd.as_str(), "-h" | "--help" | "help")
        || raw.iter().any(|a| a == "--help" || a == "-h")
    {
        print!("{HELP}");
        return;
    }
    let result = Args::parse(&raw[1..]).and_then(|mut args| match cmd.as_str() {
        "simulate" => cmd_simulate(&mut args),
        "train" => cmd_train(&mut args),
        "sample" => cmd_sample(&mut args),
        "eval" => cmd_eval(&mut args),
        "systems" => cmd_systems(&mut args),
        "invariants" => cmd_invariants(&mut args),
        "likelihood" => cmd_likelihood(&mut args),
        other => Err(Error::invalid(format!(
            "unknown command '{other}' (see --help)"
        ))),
    });
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(if e.kind == ErrorKind::Invalid { 2 } else { 1 });
    }
}

fn write_out(path: Option<String>, text: &str) -> Result<(), Error> {
    match path {
        Some(p) => {
            std::fs::write(&p, text).map_err(|e| Error::io(format!("cannot write {p}: {e}")))
        }
        None => {
            use std::io::Write;
            std::io::stdout()
                .write_all(text.as_bytes())
                .map_err(|e| Error::io(format!("cannot write to stdout: {e}")))
        }
    }
}

fn read_text(path: &str) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|e| Error::io(format!("cannot read {path}: {e}")))
}

fn read_csv(path: &str) -> Result<Dataset, Error> {
    csv::parse(&read_text(path)?).map_err(|e| Error::invalid(format!("{path}: {e}")))
}

fn numbers(flag: &str, s: &str) -> Result<Vec<f64>, Error> {
    s.split(',')
        .map(|v| {
            v.trim()
                .parse::<f64>()
                .map_err(|_| Error::invalid(format!("--{flag}: '{v}' is not a number")))
        })
        .collect()
}

/// The system and simulation options shared by `simulate`, `invariants` and
/// `train --system`.
fn simulation(args: &mut Args, name: &str) -> Result<(System, SimulateOptions), Error> {
    let mut system = System::new(name)?;
    for p in args.all("param") {
        let (k, v) = p
            .split_once('=')
            .ok_or_else(|| Error::invalid(format!("--param takes NAME=VALUE, got '{p}'")))?;
        let v: f64 = v
            .trim()
            .parse()
            .map_err(|_| Error::invalid(format!("--param {k}: '{v}' is not a number")))?;
        system.set_param(k.trim(), v)?;
    }
    if let Some(s) = args.str("noise") {
        system.set_noise(&numbers("noise", &s)?)?;
    }
    let init = args.str("init").map(|s| numbers("init", &s)).transpose()?;
    let method = args
        .str("method")
        .map(|m| m.parse::<Method>())
        .transpose()?;
    let raw = args.str("raw").is_some();
    let opts = SimulateOptions {
        t_end: args.get("t-end")?,
        dt: args.get("dt")?,
        burn_in: args.get("burn-in")?,
        every: args.get("every")?,
        method,
        rtol: args.get("rtol")?,
        atol: args.get("atol")?,
        init,
        seed: args.get("seed")?,
        raw,
    };
    opts.resolve(&system)?;
    Ok((system, opts))
}

/// Observation noise and delay embedding (`--obs-noise`, `--embed`).
fn pipeline(args: &mut Args) -> Result<PipelineOptions, Error> {
    let embed = match args.str("embed") {
        None => None,
        Some(s) => {
            let v = numbers("embed", &s)?;
            if v.len() != 3 || v.iter().any(|x| x.fract() != 0.0 || *x < 0.0) {
                return Err(Error::invalid(
                    "--embed takes three whole numbers COORD,DIMS,LAG (e.g. 0,3,5)",
                ));
            }
            Some(DelayEmbedding {
                coord: v[0] as usize,
                dims: v[1] as usize,
                lag: v[2] as usize,
            })
        }
    };
    Ok(PipelineOptions {
        heldout: args.get_or("heldout", 0.0)?,
        embed,
        obs_noise: args.get_or("obs-noise", 0.0)?,
        seed: args.get_or("seed", 0)?,
    })
}

fn cmd_simulate(args: &mut Args) -> Result<(), Error> {
    let name = args.required("system")?;
    let (system, opts) = simulation(args, &name)?;
    let pipe = pipeline(args)?;
    let out = args.str("out");
    args.finish()?;
    if pipe.heldout > 0.0 {
        return Err(Error::invalid("--heldout belongs to train"));
    }
    let traj = simulate(&system, &opts)?;
    let (data, _) = prepare(&Dataset::from_trajectory(&traj), &pipe)?;
    write_out(out, &csv::write(&data, Some(&traj.t[..data.len()])))
}

fn backend(args: &mut Args) -> Result<(Backend, burn::tensor::Device), Error> {
    let b = match args.str("backend") {
        Some(name) => Backend::parse(&name)?,
        None => Backend::DEFAULT_CPU,
    };
    Ok((b, b.device()?))
}

fn cmd_train(args: &mut Args) -> Result<(), Error> {
    let out = args.required("out")?;
    let (data, source) = match (args.str("data"), args.str("system")) {
        (Some(_), Some(_)) => {
            return Err(Error::invalid("give either --data or --system, not both"));
        }
        (None, None) => {
            return Err(Error::invalid(
                "train needs --data FILE.csv or --system NAME",
            ));
        }
        (Some(path), None) => (read_csv(&path)?, path),
        (None, Some(name)) => {
            let (system, opts) = simulation(args, &name)?;
            (
                Dataset::from_trajectory(&simulate(&system, &opts)?),
                system.name().to_string(),
            )
        }
    };
    let pipe = pipeline(args)?;
    let heldout_out = args.str("heldout-out");
    let (data, heldout) = prepare(&data, &pipe)?;
    if let Some(path) = &heldout_out {
        if heldout.is_empty() {
            return Err(Error::invalid("--heldout-out needs --heldout FRACTION > 0"));
        }
        write_out(Some(path.clone()), &csv::write(&heldout, None))?;
    }
    let sde_name = args.get_or("sde", "vp".to_string())?;
    let objective =
        scoredyn::score::Objective::parse(&args.get_or("objective", "dsm".to_string())?)?;
    let sigma_max: Option<f64> = args.get("sigma-max")?;
    let dt = TrainConfig::default();
    let config = TrainConfig {
        steps: args.get_or("steps", dt.steps)?,
        batch: args.get_or("batch", dt.batch)?,
        lr: args.get_or("lr", dt.lr)?,
        ema_decay: args.get_or("ema", dt.ema_decay)?,
        seed: args.get_or("seed", dt.seed)?,
        objective,
        ..dt
    };
    let mut net = NetConfig::new(data.dim);
    net.width = args.get_or("width", net.width)?;
    net.depth = args.get_or("depth", net.depth)?;
    net.seed = config.seed;
    let (backend, device) = backend(args)?;
    args.finish()?;

    let standardizer = Standardizer::fit(&data)?;
    let rows = standardizer.forward(&data);
    // VE and NCSN: sigma_max from the (standardized) data unless given.
    let sigma_max =
        sigma_max.unwrap_or_else(|| scoredyn::score::sde::sigma_max_from_data(&rows, data.dim));
    let sde = Sde::parse_with(&sde_name, sigma_max)?;
    let mut trainer = Trainer::new(rows, net.clone(), sde, config.clone(), &device)?;
    let start = Instant::now();
    let mut bar = Progress::new(config.steps);
    let mut last = f32::NAN;
    let outcome = train_blocking(&mut trainer, 100, |step, loss| {
        last = loss;
        bar.update(step, loss);
    });
    let seconds = start.elapsed().as_secs_f64();
    let diverged = outcome
        .as_ref()
        .err()
        .filter(|e| e.kind == ErrorKind::Diverged)
        .cloned();
    if let Err(e) = outcome {
        if diverged.is_none() {
            return Err(e);
        }
        eprintln!("\nwarning: {e}");
    }
    let summary = TrainSummary {
        data_source: source,
        data_rows: data.len(),
        steps: trainer.step(),
        final_loss: last,
        seconds,
        backend: backend.name().into(),
    };
    let params = trainer.ema().to_values(&net)?;
    let file = ModelFile::new(
        net,
        sde,
        config,
        standardizer,
        data.names.clone(),
        summary.clone(),
        params,
    );
    write_out(Some(out.clone()), &file.to_json())?;
    println!(
        "{}",
        json!({
            "model": out,
            "steps": summary.steps,
            "final_loss": summary.final_loss,
            "seconds": seconds,
            "steps_per_second": summary.steps as f64 / seconds,
            "backend": summary.backend,
            "data_rows": summary.data_rows,
            "data_source": summary.data_source,
            "sde": sde,
            "objective": objective.name(),
            "diverged": diverged.map(|e| e.message),
        })
    );
    Ok(())
}

fn cmd_sample(args: &mut Args) -> Result<(), Error> {
    let path = args.required("model")?;
    let d = SampleConfig::default();
    let config = SampleConfig {
        n: args.get_or("n", d.n)?,
        steps: args.get_or("steps", d.steps)?,
        sampler: SamplerKind::parse(&args.get_or("sampler", "ode".to_string())?)?,
        seed: args.get_or("seed", d.seed)?,
        t_eps: args.get_or("eps", d.t_eps)?,
        snr: args.get_or("snr", d.snr)?,
        corrector_steps: args.get_or("corrector-steps", d.corrector_steps)?,
        ald_eps: args.get_or("ald-eps", d.ald_eps)?,
        rtol: args.get_or("rtol", d.rtol)?,
        atol: args.get_or("atol", d.atol)?,
        eps_abs: args.get_or("eps-abs", d.eps_abs)?,
        eps_rel: args.get_or("eps-rel", d.eps_rel)?,
        ggf_published: args.str("ggf-published").is_some(),
        denoise: args.str("denoise").is_some(),
        velocity_model: false,
    };
    let out = args.str("out");
    let (backend, device) = backend(args)?;
    args.finish()?;
    let file = ModelFile::from_json(&read_text(&path)?)
        .map_err(|e| Error::invalid(format!("{path}: {e}")))?;
    let net = file.build_net(&device)?;
    let config = SampleConfig {
        velocity_model: file.train.objective.is_velocity(),
        ..config
    };
    let start = Instant::now();
    let mut sampler = Sampler::new(net, file.sde, file.net.dim, config.clone(), &device)?;
    while !sampler.advance(10)? {}
    let z = read_f32(sampler.state())?;
    let seconds = start.elapsed().as_secs_f64();
    let mut samples = file.standardizer.inverse(&z);
    samples.names = file.columns.clone();
    if samples.rows.iter().any(|v| !v.is_finite()) {
        return Err(Error::diverged("the sampler produced non-finite values"));
    }
    let text = csv::write(&samples, None);
    let to_stdout = out.is_none();
    write_out(out.clone(), &text)?;
    let summary = json!({
            "n": config.n,
            "nfe": sampler.nfe(),
            "seconds": seconds,
            "sampler": config.sampler.name(),
            "steps": sampler.steps_taken(),
            "sde": file.sde.name(),
            "backend": backend.name(),
            "out": out,
    });
    // Without --out the CSV owns stdout and the summary goes to stderr.
    if to_stdout {
        eprintln!("{summary}");
    } else {
        println!("{summary}");
    }
    Ok(())
}

fn cmd_likelihood(args: &mut Args) -> Result<(), Error> {
    use scoredyn::score::likelihood::{Divergence, LikelihoodConfig, log_likelihood};
    let path = args.required("model")?;
    let data_path = args.required("data")?;
    let max_rows: usize = args.get_or("rows", 2000)?;
    let d = LikelihoodConfig::default();
    let config = LikelihoodConfig {
        steps: args.get_or("steps", d.steps)?,
        divergence: Divergence::parse(
            &args.get_or("divergence", "exact".to_string())?,
            args.get_or("probes", 1)?,
        )?,
        seed: args.get_or("seed", d.seed)?,
        ..d
    };
    let (backend, device) = backend(args)?;
    args.finish()?;
    let file = ModelFile::from_json(&read_text(&path)?)
        .map_err(|e| Error::invalid(format!("{path}: {e}")))?;
    if file.train.objective.is_velocity() {
        return Err(Error::invalid(
            "likelihood is computed for score models; this model is a flow-matching velocity",
        ));
    }
    let data = read_csv(&data_path)?;
    if data.dim != file.net.dim {
        return Err(Error::invalid(format!(
            "{data_path} has {} columns but the model was trained on {}",
            data.dim, file.net.dim
        )));
    }
    if max_rows == 0 {
        return Err(Error::invalid("--rows must be at least 1"));
    }
    // Evenly spaced rows, at most --rows of them.
    let stride = data.len().div_ceil(max_rows).max(1);
    let rows: Vec<f64> = (0..data.len())
        .step_by(stride)
        .flat_map(|i| data.row(i).to_vec())
        .collect();
    let subset = Dataset::new(data.dim, rows)?;
    let z = file.standardizer.forward(&subset);
    let n = subset.len();
    let net = file.build_net(&device)?;
    let start = Instant::now();
    let x = burn::tensor::Tensor::<2>::from_data(
        burn::tensor::TensorData::new(z, [n, data.dim]),
        &device,
    );
    let result = log_likelihood(&net, file.sde, x, &config)?;
    // Data units: x = mean + std z, so log p_x = log p_z - sum log std.
    let log_jac: f64 = file.standardizer.std.iter().map(|s| s.ln()).sum();
    let dim = data.dim as f64;
    let nats = result.logp.iter().map(|l| (l - log_jac) / dim).sum::<f64>() / n as f64;
    println!(
        "{}",
        json!({
            "nats_per_dim": nats,
            "bits_per_dim": nats / std::f64::consts::LN_2,
            "rows": n,
            "dim": data.dim,
            "units": "data",
            "divergence": config.divergence.name(),
            "steps": config.steps,
            "nfe": result.nfe,
            "seconds": start.elapsed().as_secs_f64(),
            "sde": file.sde.name(),
            "backend": backend.name(),
        })
    );
    Ok(())
}

fn cmd_eval(args: &mut Args) -> Result<(), Error> {
    let a = args.required("samples")?;
    let b = args.required("reference")?;
    args.finish()?;
    let e = metrics::evaluate(&read_csv(&a)?, &read_csv(&b)?)?;
    println!("{}", serde_json::to_string(&e).expect("serializable"));
    Ok(())
}

fn cmd_systems(args: &mut Args) -> Result<(), Error> {
    let as_json = args.str("json").is_some();
    args.finish()?;
    let cat = scoredyn::dynamics::catalog();
    if as_json {
        let list: Vec<_> = cat
            .iter()
            .map(scoredyn::dynamics::systems::to_json)
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&list).expect("serializable")
        );
        return Ok(());
    }
    let mut text = String::new();
    for s in cat {
        let kind = match (&s.unsupported, s.family) {
            (Some(_), _) => "unsupported",
            (None, f) => f.as_str(),
        };
        let mut desc: String = s.description.chars().take(70).collect();
        if s.description.chars().count() > 70 {
            desc.push_str("...");
        }
        text.push_str(&format!(
            "{:<26} {:>3}  {:<11} {}\n",
            s.name, s.dim, kind, desc
        ));
    }
    let supported = cat.iter().filter(|s| s.supported()).count();
    text.push_str(&format!(
        "\n{supported} of {} systems supported; delay equations are listed but not integrated. \
         `scoredyn systems --json` gives parameters, initial conditions and metadata.\n",
        cat.len()
    ));
    write_out(None, &text)
}

fn cmd_invariants(args: &mut Args) -> Result<(), Error> {
    let opts = CorrelationOptions {
        max_points: args.get_or("points", CorrelationOptions::default().max_points)?,
        ..Default::default()
    };
    match (args.str("system"), args.str("data")) {
        (Some(_), Some(_)) => Err(Error::invalid("give either --system or --data, not both")),
        (None, None) => Err(Error::invalid(
            "invariants needs --system NAME or --data FILE.csv",
        )),
        (None, Some(path)) => {
            args.finish()?;
            let data = read_csv(&path)?;
            let (mean, std) = invariants::moments(&data);
            let cd = invariants::correlation_dimension(&data, &opts)?;
            println!(
                "{}",
                json!({ "data": path, "rows": data.len(), "dim": data.dim, "mean": mean, "std": std,
                        "correlation_dimension": cd })
            );
            Ok(())
        }
        (Some(name), None) => {
            let (system, sim) = simulation(args, &name)?;
            let lyap_time: Option<f64> = args.get("lyapunov-time")?;
            args.finish()?;
            let start = Instant::now();
            let traj = simulate(&system, &sim)?;
            let data = Dataset::from_trajectory(&traj);
            let (mean, std) = invariants::moments(&data);
            let cd = invariants::correlation_dimension(&data, &opts)?;
            let lyap = if system.is_stochastic() {
                None
            } else {
                Some(invariants::max_lyapunov(
                    &system,
                    &LyapunovOptions {
                        t_end: lyap_time,
                        dt: sim.dt,
                        burn_in: sim.burn_in,
                        method: sim.method,
                        seed: sim.seed,
                    },
                )?)
            };
            let info = system.info;
            println!(
                "{}",
                json!({
                    "system": info.name, "rows": data.len(), "dim": data.dim,
                    "mean": mean, "std": std, "correlation_dimension": cd, "max_lyapunov": lyap,
                    "seconds": start.elapsed().as_secs_f64(),
                    "catalog": { "mean": info.mean, "std": info.std,
                                 "correlation_dimension": info.correlation_dimension,
                                 "max_lyapunov": info.max_lyapunov },
                })
            );
            Ok(())
        }
    }
}
