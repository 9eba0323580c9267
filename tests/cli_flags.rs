//! Hostile command lines, generated: every flag of every command (read from the
//! command's own `--help`, so none is missed) given values a user might type by mistake.
//! The property: the command is carried out or refused, never a panic, never a hang,
//! and a refusal (exit 2) names the flag or the value it refuses. 10,000 cases
//! (`PROPTEST_CASES` overrides, for longer runs); each case is one process.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_scoredyn");

/// A hung command fails the case: every base command runs in well under a second.
const HANG: Duration = Duration::from_secs(20);

/// What a user might type by mistake, or on purpose to see what happens.
const VALUES: &[&str] = &[
    "nan",
    "NaN",
    "inf",
    "-inf",
    "-1",
    "0",
    "-0",
    "1e308",
    "1e-320",
    "",
    " ",
    "abc",
    "18446744073709551616",
    "4294967297",
    "1,2",
    "0x10",
    "1e400",
    "rho=nan",
    "rho=",
    "=1",
    "nope=1",
    "2,3,4",
    "0,1,1e9",
    "nan,1",
    "vp",
    "heun",
    "wgpu",
    "/",
    "/dev/full",
    "/dev/urandom",
    "\u{fffd}",
];

/// A command's flags, as its --help lists them: (name, takes a value).
type Flags = Vec<(String, bool)>;

struct World {
    dir: PathBuf,
    /// Per command: a cheap valid command line, and its flags.
    commands: Vec<(Vec<String>, Flags)>,
}

fn run(args: &[String], cwd: &PathBuf) -> (Option<i32>, String, Duration) {
    let t0 = Instant::now();
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
            return (status.code(), err, t0.elapsed());
        }
        if t0.elapsed() > HANG {
            let _ = child.kill();
            let _ = child.wait();
            return (None, "still running: killed".into(), t0.elapsed());
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("scoredyn-flags-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = |f: &str| dir.join(f).to_str().unwrap().to_string();
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let (model, data, samples) = (p("model.json"), p("data.csv"), p("samples.csv"));
        let setup = [
            s(&[
                "simulate", "--system", "Lorenz", "--t-end", "20", "--out", &data,
            ]),
            s(&[
                "train", "--data", &data, "--steps", "2", "--width", "4", "--depth", "1", "--out",
                &model,
            ]),
            s(&["sample", "--model", &model, "--n", "50", "--out", &samples]),
        ];
        let plan = p("plan.toml");
        std::fs::write(
            &plan,
            "systems = [\"Lorenz\"]\nt_end = 5\nsteps = 2\nwidth = 4\ndepth = 1\n\
             samples = 50\nsampler = \"ode-euler:2\"\nlikelihood_rows = 5\n",
        )
        .unwrap();
        for args in &setup {
            let (code, err, _) = run(args, &dir);
            assert_eq!(code, Some(0), "{args:?}: {err}");
        }
        let bases = [
            s(&["systems"]),
            s(&[
                "simulate",
                "--system",
                "Lorenz",
                "--t-end",
                "1",
                "--out",
                &p("sim.csv"),
            ]),
            s(&[
                "invariants",
                "--system",
                "Lorenz",
                "--t-end",
                "20",
                "--points",
                "200",
                "--lyapunov-time",
                "2",
            ]),
            s(&[
                "train",
                "--system",
                "Lorenz",
                "--t-end",
                "20",
                "--steps",
                "2",
                "--width",
                "4",
                "--depth",
                "1",
                "--out",
                &p("out.json"),
            ]),
            s(&[
                "sample",
                "--model",
                &model,
                "--n",
                "10",
                "--steps",
                "2",
                "--out",
                &p("s.csv"),
            ]),
            s(&[
                "likelihood",
                "--model",
                &model,
                "--data",
                &data,
                "--rows",
                "20",
                "--steps",
                "4",
            ]),
            s(&["eval", "--samples", &samples, "--reference", &data]),
            s(&[
                "response",
                "--system",
                "OrnsteinUhlenbeck",
                "--param",
                "n=4",
                "--t-end",
                "50",
                "--estimator",
                "gaussian",
                "--tau-max",
                "1",
            ]),
            // Resumed: after its first run the one cell is done and the sweep is instant.
            s(&[
                "sweep",
                "--plan",
                &plan,
                "--out",
                &p("sweep.jsonl"),
                "--resume",
            ]),
        ];
        let commands = bases
            .into_iter()
            .map(|base| {
                let help = Command::new(BIN)
                    .args([&base[0], "--help"])
                    .output()
                    .unwrap();
                let flags = String::from_utf8(help.stdout)
                    .unwrap()
                    .lines()
                    .filter_map(|l| {
                        let l = l.trim_start();
                        let rest = l.strip_prefix("--")?;
                        let name = rest.split([' ', '<']).next()?.to_string();
                        (name != "help").then(|| {
                            (
                                format!("--{name}"),
                                rest[name.len()..].trim_start().starts_with('<'),
                            )
                        })
                    })
                    .collect::<Vec<_>>();
                assert!(
                    !flags.is_empty() || base[0] == "systems",
                    "{base:?}: no flags in its help"
                );
                (base, flags)
            })
            .collect();
        World { dir, commands }
    })
}

