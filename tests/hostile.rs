//! Hostile input, generated: every parser a user can feed (CSV tables, model files,
//! the page's settings as the worker receives them) answers random and near-valid
//! input with a value or an error that says what is wrong, and never panics.
//! 10,000 cases per property (`PROPTEST_CASES` overrides, for longer runs).
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use scoredyn::csv;
use scoredyn::dynamics::DataSpec;
use scoredyn::score::checkpoint::TrainSummary;
use scoredyn::score::{Backend, ModelFile, NetConfig, SampleConfig, TrainSpec};

fn cases() -> ProptestConfig {
    let n = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    ProptestConfig::with_cases(n)
}

/// What a parsed table must satisfy: whole rows of finite, bounded values.
fn check_table(result: Result<scoredyn::dataset::Dataset, scoredyn::Error>) {
    match result {
        Ok(d) => {
            assert!(d.dim >= 1);
            assert_eq!(d.rows.len() % d.dim, 0);
            assert!(d.rows.iter().all(|v| v.is_finite() && v.abs() <= 1e150));
            assert_eq!(d.names.len(), d.dim);
        }
        Err(e) => assert!(!e.message.is_empty()),
    }
}

/// A small valid model file, in JSON.
fn model_json() -> String {
    let device = Backend::DEFAULT_CPU.device().unwrap();
    let net = NetConfig {
        width: 4,
        depth: 1,
        fourier_features: 2,
        ..NetConfig::new(2)
    };
    let params = net.init(&device).unwrap().to_values(&net).unwrap();
    let data = scoredyn::dataset::Dataset::new(2, vec![0.0, 1.0, 2.0, 3.0, 4.0, 7.0]).unwrap();
    let std = scoredyn::dataset::Standardizer::fit(&data).unwrap();
    ModelFile::new(
        net,
        Default::default(),
        Default::default(),
        std,
        vec!["x0".into(), "x1".into()],
        TrainSummary::default(),
        params,
    )
    .to_json()
}

/// Every place in a JSON value, as a path of keys and indices.
fn paths(v: &serde_json::Value, here: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(here.clone());
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                here.push(k.clone());
                paths(x, here, out);
                here.pop();
            }
        }
        serde_json::Value::Array(a) => {
            // The first few entries of long arrays: their neighbours are alike.
            for (i, x) in a.iter().enumerate().take(3) {
                here.push(i.to_string());
                paths(x, here, out);
                here.pop();
            }
        }
        _ => {}
    }
}

fn at<'a>(v: &'a mut serde_json::Value, path: &[String]) -> &'a mut serde_json::Value {
    path.iter().fold(v, |v, k| match v {
        serde_json::Value::Array(a) => &mut a[k.parse::<usize>().unwrap()],
        other => &mut other[k.as_str()],
    })
}

/// The replacements a mutation puts in place of one value.
fn hostile_value() -> impl Strategy<Value = serde_json::Value> {
    prop_oneof![
        Just(serde_json::Value::Null),
        Just(serde_json::json!(-1)),
        Just(serde_json::json!(0)),
        Just(serde_json::json!(1e308)),
        Just(serde_json::json!(4_000_000_000u64)),
        Just(serde_json::json!(u64::MAX)),
        Just(serde_json::json!("NaN")),
        Just(serde_json::json!("inf")),
        Just(serde_json::json!([])),
        Just(serde_json::json!([1.0, 2.0])),
        Just(serde_json::json!({})),
        any::<f64>().prop_map(|x| serde_json::json!(x)),
        any::<i64>().prop_map(|x| serde_json::json!(x)),
        "[a-z]{0,6}".prop_map(serde_json::Value::String),
    ]
}

