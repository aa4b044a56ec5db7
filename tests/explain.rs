//! The "How it works" panel's numbers: a trace of one forward and backward pass is the training
//! step's own (the SGD update it shows is bit for bit what a `Trainer` does with that example) and
//! follows the panel's formulas computed here by hand in f64; the saliency is the derivative of the
//! log-probability, checked against finite differences; the gradient check passes on a healthy
//! network and catches a broken gradient.
#![cfg(not(target_arch = "wasm32"))] // native only

#[path = "../examples/common/mod.rs"]
mod common;

use common::mnist;

use inkling::architecture::Architecture;
use inkling::batch::InputBatch;
use inkling::explain::{self, Tensor, CHECK_TOLERANCE};
use inkling::dataset::Dataset;
use inkling::mnist::{Images, IMAGE_PIXELS, IMAGE_SIDE};
use inkling::network::{Mlp, Workspace};
use inkling::optim::{OptimizerConfig, Schedule, SgdConfig};
use inkling::pixel::pixel_values;
use inkling::trainer::{TrainConfig, Trainer};
use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64Mcg;
/// An image of bytes where a fraction `ink` of the pixels is inked, and the same as values in [0, 1]
/// the way training reads bytes.
fn random_image(rng: &mut Pcg64Mcg, ink: f64) -> (Vec<u8>, Vec<f32>) {
    let bytes: Vec<u8> = (0..IMAGE_PIXELS).map(|_| if rng.random_bool(ink) { rng.random_range(1..=255) } else { 0 }).collect();
    let pixels = pixel_values(&bytes);
    (bytes, pixels)
}

fn one_example(bytes: &[u8], label: u8) -> Dataset {
    let images = Images { count: 1, rows: IMAGE_SIDE, cols: IMAGE_SIDE, pixels: bytes.to_vec() };
    Dataset::new(images, vec![label]).unwrap()
}

/// Plain gradient descent on one example at a time, constant rate: one step is exactly `θ − α·∂L/∂θ`.
fn sgd_one_at_a_time(hidden: &[usize], learning_rate: f32, label_smoothing: f32) -> TrainConfig {
    TrainConfig {
        layers: Architecture::mlp(hidden),
        optimizer: OptimizerConfig::Sgd(SgdConfig { learning_rate }),
        batch_size: 1,
        schedule: Schedule::Constant,
        epochs: 1.0,
        label_smoothing,
        augment: false,
    }
}

/// The update the panel shows is the trainer's own step for the same example, bit for bit; its
/// probabilities are the trainer's prediction and its loss the trainer's reported loss. For sparse and
/// dense inputs (the first layer's two code paths), with and without label smoothing, and for one,
/// two and three weight layers.
#[test]
fn trace_is_the_trainers_own_step() {
    let mut rng = Pcg64Mcg::seed_from_u64(1);
    for (hidden, ink, smoothing, seed) in [
        (&[32][..], 0.2, 0.1, 11),
        (&[32][..], 0.8, 0.0, 12),
        (&[][..], 0.2, 0.1, 13),
        (&[24, 16][..], 0.2, 0.0, 14),
        (&[24, 16][..], 0.7, 0.1, 15),
    ] {
        let (bytes, pixels) = random_image(&mut rng, ink);
        let label = rng.random_range(0..10u8);
        let learning_rate = 0.05;
        let config = sgd_one_at_a_time(hidden, learning_rate, smoothing);
        let mut trainer = Trainer::new(config, one_example(&bytes, label), None, seed).unwrap();

        // The panel's trace of the run: with the run's own label smoothing and learning rate.
        let shown = explain::trace_training(&trainer, &pixels, label as usize, 5).unwrap();
        assert_eq!((shown.optimizer, shown.batch_size, shown.train_examples), ("sgd", 1, 1));
        let trace = shown.trace;
        assert_eq!((trace.label_smoothing, trace.learning_rate), (smoothing, learning_rate));
        let probabilities = trainer.predict(&pixels).unwrap();
        assert_eq!(trace.layers.last().unwrap().a, probabilities, "A of the last layer is the prediction");
        assert_eq!(trace.gradients.layers.len(), hidden.len() + 1);

        let report = trainer.train(1, || true).unwrap();
        assert_eq!(report.steps, 1);
        assert_eq!(report.loss, trace.plain_loss, "the trainer reports the plain cross-entropy");
        assert_eq!(trainer.network(), &trace.updated, "{hidden:?}, ink {ink}: W − α·dW is the trainer's step");
        for (entry_layer, (before, after)) in trace.layers.iter().zip(trace.gradients.layers.iter().zip(&trace.updated.layers)) {
            for e in &entry_layer.largest_weight_grads {
                assert_eq!(e.weight, before.weights[(e.row, e.col)]);
                assert_eq!(e.updated, after.weights[(e.row, e.col)]);
                assert_eq!(e.grad, before.weight_grads[(e.row, e.col)]);
            }
        }
    }
}

