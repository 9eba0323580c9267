//! `scoredyn`: the native command line. Results go to stdout (CSV or JSON), progress
//! and errors to stderr; the exit code is 0 on success, 2 for bad input, 1 otherwise.

mod args;
mod progress;

use args::Args;
use progress::Progress;
use scoredyn::dynamics::{Dataset, Method, SimulateOptions, Standardizer, System, simulate};
use scoredyn::score::backend::read_f32;
use scoredyn::score::checkpoint::TrainSummary;
use scoredyn::score::sampling::OdeSampler;
use scoredyn::score::train::train_blocking;
use scoredyn::score::{
    Backend, ModelFile, NetConfig, OdeMethod, SampleConfig, Sde, TrainConfig, Trainer,
};
use scoredyn::{Error, ErrorKind, csv, metrics};
use serde_json::json;
use std::time::Instant;

const HELP: &str = "\
scoredyn: score-based generative modeling of dynamical systems

USAGE:
  scoredyn simulate --system NAME [--t-end T] [--dt DT] [--init x,y,z] [--param NAME=VALUE]...
                    [--burn-in T0] [--every K] [--method rk4] [--seed S] [--out FILE]
  scoredyn train (--data FILE.csv | --system NAME [simulate options]) [--sde vp] [--steps N]
                 [--batch B] [--width W] [--depth L] [--lr LR] [--ema DECAY] [--seed S]
                 [--backend flex|ndarray|wgpu] --out MODEL
  scoredyn sample --model MODEL [--n N] [--sampler ode|ode-rk4|ode-heun|ode-euler] [--steps K]
                  [--seed S] [--backend flex|ndarray|wgpu] [--out FILE.csv]
  scoredyn eval --samples A.csv --reference B.csv
  scoredyn systems

simulate writes CSV `t,x0,x1,...` (stdout without --out). train, sample and eval print
JSON on stdout (sample without --out: CSV on stdout, JSON on stderr); train shows
progress on stderr. Data CSVs may have a leading `t` column,
which is ignored. Defaults: simulate --t-end 1000 --dt 0.01 --burn-in 10 --every 10;
train --steps 6000 --batch 256 --width 128 --depth 3 --lr 0.002 --ema 0.999;
sample --n 4000 --sampler ode --steps 100.
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

/// The system and simulation options shared by `simulate` and `train --system`.
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
    let d = SimulateOptions::default();
    let init = match args.str("init") {
        None => None,
        Some(s) => Some(
            s.split(',')
                .map(|v| {
                    v.trim()
                        .parse::<f64>()
                        .map_err(|_| Error::invalid(format!("--init: '{v}' is not a number")))
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
    };
    let opts = SimulateOptions {
        t_end: args.get_or("t-end", d.t_end)?,
        dt: args.get_or("dt", d.dt)?,
        burn_in: args.get_or("burn-in", d.burn_in)?,
        every: args.get_or("every", d.every)?,
        method: args.get_or("method", Method::Rk4)?,
        init,
        seed: args.get("seed")?,
    };
    opts.validate(system.dim())?;
    Ok((system, opts))
}

fn cmd_simulate(args: &mut Args) -> Result<(), Error> {
    let name = args.required("system")?;
    let (system, opts) = simulation(args, &name)?;
    let out = args.str("out");
    args.finish()?;
    let traj = simulate(&system, &opts)?;
    write_out(
        out,
        &csv::write(&Dataset::from_trajectory(&traj), Some(&traj.t)),
    )
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
                system.info.name.to_string(),
            )
        }
    };
    let sde = Sde::parse(&args.get_or("sde", "vp".to_string())?)?;
    let dt = TrainConfig::default();
    let config = TrainConfig {
        steps: args.get_or("steps", dt.steps)?,
        batch: args.get_or("batch", dt.batch)?,
        lr: args.get_or("lr", dt.lr)?,
        ema_decay: args.get_or("ema", dt.ema_decay)?,
        seed: args.get_or("seed", dt.seed)?,
        ..dt
    };
    let mut net = NetConfig::new(data.dim);
    net.width = args.get_or("width", net.width)?;
    net.depth = args.get_or("depth", net.depth)?;
    net.seed = config.seed;
    let (backend, device) = backend(args)?;
    args.finish()?;

    let standardizer = Standardizer::fit(&data)?;
    let mut trainer = Trainer::new(
        standardizer.forward(&data),
        net.clone(),
        sde,
        config.clone(),
        &device,
    )?;
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
        method: OdeMethod::parse(&args.get_or("sampler", "ode".to_string())?)?,
        seed: args.get_or("seed", d.seed)?,
        ..d
    };
    let out = args.str("out");
    let (backend, device) = backend(args)?;
    args.finish()?;
    let file = ModelFile::from_json(&read_text(&path)?)
        .map_err(|e| Error::invalid(format!("{path}: {e}")))?;
    let net = file.build_net(&device)?;
    let start = Instant::now();
    let mut sampler = OdeSampler::new(net, file.sde, file.net.dim, config.clone(), &device)?;
    sampler.advance(config.steps);
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
            "sampler": format!("ode-{:?}", config.method).to_lowercase(),
            "steps": config.steps,
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

fn cmd_eval(args: &mut Args) -> Result<(), Error> {
    let a = args.required("samples")?;
    let b = args.required("reference")?;
    args.finish()?;
    let e = metrics::evaluate(&read_csv(&a)?, &read_csv(&b)?)?;
    println!("{}", serde_json::to_string(&e).expect("serializable"));
    Ok(())
}

fn cmd_systems(args: &mut Args) -> Result<(), Error> {
    let _ = args.str("json");
    args.finish()?;
    let list: Vec<_> = scoredyn::dynamics::catalog()
        .iter()
        .map(|s| {
            json!({
                "name": s.name,
                "dim": s.dim,
                "parameters": s.params.iter().map(|(n, v)| (n.to_string(), *v)).collect::<std::collections::BTreeMap<_, _>>(),
                "initial_condition": s.initial_condition,
                "max_lyapunov": s.max_lyapunov,
                "correlation_dimension": s.correlation_dimension,
                "period": s.period,
                "description": s.description,
                "citation": s.citation,
                "stochastic": false,
            })
        })
        .collect();
    println!(
        "{}",
        serde_json::to_string_pretty(&list).expect("serializable")
    );
    Ok(())
}
