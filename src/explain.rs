//! Explaining the network to a person: one forward and one backward pass traced for one input, a
//! finite-difference check of chosen gradients, and which pixels pushed an answer up or down — for
//! any network, and for a run's current one with its training's settings (the "How it works"
//! panel). (Two training runs side by side are [`crate::comparison`].)
//!
//! Nothing here re-implements the network's math. A trace runs [`Mlp::accumulate_gradients`] — the
//! training step's own forward and backward code — on a batch of one, on a copy of the network, and
//! reads what it left behind: `Zˡ` and `Aˡ` in the [`Workspace`], `dWˡ` and `dbˡ` in the copy's
//! gradients. With `m = 1` and `scale = 1`, `dbˡ = Σ_j dZˡ[:, j]/m` is `dZˡ` itself, so the backward
//! pass's `dZˡ` is read from there. The saliency continues the same backward pass one layer further,
//! to the input, with [`Dense::input_grads`]; the update is the SGD step of [`Optimizer::step`].
//!
//! [`Dense::input_grads`]: crate::layer::Dense::input_grads

use crate::batch::InputBatch;
use crate::error::{Error, Result};
use crate::loss::{check_label_smoothing, target};
use crate::network::{argmax, Mlp, Workspace};
use crate::optim::{check_learning_rate, OptimizerConfig, SgdConfig};
use crate::pixel::pixel_values;
use crate::trainer::Trainer;
use serde::Serialize;

mod convolution;
pub use convolution::{trace_convolution, ConvolutionTrace};

/// Most entries a trace lists per gradient tensor.
pub const MAX_TOP: usize = 32;

/// Step `ε` of the central difference `(L(θ+ε) − L(θ−ε)) / 2ε`. The network computes in f32, so the
/// loss carries rounding noise of about 1e-7; divided by 2ε that is ~1e-5 in the quotient. A smaller
/// ε drowns the gradient in that noise, a larger one grows the O(ε²) truncation error and crosses
/// more ReLU kinks (the same choice, and reasoning, as `tests/gradient_check.rs`).
pub const CHECK_EPSILON: f32 = 1e-2;
/// Backprop and the finite difference must agree to 1 %:
/// `|backprop − numeric| / max(|backprop|, |numeric|) < CHECK_TOLERANCE`.
pub const CHECK_TOLERANCE: f32 = 1e-2;
/// Gradients smaller than this are below what a finite difference in f32 can measure (the noise
/// above, ~1e-5, would be a large part of them); the check does not pick them.
pub const CHECK_MIN_GRADIENT: f32 = 1e-3;
/// Most candidates, per tensor, that the check tries before giving up on finding ones that are
/// large enough and away from ReLU kinks.
const CHECK_CANDIDATES: usize = 64;

/// An entry of a vector, by position.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Entry {
    pub index: usize,
    pub value: f32,
}

/// One entry of a weight gradient `dWˡ[row, col]` with the weight it belongs to, before and after one
/// plain gradient-descent step on this example: `W − α·dW`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WeightEntry {
    /// The unit the weight leads to (an output of the layer).
    pub row: usize,
    /// The input the weight comes from (a pixel for the first layer: row `col / 28`, column `col % 28`).
    pub col: usize,
    pub grad: f32,
    pub weight: f32,
    pub updated: f32,
}

/// One entry of a bias gradient `dbˡ[row]`, with the bias before and after the step.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BiasEntry {
    pub row: usize,
    pub grad: f32,
    pub bias: f32,
    pub updated: f32,
}

