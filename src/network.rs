//! A network by hand: dense layers with ReLU between them and a softmax output (a multi-layer
//! perceptron), optionally behind feature-map layers — convolutions with ReLU and 2×2 max-pooling
//! (a ConvNet).
//!
//! One network type, one layer protocol: [`Mlp::maps`] holds the feature-map layers
//! ([`MapLayer`], empty for an MLP) and [`Mlp::layers`] the dense ones. Every layer has a forward
//! pass over a batch, gradients added with a `scale`, its inputs' gradient and its parameters with
//! their gradients, and a batch is always one example per column. The last feature maps are, in that
//! layout, already the flattened input of the first dense layer, so the step between the two kinds
//! copies nothing. Which kind comes first decides the first layer's input: an MLP's first dense
//! layer keeps its sparse kernels (it reads pixels, mostly zeros); a ConvNet's first convolution
//! reads the batch's dense copy, and its first dense layer reads the last maps with the dense
//! product. The optimisers see only [`Mlp::parameters_and_grads`], so each of them and every
//! schedule trains either kind. How an architecture is written down: `crate::architecture`.
//!
//! Dense layers, forward, for layers `l = 1…L`: `Zˡ = Wˡ·Aˡ⁻¹ + bˡ`, `Aˡ = ReLU(Zˡ)` (hidden), `Aᴸ = softmax(Zᴸ)`.
//! Backward, from the fused loss gradient `dZᴸ = Aᴸ − Y`: `dWˡ = dZˡ·Aˡ⁻¹ᵀ/m`, `dbˡ = Σ dZˡ/m`, and
//! `dZˡ⁻¹ = Wˡᵀ·dZˡ ⊙ ReLU′(Zˡ⁻¹)` — the original project's formulas, for any number of layers.

use crate::activation::{relu, relu_backward, softmax_columns};
use crate::batch::InputBatch;
use crate::error::{Error, Result};
use crate::layer::{ConvScratch, Dense, MapBuffers, MapLayer, SparseScratch};
#[cfg(not(target_arch = "wasm32"))]
use crate::nonzeros::PreparedChunk;
use crate::loss::{cross_entropy_sum, softmax_cross_entropy_grad};
use nalgebra::DMatrixViewMut;
use rand::Rng;

/// Largest layer the settings accept, and the most parameters: keeps a typo such as `1280000`
/// from trying to allocate gigabytes inside the browser tab. Training holds about 32 bytes per
/// parameter (weights, gradients, Adam's two moments, and the last good copy of each), so 4 M
/// parameters — a 784-4096-10 network fits — cost about 130 MB.
pub const MAX_LAYER_SIZE: usize = 4096;
pub const MAX_PARAMETERS: usize = 4_000_000;
/// Most weight layers: far deeper than a plain ReLU MLP trains, and it bounds what a model file can
/// make the loader allocate (millions of 1×1 layers would pass the two limits above).
pub const MAX_LAYERS: usize = 64;

/// Above this fraction of non-zero inputs the dense first-layer product is cheaper than the sparse one.
const SPARSE_DENSITY_LIMIT: f32 = 0.5;

#[derive(Debug, Clone, PartialEq)]
pub struct Mlp {
    /// The feature-map layers, first to last; empty in an MLP.
    pub maps: Vec<MapLayer>,
    /// The dense layers, the last one giving the class scores.
    pub layers: Vec<Dense>,
}

