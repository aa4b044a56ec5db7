//! Lessons: a drawing with its right label, learned in a few optimiser steps — "Teach it your
//! handwriting".
//!
//! A taught digit (its 28×28 prepared pixels and label) joins the network's list of *your digits*.
//! A lesson is then a short run of mini-batch steps, each batch mixing
//! - augmented copies of the new digit (shifted, scaled, turned, thickened: [`crate::augment`]), so
//!   that one drawing teaches its style rather than its exact pixels,
//! - augmented copies of the digits taught before, so that one lesson does not undo another,
//! - MNIST training examples, so that the network does not forget MNIST.
//!
//! The lesson has its own optimiser, fresh and with a small learning rate: the run's optimiser (its
//! Adam moments, its schedule, which may have decayed to 0 at the end of a run) is left as it was.
//! Steps go through the trainer's own gradient code and buffers; a lesson can be done a few steps
//! at a time between animation frames, like training ([`Trainer::continue_lesson`]).

use super::Trainer;
use crate::augment::AugmentRanges;
use crate::batch::InputBatch;
use crate::error::{Error, Result};
use crate::mnist::{CLASSES, IMAGE_PIXELS};
use crate::network::{Mlp, Workspace};
use crate::optim::{AdamConfig, Optimizer, OptimizerConfig};
use crate::pixel::pixel_byte;
use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64Mcg;

/// Most digits a network keeps (and a model file may carry): a class's worth of handwriting, and a
/// bound a hostile file cannot get past (785 bytes each, under 1 MB in all).
pub const MAX_TAUGHT_DIGITS: usize = 1000;

/// One of your digits: what the network saw of a drawing, and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaughtDigit {
    pub label: u8,
    /// 28×28 bytes, row by row, like MNIST's.
    pub pixels: Vec<u8>,
}

impl TaughtDigit {
    /// A digit from 784 bytes and a label 0–9; anything else is an [`Error::Input`].
    pub fn new(label: u8, pixels: Vec<u8>) -> Result<Self> {
        if label as usize >= CLASSES {
            return Err(Error::Input(format!("a digit's label is 0 to 9 (got {label})")));
        }
        if pixels.len() != IMAGE_PIXELS {
            return Err(Error::Input(format!("a digit is 28×28 = 784 pixels (got {})", pixels.len())));
        }
        Ok(TaughtDigit { label, pixels })
    }

    /// A digit from 784 values in [0, 1] (a drawing's preview), stored as bytes; values beyond
    /// are clamped to it (NaN reads as paper, 0).
    pub fn from_values(label: u8, values: &[f32]) -> Result<Self> {
        Self::new(label, values.iter().map(|&v| pixel_byte(v)).collect())
    }
}

/// How a lesson is given. The defaults were chosen by `examples/lesson_recipe.rs` (README, "Teach it
/// your handwriting"): with the pretrained model, ten lessons on misread test digits in six sets
/// changed the accuracy on the other test images by −0.14 to +0.07 points, while the first recipe
/// tried (Adam 5e-4, 24 steps of 8 + 4 + 20) lost 1.7–3.0 points: what keeps MNIST is mostly the
/// share of MNIST examples in each step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LessonConfig {
    /// Optimiser steps per lesson (at most, with `sure_enough`). Defaults to 32.
    pub steps: usize,
    /// Augmented copies of the new digit per step. Defaults to 8.
    pub new_copies: usize,
    /// Augmented copies of digits taught before (drawn at random) per step; the new digit stands
    /// in while it is the only one. Defaults to 4.
    pub earlier_copies: usize,
    /// MNIST training examples per step (beyond the copies' chunk of 256, in more chunks). Defaults
    /// to 244 (a batch of 256, the trainer's chunk).
    pub mnist_examples: usize,
    /// The lesson's own optimiser, started afresh for every lesson. Defaults to Adam with learning
    /// rate 1e-3 (a ConvNet's lessons: [`CONVNET_LESSON_RATE`]).
    pub optimizer: OptimizerConfig,
    /// ε of label smoothing. Defaults to 0.1, as the recipes train.
    pub label_smoothing: f32,
    /// How much the copies of your digits vary. Defaults to the training augmentation's ranges for
    /// an MLP, and a quarter of them for a ConvNet ([`LessonConfig::for_network`]).
    pub augment: AugmentRanges,
    /// Ends the lesson early, after the step that found every copy of the new digit read as its label
    /// with at least this probability (before that step's update). None, the default for an MLP:
    /// always `steps` steps; a ConvNet's lessons end at [`CONVNET_SURE_ENOUGH`].
    pub sure_enough: Option<f32>,
}

