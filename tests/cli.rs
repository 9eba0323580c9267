//! The command line, run as a user runs it.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;
use std::process::{Command, Output};

fn scoredyn(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scoredyn"))
        .args(args)
        .output()
        .expect("runs")
}

fn ok(args: &[&str]) -> String {
    let out = scoredyn(args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn fails(args: &[&str], code: i32, message: &str) {
    let out = scoredyn(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{args:?}: {err}");
    assert!(
        err.contains(message),
        "{args:?}: expected '{message}' in: {err}"
    );
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("scoredyn-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

#[test]
fn simulate_writes_a_csv_with_a_time_column() {
    let csv = ok(&[
        "simulate", "--system", "Lorenz", "--t-end", "5", "--every", "50", "--param", "rho=20",
    ]);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "t,x0,x1,x2");
    assert_eq!(lines.len(), 1 + 11);
    assert!(lines[11].starts_with("5,"));
}

#[test]
fn train_sample_eval_pipeline_reports_json() {
    let data = tmp("data.csv");
    let model = tmp("model.json");
    let samples = tmp("samples.csv");
    std::fs::write(
        &data,
        ok(&[
            "simulate", "--system", "Lorenz", "--t-end", "200", "--seed", "3",
        ]),
    )
    .unwrap();
    let summary = json(&ok(&[
        "train",
        "--data",
        data.to_str().unwrap(),
        "--steps",
        "300",
        "--width",
        "32",
        "--depth",
        "2",
        "--out",
        model.to_str().unwrap(),
    ]));
    assert_eq!(summary["steps"], 300);
    assert_eq!(summary["backend"], "flex");
    assert!(summary["final_loss"].as_f64().unwrap().is_finite());

    let report = json(&ok(&[
        "sample",
        "--model",
        model.to_str().unwrap(),
        "--n",
        "500",
        "--steps",
        "10",
        "--backend",
        "ndarray",
        "--out",
        samples.to_str().unwrap(),
    ]));
    assert_eq!(report["n"], 500);
    assert_eq!(report["nfe"], 40);
    assert!(report["seconds"].as_f64().unwrap() > 0.0);
    let text = std::fs::read_to_string(&samples).unwrap();
    assert_eq!(text.lines().next(), Some("x0,x1,x2"));
    assert_eq!(text.lines().count(), 501);

    let e = json(&ok(&[
        "eval",
        "--samples",
        samples.to_str().unwrap(),
        "--reference",
        data.to_str().unwrap(),
    ]));
    assert!(e["swd"].as_f64().unwrap() > 0.0);
    assert!(e["swd_floor"].as_f64().unwrap() > 0.0);
}

#[test]
fn bad_input_gets_a_clear_message_and_exit_code_2() {
    fails(
        &["simulate", "--system", "Lorenz", "--param", "rho=abc"],
        2,
        "--param rho: 'abc' is not a number",
    );
    fails(
        &["simulate", "--system", "Lorenz", "--param", "gamma=1"],
        2,
        "has no parameter 'gamma'",
    );
    fails(
        &["simulate", "--system", "Nope"],
        2,
        "unknown system 'Nope'",
    );
    fails(
        &["simulate", "--system", "Lorenz", "--dt", "nan"],
        2,
        "dt must be a positive number",
    );
    fails(
        &["simulate", "--system", "Lorenz", "--sytem", "x"],
        2,
        "unknown option --sytem",
    );
    fails(&["train", "--system", "Lorenz"], 2, "--out is required");
    fails(&["frobnicate"], 2, "unknown command");
    let bad = tmp("bad.csv");
    std::fs::write(&bad, "t,x0,x1\n0,1,2\n1,3\n").unwrap();
    fails(
        &[
            "train",
            "--data",
            bad.to_str().unwrap(),
            "--out",
            "/dev/null",
        ],
        2,
        "line 3: expected 3 columns",
    );
    let model = tmp("not-a-model.json");
    std::fs::write(&model, "{\"format\":\"scoredyn-model\",\"version\":7}").unwrap();
    fails(
        &["sample", "--model", model.to_str().unwrap()],
        2,
        "version 7 is not supported",
    );
    fails(
        &["sample", "--model", "/nonexistent/model.json"],
        1,
        "cannot read",
    );
}

/// The acceptance check, with every default: samples of a model trained on one Lorenz
/// trajectory are as close to a fresh held-out trajectory as twice the data's own
/// noise floor (the SWD between the two halves of the held-out set).
#[test]
fn default_pipeline_reaches_twice_the_noise_floor_on_held_out_lorenz() {
    let model = tmp("default-model.json");
    let samples = tmp("default-samples.csv");
    let held_out = tmp("held-out.csv");
    ok(&[
        "simulate",
        "--system",
        "Lorenz",
        "--seed",
        "99",
        "--out",
        held_out.to_str().unwrap(),
    ]);
    let summary = json(&ok(&[
        "train",
        "--system",
        "Lorenz",
        "--out",
        model.to_str().unwrap(),
    ]));
    assert_eq!(summary["steps"], 6000);
    ok(&[
        "sample",
        "--model",
        model.to_str().unwrap(),
        "--n",
        "4000",
        "--out",
        samples.to_str().unwrap(),
    ]);
    let e = json(&ok(&[
        "eval",
        "--samples",
        samples.to_str().unwrap(),
        "--reference",
        held_out.to_str().unwrap(),
    ]));
    let (swd, floor) = (e["swd"].as_f64().unwrap(), e["swd_floor"].as_f64().unwrap());
    eprintln!(
        "default pipeline: swd {swd:.4}, floor {floor:.4}, train {:.1} s",
        summary["seconds"]
    );
    assert!(swd <= 2.0 * floor, "swd {swd} > 2 x floor {floor}");
}
