//! The training loop: a network, an optimiser and the data, stepped a little at a time.
//!
//! Work is done in chunks of at most [`CHUNK`] examples, so a caller with a time budget (the browser's
//! frame loop) can stop between any two chunks — even in the middle of a 60,000-example full-batch
//! step, whose gradient simply keeps accumulating on the next call.

use crate::augment::{AugmentRanges, Augmenter};
use crate::batch::InputBatch;
use crate::error::{Error, Result};
use crate::mnist::{Dataset, CLASSES, IMAGE_PIXELS};
use crate::network::{BatchStats, Mlp, Workspace};
use crate::optim::{Optimizer, OptimizerConfig, Schedule};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_pcg::Pcg64Mcg;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Most examples processed between two looks at the clock.
pub const CHUNK: usize = 256;
/// Longest run the settings accept, in epochs.
pub const MAX_EPOCHS: f32 = 10_000.0;

/// Everything that defines a training run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct TrainConfig {
    /// Hidden layer sizes; the input (784) and output (10) layers are implied. Defaults to `[128]`.
    pub hidden: Vec<usize>,
    /// Defaults to Adam with learning rate 3e-3.
    pub optimizer: OptimizerConfig,
    /// Examples per optimiser step; the training set's size means full-batch gradient descent.
    /// Defaults to 32.
    pub batch_size: usize,
    /// Defaults to 5 % linear warm-up, then cosine decay to 0.
    pub schedule: Schedule,
    /// Length of the run in passes over the training set; the schedule spans it. Defaults to 3.
    pub epochs: f32,
    /// ε of label smoothing (0 = plain one-hot). Defaults to 0.1.
    pub label_smoothing: f32,
    /// Random shifts, scaling, small rotations and stroke thickness changes of every training
    /// example, drawn anew each time it is used ([`crate::augment`]). Defaults to false.
    pub augment: bool,
}

impl Default for TrainConfig {
    /// The default preset, [`Preset::Default`](crate::presets::Preset::Default).
    fn default() -> Self {
        crate::presets::default_recipe()
    }
}

impl TrainConfig {
    /// The original NumPy project's network and training, [`Preset::Seed`](crate::presets::Preset::Seed).
    pub fn seed_network(train_size: usize) -> Self {
        crate::presets::Preset::Seed.config(train_size)
    }

    /// Layer sizes with the input and output layers: `[784, 128, 10]`.
    pub fn sizes(&self) -> Vec<usize> {
        let mut sizes = vec![IMAGE_PIXELS];
        sizes.extend(&self.hidden);
        sizes.push(CLASSES);
        sizes
    }

    pub fn validate(&self, train_size: usize) -> Result<()> {
        crate::network::validate_sizes(&self.sizes())?;
        self.optimizer.validate()?;
        if self.batch_size == 0 {
            return Err(Error::Config("the batch size must be at least 1".into()));
        }
        if self.batch_size > train_size {
            return Err(Error::Config(format!(
                "a batch of {} is larger than the {train_size} training examples",
                self.batch_size
            )));
        }
        if !(self.epochs > 0.0 && self.epochs <= MAX_EPOCHS) {
            return Err(Error::Config(format!("epochs must be above 0 and at most {MAX_EPOCHS} (got {})", self.epochs)));
        }
        if !(0.0..1.0).contains(&self.label_smoothing) {
            return Err(Error::Config(format!("label smoothing must be in [0, 1) (got {})", self.label_smoothing)));
        }
        if let Schedule::WarmupCosine { warmup } = self.schedule {
            if !(0.0..1.0).contains(&warmup) {
                return Err(Error::Config(format!("the warm-up fraction must be in [0, 1) (got {warmup})")));
            }
        }
        Ok(())
    }
}

