//! The sampler table: one row per sampler, from which the command line's help and
//! value checks, the page's select (through the bindings) and the quality script are
//! made. Adding a sampler = one file with its steps + one row here.

use super::{Run, Stepper, dopri5, ggf, langevin, ode, reverse_sde};
use crate::Error;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One sampler: what the CLI, the page and the docs say about it, and how to start it.
pub struct SamplerInfo {
    /// The `--sampler` name (and the page's value).
    pub name: &'static str,
    /// Other names accepted for it.
    pub aliases: &'static [&'static str],
    /// A short name for menus.
    pub label: &'static str,
    /// A one-line description, for help texts.
    pub about: &'static str,
    /// Steps when none are given (ALD: in all, over every level); 0 for adaptive ones.
    pub default_steps: usize,
    /// Whether an error controller chooses the steps.
    pub adaptive: bool,
    /// Whether it integrates a flow-matching velocity (the ODE samplers) too.
    pub velocity: bool,
    /// The SDEs it is defined for (by name); empty: any.
    pub sdes: &'static [&'static str],
    /// Its own settings, by their `--` names (a flag outside this list does not apply).
    pub options: &'static [&'static str],
    /// Starts its steps on a run whose state is x(T) (settings already checked).
    pub build: fn(&Run) -> Result<Box<dyn Stepper>, Error>,
}

/// The name of the exact sampler of invertible flows (RealNVP).
pub const INVERSE: &str = "inverse";

/// The inverse row's `build`: the flow's own sampler runs instead
/// ([`super::Sampler::inverse`]), so this only answers a misuse.
fn inverse_build(_: &Run) -> Result<Box<dyn Stepper>, Error> {
    Err(Error::invalid(
        "the inverse sampler needs an invertible flow (RealNVP)",
    ))
}

/// Every sampler, in the order the help and the page list them.
pub static SAMPLERS: &[SamplerInfo] = &[
    SamplerInfo {
        name: "ode-rk4",
        aliases: &["ode", "rk4"],
        label: "probability-flow ODE, RK4",
        about: "probability-flow ODE, RK4 on EDM's rho = 7 noise schedule",
        default_steps: 100,
        adaptive: false,
        velocity: true,
        sdes: &[],
        options: &["steps"],
        build: ode::rk4,
    },
    SamplerInfo {
        name: "ode-heun",
        aliases: &["heun"],
        label: "probability-flow ODE, Heun",
        about: "probability-flow ODE, Heun on EDM's rho = 7 noise schedule",
        default_steps: 50,
        adaptive: false,
        velocity: true,
        sdes: &[],
        options: &["steps"],
        build: ode::heun,
    },
    SamplerInfo {
        name: "ode-dopri5",
        aliases: &["dopri5"],
        label: "probability-flow ODE, adaptive DOPRI5",
        about: "probability-flow ODE, adaptive Dormand-Prince 5(4)",
        default_steps: 0,
        adaptive: true,
        velocity: true,
        sdes: &[],
        options: &["rtol", "atol"],
        build: dopri5::build,
    },
    SamplerInfo {
        name: "ode-euler",
        aliases: &["euler"],
        label: "probability-flow ODE, Euler",
        about: "probability-flow ODE, Euler on EDM's rho = 7 noise schedule",
        default_steps: 1000,
        adaptive: false,
        velocity: true,
        sdes: &[],
        options: &["steps"],
        build: ode::euler,
    },
    SamplerInfo {
        name: "em",
        aliases: &[],
        label: "reverse SDE, Euler-Maruyama",
        about: "reverse-time SDE, Euler-Maruyama",
        default_steps: 1000,
        adaptive: false,
        velocity: false,
        sdes: &[],
        options: &["steps"],
        build: reverse_sde::em,
    },
    SamplerInfo {
        name: "reverse-diffusion",
        aliases: &[],
        label: "reverse diffusion",
        about: "reverse diffusion predictor (the SDE's own discretization, reversed)",
        default_steps: 1000,
        adaptive: false,
        velocity: false,
        sdes: &[],
        options: &["steps"],
        build: reverse_sde::reverse_diffusion,
    },
    SamplerInfo {
        name: "ancestral",
        aliases: &[],
        label: "ancestral",
        about: "ancestral sampling (DDPM for VP, NCSN's for VE)",
        default_steps: 1000,
        adaptive: false,
        velocity: false,
        sdes: &["vp", "ve", "ncsn"],
        options: &["steps"],
        build: reverse_sde::ancestral,
    },
    SamplerInfo {
        name: "pc",
        aliases: &[],
        label: "predictor-corrector (Langevin)",
        about: "predictor-corrector: reverse diffusion + Langevin corrector",
        default_steps: 1000,
        adaptive: false,
        velocity: false,
        sdes: &[],
        options: &["steps", "snr", "corrector-steps"],
        build: langevin::pc,
    },
    SamplerInfo {
        name: "ald",
        aliases: &[],
        label: "annealed Langevin (NCSN)",
        about: "annealed Langevin dynamics over the noise ladder (NCSN)",
        default_steps: 1000,
        adaptive: false,
        velocity: false,
        // Its step follows the marginal std of each level: sub-VP's falls to 1e-4 at the
        // last level, so the first steps are ~1e8 times too long and the run blows up.
        sdes: &["vp", "ve", "ncsn"],
        options: &["steps", "ald-eps"],
        build: langevin::ald,
    },
    SamplerInfo {
        name: "ggf",
        aliases: &[],
        label: "Gotta Go Fast (adaptive SDE)",
        about: "Gotta Go Fast: adaptive reverse SDE, per-sample steps",
        default_steps: 0,
        adaptive: true,
        velocity: false,
        sdes: &[],
        options: &["eps-abs", "eps-rel", "ggf-published"],
        build: ggf::build,
    },
    SamplerInfo {
        name: INVERSE,
        aliases: &["exact"],
        label: "exact inverse (RealNVP)",
        about: "an invertible flow's exact inverse of N(0, I) samples: one pass, RealNVP models only",
        default_steps: 1,
        adaptive: false,
        velocity: false,
        sdes: &[],
        options: &[],
        build: inverse_build,
    },
];

