//! A sweep's report: the lines of any number of results files merged by cell id, the
//! tables (Markdown) and the figures (SVG, drawn with plotters) of `scoredyn report`.
//!
//! Quality is the SWD over the held-out floor (1: as close as another draw of the
//! system). Ratios spread over orders of magnitude, so a group of cells is summarized
//! by its geometric mean, with the interval of one standard error of the mean of the
//! logarithms, and the number of cells.

use plotters::prelude::*;
use scoredyn::Error;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The merged lines (one per cell id; a later file's line replaces an earlier one's),
/// and notes on what was skipped.
pub fn load(
    paths: &[String],
    read: impl Fn(&str) -> Result<String, Error>,
) -> Result<(Vec<Value>, Vec<String>), Error> {
    let mut by_id: BTreeMap<String, Value> = BTreeMap::new();
    let mut notes = vec![];
    for path in paths {
        for (k, line) in read(path)?
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            match serde_json::from_str::<Value>(line) {
                Ok(v) if v["id"].is_string() && v["cell"].is_object() => {
                    let id = v["id"].as_str().unwrap_or_default().to_string();
                    by_id.insert(id, v);
                }
                _ => notes.push(format!(
                    "{path} line {}: not a sweep cell's line, skipped",
                    k + 1
                )),
            }
        }
    }
    if by_id.is_empty() {
        return Err(Error::invalid(format!(
            "no sweep cells in {}",
            paths.join(", ")
        )));
    }
    let mut lines: Vec<Value> = by_id.into_values().collect();
    lines.sort_by_key(|v| v["index"].as_u64().unwrap_or(u64::MAX));
    Ok((lines, notes))
}

/// Geometric mean and its one-standard-error interval.
#[derive(Clone, Copy)]
struct Geo {
    mean: f64,
    lo: f64,
    hi: f64,
    n: usize,
}

fn geo(values: &[f64]) -> Option<Geo> {
    let logs: Vec<f64> = values
        .iter()
        .filter(|v| **v > 0.0 && v.is_finite())
        .map(|v| v.ln())
        .collect();
    let n = logs.len();
    if n == 0 {
        return None;
    }
    let m = logs.iter().sum::<f64>() / n as f64;
    let se = if n > 1 {
        (logs.iter().map(|l| (l - m).powi(2)).sum::<f64>() / (n - 1) as f64 / n as f64).sqrt()
    } else {
        0.0
    };
    Some(Geo {
        mean: m.exp(),
        lo: (m - se).exp(),
        hi: (m + se).exp(),
        n,
    })
}

fn show(g: Option<Geo>) -> String {
    match g {
        Some(g) if g.n > 1 => format!("{:.2} [{:.2}, {:.2}] ({})", g.mean, g.lo, g.hi, g.n),
        Some(g) => format!("{:.2} (1)", g.mean),
        None => "–".into(),
    }
}

fn ok(v: &Value) -> bool {
    v["status"] == "ok"
}

fn ratio(v: &Value) -> f64 {
    v["metrics"]["swd_ratio"].as_f64().unwrap_or(f64::NAN)
}

fn family(v: &Value) -> String {
    v["system"]["family"].as_str().unwrap_or("?").to_string()
}

/// "objective / SDE".
fn method(v: &Value) -> String {
    format!(
        "{} / {}",
        v["cell"]["objective"].as_str().unwrap_or("?"),
        v["cell"]["sde"].as_str().unwrap_or("?")
    )
}

fn num(v: &Value) -> String {
    match v.as_f64() {
        Some(x) if x.fract() == 0.0 => format!("{x}"),
        Some(x) => format!("{x:.3}"),
        None => "–".into(),
    }
}

/// Ranks (1-based, ties averaged).
fn ranks(x: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|a, b| x[*a].total_cmp(&x[*b]));
    let mut r = vec![0.0; x.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && x[idx[j + 1]] == x[idx[i]] {
            j += 1;
        }
        for k in i..=j {
            r[idx[k]] = (i + j) as f64 / 2.0 + 1.0;
        }
        i = j + 1;
    }
    r
}