/// What one layer computed for the traced example.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LayerTrace {
    pub inputs: usize,
    pub outputs: usize,
    /// A hidden layer (ReLU) rather than the output layer (softmax).
    pub hidden: bool,
    /// `Zˡ = Wˡ·Aˡ⁻¹ + bˡ`.
    pub z: Vec<f32>,
    /// `Aˡ = ReLU(Zˡ)` for a hidden layer, `softmax(Zˡ)` for the output layer.
    pub a: Vec<f32>,
    /// Units with `Zˡ > 0`: the ones a hidden layer lets through, forward and (by ReLU′) backward.
    pub active: usize,
    /// `dZˡ = ∂L/∂Zˡ`; `Aᴸ − Y` for the output layer.
    pub dz: Vec<f32>,
    /// `dbˡ = Σ dZˡ / m` (equal to `dZˡ` for this one example).
    pub db: Vec<f32>,
    /// The entries of `Zˡ`, `Aˡ` and `dZˡ` largest in size, largest first.
    pub largest_z: Vec<Entry>,
    pub largest_a: Vec<Entry>,
    pub largest_dz: Vec<Entry>,
    /// Entries of `dWˡ = dZˡ·Aˡ⁻¹ᵀ / m` largest in size, largest first: the largest of each unit's
    /// row, for the units where that is largest ([`largest_per_row`]).
    pub largest_weight_grads: Vec<WeightEntry>,
    pub largest_bias_grads: Vec<BiasEntry>,
    /// `‖dWˡ‖` (Frobenius) and the number of non-zero entries of `dWˡ`.
    pub weight_grad_norm: f32,
    pub weight_grads_nonzero: usize,
}

/// One forward and one backward pass for one input and its true label, as training computes them.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Trace {
    /// Layer sizes, inputs first.
    pub sizes: Vec<usize>,
    pub label: u8,
    /// ε of label smoothing in the target `Y` (training's own setting).
    pub label_smoothing: f32,
    /// α of the update shown, `W ← W − α·dW`.
    pub learning_rate: f32,
    /// Inputs that are not zero (inked pixels).
    pub input_nonzero: usize,
    /// The target `Y`: `1 − ε + ε/K` for the true label, `ε/K` for every other class.
    pub target: Vec<f32>,
    /// `L = −Σ_k Y_k log A_k`, with `Y` as above.
    pub loss: f32,
    /// The same with a plain one-hot `Y` (`−log A_label`), what training reports as its loss.
    pub plain_loss: f32,
    pub predicted: u8,
    pub layers: Vec<LayerTrace>,
    /// The network's parameters with the gradients of this pass (`weight_grads`, `bias_grads`).
    #[serde(skip)]
    pub gradients: Mlp,
    /// The parameters after one plain gradient-descent step on this example, `θ − α·∂L/∂θ`.
    #[serde(skip)]
    pub updated: Mlp,
}

/// Indices of the `k` entries largest in size, largest first (the first one on ties).
pub fn largest(values: &[f32], k: usize) -> Vec<usize> {
    let better = |i: usize, j: usize| values[i].abs().total_cmp(&values[j].abs()).is_gt();
    crate::metrics::top_indices(values.len(), k, &better)
}

/// Column-major indices into a matrix of `rows` rows: the largest entry (in size) of each row, for
/// the `k` rows whose largest entries are largest, largest first. One entry per unit: the entries
/// of one row of `dW` share that unit's `dZ`, and where the inputs are equal (full-ink pixels) are
/// equal, so the plain `k` largest would often be one unit's `k` copies of the same number.
pub fn largest_per_row(values: &[f32], rows: usize, k: usize) -> Vec<usize> {
    if rows == 0 || values.is_empty() {
        return Vec::new();
    }
    let mut best: Vec<usize> = (0..rows).collect();
    for (i, v) in values.iter().enumerate() {
        let row = i % rows;
        if v.abs() > values[best[row]].abs() {
            best[row] = i;
        }
    }
    let sizes: Vec<f32> = best.iter().map(|&i| values[i]).collect();
    largest(&sizes, k).into_iter().map(|row| best[row]).collect()
}

fn entries(values: &[f32], k: usize) -> Vec<Entry> {
    largest(values, k).into_iter().map(|index| Entry { index, value: values[index] }).collect()
}

/// `net` on a batch of one: the forward and backward pass of training with `scale = 1`, on a copy of
/// `net` whose gradients start at zero. Returns the copy (with `dW`, `db`), the workspace (with `Z`,
/// `A`) and the batch.
fn backward_on_one(net: &Mlp, pixels: &[f32], label: u8, smoothing: f32) -> (Mlp, Workspace, InputBatch) {
    let mut copy = net.clone();
    copy.zero_grads();
    let mut x = InputBatch::with_capacity(net.inputs(), 1);
    x.push(pixels);
    let mut ws = Workspace::default();
    copy.accumulate_gradients(&x, &[label], smoothing, 1.0, &mut ws);
    (copy, ws, x)
}

