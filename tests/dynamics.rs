//! Integrators, stochastic systems and invariants against independent truths:
//! observed convergence orders, closed-form stationary laws (Lyapunov equation,
//! Boltzmann density) and the invariants dysts publishes.
#![cfg(not(target_arch = "wasm32"))]

use scoredyn::dataset::Dataset;
use scoredyn::dynamics::integrate::{Dopri5, em_step, heun_step, rk4_step};
use scoredyn::dynamics::invariants::{
    CorrelationOptions, LyapunovOptions, correlation_dimension, max_lyapunov, moments,
};
use scoredyn::dynamics::{Method, Noise, SimulateOptions, System, simulate};
use scoredyn::rng::{Rng64, normal};

fn dist(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).powi(2))
        .sum::<f64>()
        .sqrt()
}

fn rk4(sys: &System, x0: &[f64], t: f64, dt: f64) -> Vec<f64> {
    let mut x = x0.to_vec();
    let mut k = vec![0.0; 5 * x.len()];
    let f = |t: f64, x: &[f64], dx: &mut [f64]| sys.rhs(t, x, dx);
    let n = (t / dt).round() as usize;
    for i in 0..n {
        rk4_step(&f, i as f64 * dt, &mut x, dt, &mut k);
    }
    x
}

fn orders(errs: &[f64]) -> Vec<f64> {
    errs.windows(2).map(|w| (w[0] / w[1]).log2()).collect()
}

#[test]
fn rk4_converges_with_order_four_on_lorenz_and_a_forced_oscillator() {
    // Lorenz (autonomous) and ForcedVanDerPol (time enters through a phase variable).
    for (name, t) in [("Lorenz", 0.5), ("Duffing", 2.0)] {
        let sys = System::new(name).unwrap();
        let x0 = sys.initial_condition().to_vec();
        let reference = rk4(&sys, &x0, t, 1e-4);
        let errs: Vec<f64> = [0.02, 0.01, 0.005]
            .iter()
            .map(|&dt| dist(&rk4(&sys, &x0, t, dt), &reference))
            .collect();
        for p in orders(&errs) {
            assert!(
                (3.6..4.5).contains(&p),
                "{name}: order {p:.2}, errors {errs:?}"
            );
        }
    }
}

#[test]
fn dopri5_error_shrinks_with_order_five_in_the_step() {
    // Fixed steps (rtol huge so every step is accepted, h capped by the interval):
    // integrate in n equal intervals; the global error of a fifth-order method
    // falls 32-fold when n doubles.
    let sys = System::new("Lorenz").unwrap();
    let f = |t: f64, x: &[f64], dx: &mut [f64]| sys.rhs(t, x, dx);
    let x0 = sys.initial_condition().to_vec();
    let t = 0.5;
    let reference = rk4(&sys, &x0, t, 1e-5);
    let run = |n: usize| {
        let mut x = x0.clone();
        let mut dp = Dopri5::new(3, 1e6, 1e6);
        for i in 0..n {
            let (a, b) = (t * i as f64 / n as f64, t * (i + 1) as f64 / n as f64);
            dp.h = b - a;
            dp.advance(&f, a, &mut x, b).unwrap();
        }
        dist(&x, &reference)
    };
    let errs: Vec<f64> = [25, 50, 100].iter().map(|&n| run(n)).collect();
    for p in orders(&errs) {
        assert!((4.6..5.6).contains(&p), "order {p:.2}, errors {errs:?}");
    }
}

#[test]
fn dopri5_tolerance_controls_the_error_on_lorenz() {
    let sys = System::new("Lorenz").unwrap();
    let f = |t: f64, x: &[f64], dx: &mut [f64]| sys.rhs(t, x, dx);
    let x0 = sys.initial_condition().to_vec();
    let reference = rk4(&sys, &x0, 1.0, 1e-5);
    let mut last = f64::INFINITY;
    for tol in [1e-5, 1e-7, 1e-9] {
        let mut x = x0.clone();
        let mut dp = Dopri5::new(3, tol, tol);
        dp.advance(&f, 0.0, &mut x, 1.0).unwrap();
        let e = dist(&x, &reference);
        assert!(e < last, "tol {tol}: {e} not below {last}");
        assert!(e < 1e4 * tol, "tol {tol}: error {e}");
        last = e;
    }
}