/// Spearman's rank correlation.
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() < 3 || x.len() != y.len() {
        return None;
    }
    let (rx, ry) = (ranks(x), ranks(y));
    let n = x.len() as f64;
    let (mx, my) = (rx.iter().sum::<f64>() / n, ry.iter().sum::<f64>() / n);
    let cov: f64 = rx.iter().zip(&ry).map(|(a, b)| (a - mx) * (b - my)).sum();
    let vx: f64 = rx.iter().map(|a| (a - mx).powi(2)).sum();
    let vy: f64 = ry.iter().map(|b| (b - my).powi(2)).sum();
    (vx > 0.0 && vy > 0.0).then(|| cov / (vx * vy).sqrt())
}

/// Groups the ok cells by `key` and summarizes their quality.
fn groups(lines: &[Value], key: impl Fn(&Value) -> String) -> BTreeMap<String, Vec<f64>> {
    let mut g: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for v in lines.iter().filter(|v| ok(v)) {
        g.entry(key(v)).or_default().push(ratio(v));
    }
    g
}

/// One figure: quality (log scale) against `x` for each series, with error bars.
fn figure(
    path: &std::path::Path,
    title: &str,
    x_label: &str,
    series: &BTreeMap<String, Vec<(f64, Geo)>>,
) -> Result<(), Error> {
    let points: Vec<(f64, Geo)> = series.values().flatten().copied().collect();
    if points.is_empty() {
        return Ok(());
    }
    let (x0, x1) = points.iter().fold((f64::MAX, f64::MIN), |(a, b), (x, _)| {
        (a.min(*x), b.max(*x))
    });
    let pad = ((x1 - x0) * 0.08).max(0.05 * x1.abs().max(1e-9));
    let (y0, y1) = points.iter().fold((f64::MAX, f64::MIN), |(a, b), (_, g)| {
        (a.min(g.lo), b.max(g.hi))
    });
    let (y0, y1) = ((y0 * 0.8).min(0.9), (y1 * 1.25).max(2.0));
    let fail =
        |e: &dyn std::fmt::Display| Error::io(format!("cannot draw {}: {e}", path.display()));
    let root = SVGBackend::new(path, (720, 440)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| fail(&e))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d((x0 - pad)..(x1 + pad), (y0..y1).log_scale())
        .map_err(|e| fail(&e))?;
    chart
        .configure_mesh()
        .x_desc(x_label)
        .y_desc("SWD / held-out floor (geometric mean, ±1 s.e.)")
        .draw()
        .map_err(|e| fail(&e))?;
    for (k, (name, pts)) in series.iter().enumerate() {
        let color = Palette99::pick(k).to_rgba();
        let line: Vec<(f64, f64)> = pts.iter().map(|(x, g)| (*x, g.mean)).collect();
        chart
            .draw_series(LineSeries::new(line.clone(), color.stroke_width(2)))
            .map_err(|e| fail(&e))?
            .label(name.as_str())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
            });
        chart
            .draw_series(
                pts.iter().map(|(x, g)| {
                    ErrorBar::new_vertical(*x, g.lo, g.mean, g.hi, color.filled(), 8)
                }),
            )
            .map_err(|e| fail(&e))?;
        chart
            .draw_series(line.iter().map(|p| Circle::new(*p, 3, color.filled())))
            .map_err(|e| fail(&e))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(|e| fail(&e))?;
    root.present().map_err(|e| fail(&e))?;
    Ok(())
}