/// The panel's formulas, by hand in f64, for one example: Zˡ = Wˡ·Aˡ⁻¹ + bˡ, Aˡ = ReLU(Zˡ) or
/// softmax(Zᴸ), L = −Σ Y log A, dZᴸ = A − Y, dWˡ = dZˡ·Aˡ⁻¹ᵀ, dbˡ = dZˡ, dZˡ⁻¹ = Wˡᵀ·dZˡ ⊙ ReLU′(Zˡ⁻¹).
#[test]
#[allow(clippy::needless_range_loop)] // indices as in the formulas: dW[o, i] = dZ[o]·A[i]
fn trace_follows_the_formulas() {
    let mut rng = Pcg64Mcg::seed_from_u64(2);
    let net = Mlp::new(&[IMAGE_PIXELS, 20, 15, 10], &mut rng).unwrap();
    let (_, pixels) = random_image(&mut rng, 0.25);
    let (label, smoothing) = (3usize, 0.1f32);
    let trace = explain::trace(&net, &pixels, label, smoothing, 0.1, 6).unwrap();
    let close = |got: f32, want: f64, what: &str| {
        assert!((got as f64 - want).abs() <= 1e-5 + 1e-4 * want.abs(), "{what}: {got} vs {want}");
    };

    // Forward.
    let mut activations: Vec<Vec<f64>> = vec![pixels.iter().map(|&v| v as f64).collect()];
    let mut zs: Vec<Vec<f64>> = Vec::new();
    for (l, layer) in net.layers.iter().enumerate() {
        let a = &activations[l];
        let z: Vec<f64> = (0..layer.outputs())
            .map(|o| layer.biases[o] as f64 + (0..layer.inputs()).map(|i| layer.weights[(o, i)] as f64 * a[i]).sum::<f64>())
            .collect();
        let next = if l + 1 < net.layers.len() {
            z.iter().map(|&v| v.max(0.0)).collect()
        } else {
            let max = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let sum: f64 = z.iter().map(|v| (v - max).exp()).sum();
            z.iter().map(|v| (v - max).exp() / sum).collect()
        };
        for (k, (&got, &want)) in trace.layers[l].z.iter().zip(&z).enumerate() {
            close(got, want, &format!("Z{}[{k}]", l + 1));
        }
        for (k, (&got, &want)) in trace.layers[l].a.iter().zip(&next).enumerate() {
            close(got, want, &format!("A{}[{k}]", l + 1));
        }
        assert_eq!(trace.layers[l].active, z.iter().filter(|&&v| v > 0.0).count());
        zs.push(z);
        activations.push(next);
    }
    let y: Vec<f64> = (0..10).map(|k| if k == label { 0.91 } else { 0.01 }).collect();
    for (got, want) in trace.target.iter().zip(&y) {
        close(*got, *want, "Y");
    }
    let p = activations.last().unwrap();
    let loss: f64 = -y.iter().zip(p).map(|(y, p)| y * p.ln()).sum::<f64>();
    close(trace.loss, loss, "L");
    close(trace.plain_loss, -p[label].ln(), "plain L");
    assert_eq!(trace.predicted as usize, (0..10).max_by(|&a, &b| p[a].total_cmp(&p[b])).unwrap());

    // Backward.
    let mut dz: Vec<f64> = p.iter().zip(&y).map(|(p, y)| p - y).collect();
    for l in (0..net.layers.len()).rev() {
        let layer = &net.layers[l];
        let grads = &trace.gradients.layers[l];
        for (k, &want) in dz.iter().enumerate() {
            close(trace.layers[l].dz[k], want, &format!("dZ{}[{k}]", l + 1));
            close(trace.layers[l].db[k], want, &format!("db{}[{k}]", l + 1));
        }
        for o in 0..layer.outputs() {
            for i in 0..layer.inputs() {
                close(grads.weight_grads[(o, i)], dz[o] * activations[l][i], &format!("dW{}[{o},{i}]", l + 1));
            }
        }
        let norm = (0..layer.outputs())
            .flat_map(|o| (0..layer.inputs()).map(move |i| (o, i)))
            .map(|(o, i)| (dz[o] * activations[l][i]).powi(2))
            .sum::<f64>()
            .sqrt();
        close(trace.layers[l].weight_grad_norm, norm, "‖dW‖");
        if l > 0 {
            dz = (0..layer.inputs())
                .map(|i| {
                    let back: f64 = (0..layer.outputs()).map(|o| layer.weights[(o, i)] as f64 * dz[o]).sum();
                    if zs[l - 1][i] > 0.0 { back } else { 0.0 }
                })
                .collect();
        }
    }

    // The glimpses are the largest entries, largest first; the update is W − α·dW.
    for layer in &trace.layers {
        assert_eq!(layer.largest_z.len(), 6.min(layer.outputs));
        let smallest_listed = layer.largest_dz.last().unwrap().value.abs();
        let listed: Vec<usize> = layer.largest_dz.iter().map(|e| e.index).collect();
        for (k, v) in layer.dz.iter().enumerate() {
            assert!(listed.contains(&k) || v.abs() <= smallest_listed, "dZ[{k}] = {v} is larger than a listed one");
        }
        assert!(layer.largest_weight_grads.windows(2).all(|w| w[0].grad.abs() >= w[1].grad.abs()));
        let mut rows: Vec<usize> = layer.largest_weight_grads.iter().map(|e| e.row).collect();
        rows.dedup();
        assert_eq!(rows.len(), layer.largest_weight_grads.len(), "one entry per unit");
        for e in &layer.largest_weight_grads {
            close(e.updated, e.weight as f64 - 0.1 * e.grad as f64, "W − α·dW");
        }
        for e in &layer.largest_bias_grads {
            close(e.updated, e.bias as f64 - 0.1 * e.grad as f64, "b − α·db");
        }
    }
}