/// Scalar OU `dx = -theta x dt + s dW` from x0:
/// `E[x(T)^2] = x0^2 e^{-2 theta T} + s^2 (1 - e^{-2 theta T}) / (2 theta)`. Euler-Maruyama's weak error in this
/// second moment is O(dt): it halves when dt halves.
#[test]
fn euler_maruyama_has_weak_order_one_on_ou() {
    let (theta, s, x0, t_end) = (1.0f64, 1.0f64, 1.0f64, 1.0f64);
    let exact = x0 * x0 * (-2.0 * theta * t_end).exp()
        + s * s * (1.0 - (-2.0 * theta * t_end).exp()) / (2.0 * theta);
    let f = |_t: f64, x: &[f64], dx: &mut [f64]| dx[0] = -theta * x[0];
    let noise = Noise::Diagonal(vec![s]);
    let paths = 400_000;
    let mut rng = Rng64::new(11);
    let mut errs = vec![];
    for dt in [0.2, 0.1, 0.05] {
        let n = (t_end / dt) as usize;
        let mut k = [0.0; 2];
        let mut m2 = 0.0;
        for _ in 0..paths {
            let mut x = [x0];
            for i in 0..n {
                let z = [normal(&mut rng)];
                em_step(&f, &noise, i as f64 * dt, &mut x, dt, &z, &mut k);
            }
            m2 += x[0] * x[0];
        }
        errs.push((m2 / paths as f64 - exact).abs());
    }
    // Monte-Carlo standard error of the second moment: about sqrt(2 / paths) * 0.5 = 0.0011,
    // far below the discretisation errors (0.07, 0.036, 0.018).
    for p in orders(&errs) {
        assert!(
            (0.8..1.25).contains(&p),
            "weak order {p:.2}, errors {errs:?}"
        );
    }
}

/// The exact discrete stationary variance of scalar OU `dx = -theta x dt + s dW`
/// under each scheme, from its linear recursion x' = r x + q s sqrt(dt) z: stochastic
/// Heun has r = 1 - a + a^2 / 2, q = 1 - a / 2 (a = theta dt), so the variance is
/// s^2 dt q^2 / (1 - r^2) = 0.4945 at dt = 0.2; Euler-Maruyama's (r = 1 - a, q = 1) is
/// 0.5556; the SDE's own 0.5. The stationary variance of 60,000 independent paths
/// tells the schemes apart (standard error 0.003).
#[test]
fn stochastic_heun_and_euler_maruyama_have_their_exact_discrete_stationary_variance() {
    let (theta, s, dt) = (1.0f64, 1.0f64, 0.2f64);
    let a = theta * dt;
    let (r_heun, q_heun) = (1.0 - a + a * a / 2.0, 1.0 - a / 2.0);
    let want_heun = s * s * dt * q_heun * q_heun / (1.0 - r_heun * r_heun);
    let want_em = s * s * dt / (1.0 - (1.0 - a) * (1.0 - a));
    assert!((want_heun - 0.4945).abs() < 1e-4 && (want_em - 0.5556).abs() < 1e-4);
    let paths = 60_000;
    // Independent paths as the coordinates of one diagonal system.
    let f = |_t: f64, x: &[f64], dx: &mut [f64]| {
        for (d, x) in dx.iter_mut().zip(x) {
            *d = -theta * x;
        }
    };
    let noise = Noise::Diagonal(vec![s; paths]);
    for (heun, want) in [(true, want_heun), (false, want_em)] {
        let mut rng = Rng64::new(if heun { 21 } else { 22 });
        let mut x = vec![0.0; paths];
        let mut k = vec![0.0; 4 * paths];
        let mut z = vec![0.0; paths];
        // 0.82^150 < 1e-12: the start is forgotten.
        for i in 0..150 {
            z.iter_mut().for_each(|v| *v = normal(&mut rng));
            let t = i as f64 * dt;
            if heun {
                heun_step(&f, &noise, t, &mut x, dt, &z, &mut k);
            } else {
                em_step(&f, &noise, t, &mut x, dt, &z, &mut k);
            }
        }
        let var = x.iter().map(|v| v * v).sum::<f64>() / paths as f64;
        assert!(
            (var - want).abs() < 0.012,
            "{}: stationary variance {var:.4}, exact discrete {want:.4}",
            if heun { "heun" } else { "em" }
        );
    }
}

