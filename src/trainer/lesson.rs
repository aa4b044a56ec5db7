//! Lessons: a drawing with its right label, learned in a few optimiser steps — "Teach it your
//! handwriting".
//!
//! A taught digit (its 28×28 prepared pixels and label) joins the network's list of *your digits*
//! (`taught`). A lesson is then a short run of mini-batch steps, each batch mixing
//! - augmented copies of the new digit (shifted, scaled, turned, thickened: [`crate::augment`]), so
//!   that one drawing teaches its style rather than its exact pixels,
//! - augmented copies of the digits taught before, so that one lesson does not undo another,
//! - MNIST training examples, so that the network does not forget MNIST.
//!
//! The lesson has its own optimiser, fresh and with a small learning rate: the run's optimiser (its
//! Adam moments, its schedule, which may have decayed to 0 at the end of a run) is left as it was.
//! Steps go through the trainer's own gradient code and buffers; a lesson can be done a few steps
//! at a time between animation frames, like training ([`Trainer::continue_lesson`]). How a lesson
//! is given is its recipe (`recipe`); a ConvNet's MNIST examples come as feature maps computed once
//! (`feature_pool`).

use super::taught::{check_count, TaughtDigit};
use super::{Trainer, CHUNK};
use crate::batch::InputBatch;
use crate::error::{Error, Result};
use crate::mnist::CLASSES;
use crate::network::Mlp;
use crate::optim::Optimizer;
use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64Mcg;

mod feature_pool;
mod recipe;

pub(super) use feature_pool::FeaturePool;
pub use recipe::{LessonConfig, CONVNET_COPY_VARIATION, CONVNET_LESSON_RATE, CONVNET_SURE_ENOUGH};

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
        let copies = c.new_copies + c.earlier_copies;
        let (mut finite, mut least_sure) = (true, 0.0);
        for (first, mnist) in step_chunks(copies, c.mnist_examples) {
            self.input.clear();
            self.labels.clear();
            if first {
                self.push_copies(lesson, copies);
            }
            for _ in 0..mnist {
                let index = lesson.rng.random_range(0..self.train.len());
                self.input.push_image(&self.train, index, false);
                self.labels.push(self.train.labels[index]);
            }
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
            slot => slot.insert(InputBatch::with_capacity(features, CHUNK)),
        };
        // The dense layers alone, as a network of their own while the step lasts.
        let maps = std::mem::take(&mut self.net.maps);
        self.net.zero_grads();
        let scale = 1.0 / c.batch_size() as f32;
        let (mut finite, mut least_sure) = (true, 0.0);
        for (first, mnist) in step_chunks(copies, c.mnist_examples) {
            // The first chunk starts with the copies (their labels are in `self.labels` already).
            batch.clear();
            if first {
                copy_features.chunks_exact(features).for_each(|copy| batch.push(copy));
            } else {
                self.labels.clear();
            }
            for _ in 0..mnist {
                let index = lesson.rng.random_range(0..pool.labels.len());
                batch.push(&pool.features[index * features..(index + 1) * features]);
                self.labels.push(pool.labels[index]);
            }
            let stats = self.net.accumulate_gradients(&*batch, &self.labels, c.label_smoothing, scale, &mut pool.ws);
            finite &= stats.mean_loss().is_finite();
            if first {
                least_sure = least_sure_of(self.net.probabilities(&pool.ws, c.new_copies), self.labels[0]);
            }
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
}

/// How a lesson step's examples fall into chunks of at most [`CHUNK`]: `copies` copies of your digits
/// first, in the first chunk, then `mnist` MNIST examples filling it and as many more chunks as they
/// need. Yields, per chunk, whether it starts with the copies and how many MNIST examples it has.
fn step_chunks(copies: usize, mut mnist: usize) -> impl Iterator<Item = (bool, usize)> {
    let mut first = true;
    std::iter::from_fn(move || {
        if !first && mnist == 0 {
            return None;
        }
        let n = mnist.min(if first { CHUNK - copies } else { CHUNK });
        let chunk = (first, n);
        (first, mnist) = (false, mnist - n);
        Some(chunk)
    })
}

/// The lowest probability of `label` in the columns of `probabilities` (10 per example).
fn least_sure_of(probabilities: &[f32], label: u8) -> f32 {
    probabilities.chunks_exact(CLASSES).map(|p| p[label as usize]).fold(1.0, f32::min)
}