/// How much of the training augmentation's ranges a ConvNet's lessons vary the copies of your digits
/// by (shifts up to ±0.5 px, scale ±3 %, turns ±3°, a quarter of the thickness change). Its lessons
/// teach the dense layers on feature maps that already tolerate small moves (the convolutions and
/// max-pooling), and widely varied copies moved its boundary for a wide neighbourhood of the taught
/// drawing: with the handwriting benchmark's drawings (`lesson_recipe --drawings`, 2026-11-29), four
/// lessons turned 5 other drawings wrong with the full ranges and 3 with a quarter (2 with none),
/// while every other drawing of the taught styles was read right either way (104 of 104), and ten
/// lessons on misread test digits cost −0.03 to −0.10 points instead of −0.15 to −0.20, their
/// shifted and scaled copies read right 179 of 180 times instead of 180. A quarter, not none: "one
/// drawing teaches its style, not its pixels". An MLP keeps the full ranges: nothing in it
/// tolerates a move, and with a quarter its taught digits' copies moved 1.5 px were read right 42
/// of 48 times instead of 48 (`tests/lesson.rs`).
pub const CONVNET_COPY_VARIATION: f32 = 0.25;

/// How sure of a new digit's copies a ConvNet's lesson makes the network before it ends
/// ([`LessonConfig::sure_enough`]): about as sure as training with label smoothing 0.1 makes it of
/// MNIST's digits (its target is 0.91). Every step after that only pushes the boundary further out,
/// over drawings of other styles near it. Measured with `lesson_recipe --drawings` on the
/// pretrained ConvNet (2026-11-29): ten lessons on drawings of ten styles, six sets, turned 0 of
/// 2,480 right drawings of the other styles wrong, against 11 with all 32 steps (1 at 0.5, 0.7 and
/// 0.8 sure; 0.95 is never reached, so it is all 32 steps). README, "Teach it your handwriting", has
/// the tables.
pub const CONVNET_SURE_ENOUGH: f32 = 0.9;

/// The learning rate of a ConvNet's lessons (Adam), half an MLP's: with lessons that end once
/// learnt, 1e-3 and 5e-4 both turned 0 of the 2,480 drawings above wrong, and the styles the
/// pretrained ConvNet misreads taught their other drawings 25 of 25 either way; 5e-4 also left the
/// one drawing 1e-3 turned wrong there (a cursive 5 that is nearly a 6, read as 6 after the lesson
/// on a big-looped 6), at some cost in MNIST: ten lessons on misread test digits, three sets,
/// −0.15 / −0.24 / −0.07 points of test accuracy against −0.11 / −0.11 / −0.08 (within 0.3 either
/// way).
pub const CONVNET_LESSON_RATE: f32 = 5e-4;

impl Default for LessonConfig {
    fn default() -> Self {
        LessonConfig {
            steps: 32,
            new_copies: 8,
            earlier_copies: 4,
            mnist_examples: 244,
            optimizer: OptimizerConfig::Adam(AdamConfig { learning_rate: 1e-3, ..AdamConfig::default() }),
            label_smoothing: 0.1,
            augment: AugmentRanges::default(),
            sure_enough: None,
        }
    }
}

impl LessonConfig {
    /// The default recipe for an MLP, or for a ConvNet (`convolutional`): the same but for how much
    /// the copies vary ([`CONVNET_COPY_VARIATION`]), that it ends once they are read surely
    /// ([`CONVNET_SURE_ENOUGH`]), and its learning rate ([`CONVNET_LESSON_RATE`]).
    pub fn for_network(convolutional: bool) -> Self {
        let base = LessonConfig::default();
        if convolutional {
            LessonConfig {
                augment: base.augment.scaled(CONVNET_COPY_VARIATION),
                sure_enough: Some(CONVNET_SURE_ENOUGH),
                optimizer: base.optimizer.with_learning_rate(CONVNET_LESSON_RATE),
                ..base
            }
        } else {
            base
        }
    }

