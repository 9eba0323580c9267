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

/// A line without its wall times (the only fields allowed to differ between runs).
fn untimed(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| !matches!(k.as_str(), "seconds" | "steps_per_second"))
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
            "8 cells: flow-matching with em: a flow-matching model samples with an ODE sampler"
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
        if v["cell"]["objective"] == "dsm" {
            assert!(
                v["likelihood"]["nats_per_dim"]
                    .as_f64()
                    .unwrap()
                    .is_finite(),
                "{v}"
            );
        } else {
            assert!(v["likelihood"]["skipped"].is_string(), "{v}");
        }
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
            assert_eq!(v["index"].as_u64().unwrap() % 3, i as u64);
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
    assert_eq!(by_flag.lines().count(), 8);

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