/// Traces one forward and one backward pass of `net` for `pixels` with the true `label`, using
/// training's label smoothing `smoothing`; the update shown is plain gradient descent with rate
/// `learning_rate`. Lists the `top` (at most [`MAX_TOP`]) largest entries of every vector and
/// gradient.
pub fn trace(net: &Mlp, pixels: &[f32], label: usize, smoothing: f32, learning_rate: f32, top: usize) -> Result<Trace> {
    if net.is_convolutional() {
        // The steps below read the pixels with the first dense layer; a ConvNet's first dense layer
        // reads feature maps, and its convolutions would be steps of their own.
        return Err(Error::Input(
            "these steps follow an MLP, whose first layer reads the pixels; this network is a ConvNet. \
             Choose an MLP recipe to follow its numbers — the ConvNet's filters and feature maps are under Look inside."
                .into(),
        ));
    }
    net.check_input(pixels)?;
    let label = net.check_class(label, "label")?;
    check_label_smoothing(smoothing)?;
    check_learning_rate(learning_rate)?;
    let top = top.min(MAX_TOP);
    let (gradients, ws, _) = backward_on_one(net, pixels, label, smoothing);

    // The update: the optimiser's own SGD step on a copy.
    let mut updated = gradients.clone();
    OptimizerConfig::Sgd(SgdConfig { learning_rate }).build().step(updated.parameters_and_grads(), learning_rate);

    let last = net.layers.len() - 1;
    let layers = gradients
        .layers
        .iter()
        .zip(&updated.layers)
        .enumerate()
        .map(|(l, (layer, after))| {
            let n = layer.outputs();
            let z = ws.z[l][..n].to_vec();
            let a = ws.a[l][..n].to_vec();
            let dz = layer.bias_grads.as_slice().to_vec();
            let dw = layer.weight_grads.as_slice();
            let largest_weight_grads = largest_per_row(dw, n, top)
                .into_iter()
                .map(|i| WeightEntry {
                    row: i % n,
                    col: i / n,
                    grad: dw[i],
                    weight: layer.weights.as_slice()[i],
                    updated: after.weights.as_slice()[i],
                })
                .collect();
            let largest_bias_grads = largest(&dz, top)
                .into_iter()
                .map(|row| BiasEntry {
                    row,
                    grad: dz[row],
                    bias: layer.biases[row],
                    updated: after.biases[row],
                })
                .collect();
            LayerTrace {
                inputs: layer.inputs(),
                outputs: n,
                hidden: l != last,
                active: z.iter().filter(|&&v| v > 0.0).count(),
                largest_z: entries(&z, top),
                largest_a: entries(&a, top),
                largest_dz: entries(&dz, top),
                largest_weight_grads,
                largest_bias_grads,
                weight_grad_norm: dw.iter().map(|g| g * g).sum::<f32>().sqrt(),
                weight_grads_nonzero: dw.iter().filter(|&&g| g != 0.0).count(),
                db: dz.clone(),
                z,
                a,
                dz,
            }
        })
        .collect();

    let classes = net.outputs();
    let probabilities = &ws.a[last][..classes];
    Ok(Trace {
        sizes: net.sizes(),
        label,
        label_smoothing: smoothing,
        learning_rate,
        input_nonzero: pixels.iter().filter(|&&v| v != 0.0).count(),
        target: (0..classes).map(|k| target(label as usize, k, classes, smoothing)).collect(),
        loss: gradients.stats(&ws, &[label], smoothing).loss_sum,
        plain_loss: gradients.stats(&ws, &[label], 0.0).loss_sum,
        predicted: argmax(probabilities) as u8,
        layers,
        gradients,
        updated,
    })
}

