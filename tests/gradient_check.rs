//! Finite-difference gradient check of the hand-written backpropagation.
//!
//! For every parameter (the weights and biases of every layer) the gradient that
//! [`Mlp::accumulate_gradients`] computes with `scale = 1/m` is compared with the central difference
//! `(L(θ+ε) − L(θ−ε)) / 2ε` of the mean loss `L = loss_sum / m`, where the loss comes from
//! [`Mlp::forward`] and [`Mlp::stats`] only. The cases cover the sparse first-layer path (inputs with
//! many exact zeros, density < 0.5) — through the narrow kernels (first layers of 4–12 units) and the
//! wide ones (37 and the default 128) — and the dense one (density > 0.5), label smoothing 0 and 0.1,
//! batches of 1–5 (the small-matrix `gemm` fallback in `layer.rs`) and a net whose every dimension,
//! batch included, is above 5 (the matrixmultiply path).
#![cfg(not(target_arch = "wasm32"))] // native only: the browser tests are in tests/web.rs

use inkling::batch::InputBatch;
use inkling::layer::is_narrow;
use inkling::network::{Mlp, Workspace};
use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64Mcg;

/// Step of the central difference. The network computes in f32, whose relative rounding is ~6e-8,
/// so the mean loss (~1.5) carries a few 1e-7 of rounding noise from the forward pass and the f32 sum
/// in `stats`; divided by 2ε that is a few 1e-5 in the difference quotient (up to ~7e-5 measured at a
/// batch of 16). A smaller ε would drown the gradient in that noise; a larger one would cross more
/// ReLU kinks and grow the O(ε²) truncation error.
const EPS: f32 = 1e-2;
/// The analytic and numeric gradients must agree to 1 %:
/// `|analytic − numeric| / max(|analytic|, |numeric|, GRAD_FLOOR) < REL_TOL`.
const REL_TOL: f64 = 1e-2;
/// Below this size a gradient is compared in absolute terms, to REL_TOL · GRAD_FLOOR = 2e-4 (about 3×
/// the f32 noise above): the relative error of a gradient that is zero up to noise means nothing.
/// Every tensor has entries well above it (checked), and those are held to the full 1 %.
const GRAD_FLOOR: f64 = 2e-2;
/// Parameters whose ±ε perturbation flips some hidden unit across its ReLU kink are not differentiable
/// there and are skipped; at most this fraction of them may be, or the check would be hollow.
const MAX_SKIPPED_FRACTION: f64 = 0.05;

#[derive(Debug, Clone, Copy)]
struct Case {
    sizes: &'static [usize],
    batch: usize,
    /// Probability that an input is exactly 0.
    zero_probability: f64,
    smoothing: f32,
    seed: u64,
}

/// A network with He weights and random (non-zero) biases, a batch and its labels.
fn setup(case: &Case) -> (Mlp, InputBatch, Vec<u8>) {
    let mut rng = Pcg64Mcg::seed_from_u64(case.seed);
    let mut net = Mlp::new(case.sizes, &mut rng).expect("valid sizes");
    for layer in &mut net.layers {
        layer.biases.iter_mut().for_each(|b| *b = rng.random_range(-0.3f32..0.3));
    }
    let inputs = case.sizes[0];
    let classes = *case.sizes.last().unwrap();
    let mut x = InputBatch::with_capacity(inputs, case.batch);
    for _ in 0..case.batch {
        let values: Vec<f32> = (0..inputs)
            .map(|_| if rng.random_bool(case.zero_probability) { 0.0 } else { rng.random_range(-1.0f32..1.0) })
            .collect();
        x.push(&values);
    }
    let labels = (0..case.batch).map(|_| rng.random_range(0..classes) as u8).collect();
    keep_off_the_kinks(&mut net, &x);
    (net, x, labels)
}

