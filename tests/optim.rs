//! The optimisers, learning-rate schedules and their settings' validation, against hand arithmetic.
//!
//! Each optimiser takes three steps on three small parameter tensors with fixed gradients. The expected
//! values are worked out twice, independently of the crate: a few by hand (the numbers in the comments,
//! asserted as literals), and all of them by a plain f64 transcription of the textbook update rules
//! (Adam in the paper's Algorithm 1 form, with m̂ and v̂ — not the folded form `src/optim.rs` uses).
#![cfg(not(target_arch = "wasm32"))] // native only: the browser tests are in tests/web.rs

use inkling::optim::{AdamConfig, MomentumConfig, OptimizerConfig, RmsPropConfig, Schedule, SgdConfig};
use inkling::Error;

/// The crate computes in f32: parameters of magnitude ≤ 2.5 after three steps carry a few ulps
/// (2.4e-7 each) of rounding. 2e-6 is far below every effect tested (the smallest, ε's share of an
/// RMSProp step on the tiny gradient, is ~1e-4).
const TOL: f64 = 2e-6;

/// Initial parameters: three tensors, so that state kept per tensor is exercised.
fn initial() -> Vec<Vec<f64>> {
    vec![vec![1.0, -2.0, 0.5], vec![0.25], vec![0.0]]
}

/// The gradients of steps 1, 2 and 3, per tensor. The third tensor's tiny gradient makes ε matter.
fn gradients() -> Vec<Vec<Vec<f64>>> {
    vec![
        vec![vec![0.5, -1.0, 0.0], vec![2.0], vec![1e-6]],
        vec![vec![0.25, 2.0, -0.5], vec![-2.0], vec![1e-6]],
        vec![vec![-0.5, 1.0, 0.5], vec![0.0], vec![-1e-6]],
    ]
}

/// Runs the crate's optimiser, one learning rate per step, and returns the parameters after each step.
fn run(config: OptimizerConfig, rates: &[f32]) -> Vec<Vec<Vec<f64>>> {
    let mut optimizer = config.build();
    let mut theta: Vec<Vec<f32>> = initial().iter().map(|t| t.iter().map(|&v| v as f32).collect()).collect();
    let mut after = Vec::new();
    for (step, (&lr, grads)) in rates.iter().zip(gradients()).enumerate() {
        let grads: Vec<Vec<f32>> = grads.iter().map(|g| g.iter().map(|&v| v as f32).collect()).collect();
        optimizer.step(theta.iter_mut().zip(&grads).map(|(t, g)| (t.as_mut_slice(), g.as_slice())), lr);
        assert_eq!(optimizer.steps(), step as u64 + 1);
        after.push(theta.iter().map(|t| t.iter().map(|&v| v as f64).collect()).collect());
    }
    after
}

fn assert_close(got: &[Vec<Vec<f64>>], want: &[Vec<Vec<f64>>], what: &str) {
    assert_eq!(got.len(), want.len());
    for (step, (g, w)) in got.iter().zip(want).enumerate() {
        for (t, (g, w)) in g.iter().zip(w).enumerate() {
            for (i, (g, w)) in g.iter().zip(w).enumerate() {
                assert!((g - w).abs() < TOL, "{what}, step {}, tensor {t}[{i}]: got {g}, expected {w}", step + 1);
            }
        }
    }
}

/// Reference: one f64 update rule applied elementwise, with per-element state `(s1, s2)`.
fn reference(rates: &[f64], mut update: impl FnMut(u32, f64, f64, &mut f64, &mut f64) -> f64) -> Vec<Vec<Vec<f64>>> {
    let mut theta = initial();
    let mut state: Vec<Vec<(f64, f64)>> = theta.iter().map(|t| vec![(0.0, 0.0); t.len()]).collect();
    let mut after = Vec::new();
    for (step, (&lr, grads)) in rates.iter().zip(gradients()).enumerate() {
        for ((t, g), s) in theta.iter_mut().zip(&grads).zip(&mut state) {
            for ((w, &g), (s1, s2)) in t.iter_mut().zip(g).zip(s.iter_mut()) {
                *w -= update(step as u32 + 1, lr, g, s1, s2);
            }
        }
        after.push(theta.clone());
    }
    after
}