/// The first layer's input: a batch of examples, or (native full-batch training, a narrow first
/// layer: [`crate::layer::is_narrow`]) a prepared chunk of MNIST images.
#[derive(Debug, Clone, Copy)]
pub enum Input<'a> {
    Batch(&'a InputBatch),
    #[cfg(not(target_arch = "wasm32"))]
    Chunk(PreparedChunk<'a>),
}

impl Input<'_> {
    pub fn len(&self) -> usize {
        match self {
            Input::Batch(x) => x.len(),
            #[cfg(not(target_arch = "wasm32"))]
            Input::Chunk(x) => x.len(),
        }
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<'a> From<&'a InputBatch> for Input<'a> {
    fn from(x: &'a InputBatch) -> Self {
        Input::Batch(x)
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl<'a> From<PreparedChunk<'a>> for Input<'a> {
    fn from(x: PreparedChunk<'a>) -> Self {
        Input::Chunk(x)
    }
}

/// Loss summed over a batch and the number of examples the network got right.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct BatchStats {
    pub loss_sum: f32,
    pub correct: usize,
    pub examples: usize,
}

impl BatchStats {
    pub fn add(&mut self, other: BatchStats) {
        self.loss_sum += other.loss_sum;
        self.correct += other.correct;
        self.examples += other.examples;
    }
    pub fn mean_loss(&self) -> f32 {
        self.loss_sum / self.examples.max(1) as f32
    }
    pub fn accuracy(&self) -> f32 {
        self.correct as f32 / self.examples.max(1) as f32
    }
}

/// Checks layer sizes such as `[784, 128, 10]` before anything is allocated.
pub fn validate_sizes(sizes: &[usize]) -> Result<()> {
    if let Some(&big) = sizes.first().filter(|&&inputs| inputs > MAX_LAYER_SIZE) {
        return Err(Error::Config(format!("a layer of {big} units is too large (at most {MAX_LAYER_SIZE})")));
    }
    validate_dense(sizes, 0, 0)
}

/// The rules of a network's size, for its dense layers `sizes` (inputs first, outputs last) after
/// `map_layers` feature-map layers with `map_parameters` parameters (a ConvNet's; none for an MLP):
/// at least one layer and at most [`MAX_LAYERS`] in all, every size from 1 to [`MAX_LAYER_SIZE`] —
/// but the inputs', which may be a ConvNet's flattened maps (an input, not a layer) — and at most
/// [`MAX_PARAMETERS`] parameters in all.
pub fn validate_dense(sizes: &[usize], map_layers: usize, map_parameters: usize) -> Result<()> {
    if sizes.len() < 2 {
        return Err(Error::Config("a network needs an input and an output layer".into()));
    }
    let layers = map_layers + sizes.len() - 1;
    if layers > MAX_LAYERS {
        return Err(Error::Config(format!("{layers} layers are too many (at most {MAX_LAYERS})")));
    }
    if let Some(&bad) = sizes.iter().find(|&&s| s == 0) {
        return Err(Error::Config(format!("layer sizes must be at least 1 (got {bad})")));
    }
    if let Some(&big) = sizes[1..].iter().find(|&&s| s > MAX_LAYER_SIZE) {
        return Err(Error::Config(format!("a layer of {big} units is too large (at most {MAX_LAYER_SIZE})")));
    }
    let parameters = map_parameters + sizes.windows(2).map(|w| w[0] * w[1] + w[1]).sum::<usize>();
    if parameters > MAX_PARAMETERS {
        return Err(Error::Config(format!(
            "{parameters} parameters would not fit in the browser's memory (at most {MAX_PARAMETERS})"
        )));
    }
    Ok(())
}

impl Mlp {
    /// A network with the given layer sizes (inputs first, outputs last), He-initialised.
    pub fn new(sizes: &[usize], rng: &mut impl Rng) -> Result<Self> {
        validate_sizes(sizes)?;
        Ok(Mlp { maps: Vec::new(), layers: sizes.windows(2).map(|w| Dense::he(w[0], w[1], rng)).collect() })
    }

    /// The dense layers' sizes, inputs first: `[784, 128, 10]`. In a ConvNet the first is the
    /// number of values in the last feature maps.
    pub fn sizes(&self) -> Vec<usize> {
        let mut sizes = vec![self.layers[0].inputs()];
        sizes.extend(self.layers.iter().map(Dense::outputs));
        sizes
    }
    /// Values per example the network reads (784 for MNIST).
    pub fn inputs(&self) -> usize {
        match self.maps.first() {
            Some(first) => first.input().len(),
            None => self.layers[0].inputs(),
        }
    }
    /// Whether the network has feature-map layers.
    pub fn is_convolutional(&self) -> bool {
        !self.maps.is_empty()
    }
    pub fn outputs(&self) -> usize {
        self.layers.last().expect("at least one layer").outputs()
    }
    pub fn parameter_count(&self) -> usize {
        self.maps.iter().map(MapLayer::parameter_count).sum::<usize>() + self.layers.iter().map(Dense::parameter_count).sum::<usize>()
    }

    /// Layer `index` (0 is the first weight layer), or an error that says how many there are.
    pub fn layer(&self, index: usize) -> Result<&Dense> {
        let count = self.layers.len();
        self.layers.get(index).ok_or_else(|| Self::no_layer(index, count))
    }

    pub fn layer_mut(&mut self, index: usize) -> Result<&mut Dense> {
        let count = self.layers.len();
        self.layers.get_mut(index).ok_or_else(|| Self::no_layer(index, count))
    }

    fn no_layer(index: usize, count: usize) -> Error {
        Error::Input(format!("layer {index} does not exist (the network has {count})"))
    }

    /// `values` is an input this network takes: one finite number per input.
    pub fn check_input(&self, values: &[f32]) -> Result<()> {
        if values.len() != self.inputs() {
            return Err(Error::Input(format!("expected {} pixel values, got {}", self.inputs(), values.len())));
        }
        if let Some(bad) = values.iter().find(|v| !v.is_finite()) {
            return Err(Error::Input(format!("pixel values must be finite numbers (got {bad})")));
        }
        Ok(())
    }

    /// `class` is one of this network's outputs; returned as a label byte. `what` names it in the
    /// error ("label", "true digit", …).
    pub fn check_class(&self, class: usize, what: &str) -> Result<u8> {
        if class < self.outputs() {
            Ok(class as u8)
        } else {
            Err(Error::Input(format!("{what} {class} does not exist (classes are 0 to {})", self.outputs() - 1)))
        }
    }

    pub fn zero_grads(&mut self) {
        self.maps.iter_mut().for_each(MapLayer::zero_grads);
        self.layers.iter_mut().for_each(Dense::zero_grads);
    }

    /// Every parameter tensor with its gradient, in a fixed order (the feature-map layers' kernels
    /// and biases, then W¹, b¹, W², b², …): what an optimiser walks over.
    pub fn parameters_and_grads(&mut self) -> impl Iterator<Item = (&mut [f32], &[f32])> {
        let maps = self.maps.iter_mut().flat_map(|layer| layer.parameters_and_grads().into_iter().flatten());
        maps.chain(self.layers.iter_mut().flat_map(|layer| {
            let Dense { weights, biases, weight_grads, bias_grads } = layer;
            [(weights.as_mut_slice(), weight_grads.as_slice()), (biases.as_mut_slice(), bias_grads.as_slice())]
        }))
    }

    /// Every parameter tensor, in the order of [`Mlp::parameters_and_grads`].
    pub fn parameters(&self) -> impl Iterator<Item = &[f32]> {
        let maps = self.maps.iter().flat_map(|layer| layer.parameters().into_iter().flatten());
        maps.chain(self.layers.iter().flat_map(|l| [l.weights.as_slice(), l.biases.as_slice()]))
    }

    /// Every gradient tensor, in the order of [`Mlp::parameters_and_grads`].
    pub fn grads(&self) -> impl Iterator<Item = &[f32]> {
        let maps = self.maps.iter().flat_map(|layer| layer.grads().into_iter().flatten());
        maps.chain(self.layers.iter().flat_map(|l| [l.weight_grads.as_slice(), l.bias_grads.as_slice()]))
    }

    /// Adds another copy's gradients to this one's (the same architecture): the threads of a
    /// full-batch step each sum a share of the examples.
    pub fn add_grads(&mut self, other: &Mlp) {
        let mine = self.maps.iter_mut().flat_map(|layer| layer.grads_mut().into_iter().flatten());
        let mine = mine.chain(self.layers.iter_mut().flat_map(|l| [l.weight_grads.as_mut_slice(), l.bias_grads.as_mut_slice()]));
        for (mine, theirs) in mine.zip(other.grads()) {
            debug_assert_eq!(mine.len(), theirs.len(), "gradients of the same architecture");
            mine.iter_mut().zip(theirs).for_each(|(g, t)| *g += t);
        }
    }

    /// All weights and biases are finite numbers.
    pub fn is_finite(&self) -> bool {
        // Plain loops rather than `self.parameters()`: its chained iterators cost 1.5 KB of wasm here.
        let maps = self.maps.iter().all(|layer| match layer {
            MapLayer::Conv(c) => all_finite(c.weights.as_slice()) && all_finite(c.biases.as_slice()),
            MapLayer::MaxPool(_) => true,
        });
        maps && self.layers.iter().all(|l| all_finite(l.weights.as_slice()) && all_finite(l.biases.as_slice()))
    }

    /// The forward pass for a batch: fills `ws.z` and `ws.a` for every layer; the last `a` holds the
    /// softmax probabilities (outputs × m).
    pub fn forward<'a>(&self, x: impl Into<Input<'a>>, ws: &mut Workspace) {
        self.forward_pass(x.into(), ws, false);
    }

    /// [`Mlp::forward`]; `for_backward`: a backward pass of this batch follows, so the convolutions
    /// keep their patches for it (a test pass or a reading does not need them, and the memory they
    /// take stays with the page: WebAssembly memory never shrinks).
    fn forward_pass(&self, x: Input, ws: &mut Workspace, for_backward: bool) {
        ws.ensure(self, x.len());
        let m = x.len();
        self.forward_maps(x, ws, for_backward);
        let last = self.layers.len() - 1;
        for (l, layer) in self.layers.iter().enumerate() {
            let (before, after) = ws.a.split_at_mut(l);
            let z = &mut ws.z[l];
            if l == 0 {
                match x {
                    _ if self.is_convolutional() => layer.forward(&ws.maps.last().expect("a map layer").a, m, z),
                    Input::Batch(x) if dense_is_cheaper(x) => layer.forward(x.dense_slice(), m, z),
                    Input::Batch(x) => layer.forward_sparse(x, z, &mut ws.sparse),
                    #[cfg(not(target_arch = "wasm32"))]
                    Input::Chunk(x) => layer.forward_chunk(x, z, &mut ws.sparse),
                }
            } else {
                layer.forward(&before[l - 1], m, z);
            }
            let n = layer.outputs() * m;
            let a = &mut after[0][..n];
            if l == last {
                a.copy_from_slice(&z[..n]);
                softmax_columns(a, layer.outputs());
            } else {
                relu(&z[..n], a);
            }
        }
    }

    /// A ConvNet's last feature maps for a batch of images — what its first dense layer reads:
    /// `sizes()[0]` values per example, one example after another. Empty for an MLP.
    pub fn map_features<'w>(&self, x: &InputBatch, ws: &'w mut Workspace) -> &'w [f32] {
        if !self.is_convolutional() {
            return &[];
        }
        ws.ensure(self, x.len());
        self.forward_maps(Input::Batch(x), ws, false);
        &ws.maps.last().expect("a map layer").a[..self.layers[0].inputs() * x.len()]
    }

    /// A fingerprint of the feature-map layers' parameters (FNV-1a over their bits): it changes
    /// when any of them does, so features computed with them can be kept until then.
    pub fn maps_fingerprint(&self) -> u64 {
        let mut hash = 0xcbf2_9ce4_8422_2325u64;
        for value in self.maps.iter().flat_map(|layer| layer.parameters().into_iter().flatten()).flatten() {
            hash = (hash ^ u64::from(value.to_bits())).wrapping_mul(0x0000_0100_0000_01b3);
        }
        hash
    }

    /// The feature-map layers' forward pass, if there are any, each into its buffers in `ws`.
    fn forward_maps(&self, x: Input, ws: &mut Workspace, for_backward: bool) {
        if !self.is_convolutional() {
            return;
        }
        let pixels = dense_pixels(x);
        for (i, layer) in self.maps.iter().enumerate() {
            let (before, after) = ws.maps.split_at_mut(i);
            let input = before.last().map_or(pixels, |b| &b.a[..]);
            layer.forward(input, x.len(), &mut after[0], &mut ws.conv[i], for_backward);
        }
    }

    /// The feature-map layers' backward pass, from `ws.delta` = ∂L/∂(the last maps).
    fn backward_maps(&mut self, x: Input, scale: f32, ws: &mut Workspace) {
        let pixels = dense_pixels(x);
        for i in (0..self.maps.len()).rev() {
            let input = if i == 0 { pixels } else { &ws.maps[i - 1].a[..] };
            let dx = match i {
                0 => ws.want_input_grads.then_some(&mut ws.input_grads[..]),
                _ => Some(&mut ws.delta_below[..]),
            };
            self.maps[i].backward(&mut ws.delta, input, &ws.maps[i], x.len(), scale, dx, &mut ws.conv[i]);
            std::mem::swap(&mut ws.delta, &mut ws.delta_below);
        }
    }

    /// Probabilities of the last forward pass (outputs × m, column-major).
    pub fn probabilities<'w>(&self, ws: &'w Workspace, m: usize) -> &'w [f32] {
        &ws.a[self.layers.len() - 1][..self.outputs() * m]
    }

    /// Forward and backward for one batch, adding `scale · ∂L/∂θ` to every gradient (L summed over the
    /// batch, so `scale = 1/m` gives the mean). Returns the batch's loss and correct count, measured
    /// before the update; the loss reported is the plain cross-entropy (ε = 0) even when the gradient
    /// uses label smoothing, so that training and test losses can be compared.
    pub fn accumulate_gradients<'a>(
        &mut self,
        x: impl Into<Input<'a>>,
        labels: &[u8],
        label_smoothing: f32,
        scale: f32,
        ws: &mut Workspace,
    ) -> BatchStats {
        let x = x.into();
        let m = x.len();
        assert_eq!(labels.len(), m, "one label per example");
        if ws.want_input_grads {
            ws.input_grads.resize(self.inputs() * m, 0.0);
        }
        self.forward_pass(x, ws, true);
        let stats = self.stats(ws, labels, 0.0);

        // dZᴸ = Aᴸ − Y, written over a copy of the probabilities.
        let last = self.layers.len() - 1;
        let outputs = self.outputs();
        ws.delta[..outputs * m].copy_from_slice(&ws.a[last][..outputs * m]);
        softmax_cross_entropy_grad(
            DMatrixViewMut::from_slice(&mut ws.delta[..outputs * m], outputs, m),
            labels,
            label_smoothing,
        );

        for l in (0..self.layers.len()).rev() {
            let layer = &mut self.layers[l];
            if l == 0 && self.maps.is_empty() {
                match x {
                    Input::Batch(x) if dense_is_cheaper(x) => layer.accumulate_grads(&ws.delta, x.dense_slice(), m, scale),
                    Input::Batch(x) => layer.accumulate_grads_sparse(&ws.delta, x, scale, &mut ws.sparse),
                    #[cfg(not(target_arch = "wasm32"))]
                    Input::Chunk(x) => layer.accumulate_grads_chunk(&ws.delta, x, scale, &mut ws.sparse),
                }
                if ws.want_input_grads {
                    layer.input_grads(&ws.delta, m, &mut ws.input_grads);
                }
            } else if l == 0 {
                // The last feature maps are the input; their ReLU (if any) is the map layer's own.
                layer.accumulate_grads(&ws.delta, &ws.maps.last().expect("a map layer").a, m, scale);
                layer.input_grads(&ws.delta, m, &mut ws.delta_below);
                std::mem::swap(&mut ws.delta, &mut ws.delta_below);
            } else {
                layer.accumulate_grads(&ws.delta, &ws.a[l - 1], m, scale);
                // dZˡ⁻¹ = Wˡᵀ·dZˡ ⊙ ReLU′(Zˡ⁻¹)
                layer.input_grads(&ws.delta, m, &mut ws.delta_below);
                let n = layer.inputs() * m;
                relu_backward(&ws.z[l - 1][..n], &mut ws.delta_below[..n]);
                std::mem::swap(&mut ws.delta, &mut ws.delta_below);
            }
        }
        if self.is_convolutional() {
            self.backward_maps(x, scale, ws);
        }
        stats
    }

    /// Loss and correct count of the probabilities in `ws` against `labels`.
    pub fn stats(&self, ws: &Workspace, labels: &[u8], label_smoothing: f32) -> BatchStats {
        let m = labels.len();
        let outputs = self.outputs();
        let probabilities = self.probabilities(ws, m);
        let view = nalgebra::DMatrixView::from_slice(probabilities, outputs, m);
        let correct = probabilities.chunks_exact(outputs).zip(labels).filter(|(p, &y)| argmax(p) == y as usize).count();
        BatchStats { loss_sum: cross_entropy_sum(view, labels, label_smoothing), correct, examples: m }
    }

    /// The class with the highest probability for each example of the last forward pass.
    pub fn predictions(&self, ws: &Workspace, m: usize) -> Vec<u8> {
        self.probabilities(ws, m).chunks_exact(self.outputs()).map(|p| argmax(p) as u8).collect()
    }
}

