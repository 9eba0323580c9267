//! A sweep's plan: a TOML table whose keys are the cell settings, each a value or a
//! list of values (an axis); the grid is their cartesian product, in a fixed order, so
//! that cell `i` is the same cell in every run and in every shard.

use scoredyn::Error;
use scoredyn::dynamics::catalog::catalog;
use scoredyn::dynamics::types::Family;
use scoredyn::score::{Arch, Objective, SampleConfig, SamplerKind, Sde, TrainSpec};
use serde::Serialize;
use std::collections::BTreeMap;

/// One cell of the grid: everything that decides its numbers.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Cell {
    pub system: String,
    /// Added noise sigma dW for a deterministic flow (absolute, or times each
    /// coordinate's std of the clean trajectory when `relative`).
    pub noise: f64,
    /// Observation noise (absolute, or times the mean std over coordinates).
    pub obs_noise: f64,
    pub relative: bool,
    /// Recorded span of the training simulation [default: the system's].
    pub t_end: Option<f64>,
    /// The training span in the system's periods (instead of `t_end`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub periods: Option<f64>,
    /// Record every k-th integration step (the stride).
    pub every: usize,
    pub sde: String,
    pub objective: String,
    /// The network family (left out of the cell's JSON, and so of its id, for the
    /// default MLP: cells of earlier plans keep their ids).
    #[serde(skip_serializing_if = "is_mlp")]
    pub arch: String,
    pub width: usize,
    pub depth: usize,
    pub steps: usize,
    pub batch: usize,
    /// The sampler's name.
    pub sampler: String,
    /// Its steps [default: the sampler's].
    pub sampler_steps: Option<usize>,
    pub samples: usize,
    /// The held-out simulation's span, in units of the training span.
    pub heldout_span: f64,
    /// The held-out span in the system's periods, the same for every training span
    /// (instead of `heldout_span`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub heldout_periods: Option<f64>,
    /// Held-out rows for the likelihood (0: none).
    pub likelihood_rows: usize,
    pub seed: u64,
}

fn is_mlp(arch: &str) -> bool {
    arch == Arch::Mlp.name()
}

/// The keys a plan may hold, with what each one is (the plan's schema; `sweep --help`
/// prints it). Names and defaults come from where they are defined.
pub fn keys() -> Vec<(&'static str, String)> {
    let d = TrainSpec::default();
    let samplers = scoredyn::score::SAMPLERS
        .iter()
        .map(|s| s.name)
        .collect::<Vec<_>>()
        .join(", ");
    vec![
        (
            "systems",
            "list of names or filters: \"flows\", \"stochastic\", \"dim=3\", \"dim<=10\", combined with & (\"flows&dim=3\")".into(),
        ),
        (
            "noise",
            "added sigma dW for deterministic flows [0]; stochastic systems take only 0".into(),
        ),
        ("obs_noise", "observation noise std [0]".into()),
        (
            "relative",
            "true: noise and obs_noise are multiples of the clean trajectory's std [false]".into(),
        ),
        ("t_end", "training span [the system's]".into()),
        (
            "periods",
            "training span in the system's periods (catalog), instead of t_end".into(),
        ),
        ("every", "stride: record every k-th step [10]".into()),
        ("sde", format!("{} [{}]", Sde::NAMES, d.sde)),
        ("objective", format!("{} [{}]", Objective::names(), d.objective)),
        (
            "arch",
            format!("network: {} (realnvp trains with objective maximum-likelihood) [{}]", Arch::NAMES, d.arch),
        ),
        ("width", format!("hidden width [{}]", d.width)),
        ("depth", format!("hidden layers [{}]", d.depth)),
        ("steps", format!("training steps [{}]", d.steps)),
        ("batch", format!("batch size [{}]", d.batch)),
        (
            "sampler",
            format!("NAME or NAME:STEPS (\"em:500\"), NAME one of {samplers} [{}]", SamplerKind::default().name()),
        ),
        ("samples", format!("samples drawn [{}]", SampleConfig::default().n)),
        ("heldout_span", "held-out span / training span [1]".into()),
        (
            "heldout_periods",
            "held-out span in the system's periods, the same for every training span (compares sizes against one reference), instead of heldout_span".into(),
        ),
        (
            "likelihood_rows",
            "held-out rows scored by the likelihood, 0 for none [500]".into(),
        ),
        ("seed", "seeds (simulation, weights, batches, sampler) [0]".into()),
    ]
}