/// What a call to [`Trainer::train`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrainReport {
    /// Optimiser steps completed in this call.
    pub steps: u64,
    /// Examples processed in this call (forward and backward).
    pub examples: u64,
    /// Mean training loss and accuracy over the completed steps (measured before each update).
    pub loss: f32,
    pub accuracy: f32,
    pub learning_rate: f32,
    /// Exponential moving averages of the per-step loss and accuracy (the charts' smoothed curves).
    pub smoothed_loss: f32,
    pub smoothed_accuracy: f32,
    /// Steps and examples since the start of the run.
    pub total_steps: u64,
    pub total_examples: u64,
    /// Passes over the training set so far, fractional.
    pub epoch: f32,
    /// The run has reached its configured length.
    pub finished: bool,
}

/// Weight of the newest step in the smoothed curves: about the last 50 steps count.
const SMOOTHING: f32 = 0.02;

/// An exponential moving average with bias correction, so the first values are not pulled towards 0
/// (the same correction Adam applies to its moments).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Ema {
    sum: f32,
    weight: f32,
}
impl Ema {
    fn add(&mut self, value: f32) {
        self.sum = (1.0 - SMOOTHING) * self.sum + SMOOTHING * value;
        self.weight = (1.0 - SMOOTHING) * self.weight + SMOOTHING;
    }
    fn value(&self) -> f32 {
        if self.weight > 0.0 {
            self.sum / self.weight
        } else {
            f32::NAN
        }
    }
}

/// Result of evaluating a network on a whole data set.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Evaluation {
    pub loss: f32,
    pub accuracy: f32,
    pub correct: usize,
    pub examples: usize,
    /// The training examples seen when the evaluated weights were taken.
    pub at_examples: u64,
    /// Predicted class of every example, in order.
    #[serde(skip)]
    pub predictions: Vec<u8>,
}

/// A test-set evaluation spread over several calls, on a copy of the weights taken when it started.
#[derive(Debug, Clone)]
struct PendingEvaluation {
    net: Mlp,
    at_examples: u64,
    next: usize,
    stats: BatchStats,
    predictions: Vec<u8>,
}

pub struct Trainer {
    config: TrainConfig,
    /// Shared, not copied, by runs trained side by side ([`crate::explain::Comparison`]).
    train: Arc<Dataset>,
    test: Option<Arc<Dataset>>,
    net: Mlp,
    optimizer: Optimizer,
    rng: Pcg64Mcg,
    order: Vec<u32>,
    position: usize,
    /// Examples accumulated into the current, unfinished step.
    batch_filled: usize,
    batch_stats: BatchStats,
    total_steps: u64,
    total_examples: u64,
    input: InputBatch,
    /// Buffers for augmented examples (reused: no allocation per example).
    augmenter: Augmenter,
    labels: Vec<u8>,
    ws: Workspace,
    pending: Option<PendingEvaluation>,
    last_evaluation: Option<Evaluation>,
    /// The weights `last_evaluation` measured (its predictions come from them), for a second look at
    /// its examples.
    evaluated_net: Option<Mlp>,
    smoothed_loss: Ema,
    smoothed_accuracy: Ema,
    /// Threads a full-batch step is split across (native builds only; see [`Trainer::set_threads`]).
    threads: usize,
    /// Buffers of the threads beyond the first, kept from step to step.
    #[cfg(not(target_arch = "wasm32"))]
    helpers: Vec<ChunkBuffers>,
}

/// One thread's buffers for working through examples a chunk at a time.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Debug, Clone)]
struct ChunkBuffers {
    input: InputBatch,
    ws: Workspace,
}

#[cfg(not(target_arch = "wasm32"))]
impl ChunkBuffers {
    fn new() -> Self {
        ChunkBuffers { input: InputBatch::with_capacity(IMAGE_PIXELS, CHUNK), ws: Workspace::default() }
    }
}

impl Trainer {
    /// A run from fresh weights: `seed` fixes the initial weights and the order of the examples.
    pub fn new(config: TrainConfig, train: Dataset, test: Option<Dataset>, seed: u64) -> Result<Self> {
        Self::with_shared_data(config, Arc::new(train), test.map(Arc::new), seed)
    }