/// The saliency is ∂ log A_k / ∂x: it matches the central difference of the log-probability for
/// every input of a small network and every class, within 1 % relative (sizes below 1e-2 compared
/// absolutely, to 1e-4). The hidden units are kept at least 0.5 away from their ReLU kink, far beyond
/// what an ε = 1e-2 step of one input can move them.
#[test]
fn saliency_matches_finite_differences() {
    const EPS: f32 = 1e-2;
    const REL_TOL: f64 = 1e-2;
    const FLOOR: f64 = 1e-2;
    let mut rng = Pcg64Mcg::seed_from_u64(3);
    for (sizes, zero_probability) in [(&[12usize, 7, 5, 4][..], 0.6), (&[12, 7, 5, 4][..], 0.1), (&[9, 6][..], 0.3), (&[16, 10, 8, 8, 6][..], 0.5)] {
        let mut net = Mlp::new(sizes, &mut rng).unwrap();
        let x: Vec<f32> = (0..sizes[0])
            .map(|_| if rng.random_bool(zero_probability) { 0.0 } else { rng.random_range(-1.0f32..1.0) })
            .collect();
        // Every hidden pre-activation at least 0.5 from 0, on either side, layer by layer.
        let mut batch = InputBatch::with_capacity(sizes[0], 1);
        batch.push(&x);
        let mut ws = Workspace::default();
        for l in 0..net.layers.len() - 1 {
            net.forward(&batch, &mut ws);
            for o in 0..net.layers[l].outputs() {
                let z = ws.z[l][o];
                let side = if rng.random_bool(0.6) { 1.0 } else { -1.0 };
                net.layers[l].biases[o] += side * rng.random_range(0.5f32..1.0) - z;
            }
        }
        let log_probability = |x: &[f32], class: usize, ws: &mut Workspace| -> f64 {
            let mut b = InputBatch::with_capacity(x.len(), 1);
            b.push(x);
            net.forward(&b, ws);
            (net.probabilities(ws, 1)[class] as f64).ln()
        };
        for class in 0..*sizes.last().unwrap() {
            let s = explain::saliency(&net, &x, Some(class)).unwrap();
            assert_eq!(s.class as usize, class);
            assert!((s.log_probability as f64 - log_probability(&x, class, &mut ws)).abs() < 1e-6);
            let mut largest = 0.0f64;
            for i in 0..x.len() {
                let (mut plus, mut minus) = (x.clone(), x.clone());
                plus[i] += EPS;
                minus[i] -= EPS;
                let numeric = (log_probability(&plus, class, &mut ws) - log_probability(&minus, class, &mut ws))
                    / (plus[i] as f64 - minus[i] as f64);
                let exact = s.gradient[i] as f64;
                let error = (exact - numeric).abs() / exact.abs().max(numeric.abs()).max(FLOOR);
                assert!(error < REL_TOL, "{sizes:?} class {class} input {i}: saliency {exact:.6e}, finite difference {numeric:.6e}");
                largest = largest.max(numeric.abs());
            }
            assert!(largest > 10.0 * FLOOR, "{sizes:?} class {class}: no sizeable gradient to check ({largest:.2e})");
            assert_eq!(s.largest, s.gradient.iter().fold(0.0f32, |m, g| m.max(g.abs())));
        }
    }
}