/// The expanded grid, and the cells the plan's combinations left out (with why).
pub struct Grid {
    pub cells: Vec<Cell>,
    pub skipped: Vec<String>,
}

fn values<'a>(table: &'a toml::Table, key: &str) -> Vec<&'a toml::Value> {
    match table.get(key) {
        None => vec![],
        Some(toml::Value::Array(a)) => a.iter().collect(),
        Some(v) => vec![v],
    }
}

fn err(key: &str, what: &str, got: &toml::Value) -> Error {
    Error::invalid(format!("plan: {key} must be {what}, got {got}"))
}

fn floats(table: &toml::Table, key: &str, default: f64) -> Result<Vec<f64>, Error> {
    let v = values(table, key);
    if v.is_empty() {
        return Ok(vec![default]);
    }
    v.into_iter()
        .map(|x| match x {
            toml::Value::Float(f) if f.is_finite() && *f >= 0.0 => Ok(*f),
            toml::Value::Integer(i) if *i >= 0 => Ok(*i as f64),
            _ => Err(err(key, "a non-negative number or a list of them", x)),
        })
        .collect()
}

fn whole(table: &toml::Table, key: &str, default: usize) -> Result<Vec<usize>, Error> {
    let v = values(table, key);
    if v.is_empty() {
        return Ok(vec![default]);
    }
    v.into_iter()
        .map(|x| match x {
            toml::Value::Integer(i) if *i >= 0 => Ok(*i as usize),
            _ => Err(err(key, "a whole number or a list of them", x)),
        })
        .collect()
}

fn strings(table: &toml::Table, key: &str, default: &str) -> Result<Vec<String>, Error> {
    let v = values(table, key);
    if v.is_empty() {
        return Ok(vec![default.to_string()]);
    }
    v.into_iter()
        .map(|x| match x {
            toml::Value::String(s) => Ok(s.clone()),
            _ => Err(err(key, "a string or a list of strings", x)),
        })
        .collect()
}

/// The supported systems a filter such as `flows&dim<=10` selects, in catalog order.
fn select(filter: &str) -> Result<Vec<String>, Error> {
    let mut keep: Vec<&scoredyn::dynamics::types::SystemInfo> = catalog()
        .iter()
        .filter(|s| s.unsupported.is_none())
        .collect();
    for term in filter.split('&').map(str::trim) {
        let dim_test = |op: &str| -> Option<usize> { term.strip_prefix(op)?.trim().parse().ok() };
        keep.retain(|s| match term {
            "flows" => s.family == Family::Flow,
            "stochastic" => s.family == Family::Stochastic,
            _ => true,
        });
        if term == "flows" || term == "stochastic" {
            continue;
        }
        if let Some(d) = dim_test("dim<=") {
            keep.retain(|s| s.dim <= d);
        } else if let Some(d) = dim_test("dim=") {
            keep.retain(|s| s.dim == d);
        } else {
            return Err(Error::invalid(format!(
                "plan: systems: '{term}' is neither a system nor a filter (flows, stochastic, dim=N, dim<=N)"
            )));
        }
    }
    Ok(keep.iter().map(|s| s.name.clone()).collect())
}

fn systems(table: &toml::Table) -> Result<Vec<String>, Error> {
    let v = values(table, "systems");
    if v.is_empty() {
        return Err(Error::invalid(
            "plan: systems is required (names or filters, e.g. [\"Lorenz\", \"stochastic\"])",
        ));
    }
    let mut out: Vec<String> = vec![];
    for x in v {
        let toml::Value::String(s) = x else {
            return Err(err("systems", "a list of strings", x));
        };
        let names = match scoredyn::dynamics::catalog::find(s) {
            Ok(info) if !s.contains(['&', '=', '<']) => {
                if let Some(why) = &info.unsupported {
                    return Err(Error::invalid(format!(
                        "plan: {} cannot be simulated: {why}",
                        info.name
                    )));
                }
                vec![info.name.clone()]
            }
            _ => select(s)?,
        };
        if names.is_empty() {
            return Err(Error::invalid(format!(
                "plan: systems: '{s}' selects no system"
            )));
        }
        for n in names {
            if !out.contains(&n) {
                out.push(n);
            }
        }
    }
    Ok(out)
}

