//! Catalog loading: dysts' metadata (`catalog.json`) joined by name with their equations, plus the stochastic systems.

use std::sync::OnceLock;

use serde_json::Value;

use super::flows;
use super::stochastic;
use super::types::{Family, ParamSpec, SystemInfo};
use crate::Error;

/// dysts' own metadata, made by `scripts/dysts_reference.sh`.
static CATALOG_JSON: &str = include_str!("catalog.json");
static CATALOG: OnceLock<Vec<SystemInfo>> = OnceLock::new();

fn f64s(v: &Value) -> Option<Vec<f64>> {
    v.as_array()?.iter().map(Value::as_f64).collect()
}

/// A JSON number or (nested) list as a flat vector and its shape.
fn flatten(v: &Value) -> Option<(Vec<f64>, Vec<usize>)> {
    match v {
        Value::Number(n) => Some((vec![n.as_f64()?], vec![])),
        Value::Array(items) => {
            let mut flat = Vec::new();
            let mut inner: Option<Vec<usize>> = None;
            for item in items {
                let (f, s) = flatten(item)?;
                if inner.as_ref().is_some_and(|i| *i != s) {
                    return None;
                }
                inner = Some(s);
                flat.extend(f);
            }
            let mut shape = vec![items.len()];
            shape.extend(inner.unwrap_or_default());
            Some((flat, shape))
        }
        _ => None,
    }
}

fn parse_dysts(name: &str, e: &Value) -> Result<SystemInfo, String> {
    let str_of = |k: &str| e[k].as_str().unwrap_or("").trim().to_string();
    let num = |k: &str| e[k].as_f64();
    let ic = f64s(&e["initial_conditions"]).ok_or("initial_conditions")?;
    let mut params = Vec::new();
    for (pname, pv) in e["parameters"].as_object().ok_or("parameters")? {
        let (value, shape) = flatten(pv).ok_or_else(|| format!("parameter {pname}"))?;
        params.push(ParamSpec {
            name: pname.clone(),
            value,
            shape,
        });
    }
    params.sort_by(|a, b| a.name.cmp(&b.name));
    let delay = e["delay"].as_bool().unwrap_or(false);
    let flow = flows::flow(name);
    let unsupported = if delay {
        Some("a delay differential equation; scoredyn integrates ordinary and stochastic differential equations only".to_string())
    } else if flow.is_none() {
        Some("its equations are not in scoredyn".to_string())
    } else {
        None
    };
    Ok(SystemInfo {
        name: name.to_string(),
        family: if delay { Family::Delay } else { Family::Flow },
        dim: ic.len(),
        params,
        initial_condition: ic,
        dt: num("dt").ok_or("dt")?,
        period: num("period").ok_or("period")?,
        max_lyapunov: num("maximum_lyapunov_estimated"),
        correlation_dimension: num("correlation_dimension"),
        kaplan_yorke_dimension: num("kaplan_yorke_dimension"),
        mean: f64s(&e["mean"]),
        std: f64s(&e["std"]),
        description: str_of("description"),
        citation: str_of("citation"),
        nonautonomous: e["nonautonomous"].as_bool().unwrap_or(false),
        unsupported,
        rhs: flow.map(|f| f.rhs),
        post: flows::post(name).map(|p| p.map),
        noise: None,
        grid_axes: 0,
    })
}

fn build() -> Vec<SystemInfo> {
    let root: Value = serde_json::from_str(CATALOG_JSON).expect("catalog.json is valid JSON");
    let systems = root["systems"]
        .as_object()
        .expect("catalog.json has a systems object");
    let mut out: Vec<SystemInfo> = systems
        .iter()
        .map(|(name, e)| {
            parse_dysts(name, e).unwrap_or_else(|f| panic!("catalog.json: {name}: bad {f}"))
        })
        .collect();
    out.extend(stochastic::systems());
    out
}

/// Every system, supported or not: dysts' flows (alphabetical, equations in
/// [`flows`](super::flows)), then the systems of [`stochastic`](super::stochastic).
pub fn catalog() -> &'static [SystemInfo] {
    CATALOG.get_or_init(build)
}

/// Looks a system up by name (case-insensitive).
pub fn find(name: &str) -> Result<&'static SystemInfo, Error> {
    catalog()
        .iter()
        .find(|s| s.name.eq_ignore_ascii_case(name))
        .ok_or_else(|| {
            let mut near: Vec<&str> = catalog()
                .iter()
                .filter(|s| {
                    let (a, b) = (s.name.to_lowercase(), name.to_lowercase());
                    !b.is_empty() && (a.contains(&b) || b.contains(&a))
                })
                .map(|s| s.name.as_str())
                .collect();
            near.truncate(8);
            let hint = if near.is_empty() {
                "run `scoredyn systems` for the list".to_string()
            } else {
                format!("did you mean {}?", near.join(", "))
            };
            Error::invalid(format!("unknown system '{name}'; {hint}"))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_entries_are_consistent() {
        let cat = catalog();
        let flows = cat.iter().filter(|s| s.family == Family::Flow).count();
        let delays = cat.iter().filter(|s| s.family == Family::Delay).count();
        assert_eq!((flows, delays), (129, 6));
        for s in cat {
            assert_eq!(s.initial_condition.len(), s.dim, "{}", s.name);
            if let (Some(m), Some(sd)) = (&s.mean, &s.std) {
                assert_eq!((m.len(), sd.len()), (s.dim, s.dim), "{}", s.name);
            }
            if s.family == Family::Flow {
                assert!(s.supported(), "{}", s.name);
            }
        }
    }

    #[test]
    fn equations_bind_the_catalog_parameters_by_name() {
        for s in catalog().iter().filter(|s| s.family == Family::Flow) {
            let flow = flows::flow(&s.name).unwrap();
            if let Some(names) = flow.params {
                let ours: Vec<&str> = names.iter().map(|n| n.trim_end_matches('_')).collect();
                let theirs: Vec<&str> = s.params.iter().map(|p| p.name.as_str()).collect();
                assert_eq!(ours, theirs, "{}", s.name);
            }
        }
    }
}