/// Solves `A S + S A^T = Q` for `S` (n small) by Gaussian elimination on the
/// vectorised system `(I kron A + A kron I) vec S = vec Q`.
fn lyapunov(a: &[f64], q: &[f64], n: usize) -> Vec<f64> {
    let m = n * n;
    let mut mat = vec![0.0; m * (m + 1)];
    for i in 0..n {
        for j in 0..n {
            let row = i * n + j;
            for k in 0..n {
                mat[row * (m + 1) + k * n + j] += a[i * n + k];
                mat[row * (m + 1) + i * n + k] += a[j * n + k];
            }
            mat[row * (m + 1) + m] = q[i * n + j];
        }
    }
    for c in 0..m {
        let p = (c..m)
            .max_by(|&x, &y| {
                mat[x * (m + 1) + c]
                    .abs()
                    .total_cmp(&mat[y * (m + 1) + c].abs())
            })
            .unwrap();
        for k in 0..=m {
            mat.swap(c * (m + 1) + k, p * (m + 1) + k);
        }
        for r in 0..m {
            if r != c {
                let factor = mat[r * (m + 1) + c] / mat[c * (m + 1) + c];
                for k in c..=m {
                    mat[r * (m + 1) + k] -= factor * mat[c * (m + 1) + k];
                }
            }
        }
    }
    (0..m)
        .map(|r| mat[r * (m + 1) + m] / mat[r * (m + 1) + r])
        .collect()
}

#[test]
fn ou_stationary_moments_match_the_lyapunov_equation() {
    let mut sys = System::new("OrnsteinUhlenbeck").unwrap();
    sys.set_param("n", 4.0).unwrap();
    let n = sys.dim();
    assert_eq!(n, 4);
    // Drift matrix A of dX = -A X dt + B dW, read off the system by probing.
    let mut a = vec![0.0; n * n];
    for j in 0..n {
        let mut e = vec![0.0; n];
        e[j] = 1.0;
        let mut col = vec![0.0; n];
        sys.rhs(0.0, &e, &mut col);
        for i in 0..n {
            a[i * n + j] = -col[i];
        }
    }
    let q = sys.noise().unwrap().covariance(n);
    let exact = lyapunov(&a, &q, n);
    let traj = simulate(
        &sys,
        &SimulateOptions {
            t_end: Some(20_000.0),
            dt: Some(0.01),
            every: Some(20),
            method: Some(Method::Heun),
            seed: Some(5),
            ..Default::default()
        },
    )
    .unwrap();
    let data = Dataset::from_trajectory(&traj);
    let (mean, _) = moments(&data);
    let rows = data.len() as f64;
    for i in 0..n {
        // Correlation time ~1 over 20000 time units: standard error of the mean ~0.007.
        assert!(mean[i].abs() < 0.03, "mean[{i}] = {}", mean[i]);
        for j in 0..n {
            let c: f64 = (0..data.len())
                .map(|r| (data.row(r)[i] - mean[i]) * (data.row(r)[j] - mean[j]))
                .sum::<f64>()
                / rows;
            let e = exact[i * n + j];
            assert!(
                (c - e).abs() < 0.05 * exact[i * n + i],
                "cov[{i}][{j}] = {c:.4}, Lyapunov equation gives {e:.4}"
            );
        }
    }
}

#[test]
fn double_well_samples_the_boltzmann_density() {
    // Stationary density p(x) ~ exp(-2 V(x) / sigma^2), V = (x^2 - 1)^2 / 4.
    let sys = System::new("DoubleWell").unwrap();
    let sigma = sys.param("sigma").unwrap();
    let weight = |x: f64| (-2.0 * (x * x - 1.0).powi(2) / 4.0 / (sigma * sigma)).exp();
    let (mut z, mut m2) = (0.0, 0.0);
    let h = 1e-3;
    for i in -5000..=5000 {
        let x = i as f64 * h;
        z += weight(x);
        m2 += x * x * weight(x);
    }
    let exact_m2 = m2 / z;
    let traj = simulate(
        &sys,
        &SimulateOptions {
            t_end: Some(40_000.0),
            dt: Some(0.01),
            seed: Some(2),
            ..Default::default()
        },
    )
    .unwrap();
    let data = Dataset::from_trajectory(&traj);
    let m2_sim = data.rows.iter().map(|x| x * x).sum::<f64>() / data.len() as f64;
    let frac_right = data.rows.iter().filter(|x| **x > 0.0).count() as f64 / data.len() as f64;
    assert!(
        (m2_sim - exact_m2).abs() < 0.02 * exact_m2,
        "E[x^2] {m2_sim} vs {exact_m2}"
    );
    assert!(
        (frac_right - 0.5).abs() < 0.05,
        "fraction in the right well {frac_right}"
    );
}

