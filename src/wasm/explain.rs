//! The "How it works" panel's calls: a trace of one forward and backward pass for an input and its
//! true label, a finite-difference check of backprop on the live network, the saliency of a digit,
//! and test images by index (two runs side by side are in `comparison`). The core
//! ([`crate::explain`]) checks the arguments; results are small; bad arguments are JavaScript
//! exceptions.

use super::{js_error, to_js, Session};
use crate::explain;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
impl Session {
    /// Test image `index` with its label: `{index, label, pixels}`, the pixels in [0, 1] as training
    /// reads them.
    #[wasm_bindgen(js_name = testImage)]
    pub fn test_image(&self, index: u32) -> Result<JsValue, JsError> {
        to_js(&explain::test_image(&self.trainer, index).map_err(js_error)?)
    }

    /// One forward and one backward pass of the current network for 784 pixel values and the true
    /// `label`, exactly as a training step computes them (with training's label smoothing), listing
    /// the `top` (at most 32) largest entries of each vector and gradient. The update shown is plain
    /// gradient descent, `W − α·dW`, with the run's learning rate α.
    pub fn explain(&self, pixels: &[f32], label: u32, top: u32) -> Result<JsValue, JsError> {
        to_js(&explain::trace_training(&self.trainer, pixels, label as usize, top as usize).map_err(js_error)?)
    }

    /// A ConvNet's first convolution at its most active output, for 784 pixel values and the true
    /// `label`, as a training step computes it: `{label, predicted, probabilities, loss,
    /// inputChannels, kernel, samePadding, channels, height, width, channel, y, x, patch, weights,
    /// bias, z, a, active, dz, term, weightGrads, biasGrad}`; an exception for an MLP.
    #[wasm_bindgen(js_name = explainConvolution)]
    pub fn explain_convolution(&self, pixels: &[f32], label: u32) -> Result<JsValue, JsError> {
        to_js(&explain::trace_convolution_training(&self.trainer, pixels, label as usize).map_err(js_error)?)
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
        let check = explain::gradient_check_training(&self.trainer, pixels, label as usize, per_tensor as usize);
        to_js(&check.map_err(js_error)?)
    }
}