    /// [`Trainer::new`] on data that other trainers may use too (it is never modified).
    pub fn with_shared_data(config: TrainConfig, train: Arc<Dataset>, test: Option<Arc<Dataset>>, seed: u64) -> Result<Self> {
        config.validate(train.len())?;
        let mut trainer = Trainer {
            net: Mlp { layers: Vec::new() },
            optimizer: config.optimizer.build(),
            rng: Pcg64Mcg::seed_from_u64(seed),
            order: Vec::new(),
            input: InputBatch::with_capacity(IMAGE_PIXELS, CHUNK),
            augmenter: Augmenter::new(),
            labels: Vec::with_capacity(CHUNK),
            ws: Workspace::default(),
            position: 0,
            batch_filled: 0,
            batch_stats: BatchStats::default(),
            total_steps: 0,
            total_examples: 0,
            pending: None,
            last_evaluation: None,
            evaluated_net: None,
            smoothed_loss: Ema::default(),
            smoothed_accuracy: Ema::default(),
            threads: 1,
            #[cfg(not(target_arch = "wasm32"))]
            helpers: Vec::new(),
            config: config.clone(),
            train,
            test,
        };
        trainer.restart(config, seed)?;
        Ok(trainer)
    }

    /// Starts over from fresh weights with new settings, keeping the data. On an error nothing changes.
    pub fn restart(&mut self, config: TrainConfig, seed: u64) -> Result<()> {
        config.validate(self.train.len())?;
        let mut rng = Pcg64Mcg::seed_from_u64(seed);
        self.net = Mlp::new(&config.sizes(), &mut rng)?;
        self.optimizer = config.optimizer.build();
        self.order = (0..self.train.len() as u32).collect();
        if config.batch_size < self.train.len() {
            self.order.shuffle(&mut rng);
        }
        self.rng = rng;
        self.position = 0;
        self.batch_filled = 0;
        self.batch_stats = BatchStats::default();
        self.total_steps = 0;
        self.total_examples = 0;
        self.pending = None;
        self.last_evaluation = None;
        self.smoothed_loss = Ema::default();
        self.smoothed_accuracy = Ema::default();
        self.config = config;
        self.ws.ensure(&self.net, CHUNK);
        Ok(())
    }

    pub fn config(&self) -> &TrainConfig {
        &self.config
    }
    pub fn network(&self) -> &Mlp {
        &self.net
    }
    pub fn train_set(&self) -> &Dataset {
        &self.train
    }
    pub fn test_set(&self) -> Option<&Dataset> {
        self.test.as_deref()
    }
    /// The training set, to share with another trainer.
    pub fn shared_train_set(&self) -> Arc<Dataset> {
        Arc::clone(&self.train)
    }
    pub fn total_examples(&self) -> u64 {
        self.total_examples
    }
    pub fn total_steps(&self) -> u64 {
        self.total_steps
    }
    pub fn last_evaluation(&self) -> Option<&Evaluation> {
        self.last_evaluation.as_ref()
    }
    /// The network as it was when [`Trainer::last_evaluation`] was measured (the current one has
    /// usually trained on since); `None` when there is no evaluation.
    pub fn last_evaluated_network(&self) -> Option<&Mlp> {
        self.last_evaluation.as_ref().and(self.evaluated_net.as_ref())
    }

    /// Overwrites one layer's weights (outputs × inputs, column-major) and biases, keeping the
    /// optimiser's state. On an error nothing changes.
    pub fn set_layer_parameters(&mut self, layer: usize, weights: &[f32], biases: &[f32]) -> Result<()> {
        let dense = self.net.layer_mut(layer)?;
        if weights.len() != dense.weights.len() || biases.len() != dense.biases.len() {
            return Err(Error::Input(format!(
                "layer {layer} takes {} weights and {} biases, got {} and {}",
                dense.weights.len(),
                dense.biases.len(),
                weights.len(),
                biases.len()
            )));
        }
        if weights.iter().chain(biases).any(|v| !v.is_finite()) {
            return Err(Error::Input("weights and biases must be finite numbers".into()));
        }
        dense.weights.as_mut_slice().copy_from_slice(weights);
        dense.biases.as_mut_slice().copy_from_slice(biases);
        self.pending = None;
        Ok(())
    }