/// Which pixels pushed the answer up or down.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Saliency {
    pub class: u8,
    /// The network's answer for the input, and the probability it gives `class`.
    pub predicted: u8,
    pub probability: f32,
    /// The score explained: `log Aᴸ_class`, the log-probability of the class.
    pub log_probability: f32,
    /// `∂ log Aᴸ_class / ∂x` for every input: positive where more ink would raise the class'
    /// probability, negative where it would lower it.
    pub gradient: Vec<f32>,
    /// The largest `|gradient|` (for a colour scale).
    pub largest: f32,
}

/// The gradient of the log-probability of `class` with respect to the input, `∂ log A_class / ∂x`.
///
/// The score is the log-probability rather than the logit `Z_class`: a pixel that raises every
/// logit alike changes no probability, and the log-probability counts it as the nothing it is. It is
/// also minus the cross-entropy with label `class`, so the gradient is the training's own backward
/// pass (`dZᴸ = Aᴸ − Y` with a one-hot `Y`, down to `dZ¹`) taken one layer further, to the input:
/// `∂L/∂x = W¹ᵀ·dZ¹` in an MLP, and in a ConvNet back through its pooling and convolutions by their
/// own backward passes; the saliency is `−∂L/∂x`. `class` `None` explains the network's answer.
pub fn saliency(net: &Mlp, pixels: &[f32], class: Option<usize>) -> Result<Saliency> {
    net.check_input(pixels)?;
    let class = match class {
        Some(class) => net.check_class(class, "digit")?,
        None => {
            let mut x = InputBatch::with_capacity(net.inputs(), 1);
            let probabilities = crate::trainer::predict(net, pixels, &mut x, &mut Workspace::default())?;
            argmax(&probabilities) as u8
        }
    };
    let mut copy = net.clone();
    let mut x = InputBatch::with_capacity(net.inputs(), 1);
    x.push(pixels);
    let mut ws = Workspace::default();
    ws.want_input_grads = true;
    copy.accumulate_gradients(&x, &[class], 0.0, 1.0, &mut ws);
    let gradient: Vec<f32> = ws.input_grads.iter().map(|g| -g).collect();
    let last = net.layers.len() - 1;
    let probabilities = &ws.a[last][..net.outputs()];
    Ok(Saliency {
        class,
        predicted: argmax(probabilities) as u8,
        probability: probabilities[class as usize],
        log_probability: probabilities[class as usize].ln(),
        largest: gradient.iter().fold(0.0f32, |m, g| m.max(g.abs())),
        gradient,
    })
}

/// A parameter tensor of a network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tensor {
    Weights,
    Biases,
}

/// One parameter: `Wˡ[row, col]` or `bˡ[row]` (`layer` counts from 0, `col` is 0 for a bias).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Parameter {
    pub layer: usize,
    pub tensor: Tensor,
    pub row: usize,
    pub col: usize,
}

/// Backprop's gradient of one parameter next to the central difference of the loss.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckedParameter {
    pub parameter: Parameter,
    pub value: f32,
    /// `∂L/∂θ` from the backward pass.
    pub backprop: f32,
    /// `(L(θ+ε) − L(θ−ε)) / 2ε`, with the step actually taken after rounding θ ± ε to f32.
    pub numeric: f32,
    /// `|backprop − numeric| / max(|backprop|, |numeric|)` (0 when both are 0).
    pub relative_error: f32,
    /// The ±ε step switched some hidden unit on or off: the loss has a kink there and the finite
    /// difference is not a derivative.
    pub crosses_kink: bool,
}

/// A gradient check on one example.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GradientCheck {
    pub epsilon: f32,
    pub tolerance: f32,
    /// `L` of the unperturbed network for the example.
    pub loss: f32,
    pub parameters: Vec<CheckedParameter>,
    /// Every parameter that does not cross a kink is within the tolerance.
    pub passed: bool,
}

fn parameter_mut(net: &mut Mlp, p: Parameter) -> &mut f32 {
    let layer = &mut net.layers[p.layer];
    match p.tensor {
        Tensor::Weights => &mut layer.weights[(p.row, p.col)],
        Tensor::Biases => &mut layer.biases[p.row],
    }
}