/// Writes `dir/README.md` and its figures; returns the files written.
pub fn write(
    lines: &[Value],
    notes: &[String],
    sources: &[String],
    preface: Option<&str>,
    dir: &std::path::Path,
) -> Result<Vec<String>, Error> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::io(format!("cannot create {}: {e}", dir.display())))?;
    let mut md = String::new();
    let n_ok = lines.iter().filter(|v| ok(v)).count();
    let seconds: f64 = lines.iter().filter_map(|v| v["seconds"].as_f64()).sum();
    let commits: std::collections::BTreeSet<&str> =
        lines.iter().filter_map(|v| v["commit"].as_str()).collect();
    match preface {
        Some(text) => {
            let _ = writeln!(md, "{}\n\n## The report\n", text.trim_end());
        }
        None => {
            let _ = writeln!(md, "# Sweep report\n");
        }
    }
    let _ = writeln!(
        md,
        "{} cells from {} ({} ok, {} failed), {:.0} s of cell time in all; commit {}. \
         Quality is the SWD of the samples to the held-out trajectory over the calibrated floor \
         (1: as close as another draw of the system); a group is summarized by its geometric mean, \
         [the interval of one standard error of the mean log], and (the number of cells).\n",
        lines.len(),
        sources.join(", "),
        n_ok,
        lines.len() - n_ok,
        seconds,
        commits.into_iter().collect::<Vec<_>>().join(", ")
    );
    let mut files = vec!["README.md".to_string()];

    // SDE x sampler, per objective.
    let _ = writeln!(md, "## Objective and SDE × sampler\n");
    let cols: Vec<String> = groups(lines, |v| {
        v["cell"]["sampler"].as_str().unwrap_or("?").to_string()
    })
    .into_keys()
    .collect();
    let rows = groups(lines, method);
    let _ = writeln!(
        md,
        "| objective / SDE | {} | held-out nats/dim |",
        cols.join(" | ")
    );
    let _ = writeln!(md, "|---|{}---|", "---|".repeat(cols.len()));
    for row in rows.keys() {
        let mut cells = vec![];
        for col in &cols {
            let vals: Vec<f64> = lines
                .iter()
                .filter(|v| ok(v) && v["cell"]["sampler"] == col.as_str())
                .filter(|v| method(v) == *row)
                .map(ratio)
                .collect();
            cells.push(show(geo(&vals)));
        }
        let nats: Vec<f64> = lines
            .iter()
            .filter(|v| ok(v))
            .filter(|v| method(v) == *row)
            .filter_map(|v| v["likelihood"]["nats_per_dim"].as_f64())
            .collect();
        let like = if nats.is_empty() {
            "–".to_string()
        } else {
            let m = nats.iter().sum::<f64>() / nats.len() as f64;
            let se = (nats.iter().map(|x| (x - m).powi(2)).sum::<f64>()
                / (nats.len().max(2) - 1) as f64
                / nats.len() as f64)
                .sqrt();
            format!("{m:.3} ± {se:.3} ({})", nats.len())
        };
        let _ = writeln!(md, "| {row} | {} | {like} |", cells.join(" | "));
    }

    // Quality against noise and against training-set size, per family.
    for (file, title, x_label, x_of) in [
        (
            "noise.svg",
            "Quality against added noise",
            "added noise (as in the plan)",
            "noise",
        ),
        (
            "size.svg",
            "Quality against training-set size",
            if lines.iter().any(|v| v["cell"]["periods"].is_number()) {
                "training span (the system's periods)"
            } else {
                "training span t_end (the system's time units)"
            },
            "span",
        ),
    ] {
        let x = |v: &Value| -> f64 {
            if x_of == "noise" {
                v["cell"]["noise"].as_f64().unwrap_or(f64::NAN)
            } else {
                v["cell"]["periods"]
                    .as_f64()
                    .or_else(|| v["cell"]["t_end"].as_f64())
                    .or_else(|| v["data"]["t_end"].as_f64())
                    .unwrap_or(f64::NAN)
            }
        };
        let mut series: BTreeMap<String, Vec<(f64, Geo)>> = BTreeMap::new();
        let by = groups(lines, |v| format!("{}\u{1}{}", family(v), x(v)));
        for (k, vals) in &by {
            let (fam, xv) = k.split_once('\u{1}').unwrap_or(("?", "nan"));
            if let (Ok(xv), Some(g)) = (xv.parse::<f64>(), geo(vals)) {
                series.entry(fam.to_string()).or_default().push((xv, g));
            }
        }
        for pts in series.values_mut() {
            pts.sort_by(|a, b| a.0.total_cmp(&b.0));
        }
        let _ = writeln!(md, "\n## {title}\n");
        let _ = writeln!(md, "| family | {x_label} | quality |\n|---|---|---|");
        for (fam, pts) in &series {
            for (xv, g) in pts {
                let _ = writeln!(md, "| {fam} | {xv} | {} |", show(Some(*g)));
            }
        }
        if series.values().any(|p| p.len() > 1) {
            figure(&dir.join(file), title, x_label, &series)?;
            let _ = writeln!(md, "\n![{title}]({file})");
            files.push(file.to_string());
        }
    }

    ode_against_sde(&mut md, lines);

    // The hardest systems, with their invariants.
    let _ = writeln!(md, "\n## Systems from hardest to easiest\n");
    let per_system = groups(lines, |v| {
        v["cell"]["system"].as_str().unwrap_or("?").to_string()
    });
    let mut ranked: Vec<(String, Geo, &Value)> = per_system
        .iter()
        .filter_map(|(s, vals)| {
            let line = lines
                .iter()
                .find(|v| v["cell"]["system"] == s.as_str() && ok(v))?;
            Some((s.clone(), geo(vals)?, &line["system"]))
        })
        .collect();
    ranked.sort_by(|a, b| b.1.mean.total_cmp(&a.1.mean));
    let _ = writeln!(
        md,
        "| system | family | dim | λ_max | correlation dim | Kaplan-Yorke dim | quality |\n|---|---|---|---|---|---|---|"
    );
    for (s, g, sys) in &ranked {
        let _ = writeln!(
            md,
            "| {s} | {} | {} | {} | {} | {} | {} |",
            sys["family"].as_str().unwrap_or("?"),
            num(&sys["dim"]),
            num(&sys["max_lyapunov"]),
            num(&sys["correlation_dimension"]),
            num(&sys["kaplan_yorke_dimension"]),
            show(Some(*g))
        );
    }
    let _ = writeln!(
        md,
        "\nSpearman rank correlation of the quality ratio (higher: harder) with each invariant, over the systems that have it:\n"
    );
    for (key, label) in [
        ("dim", "dimension"),
        ("max_lyapunov", "largest Lyapunov exponent"),
        ("correlation_dimension", "correlation dimension"),
        ("kaplan_yorke_dimension", "Kaplan-Yorke dimension"),
    ] {
        let pairs: Vec<(f64, f64)> = ranked
            .iter()
            .filter_map(|(_, g, sys)| Some((sys[key].as_f64()?, g.mean)))
            .collect();
        let (a, b): (Vec<f64>, Vec<f64>) = pairs.iter().copied().unzip();
        let rho = spearman(&a, &b).map_or("– (fewer than 3 systems)".to_string(), |r| {
            format!("{r:+.2}")
        });
        let _ = writeln!(md, "- {label}: {rho} over {} systems", pairs.len());
    }

    // Failures.
    let failed: Vec<&Value> = lines.iter().filter(|v| !ok(v)).collect();
    let _ = writeln!(md, "\n## Failures ({})\n", failed.len());
    if !failed.is_empty() {
        let _ = writeln!(
            md,
            "| cell | system | objective / SDE | sampler | stage | error |\n|---|---|---|---|---|---|"
        );
        for v in failed {
            let c = &v["cell"];
            let _ = writeln!(
                md,
                "| {} | {} | {} / {} | {} | {} | {} |",
                v["index"],
                c["system"].as_str().unwrap_or("?"),
                c["objective"].as_str().unwrap_or("?"),
                c["sde"].as_str().unwrap_or("?"),
                c["sampler"].as_str().unwrap_or("?"),
                v["stage"].as_str().unwrap_or("?"),
                v["error"].as_str().unwrap_or("?").replace('|', "\\|")
            );
        }
    }
    if !notes.is_empty() {
        let _ = writeln!(md, "\n## Notes\n");
        for n in notes {
            let _ = writeln!(md, "- {n}");
        }
    }
    let path = dir.join("README.md");
    std::fs::write(&path, md)
        .map_err(|e| Error::io(format!("cannot write {}: {e}", path.display())))?;
    let path = dir.join(CELLS);
    std::fs::write(&path, cells_table(lines).to_string())
        .map_err(|e| Error::io(format!("cannot write {}: {e}", path.display())))?;
    files.push(CELLS.to_string());
    Ok(files)
}

