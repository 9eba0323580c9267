//! `scoredyn sweep` and `scoredyn report` as a user (and a cluster) runs them, on a tiny
//! plan of 24 cells:
//! every cell is a line, failures included; resume skips what is done and redoes a cell
//! whose line was cut short; the same cell gives the same numbers; and three shards
//! run by GNU parallel, or as a Slurm array, give exactly the unsharded run's cells.
#![cfg(not(target_arch = "wasm32"))]

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const PLAN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tiny-plan.toml");
const BIN: &str = env!("CARGO_BIN_EXE_scoredyn");

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("scoredyn-sweep-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn sweep(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(BIN);
    c.arg("sweep").args(args);
    for k in [
        "SLURM_ARRAY_TASK_ID",
        "SLURM_ARRAY_TASK_COUNT",
        "SLURM_ARRAY_TASK_MIN",
    ] {
        c.env_remove(k);
    }
    c.envs(env.iter().copied());
    c.output().expect("runs")
}

fn ok(args: &[&str]) -> Value {
    let out = sweep(args, &[]);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A line without its wall times and what its run shared (a resumed group shares with
/// fewer cells): the only fields allowed to differ between runs.
fn untimed(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| {
                    !matches!(k.as_str(), "seconds" | "steps_per_second" | "shared_by")
                })
                .map(|(k, v)| (k.clone(), untimed(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The valid lines of a results file, by cell id (each id must appear once).
fn lines(path: &Path) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for line in std::fs::read_to_string(path).unwrap().lines() {
        let Ok(v) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        let id = v["id"].as_str().unwrap().to_string();
        assert!(
            out.insert(id.clone(), untimed(&v)).is_none(),
            "{id} twice in {path:?}"
        );
    }
    out
}

#[test]
fn a_sweep_writes_every_cell_resumes_and_shards_to_the_same_cells() {
    let d = dir();
    let all = d.join("all.jsonl");
    let path = all.to_str().unwrap();
    let first = sweep(&["--plan", PLAN, "--out", path, "--jobs", "2"], &[]);
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert!(first.status.success(), "{stderr}");
    let summary: Value = serde_json::from_slice(&first.stdout).unwrap();
    // The 8 flow-matching cells with em are left out, and the sweep says so.
    assert!(
        stderr.contains(
            "8 cells: flow-matching with em: a velocity model samples with an ODE sampler"
        ),
        "{stderr}"
    );
    assert_eq!(summary["grid"], 24, "{summary}");
    assert_eq!(summary["ran"], 24);
    assert_eq!(summary["failed"], 0);
    let cells = lines(&all);
    assert_eq!(cells.len(), 24);
    assert!(cells.values().all(|v| v["status"] == "ok"));

    // A cell that fails is a line with its stage and error, and the sweep goes on:
    // here the held-out trajectory is too short to measure against.
    let failing = d.join("failing.toml");
    std::fs::write(
        &failing,
        "systems = [\"Lorenz\", \"DoubleWell\"]\nt_end = 40.0\nheldout_span = [1.0, 0.003]\n\
         steps = 5\nwidth = 4\ndepth = 1\nsamples = 50\nsampler = \"ode-euler:2\"\nlikelihood_rows = 5\n",
    )
    .unwrap();
    let failed_out = d.join("failing.jsonl");
    let s = ok(&[
        "--plan",
        failing.to_str().unwrap(),
        "--out",
        failed_out.to_str().unwrap(),
    ]);
    assert_eq!(
        (s["ran"].as_u64(), s["failed"].as_u64()),
        (Some(4), Some(2)),
        "{s}"
    );
    for v in lines(&failed_out).values() {
        if v["cell"]["heldout_span"] == 1.0 {
            assert_eq!(v["status"], "ok", "{v}");
        } else {
            assert_eq!(
                (&v["status"], &v["stage"]),
                (&"failed".into(), &"metrics".into()),
                "{v}"
            );
            assert!(
                v["error"].as_str().unwrap().contains("16 reference rows"),
                "{v}"
            );
        }
    }
    for v in cells.values().filter(|v| v["status"] == "ok") {
        let m = &v["metrics"];
        assert!(m["swd_ratio"].as_f64().unwrap().is_finite(), "{v}");
        assert!(m["swd_floor"].as_f64().unwrap() > 0.0);
        assert!(v["sample"]["nfe"].as_u64().unwrap() > 0);
        assert!(!v["commit"].as_str().unwrap().is_empty());
        // Every family has a held-out likelihood, velocity models included.
        assert!(
            v["likelihood"]["nats_per_dim"]
                .as_f64()
                .unwrap()
                .is_finite(),
            "{v}"
        );
        if v["cell"]["system"] == "Lorenz" {
            // The catalog's invariants ride along (dysts: lambda_max about 0.9).
            let lyap = v["system"]["max_lyapunov"].as_f64().unwrap();
            assert!((0.8..1.0).contains(&lyap), "{lyap}");
            let rows = v["data"]["rows"].as_u64().unwrap();
            assert_eq!(rows, if v["cell"]["t_end"] == 40.0 { 401 } else { 601 });
        }
    }

    // Without --resume an existing results file is refused, and kept.
    let before = std::fs::read(&all).unwrap();
    let out = sweep(&["--plan", PLAN, "--out", path], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--resume"));
    // A finished plan resumed does nothing.
    let again = ok(&["--plan", PLAN, "--out", path, "--resume"]);
    assert_eq!(again["ran"], 0, "{again}");
    assert_eq!(std::fs::read(&all).unwrap(), before);

    // Three lines lost and a fourth cut short (an interrupted run): resume runs those
    // four again, and they come out with the same numbers as before.
    let text = String::from_utf8(before).unwrap();
    let kept: Vec<&str> = text.lines().collect();
    let cut = &kept[20][..kept[20].len() / 2];
    let partial = d.join("partial.jsonl");
    std::fs::write(&partial, format!("{}\n{cut}", kept[..20].join("\n"))).unwrap();
    let resumed = ok(&[
        "--plan",
        PLAN,
        "--out",
        partial.to_str().unwrap(),
        "--resume",
    ]);
    assert_eq!(resumed["ran"], 4, "{resumed}");
    assert_eq!(
        lines(&partial),
        cells,
        "resumed cells differ from the first run's"
    );

    // Three shards by GNU parallel: disjoint, and together exactly the cells above.
    let shard = |i: usize| d.join(format!("shard-{i}.jsonl"));
    let template = format!("{}/shard-{{}}.jsonl", d.display());
    let parallel = Command::new("parallel")
        .args([
            BIN, "sweep", "--plan", PLAN, "--out", &template, "--shard", "{}/3", ":::", "0", "1",
            "2",
        ])
        .output();
    match parallel {
        Ok(out) => assert!(
            out.status.success(),
            "parallel: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) if std::env::var_os("CI").is_some() => {
            panic!("GNU parallel is needed here (scripts/test.sh installs it): {e}")
        }
        Err(e) => {
            eprintln!("note: GNU parallel not found ({e}); running the 3 shards one by one");
            for i in 0..3 {
                let s = shard(i);
                ok(&[
                    "--plan",
                    PLAN,
                    "--out",
                    s.to_str().unwrap(),
                    "--shard",
                    &format!("{i}/3"),
                ]);
            }
        }
    }
    let mut merged = BTreeMap::new();
    for i in 0..3 {
        let part = lines(&shard(i));
        assert!(!part.is_empty(), "shard {i} is empty");
        for (id, v) in part {
            // Shards are slices of data groups (cells simulated together).
            assert_eq!(v["group"].as_u64().unwrap() % 3, i as u64);
            assert!(merged.insert(id, v).is_none(), "a cell in two shards");
        }
    }
    assert_eq!(
        merged, cells,
        "the shards' cells differ from the unsharded run's"
    );

    // A Slurm array task runs the same slice as --shard.
    let plan_of = |args: &[&str], env: &[(&str, &str)]| {
        let out = sweep(args, env);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let dry = d.join("dry.jsonl");
    let dry = dry.to_str().unwrap();
    let by_flag = plan_of(
        &["--plan", PLAN, "--out", dry, "--dry-run", "--shard", "1/3"],
        &[],
    );
    let by_slurm = plan_of(
        &["--plan", PLAN, "--out", dry, "--dry-run"],
        &[
            ("SLURM_ARRAY_TASK_ID", "5"),
            ("SLURM_ARRAY_TASK_MIN", "4"),
            ("SLURM_ARRAY_TASK_COUNT", "3"),
        ],
    );
    assert_eq!(by_flag, by_slurm);
    // 8 data groups (2 systems x 2 spans x 2 seeds) of 3 cells; shard 1 has groups 1, 4, 7.
    assert_eq!(by_flag.lines().count(), 9);

    // The report merges the full run and the shards (the same cells: 24, not 48) and
    // summarizes each group by the geometric mean of its quality ratios, recomputed here.
    let report = d.join("report");
    let mut args: Vec<String> = vec!["report".into(), path.into()];
    args.extend((0..3).map(|i| shard(i).to_str().unwrap().to_string()));
    args.extend(["--out".into(), report.to_str().unwrap().into()]);
    let out = Command::new(BIN).args(&args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = std::fs::read_to_string(report.join("README.md")).unwrap();
    assert!(md.starts_with("# Sweep report\n\n24 cells from"), "{md}");
    assert!(md.contains("## Failures (0)"));
    let logs: Vec<f64> = cells
        .values()
        .filter(|v| {
            v["status"] == "ok" && v["cell"]["objective"] == "dsm" && v["cell"]["sampler"] == "em"
        })
        .map(|v| v["metrics"]["swd_ratio"].as_f64().unwrap().ln())
        .collect();
    let geo = (logs.iter().sum::<f64>() / logs.len() as f64).exp();
    let row = md.lines().find(|l| l.starts_with("| dsm / vp |")).unwrap();
    assert!(
        row.contains(&format!("| {geo:.2} [")) && row.contains(&format!("({}) |", logs.len())),
        "{row}: geometric mean {geo:.2} of {}",
        logs.len()
    );
    let fm = md
        .lines()
        .find(|l| l.starts_with("| flow-matching / vp |"))
        .unwrap();
    assert!(fm.starts_with("| flow-matching / vp | – |"), "{fm}");
    // Two spans: the size figure is drawn (an SVG plotters wrote), and linked.
    let svg = std::fs::read_to_string(report.join("size.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("Quality against training-set size"));
    assert!(md.contains("![Quality against training-set size](size.svg)"));
    // Nothing to report is an error, not an empty report.
    let empty = d.join("empty.jsonl");
    std::fs::write(&empty, "not json\n").unwrap();
    let out = Command::new(BIN)
        .args([
            "report",
            empty.to_str().unwrap(),
            "--out",
            report.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no sweep cells"));
}

/// Spans in the system's periods, and one held-out reference for every training size:
/// two sizes then meet the same floor, so their quality ratios compare SWDs alone. And
/// a cell that shares its model with another gives the numbers it gives alone.
#[test]
fn sizes_in_periods_share_one_held_out_reference_and_grouping_changes_no_number() {
    let d = dir();
    let plan = d.join("periods.toml");
    let common = "systems = [\"Lorenz\", \"OrnsteinUhlenbeck\"]\nperiods = [30.0, 90.0]\n\
                  heldout_periods = 60.0\nwidth = 16\ndepth = 2\nsteps = 40\nbatch = 64\n\
                  samples = 300\nlikelihood_rows = 0\n";
    std::fs::write(
        &plan,
        format!("{common}sampler = [\"ode-euler:10\", \"em:20\"]\n"),
    )
    .unwrap();
    let out = d.join("periods.jsonl");
    let s = ok(&[
        "--plan",
        plan.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--jobs",
        "2",
    ]);
    assert_eq!(
        (s["ran"].as_u64(), s["failed"].as_u64()),
        (Some(8), Some(0)),
        "{s}"
    );
    let cells = lines(&out);
    // Each model was trained once for its two samplers, the data simulated once for both.
    for line in std::fs::read_to_string(&out).unwrap().lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        assert_eq!(
            v["shared_by"],
            serde_json::json!({"data": 2, "model": 2}),
            "{v}"
        );
    }
    let mut floors: BTreeMap<(String, String), Vec<f64>> = BTreeMap::new();
    for v in cells.values() {
        let period = v["system"]["period"].as_f64().unwrap();
        let periods = v["cell"]["periods"].as_f64().unwrap();
        let t_end = v["data"]["t_end"].as_f64().unwrap();
        assert!((t_end - periods * period).abs() < 1e-9, "{v}");
        let held = v["data"]["heldout_t_end"].as_f64().unwrap();
        assert!((held - 60.0 * period).abs() < 1e-9, "{v}");
        floors
            .entry((
                v["cell"]["system"].as_str().unwrap().into(),
                v["cell"]["sampler"].as_str().unwrap().into(),
            ))
            .or_default()
            .push(v["metrics"]["swd_floor"].as_f64().unwrap());
    }
    for (k, f) in &floors {
        assert_eq!(f.len(), 2, "{k:?}");
        assert_eq!(f[0], f[1], "{k:?}: one reference, one floor for both sizes");
    }
    // Each sampler alone (its own model, its own group) gives the same lines.
    for sampler in ["ode-euler:10", "em:20"] {
        let single = d.join("single.toml");
        std::fs::write(&single, format!("{common}sampler = \"{sampler}\"\n")).unwrap();
        let alone = d.join(format!("alone-{}.jsonl", &sampler[..2]));
        ok(&[
            "--plan",
            single.to_str().unwrap(),
            "--out",
            alone.to_str().unwrap(),
        ]);
        for (id, v) in lines(&alone) {
            let mut grouped = cells[&id].clone();
            let mut v = v;
            for line in [&mut grouped, &mut v] {
                let o = line.as_object_mut().unwrap();
                for k in ["index", "group"] {
                    o.remove(k);
                }
            }
            assert_eq!(v, grouped, "{id} alone and grouped");
        }
    }
}

#[test]
fn bad_plans_are_refused_before_any_cell_runs() {
    let d = dir();
    let out = d.join("never.jsonl");
    for (plan, message) in [
        ("systems = [\"Lorenz\"]\nwidht = 3\n", "unknown key 'widht'"),
        ("noise = 0.1\n", "systems is required"),
        (
            "systems = [\"Lorenz\"]\nsampler = \"em:x\"\n",
            "is not a whole number",
        ),
        (
            "systems = [\"Lorenz\"]\nsampler = \"ode-dopri5:10\"\n",
            "ode-dopri5",
        ),
        ("systems = [\"Nope\"]\n", "neither a system nor a filter"),
        ("systems = [\"flows&dim=99\"]\n", "selects no system"),
        ("systems = [\"Lorenz\"]\nsde = \"vq\"\n", "sde"),
        (
            "systems = [\"Lorenz\"]\nsteps = 0\n",
            "steps must be at least 1",
        ),
        ("systems = [\"Lorenz\"]\nnoise = -1\n", "non-negative"),
        (
            "systems = [\"Lorenz\"]\nt_end = 10\nperiods = 5\n",
            "t_end or as periods, not both",
        ),
        (
            "systems = [\"Lorenz\"]\nheldout_periods = 0\n",
            "must be positive",
        ),
        ("systems = [\"Lorenz\"\n", "not valid TOML"),
    ] {
        let p = d.join("bad.toml");
        std::fs::write(&p, plan).unwrap();
        let r = sweep(
            &[
                "--plan",
                p.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ],
            &[],
        );
        let err = String::from_utf8_lossy(&r.stderr);
        assert_eq!(r.status.code(), Some(2), "{plan}: {err}");
        assert!(
            err.contains(message),
            "{plan}: expected '{message}' in {err}"
        );
        assert!(!out.exists(), "{plan}: wrote results");
    }
    for (shard, message) in [("3/3", "0 <= I < N"), ("x", "I/N")] {
        let r = sweep(
            &[
                "--plan",
                PLAN,
                "--out",
                out.to_str().unwrap(),
                "--shard",
                shard,
            ],
            &[],
        );
        assert_eq!(r.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&r.stderr).contains(message));
    }
    // Filters expand over the catalog: every stochastic system, and the 3-D flows.
    let p = d.join("filters.toml");
    std::fs::write(&p, "systems = [\"stochastic\", \"flows&dim=3\"]\n").unwrap();
    let r = sweep(
        &[
            "--plan",
            p.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--dry-run",
        ],
        &[],
    );
    let text = String::from_utf8(r.stdout).unwrap();
    let systems: Vec<String> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["cell"]["system"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert!(systems.iter().any(|s| s == "AllenCahn2D") && systems.iter().any(|s| s == "Lorenz"));
    assert!(systems.len() > 50, "{} systems", systems.len());
}

/// The model-families plan (docs/models.md): every family once per system, a RealNVP
/// only with its objective, its sampler and two coordinates or more, and every left-out
/// combination counted with its reason. MLP cells keep the ids of plans written before
/// the `arch` key (it is not in their JSON).
#[test]
fn the_families_plan_makes_each_family_once_per_system() {
    let d = dir();
    let out = d.join("families.jsonl");
    let plan = concat!(env!("CARGO_MANIFEST_DIR"), "/plans/models.toml");
    let run = sweep(
        &["--plan", plan, "--out", out.to_str().unwrap(), "--dry-run"],
        &[],
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    let cells: Vec<Value> = String::from_utf8(run.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Four 2-D or larger systems with 7 models each, and the 1-D double well without
    // the RealNVP.
    assert_eq!(cells.len(), 34, "{stderr}");
    let flows: Vec<&Value> = cells
        .iter()
        .filter(|c| c["cell"]["arch"] == "realnvp")
        .collect();
    assert_eq!(flows.len(), 4);
    assert!(
        flows
            .iter()
            .all(|c| c["cell"]["objective"] == "maximum-likelihood"
                && c["cell"]["sampler"] == "inverse"
                && c["cell"]["system"] != "DoubleWell")
    );
    assert!(
        cells
            .iter()
            .filter(|c| c["cell"]["arch"] != "realnvp")
            .all(|c| c["cell"].get("arch").is_none() && c["cell"]["sampler"] == "ode-rk4")
    );
    for why in [
        "realnvp on 1-D data: coupling layers need at least 2 coordinates",
        "a RealNVP trains by --objective maximum-likelihood, not dsm",
        "use --arch realnvp, not mlp",
        "the exact inverse samples a RealNVP only",
        "a RealNVP does not use the SDE",
    ] {
        assert!(stderr.contains(why), "{why}: {stderr}");
    }
}
