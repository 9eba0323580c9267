//! A catalog entry as JSON, as `scoredyn systems --json` and the page list it, with its simulation defaults.

use super::simulation::SimulateOptions;
use super::system::System;
use super::types::SystemInfo;

/// A catalog entry as JSON, as `scoredyn systems --json` and the page show it.
pub fn to_json(s: &SystemInfo) -> serde_json::Value {
    // The simulation defaults `SimulateOptions::resolve` picks for this system.
    let defaults = System::new(&s.name).ok().and_then(|sys| {
        let r = SimulateOptions::default().resolve(&sys).ok()?;
        Some(serde_json::json!({
            "dt": r.dt, "t_end": r.t_end, "burn_in": r.burn_in, "every": r.every,
            "method": r.method.as_str(),
        }))
    });
    let params: serde_json::Map<String, serde_json::Value> = s
        .params
        .iter()
        .map(|p| {
            let v = if p.is_scalar() {
                serde_json::json!(p.value[0])
            } else {
                serde_json::json!({ "shape": p.shape, "values": p.value })
            };
            (p.name.clone(), v)
        })
        .collect();
    serde_json::json!({
        "name": s.name,
        "family": s.family.as_str(),
        "dim": s.dim,
        "stochastic": s.stochastic(),
        "supported": s.supported(),
        "unsupported_reason": s.unsupported,
        "nonautonomous": s.nonautonomous,
        "postprocessed": s.has_postprocessing(),
        "parameters": params,
        "initial_condition": s.initial_condition,
        "dt": s.dt,
        "period": s.period,
        "max_lyapunov": s.max_lyapunov,
        "correlation_dimension": s.correlation_dimension,
        "kaplan_yorke_dimension": s.kaplan_yorke_dimension,
        "mean": s.mean,
        "std": s.std,
        "description": s.description,
        "citation": s.citation,
        "defaults": defaults,
    })
}
