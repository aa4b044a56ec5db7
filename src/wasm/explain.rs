//! The "How it works" panel's calls: a trace of one forward and backward pass for an input and its
//! true label, a finite-difference check of backprop on the live network, the saliency of a digit,
//! test images by index, and two training runs side by side (a [`Comparison`] handle that shares the
//! session's training set). Results are small; bad arguments are JavaScript exceptions.

use super::{js_error, now, seed_or_random, settings_from_js, to_js, Session};
use crate::explain::{self, CurvePoint, RunProgress, Trace};
use crate::dataset::Dataset;
use crate::optim::OptimizerConfig;
use crate::pixel::pixel_values;
use crate::trainer::TrainConfig;
use serde::Serialize;
use std::sync::Arc;
use wasm_bindgen::prelude::*;

/// Most parameters per tensor a gradient check takes.
const MAX_CHECKED_PER_TENSOR: u32 = 8;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Explained<'a> {
    #[serde(flatten)]
    trace: &'a Trace,
    /// The optimiser training uses (`sgd`, `momentum`, `rmsprop`, `adam`) and its batch size: the
    /// update shown is plain gradient descent on this one example.
    optimizer: &'static str,
    batch_size: usize,
    train_examples: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TestImage {
    index: u32,
    label: u8,
    /// 784 values in [0, 1], row by row: the image exactly as training reads it.
    pixels: Vec<f32>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunInfo {
    sizes: Vec<usize>,
    parameters: usize,
    planned_examples: u64,
    settings: TrainConfig,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ComparisonInfo {
    seed: u64,
    train_examples: usize,
    test_examples: usize,
    evaluate_every: u64,
    runs: Vec<RunInfo>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ComparisonReport<'a> {
    runs: Vec<RunProgress>,
    /// Each run's curve points measured since the previous `work` call.
    points: Vec<&'a [CurvePoint]>,
    done: bool,
}

fn optimizer_name(config: &OptimizerConfig) -> &'static str {
    match config {
        OptimizerConfig::Sgd(_) => "sgd",
        OptimizerConfig::Momentum(_) => "momentum",
        OptimizerConfig::RmsProp(_) => "rmsprop",
        OptimizerConfig::Adam(_) => "adam",
    }
}

/// Two (or more) training runs side by side on the session's training set, with the same seed.
#[wasm_bindgen]
pub struct Comparison {
    inner: explain::Comparison,
    seed: u64,
    test_examples: usize,
    evaluate_every: u64,
    /// Points of each run already handed to JavaScript.
    reported: Vec<usize>,
    /// Milliseconds the longest recent piece of work took (a training chunk or an evaluation chunk):
    /// a piece is not started unless it is expected to end before the deadline.
    piece_ms: f64,
}

#[wasm_bindgen]
impl Session {
    /// Test image `index` with its label: `{index, label, pixels}`, the pixels in [0, 1] as training
    /// reads them.
    #[wasm_bindgen(js_name = testImage)]
    pub fn test_image(&self, index: u32) -> Result<JsValue, JsError> {
        let test = self.trainer.test_set().ok_or_else(|| JsError::new("input: there is no test set"))?;
        if index as usize >= test.len() {
            return Err(JsError::new(&format!(
                "input: test image {index} does not exist (there are {}, numbered from 0)",
                test.len()
            )));
        }
        let i = index as usize;
        to_js(&TestImage { index, label: test.labels[i], pixels: pixel_values(test.image(i)) })
    }

    /// One forward and one backward pass of the current network for 784 pixel values and the true
    /// `label`, exactly as a training step computes them (with training's label smoothing), listing
    /// the `top` (at most 32) largest entries of each vector and gradient. The update shown is plain
    /// gradient descent, `W − α·dW`, with the run's learning rate α.
    pub fn explain(&self, pixels: &[f32], label: u32, top: u32) -> Result<JsValue, JsError> {
        let config = self.trainer.config();
        let trace = explain::trace(
            self.trainer.network(),
            pixels,
            label as usize,
            config.label_smoothing,
            config.optimizer.learning_rate(),
            top as usize,
        )
        .map_err(js_error)?;
        to_js(&Explained {
            trace: &trace,
            optimizer: optimizer_name(&config.optimizer),
            batch_size: config.batch_size,
            train_examples: self.trainer.train_set().len(),
        })
    }

    /// Which pixels pushed digit `digit` (`undefined`: the network's answer) up or down:
    /// `{class, predicted, probability, logProbability, gradient, largest}`, where `gradient` is
    /// `∂ log P(digit) / ∂x` for each of the 784 pixels.
    pub fn saliency(&self, pixels: &[f32], digit: Option<u32>) -> Result<JsValue, JsError> {
        let class = digit.map(|d| d as usize);
        to_js(&explain::saliency(self.trainer.network(), pixels, class).map_err(js_error)?)
    }

    /// Backprop against finite differences on the live network for one example: up to `per_tensor`
    /// (1 to 8) parameters of each weight and bias tensor, those with the largest measurable
    /// gradients: `{epsilon, tolerance, loss, passed, parameters: [{parameter: {layer, tensor, row,
    /// col}, value, backprop, numeric, relativeError, crossesKink}]}`. The network is not changed.
    #[wasm_bindgen(js_name = gradientCheck)]
    pub fn gradient_check(&self, pixels: &[f32], label: u32, per_tensor: u32) -> Result<JsValue, JsError> {
        let per_tensor = per_tensor.clamp(1, MAX_CHECKED_PER_TENSOR) as usize;
        let smoothing = self.trainer.config().label_smoothing;
        let check = explain::gradient_check(self.trainer.network(), pixels, label as usize, smoothing, per_tensor)
            .map_err(js_error)?;
        to_js(&check)
    }

    /// Two training runs side by side, with settings `first` and `second` (objects like `reset`'s)
    /// and the same seed (`undefined` draws one), on this session's training set (shared, not
    /// copied), each measured on the first `test_images` test images every `evaluate_every` examples.
    #[wasm_bindgen(js_name = compareRuns)]
    pub fn compare_runs(
        &self,
        first: JsValue,
        second: JsValue,
        seed: Option<f64>,
        test_images: u32,
        evaluate_every: u32,
    ) -> Result<Comparison, JsError> {
        let configs = vec![settings_from_js(first)?, settings_from_js(second)?];
        let seed = seed_or_random(seed)?;
        let test: &Dataset = self.trainer.test_set().ok_or_else(|| JsError::new("input: there is no test set"))?;
        if test_images == 0 || test_images as usize > test.len() {
            return Err(JsError::new(&format!(
                "input: a comparison is measured on 1 to {} test images (got {test_images})",
                test.len()
            )));
        }
        let test = Arc::new(test.take(test_images as usize));
        let inner = explain::Comparison::new(configs, self.trainer.shared_train_set(), test, seed, evaluate_every as u64)
            .map_err(js_error)?;
        Ok(Comparison {
            reported: vec![0; inner.runs().len()],
            inner,
            seed,
            test_examples: test_images as usize,
            evaluate_every: evaluate_every as u64,
            piece_ms: 0.0,
        })
    }
}

#[wasm_bindgen]
impl Comparison {
    /// Seed, data sizes and each run's network and settings.
    pub fn info(&self) -> Result<JsValue, JsError> {
        let runs = self
            .inner
            .runs()
            .iter()
            .map(|run| RunInfo {
                sizes: run.network().sizes(),
                parameters: run.network().parameter_count(),
                planned_examples: run.planned_examples(),
                settings: run.config().clone(),
            })
            .collect();
        to_js(&ComparisonInfo {
            seed: self.seed,
            train_examples: self.inner.runs()[0].train_set().len(),
            test_examples: self.test_examples,
            evaluate_every: self.evaluate_every,
            runs,
        })
    }

    /// Trains the runs in turns for at most about `budget_ms` milliseconds: `{runs: [{steps, examples,
    /// epoch, plannedExamples, finished, diverged, points}], points: [[{epoch, examples, steps, loss,
    /// accuracy}], …], done}`, with each run's points measured since the last call.
    pub fn work(&mut self, budget_ms: f64) -> Result<JsValue, JsError> {
        let mut last = now();
        let deadline = last + budget_ms.max(0.0);
        let mut pieces = 0;
        let piece_ms = &mut self.piece_ms;
        // Each call of the closure comes between two pieces of work, so the time since the previous
        // call is what a piece took. The estimate decays, so that one slow piece is soon forgotten.
        self.inner
            .work(|| {
                let t = now();
                if pieces > 0 {
                    *piece_ms = (*piece_ms * 0.95).max(t - last);
                }
                pieces += 1;
                last = t;
                // At least one piece per call, so that a slow piece cannot stall the comparison.
                pieces == 1 || t + *piece_ms < deadline
            })
            .map_err(js_error)?;
        let points = (0..self.reported.len()).map(|r| &self.inner.points(r)[self.reported[r]..]).collect();
        let report = ComparisonReport { runs: self.inner.progress(), points, done: self.inner.is_done() };
        let value = to_js(&report)?;
        for (r, reported) in self.reported.iter_mut().enumerate() {
            *reported = self.inner.points(r).len();
        }
        Ok(value)
    }

    /// Every run has finished and been measured at its end.
    #[wasm_bindgen(getter)]
    pub fn done(&self) -> bool {
        self.inner.is_done()
    }
}
