//! 2×2 max-pooling with stride 2: each output is the largest of a 2×2 window of its channel, and the
//! gradient goes back to that one input.
//!
//! Ties go to the first maximum in the window's reading order — top-left, top-right, bottom-left,
//! bottom-right — because only a strictly larger value replaces the one held. After a ReLU, a
//! window of zeros is the common tie; its gradient then lands on the top-left zero, where the
//! ReLU's own derivative (0 at 0) stops it, so every rule gives the same result there.
//!
//! Maps of odd height or width are refused when the network is built rather than cropped: a row
//! silently dropped is a surprise in a hand-written notation. Layout as in `conv.rs`.

use super::MapShape;
use crate::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaxPool2 {
    pub input: MapShape,
}

impl MaxPool2 {
    /// The output shape of pooling `input`, or why it cannot be pooled.
    pub fn output_shape(input: MapShape) -> Result<MapShape> {
        if !input.height.is_multiple_of(2) || !input.width.is_multiple_of(2) {
            return Err(Error::Config(format!(
                "2×2 pooling needs a map of even height and width (got {}×{})",
                input.height, input.width
            )));
        }
        Ok(Self::shape_after(input))
    }

    /// The output shape of a map already checked by [`MaxPool2::output_shape`]; infallible, as
    /// `Conv2d::shape_after`.
    fn shape_after(input: MapShape) -> MapShape {
        MapShape { channels: input.channels, height: input.height / 2, width: input.width / 2 }
    }

    pub fn new(input: MapShape) -> Result<Self> {
        Self::output_shape(input)?;
        Ok(MaxPool2 { input })
    }

    pub fn output(&self) -> MapShape {
        Self::shape_after(self.input)
    }

    /// `A[c, y, x] = max` of the window at (2y, 2x); `winners` gets, per output, the window position
    /// (0–3, reading order) of the input that won.
    pub fn forward(&self, x: &[f32], m: usize, a: &mut [f32], winners: &mut [u8]) {
        let out = self.output();
        let w = self.input.width;
        let (x, a, winners) = (&x[..self.input.len() * m], &mut a[..out.len() * m], &mut winners[..out.len() * m]);
        // A map of every channel and example is one (2·out.height) × w block; rows pair up.
        let rows = x.chunks_exact(2 * w).zip(a.chunks_exact_mut(out.width).zip(winners.chunks_exact_mut(out.width)));
        for (pair, (a, winners)) in rows {
            let (top, bottom) = pair.split_at(w);
            for (ox, (a, winner)) in a.iter_mut().zip(winners.iter_mut()).enumerate() {
                let window = [top[2 * ox], top[2 * ox + 1], bottom[2 * ox], bottom[2 * ox + 1]];
                let (mut best, mut best_value) = (0u8, window[0]);
                for (i, &v) in window.iter().enumerate().skip(1) {
                    let better = v > best_value;
                    best = if better { i as u8 } else { best };
                    best_value = if better { v } else { best_value };
                }
                *a = best_value;
                *winner = best;
            }
        }
    }

    /// `dX`: each output's gradient at the input that won its window, zero elsewhere (written over `dx`).
    pub fn input_grads(&self, da: &[f32], winners: &[u8], m: usize, dx: &mut [f32]) {
        let out = self.output();
        let w = self.input.width;
        let dx = &mut dx[..self.input.len() * m];
        dx.fill(0.0);
        let rows = dx.chunks_exact_mut(2 * w).zip(da[..out.len() * m].chunks_exact(out.width).zip(winners.chunks_exact(out.width)));
        for (pair, (da, winners)) in rows {
            for (ox, (&d, &winner)) in da.iter().zip(winners).enumerate() {
                let (row, column) = (winner as usize / 2, winner as usize % 2);
                pair[row * w + 2 * ox + column] = d;
            }
        }
    }
}