/// Loss of one example and the on/off pattern of every hidden unit, from the forward pass only.
fn loss_and_pattern(net: &Mlp, x: &InputBatch, label: u8, smoothing: f32, ws: &mut Workspace) -> (f32, Vec<bool>) {
    net.forward(x, ws);
    let hidden = net.layers.len() - 1;
    let pattern = (0..hidden).flat_map(|l| ws.z[l][..net.layers[l].outputs()].iter().map(|&z| z > 0.0)).collect();
    (net.stats(ws, &[label], smoothing).loss_sum, pattern)
}

struct Checker<'a> {
    net: Mlp,
    gradients: &'a Mlp,
    x: InputBatch,
    label: u8,
    smoothing: f32,
    ws: Workspace,
    base_pattern: Vec<bool>,
}

impl Checker<'_> {
    fn check(&mut self, p: Parameter) -> CheckedParameter {
        let layer = &self.gradients.layers[p.layer];
        let backprop = match p.tensor {
            Tensor::Weights => layer.weight_grads[(p.row, p.col)],
            Tensor::Biases => layer.bias_grads[p.row],
        };
        let original = *parameter_mut(&mut self.net, p);
        let (plus, minus) = (original + CHECK_EPSILON, original - CHECK_EPSILON);
        *parameter_mut(&mut self.net, p) = plus;
        let (loss_plus, pattern_plus) = loss_and_pattern(&self.net, &self.x, self.label, self.smoothing, &mut self.ws);
        *parameter_mut(&mut self.net, p) = minus;
        let (loss_minus, pattern_minus) = loss_and_pattern(&self.net, &self.x, self.label, self.smoothing, &mut self.ws);
        *parameter_mut(&mut self.net, p) = original;
        let numeric = ((loss_plus as f64 - loss_minus as f64) / (plus as f64 - minus as f64)) as f32;
        let size = backprop.abs().max(numeric.abs());
        CheckedParameter {
            parameter: p,
            value: original,
            backprop,
            numeric,
            relative_error: if size > 0.0 { (backprop - numeric).abs() / size } else { 0.0 },
            crosses_kink: pattern_plus != self.base_pattern || pattern_minus != self.base_pattern,
        }
    }
}

/// Checks backprop against finite differences for one example: for every parameter tensor (W¹, b¹,
/// W², …) the `per_tensor` (at most 8) parameters, of different units, with the largest gradients
/// that are measurable
/// (at least [`CHECK_MIN_GRADIENT`]) and whose ±ε step crosses no ReLU kink. The loss is training's,
/// with label smoothing `smoothing`; `net` itself is not changed (the check works on a copy).
pub fn gradient_check(net: &Mlp, pixels: &[f32], label: usize, smoothing: f32, per_tensor: usize) -> Result<GradientCheck> {
    net.check_input(pixels)?;
    let class = net.check_class(label, "label")?;
    check_label_smoothing(smoothing)?;
    let (gradients, _, _) = backward_on_one(net, pixels, class, smoothing);
    gradient_check_of(net, &gradients, pixels, label, smoothing, per_tensor)
}