/// A ConvNet's input: the batch's dense copy, which its first convolution reads.
///
/// The callers that build batches give a ConvNet dense ones (only the MLP's sparse first layer
/// reads non-zero lists or prepared chunks); anything else is a broken invariant.
fn dense_pixels<'a>(x: Input<'a>) -> &'a [f32] {
    match x {
        Input::Batch(x) => x.dense_slice(),
        #[cfg(not(target_arch = "wasm32"))]
        Input::Chunk(_) => panic!("a ConvNet reads dense batches, not prepared chunks"),
    }
}

/// The first layer takes the dense path: the batch is dense enough and has its dense copy.
fn dense_is_cheaper(x: &InputBatch) -> bool {
    x.has_dense() && x.density() >= SPARSE_DENSITY_LIMIT
}

/// Index of the largest value (the first one on ties).
pub fn argmax(values: &[f32]) -> usize {
    // Selects rather than branches: which class wins is unpredictable, and a mispredicted branch
    // per class cost more than the rest of the output layer.
    let (mut best, mut best_value) = (0, values.first().copied().unwrap_or(f32::NAN));
    for (i, &v) in values.iter().enumerate().skip(1) {
        let better = v > best_value;
        best = if better { i } else { best };
        best_value = if better { v } else { best_value };
    }
    best
}

