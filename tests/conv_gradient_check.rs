//! Finite-difference gradient check of small ConvNets: every parameter the optimisers see
//! ([`Mlp::parameters_and_grads`]: each convolution's kernels and biases, then the dense layers'),
//! against the central difference `(L(θ+ε) − L(θ−ε)) / 2ε` of the mean loss from the forward pass
//! alone. The gradient of every pooling and convolution *input* is checked along the way: the first
//! convolution's kernel gradient is only right if every gradient passed down to it was.
//!
//! The nets are tiny, with several channels, both paddings, odd map sizes, an even kernel, and a net
//! with no hidden dense layer; `tests/gradient_check.rs` explains the tolerances, kept here.
//! Also a browser test (`wasm-pack test`): the same checks run on the kernels the wasm file ships.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::{wasm_bindgen_test as test, wasm_bindgen_test_configure};
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test_configure!(run_in_browser);

use inkling::architecture::Architecture;
use inkling::batch::InputBatch;
use inkling::layer::{MapLayer, MapShape};
use inkling::network::{Mlp, Workspace};
use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64Mcg;

/// Smaller than the MLP check's 1e-2: a kernel weight moves every position of its channel, so a
/// larger step crosses more ReLU kinks and pooling switches (those parameters are skipped). The f32
/// noise of the difference quotient grows as ε shrinks, ~1e-4 here, still half the absolute
/// tolerance REL_TOL · GRAD_FLOOR.
const EPS: f32 = 1e-3;
const REL_TOL: f64 = 1e-2;
const GRAD_FLOOR: f64 = 2e-2;
/// A kernel weight or bias is skipped when any of the many positions it moves crosses a kink or
/// changes a pooling winner: at most this fraction of all parameters may be, and at most half of any
/// one tensor (a convolution's few biases each move a whole channel).
const MAX_SKIPPED_FRACTION: f64 = 0.1;

struct Case {
    input: MapShape,
    architecture: &'static str,
    classes: usize,
    batch: usize,
    seed: u64,
}

fn setup(case: &Case) -> (Mlp, InputBatch, Vec<u8>) {
    let mut rng = Pcg64Mcg::seed_from_u64(case.seed);
    let architecture: Architecture = case.architecture.parse().unwrap();
    let mut net = architecture.build(case.input, case.classes, &mut rng).unwrap();
    // Biases off zero, so that the ReLUs are not all switched the same way for a whole channel.
    for (tensor, _) in net.parameters_and_grads().skip(1).step_by(2) {
        tensor.iter_mut().for_each(|b| *b = rng.random_range(-0.3f32..0.3));
    }
    let mut x = InputBatch::with_capacity(case.input.len(), case.batch);
    for _ in 0..case.batch {
        let values: Vec<f32> = (0..case.input.len()).map(|_| rng.random_range(-1.0f32..1.0)).collect();
        x.push(&values);
    }
    let labels = (0..case.batch).map(|_| rng.random_range(0..case.classes) as u8).collect();
    (net, x, labels)
}

fn mean_loss(net: &Mlp, x: &InputBatch, labels: &[u8], ws: &mut Workspace) -> f32 {
    net.forward(x, ws);
    net.stats(ws, labels, 0.1).loss_sum / x.len() as f32
}

/// Every switch of the last forward pass: which convolution and hidden units are on, and which
/// input won each pooling window.
fn switches(net: &Mlp, ws: &Workspace, m: usize) -> Vec<u8> {
    let mut pattern = Vec::new();
    for (layer, kept) in net.maps.iter().zip(&ws.maps) {
        let n = layer.output().len() * m;
        match layer {
            MapLayer::Conv(_) => pattern.extend(kept.z[..n].iter().map(|&z| (z > 0.0) as u8)),
            MapLayer::MaxPool(_) => pattern.extend(&kept.winners[..n]),
        }
    }
    for (l, layer) in net.layers.iter().enumerate().take(net.layers.len() - 1) {
        pattern.extend(ws.z[l][..layer.outputs() * m].iter().map(|&z| (z > 0.0) as u8));
    }
    pattern
}

fn set(net: &mut Mlp, tensor: usize, i: usize, value: f32) {
    net.parameters_and_grads().nth(tensor).unwrap().0[i] = value;
}

/// What a check saw: per tensor (checked, skipped, largest numeric gradient), the mismatches, and per
/// tensor the indices that were checked (off every kink).
type Outcome = (Vec<(usize, usize, f64)>, Vec<String>, Vec<Vec<usize>>);

