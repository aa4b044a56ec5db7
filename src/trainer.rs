//! The training loop: a network, an optimiser and the data, stepped a little at a time.
//!
//! Work is done in chunks of at most [`CHUNK`] examples, so a caller with a time budget (the browser's
//! frame loop) can stop between any two chunks — even in the middle of a 60,000-example full-batch
//! step, whose gradient simply keeps accumulating on the next call.
//!
//! The loop itself is here; each other concern has a file of its own: the run's settings
//! (`config`), which example comes next
//! (`order`), full-batch steps and their threads (`full_batch`), the test set evaluated a slice per
//! call (`evaluation`), weights from elsewhere (`import`), what a call reports (`report`), going
//! back to before a step that diverged (`rollback`), settings changed while it trains (`live`), your
//! digits (`taught`) and the lessons that teach them (`lesson`).

use crate::augment::{AugmentRanges, Augmenter};
use crate::batch::InputBatch;
use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::mnist::IMAGE_PIXELS;
use crate::network::{BatchStats, Mlp, Workspace};
use crate::optim::Optimizer;
use rand::SeedableRng;
use rand_pcg::Pcg64Mcg;
use std::sync::Arc;

mod config;
mod evaluation;
mod full_batch;
mod import;
mod lesson;
mod live;
mod order;
mod report;
mod rollback;
mod taught;

pub use config::{TrainConfig, MAX_EPOCHS};
pub use evaluation::{evaluate_range, predict, Evaluation};
pub use lesson::{LessonConfig, LessonProgress, CONVNET_COPY_VARIATION, CONVNET_LESSON_RATE, CONVNET_SURE_ENOUGH};
pub use live::{LiveSettings, SettingsChange, SettingsUpdate, LIVE_SETTINGS, RESTART_SETTINGS};
pub use report::TrainReport;
pub use taught::{TaughtDigit, MAX_TAUGHT_DIGITS, RECORD_BYTES};

use evaluation::Evaluations;
#[cfg(not(target_arch = "wasm32"))]
use full_batch::ChunkBuffers;
use full_batch::accumulate_full_batch_chunk;
use order::ExampleOrder;
use report::Tally;
use rollback::Rollback;

/// Most examples processed between two looks at the clock.
pub const CHUNK: usize = 256;

/// Most examples a ConvNet's forward pass takes at once outside training (test passes, the features
/// lessons mix in). Its feature maps take about 110 KB per example (`c16k5-p2-c32k5-p2-128`: 29 MB of
/// buffers for a chunk of 256, which WebAssembly memory keeps for good once grown — the page started
/// at 117 MB in Firefox, whose coarse clock let a test slice ask for a whole chunk), while its
/// convolutions run one example at a time whatever the chunk: only the dense layers' products see
/// the batch, and 32 columns keep them busy.
pub const CONV_CHUNK: usize = 32;
/// Examples per piece of a ConvNet's training step when the work is sliced into animation frames
/// ([`Trainer::set_short_pieces`]). The page asks between pieces whether another one still fits the
/// frame's budget, so a piece is the grain of that budget: a whole step of the ConvNet recipe (32
/// examples) took 5–8 ms in the browser, one step fitted a budget of about 10 ms and the second was
/// left for the next frame — the page trained 32 examples a frame on a slower machine and twice as
/// many on a faster one (the recipe to 99 %: 54–62 s with whole steps on the slower machine, 35–45 s
/// with pieces on the same machine). Eight examples take 1–2 ms.
pub const FRAME_CONV_PIECE: usize = 8;
pub struct Trainer {
    /// The run's settings as they stand now, live changes included (`live`).
    config: TrainConfig,
    /// The live settings of the step under way (or the last one), taken from `started_with` and
    /// `changes` when it started: a change asked for during a step waits for the next.
    live: LiveSettings,
    /// The live settings the run started with.
    started_with: LiveSettings,
    /// The live settings changed while the run trained, by the step they apply from.
    changes: Vec<SettingsChange>,
    /// Shared, not copied, by runs trained side by side ([`crate::comparison::Comparison`]).
    train: Arc<Dataset>,
    test: Option<Arc<Dataset>>,
    net: Mlp,
    optimizer: Optimizer,
    order: ExampleOrder,
    /// Examples accumulated into the current, unfinished step.
    batch_filled: usize,
    /// Most examples a ConvNet's step works on between two questions to `keep_going` (the step's
    /// gradient is their sum whatever the pieces, up to the order floats are added in).
    conv_piece: usize,
    batch_stats: BatchStats,
    tally: Tally,
    input: InputBatch,
    /// Buffers for augmented examples (reused: no allocation per example).
    augmenter: Augmenter,
    labels: Vec<u8>,
    ws: Workspace,
    evaluations: Evaluations,
    /// Threads a full-batch step is split across (native builds only; see [`Trainer::set_threads`]).
    threads: usize,
    /// Buffers of the threads beyond the first, kept from step to step.
    #[cfg(not(target_arch = "wasm32"))]
    helpers: Vec<ChunkBuffers>,
    rollback: Rollback,
    /// Your digits, taught to this network ([`taught`], [`lesson`]).
    taught: Vec<TaughtDigit>,
    /// The lesson under way, if any.
    lesson: Option<lesson::Lesson>,
    /// A ConvNet's MNIST features for lessons, kept while its feature-map layers stay the same.
    feature_pool: lesson::FeaturePool,
}