    /// Replaces the weights (an imported model) and starts the optimiser afresh.
    pub fn set_network(&mut self, net: Mlp) -> Result<()> {
        if net.inputs() != IMAGE_PIXELS || net.outputs() != CLASSES {
            return Err(Error::Model(format!(
                "the network maps {} inputs to {} outputs; MNIST needs {IMAGE_PIXELS} to {CLASSES}",
                net.inputs(),
                net.outputs()
            )));
        }
        self.config.hidden = net.sizes()[1..net.sizes().len() - 1].to_vec();
        self.net = net;
        self.optimizer = self.config.optimizer.build();
        self.batch_filled = 0;
        self.pending = None;
        self.last_evaluation = None;
        Ok(())
    }

    /// Length of the run in examples.
    pub fn planned_examples(&self) -> u64 {
        (self.config.epochs as f64 * self.train.len() as f64).round() as u64
    }

    pub fn is_finished(&self) -> bool {
        self.total_examples >= self.planned_examples() && self.batch_filled == 0
    }

    /// Fraction of the run done, in [0, 1].
    pub fn progress(&self) -> f32 {
        (self.total_examples as f64 / self.planned_examples().max(1) as f64).min(1.0) as f32
    }

    pub fn epoch(&self) -> f32 {
        (self.total_examples as f64 / self.train.len() as f64) as f32
    }

    /// The learning rate the next step will use.
    pub fn learning_rate(&self) -> f32 {
        self.config.schedule.rate(self.config.optimizer.learning_rate(), self.progress())
    }

    /// Trains until `steps` optimiser steps are done, the run is finished, or `keep_going` (asked
    /// between chunks) says stop. The weights before the call are kept aside: if the loss becomes NaN
    /// or infinite they are put back and [`Error::Diverged`] is returned.
    pub fn train(&mut self, steps: u64, mut keep_going: impl FnMut() -> bool) -> Result<TrainReport> {
        let last_good = (self.net.clone(), self.optimizer.clone());
        let mut report = TrainReport::default();
        let mut completed = BatchStats::default();
        while report.steps < steps && !self.is_finished() && keep_going() {
            let done = if self.parallel_step_ready() { Some(self.full_batch_step_parallel()) } else { self.work_chunk() };
            if let Some(step_stats) = done {
                if !step_stats.loss_sum.is_finite() || !self.net.is_finite() {
                    let loss = step_stats.mean_loss();
                    (self.net, self.optimizer) = last_good;
                    self.batch_filled = 0;
                    return Err(Error::Diverged(format!(
                        "the loss became {loss} at step {}; the weights from before it were restored \
                         (try a smaller learning rate)",
                        self.total_steps
                    )));
                }
                completed.add(step_stats);
                self.smoothed_loss.add(step_stats.mean_loss());
                self.smoothed_accuracy.add(step_stats.accuracy());
                report.steps += 1;
            }
        }
        report.examples = completed.examples as u64;
        report.loss = completed.mean_loss();
        report.accuracy = completed.accuracy();
        report.learning_rate = self.learning_rate();
        report.smoothed_loss = self.smoothed_loss.value();
        report.smoothed_accuracy = self.smoothed_accuracy.value();
        report.total_steps = self.total_steps;
        report.total_examples = self.total_examples;
        report.epoch = self.epoch();
        report.finished = self.is_finished();
        Ok(report)
    }