    /// Examples per step.
    pub fn batch_size(&self) -> usize {
        self.new_copies + self.earlier_copies + self.mnist_examples
    }

    fn validate(&self) -> Result<()> {
        self.optimizer.validate()?;
        crate::loss::check_label_smoothing(self.label_smoothing)?;
        if self.steps == 0 || self.new_copies == 0 || self.new_copies + self.earlier_copies > super::CHUNK {
            // Recipes come from code, not people: a plain message keeps the wasm file small.
            return Err(Error::Config("a lesson needs a step, a copy of the new digit, and at most 256 copies a step".into()));
        }
        Ok(())
    }
}

/// A lesson under way.
#[derive(Debug, Clone)]
pub(super) struct Lesson {
    config: LessonConfig,
    optimizer: Optimizer,
    steps_done: usize,
    rng: Pcg64Mcg,
    /// The network before the lesson, put back if a step diverges.
    before: Mlp,
}

/// What a lesson step found.
struct StepOutcome {
    /// Whether the loss stayed finite.
    finite: bool,
    /// The lowest probability of its label among the step's copies of the new digit (before the
    /// step's update).
    least_sure: f32,
}

/// MNIST training examples whose last feature maps a ConvNet's lessons mix in: enough variety
/// that ten lessons keep the test accuracy (README, "Teach it your handwriting"), few enough to
/// compute in a fraction of a second before the first lesson.
const POOL_EXAMPLES: usize = 1024;
/// The step between the pool's examples in the training set.
const POOL_STRIDE: usize = 7919;

/// A ConvNet's lessons teach its dense layers only (see `dense_lesson_step`), so the MNIST examples
/// they mix in need only their last feature maps, kept here from lesson to lesson until the
/// feature-map layers change.
#[derive(Debug, Clone, Default)]
pub(super) struct FeaturePool {
    /// [`Mlp::maps_fingerprint`] of the layers that computed `features`.
    fingerprint: Option<u64>,
    /// One example's features after another.
    features: Vec<f32>,
    labels: Vec<u8>,
    /// A step's batch of features, and the dense layers' buffers.
    batch: Option<InputBatch>,
    ws: Workspace,
}

/// Where a lesson stands after [`Trainer::continue_lesson`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LessonProgress {
    pub steps_done: usize,
    pub steps: usize,
}

impl LessonProgress {
    pub fn is_done(&self) -> bool {
        self.steps_done >= self.steps
    }
}

impl Trainer {
    /// Your digits: those taught to this network (or that came with its model file), oldest first.
    pub fn taught_digits(&self) -> &[TaughtDigit] {
        &self.taught
    }

    /// Replaces the list of your digits (a model file's), without a lesson.
    pub fn set_taught_digits(&mut self, digits: Vec<TaughtDigit>) -> Result<()> {
        check_count(digits.len())?;
        self.taught = digits;
        Ok(())
    }

    /// Takes digit `index` off the list: later lessons no longer repeat it, files no longer carry it
    /// (what the network learnt from it stays).
    pub fn forget_taught_digit(&mut self, index: usize) -> Result<()> {
        if index >= self.taught.len() {
            return Err(Error::Input(format!("there is no digit {index} (you have {})", self.taught.len())));
        }
        self.taught.remove(index);
        Ok(())
    }

    pub fn forget_taught_digits(&mut self) {
        self.taught.clear();
    }

    /// Adds `digit` to your digits and starts a lesson with the default recipe for this kind of
    /// network ([`LessonConfig::for_network`]); give it with [`Trainer::continue_lesson`]. A lesson
    /// under way is finished first.
    pub fn teach(&mut self, digit: TaughtDigit) -> Result<()> {
        self.teach_with(digit, LessonConfig::for_network(self.net.is_convolutional()))
    }

    /// [`Trainer::teach`] with another recipe.
    pub fn teach_with(&mut self, digit: TaughtDigit, config: LessonConfig) -> Result<()> {
        config.validate()?;
        check_count(self.taught.len() + 1)?;
        self.continue_lesson(&mut || true)?;
        self.taught.push(digit);
        // Seeded by how many digits there are: the same lessons in the same order give the same
        // network.
        let rng = Pcg64Mcg::seed_from_u64(0x1e55_0000 + self.taught.len() as u64);
        self.lesson = Some(Lesson { config, optimizer: config.optimizer.build(), steps_done: 0, rng, before: self.net.clone() });
        Ok(())
    }