/// The study page's table (www/study.html): one row per cell, the columns below.
pub const CELLS: &str = "cells.json";

/// Every cell as a row of `CELLS`' columns: its settings, what it resolved to (the
/// span, the noise per coordinate), its status and its figures.
fn cells_table(lines: &[Value]) -> Value {
    type Get = fn(&Value) -> Value;
    let columns: &[(&str, Get)] = &[
        ("index", |v| v["index"].clone()),
        ("id", |v| v["id"].clone()),
        ("system", |v| v["cell"]["system"].clone()),
        ("family", |v| v["system"]["family"].clone()),
        ("dim", |v| v["system"]["dim"].clone()),
        ("max_lyapunov", |v| v["system"]["max_lyapunov"].clone()),
        ("correlation_dimension", |v| {
            v["system"]["correlation_dimension"].clone()
        }),
        ("noise", |v| v["cell"]["noise"].clone()),
        ("relative", |v| v["cell"]["relative"].clone()),
        ("obs_noise", |v| v["cell"]["obs_noise"].clone()),
        ("periods", |v| v["cell"]["periods"].clone()),
        ("t_end", |v| v["data"]["t_end"].clone()),
        ("every", |v| v["cell"]["every"].clone()),
        ("rows", |v| v["data"]["rows"].clone()),
        ("noise_sigma", |v| v["data"]["noise_sigma"].clone()),
        ("obs_noise_std", |v| v["data"]["obs_noise"].clone()),
        ("sde", |v| v["cell"]["sde"].clone()),
        ("objective", |v| v["cell"]["objective"].clone()),
        ("width", |v| v["cell"]["width"].clone()),
        ("depth", |v| v["cell"]["depth"].clone()),
        ("steps", |v| v["cell"]["steps"].clone()),
        ("batch", |v| v["cell"]["batch"].clone()),
        ("sampler", |v| v["cell"]["sampler"].clone()),
        ("sampler_steps", |v| v["cell"]["sampler_steps"].clone()),
        ("samples", |v| v["cell"]["samples"].clone()),
        ("seed", |v| v["cell"]["seed"].clone()),
        ("status", |v| v["status"].clone()),
        ("stage", |v| v["stage"].clone()),
        ("error", |v| v["error"].clone()),
        ("swd_ratio", |v| v["metrics"]["swd_ratio"].clone()),
        ("swd_ratio_se", |v| v["metrics"]["swd_ratio_se"].clone()),
        ("mmd", |v| v["metrics"]["mmd"].clone()),
        ("energy", |v| v["metrics"]["energy"].clone()),
        ("mean_error", |v| v["metrics"]["mean_error"].clone()),
        ("cov_error", |v| v["metrics"]["cov_error"].clone()),
        ("corr_dim_samples", |v| {
            v["metrics"]["corr_dim_samples"].clone()
        }),
        ("corr_dim_reference", |v| {
            v["metrics"]["corr_dim_reference"].clone()
        }),
        ("nats_per_dim", |v| v["likelihood"]["nats_per_dim"].clone()),
        ("nfe", |v| v["sample"]["nfe"].clone()),
        ("seconds", |v| v["seconds"].clone()),
    ];
    // Rounded: the page shows 3 significant figures, and the file stays small.
    fn round(v: Value) -> Value {
        match v {
            Value::Number(n) if n.is_f64() => {
                let x = n.as_f64().unwrap_or(f64::NAN);
                let r: f64 = format!("{x:.4e}").parse().unwrap_or(x);
                serde_json::json!(r)
            }
            Value::Array(a) => Value::Array(a.into_iter().map(round).collect()),
            other => other,
        }
    }
    let rows: Vec<Value> = lines
        .iter()
        .map(|v| Value::Array(columns.iter().map(|(_, get)| round(get(v))).collect()))
        .collect();
    serde_json::json!({
        "columns": columns.iter().map(|(k, _)| *k).collect::<Vec<_>>(),
        "rows": rows,
    })
}

