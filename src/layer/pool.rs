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
            let done = pool_row_quads(top, bottom, a, winners);
            for ox in done..a.len() {
                let (value, winner) = window_max([top[2 * ox], top[2 * ox + 1]], [bottom[2 * ox], bottom[2 * ox + 1]]);
                a[ox] = value;
                winners[ox] = winner;
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

/// The largest of a 2×2 window and its position, the first maximum in reading order: the larger of
/// each row (the left one unless the right is strictly larger), then the bottom row's only if it is
/// strictly larger than the top's — the same as scanning TL, TR, BL, BR and keeping a value until a
/// strictly larger one comes (NaN never replaces, as `>` is false for it).
#[inline]
fn window_max(top: [f32; 2], bottom: [f32; 2]) -> (f32, u8) {
    let (top_right, bottom_right) = (top[1] > top[0], bottom[1] > bottom[0]);
    let top_best = if top_right { top[1] } else { top[0] };
    let bottom_best = if bottom_right { bottom[1] } else { bottom[0] };
    if bottom_best > top_best {
        (bottom_best, 2 + bottom_right as u8)
    } else {
        (top_best, top_right as u8)
    }
}

/// Four windows at a time with WebAssembly's 128-bit SIMD, the same rule as [`window_max`]: pooling
/// took a tenth of a ConvNet's training step in Chromium as scalar code (its profiler, batch 32).
/// Returns how many outputs of the row it wrote (a multiple of 4); the caller does the rest.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn pool_row_quads(top: &[f32], bottom: &[f32], a: &mut [f32], winners: &mut [u8]) -> usize {
    use core::arch::wasm32::*;
    let quads = a.len() / 4;
    assert!(top.len() >= 8 * quads && bottom.len() >= 8 * quads && winners.len() >= 4 * quads);
    // Even and odd columns of eight values: the windows' left and right inputs.
    let split = |row: &[f32], q: usize| {
        // SAFETY: 8·q + 8 ≤ row.len() by the assert above; v128_load has no alignment requirement.
        let (v0, v1) = unsafe { (v128_load(row.as_ptr().add(8 * q).cast()), v128_load(row.as_ptr().add(8 * q + 4).cast())) };
        (i32x4_shuffle::<0, 2, 4, 6>(v0, v1), i32x4_shuffle::<1, 3, 5, 7>(v0, v1))
    };
    let one = i32x4_splat(1);
    for q in 0..quads {
        let ((tl, tr), (bl, br)) = (split(top, q), split(bottom, q));
        let (top_right, bottom_right) = (f32x4_gt(tr, tl), f32x4_gt(br, bl));
        let top_best = v128_bitselect(tr, tl, top_right);
        let bottom_best = v128_bitselect(br, bl, bottom_right);
        let down = f32x4_gt(bottom_best, top_best);
        let best = v128_bitselect(bottom_best, top_best, down);
        // Positions 0–3: 2 for the bottom row, plus 1 for the right column.
        let position = v128_or(v128_and(down, i32x4_splat(2)), v128_and(v128_bitselect(bottom_right, top_right, down), one));
        let bytes = u8x16_narrow_i16x8(i16x8_narrow_i32x4(position, position), i16x8_splat(0));
        // SAFETY: 4·q + 4 ≤ a.len() and ≤ winners.len() (the assert); stores have no alignment requirement.
        unsafe {
            v128_store(a.as_mut_ptr().add(4 * q).cast(), best);
            v128_store32_lane::<0>(bytes, winners.as_mut_ptr().add(4 * q).cast());
        }
    }
    4 * quads
}

/// Elsewhere (native builds) every window goes through [`window_max`].
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn pool_row_quads(_top: &[f32], _bottom: &[f32], _a: &mut [f32], _winners: &mut [u8]) -> usize {
    0
}