/// The Gaussian mixture's Langevin dynamics must sample the mixture: its stationary mean
/// and covariance are the mixture's (0 and (width^2 + radius^2 / 2) I for three equal
/// components on a circle), each component holds a third of the time, and the mean
/// exact log-density over the run is minus the mixture's entropy, by quadrature.
#[test]
fn gaussian_mixture_langevin_samples_the_mixture_and_its_log_density_is_exact() {
    use scoredyn::dynamics::stochastic::{exact_log_density, exact_score};
    let sys = System::new("GaussianMixture2D").unwrap();
    let (r, w) = (sys.param("radius").unwrap(), sys.param("width").unwrap());
    // The density integrates to one and its gradient is the exact score.
    let h = 0.02;
    let grid: Vec<f64> = (-300..=300)
        .flat_map(|i| (-300..=300).flat_map(move |j| [i as f64 * h, j as f64 * h]))
        .collect();
    let logp = exact_log_density(&sys, &grid).unwrap();
    let mass: f64 = logp.iter().map(|l| l.exp()).sum::<f64>() * h * h;
    assert!((mass - 1.0).abs() < 1e-6, "mass {mass}");
    let neg_entropy: f64 = logp.iter().map(|l| l * l.exp()).sum::<f64>() * h * h;
    let x = [0.3, -0.7];
    let mut s = [0.0; 2];
    assert!(exact_score(&sys, &x, &mut s));
    for k in 0..2 {
        let (mut a, mut b) = (x, x);
        a[k] += 1e-5;
        b[k] -= 1e-5;
        let fd = (exact_log_density(&sys, &a).unwrap()[0]
            - exact_log_density(&sys, &b).unwrap()[0])
            / 2e-5;
        assert!((fd - s[k]).abs() < 1e-6, "score {k}: {} vs {fd}", s[k]);
    }
    let traj = simulate(
        &sys,
        &SimulateOptions {
            t_end: Some(20_000.0),
            seed: Some(4),
            ..Default::default()
        },
    )
    .unwrap();
    let data = Dataset::from_trajectory(&traj);
    let n = data.len() as f64;
    let var = w * w + r * r / 2.0;
    for k in 0..2 {
        let mean = (0..data.len()).map(|i| data.row(i)[k]).sum::<f64>() / n;
        let m2 = (0..data.len()).map(|i| data.row(i)[k].powi(2)).sum::<f64>() / n;
        assert!(mean.abs() < 0.05, "mean {k} {mean}");
        assert!((m2 - var).abs() < 0.04 * var, "E[x_{k}^2] {m2} vs {var}");
    }
    // The top component (at 90 degrees) holds a third of the time.
    let top = (0..data.len())
        .filter(|&i| data.row(i)[1] > 0.0 && data.row(i)[1] > data.row(i)[0].abs() / 3f64.sqrt())
        .count() as f64
        / n;
    assert!((top - 1.0 / 3.0).abs() < 0.03, "top sector {top}");
    let mean_logp = exact_log_density(&sys, &data.rows)
        .unwrap()
        .iter()
        .sum::<f64>()
        / n;
    assert!(
        (mean_logp - neg_entropy).abs() < 0.03,
        "mean log p {mean_logp} vs -H {neg_entropy}"
    );
}

/// The double wells' exact log-densities are normalised (their quadrature normaliser
/// checked by an independent sum) and the simulated run's mean log-density is minus the
/// entropy.
#[test]
fn double_well_log_densities_are_normalised() {
    use scoredyn::dynamics::stochastic::exact_log_density;
    for name in ["DoubleWell", "DoubleWell2D"] {
        let sys = System::new(name).unwrap();
        let h = 0.005;
        let d = sys.dim();
        let xs: Vec<f64> = (-600..=600).map(|i| i as f64 * h).collect();
        let grid: Vec<f64> = if d == 1 {
            xs.clone()
        } else {
            xs.iter()
                .flat_map(|a| xs.iter().step_by(4).flat_map(move |b| [*a, *b]))
                .collect()
        };
        let cell = if d == 1 { h } else { h * 4.0 * h };
        let logp = exact_log_density(&sys, &grid).unwrap();
        let mass: f64 = logp.iter().map(|l| l.exp()).sum::<f64>() * cell;
        assert!((mass - 1.0).abs() < 1e-4, "{name}: mass {mass}");
    }
    assert!(exact_log_density(&System::new("Lorenz").unwrap(), &[0.0; 3]).is_none());
}

