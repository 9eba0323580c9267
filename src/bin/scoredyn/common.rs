//! What several commands share: the simulation and pipeline options, the backend
//! choice, and reading and writing files.

use clap::Args;
use scoredyn::dataset::Dataset;
use scoredyn::dynamics::{DelayEmbedding, Method, PipelineOptions, SimulateOptions, System};
use scoredyn::score::Backend;
use scoredyn::{Error, csv};

/// A comma-separated list of numbers (`--noise 0.1,0.2`).
#[derive(Clone, Debug)]
pub struct Numbers(pub Vec<f64>);

pub fn numbers(s: &str) -> Result<Numbers, String> {
    s.split(',')
        .map(|v| {
            v.trim()
                .parse::<f64>()
                .map_err(|_| format!("'{v}' is not a number"))
        })
        .collect::<Result<_, _>>()
        .map(Numbers)
}

/// `--param NAME=VALUE`.
pub fn param(s: &str) -> Result<(String, f64), String> {
    let (k, v) = s
        .split_once('=')
        .ok_or_else(|| format!("--param takes NAME=VALUE, got '{s}'"))?;
    let value = v
        .trim()
        .parse()
        .map_err(|_| format!("--param {}: '{v}' is not a number", k.trim()))?;
    Ok((k.trim().to_string(), value))
}

/// `--embed COORD,DIMS,LAG`.
pub fn embedding(s: &str) -> Result<DelayEmbedding, String> {
    let v = numbers(s)?.0;
    if v.len() != 3 || v.iter().any(|x| x.fract() != 0.0 || *x < 0.0) {
        return Err("--embed takes three whole numbers COORD,DIMS,LAG (e.g. 0,3,5)".into());
    }
    Ok(DelayEmbedding {
        coord: v[0] as usize,
        dims: v[1] as usize,
        lag: v[2] as usize,
    })
}

pub fn backend(s: &str) -> Result<Backend, String> {
    Backend::parse(s).map_err(|e| e.message)
}

/// The system's simulation options (`simulate`, `invariants`, `train --system`).
#[derive(Args, Debug, Clone)]
pub struct SimArgs {
    /// Override a scalar parameter (repeatable)
    #[arg(long = "param", value_name = "NAME=VALUE", value_parser = param)]
    pub params: Vec<(String, f64)>,
    /// rk4 | dopri5 | em | heun [default: dopri5; heun for noisy systems]
    #[arg(long, value_name = "M")]
    pub method: Option<Method>,
    /// Step [default: P/150 for the system's period P, one significant digit; Lorenz 0.01]
    #[arg(long, allow_negative_numbers = true)]
    pub dt: Option<f64>,
    /// Recorded span [default: 667 P; Lorenz 1000]
    #[arg(long = "t-end", value_name = "T", allow_negative_numbers = true)]
    pub t_end: Option<f64>,
    /// Discarded span before recording [default: 6.7 P; Lorenz 10]
    #[arg(long = "burn-in", value_name = "T0", allow_negative_numbers = true)]
    pub burn_in: Option<f64>,
    /// Record every K-th step [default: 10]
    #[arg(long, value_name = "K")]
    pub every: Option<usize>,
    /// dopri5 relative tolerance [default: 1e-8]
    #[arg(long, allow_negative_numbers = true)]
    pub rtol: Option<f64>,
    /// dopri5 absolute tolerance [default: 1e-10]
    #[arg(long, allow_negative_numbers = true)]
    pub atol: Option<f64>,
    /// Add sigma dW to a deterministic flow (one value or one per coordinate)
    #[arg(long, value_name = "S[,S...]", value_parser = numbers, allow_hyphen_values = true)]
    pub noise: Option<Numbers>,
    /// Initial condition [default: the catalog's, perturbed by --seed]
    #[arg(long, value_name = "X,Y,...", value_parser = numbers, allow_hyphen_values = true)]
    pub init: Option<Numbers>,
    /// Report the integrated state, not dysts' post-processed coordinates
    #[arg(long)]
    pub raw: bool,
}

impl SimArgs {
    /// Whether any simulation option was given.
    pub fn given(&self) -> bool {
        !self.params.is_empty()
            || self.method.is_some()
            || self.dt.is_some()
            || self.t_end.is_some()
            || self.burn_in.is_some()
            || self.every.is_some()
            || self.rtol.is_some()
            || self.atol.is_some()
            || self.noise.is_some()
            || self.init.is_some()
            || self.raw
    }

    /// The system with its parameters and noise, and checked simulation options.
    pub fn resolve(
        &self,
        name: &str,
        seed: Option<u64>,
    ) -> Result<(System, SimulateOptions), Error> {
        let mut system = System::new(name)?;
        for (k, v) in &self.params {
            system.set_param(k, *v)?;
        }
        if let Some(n) = &self.noise {
            system.set_noise(&n.0)?;
        }
        let opts = SimulateOptions {
            t_end: self.t_end,
            dt: self.dt,
            burn_in: self.burn_in,
            every: self.every,
            method: self.method,
            rtol: self.rtol,
            atol: self.atol,
            init: self.init.as_ref().map(|n| n.0.clone()),
            seed,
            raw: self.raw,
        };
        opts.resolve(&system)?;
        Ok((system, opts))
    }
}