/// Moves each hidden unit's bias so that its pre-activations over the batch stay clear of 0, where
/// ReLU has its kink and a finite difference across it is meaningless: the unit's switching point goes
/// into the middle of the widest gap between its pre-activations, which keeps it on for some examples
/// and off for others. A unit without a gap wider than 0.1 (one seeing a single example, say) is
/// switched on for all. Layer by layer, since each bias moves the inputs of the next layer.
fn keep_off_the_kinks(net: &mut Mlp, x: &InputBatch) {
    let m = x.len();
    let mut ws = Workspace::default();
    for l in 0..net.layers.len() - 1 {
        net.forward(x, &mut ws);
        let outputs = net.layers[l].outputs();
        for r in 0..outputs {
            let bias = net.layers[l].biases[r];
            let mut v: Vec<f32> = (0..m).map(|j| ws.z[l][j * outputs + r] - bias).collect();
            v.sort_by(f32::total_cmp);
            let widest = v.windows(2).max_by(|a, b| (a[1] - a[0]).total_cmp(&(b[1] - b[0])));
            net.layers[l].biases[r] = match widest {
                Some(w) if w[1] - w[0] > 0.1 => -(w[0] + w[1]) / 2.0,
                _ => 0.2 - v[0],
            };
        }
    }
}

/// Mean loss over the batch, from the forward pass and `stats` only (no backward code involved).
fn mean_loss(net: &Mlp, x: &InputBatch, labels: &[u8], smoothing: f32, ws: &mut Workspace) -> f32 {
    net.forward(x, ws);
    net.stats(ws, labels, smoothing).loss_sum / x.len() as f32
}

/// Which hidden units are active (Z > 0) in the last forward pass, for every example.
fn relu_pattern(net: &Mlp, ws: &Workspace, m: usize) -> Vec<bool> {
    let hidden = net.layers.len() - 1;
    (0..hidden).flat_map(|l| ws.z[l][..net.layers[l].outputs() * m].iter().map(|&z| z > 0.0)).collect()
}

/// Gradients per layer: (weights, biases), both as flat column-major vectors.
type Grads = Vec<(Vec<f32>, Vec<f32>)>;

fn analytic_gradients(net: &mut Mlp, x: &InputBatch, labels: &[u8], smoothing: f32) -> Grads {
    let mut ws = Workspace::default();
    net.zero_grads();
    let stats = net.accumulate_gradients(x, labels, smoothing, 1.0 / x.len() as f32, &mut ws);
    // The statistics returned with the gradient are those of the forward pass alone, with the plain
    // cross-entropy (ε = 0) as the loss whatever smoothing the gradient uses.
    net.forward(x, &mut ws);
    let plain = net.stats(&ws, labels, 0.0);
    assert_eq!((stats.examples, stats.correct), (plain.examples, plain.correct));
    assert!((stats.loss_sum - plain.loss_sum).abs() <= 1e-6 * plain.loss_sum.max(1.0), "{stats:?} vs {plain:?}");
    net.layers.iter().map(|l| (l.weight_grads.as_slice().to_vec(), l.bias_grads.as_slice().to_vec())).collect()
}

/// Parameter `i` of layer `l`'s weights (`kind` 0) or biases (`kind` 1).
fn parameter(net: &mut Mlp, l: usize, kind: usize, i: usize) -> &mut f32 {
    let layer = &mut net.layers[l];
    if kind == 0 {
        &mut layer.weights.as_mut_slice()[i]
    } else {
        &mut layer.biases.as_mut_slice()[i]
    }
}

#[derive(Debug, Default)]
struct Outcome {
    checked: usize,
    skipped: usize,
    worst: f64,
    /// Largest numeric gradient seen per tensor (W¹, b¹, W², …), to show the check is not vacuous.
    largest: Vec<f64>,
    failures: Vec<String>,
}