/// With sigma = 0 the Allen-Cahn drift [(Laplacian - beta) tanh(gamma u) - alpha] has one
/// uniform fixed point, where the Laplacian vanishes and beta tanh(gamma u*) = -alpha:
/// u* = -atanh(alpha / beta) / gamma (-0.693 at the defaults), and it attracts (the
/// linearisation (Laplacian - beta) gamma sech^2 is negative definite). From a rough
/// initial field every site must settle there, on both grids and at other parameters.
/// (With 1/2 Laplacian the fixed point is the same but the field smooths half as fast;
/// with beta broadcast over the Laplacian matrix, as a prototype code did, it is
/// -atanh(alpha / (beta N)) / gamma, -0.0094 on 8 x 8.)
#[test]
fn allen_cahn_settles_at_its_uniform_fixed_point_without_noise() {
    for (name, n, alpha, beta, gamma) in [
        ("AllenCahn1D", 32.0, 0.3, 0.5, 1.0),
        ("AllenCahn2D", 8.0, 0.3, 0.5, 1.0),
        ("AllenCahn1D", 16.0, -0.2, 0.8, 2.0),
        ("AllenCahn2D", 5.0, 0.1, 1.5, 0.5),
    ] {
        let mut sys = System::new(name).unwrap();
        for (k, v) in [
            ("n", n),
            ("alpha", alpha),
            ("beta", beta),
            ("gamma", gamma),
            ("sigma", 0.0),
        ] {
            sys.set_param(k, v).unwrap();
        }
        let d = sys.dim();
        let init: Vec<f64> = (0..d)
            .map(|i| ((i * 7919) % 13) as f64 / 6.0 - 1.0)
            .collect();
        let traj = simulate(
            &sys,
            &SimulateOptions {
                t_end: Some(200.0),
                init: Some(init),
                seed: Some(1),
                ..Default::default()
            },
        )
        .unwrap();
        let last = &traj.x[traj.x.len() - d..];
        let want = -(alpha / beta).atanh() / gamma;
        let worst = last.iter().map(|u| (u - want).abs()).fold(0.0, f64::max);
        println!("{name} n {n}: fixed point {want:.5}, largest deviation {worst:.2e}");
        assert!(worst < 1e-6, "{name} n {n}: sites {last:?} vs {want}");
    }
    // The rate: near u* the drift is (Laplacian - beta) gamma sech^2(gamma u*) times the
    // deviation, so the alternating (checkerboard) mode, the Laplacian's eigenvector of
    // eigenvalue -4 per axis, decays as exp(-(4 axes + beta) gamma (1 - (alpha/beta)^2) t):
    // a factor exp(-2.88) per unit time on the ring at the defaults (with 1/2 Laplacian:
    // exp(-1.60)).
    for (name, axes) in [("AllenCahn1D", 1usize), ("AllenCahn2D", 2)] {
        let mut sys = System::new(name).unwrap();
        sys.set_param("sigma", 0.0).unwrap();
        let (alpha, beta, gamma): (f64, f64, f64) = (0.3, 0.5, 1.0);
        let want = -(alpha / beta).atanh() / gamma;
        let d = sys.dim();
        let side = if axes == 1 { d } else { 8 };
        let sign = |i: usize| {
            if (i / side + i % side).is_multiple_of(2) {
                1.0
            } else {
                -1.0
            }
        };
        let init: Vec<f64> = (0..d).map(|i| want + 1e-4 * sign(i)).collect();
        let traj = simulate(
            &sys,
            &SimulateOptions {
                t_end: Some(1.0),
                dt: Some(1e-3),
                burn_in: Some(0.0),
                init: Some(init),
                seed: Some(1),
                ..Default::default()
            },
        )
        .unwrap();
        let last = &traj.x[traj.x.len() - d..];
        let rate = (4.0 * axes as f64 + beta) * gamma * (1.0 - (alpha / beta).powi(2));
        let decay = (-rate).exp();
        for (i, u) in last.iter().enumerate() {
            let got = (u - want) / (1e-4 * sign(i));
            assert!(
                (got / decay - 1.0).abs() < 0.02,
                "{name}: site {i} decayed by {got}, the linearisation says {decay}"
            );
        }
        println!("{name}: checkerboard mode decays by {decay:.4} per unit time, as predicted");
    }
}