    /// Forward and backward for up to [`CHUNK`] examples of the current step; when the step's batch
    /// is complete, the optimiser updates the weights and the step's statistics are returned.
    fn work_chunk(&mut self) -> Option<BatchStats> {
        let batch_size = self.config.batch_size;
        if self.batch_filled == 0 {
            self.net.zero_grads();
            self.batch_stats = BatchStats::default();
        }
        let n = CHUNK.min(batch_size - self.batch_filled);
        self.input.clear();
        self.labels.clear();
        let scale = 1.0 / batch_size as f32;
        let stats = if !self.config.augment && batch_size == self.order.len() {
            // Full batch: the order is never shuffled (a full batch sums the same gradient in any
            // order), and the images are read in memory order, a whole chunk at a time.
            let range = self.position..self.position + n;
            self.position = (self.position + n) % self.order.len();
            let smoothing = self.config.label_smoothing;
            let buffers = (&mut self.input, &mut self.ws);
            accumulate_full_batch_chunk(&mut self.net, &self.train, range, smoothing, scale, buffers)
        } else {
            for _ in 0..n {
                let index = self.order[self.position] as usize;
                if self.config.augment {
                    let params = AugmentRanges::default().sample(&mut self.rng);
                    self.input.push_bytes(self.augmenter.apply_bytes(self.train.image(index), &params));
                } else {
                    let (indices, pixels) = self.train.nonzeros().image(index);
                    self.input.push_nonzeros(indices, pixels);
                }
                self.labels.push(self.train.labels[index]);
                self.position += 1;
                if self.position == self.order.len() {
                    // Reading a full batch in memory order is ~2× faster than shuffled (random
                    // access to 47 MB misses the cache on every image): it is never shuffled.
                    if batch_size < self.order.len() {
                        self.order.shuffle(&mut self.rng);
                    }
                    self.position = 0;
                }
            }
            self.net.accumulate_gradients(&self.input, &self.labels, self.config.label_smoothing, scale, &mut self.ws)
        };
        self.batch_stats.add(stats);
        self.batch_filled += n;
        self.total_examples += n as u64;
        if self.batch_filled < batch_size {
            return None;
        }
        Some(self.finish_step())
    }

    /// The optimiser's update once the step's whole batch is accumulated; returns the step's statistics.
    fn finish_step(&mut self) -> BatchStats {
        let batch_size = self.config.batch_size;
        // The rate for this step is taken at the step's start, so the first step is a warm-up step.
        let progress = ((self.total_examples - batch_size as u64) as f64 / self.planned_examples().max(1) as f64) as f32;
        let lr = self.config.schedule.rate(self.config.optimizer.learning_rate(), progress);
        self.optimizer.step(self.net.parameters_and_grads(), lr);
        self.total_steps += 1;
        self.batch_filled = 0;
        self.batch_stats
    }