/// Parses and expands a plan; every value is checked before any cell runs.
pub fn expand(text: &str) -> Result<Grid, Error> {
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| Error::invalid(format!("plan: not valid TOML: {e}")))?;
    let known: Vec<&str> = keys().iter().map(|(n, _)| *n).collect();
    if let Some(k) = table.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(Error::invalid(format!(
            "plan: unknown key '{k}'; a plan's keys are {}",
            known.join(", ")
        )));
    }
    let relative = match table.get("relative") {
        None => false,
        Some(toml::Value::Boolean(b)) => *b,
        Some(v) => return Err(err("relative", "true or false", v)),
    };
    let d = TrainSpec::default();
    let systems = systems(&table)?;
    let noise = floats(&table, "noise", 0.0)?;
    let obs_noise = floats(&table, "obs_noise", 0.0)?;
    let t_end: Vec<Option<f64>> = if table.contains_key("t_end") {
        floats(&table, "t_end", 0.0)?
            .into_iter()
            .map(Some)
            .collect()
    } else {
        vec![None]
    };
    if table.contains_key("t_end") && table.contains_key("periods") {
        return Err(Error::invalid(
            "plan: give the training span as t_end or as periods, not both",
        ));
    }
    if table.contains_key("heldout_span") && table.contains_key("heldout_periods") {
        return Err(Error::invalid(
            "plan: give the held-out span as heldout_span or as heldout_periods, not both",
        ));
    }
    let optional = |key: &str| -> Result<Vec<Option<f64>>, Error> {
        Ok(if table.contains_key(key) {
            floats(&table, key, 0.0)?.into_iter().map(Some).collect()
        } else {
            vec![None]
        })
    };
    let periods = optional("periods")?;
    let heldout_periods = optional("heldout_periods")?;
    let every = whole(&table, "every", 10)?;
    let sdes = strings(&table, "sde", &d.sde)?;
    for s in &sdes {
        Sde::parse(s).map_err(|e| Error::invalid(format!("plan: sde: {}", e.message)))?;
    }
    let objectives = strings(&table, "objective", &d.objective)?;
    for o in &objectives {
        Objective::parse(o)
            .map_err(|e| Error::invalid(format!("plan: objective: {}", e.message)))?;
    }
    let archs = strings(&table, "arch", &d.arch)?;
    for a in &archs {
        Arch::parse(a).map_err(|e| Error::invalid(format!("plan: arch: {}", e.message)))?;
    }
    let width = whole(&table, "width", d.width)?;
    let depth = whole(&table, "depth", d.depth)?;
    let steps = whole(&table, "steps", d.steps)?;
    let batch = whole(&table, "batch", d.batch)?;
    let mut samplers = vec![];
    for s in strings(&table, "sampler", SamplerKind::default().name())? {
        let (name, k) = match s.split_once(':') {
            Some((n, k)) => (
                n.to_string(),
                Some(k.parse::<usize>().map_err(|_| {
                    Error::invalid(format!(
                        "plan: sampler '{s}': steps '{k}' is not a whole number"
                    ))
                })?),
            ),
            None => (s.clone(), None),
        };
        let kind = SamplerKind::parse(&name)
            .map_err(|e| Error::invalid(format!("plan: sampler: {}", e.message)))?;
        if k.is_some() {
            kind.check_option("steps")
                .map_err(|e| Error::invalid(format!("plan: sampler '{s}': {}", e.message)))?;
        }
        samplers.push((kind.name().to_string(), k));
    }
    let samples = whole(&table, "samples", SampleConfig::default().n)?;
    let heldout_span = floats(&table, "heldout_span", 1.0)?;
    let likelihood_rows = whole(&table, "likelihood_rows", 500)?;
    let seeds: Vec<u64> = whole(&table, "seed", 0)?
        .into_iter()
        .map(|s| s as u64)
        .collect();
    for (key, v) in [("every", &every), ("width", &width), ("depth", &depth)]
        .into_iter()
        .chain([("steps", &steps), ("batch", &batch), ("samples", &samples)])
    {
        if v.contains(&0) {
            return Err(Error::invalid(format!("plan: {key} must be at least 1")));
        }
    }
    if heldout_span.contains(&0.0)
        || [&t_end, &periods, &heldout_periods]
            .iter()
            .any(|v| v.contains(&Some(0.0)))
    {
        return Err(Error::invalid(
            "plan: t_end, periods, heldout_span and heldout_periods must be positive",
        ));
    }

    let first_sde = sdes[0].clone();
    // The axes, outermost first; the last (seed) varies fastest.
    type Set = Box<dyn Fn(&mut Cell, usize)>;
    let axes: Vec<(usize, Set)> = vec![
        (noise.len(), Box::new(move |c, i| c.noise = noise[i])),
        (
            obs_noise.len(),
            Box::new(move |c, i| c.obs_noise = obs_noise[i]),
        ),
        (t_end.len(), Box::new(move |c, i| c.t_end = t_end[i])),
        (periods.len(), Box::new(move |c, i| c.periods = periods[i])),
        (every.len(), Box::new(move |c, i| c.every = every[i])),
        (sdes.len(), Box::new(move |c, i| c.sde = sdes[i].clone())),
        (
            objectives.len(),
            Box::new(move |c, i| c.objective = objectives[i].clone()),
        ),
        (archs.len(), Box::new(move |c, i| c.arch = archs[i].clone())),
        (width.len(), Box::new(move |c, i| c.width = width[i])),
        (depth.len(), Box::new(move |c, i| c.depth = depth[i])),
        (steps.len(), Box::new(move |c, i| c.steps = steps[i])),
        (batch.len(), Box::new(move |c, i| c.batch = batch[i])),
        (
            samplers.len(),
            Box::new(move |c, i| (c.sampler, c.sampler_steps) = samplers[i].clone()),
        ),
        (samples.len(), Box::new(move |c, i| c.samples = samples[i])),
        (
            heldout_span.len(),
            Box::new(move |c, i| c.heldout_span = heldout_span[i]),
        ),
        (
            heldout_periods.len(),
            Box::new(move |c, i| c.heldout_periods = heldout_periods[i]),
        ),
        (
            likelihood_rows.len(),
            Box::new(move |c, i| c.likelihood_rows = likelihood_rows[i]),
        ),
        (seeds.len(), Box::new(move |c, i| c.seed = seeds[i])),
    ];
    let per_system: usize = axes.iter().map(|(n, _)| n).product();
    let mut cells = vec![];
    // Combinations a product makes but no run can carry out are left out, counted by
    // reason; every other value was checked above (or is, per cell, just below).
    let mut skipped: BTreeMap<String, usize> = BTreeMap::new();
    for system in &systems {
        let info = scoredyn::dynamics::catalog::find(system)?;
        let stochastic = info.family == Family::Stochastic;
        for k in 0..per_system {
            let mut cell = Cell {
                system: system.clone(),
                noise: 0.0,
                obs_noise: 0.0,
                relative,
                t_end: None,
                periods: None,
                every: 10,
                sde: String::new(),
                objective: String::new(),
                arch: String::new(),
                width: 0,
                depth: 0,
                steps: 0,
                batch: 0,
                sampler: String::new(),
                sampler_steps: None,
                samples: 0,
                heldout_span: 1.0,
                heldout_periods: None,
                likelihood_rows: 0,
                seed: 0,
            };
            let mut rest = k;
            for (n, set) in axes.iter().rev() {
                set(&mut cell, rest % n);
                rest /= n;
            }
            match left_out(&cell, stochastic, info.dim, &first_sde)? {
                Some(why) => *skipped.entry(why).or_default() += 1,
                None => cells.push(cell),
            }
        }
    }
    let skipped = skipped
        .into_iter()
        .map(|(why, n)| format!("{n} cells: {why}"))
        .collect();
    Ok(Grid { cells, skipped })
}