/// Compares `analytic` with central differences of the mean loss for every parameter of `net`.
fn compare(net: &Mlp, x: &InputBatch, labels: &[u8], smoothing: f32, analytic: &Grads) -> Outcome {
    let mut net = net.clone();
    let mut ws = Workspace::default();
    let m = x.len();
    mean_loss(&net, x, labels, smoothing, &mut ws);
    let base_pattern = relu_pattern(&net, &ws, m);
    let mut outcome = Outcome::default();
    for (l, (weight_grads, bias_grads)) in analytic.iter().enumerate() {
        for (kind, grads) in [weight_grads, bias_grads].into_iter().enumerate() {
            let mut largest = 0.0f64;
            for (i, &exact) in grads.iter().enumerate() {
                let original = *parameter(&mut net, l, kind, i);
                let (plus, minus) = (original + EPS, original - EPS);
                *parameter(&mut net, l, kind, i) = plus;
                let loss_plus = mean_loss(&net, x, labels, smoothing, &mut ws);
                let kink_plus = relu_pattern(&net, &ws, m) != base_pattern;
                *parameter(&mut net, l, kind, i) = minus;
                let loss_minus = mean_loss(&net, x, labels, smoothing, &mut ws);
                let kink_minus = relu_pattern(&net, &ws, m) != base_pattern;
                *parameter(&mut net, l, kind, i) = original;
                if kink_plus || kink_minus {
                    outcome.skipped += 1;
                    continue;
                }
                // The step actually taken, after f32 rounding of θ ± ε.
                let numeric = (loss_plus as f64 - loss_minus as f64) / (plus as f64 - minus as f64);
                let exact = exact as f64;
                let error = (exact - numeric).abs() / exact.abs().max(numeric.abs()).max(GRAD_FLOOR);
                outcome.checked += 1;
                outcome.worst = outcome.worst.max(error);
                largest = largest.max(numeric.abs());
                if error >= REL_TOL {
                    let name = if kind == 0 { "W" } else { "b" };
                    outcome.failures.push(format!(
                        "{name}{} [{i}]: backprop {exact:.6e}, finite difference {numeric:.6e}, error {error:.3e}",
                        l + 1
                    ));
                }
            }
            outcome.largest.push(largest);
        }
    }
    outcome
}

fn run(case: Case) -> Outcome {
    let (mut net, x, labels) = setup(&case);
    let analytic = analytic_gradients(&mut net, &x, &labels, case.smoothing);
    compare(&net, &x, &labels, case.smoothing, &analytic)
}

/// Runs the check and fails with every mismatch listed.
fn assert_gradients_match(case: Case) {
    let outcome = run(case);
    let total = outcome.checked + outcome.skipped;
    let expected_total: usize = case.sizes.windows(2).map(|w| w[0] * w[1] + w[1]).sum();
    assert_eq!(total, expected_total, "every parameter visited");
    assert!(
        (outcome.skipped as f64) <= MAX_SKIPPED_FRACTION * total as f64,
        "{case:?}: {} of {total} parameters sit on a ReLU kink",
        outcome.skipped
    );
    assert!(
        outcome.failures.is_empty(),
        "{case:?}: {} mismatches (worst error {:.2e}):\n{}",
        outcome.failures.len(),
        outcome.worst,
        outcome.failures.join("\n")
    );
    // Every tensor has some gradient well above the floor, so the relative test had teeth everywhere.
    for (t, &largest) in outcome.largest.iter().enumerate() {
        assert!(largest > 2.0 * GRAD_FLOOR, "{case:?}: tensor {t} has no sizeable gradient (largest {largest:.2e})");
    }
}

fn density(case: &Case) -> f32 {
    setup(case).1.density()
}

const SMALL: &[usize] = &[12, 7, 5, 4];

#[test]
fn sparse_first_layer_path() {
    for smoothing in [0.0, 0.1] {
        let case = Case { sizes: SMALL, batch: 4, zero_probability: 0.7, smoothing, seed: 1 };
        assert!(density(&case) < 0.5, "the batch must take the sparse path (density {})", density(&case));
        assert_gradients_match(case);
    }
}

#[test]
fn dense_first_layer_path() {
    for smoothing in [0.0, 0.1] {
        let case = Case { sizes: SMALL, batch: 4, zero_probability: 0.2, smoothing, seed: 2 };
        assert!(density(&case) > 0.5, "the batch must take the dense path (density {})", density(&case));
        assert_gradients_match(case);
    }
}

#[test]
fn batches_of_one_to_five() {
    for batch in 1..=5 {
        for (zero_probability, seed) in [(0.7, 10), (0.1, 20)] {
            for smoothing in [0.0, 0.1] {
                let seed = seed + batch as u64;
                assert_gradients_match(Case { sizes: SMALL, batch, zero_probability, smoothing, seed });
            }
        }
    }
}

/// Every dimension — inputs, each layer and the batch — is above 5, so every product in the forward
/// and backward passes goes through nalgebra's matrixmultiply kernel with strided (transposed) views.
#[test]
fn large_dimensions_take_the_matrixmultiply_path() {
    const LARGE: &[usize] = &[20, 12, 9, 7];
    for batch in [8, 16] {
        for (zero_probability, seed) in [(0.7, 30), (0.1, 40)] {
            for smoothing in [0.0, 0.1] {
                let case = Case { sizes: LARGE, batch, zero_probability, smoothing, seed: seed + batch as u64 };
                assert!((density(&case) < 0.5) == (zero_probability > 0.5));
                assert_gradients_match(case);
            }
        }
    }
}