proptest! {
    #![proptest_config(cases())]

    /// Any text at all.
    #[test]
    fn csv_of_random_text(text in "\\PC{0,200}") {
        check_table(csv::parse(&text));
    }

    /// Near-valid tables: random numbers, then one of the forms real files take or
    /// damage (BOM, CRLF, semicolons, quotes, huge or tiny numbers, a cut line).
    #[test]
    fn csv_near_valid(
        cols in 1usize..6,
        values in prop::collection::vec(-1e6f64..1e6, 1..60),
        header in any::<bool>(),
        damage in 0usize..9,
        where_ in any::<prop::sample::Index>(),
    ) {
        let rows: Vec<String> = values
            .chunks(cols)
            .map(|r| r.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(","))
            .collect();
        let mut lines = vec![];
        if header {
            lines.push((0..cols).map(|j| format!("c{j}")).collect::<Vec<_>>().join(","));
        }
        lines.extend(rows);
        let i = where_.index(lines.len());
        match damage {
            0 => {}
            1 => lines[0] = format!("\u{feff}{}", lines[0]),
            2 => lines[i] = lines[i].replace(',', ";"),
            3 => lines[i] = format!("\"{}\"", lines[i]),
            4 => lines[i] = lines[i].replacen(',', ",1e400,", 1),
            5 => lines[i] = lines[i].replacen(',', ",1e-400,", 1),
            6 => { let cut = lines[i].len() / 2; lines[i].truncate(cut); }
            7 => lines[i].push_str(",nan"),
            _ => lines[i].push_str(",,"),
        }
        let text = lines.join(if damage % 2 == 0 { "\n" } else { "\r\n" });
        let result = csv::parse(&text);
        if let Err(e) = &result {
            prop_assert!(
                e.message.contains("line") || e.message.contains("empty") || e.message.contains("header"),
                "{}", e.message
            );
        }
        check_table(result);
    }

    /// Model files with one value replaced, removed or given a wrong type: refused
    /// with a message, or accepted and then a network of the right shape builds.
    #[test]
    fn model_file_with_one_field_mutated(
        which in any::<prop::sample::Index>(),
        remove in any::<bool>(),
        value in hostile_value(),
    ) {
        thread_local!(static BASE: (serde_json::Value, Vec<Vec<String>>) = {
            let v: serde_json::Value = serde_json::from_str(&model_json()).unwrap();
            let mut all = vec![];
            paths(&v, &mut vec![], &mut all);
            (v, all)
        });
        let (text, path) = BASE.with(|(base, all)| {
            let mut v = base.clone();
            let path = all[which.index(all.len())].clone();
            let path = &path;
            if remove && !path.is_empty() {
                let (last, parent) = path.split_last().unwrap();
                match at(&mut v, parent) {
                    serde_json::Value::Object(m) => { m.remove(last); }
                    serde_json::Value::Array(a) => { a.remove(last.parse::<usize>().unwrap()); }
                    _ => {}
                }
            } else {
                *at(&mut v, path) = value.clone();
            }
            (v.to_string(), path.join("."))
        });
        match ModelFile::from_json(&text) {
            Ok(file) => {
                let device = Backend::DEFAULT_CPU.device().unwrap();
                let built = file.build_net(&device);
                prop_assert!(built.is_ok(), "{path} = {value}: accepted, then {:?}", built.err());
            }
            Err(e) => prop_assert!(!e.message.is_empty()),
        }
    }

    /// Random bytes as a model file.
    #[test]
    fn model_file_of_random_text(text in "\\PC{0,120}") {
        prop_assert!(ModelFile::from_json(&text).is_err());
    }

    /// The page's settings as the worker receives them: objects of known and unknown
    /// keys with hostile values. Each is read (serde) and checked, or refused.
    #[test]
    fn page_settings_objects(
        keys in prop::collection::vec(prop::sample::select(vec![
            "steps", "batch", "width", "depth", "lr", "ema", "seed", "sde", "objective",
            "sigma_max", "n", "sampler", "t_eps", "snr", "system", "params", "noise", "method",
            "t_end", "dt", "burn_in", "every", "obs_noise", "embed", "heldout", "stpes",
        ]), 0..6),
        values in prop::collection::vec(hostile_value(), 6),
    ) {
        let obj: serde_json::Map<String, serde_json::Value> = keys
            .iter()
            .zip(&values)
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        let v = serde_json::Value::Object(obj);
        if let Ok(spec) = serde_json::from_value::<TrainSpec>(v.clone()) {
            let _ = spec.validate();
        }
        if let Ok(config) = serde_json::from_value::<SampleConfig>(v.clone()) {
            let _ = config.validate(&Default::default());
        }
        if let Ok(spec) = serde_json::from_value::<DataSpec>(v) {
            // Only cheap requests are simulated: a valid one may ask for millions of steps.
            if spec.simulate.t_end.is_some_and(|t| t.is_finite() && t > 0.0 && t < 5.0)
                && spec.simulate.dt.is_some_and(|d| d.is_finite() && d >= 1e-3)
                && spec.simulate.burn_in.is_none_or(|b| b.is_finite() && b < 5.0)
            {
                let _ = spec.generate();
            }
        }
    }
}

mod corpus {
    //! The files in `tests/fixtures/hostile/`, read by the library and by the command line.
    include!("fixtures/hostile/corpus.rs");

    use scoredyn::csv;
    use scoredyn::score::ModelFile;
    use std::process::Command;

    const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/hostile");