    /// Splits every full-batch step (the whole training set per step, as the seed network trains)
    /// across `threads` threads: each sums the gradient of one contiguous share of the examples and
    /// the shares are added before the update. Only the rounding of that sum depends on the number
    /// of threads. A parallel step runs whole, without asking the caller's `keep_going` between
    /// chunks. Other batch sizes and augmented training stay on one thread, and so does the
    /// WebAssembly build, which has no threads.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn set_threads(&mut self, threads: usize) {
        self.threads = threads.max(1);
    }

    pub fn threads(&self) -> usize {
        self.threads
    }

    /// The next step can be a parallel full-batch step ([`Trainer::set_threads`]).
    fn parallel_step_ready(&self) -> bool {
        self.threads > 1
            && self.config.batch_size == self.train.len()
            && !self.config.augment
            && self.batch_filled == 0
            && self.position == 0
            && self.train.len() >= 2 * CHUNK
    }

    #[cfg(target_arch = "wasm32")]
    fn full_batch_step_parallel(&mut self) -> BatchStats {
        unreachable!("set_threads does not exist in the WebAssembly build")
    }

    /// One full-batch step split across threads; see [`Trainer::set_threads`].
    #[cfg(not(target_arch = "wasm32"))]
    fn full_batch_step_parallel(&mut self) -> BatchStats {
        let n = self.train.len();
        let threads = self.threads.min(n / CHUNK);
        // Shares start on multiples of CHUNK: the same chunks as the one-thread path.
        let share = n.div_ceil(threads).next_multiple_of(CHUNK);
        let ranges: Vec<_> = (0..threads).map(|t| (t * share).min(n)..((t + 1) * share).min(n)).filter(|r| !r.is_empty()).collect();
        while self.helpers.len() + 1 < ranges.len() {
            self.helpers.push(ChunkBuffers::new());
        }
        self.net.zero_grads();
        let (scale, smoothing) = (1.0 / n as f32, self.config.label_smoothing);
        let train = &*self.train;
        let helper_nets: Vec<Mlp> = ranges[1..].iter().map(|_| self.net.clone()).collect();
        let mut stats = BatchStats::default();
        std::thread::scope(|scope| {
            let handles: Vec<_> = helper_nets
                .into_iter()
                .zip(self.helpers.iter_mut())
                .zip(ranges[1..].iter().cloned())
                .map(|((mut net, buffers), range)| {
                    scope.spawn(move || {
                        let stats = accumulate_in_order(&mut net, train, range, smoothing, scale, buffers);
                        (net, stats)
                    })
                })
                .collect();
            let mut mine = ChunkBuffers {
                input: std::mem::replace(&mut self.input, InputBatch::with_capacity(IMAGE_PIXELS, 0)),
                ws: std::mem::take(&mut self.ws),
            };
            stats = accumulate_in_order(&mut self.net, train, ranges[0].clone(), smoothing, scale, &mut mine);
            (self.input, self.ws) = (mine.input, mine.ws);
            for handle in handles {
                let (net, theirs) = handle.join().expect("a training thread panicked");
                for (layer, other) in self.net.layers.iter_mut().zip(&net.layers) {
                    layer.weight_grads += &other.weight_grads;
                    layer.bias_grads += &other.bias_grads;
                }
                stats.add(theirs);
            }
        });
        self.batch_stats = stats;
        self.batch_filled = n;
        self.total_examples += n as u64;
        self.finish_step()
    }

    /// Evaluates the current weights on a whole data set at once (native tools, tests).
    pub fn evaluate(&mut self, data: &Dataset) -> Evaluation {
        let net = self.net.clone();
        evaluate_range(&net, data, 0..data.len(), &mut self.input, &mut self.ws, self.total_examples)
    }

    /// Advances the test-set evaluation by up to `examples` images, starting one on a copy of the
    /// current weights if none is under way. Returns the evaluation once all test images are done.
    pub fn evaluate_test_chunk(&mut self, examples: usize) -> Result<Option<Evaluation>> {
        let test = self.test.as_ref().ok_or_else(|| Error::Dataset("no test set was given".into()))?;
        let pending = self.pending.get_or_insert_with(|| PendingEvaluation {
            net: self.net.clone(),
            at_examples: self.total_examples,
            next: 0,
            stats: BatchStats::default(),
            predictions: Vec::with_capacity(test.len()),
        });
        let end = (pending.next + examples.max(1)).min(test.len());
        let part = evaluate_range(&pending.net, test, pending.next..end, &mut self.input, &mut self.ws, 0);
        pending.stats.add(BatchStats { loss_sum: part.loss * part.examples as f32, correct: part.correct, examples: part.examples });
        pending.predictions.extend_from_slice(&part.predictions);
        pending.next = end;
        if end < test.len() {
            return Ok(None);
        }
        let done = self.pending.take().expect("an evaluation under way");
        let evaluation = Evaluation {
            loss: done.stats.mean_loss(),
            accuracy: done.stats.accuracy(),
            correct: done.stats.correct,
            examples: done.stats.examples,
            at_examples: done.at_examples,
            predictions: done.predictions,
        };
        self.last_evaluation = Some(evaluation.clone());
        self.evaluated_net = Some(done.net);
        Ok(Some(evaluation))
    }

    /// Probabilities of the ten classes for one image of 784 values in [0, 1].
    pub fn predict(&mut self, pixels: &[f32]) -> Result<Vec<f32>> {
        predict(&self.net, pixels, &mut self.input, &mut self.ws)
    }
}