/// The default network's first layer: 128 units reading sparse input, which the wide kernels
/// (blocks of 16) compute rather than the narrow ones the small nets above reach; and 37 units, whose
/// blocks (16, 16, 4) end on a single output. The path depends on the layer's width, not on its
/// inputs, so 30 inputs instead of MNIST's 784 keep the check to a few thousand parameters.
#[test]
fn wide_sparse_first_layer() {
    for (sizes, seed) in [(&[30usize, 128, 10][..], 80), (&[30, 37, 10][..], 90)] {
        assert!(!is_narrow(sizes[1]), "{sizes:?} must take the wide kernels");
        for smoothing in [0.0, 0.1] {
            let case = Case { sizes, batch: 6, zero_probability: 0.7, smoothing, seed };
            assert!(density(&case) < 0.5, "the batch must take the sparse path (density {})", density(&case));
            assert_gradients_match(case);
        }
    }
}

#[test]
fn no_hidden_layer_and_a_deep_net() {
    for (sizes, seed) in [(&[12usize, 4][..], 50), (&[10, 8, 7, 6, 6, 5][..], 60)] {
        for zero_probability in [0.7, 0.1] {
            assert_gradients_match(Case { sizes, batch: 6, zero_probability, smoothing: 0.1, seed });
        }
    }
}

/// The checker itself must catch a wrong gradient: a 5 % error in one entry, or a bias gradient of the
/// sum instead of the mean, has to be reported.
#[test]
fn checker_detects_a_wrong_gradient() {
    let case = Case { sizes: SMALL, batch: 4, zero_probability: 0.2, smoothing: 0.1, seed: 2 };
    let (mut net, x, labels) = setup(&case);
    let analytic = analytic_gradients(&mut net, &x, &labels, case.smoothing);
    assert!(compare(&net, &x, &labels, case.smoothing, &analytic).failures.is_empty());

    let mut wrong = analytic.clone();
    let (index, _) = wrong[1].0.iter().enumerate().max_by(|a, b| a.1.abs().total_cmp(&b.1.abs())).unwrap();
    wrong[1].0[index] *= 1.05;
    assert_eq!(compare(&net, &x, &labels, case.smoothing, &wrong).failures.len(), 1);

    let mut wrong = analytic;
    wrong[2].1.iter_mut().for_each(|g| *g *= case.batch as f32);
    assert!(!compare(&net, &x, &labels, case.smoothing, &wrong).failures.is_empty());
}

/// `scale` lets a batch's gradient be summed in chunks: two halves with `scale = 1/m` each give the
/// gradient of the whole batch (what the trainer does for batches larger than a chunk).
#[test]
fn gradients_of_chunks_add_up() {
    let case = Case { sizes: &[20, 12, 9, 7], batch: 12, zero_probability: 0.7, smoothing: 0.1, seed: 70 };
    let (mut net, x, labels) = setup(&case);
    let whole = analytic_gradients(&mut net, &x, &labels, case.smoothing);

    let inputs = case.sizes[0];
    let half = |range: std::ops::Range<usize>| {
        let mut b = InputBatch::with_capacity(inputs, range.len());
        for j in range {
            b.push(&x.dense_slice()[j * inputs..(j + 1) * inputs]);
        }
        b
    };
    let (first, second) = (half(0..5), half(5..12));
    let mut ws = Workspace::default();
    net.zero_grads();
    let scale = 1.0 / case.batch as f32;
    let s1 = net.accumulate_gradients(&first, &labels[..5], case.smoothing, scale, &mut ws);
    let s2 = net.accumulate_gradients(&second, &labels[5..], case.smoothing, scale, &mut ws);
    assert_eq!(s1.examples + s2.examples, case.batch);
    for (layer, (w, b)) in net.layers.iter().zip(&whole) {
        for (got, want) in layer.weight_grads.iter().chain(layer.bias_grads.iter()).zip(w.iter().chain(b)) {
            assert!((got - want).abs() <= 1e-6 + 1e-5 * want.abs(), "{got} vs {want}");
        }
    }
}