/// A ConvNet's saliency goes back through its dense layers, pooling and convolutions to the pixels:
/// it matches the central difference of the log-probability at every input whose ±ε step changes no
/// ReLU's side and no pooling window's winner (where the function has a kink), within 1 %.
#[test]
fn saliency_goes_through_convolutions() {
    use inkling::architecture::Architecture;
    use inkling::layer::MapShape;
    const EPS: f32 = 1e-2;
    let mut rng = Pcg64Mcg::seed_from_u64(5);
    let input = MapShape { channels: 1, height: 10, width: 10 };
    for text in ["c3k3-p2-6", "c2k3s-p2-c3k3-5"] {
        let net = text.parse::<Architecture>().unwrap().build(input, 4, &mut rng).unwrap();
        let x: Vec<f32> = (0..input.len()).map(|_| if rng.random_bool(0.4) { 0.0 } else { rng.random_range(0.0f32..1.0) }).collect();
        // The log-probability, and every ReLU side and pooling winner of the forward pass.
        let forward = |x: &[f32], class: usize| -> (f64, Vec<u8>) {
            let (mut b, mut ws) = (InputBatch::with_capacity(x.len(), 1), Workspace::default());
            b.push(x);
            net.forward(&b, &mut ws);
            let mut pattern: Vec<u8> = ws.maps.iter().flat_map(|m| m.z.iter().map(|&z| (z > 0.0) as u8).chain(m.winners.iter().copied())).collect();
            pattern.extend((0..net.layers.len() - 1).flat_map(|l| ws.z[l][..net.layers[l].outputs()].iter().map(|&z| (z > 0.0) as u8)));
            ((net.probabilities(&ws, 1)[class] as f64).ln(), pattern)
        };
        for class in 0..4 {
            let s = explain::saliency(&net, &x, Some(class)).unwrap();
            assert_eq!(s.gradient.len(), input.len());
            let (mut checked, mut largest) = (0, 0.0f64);
            for i in 0..x.len() {
                let (mut plus, mut minus) = (x.clone(), x.clone());
                plus[i] += EPS;
                minus[i] -= EPS;
                let ((up, p1), (down, p2)) = (forward(&plus, class), forward(&minus, class));
                if p1 != p2 {
                    continue; // a kink between the two points
                }
                let numeric = (up - down) / (plus[i] as f64 - minus[i] as f64);
                let exact = s.gradient[i] as f64;
                let error = (exact - numeric).abs() / exact.abs().max(numeric.abs()).max(1e-2);
                assert!(error < 1e-2, "{text} class {class} input {i}: saliency {exact:.6e}, finite difference {numeric:.6e}");
                checked += 1;
                largest = largest.max(numeric.abs());
            }
            assert!(checked > x.len() / 2, "{text} class {class}: only {checked} inputs away from kinks");
            assert!(largest > 0.02, "{text} class {class}: no sizeable gradient to check ({largest:.2e})");
        }
    }
}