/// Why the grid leaves this combination out (None: it is a cell), or the error of a
/// setting no cell could use (the whole plan is then refused).
fn left_out(
    cell: &Cell,
    stochastic: bool,
    dim: usize,
    first_sde: &str,
) -> Result<Option<String>, Error> {
    if stochastic && cell.noise > 0.0 {
        return Ok(Some(
            "added noise > 0 for a stochastic system (added noise applies to deterministic flows)"
                .into(),
        ));
    }
    let objective = Objective::parse(&cell.objective)?;
    let sde = Sde::parse(&cell.sde)?;
    if let Err(e) = objective.check(&sde) {
        return Ok(Some(format!(
            "{} with {}: {}",
            cell.objective, cell.sde, e.message
        )));
    }
    let arch = Arch::parse(&cell.arch)?;
    if let Err(e) = objective.check_arch(arch) {
        return Ok(Some(format!(
            "{} with {}: {}",
            cell.objective, cell.arch, e.message
        )));
    }
    let flow = arch == Arch::RealNvp;
    if flow && dim < 2 {
        return Ok(Some(
            "realnvp on 1-D data: coupling layers need at least 2 coordinates".into(),
        ));
    }
    if (objective.is_velocity() || flow) && cell.sde != first_sde {
        return Ok(Some(format!(
            "{} with {}: {} does not use the SDE; its cells are made once, with the plan's first SDE ({first_sde})",
            cell.objective,
            cell.sde,
            if flow {
                "a RealNVP"
            } else {
                "a velocity model (flow matching, CNF)"
            }
        )));
    }
    let kind = SamplerKind::parse(&cell.sampler)?;
    let inverse = kind.name() == scoredyn::score::sampling::registry::INVERSE;
    if flow != inverse {
        return Ok(Some(if flow {
            format!(
                "realnvp with {}: a RealNVP samples by its exact inverse",
                cell.sampler
            )
        } else {
            format!(
                "{} with inverse: the exact inverse samples a RealNVP only",
                cell.objective
            )
        }));
    }
    if objective.is_velocity() && !kind.info().velocity {
        return Ok(Some(format!(
            "{} with {}: a velocity model samples with an ODE sampler",
            cell.objective, cell.sampler
        )));
    }
    if !objective.is_velocity() && !flow && !kind.supports_sde(&cell.sde) {
        return Ok(Some(format!(
            "{} is not defined for {}",
            cell.sampler, cell.sde
        )));
    }
    TrainSpec {
        steps: cell.steps,
        batch: cell.batch,
        width: cell.width,
        depth: cell.depth,
        sde: cell.sde.clone(),
        objective: cell.objective.clone(),
        arch: cell.arch.clone(),
        ..TrainSpec::default()
    }
    .validate()
    .map_err(|e| Error::invalid(format!("plan: {}", e.message)))?;
    Ok(None)
}