/// [`gradient_check`] of a gradient given rather than computed: `gradients` is `net` holding `∂L/∂θ`
/// for this example in its `weight_grads` and `bias_grads` (as [`Mlp::accumulate_gradients`] with
/// `scale = 1` leaves them). With it a test shows that the check fails a wrong gradient.
pub fn gradient_check_of(
    net: &Mlp,
    gradients: &Mlp,
    pixels: &[f32],
    label: usize,
    smoothing: f32,
    per_tensor: usize,
) -> Result<GradientCheck> {
    net.check_input(pixels)?;
    let label = net.check_class(label, "label")?;
    check_label_smoothing(smoothing)?;
    if gradients.sizes() != net.sizes() {
        return Err(Error::Input(format!("gradients of a {:?} network for a {:?} one", gradients.sizes(), net.sizes())));
    }
    let per_tensor = per_tensor.clamp(1, 8);
    let mut x = InputBatch::with_capacity(net.inputs(), 1);
    x.push(pixels);
    let mut ws = Workspace::default();
    let (loss, base_pattern) = loss_and_pattern(net, &x, label, smoothing, &mut ws);
    let mut checker = Checker { net: net.clone(), gradients, x, label, smoothing, ws, base_pattern };

    let mut parameters = Vec::new();
    for (l, layer) in gradients.layers.iter().enumerate() {
        let n = layer.outputs();
        for (tensor, grads) in [(Tensor::Weights, layer.weight_grads.as_slice()), (Tensor::Biases, layer.bias_grads.as_slice())] {
            // Candidates of different units: each unit's largest weight gradient (the largest
            // entries of dW¹ are mostly one unit's, on its inked pixels), or the largest biases'.
            let candidates = match tensor {
                Tensor::Weights => largest_per_row(grads, n, CHECK_CANDIDATES),
                Tensor::Biases => largest(grads, CHECK_CANDIDATES),
            };
            let mut found = 0;
            for i in candidates {
                if found == per_tensor || grads[i].abs() < CHECK_MIN_GRADIENT {
                    break;
                }
                let parameter = match tensor {
                    Tensor::Weights => Parameter { layer: l, tensor, row: i % n, col: i / n },
                    Tensor::Biases => Parameter { layer: l, tensor, row: i, col: 0 },
                };
                let checked = checker.check(parameter);
                if !checked.crosses_kink {
                    parameters.push(checked);
                    found += 1;
                }
            }
        }
    }
    let passed = parameters.iter().all(|p| p.relative_error < CHECK_TOLERANCE);
    Ok(GradientCheck { epsilon: CHECK_EPSILON, tolerance: CHECK_TOLERANCE, loss, parameters, passed })
}

/// A [`Trace`] of a run's current network, with what the panel says beside it: the update shown is
/// plain gradient descent on this one example, while the run trains with `optimizer` (`sgd`,
/// `momentum`, `rmsprop`, `adam`) on batches of `batch_size` of its `train_examples` examples.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrainingTrace {
    #[serde(flatten)]
    pub trace: Trace,
    pub optimizer: &'static str,
    pub batch_size: usize,
    pub train_examples: usize,
}

/// [`trace`] of `trainer`'s current network for `pixels` and the true `label`, with its training's
/// label smoothing and learning rate: what one of its steps on this example alone would compute.
pub fn trace_training(trainer: &Trainer, pixels: &[f32], label: usize, top: usize) -> Result<TrainingTrace> {
    let config = trainer.config();
    let learning_rate = config.optimizer.learning_rate();
    Ok(TrainingTrace {
        trace: trace(trainer.network(), pixels, label, config.label_smoothing, learning_rate, top)?,
        optimizer: config.optimizer.kind(),
        batch_size: config.batch_size,
        train_examples: trainer.train_set().len(),
    })
}

/// [`trace_convolution`] of `trainer`'s current network, with training's label smoothing.
pub fn trace_convolution_training(trainer: &Trainer, pixels: &[f32], label: usize) -> Result<ConvolutionTrace> {
    trace_convolution(trainer.network(), pixels, label, trainer.config().label_smoothing)
}

/// [`gradient_check`] of `trainer`'s current network, on training's own loss (its label smoothing).
pub fn gradient_check_training(trainer: &Trainer, pixels: &[f32], label: usize, per_tensor: usize) -> Result<GradientCheck> {
    gradient_check(trainer.network(), pixels, label, trainer.config().label_smoothing, per_tensor)
}

/// A test image for the panel: its label and its pixels exactly as training reads them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TestImage {
    pub index: u32,
    pub label: u8,
    /// 784 values in [0, 1], row by row.
    pub pixels: Vec<f32>,
}

/// Test image `index` of `trainer`'s test set.
pub fn test_image(trainer: &Trainer, index: u32) -> Result<TestImage> {
    let test = trainer.required_test_set()?;
    test.check_index(index as usize, "test image")?;
    Ok(TestImage { index, label: test.labels[index as usize], pixels: pixel_values(test.image(index as usize)) })
}
