//! One output of a ConvNet's first convolution, with the real numbers behind it: the forward sum
//! `Z[o, y, x] = b[o] + Σ_t W[o, t] · P_t` over the patch `P` under the kernel, its ReLU, and on the
//! way back the gradient `∂L/∂Z` there, its share `∂L/∂Z · P` of the kernel's gradient, and the
//! kernel's whole gradient `∂L/∂W[o] = Σ_positions ∂L/∂Z · P` — every output of the channel shares
//! the kernel, so every position adds its term. Computed by training's own forward and backward code
//! on a batch of one ("How it works" for a ConvNet).

use super::backward_on_one;
use crate::error::{Error, Result};
use crate::layer::{Conv2d, MapLayer, Padding};
use crate::loss::check_label_smoothing;
use crate::network::{argmax, Mlp};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConvolutionTrace {
    pub label: u8,
    pub predicted: u8,
    pub probabilities: Vec<f32>,
    /// Training's loss for this example (with its label smoothing).
    pub loss: f32,
    /// The first layer's input channels, kernel size and whether the input is zero-padded (same
    /// padding).
    pub input_channels: usize,
    pub kernel: usize,
    pub same_padding: bool,
    /// Its output maps: channels and size.
    pub channels: usize,
    pub height: usize,
    pub width: usize,
    /// The output shown: the most active one of the layer (channel, row, column).
    pub channel: usize,
    pub y: usize,
    pub x: usize,
    /// The input values under the kernel there (channel, row, column order; zeros outside the map
    /// with same padding), the kernel's weights in the same order, its bias.
    pub patch: Vec<f32>,
    pub weights: Vec<f32>,
    pub bias: f32,
    /// `Σ_t W[o, t] · P_t + b[o]` as the layer computed it, and its ReLU.
    pub z: f32,
    pub a: f32,
    /// How many outputs of the channel are active (Z > 0), of `height × width`.
    pub active: usize,
    /// `∂L/∂Z` at this output, its term `∂L/∂Z · P` of the kernel's gradient, the kernel's whole
    /// gradient (every position's term added) and the bias gradient `Σ_positions ∂L/∂Z`.
    pub dz: f32,
    pub term: Vec<f32>,
    pub weight_grads: Vec<f32>,
    pub bias_grad: f32,
}

/// The trace of `net`'s first layer, a convolution, for `pixels` with the true `label` (training's
/// label smoothing `smoothing`); an error for an MLP or a network that starts with pooling.
pub fn trace_convolution(net: &Mlp, pixels: &[f32], label: usize, smoothing: f32) -> Result<ConvolutionTrace> {
    net.check_input(pixels)?;
    let label = net.check_class(label, "label")?;
    check_label_smoothing(smoothing)?;
    let conv = match net.maps.first() {
        Some(MapLayer::Conv(c)) => c,
        Some(MapLayer::MaxPool(_)) => return Err(Error::Input("the network starts with pooling, not a convolution".into())),
        None => return Err(Error::Input("this network has no convolution (it is an MLP)".into())),
    };
    let (gradients, ws, _) = backward_on_one(net, pixels, label, smoothing);
    let out = conv.output();
    let positions = out.height * out.width;
    let z = &ws.maps[0].z[..out.len()];
    let shown = argmax(z);
    let (channel, position) = (shown / positions, shown % positions);
    let (y, x) = (position / out.width, position % out.width);
    let patch = patch_at(conv, pixels, y, x);
    let taps = patch.len();
    let weights = conv.weights.as_slice()[channel * taps..][..taps].to_vec();
    // After the backward pass the workspace's `delta_below` holds ∂L/∂Z of the first map layer.
    let dz = ws.delta_below[shown];
    let Some(MapLayer::Conv(with_grads)) = gradients.maps.first() else { unreachable!("a copy of the same network") };
    let probabilities = ws.a[net.layers.len() - 1][..net.outputs()].to_vec();
    Ok(ConvolutionTrace {
        label,
        predicted: argmax(&probabilities) as u8,
        loss: gradients.stats(&ws, &[label], smoothing).loss_sum,
        probabilities,
        input_channels: conv.input.channels,
        kernel: conv.kernel,
        same_padding: conv.padding == Padding::Same,
        channels: out.channels,
        height: out.height,
        width: out.width,
        channel,
        y,
        x,
        term: patch.iter().map(|p| dz * p).collect(),
        patch,
        weights,
        bias: conv.biases[channel],
        z: z[shown],
        a: z[shown].max(0.0),
        active: z[channel * positions..][..positions].iter().filter(|&&v| v > 0.0).count(),
        dz,
        weight_grads: with_grads.weight_grads.as_slice()[channel * taps..][..taps].to_vec(),
        bias_grad: with_grads.bias_grads[channel],
    })
}

/// The input values under the kernel for output (y, x): channel by channel, row by row.
fn patch_at(conv: &Conv2d, input: &[f32], y: usize, x: usize) -> Vec<f32> {
    let (k, shape) = (conv.kernel, conv.input);
    let pad = if conv.padding == Padding::Same { k / 2 } else { 0 };
    let mut patch = Vec::with_capacity(shape.channels * k * k);
    for c in 0..shape.channels {
        for ky in 0..k {
            for kx in 0..k {
                let (iy, ix) = ((y + ky).checked_sub(pad), (x + kx).checked_sub(pad));
                let value = match (iy, ix) {
                    (Some(iy), Some(ix)) if iy < shape.height && ix < shape.width => input[(c * shape.height + iy) * shape.width + ix],
                    _ => 0.0,
                };
                patch.push(value);
            }
        }
    }
    patch
}
