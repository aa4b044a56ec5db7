//! How a lesson is given: its steps, what each step mixes, its optimiser, how much the copies of
//! your digits vary and when it ends — and the measurements behind a ConvNet's recipe.

use crate::augment::AugmentRanges;
use crate::error::{Error, Result};
use crate::optim::{AdamConfig, OptimizerConfig};
use crate::trainer::CHUNK;

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

    pub(super) fn validate(&self) -> Result<()> {
        self.optimizer.validate()?;
        crate::loss::check_label_smoothing(self.label_smoothing)?;
        if self.steps == 0 || self.new_copies == 0 || self.new_copies + self.earlier_copies > CHUNK {
            // Recipes come from code, not people: a plain message keeps the wasm file small.
            return Err(Error::Config("a lesson needs a step, a copy of the new digit, and at most 256 copies a step".into()));
        }
        Ok(())
    }
}