/// The saliency runs on MNIST-sized networks too (the sparse first-layer path), and summed over the
/// classes weighted by their probabilities it is zero: Σ_k A_k ∂ log A_k/∂x = ∂(Σ_k A_k)/∂x = 0.
#[test]
fn saliency_weighted_by_probabilities_sums_to_zero() {
    let mut rng = Pcg64Mcg::seed_from_u64(4);
    let net = Mlp::new(&[IMAGE_PIXELS, 32, 10], &mut rng).unwrap();
    let (_, pixels) = random_image(&mut rng, 0.2);
    let probabilities = inkling::trainer::predict(&net, &pixels, &mut InputBatch::with_capacity(IMAGE_PIXELS, 1), &mut Workspace::default()).unwrap();
    let mut total = vec![0.0f64; IMAGE_PIXELS];
    let mut size = 0.0f64;
    for (class, &p) in probabilities.iter().enumerate() {
        let s = explain::saliency(&net, &pixels, Some(class)).unwrap();
        for (t, g) in total.iter_mut().zip(&s.gradient) {
            *t += p as f64 * *g as f64;
        }
        size = size.max(s.largest as f64);
    }
    let worst = total.iter().fold(0.0f64, |m, t| m.max(t.abs()));
    // Without a class it explains the network's answer.
    let answer = explain::saliency(&net, &pixels, None).unwrap();
    let predicted = probabilities.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).unwrap().0;
    assert_eq!((answer.class as usize, answer.predicted as usize), (predicted, predicted));
    assert_eq!(answer.probability, probabilities[predicted]);
    assert_eq!(answer.gradient, explain::saliency(&net, &pixels, Some(predicted)).unwrap().gradient);
    assert!(worst < 1e-5 * size.max(1.0), "Σ A_k·saliency_k = {worst:.2e} (saliencies up to {size:.2e})");
}

/// The live check: for every tensor it finds parameters with sizeable gradients away from ReLU
/// kinks, and backprop agrees with the finite difference on each; the network itself is untouched.
/// A network trained for a moment on MNIST, for a real test image, right and wrong labels.
#[test]
fn gradient_check_passes_on_a_trained_network() {
    let (train, test) = mnist();
    let config = TrainConfig { epochs: 0.2, ..TrainConfig::default() };
    let mut trainer = Trainer::new(config, train.take(10_000), None, 5).unwrap();
    trainer.train(u64::MAX, || true).unwrap();
    let net = trainer.network().clone();
    for index in [0usize, 1, 2, 3] {
        let pixels = pixel_values(test.image(index));
        for label in [test.labels[index] as usize, (test.labels[index] as usize + 3) % 10] {
            for smoothing in [0.0, 0.1] {
                let check = explain::gradient_check(&net, &pixels, label, smoothing, 2).unwrap();
                assert_eq!(&net, trainer.network(), "the check does not change the network");
                let tensors: Vec<(usize, Tensor)> = check.parameters.iter().map(|p| (p.parameter.layer, p.parameter.tensor)).collect();
                for tensor in [(0, Tensor::Weights), (0, Tensor::Biases), (1, Tensor::Weights), (1, Tensor::Biases)] {
                    assert!(tensors.contains(&tensor), "image {index}, label {label}: nothing checked in {tensor:?}");
                }
                for p in &check.parameters {
                    assert!(!p.crosses_kink);
                    assert!(p.relative_error < CHECK_TOLERANCE, "image {index}, label {label}, ε {smoothing}: {p:?}");
                }
                assert!(check.passed);
                let trace = explain::trace(&net, &pixels, label, smoothing, 0.1, 1).unwrap();
                assert_eq!(check.loss, trace.loss);
            }
        }
    }
}