/// Forward and backward over `data[range]` in memory order, a chunk at a time, adding
/// `scale · ∂L/∂θ` to `net`'s gradients: one thread's share of a full-batch step.
#[cfg(not(target_arch = "wasm32"))]
fn accumulate_in_order(
    net: &mut Mlp,
    data: &Dataset,
    range: std::ops::Range<usize>,
    smoothing: f32,
    scale: f32,
    buffers: &mut ChunkBuffers,
) -> BatchStats {
    let mut stats = BatchStats::default();
    let mut start = range.start;
    while start < range.end {
        let end = (start + CHUNK).min(range.end);
        let buffers = (&mut buffers.input, &mut buffers.ws);
        stats.add(accumulate_full_batch_chunk(net, data, start..end, smoothing, scale, buffers));
        start = end;
    }
    stats
}

/// Forward and backward for images `range` of a full batch (a chunk: at most CHUNK, starting on a
/// multiple of it). Natively, a first layer of at most 16 units reads the chunk's pixels grouped by
/// position, prepared once for all steps ([`crate::nonzeros::NonZeroChunks`], 18 MB for MNIST's
/// 60,000 images); otherwise the chunk's non-zero lists are copied into `input`. The browser keeps
/// to the second way: the prepared chunks would take its memory past 100 MB.
fn accumulate_full_batch_chunk(
    net: &mut Mlp,
    data: &Dataset,
    range: std::ops::Range<usize>,
    smoothing: f32,
    scale: f32,
    (input, ws): (&mut InputBatch, &mut Workspace),
) -> BatchStats {
    let labels = &data.labels[range.clone()];
    #[cfg(not(target_arch = "wasm32"))]
    if crate::layer::is_narrow(net.layers[0].outputs()) && range.start.is_multiple_of(CHUNK) {
        let chunk = data.prepared_chunk(range.start / CHUNK, CHUNK);
        if chunk.len() == range.len() {
            return net.accumulate_gradients(chunk, labels, smoothing, scale, ws);
        }
    }
    input.clear();
    input.push_nonzero_images(data.nonzeros(), range);
    net.accumulate_gradients(&*input, labels, smoothing, scale, ws)
}

/// Loss, accuracy and predictions of `net` on `data[range]` (plain cross-entropy, no smoothing).
pub fn evaluate_range(
    net: &Mlp,
    data: &Dataset,
    range: std::ops::Range<usize>,
    input: &mut InputBatch,
    ws: &mut Workspace,
    at_examples: u64,
) -> Evaluation {
    let mut stats = BatchStats::default();
    let mut predictions = Vec::with_capacity(range.len());
    let mut start = range.start;
    while start < range.end {
        let end = (start + input.capacity()).min(range.end);
        input.clear();
        for i in start..end {
            input.push_bytes(data.image(i));
        }
        net.forward(&*input, ws);
        let labels = &data.labels[start..end];
        stats.add(net.stats(ws, labels, 0.0));
        predictions.extend(net.predictions(ws, end - start));
        start = end;
    }
    Evaluation {
        loss: stats.mean_loss(),
        accuracy: stats.accuracy(),
        correct: stats.correct,
        examples: stats.examples,
        at_examples,
        predictions,
    }
}

/// Probabilities of every class for one input.
pub fn predict(net: &Mlp, pixels: &[f32], input: &mut InputBatch, ws: &mut Workspace) -> Result<Vec<f32>> {
    if pixels.len() != net.inputs() {
        return Err(Error::Input(format!("expected {} pixel values, got {}", net.inputs(), pixels.len())));
    }
    if let Some(bad) = pixels.iter().find(|v| !v.is_finite()) {
        return Err(Error::Input(format!("pixel values must be finite numbers (got {bad})")));
    }
    input.clear();
    input.push(pixels);
    net.forward(&*input, ws);
    Ok(net.probabilities(ws, 1).to_vec())
}
