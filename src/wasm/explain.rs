//! The "How it works" panel's calls: a trace of one forward and backward pass for an input and its
//! true label, a finite-difference check of backprop on the live network, the saliency of a digit,
//! and test images by index (two runs side by side are in `comparison`). Results are small; bad
//! arguments are JavaScript exceptions.

use super::{js_error, to_js, Session};
use crate::explain::{self, Trace};
use crate::optim::OptimizerConfig;
use crate::pixel::pixel_values;
use serde::Serialize;
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

fn optimizer_name(config: &OptimizerConfig) -> &'static str {
    match config {
        OptimizerConfig::Sgd(_) => "sgd",
        OptimizerConfig::Momentum(_) => "momentum",
        OptimizerConfig::RmsProp(_) => "rmsprop",
        OptimizerConfig::Adam(_) => "adam",
    }
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
}
