//! The layers that work on feature maps — convolutions (each followed by a ReLU) and 2×2
//! max-pooling — under the same protocol as [`super::Dense`]: a forward pass over a batch, gradients
//! accumulated with a `scale`, the gradient of the inputs, and parameters with their gradients.
//!
//! A network is these layers first (none in an MLP), then its dense layers: see `network.rs`.

use super::conv::{Conv2d, ConvScratch};
use super::pool::MaxPool2;
use crate::activation::{relu, relu_backward};

/// The size of one example's feature maps: `channels` maps of `height` × `width`, stored
/// channel-major (`conv.rs` describes the layout).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MapShape {
    pub channels: usize,
    pub height: usize,
    pub width: usize,
}

impl MapShape {
    /// Values per example.
    pub fn len(&self) -> usize {
        self.channels * self.height * self.width
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum MapLayer {
    /// A convolution; its output goes through a ReLU.
    Conv(Conv2d),
    MaxPool(MaxPool2),
}

/// What a map layer keeps from its forward pass for the backward one, per layer of the network.
#[derive(Debug, Clone, Default)]
pub struct MapBuffers {
    /// A convolution's pre-activations Z (empty for pooling).
    pub z: Vec<f32>,
    /// The layer's output: ReLU(Z) of a convolution, the pooled maps.
    pub a: Vec<f32>,
    /// Pooling's winning window positions (empty for a convolution).
    pub winners: Vec<u8>,
}

impl MapBuffers {
    pub fn for_layer(layer: &MapLayer, capacity: usize) -> Self {
        let n = layer.output().len() * capacity;
        match layer {
            MapLayer::Conv(_) => MapBuffers { z: vec![0.0; n], a: vec![0.0; n], winners: Vec::new() },
            MapLayer::MaxPool(_) => MapBuffers { z: Vec::new(), a: vec![0.0; n], winners: vec![0; n] },
        }
    }
}

impl MapLayer {
    pub fn input(&self) -> MapShape {
        match self {
            MapLayer::Conv(c) => c.input,
            MapLayer::MaxPool(p) => p.input,
        }
    }
    pub fn output(&self) -> MapShape {
        match self {
            MapLayer::Conv(c) => c.output(),
            MapLayer::MaxPool(p) => p.output(),
        }
    }
    pub fn parameter_count(&self) -> usize {
        match self {
            MapLayer::Conv(c) => c.parameter_count(),
            MapLayer::MaxPool(_) => 0,
        }
    }
    pub fn zero_grads(&mut self) {
        if let MapLayer::Conv(c) = self {
            c.zero_grads();
        }
    }

    /// Weights with their gradients, then biases with theirs; nothing for pooling.
    pub fn parameters_and_grads(&mut self) -> Option<[(&mut [f32], &[f32]); 2]> {
        match self {
            MapLayer::Conv(Conv2d { weights, biases, weight_grads, bias_grads, .. }) => Some([
                (weights.as_mut_slice(), weight_grads.as_slice()),
                (biases.as_mut_slice(), bias_grads.as_slice()),
            ]),
            MapLayer::MaxPool(_) => None,
        }
    }

    /// The parameters, for reading: weights then biases.
    pub fn parameters(&self) -> Option<[&[f32]; 2]> {
        match self {
            MapLayer::Conv(c) => Some([c.weights.as_slice(), c.biases.as_slice()]),
            MapLayer::MaxPool(_) => None,
        }
    }

    /// The gradients, for reading: weights then biases.
    pub fn grads(&self) -> Option<[&[f32]; 2]> {
        match self {
            MapLayer::Conv(c) => Some([c.weight_grads.as_slice(), c.bias_grads.as_slice()]),
            MapLayer::MaxPool(_) => None,
        }
    }

    pub fn grads_mut(&mut self) -> Option<[&mut [f32]; 2]> {
        match self {
            MapLayer::Conv(c) => Some([c.weight_grads.as_mut_slice(), c.bias_grads.as_mut_slice()]),
            MapLayer::MaxPool(_) => None,
        }
    }

    /// The forward pass of m examples from `x` into `out` (`for_backward`: see [`Conv2d::forward`]).
    pub fn forward(&self, x: &[f32], m: usize, out: &mut MapBuffers, scratch: &mut ConvScratch, for_backward: bool) {
        let n = self.output().len() * m;
        match self {
            MapLayer::Conv(c) => {
                c.forward(x, m, &mut out.z, scratch, for_backward);
                relu(&out.z[..n], &mut out.a[..n]);
            }
            MapLayer::MaxPool(p) => p.forward(x, m, &mut out.a, &mut out.winners),
        }
    }

    /// The backward pass: `delta` holds ∂L/∂(this layer's output) and is used up (a convolution turns
    /// it into ∂L/∂Z in place); gradients are added with `scale`, and ∂L/∂x is written to `dx` when
    /// asked for (the first layer's inputs are pixels, whose gradient nobody needs).
    #[allow(clippy::too_many_arguments)] // the protocol's parts, each used once
    pub fn backward(
        &mut self,
        delta: &mut [f32],
        x: &[f32],
        kept: &MapBuffers,
        m: usize,
        scale: f32,
        dx: Option<&mut [f32]>,
        scratch: &mut ConvScratch,
    ) {
        let n = self.output().len() * m;
        match self {
            MapLayer::Conv(c) => {
                relu_backward(&kept.z[..n], &mut delta[..n]);
                c.accumulate_grads(delta, x, m, scale, scratch);
                if let Some(dx) = dx {
                    c.input_grads(delta, m, dx, scratch);
                }
            }
            MapLayer::MaxPool(p) => {
                if let Some(dx) = dx {
                    p.input_grads(delta, &kept.winners, m, dx);
                }
            }
        }
    }
}