/// Buffers for one forward and backward pass, allocated once for the largest batch and reused: the
/// training loop allocates nothing per step.
#[derive(Debug, Clone, Default)]
pub struct Workspace {
    capacity: usize,
    /// What the buffers were made for: every layer's output size.
    sizes: Vec<usize>,
    /// Each feature-map layer's outputs (and what its backward pass needs).
    pub maps: Vec<MapBuffers>,
    /// Each feature-map layer's patch matrices (a convolution's forward pass keeps them for its
    /// backward pass; pooling layers leave theirs empty).
    pub conv: Vec<ConvScratch>,
    /// Pre-activations Zˡ, one buffer per layer (outputs × capacity).
    pub z: Vec<Vec<f32>>,
    /// Activations Aˡ (the last one holds the softmax probabilities).
    pub a: Vec<Vec<f32>>,
    /// dZ of the layer being worked on, and of the layer below. After a ConvNet's backward pass
    /// `delta_below` holds ∂L/∂Z of its first map layer (`explain` shows it).
    pub delta: Vec<f32>,
    pub delta_below: Vec<f32>,
    /// Scratch of the first layer's sparse products.
    pub sparse: SparseScratch,
    /// Whether a backward pass also writes ∂L/∂x, the gradient of the network's input, into
    /// `input_grads` (inputs × m): saliency asks for it, training does not (pixels are not learned).
    pub want_input_grads: bool,
    pub input_grads: Vec<f32>,
}

