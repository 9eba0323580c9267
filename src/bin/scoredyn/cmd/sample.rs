//! `scoredyn sample`: samples of a model file, in data units, with any sampler of the
//! registry.

use crate::common::{backend, check_out, read_text, write_out};
use clap::Args;
use scoredyn::score::backend::read_f32;
use scoredyn::score::sampling::registry;
use scoredyn::score::{Backend, ModelFile, SampleConfig, SamplerKind};
use scoredyn::{Error, csv};
use serde::Serialize;
use std::time::Instant;

fn sampler(s: &str) -> Result<SamplerKind, String> {
    SamplerKind::parse(s).map_err(|e| e.message)
}

/// The sampler table as help text: name (aliases): label [default steps].
fn sampler_help() -> String {
    let rows: Vec<String> = SamplerKind::all()
        .map(|k| {
            let i = k.info();
            let aliases = if i.aliases.is_empty() {
                String::new()
            } else {
                format!(" (= {})", i.aliases.join(", "))
            };
            let steps = if i.adaptive {
                "adaptive".to_string()
            } else {
                format!("{} steps", i.default_steps)
            };
            format!("  {}{aliases}: {}; {steps}", i.name, i.about)
        })
        .collect();
    format!(
        "The sampler [default: ode-rk4; inverse for a RealNVP]\n{}",
        rows.join("\n")
    )
}

fn nonzero(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(0) => Err("must be at least 1 (leave it out for the sampler's default)".into()),
        Ok(v) => Ok(v),
        Err(_) => Err(format!("'{s}' is not a whole number")),
    }
}

/// Draw samples from a model file
#[derive(Args)]
pub struct Sample {
    #[arg(long, value_name = "MODEL")]
    model: String,
    /// Number of samples
    #[arg(long, default_value_t = SampleConfig::default().n)]
    n: usize,
    #[arg(long, value_parser = sampler, long_help = sampler_help(), help = "The sampler [default: ode-rk4; inverse for a RealNVP] (--help lists them)")]
    sampler: Option<SamplerKind>,
    /// Steps of a fixed-step sampler [default: the sampler's, see --sampler]
    #[arg(long, value_parser = nonzero)]
    steps: Option<usize>,
    #[arg(long, default_value_t = SampleConfig::default().seed)]
    seed: u64,
    /// The reverse process stops at t = E [default: 1e-3]
    #[arg(long, value_name = "E", allow_negative_numbers = true)]
    eps: Option<f64>,
    /// Langevin corrector signal-to-noise ratio [default: 0.16 for VE/NCSN, 0.05 for VP/sub-VP]
    #[arg(long, value_name = "R", allow_negative_numbers = true)]
    snr: Option<f64>,
    /// Langevin corrector steps per level (pc) [default: 1]
    #[arg(long = "corrector-steps", value_name = "C")]
    corrector_steps: Option<usize>,
    /// ALD step size epsilon [default: 2e-5]
    #[arg(long = "ald-eps", value_name = "A", allow_negative_numbers = true)]
    ald_eps: Option<f64>,
    /// ode-dopri5 relative tolerance [default: 1e-5]
    #[arg(long, allow_negative_numbers = true)]
    rtol: Option<f64>,
    /// ode-dopri5 absolute tolerance [default: 1e-5]
    #[arg(long, allow_negative_numbers = true)]
    atol: Option<f64>,
    /// ggf absolute tolerance [default: 0.0078]
    #[arg(long = "eps-abs", value_name = "A", allow_negative_numbers = true)]
    eps_abs: Option<f64>,
    /// ggf relative tolerance [default: 0.05]
    #[arg(long = "eps-rel", value_name = "R", allow_negative_numbers = true)]
    eps_rel: Option<f64>,
    /// ggf's error estimate as published (with the step's noise)
    #[arg(long = "ggf-published")]
    ggf_published: bool,
    /// A final Tweedie denoising step
    #[arg(long)]
    denoise: bool,
    #[arg(long, value_parser = backend, default_value = Backend::DEFAULT_CPU.name())]
    backend: Backend,
    /// Output file [default: stdout, with the JSON summary on stderr]
    #[arg(long, value_name = "FILE.csv")]
    out: Option<String>,
}