impl Trainer {
    /// A run from fresh weights: `seed` fixes the initial weights and the order of the examples.
    pub fn new(config: TrainConfig, train: Dataset, test: Option<Dataset>, seed: u64) -> Result<Self> {
        Self::with_shared_data(config, Arc::new(train), test.map(Arc::new), seed)
    }

    /// [`Trainer::new`] on data that other trainers may use too (it is never modified).
    pub fn with_shared_data(config: TrainConfig, train: Arc<Dataset>, test: Option<Arc<Dataset>>, seed: u64) -> Result<Self> {
        config.validate(train.len())?;
        // Network, optimiser and order are placeholders until `restart` below.
        let mut trainer = Trainer {
            net: Mlp { maps: Vec::new(), layers: Vec::new() },
            optimizer: config.optimizer.build(),
            order: ExampleOrder::new(0, false, Pcg64Mcg::new(0)),
            input: InputBatch::with_capacity(IMAGE_PIXELS, CHUNK),
            augmenter: Augmenter::new(),
            labels: Vec::with_capacity(CHUNK),
            ws: Workspace::default(),
            batch_filled: 0,
            conv_piece: CHUNK,
            batch_stats: BatchStats::default(),
            tally: Tally::default(),
            evaluations: Evaluations::default(),
            threads: 1,
            #[cfg(not(target_arch = "wasm32"))]
            helpers: Vec::new(),
            rollback: Rollback::default(),
            taught: Vec::new(),
            lesson: None,
            feature_pool: lesson::FeaturePool::default(),
            live: config.live(),
            started_with: config.live(),
            changes: Vec::new(),
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
        self.net = config.build_network(&mut rng)?;
        self.optimizer = config.optimizer.build();
        self.order = ExampleOrder::new(self.train.len(), config.batch_size < self.train.len(), rng);
        self.batch_filled = 0;
        self.batch_stats = BatchStats::default();
        self.tally = Tally::default();
        self.evaluations = Evaluations::default();
        self.rollback.forget_all();
        // Fresh weights have learnt none of your digits.
        self.taught.clear();
        self.lesson = None;
        self.live = config.live();
        self.started_with = self.live;
        self.changes.clear();
        self.config = config;
        // The buffers the run's chunks need, made now rather than in its first frame. A ConvNet's take
        // about 110 KB per example, so it gets what its batches and its test passes use, not the
        // whole chunk an MLP's test pass reads (29 MB of WebAssembly memory, kept for good).
        let batch = if self.net.is_convolutional() {
            self.config.batch_size.clamp(CONV_CHUNK, CHUNK)
        } else {
            CHUNK
        };
        self.ws.ensure(&self.net, batch);
        Ok(())
    }

    /// Works on a ConvNet's steps [`FRAME_CONV_PIECE`] examples at a time, for a caller that trains
    /// in slices of an animation frame (the page). The steps are the same sums of the same examples'
    /// gradients; only the order of the floats' additions in the dense layers differs, so the
    /// numbers differ from a whole-step run in the last bits.
    pub fn set_short_pieces(&mut self) {
        self.conv_piece = FRAME_CONV_PIECE;
    }

    pub fn config(&self) -> &TrainConfig {
        &self.config
    }
    pub fn network(&self) -> &Mlp {
        &self.net
    }
    /// The optimiser with its state (Adam's moments, momentum's velocity).
    pub fn optimizer(&self) -> &Optimizer {
        &self.optimizer
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
        self.tally.examples
    }
    pub fn total_steps(&self) -> u64 {
        self.tally.steps
    }

    /// Length of the run in examples.
    pub fn planned_examples(&self) -> u64 {
        (self.config.epochs as f64 * self.train.len() as f64).round() as u64
    }

    pub fn is_finished(&self) -> bool {
        self.tally.examples >= self.planned_examples() && self.batch_filled == 0
    }

    /// Fraction of the run done, in [0, 1].
    pub fn progress(&self) -> f32 {
        (self.tally.examples as f64 / self.planned_examples().max(1) as f64).min(1.0) as f32
    }

    pub fn epoch(&self) -> f32 {
        (self.tally.examples as f64 / self.train.len() as f64) as f32
    }

    /// The learning rate the next step will use (or the one under way, part-done, uses).
    pub fn learning_rate(&self) -> f32 {
        let live = if self.batch_filled == 0 { self.settings_for_step(self.tally.steps + 1) } else { self.live };
        live.schedule.rate(live.optimizer.learning_rate(), self.progress())
    }

    /// Trains until `steps` optimiser steps are done, the run is finished, or `keep_going` (asked
    /// between chunks) says stop. If a step's loss becomes NaN or infinite, or its update leaves
    /// weights that are, the run goes back to exactly where it stood before that step (weights,
    /// optimiser, counters, order of the examples; see `rollback`) and [`Error::Diverged`] is
    /// returned.
    pub fn train(&mut self, steps: u64, mut keep_going: impl FnMut() -> bool) -> Result<TrainReport> {
        self.train_while(steps, &mut keep_going)
    }

    /// [`Trainer::train`] with `keep_going` behind a pointer: one copy of the loop for every caller
    /// (the page, the comparison, the replay after a divergence), not one per closure — it is the
    /// largest function in the wasm file.
    fn train_while(&mut self, steps: u64, keep_going: &mut dyn FnMut() -> bool) -> Result<TrainReport> {
        // A lesson uses the layers' gradients: it ends before the run goes on.
        self.continue_lesson(&mut || true)?;
        let mut report = TrainReport::default();
        let mut completed = BatchStats::default();
        while report.steps < steps && !self.is_finished() && keep_going() {
            if self.batch_filled == 0 {
                self.mark_step_start();
                self.take_step_settings();
            }
            let Some(step_stats) = self.accumulate() else { continue };
            self.keep_checkpoint();
            self.finish_step(step_stats);
            let loss = step_stats.mean_loss();
            if !loss.is_finite() || !self.net.is_finite() {
                let what = if loss.is_finite() { "the update made the weights overflow".to_string() } else { format!("the loss became {loss}") };
                let step = self.roll_back();
                return Err(Error::Diverged(format!(
                    "{what} at step {step}; the weights from before it were restored (try a smaller learning rate)"
                )));
            }
            self.step_kept();
            completed.add(step_stats);
            report.steps += 1;
        }
        report.examples = completed.examples as u64;
        report.loss = completed.mean_loss();
        report.accuracy = completed.accuracy();
        report.learning_rate = self.learning_rate();
        report.smoothed_loss = self.tally.smoothed_loss.value();
        report.smoothed_accuracy = self.tally.smoothed_accuracy.value();
        report.total_steps = self.tally.steps;
        report.total_examples = self.tally.examples;
        report.epoch = self.epoch();
        report.finished = self.is_finished();
        Ok(report)
    }

    /// Works on the current step: its next chunk, or all of it at once as a parallel full-batch
    /// step. Returns the step's statistics once its whole batch is accumulated (before the update).
    fn accumulate(&mut self) -> Option<BatchStats> {
        if self.parallel_step_ready() {
            Some(self.full_batch_step_parallel())
        } else {
            self.work_chunk()
        }
    }

    /// Forward and backward for up to [`CHUNK`] examples of the current step; returns the step's
    /// statistics when its batch is complete.
    fn work_chunk(&mut self) -> Option<BatchStats> {
        let batch_size = self.config.batch_size;
        if self.batch_filled == 0 {
            self.net.zero_grads();
            self.batch_stats = BatchStats::default();
        }
        let chunk = if self.net.is_convolutional() { self.conv_piece } else { CHUNK };
        let n = chunk.min(batch_size - self.batch_filled);
        self.input.clear();
        self.labels.clear();
        let scale = 1.0 / batch_size as f32;
        let stats = if !self.live.augment && batch_size == self.train.len() {
            // Full batch: the images are read in memory order, a whole chunk at a time.
            let range = self.order.take_range(n);
            let smoothing = self.live.label_smoothing;
            let buffers = (&mut self.input, &mut self.ws);
            accumulate_full_batch_chunk(&mut self.net, &self.train, range, smoothing, scale, buffers)
        } else {
            for _ in 0..n {
                let index = self.order.current();
                if self.live.augment {
                    let params = AugmentRanges::default().sample_for(self.train.labels[index], self.order.rng());
                    self.input.push_bytes(self.augmenter.apply_bytes(self.train.image(index), &params));
                } else {
                    self.input.push_image(&self.train, index, self.net.is_convolutional());
                }
                self.labels.push(self.train.labels[index]);
                self.order.advance();
            }
            self.net.accumulate_gradients(&self.input, &self.labels, self.live.label_smoothing, scale, &mut self.ws)
        };
        self.batch_stats.add(stats);
        self.batch_filled += n;
        self.tally.examples += n as u64;
        (self.batch_filled == batch_size).then_some(self.batch_stats)
    }

    /// The optimiser's update once the step's whole batch is accumulated, and the step counted
    /// (with `stats`, its loss and accuracy, in the smoothed curves).
    fn finish_step(&mut self, stats: BatchStats) {
        let batch_size = self.config.batch_size;
        // The rate for this step is taken at the step's start, so the first step is a warm-up step.
        let progress = ((self.tally.examples - batch_size as u64) as f64 / self.planned_examples().max(1) as f64) as f32;
        let lr = self.live.schedule.rate(self.live.optimizer.learning_rate(), progress);
        self.optimizer.step(self.net.parameters_and_grads(), lr);
        self.tally.steps += 1;
        self.tally.smoothed_loss.add(stats.mean_loss());
        self.tally.smoothed_accuracy.add(stats.accuracy());
        self.batch_filled = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::architecture::Architecture;
    use crate::trainer::rollback::{copy_parameters, tests::data};

    /// The page works on a ConvNet's steps a few examples at a time: a frame may end between two
    /// pieces (the step waits, part-done, for the next frame), and the steps are whole-step
    /// training's up to the order the floats are added in.
    #[test]
    fn a_convnets_steps_in_short_pieces_are_its_whole_steps() {
        let config = TrainConfig { layers: "c4k5-p2-16".parse::<Architecture>().unwrap(), batch_size: 32, ..TrainConfig::default() };
        let mut whole = Trainer::new(config.clone(), data(), None, 1).unwrap();
        let mut pieces = Trainer::new(config, data(), None, 1).unwrap();
        pieces.set_short_pieces();
        let mut asked = 0;
        let report = pieces.train(1, || { asked += 1; asked == 1 }).unwrap();
        assert_eq!((report.steps, pieces.batch_filled), (0, FRAME_CONV_PIECE), "one piece, then the frame ended");
        pieces.train(5, || true).unwrap();
        whole.train(5, || true).unwrap();
        assert_eq!((pieces.tally.steps, pieces.tally.examples), (5, 5 * 32));
        let (mut a, mut b) = (Vec::new(), Vec::new());
        copy_parameters(&pieces.net, &mut a);
        copy_parameters(&whole.net, &mut b);
        let largest = b.iter().fold(0f32, |m, v| m.max(v.abs()));
        let differs = a.iter().zip(&b).fold(0f32, |m, (x, y)| m.max((x - y).abs()));
        assert!(differs <= 1e-4 * largest, "weights differ by {differs} (largest {largest})");
    }
}