/// `base` with `flag` set to `value` (replacing the base's own value), or appended.
fn with_flag(base: &[String], flag: &str, value: Option<&str>) -> Vec<String> {
    let mut args = base.to_vec();
    let at = args.iter().position(|a| a == flag);
    match (at, value) {
        (Some(i), Some(v)) => args[i + 1] = v.to_string(),
        (None, Some(v)) => args.extend([flag.to_string(), v.to_string()]),
        (_, None) => args.push(flag.to_string()),
    }
    args
}

fn cases() -> ProptestConfig {
    let n = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    ProptestConfig {
        cases: n,
        // Each case is a process: shrinking a failure should not take minutes.
        max_shrink_iters: 64,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(cases())]

    #[test]
    fn every_flag_with_a_hostile_value_is_used_or_refused_by_name(
        which in any::<prop::sample::Index>(),
        flag in any::<prop::sample::Index>(),
        value in prop::sample::select(VALUES),
        second in prop::option::of((any::<prop::sample::Index>(), prop::sample::select(VALUES))),
    ) {
        let w = world();
        let (base, flags) = &w.commands[which.index(w.commands.len())];
        let mut args = base.clone();
        let mut given = vec![];
        for (f, v) in std::iter::once((flag, value)).chain(second) {
            if flags.is_empty() { break; }
            let (name, takes_value) = &flags[f.index(flags.len())];
            args = with_flag(&args, name, takes_value.then_some(v));
            given.push((name.clone(), takes_value.then_some(v)));
        }
        let (code, err, took) = run(&args, &w.dir);
        prop_assert!(code.is_some(), "{args:?}: {err} after {took:?}");
        let code = code.unwrap();
        prop_assert!(code == 0 || code == 1 || code == 2, "{args:?}: exit {code}: {err}");
        prop_assert!(!err.contains("panicked"), "{args:?}: {err}");
        if code == 1 {
            // Exit 1 is for the system refusing (a file that cannot be read or written),
            // or for numbers that blew up when the values were used as given (a model's
            // likelihood at data it was never trained near, say), said as such.
            let io = err.contains("cannot read") || err.contains("cannot write");
            let numeric = ["non-finite", "diverged", "blew up"].iter().any(|w| err.contains(w));
            prop_assert!(io || numeric, "{args:?}: exit 1: {err}");
        }
        if code == 2 {
            // Any flag of the command line (the base's own included: a hostile value may
            // make one of them inapplicable), or a hostile value.
            let base_flags = args.iter().filter(|a| a.starts_with("--")).map(|a| (a.clone(), None));
            let lower = err.to_lowercase();
            let named = given.iter().cloned().chain(base_flags).any(|(name, v)| {
                let bare = name.trim_start_matches("--");
                lower.contains(bare)
                    || lower.contains(&bare.replace('-', "_"))
                    || lower.contains(&bare.replace('-', " "))
                    || v.is_some_and(|v| !v.trim().is_empty() && err.contains(v))
                    // A file's name, however blank, heads the message about its content.
                    || v.is_some_and(|v| err.starts_with(&format!("error: {v}: ")))
                    // clap reads a value starting with '-' as a flag, and says so.
                    || v.is_some_and(|v| {
                        v.starts_with('-') && err.contains(&format!("unexpected argument '{}", &v[..2]))
                    })
            });
            // Or it reports what happened when the values were used as given.
            let outcome = ["diverged", "blew up"].iter().any(|w| err.contains(w));
            prop_assert!(named || outcome, "{args:?}: the refusal names no flag it was given: {err}");
        }
    }
}