/// The check has teeth: the real checker, fed a gradient 5 % too large in one tensor (each in turn),
/// fails exactly the parameters it checks in that tensor; fed the right values at the wrong
/// parameters (each unit's row of dW² given the next unit's), it fails too.
#[test]
fn gradient_check_can_fail() {
    let mut rng = Pcg64Mcg::seed_from_u64(6);
    let net = Mlp::new(&[IMAGE_PIXELS, 32, 10], &mut rng).unwrap();
    let (_, pixels) = random_image(&mut rng, 0.2);
    let (label, smoothing) = (4, 0.1);
    let mut gradients = net.clone();
    let mut x = InputBatch::with_capacity(IMAGE_PIXELS, 1);
    x.push(&pixels);
    gradients.accumulate_gradients(&x, &[label as u8], smoothing, 1.0, &mut Workspace::default());
    let check = |gradients: &Mlp| explain::gradient_check_of(&net, gradients, &pixels, label, smoothing, 3).unwrap();
    let right = check(&gradients);
    assert!(right.passed, "{right:?}");
    assert_eq!(right, explain::gradient_check(&net, &pixels, label, smoothing, 3).unwrap(), "the same check");

    for (layer, tensor) in [(0, Tensor::Weights), (0, Tensor::Biases), (1, Tensor::Weights), (1, Tensor::Biases)] {
        let mut wrong = gradients.clone();
        let grads = match tensor {
            Tensor::Weights => wrong.layers[layer].weight_grads.as_mut_slice(),
            Tensor::Biases => wrong.layers[layer].bias_grads.as_mut_slice(),
        };
        grads.iter_mut().for_each(|g| *g *= 1.05);
        let result = check(&wrong);
        assert!(!result.passed, "layer {layer} {tensor:?} 5 % too large passed");
        assert!(result.parameters.iter().any(|p| (p.parameter.layer, p.parameter.tensor) == (layer, tensor)));
        for p in &result.parameters {
            let wronged = (p.parameter.layer, p.parameter.tensor) == (layer, tensor);
            assert_eq!(p.relative_error >= CHECK_TOLERANCE, wronged, "layer {layer} {tensor:?} wronged: {p:?}");
        }
    }

    let mut wrong = gradients.clone();
    let units = wrong.layers[1].outputs();
    wrong.layers[1].weight_grads.as_mut_slice().chunks_exact_mut(units).for_each(|column| column.rotate_left(1));
    let result = check(&wrong);
    assert!(!result.passed, "dW² with each unit given the next one's gradient passed");
    assert!(explain::gradient_check_of(&net, &Mlp::new(&[IMAGE_PIXELS, 31, 10], &mut rng).unwrap(), &pixels, label, smoothing, 3).is_err());
}

#[test]
fn bad_arguments_are_errors() {
    let mut rng = Pcg64Mcg::seed_from_u64(7);
    let net = Mlp::new(&[IMAGE_PIXELS, 40, 10], &mut rng).unwrap();
    let pixels = vec![0.5; IMAGE_PIXELS];
    assert!(explain::trace(&net, &pixels[1..], 0, 0.0, 0.1, 4).is_err());
    assert!(explain::trace(&net, &pixels, 10, 0.0, 0.1, 4).is_err());
    assert!(explain::trace(&net, &pixels, 0, 1.0, 0.1, 4).is_err());
    assert!(explain::trace(&net, &pixels, 0, 0.0, f32::NAN, 4).is_err());
    let mut nan = pixels.clone();
    nan[3] = f32::NAN;
    assert!(explain::saliency(&net, &nan, Some(0)).is_err());
    assert!(explain::saliency(&net, &nan, None).is_err());
    assert!(explain::saliency(&net, &pixels, Some(99)).is_err());
    assert!(explain::gradient_check(&net, &pixels, 0, -0.1, 2).is_err());
    let trace = explain::trace(&net, &pixels, 0, 0.0, 0.1, 1000).unwrap();
    assert_eq!(trace.layers[0].largest_weight_grads.len(), explain::MAX_TOP, "at most MAX_TOP");
    assert_eq!(trace.layers[1].largest_weight_grads.len(), 10, "one per unit");
    assert!(explain::largest(&[], 3).is_empty());
    assert_eq!(explain::largest(&[1.0, -3.0, 2.0, -3.0], 3), vec![1, 3, 2]);
    // 2 × 3, column-major: rows [1, 5, −2] and [4, −0.5, 3]; each row's largest is 5 (index 2) and 4 (index 1).
    assert_eq!(explain::largest_per_row(&[1.0, 4.0, 5.0, -0.5, -2.0, 3.0], 2, 5), vec![2, 1]);
}

/// The panel's test images are the test set's, as training reads them; its gradient check is on
/// training's own loss (with the run's label smoothing).
#[test]
fn the_panel_reads_the_runs_test_images_and_checks_its_loss() {
    let (train, test) = mnist();
    let test = test.take(50);
    let config = TrainConfig { layers: Architecture::mlp(&[16]), label_smoothing: 0.1, ..TrainConfig::default() };
    let trainer = Trainer::new(config, train.take(500), Some(test.clone()), 4).unwrap();
    let image = explain::test_image(&trainer, 7).unwrap();
    assert_eq!((image.index, image.label), (7, test.labels[7]));
    assert_eq!(image.pixels, pixel_values(test.image(7)));
    let e = explain::test_image(&trainer, 50).unwrap_err().to_string();
    assert!(e.contains("test image 50 does not exist (the data set has 50)"), "{e}");

    let label = image.label as usize;
    let check = explain::gradient_check_training(&trainer, &image.pixels, label, 3).unwrap();
    assert_eq!(check, explain::gradient_check(trainer.network(), &image.pixels, label, 0.1, 3).unwrap());
    assert_ne!(check, explain::gradient_check(trainer.network(), &image.pixels, label, 0.0, 3).unwrap(), "the smoothing counts");

    let without_test = Trainer::new(TrainConfig::default(), train.take(100), None, 4).unwrap();
    assert!(explain::test_image(&without_test, 0).unwrap_err().to_string().contains("no test set"));
}