/// Checks every parameter against `analytic` (by default, the network's own backward pass).
fn check(case: &Case, analytic: Option<Vec<Vec<f32>>>) -> Outcome {
    let (mut net, x, labels) = setup(case);
    let m = x.len();
    let mut ws = Workspace::default();
    net.zero_grads();
    net.accumulate_gradients(&x, &labels, 0.1, 1.0 / m as f32, &mut ws);
    let analytic = analytic.unwrap_or_else(|| net.parameters_and_grads().map(|(_, g)| g.to_vec()).collect());
    mean_loss(&net, &x, &labels, &mut ws);
    let base = switches(&net, &ws, m);
    let (mut tally, mut failures, mut checked_indices) = (Vec::new(), Vec::new(), Vec::new());
    for (t, grads) in analytic.iter().enumerate() {
        let (mut checked, mut skipped, mut largest) = (0, 0, 0.0f64);
        let mut indices = Vec::new();
        for (i, &exact) in grads.iter().enumerate() {
            let original = net.parameters_and_grads().nth(t).unwrap().0[i];
            let (plus, minus) = (original + EPS, original - EPS);
            set(&mut net, t, i, plus);
            let loss_plus = mean_loss(&net, &x, &labels, &mut ws);
            let kink = switches(&net, &ws, m) != base;
            set(&mut net, t, i, minus);
            let loss_minus = mean_loss(&net, &x, &labels, &mut ws);
            let kink = kink || switches(&net, &ws, m) != base;
            set(&mut net, t, i, original);
            if kink {
                skipped += 1;
                continue;
            }
            let numeric = (loss_plus as f64 - loss_minus as f64) / (plus as f64 - minus as f64);
            let exact = exact as f64;
            let error = (exact - numeric).abs() / exact.abs().max(numeric.abs()).max(GRAD_FLOOR);
            checked += 1;
            indices.push(i);
            largest = largest.max(numeric.abs());
            if error >= REL_TOL {
                failures.push(format!("tensor {t} [{i}]: backprop {exact:.6e}, finite difference {numeric:.6e}"));
            }
        }
        tally.push((checked, skipped, largest));
        checked_indices.push(indices);
    }
    (tally, failures, checked_indices)
}

fn assert_gradients_match(case: &Case) {
    let (tally, failures, _) = check(case, None);
    let name = case.architecture;
    eprintln!("{name}: (checked, skipped, largest) per tensor {tally:?}");
    assert!(failures.is_empty(), "{name}: {} mismatches:\n{}", failures.len(), failures.join("\n"));
    let (net, ..) = setup(case);
    let (checked, skipped): (usize, usize) = tally.iter().fold((0, 0), |(c, s), t| (c + t.0, s + t.1));
    assert_eq!(checked + skipped, net.parameter_count(), "{name}: every parameter visited");
    assert!(skipped as f64 <= MAX_SKIPPED_FRACTION * (checked + skipped) as f64, "{name}: {skipped} on a kink");
    for (t, &(checked, skipped, largest)) in tally.iter().enumerate() {
        assert!(skipped <= checked, "{name}: tensor {t} has {skipped} of {} on a kink", checked + skipped);
        assert!(largest > 2.0 * GRAD_FLOOR, "{name}: tensor {t} has no sizeable gradient (largest {largest:.2e})");
    }
}

const fn shape(channels: usize, height: usize, width: usize) -> MapShape {
    MapShape { channels, height, width }
}

const CASES: [Case; 3] = [
    // Two input channels; same then valid padding; pooling down to 1×1; a hidden dense layer.
    Case { input: shape(2, 6, 6), architecture: "c3k3s-p2-c4k3-5", classes: 3, batch: 2, seed: 1 },
    // Every convolution product's dimensions above 5 (the matrixmultiply path), two in a row.
    Case { input: shape(2, 6, 6), architecture: "c6k3s-c7k3s-p2-8", classes: 4, batch: 2, seed: 2 },
    // Odd map sizes, an even kernel, no hidden dense layer.
    Case { input: shape(1, 7, 5), architecture: "c2k2-p2-c3k3s", classes: 3, batch: 2, seed: 3 },
];

#[test]
fn convnet_gradients_match_finite_differences() {
    for case in &CASES {
        assert_gradients_match(case);
    }
}

/// The check catches a 5 % error in the first convolution's largest kernel gradient (of those off
/// the kinks), and in one of the last convolution's biases.
#[test]
fn checker_detects_a_wrong_gradient() {
    let case = &CASES[0];
    let (_, failures, checked) = check(case, None);
    assert!(failures.is_empty());
    let (mut net, x, labels) = setup(case);
    let mut ws = Workspace::default();
    net.zero_grads();
    net.accumulate_gradients(&x, &labels, 0.1, 1.0 / x.len() as f32, &mut ws);
    let mut wrong: Vec<Vec<f32>> = net.parameters_and_grads().map(|(_, g)| g.to_vec()).collect();
    let index = *checked[0].iter().max_by(|&&a, &&b| wrong[0][a].abs().total_cmp(&wrong[0][b].abs())).unwrap();
    wrong[0][index] *= 1.05;
    let bias = *checked[3].iter().max_by(|&&a, &&b| wrong[3][a].abs().total_cmp(&wrong[3][b].abs())).unwrap();
    wrong[3][bias] *= 1.05;
    let (_, failures, _) = check(case, Some(wrong));
    assert_eq!(failures.len(), 2, "{failures:?}");
    assert!(failures[0].starts_with("tensor 0 ") && failures[1].starts_with("tensor 3 "), "{failures:?}");
}