#[test]
fn sgd() {
    // θ ← θ − α·g, with α = 0.1 for step 1 and 0.05 for step 2: the rate passed to `step` is the one
    // used, not the configured 0.3 (a schedule changes it per step).
    //   step 1: 1 − 0.1·0.5 = 0.95     −2 − 0.1·(−1) = −1.9    0.25 − 0.1·2 = 0.05
    //   step 2: 0.95 − 0.05·0.25 = 0.9375   −1.9 − 0.05·2 = −2.0   0.05 − 0.05·(−2) = 0.15
    let got = run(OptimizerConfig::Sgd(SgdConfig { learning_rate: 0.3 }), &[0.1, 0.05, 0.2]);
    let hand = [[0.95, -1.9, 0.5, 0.05], [0.9375, -2.0, 0.525, 0.15]];
    for (step, values) in hand.iter().enumerate() {
        let g = &got[step];
        for (got, want) in [g[0][0], g[0][1], g[0][2], g[1][0]].iter().zip(values) {
            assert!((got - want).abs() < TOL, "step {}: {got} vs {want}", step + 1);
        }
    }
    let want = reference(&[0.1, 0.05, 0.2], |_, lr, g, _, _| lr * g);
    assert_close(&got, &want, "SGD");
}

#[test]
fn momentum() {
    // v ← μ·v + g, θ ← θ − α·v, with μ = 0.9, α = 0.1.
    //   step 1: v = g = 0.5, θ = 1 − 0.05 = 0.95 (the same as SGD)
    //   step 2: v = 0.9·0.5 + 0.25 = 0.7, θ = 0.95 − 0.07 = 0.88
    //   step 3: v = 0.9·0.7 − 0.5 = 0.13, θ = 0.88 − 0.013 = 0.867
    //   tensor 2: v = 2, θ = 0.05; v = 1.8 − 2 = −0.2, θ = 0.07; v = −0.18, θ = 0.088
    let config = OptimizerConfig::Momentum(MomentumConfig { learning_rate: 0.1, momentum: 0.9 });
    let got = run(config, &[0.1; 3]);
    let hand = [(0.95, 0.05), (0.88, 0.07), (0.867, 0.088)];
    for (step, &(a, b)) in hand.iter().enumerate() {
        assert!((got[step][0][0] - a).abs() < TOL, "step {}: {} vs {a}", step + 1, got[step][0][0]);
        assert!((got[step][1][0] - b).abs() < TOL, "step {}: {} vs {b}", step + 1, got[step][1][0]);
    }
    let want = reference(&[0.1; 3], |_, lr, g, v, _| {
        *v = 0.9 * *v + g;
        lr * *v
    });
    assert_close(&got, &want, "momentum");
}

#[test]
fn rmsprop() {
    // s ← ρ·s + (1−ρ)·g², θ ← θ − α·g/(√s + ε), with ρ = 0.9, α = 0.01, ε = 1e-8.
    //   step 1: s = 0.1·g², so the step is α·g/(√0.1·|g|) = ±α/√0.1 = ±0.0316228 whatever |g| is:
    //           1 − 0.0316228 = 0.9683772, −2 + 0.0316228 = −1.9683772, 0.25 − 0.0316228 = 0.2183772;
    //           a zero gradient moves nothing: 0.5 stays 0.5.
    //   tensor 3 (g = 1e-6): √s = 3.162e-7, and ε = 1e-8 takes 3 % off the step.
    let config = OptimizerConfig::RmsProp(RmsPropConfig { learning_rate: 0.01, decay: 0.9, epsilon: 1e-8 });
    let got = run(config, &[0.01; 3]);
    for (got, want) in got[0][0].iter().chain(&got[0][1]).zip([0.9683772, -1.9683772, 0.5, 0.2183772]) {
        assert!((got - want).abs() < TOL, "step 1: {got} vs {want}");
    }
    let want = reference(&[0.01; 3], |_, lr, g, _, s| {
        *s = 0.9 * *s + 0.1 * g * g;
        lr * g / (s.sqrt() + 1e-8)
    });
    assert_close(&got, &want, "RMSProp");
}