impl Workspace {
    /// How many examples the buffers hold.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Grows the buffers if the network or the batch is larger than what they were made for.
    pub fn ensure(&mut self, net: &Mlp, batch: usize) {
        let map_sizes = net.maps.iter().map(|l| l.output().len());
        let sizes: Vec<usize> = map_sizes.chain(net.sizes()).collect();
        if batch <= self.capacity && sizes == self.sizes {
            return;
        }
        // Another network starts from the batch it is asked for: a ConvNet's buffers for 256 examples
        // are tens of MB, and a capacity kept from the MLP before it would make the page hold them
        // for a pretrained ConvNet that only ever reads a few dozen test images at a time.
        let capacity = if sizes == self.sizes { batch.max(self.capacity) } else { batch };
        // The old buffers go first, so that WebAssembly memory (which never shrinks) does not have
        // to hold both sets at once.
        (self.maps, self.conv, self.z, self.a, self.delta, self.delta_below) = Default::default();
        // The deltas hold the gradient of every layer's output, feature maps included (but not of
        // the network's input).
        let (maps, dense) = sizes.split_at(net.maps.len());
        let widest = maps.iter().chain(&dense[1..]).copied().max().unwrap_or(0);
        self.maps = net.maps.iter().map(|l| MapBuffers::for_layer(l, capacity)).collect();
        self.conv = vec![ConvScratch::default(); net.maps.len()];
        self.z = dense[1..].iter().map(|&n| vec![0.0; n * capacity]).collect();
        self.a = self.z.clone();
        self.delta = vec![0.0; widest * capacity];
        self.delta_below = vec![0.0; widest * capacity];
        self.capacity = capacity;
        self.sizes = sizes;
    }
}