/// "How it works" for a ConvNet: the most active output of the first convolution is the sum of its
/// kernel times the patch under it plus the bias (computed here in f64), its ReLU is its activity,
/// the term of the kernel's gradient is ∂L/∂Z times the patch, and the kernel's gradient matches
/// the central difference of training's loss. An MLP, or a net starting with pooling, is refused.
#[test]
fn a_convolution_output_follows_the_formulas() {
    use inkling::architecture::Architecture;
    use inkling::layer::MapLayer;
    let mut rng = Pcg64Mcg::seed_from_u64(6);
    let (_, pixels) = random_image(&mut rng, 0.3);
    for (text, same) in [("c4k5-p2-8", false), ("c3k3s-p2-c4k3-6", true)] {
        let net = text.parse::<Architecture>().unwrap().build(inkling::architecture::MNIST_INPUT, 10, &mut rng).unwrap();
        let t = explain::trace_convolution(&net, &pixels, 3, 0.1).unwrap();
        assert_eq!(t.same_padding, same);
        let k = t.kernel;
        assert_eq!((t.patch.len(), t.weights.len(), t.weight_grads.len()), (k * k, k * k, k * k));
        let sum: f64 = t.weights.iter().zip(&t.patch).map(|(w, p)| *w as f64 * *p as f64).sum::<f64>() + t.bias as f64;
        assert!((sum - t.z as f64).abs() < 1e-5 * (1.0 + sum.abs()), "{text}: Σ W·P + b = {sum}, Z = {}", t.z);
        // The patch is the image under the kernel (valid padding: no zeros added).
        if !same {
            for (i, p) in t.patch.iter().enumerate() {
                assert_eq!(*p, pixels[(t.y + i / k) * IMAGE_SIDE + t.x + i % k]);
            }
        }
        assert_eq!(t.a, t.z.max(0.0));
        assert!(t.active >= 1 && t.active <= t.height * t.width);
        for (term, p) in t.term.iter().zip(&t.patch) {
            assert_eq!(*term, t.dz * p);
        }
        // dW of the channel's largest-gradient tap against a central difference of the loss.
        let tap = (0..k * k).max_by(|&a, &b| t.weight_grads[a].abs().total_cmp(&t.weight_grads[b].abs())).unwrap();
        let loss = |delta: f32| {
            let mut copy = net.clone();
            let MapLayer::Conv(c) = &mut copy.maps[0] else { unreachable!() };
            c.weights[(tap, t.channel)] += delta;
            let mut x = InputBatch::with_capacity(IMAGE_PIXELS, 1);
            x.push(&pixels);
            let mut ws = Workspace::default();
            copy.forward(&x, &mut ws);
            copy.stats(&ws, &[3], 0.1).loss_sum as f64
        };
        let numeric = (loss(1e-2) - loss(-1e-2)) / 2e-2;
        let exact = t.weight_grads[tap] as f64;
        assert!((numeric - exact).abs() < 2e-2 * exact.abs().max(numeric.abs()).max(1e-2), "{text}: dW {exact}, finite difference {numeric}");
        assert_eq!(t.probabilities.len(), 10);
        assert_eq!(t.label, 3);
    }
    let mlp = Mlp::new(&[IMAGE_PIXELS, 8, 10], &mut rng).unwrap();
    assert!(explain::trace_convolution(&mlp, &pixels, 3, 0.0).unwrap_err().to_string().contains("no convolution"));
    let pooled = "p2-c2k3-5".parse::<Architecture>().unwrap().build(inkling::architecture::MNIST_INPUT, 10, &mut rng).unwrap();
    assert!(explain::trace_convolution(&pooled, &pixels, 3, 0.0).unwrap_err().to_string().contains("starts with pooling"));
}