    /// The text a browser's `File.text()` gives for these bytes.
    fn as_text(bytes: &[u8]) -> String {
        String::from_utf8_lossy(bytes).into_owned()
    }

    #[test]
    fn the_list_is_the_folder() {
        let mut listed: Vec<&str> = CSV_CORPUS
            .iter()
            .map(|c| c.0)
            .chain(MODEL_CORPUS.iter().map(|c| c.0))
            .collect();
        listed.sort();
        let mut on_disk: Vec<String> = std::fs::read_dir(DIR)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|f| f != "corpus.rs")
            .collect();
        on_disk.sort();
        assert_eq!(listed, on_disk);
    }

    #[test]
    fn every_csv_file_reads_as_expected_in_the_library() {
        for (name, bytes, want) in CSV_CORPUS {
            let got = csv::parse(&as_text(bytes));
            match (want, got) {
                (Expect::Table(dim, rows, names), Ok(d)) => {
                    assert_eq!(
                        (d.dim, d.len(), d.names.join(",")),
                        (*dim, *rows, names.to_string()),
                        "{name}"
                    );
                }
                (Expect::Refused(text), Err(e)) => {
                    assert!(e.message.contains(text), "{name}: {}", e.message);
                    assert!(
                        e.message.len() < 200,
                        "{name}: a long message: {}",
                        e.message
                    );
                }
                (_, got) => panic!("{name}: {:?}", got.map(|d| (d.dim, d.len()))),
            }
        }
    }

    #[test]
    fn every_model_file_is_refused_by_the_library() {
        for (name, bytes, want) in MODEL_CORPUS {
            let e = ModelFile::from_json(&as_text(bytes))
                .err()
                .unwrap_or_else(|| panic!("{name}: accepted"));
            assert!(e.message.contains(want), "{name}: {}", e.message);
        }
    }

    /// The command line reads the files themselves (not a lossy decoding): each refused
    /// file exits 2 with its message, naming the file.
    #[test]
    fn every_refused_file_is_refused_by_the_command_line() {
        let out =
            std::env::temp_dir().join(format!("scoredyn-hostile-{}.json", std::process::id()));
        let out = out.to_str().unwrap();
        let run = |args: &[&str]| {
            Command::new(env!("CARGO_BIN_EXE_scoredyn"))
                .args(args)
                .output()
                .unwrap()
        };
        for (name, _, want) in CSV_CORPUS {
            let Expect::Refused(text) = want else {
                continue;
            };
            let path = format!("{DIR}/{name}");
            let r = run(&[
                "train", "--data", &path, "--steps", "1", "--width", "4", "--depth", "1", "--out",
                out,
            ]);
            let err = String::from_utf8_lossy(&r.stderr);
            assert_eq!(r.status.code(), Some(2), "{name}: {err}");
            assert!(err.contains(text) && err.contains(name), "{name}: {err}");
        }
        for (name, _, want) in MODEL_CORPUS {
            let path = format!("{DIR}/{name}");
            let r = run(&["sample", "--model", &path, "--n", "10", "--out", out]);
            let err = String::from_utf8_lossy(&r.stderr);
            assert_eq!(r.status.code(), Some(2), "{name}: {err}");
            assert!(err.contains(want), "{name}: {err}");
        }
        assert!(
            !std::path::Path::new(out).exists(),
            "a refused input wrote an output"
        );
    }

    /// Inputs too big to keep as files: a 100 MB single line, 10^5 columns.
    #[test]
    fn huge_lines_are_refused_without_echoing_them() {
        let digits = "7".repeat(100 << 20);
        let commas = format!("{}\n", vec!["1"; 100_000].join(","));
        for (what, text, want) in [
            (
                "a 100 MB number",
                digits.as_str(),
                "is not a usable finite value",
            ),
            (
                "10^5 columns",
                commas.as_str(),
                "100000 columns; scoredyn models at most 4096",
            ),
        ] {
            let e = csv::parse(text)
                .err()
                .unwrap_or_else(|| panic!("{what}: accepted"));
            assert!(
                e.message.contains(want) && e.message.len() < 200,
                "{what}: {}",
                &e.message[..e.message.len().min(300)]
            );
        }
        // 100 MB on one line of classic-Mac line ends (CR only): read as the rows they are.
        let rows = (100 << 20) / 8;
        let cr = format!("x,y\r{}", "1.5,-2.5\r".repeat(rows));
        let d = csv::parse(&cr).unwrap();
        assert_eq!((d.dim, d.len(), d.rows[2 * rows - 1]), (2, rows, -2.5));
    }
}