#[test]
fn allen_cahn_grids_simulate_and_stay_bounded() {
    for name in ["AllenCahn1D", "AllenCahn2D"] {
        let sys = System::new(name).unwrap();
        let traj = simulate(
            &sys,
            &SimulateOptions {
                t_end: Some(100.0),
                seed: Some(1),
                ..Default::default()
            },
        )
        .unwrap();
        let data = Dataset::from_trajectory(&traj);
        let (mean, std) = moments(&data);
        // The forcing -alpha pushes u negative; the noise keeps every site spread.
        let m = mean.iter().sum::<f64>() / mean.len() as f64;
        assert!(m < 0.0, "{name}: mean {m}");
        assert!(
            std.iter().all(|s| *s > 0.1 && *s < 20.0),
            "{name}: std {std:?}"
        );
    }
}

#[test]
fn long_run_statistics_match_the_dysts_catalog() {
    // dysts' published means and stds come from short runs and are far off for
    // many systems (see the README); these are systems where long runs agree.
    for name in [
        "Lorenz",
        "LuChenCheng",
        "SprottD",
        "SprottJ",
        "SprottR",
        "Colpitts",
        "CaTwoPlus",
    ] {
        let sys = System::new(name).unwrap();
        let p = sys.info.period;
        let traj = simulate(
            &sys,
            &SimulateOptions {
                t_end: Some(2000.0 * p),
                every: Some(5),
                seed: Some(1),
                ..Default::default()
            },
        )
        .unwrap();
        let (mean, std) = moments(&Dataset::from_trajectory(&traj));
        let (cm, cs) = (
            sys.info.mean.clone().unwrap(),
            sys.info.std.clone().unwrap(),
        );
        for k in 0..sys.dim() {
            assert!(
                (mean[k] - cm[k]).abs() < 0.08 * cs[k],
                "{name} mean[{k}] {} vs dysts {}",
                mean[k],
                cm[k]
            );
            assert!(
                (std[k] - cs[k]).abs() < 0.05 * cs[k],
                "{name} std[{k}] {} vs dysts {}",
                std[k],
                cs[k]
            );
        }
    }
}

fn lyap(name: &str, params: &[(&str, f64)], t_end: f64, dt: Option<f64>) -> f64 {
    let mut sys = System::new(name).unwrap();
    for (k, v) in params {
        sys.set_param(k, *v).unwrap();
    }
    max_lyapunov(
        &sys,
        &LyapunovOptions {
            t_end: Some(t_end),
            dt,
            seed: Some(1),
            ..Default::default()
        },
    )
    .unwrap()
}

#[test]
fn maximum_lyapunov_exponents_match_published_values() {
    // Lorenz-63: dysts' catalog 0.8917; Sprott (2003) lists 0.9056.
    let lorenz = lyap("Lorenz", &[], 3000.0, None);
    assert!((lorenz - 0.8917).abs() < 0.15 * 0.8917, "Lorenz {lorenz}");
    assert!((lorenz - 0.9056).abs() < 0.05 * 0.9056, "Lorenz {lorenz}");
    // Rossler (a = b = 0.2, c = 5.7): Sprott (2003) lists 0.0714 and dysts'
    // estimated spectrum starts with 0.0763; dysts' `maximum_lyapunov_estimated`
    // (0.1506) disagrees with both by a factor of two.
    let rossler = lyap("Rossler", &[], 20_000.0, None);
    assert!(
        (rossler - 0.0714).abs() < 0.15 * 0.0714,
        "Rossler {rossler}"
    );
    assert!(
        (rossler - 0.0763).abs() < 0.15 * 0.0763,
        "Rossler {rossler}"
    );
    // Thomas in dysts' form (x' = -a x + b sin y, ...) is Thomas' system with
    // b_T = a / b in time b t, so its exponent must scale with b exactly.
    let thomas = lyap("Thomas", &[], 10_000.0, None);
    let thomas_unit = lyap("Thomas", &[("a", 0.185), ("b", 1.0)], 100_000.0, Some(0.3));
    assert!(
        (thomas / thomas_unit - 10.0).abs() < 1.0,
        "Thomas {thomas} vs 10 x {thomas_unit}"
    );
    println!("lambda_max: Lorenz {lorenz:.4}, Rossler {rossler:.4}, Thomas {thomas:.4}");
}