/// The cell's model: its settings without the sampling ones.
fn model_of(v: &Value) -> String {
    let mut c = v["cell"].clone();
    if let Some(o) = c.as_object_mut() {
        for k in ["sampler", "sampler_steps", "samples"] {
            o.remove(k);
        }
    }
    c.to_string()
}

fn is_ode(v: &Value) -> Option<bool> {
    let kind = scoredyn::score::SamplerKind::parse(v["cell"]["sampler"].as_str()?).ok()?;
    Some(kind.info().velocity)
}

/// The probability-flow ODE against the reverse SDE on the same trained model: their
/// quality ratio, and the models where the ODE breaks (2x worse) while the SDE holds
/// (within 1.5x of the floor).
fn ode_against_sde(md: &mut String, lines: &[Value]) {
    let mut by_model: BTreeMap<String, (Vec<&Value>, Vec<&Value>)> = BTreeMap::new();
    for v in lines.iter().filter(|v| ok(v)) {
        match is_ode(v) {
            Some(true) => by_model.entry(model_of(v)).or_default().0.push(v),
            Some(false) => by_model.entry(model_of(v)).or_default().1.push(v),
            None => {}
        }
    }
    let pairs: Vec<(&Value, f64, f64)> = by_model
        .values()
        .filter_map(|(ode, sde)| Some((*ode.first()?, ratio(ode[0]), ratio(sde.first()?))))
        .collect();
    if pairs.is_empty() {
        return;
    }
    let _ = writeln!(
        md,
        "\n## The probability-flow ODE against the reverse SDE, same model\n\n\
         Per model trained once and sampled both ways: ODE quality / SDE quality (above 1: the ODE \
         is worse), and the models where the ODE breaks (2× worse than the SDE) while the SDE \
         holds (within 1.5× of the floor).\n"
    );
    let _ = writeln!(
        md,
        "| objective / SDE | added noise | ODE / SDE | ODE breaks, SDE holds |\n|---|---|---|---|"
    );
    let mut rows: BTreeMap<(String, String), Vec<(f64, bool)>> = BTreeMap::new();
    let mut breaks: BTreeMap<String, usize> = BTreeMap::new();
    for (v, ode, sde) in &pairs {
        let broke = *ode > 2.0 * sde && *sde <= 1.5;
        if broke {
            *breaks
                .entry(v["cell"]["system"].as_str().unwrap_or("?").to_string())
                .or_default() += 1;
        }
        rows.entry((method(v), num(&v["cell"]["noise"])))
            .or_default()
            .push((ode / sde, broke));
    }
    for ((m, noise), vals) in &rows {
        let r: Vec<f64> = vals.iter().map(|(r, _)| *r).collect();
        let n_broke = vals.iter().filter(|(_, b)| *b).count();
        let _ = writeln!(
            md,
            "| {m} | {noise} | {} | {n_broke} of {} |",
            show(geo(&r)),
            vals.len()
        );
    }
    let mut worst: Vec<(String, usize)> = breaks.into_iter().collect();
    worst.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    if !worst.is_empty() {
        let list: Vec<String> = worst
            .iter()
            .take(12)
            .map(|(s, n)| format!("{s} ({n})"))
            .collect();
        let _ = writeln!(
            md,
            "\nSystems where the ODE breaks most often (models): {}.",
            list.join(", ")
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Spearman against values computed by hand: monotone +1 and -1, and the textbook
    /// example with one swap among five (rho = 1 - 6 * 2 / (5 * 24) = 0.9).
    #[test]
    fn spearman_matches_hand_computed_values() {
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert!((spearman(&x, &[2.0, 4.0, 8.0, 16.0, 32.0]).unwrap() - 1.0).abs() < 1e-12);
        assert!((spearman(&x, &[5.0, 4.0, 3.0, 2.0, 1.0]).unwrap() + 1.0).abs() < 1e-12);
        assert!((spearman(&x, &[1.0, 3.0, 2.0, 4.0, 5.0]).unwrap() - 0.9).abs() < 1e-12);
        assert_eq!(ranks(&[3.0, 1.0, 3.0]), vec![2.5, 1.0, 2.5]);
    }

    #[test]
    fn geometric_means_and_their_interval() {
        let g = geo(&[1.0, 4.0]).unwrap();
        assert!((g.mean - 2.0).abs() < 1e-12);
        // logs 0 and ln 4: sd ln 4 / sqrt 2, se ln 4 / 2 = ln 2.
        assert!((g.hi - 4.0).abs() < 1e-9 && (g.lo - 1.0).abs() < 1e-9);
        assert!(geo(&[f64::NAN, -1.0]).is_none());
    }
}