/// The settings that only decide how a cell samples: cells that differ only in these
/// share one trained model.
const SAMPLING: [&str; 3] = ["sampler", "sampler_steps", "samples"];
/// The settings that decide a model, beyond its data: cells that differ only in these
/// and in sampling share one simulation and held-out trajectory.
const TRAINING: [&str; 8] = [
    "sde",
    "objective",
    "arch",
    "width",
    "depth",
    "steps",
    "batch",
    "likelihood_rows",
];

impl Cell {
    fn key_without(&self, drop: &[&str]) -> String {
        let mut v = serde_json::to_value(self).expect("cells serialize");
        let o = v.as_object_mut().expect("an object");
        for k in drop {
            o.remove(*k);
        }
        v.to_string()
    }

    /// Cells with the same model key share one trained model (and its likelihood).
    pub fn model_key(&self) -> String {
        self.key_without(&SAMPLING)
    }

    /// Cells with the same data key share one simulation and held-out trajectory.
    pub fn data_key(&self) -> String {
        let mut drop = SAMPLING.to_vec();
        drop.extend(TRAINING);
        self.key_without(&drop)
    }

    /// A stable identity: FNV-1a of the cell's canonical JSON (its settings only).
    pub fn id(&self) -> String {
        let text = serde_json::to_string(self).expect("cells serialize");
        let mut h: u64 = 0xcbf29ce484222325;
        for b in text.bytes() {
            h ^= b as u64;
            h = h.wrapping_mul(0x100000001b3);
        }
        format!("{h:016x}")
    }
}

/// The grid's cells grouped by their data (`Cell::data_key`), as indices into the
/// grid: groups in the order of their first cell, cells in grid order. A group is the
/// unit of work and of sharding (group g belongs to shard g mod N).
pub fn data_groups(cells: &[Cell]) -> Vec<Vec<usize>> {
    let mut index: std::collections::HashMap<String, usize> = Default::default();
    let mut groups: Vec<Vec<usize>> = vec![];
    for (i, c) in cells.iter().enumerate() {
        let g = *index.entry(c.data_key()).or_insert_with(|| {
            groups.push(vec![]);
            groups.len() - 1
        });
        groups[g].push(i);
    }
    groups
}

/// `I/N` (0 <= I < N).
pub fn shard(text: &str) -> Result<(usize, usize), String> {
    let (i, n) = text
        .split_once('/')
        .ok_or_else(|| format!("--shard takes I/N (e.g. 0/3), got '{text}'"))?;
    let (i, n): (usize, usize) = match (i.trim().parse(), n.trim().parse()) {
        (Ok(i), Ok(n)) => (i, n),
        _ => return Err(format!("--shard takes whole numbers I/N, got '{text}'")),
    };
    if n == 0 || i >= n {
        return Err(format!(
            "--shard I/N needs 0 <= I < N, got {i}/{n} (shards are numbered from 0)"
        ));
    }
    Ok((i, n))
}