#[test]
fn lorenz_correlation_dimension_is_near_two() {
    // Published values for Lorenz-63: 2.05 (Grassberger & Procaccia 1983); dysts lists 1.99.
    let sys = System::new("Lorenz").unwrap();
    let traj = simulate(&sys, &SimulateOptions::default()).unwrap();
    let cd = correlation_dimension(
        &Dataset::from_trajectory(&traj),
        &CorrelationOptions::default(),
    )
    .unwrap();
    println!("Lorenz correlation dimension {cd:.3}");
    assert!((cd - 2.05).abs() < 0.15, "{cd}");
}

#[test]
fn simulate_records_the_requested_grid() {
    let sys = System::new("Lorenz").unwrap();
    let opts = SimulateOptions {
        t_end: Some(2.0),
        dt: Some(0.01),
        burn_in: Some(0.0),
        every: Some(10),
        init: Some(vec![1.0, 1.0, 1.0]),
        method: Some(Method::Rk4),
        ..Default::default()
    };
    let traj = simulate(&sys, &opts).unwrap();
    assert_eq!(traj.len(), 21);
    assert!((traj.t[20] - 2.0).abs() < 1e-12);
    assert_eq!(traj.row(0), &[1.0, 1.0, 1.0]);
    let direct = rk4(&sys, &[1.0, 1.0, 1.0], 1.0, 0.01);
    assert!(dist(traj.row(10), &direct) < 1e-12);
    let fine = rk4(&sys, &[1.0, 1.0, 1.0], 1.0, 1e-4);
    // dopri5 lands on the same output grid and agrees with fine RK4.
    let dp = simulate(
        &sys,
        &SimulateOptions {
            method: Some(Method::Dopri5),
            rtol: Some(1e-10),
            atol: Some(1e-10),
            ..opts
        },
    )
    .unwrap();
    assert_eq!(dp.len(), 21);
    assert!(dist(dp.row(10), &fine) < 1e-7);
}

#[test]
fn every_supported_flow_simulates_briefly_with_its_defaults() {
    // A smoke test over the whole catalog: 20 periods with dopri5 stay finite.
    let mut failures = vec![];
    for info in scoredyn::dynamics::catalog()
        .iter()
        .filter(|s| s.supported())
    {
        let sys = System::new(&info.name).unwrap();
        let method = if sys.is_stochastic() {
            Method::Heun
        } else {
            Method::Dopri5
        };
        let r = simulate(
            &sys,
            &SimulateOptions {
                t_end: Some(20.0 * info.period),
                burn_in: Some(0.0),
                method: Some(method),
                rtol: Some(1e-6),
                atol: Some(1e-9),
                ..Default::default()
            },
        );
        if let Err(e) = r {
            failures.push(format!("{}: {e}", info.name));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Every grid side the catalog accepts has a positive-definite noise covariance (its
/// Cholesky factor reproduces Gamma), and the one 2-D side that has none (4) is refused
/// with that reason.
#[test]
fn every_accepted_grid_side_has_a_noise_factor() {
    use scoredyn::dynamics::stochastic::grid_noise_factor;
    for (name, axes, sides) in [
        (
            "AllenCahn1D",
            1,
            (2..=256).step_by(13).chain([256]).collect::<Vec<usize>>(),
        ),
        ("AllenCahn2D", 2, (2..=16).collect()),
    ] {
        for n in sides {
            let mut sys = System::new(name).unwrap();
            match sys.set_param("n", n as f64) {
                Ok(()) => {
                    assert!(
                        grid_noise_factor(n, axes).is_ok(),
                        "{name} n = {n} accepted without a factor"
                    );
                    assert_eq!(sys.dim(), n.pow(axes as u32));
                }
                Err(e) => {
                    assert_eq!((axes, n), (2, 4), "{name} n = {n}: {}", e.message);
                    assert!(e.message.contains("not positive definite"), "{}", e.message);
                    assert!(
                        grid_noise_factor(n, axes).is_err(),
                        "n = 4 has a factor after all"
                    );
                }
            }
        }
    }
}