    /// Gives the lesson under way step by step while `keep_going` (asked before each step) says so;
    /// returns where it stands (done when there is none). The weights changed, so the last test-set
    /// evaluation no longer describes them. If a step leaves a loss or weights that are not finite,
    /// the network and your digits from before the lesson are put back and [`Error::Diverged`]
    /// returned.
    pub fn continue_lesson(&mut self, keep_going: &mut dyn FnMut() -> bool) -> Result<LessonProgress> {
        let Some(mut lesson) = self.lesson.take() else { return Ok(LessonProgress { steps_done: 0, steps: 0 }) };
        let conv = self.net.is_convolutional();
        if self.taught.is_empty() {
            // Your digits were cleared while it was being taught: nothing left to teach.
            lesson.steps_done = lesson.config.steps;
        }
        while lesson.steps_done < lesson.config.steps && keep_going() {
            // A ConvNet's MNIST features are computed a chunk at a time, between the same checks.
            if conv && !self.fill_feature_pool() {
                continue;
            }
            let step = if conv { self.dense_lesson_step(&mut lesson) } else { self.lesson_step(&mut lesson) };
            lesson.steps_done += 1;
            if lesson.config.sure_enough.is_some_and(|sure| step.least_sure >= sure) {
                // Learnt: the lesson was this long.
                lesson.config.steps = lesson.steps_done;
            }
            if !step.finite || !self.net.is_finite() {
                self.net = lesson.before;
                self.taught.pop();
                return Err(Error::Diverged("the lesson made the weights overflow; the network and your digits from before it were restored".into()));
            }
        }
        self.evaluations.pending = None;
        self.rollback.forget_checkpoint();
        let progress = LessonProgress { steps_done: lesson.steps_done, steps: lesson.config.steps };
        if !progress.is_done() {
            self.lesson = Some(lesson);
        } else if self.batch_filled > 0 {
            // A step of the run was part-done (a full-batch step paused mid-way): its gradient sum,
            // which the lesson's steps used as scratch, is in the copy from before the lesson; that
            // copy takes the taught weights and becomes the network again. (The rollback's copy
            // functions rather than one for gradients: the wasm file has no room for another.)
            let mut taught = Vec::new();
            super::rollback::copy_parameters(&self.net, &mut taught);
            super::rollback::restore_parameters(&mut lesson.before, &taught);
            self.net = lesson.before;
        }
        Ok(progress)
    }

    /// One lesson step for an MLP: forward and backward through the whole network.
    fn lesson_step(&mut self, lesson: &mut Lesson) -> StepOutcome {
        let c = lesson.config;
        self.net.zero_grads();
        let scale = 1.0 / c.batch_size() as f32;
        // The copies of your digits go into the step's first chunk; MNIST examples fill it and as
        // many more chunks as they need.
        let (mut copies, mut mnist, mut finite, mut least_sure) = (c.new_copies + c.earlier_copies, c.mnist_examples, true, 0.0);
        while copies + mnist > 0 {
            self.input.clear();
            self.labels.clear();
            self.push_copies(lesson, copies);
            let n = mnist.min(super::CHUNK - copies);
            for _ in 0..n {
                let index = lesson.rng.random_range(0..self.train.len());
                self.input.push_image(&self.train, index, false);
                self.labels.push(self.train.labels[index]);
            }
            let first = copies > 0;
            (copies, mnist) = (0, mnist - n);
            let stats = self.net.accumulate_gradients(&self.input, &self.labels, c.label_smoothing, scale, &mut self.ws);
            finite &= stats.mean_loss().is_finite();
            if first {
                least_sure = least_sure_of(self.net.probabilities(&self.ws, c.new_copies), self.labels[0]);
            }
        }
        lesson.optimizer.step(self.net.parameters_and_grads(), c.optimizer.learning_rate());
        StepOutcome { finite, least_sure }
    }