/// A sampler, by its row of [`SAMPLERS`]; serialized as its name.
#[derive(Clone, Copy)]
pub struct SamplerKind(&'static SamplerInfo);

impl SamplerKind {
    /// A sampler by name or alias.
    pub fn parse(name: &str) -> Result<Self, Error> {
        SAMPLERS
            .iter()
            .find(|s| s.name == name || s.aliases.contains(&name))
            .map(SamplerKind)
            .ok_or_else(|| {
                Error::invalid(format!(
                    "unknown sampler '{name}'; supported: {}",
                    Self::names()
                ))
            })
    }

    /// Every sampler.
    pub fn all() -> impl Iterator<Item = SamplerKind> {
        SAMPLERS.iter().map(SamplerKind)
    }

    /// The names and aliases, for messages: "ode-rk4 (ode, rk4), ode-heun (heun), ...".
    pub fn names() -> String {
        SAMPLERS
            .iter()
            .map(|s| {
                if s.aliases.is_empty() {
                    s.name.to_string()
                } else {
                    format!("{} ({})", s.name, s.aliases.join(", "))
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn info(&self) -> &'static SamplerInfo {
        self.0
    }

    pub fn name(&self) -> &'static str {
        self.0.name
    }

    pub fn adaptive(&self) -> bool {
        self.0.adaptive
    }

    pub fn default_steps(&self) -> usize {
        self.0.default_steps
    }

    /// Refuses a setting (by its `--` name) that this sampler does not use.
    pub fn check_option(&self, option: &str) -> Result<(), Error> {
        if self.0.options.contains(&option) {
            return Ok(());
        }
        let users: Vec<&str> = SAMPLERS
            .iter()
            .filter(|s| s.options.contains(&option))
            .map(|s| s.name)
            .collect();
        Err(Error::invalid(format!(
            "--{option} applies to {}, not {}{}",
            users.join(", "),
            self.0.name,
            if self.0.adaptive && option == "steps" {
                " (an adaptive sampler chooses its own steps)"
            } else {
                ""
            }
        )))
    }

    /// Whether it is defined for `sde` (by the table's SDE list).
    pub fn supports_sde(&self, sde_name: &str) -> bool {
        self.0.sdes.is_empty() || self.0.sdes.contains(&sde_name)
    }

    /// The table as JSON (name, aliases, label, default_steps, adaptive, velocity,
    /// sdes, options), for the page's select.
    pub fn table_json() -> String {
        let rows: Vec<serde_json::Value> = SAMPLERS
            .iter()
            .map(|s| {
                serde_json::json!({
                    "name": s.name,
                    "aliases": s.aliases,
                    "label": s.label,
                    "default_steps": s.default_steps,
                    "adaptive": s.adaptive,
                    "velocity": s.velocity,
                    "sdes": s.sdes,
                    "options": s.options,
                })
            })
            .collect();
        serde_json::Value::Array(rows).to_string()
    }
}

impl Default for SamplerKind {
    fn default() -> Self {
        SamplerKind(&SAMPLERS[0])
    }
}

impl PartialEq for SamplerKind {
    fn eq(&self, other: &Self) -> bool {
        self.0.name == other.0.name
    }
}

impl Eq for SamplerKind {}

impl std::fmt::Debug for SamplerKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.name)
    }
}

impl std::fmt::Display for SamplerKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.name)
    }
}

impl std::str::FromStr for SamplerKind {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Self::parse(s)
    }
}

impl Serialize for SamplerKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.name)
    }
}

impl<'de> Deserialize<'de> for SamplerKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Self::parse(&name).map_err(|e| serde::de::Error::custom(e.message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_aliases_are_unique_and_parse_back() {
        let mut seen = std::collections::BTreeSet::new();
        for s in SAMPLERS {
            for n in std::iter::once(&s.name).chain(s.aliases) {
                assert!(seen.insert(*n), "{n} appears twice");
                assert_eq!(SamplerKind::parse(n).unwrap().name(), s.name);
            }
            assert_eq!(s.adaptive, s.default_steps == 0, "{}", s.name);
        }
        assert!(SamplerKind::parse("nope").is_err());
    }
}