/// Observation noise and delay embedding.
#[derive(Args, Debug, Clone)]
pub struct PipeArgs {
    /// Add N(0, S^2) observation noise to every recorded value
    #[arg(
        long = "obs-noise",
        value_name = "S",
        default_value_t = 0.0,
        allow_negative_numbers = true
    )]
    pub obs_noise: f64,
    /// Delay-embed coordinate C (0-based) in M dimensions with lag L rows
    #[arg(long, value_name = "C,M,L", value_parser = embedding)]
    pub embed: Option<DelayEmbedding>,
}

impl PipeArgs {
    pub fn options(&self, heldout: f64, seed: u64) -> PipelineOptions {
        PipelineOptions {
            heldout,
            embed: self.embed,
            obs_noise: self.obs_noise,
            seed,
        }
    }
}

/// Checks, before any work, that `write_out` will be able to write `path` (`flag` names
/// the option in messages): a file name in a directory that exists and takes a new file.
/// A long training run must not end in "cannot write".
pub fn check_out(flag: &str, path: Option<&str>) -> Result<(), Error> {
    let Some(p) = path else { return Ok(()) };
    let target = std::path::Path::new(p);
    if std::fs::metadata(target).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        return Ok(());
    }
    let Some(name) = target.file_name().filter(|_| !p.ends_with('/')) else {
        return Err(Error::invalid(format!("{flag} {p:?} is not a file name")));
    };
    if target.is_dir() {
        return Err(Error::invalid(format!("{flag} {p:?} is a directory")));
    }
    let probe = target.with_file_name(format!(
        ".{}.{}.check",
        name.to_string_lossy(),
        std::process::id()
    ));
    std::fs::File::create(&probe)
        .map_err(|e| Error::io(format!("cannot write {flag} {p:?}: {e}")))?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// Writes `text` to the file `path` (or stdout), atomically: into a temporary file
/// beside it, then renamed over it, so that an interrupted command never leaves a
/// truncated file, and an existing file stays as it was until the new one is whole.
pub fn write_out(path: Option<&str>, text: &str) -> Result<(), Error> {
    use std::io::Write;
    let Some(p) = path else {
        return std::io::stdout()
            .write_all(text.as_bytes())
            .map_err(|e| Error::io(format!("cannot write to stdout: {e}")));
    };
    let target = std::path::Path::new(p);
    // A device or pipe (`/dev/null`, `/dev/stdout`) is written as it is.
    if std::fs::metadata(target).is_ok_and(|m| !m.is_file()) {
        return std::fs::write(target, text)
            .map_err(|e| Error::io(format!("cannot write {p}: {e}")));
    }
    let name = target
        .file_name()
        .ok_or_else(|| Error::invalid(format!("{p:?} is not a file name")))?;
    let tmp = target.with_file_name(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let written = std::fs::File::create(&tmp).and_then(|mut f| {
        f.write_all(text.as_bytes())?;
        f.sync_all()
    });
    // Tests only: hold the whole temporary file this long before the rename, so that a
    // test can kill the command between writing and renaming.
    if let Some(ms) = std::env::var("SCOREDYN_TEST_HOLD_WRITE_MS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
    let result = written.and_then(|()| std::fs::rename(&tmp, target));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io(format!("cannot write {p}: {e}")));
    }
    Ok(())
}

/// The most an input file may hold.
const MAX_INPUT: usize = 2 << 30;

/// Reads a text input (a CSV or a model file). Read in chunks and checked as it comes,
/// so that a device such as /dev/zero, or a binary file, is refused at its first
/// megabyte rather than read until memory runs out.
pub fn read_text(path: &str) -> Result<String, Error> {
    use std::io::Read;
    let cannot = |e: std::io::Error| Error::io(format!("cannot read {path}: {e}"));
    let mut file = std::fs::File::open(path).map_err(cannot)?;
    let mut bytes = Vec::new();
    let mut chunk = vec![0u8; 1 << 20];
    loop {
        let n = match file.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(cannot(e)),
        };
        if let Some(i) = chunk[..n].iter().position(|b| *b == 0) {
            return Err(Error::invalid(format!(
                "{path} is not UTF-8 text (a NUL byte at offset {}: a binary file, or UTF-16 text: save it as UTF-8)",
                bytes.len() + i
            )));
        }
        if bytes.len() + n > MAX_INPUT {
            return Err(Error::invalid(format!(
                "{path} is larger than {} GiB, more than scoredyn reads",
                MAX_INPUT >> 30
            )));
        }
        bytes.extend_from_slice(&chunk[..n]);
    }
    String::from_utf8(bytes).map_err(|e| {
        Error::invalid(format!(
            "{path} is not UTF-8 text (byte {} is not; a binary file, or UTF-16 text: save it as UTF-8)",
            e.utf8_error().valid_up_to()
        ))
    })
}

pub fn read_csv(path: &str) -> Result<Dataset, Error> {
    csv::parse(&read_text(path)?).map_err(|e| Error::invalid(format!("{path}: {e}")))
}

/// A JSON line on stdout.
pub fn print_json(value: &impl serde::Serialize) {
    println!(
        "{}",
        serde_json::to_string(value).expect("reports serialize")
    );
}