#[test]
fn adam_with_bias_correction() {
    // m ← β₁·m + (1−β₁)·g, v ← β₂·v + (1−β₂)·g², m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ), θ ← θ − α·m̂/(√v̂ + ε),
    // with α = 0.01, β₁ = 0.9, β₂ = 0.999, ε = 1e-8.
    //   t = 1: m = 0.1·g, v = 0.001·g², so m̂ = g and v̂ = g²: the step is α·g/|g| = ±α.
    //          1 − 0.01 = 0.99, −2 + 0.01 = −1.99, 0.25 − 0.01 = 0.24, and 0.5 stays (g = 0).
    //          Without the corrections it would be α·0.1·g/(√0.001·|g|) = ±3.16·α.
    //   t = 2, first parameter (g = 0.5 then 0.25):
    //          m = 0.9·0.05 + 0.1·0.25 = 0.07,            m̂ = 0.07/(1 − 0.81) = 0.3684211
    //          v = 0.999·0.00025 + 0.001·0.0625 = 3.1225e-4, v̂ = 3.1225e-4/(1 − 0.998001) = 0.1562031
    //          θ = 0.99 − 0.01·0.3684211/√0.1562031 = 0.99 − 0.01·0.3684211/0.3952254 = 0.9806782
    //   t = 2, second tensor (g = 2 then −2):
    //          m = 0.9·0.2 − 0.2 = −0.02, m̂ = −0.1052632;  v = 0.999·0.004 + 0.004 = 0.007996, v̂ = 4
    //          θ = 0.24 + 0.01·0.1052632/2 = 0.2405263
    let config = OptimizerConfig::Adam(AdamConfig { learning_rate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
    let got = run(config, &[0.01; 3]);
    for (got, want) in got[0][0].iter().chain(&got[0][1]).zip([0.99, -1.99, 0.5, 0.24]) {
        assert!((got - want).abs() < TOL, "t = 1: {got} vs {want}");
    }
    assert!((got[1][0][0] - 0.9806782).abs() < TOL, "t = 2: {}", got[1][0][0]);
    assert!((got[1][1][0] - 0.2405263).abs() < TOL, "t = 2: {}", got[1][1][0]);

    let want = reference(&[0.01; 3], |t, lr, g, m, v| {
        *m = 0.9 * *m + 0.1 * g;
        *v = 0.999 * *v + 0.001 * g * g;
        let m_hat = *m / (1.0 - 0.9f64.powi(t as i32));
        let v_hat = *v / (1.0 - 0.999f64.powi(t as i32));
        lr * m_hat / (v_hat.sqrt() + 1e-8)
    });
    assert_close(&got, &want, "Adam");
}

#[test]
fn a_new_optimiser_starts_with_empty_state() {
    // Two runs of the same configuration give the same numbers: `build` carries no state over.
    let config = OptimizerConfig::Adam(AdamConfig::default());
    assert_eq!(run(config, &[0.01; 3]), run(config, &[0.01; 3]));
    assert_eq!(config.build().steps(), 0);
}

#[test]
fn constant_schedule() {
    for progress in [0.0, 0.3, 1.0, 7.0, -1.0] {
        assert_eq!(Schedule::Constant.rate(0.004, progress), 0.004);
    }
}

#[test]
fn warmup_cosine_schedule() {
    // warm-up over the first 10 %: rate = base·p/0.1, floored at base/1000 so the very first step moves;
    // then rate = base·(1 + cos(π·(p − 0.1)/0.9))/2.
    let schedule = Schedule::WarmupCosine { warmup: 0.1 };
    let base = 0.004f32;
    let cases = [
        (0.0, base * 1e-3),                                            // start: the floor
        (-0.5, base * 1e-3),                                           // progress is clamped to [0, 1]
        (0.05, base * 0.5),                                            // middle of the warm-up
        (0.1, base),                                                   // end of the warm-up: the full rate, cos 0 = 1
        (0.325, base * 0.5 * (1.0 + std::f32::consts::FRAC_1_SQRT_2)), // a quarter into the decay: cos(π/4)
        (0.55, base * 0.5),                                            // halfway through the decay: cos(π/2) = 0
        (1.0, 0.0),                                                    // end: cos π = −1
        (1.5, 0.0),                                                    // clamped
    ];
    for (progress, want) in cases {
        let got = schedule.rate(base, progress);
        assert!((got - want).abs() < 1e-6 * base, "progress {progress}: {got} vs {want}");
    }
    // Rising through the warm-up, falling after it.
    let rates: Vec<f32> = (0..=100).map(|i| schedule.rate(base, i as f32 / 100.0)).collect();
    assert!(rates[..=10].windows(2).all(|w| w[1] >= w[0]));
    assert!(rates[10..].windows(2).all(|w| w[1] <= w[0]));

    // No warm-up: cosine from the first step.
    let cosine = Schedule::WarmupCosine { warmup: 0.0 };
    assert!((cosine.rate(1.0, 0.0) - 1.0).abs() < 1e-6);
    assert!((cosine.rate(1.0, 0.5) - 0.5).abs() < 1e-6);
}

/// The name the panel shows is the `kind` the settings are written with.
#[test]
fn each_optimiser_is_named_as_its_settings_spell_it() {
    let configs = [
        OptimizerConfig::Sgd(SgdConfig::default()),
        OptimizerConfig::Momentum(MomentumConfig::default()),
        OptimizerConfig::RmsProp(RmsPropConfig::default()),
        OptimizerConfig::Adam(AdamConfig::default()),
    ];
    let kinds: Vec<&str> = configs.iter().map(OptimizerConfig::kind).collect();
    assert_eq!(kinds, ["sgd", "momentum", "rmsprop", "adam"]);
    for config in configs {
        let json = serde_json::to_value(config).unwrap();
        assert_eq!(json["kind"], config.kind(), "{json}");
    }
}

fn assert_config_error(config: OptimizerConfig, needle: &str) {
    match config.validate() {
        Err(Error::Config(message)) => assert!(message.contains(needle), "{config:?}: {message:?} lacks {needle:?}"),
        other => panic!("{config:?} should be rejected, got {other:?}"),
    }
}

#[test]
fn validation() {
    let all = [
        OptimizerConfig::Sgd(SgdConfig::default()),
        OptimizerConfig::Momentum(MomentumConfig::default()),
        OptimizerConfig::RmsProp(RmsPropConfig::default()),
        OptimizerConfig::Adam(AdamConfig::default()),
    ];
    for config in all {
        assert_eq!(config.validate(), Ok(()), "{config:?}");
        for lr in [0.0, -0.1, f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
            let bad = config.with_learning_rate(lr);
            assert_eq!(bad.learning_rate().to_bits(), lr.to_bits());
            assert_config_error(bad, "learning rate");
        }
        assert_eq!(config.with_learning_rate(1e-4).validate(), Ok(()));
    }

    for momentum in [1.0, 1.5, -0.1, f32::NAN] {
        assert_config_error(OptimizerConfig::Momentum(MomentumConfig { momentum, ..Default::default() }), "momentum");
    }
    assert_eq!(OptimizerConfig::Momentum(MomentumConfig { momentum: 0.0, ..Default::default() }).validate(), Ok(()));

    for decay in [1.0, -0.5, f32::NAN] {
        assert_config_error(OptimizerConfig::RmsProp(RmsPropConfig { decay, ..Default::default() }), "decay");
    }
    for epsilon in [0.0, -1e-8, f32::NAN, f32::INFINITY] {
        assert_config_error(OptimizerConfig::RmsProp(RmsPropConfig { epsilon, ..Default::default() }), "epsilon");
        assert_config_error(OptimizerConfig::Adam(AdamConfig { epsilon, ..Default::default() }), "epsilon");
    }
    for beta in [1.0, 1.01, -0.1, f32::NAN] {
        assert_config_error(OptimizerConfig::Adam(AdamConfig { beta1: beta, ..Default::default() }), "beta1");
        assert_config_error(OptimizerConfig::Adam(AdamConfig { beta2: beta, ..Default::default() }), "beta2");
    }
    // `with_learning_rate` keeps the other settings.
    let adam = OptimizerConfig::Adam(AdamConfig { learning_rate: 1e-3, beta1: 0.8, beta2: 0.99, epsilon: 1e-6 });
    assert_eq!(
        adam.with_learning_rate(0.02),
        OptimizerConfig::Adam(AdamConfig { learning_rate: 0.02, beta1: 0.8, beta2: 0.99, epsilon: 1e-6 })
    );
}