    /// One lesson step for a ConvNet, which learns in its dense layers only: its feature-map layers
    /// (the strokes and shapes it has learnt to see) are left as they are, so the MNIST examples'
    /// last feature maps are computed once ([`FeaturePool`]) and each step runs the dense layers
    /// alone — about a tenth of a whole ConvNet step — and only the copies of your digits go
    /// through the convolutions.
    fn dense_lesson_step(&mut self, lesson: &mut Lesson) -> StepOutcome {
        let c = lesson.config;
        let features = self.net.layers[0].inputs();
        let copies = c.new_copies + c.earlier_copies;
        self.input.clear();
        self.labels.clear();
        self.push_copies(lesson, copies);
        let copy_features = self.net.map_features(&self.input, &mut self.ws);
        let pool = &mut self.feature_pool;
        let batch = match &mut pool.batch {
            Some(batch) if batch.inputs() == features => batch,
            slot => slot.insert(InputBatch::with_capacity(features, super::CHUNK)),
        };
        // The dense layers alone, as a network of their own while the step lasts.
        let maps = std::mem::take(&mut self.net.maps);
        self.net.zero_grads();
        let scale = 1.0 / c.batch_size() as f32;
        let (mut first, mut mnist, mut finite, mut least_sure) = (true, c.mnist_examples, true, 0.0);
        while first || mnist > 0 {
            // The first chunk starts with the copies (their labels are in `self.labels` already).
            batch.clear();
            if first {
                copy_features.chunks_exact(features).for_each(|copy| batch.push(copy));
            } else {
                self.labels.clear();
            }
            let n = mnist.min(super::CHUNK - batch.len());
            for _ in 0..n {
                let index = lesson.rng.random_range(0..pool.labels.len());
                batch.push(&pool.features[index * features..(index + 1) * features]);
                self.labels.push(pool.labels[index]);
            }
            let stats = self.net.accumulate_gradients(&*batch, &self.labels, c.label_smoothing, scale, &mut pool.ws);
            finite &= stats.mean_loss().is_finite();
            if first {
                least_sure = least_sure_of(self.net.probabilities(&pool.ws, c.new_copies), self.labels[0]);
            }
            (first, mnist) = (false, mnist - n);
        }
        lesson.optimizer.step(self.net.parameters_and_grads(), c.optimizer.learning_rate());
        self.net.maps = maps;
        StepOutcome { finite, least_sure }
    }

    /// Adds `copies` augmented copies of your digits to the input batch: the newest digit's first,
    /// then digits taught before, drawn at random (the newest stands in while it is the only one).
    fn push_copies(&mut self, lesson: &mut Lesson, copies: usize) {
        let c = lesson.config;
        let newest = self.taught.len() - 1;
        for copy in 0..copies {
            let which = if copy < c.new_copies || newest == 0 { newest } else { lesson.rng.random_range(0..newest) };
            let params = c.augment.sample(&mut lesson.rng);
            let digit = &self.taught[which];
            self.input.push_bytes(self.augmenter.apply_bytes(&digit.pixels, &params));
            self.labels.push(digit.label);
        }
    }

    /// Computes the next chunk of the ConvNet's MNIST features for lessons, first forgetting them if
    /// the feature-map layers changed since (training, another network). Returns whether the pool
    /// is complete.
    fn fill_feature_pool(&mut self) -> bool {
        let fingerprint = self.net.maps_fingerprint();
        let pool = &mut self.feature_pool;
        if pool.fingerprint != Some(fingerprint) {
            pool.fingerprint = Some(fingerprint);
            pool.features.clear();
            pool.labels.clear();
        }
        let (have, want) = (pool.labels.len(), POOL_EXAMPLES.min(self.train.len()));
        if have >= want {
            return true;
        }
        self.input.clear();
        for i in have..(have + super::CONV_CHUNK).min(want) {
            // Spread over the training set (the stride is prime to its 60,000): the same pool every time.
            let index = (i * POOL_STRIDE) % self.train.len();
            self.input.push_image(&self.train, index, true);
            pool.labels.push(self.train.labels[index]);
        }
        pool.features.extend_from_slice(self.net.map_features(&self.input, &mut self.ws));
        pool.labels.len() >= want
    }
}

/// The lowest probability of `label` in the columns of `probabilities` (10 per example).
fn least_sure_of(probabilities: &[f32], label: u8) -> f32 {
    probabilities.chunks_exact(CLASSES).map(|p| p[label as usize]).fold(1.0, f32::min)
}

fn check_count(count: usize) -> Result<()> {
    if count > MAX_TAUGHT_DIGITS {
        return Err(Error::Input(format!("at most {MAX_TAUGHT_DIGITS} digits can be taught to one network")));
    }
    Ok(())
}