#[derive(Serialize)]
struct Report {
    n: usize,
    nfe: usize,
    seconds: f64,
    sampler: &'static str,
    steps: usize,
    sde: &'static str,
    backend: &'static str,
    out: Option<String>,
}

impl Sample {
    /// Refuses a setting the chosen sampler would not use, rather than ignoring it.
    fn check_settings(&self, sampler: SamplerKind) -> Result<(), Error> {
        let given = [
            ("steps", self.steps.is_some()),
            ("snr", self.snr.is_some()),
            ("corrector-steps", self.corrector_steps.is_some()),
            ("ald-eps", self.ald_eps.is_some()),
            ("rtol", self.rtol.is_some()),
            ("atol", self.atol.is_some()),
            ("eps-abs", self.eps_abs.is_some()),
            ("eps-rel", self.eps_rel.is_some()),
            ("ggf-published", self.ggf_published),
        ];
        for (option, _) in given.iter().filter(|(_, g)| *g) {
            sampler.check_option(option)?;
        }
        if self.eps.is_some() && sampler.name() == "ald" {
            return Err(Error::invalid(
                "--eps does not apply to ald, which ends at its ladder's last level",
            ));
        }
        if self.snr == Some(0.0) {
            return Err(Error::invalid(
                "--snr must be positive (leave it out for the default)",
            ));
        }
        Ok(())
    }

    pub fn run(self) -> Result<(), Error> {
        let d = SampleConfig::default();
        // A named sampler's settings are checked before anything is read; a RealNVP's
        // default sampler (its exact inverse) needs the model file first.
        if let Some(s) = self.sampler {
            self.check_settings(s)?;
        }
        check_out("--out", self.out.as_deref())?;
        let device = self.backend.device()?;
        let file = ModelFile::from_json(&read_text(&self.model)?)
            .map_err(|e| Error::invalid(format!("{}: {e}", self.model)))?;
        let sampler = match self.sampler {
            Some(s) => s,
            None if file.is_flow() => SamplerKind::parse(registry::INVERSE)?,
            None => SamplerKind::default(),
        };
        if self.sampler.is_none() {
            self.check_settings(sampler)?;
        }
        let config = SampleConfig {
            n: self.n,
            steps: self.steps.unwrap_or(0),
            sampler,
            seed: self.seed,
            t_eps: self.eps.unwrap_or(d.t_eps),
            snr: self.snr.unwrap_or(0.0),
            corrector_steps: self.corrector_steps.unwrap_or(d.corrector_steps),
            ald_eps: self.ald_eps.unwrap_or(d.ald_eps),
            rtol: self.rtol.unwrap_or(d.rtol),
            atol: self.atol.unwrap_or(d.atol),
            eps_abs: self.eps_abs.unwrap_or(d.eps_abs),
            eps_rel: self.eps_rel.unwrap_or(d.eps_rel),
            ggf_published: self.ggf_published,
            denoise: self.denoise,
            velocity_model: false,
            flow_model: false,
        };
        if self.eps.is_some() && file.is_velocity() {
            return Err(Error::invalid(
                "--eps does not apply to a flow-matching model, whose flow ends at the data",
            ));
        }
        if self.eps.is_some() && file.is_flow() {
            return Err(Error::invalid(
                "--eps does not apply to a RealNVP, whose inverse gives the data exactly",
            ));
        }
        let start = Instant::now();
        let mut sampler = file.sampler(config, &device)?;
        while !sampler.advance(10)? {}
        let z = read_f32(sampler.state())?;
        let seconds = start.elapsed().as_secs_f64();
        let samples = file.samples_from(&z)?;
        write_out(self.out.as_deref(), &csv::write(&samples, None))?;
        let report = Report {
            n: sampler.config().n,
            nfe: sampler.nfe(),
            seconds,
            sampler: sampler.config().sampler.name(),
            steps: sampler.steps_taken(),
            sde: file.sde.name(),
            backend: self.backend.name(),
            out: self.out.clone(),
        };
        let text = serde_json::to_string(&report).expect("reports serialize");
        // Without --out the CSV owns stdout and the summary goes to stderr.
        if self.out.is_none() {
            eprintln!("{text}");
        } else {
            println!("{text}");
        }
        Ok(())
    }
}