/// Whether every value is finite, without a branch per value: the trainer asks after every step, over
/// every weight — with `Iterator::all` that was a tenth of the page's training time. A float is
/// finite when its bits without the sign are below those of infinity, so the largest of them answers
/// for all (a maximum of integers, which the compiler turns into vector instructions).
fn all_finite(values: &[f32]) -> bool {
    values.iter().fold(0u32, |largest, v| largest.max(v.to_bits() & 0x7fff_ffff)) < f32::INFINITY.to_bits()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::architecture::{Architecture, MNIST_INPUT};
    use rand::SeedableRng;
    use rand_pcg::Pcg64Mcg;

    fn network(layers: &str) -> Mlp {
        layers.parse::<Architecture>().unwrap().build(MNIST_INPUT, 10, &mut Pcg64Mcg::seed_from_u64(1)).unwrap()
    }

    #[test]
    fn buffers_grow_with_the_batch_and_start_again_for_another_network() {
        let mut ws = Workspace::default();
        let mlp = network("128");
        ws.ensure(&mlp, 256);
        assert_eq!(ws.z[0].len(), 128 * 256);
        ws.ensure(&mlp, 8);
        assert_eq!(ws.z[0].len(), 128 * 256, "the same network keeps its larger buffers");
        // A ConvNet after it gets buffers for the batch it asks for, not the MLP's 256 examples.
        let convnet = network("c4k5-p2-32");
        ws.ensure(&convnet, 8);
        assert_eq!(ws.maps[0].a.len(), 4 * 24 * 24 * 8);
        assert_eq!(ws.z[0].len(), 32 * 8);
        assert_eq!(ws.delta.len(), 4 * 24 * 24 * 8);
    }
}
