//! Turning a drawing into what the network expects: an MNIST-style 28×28 image.
//!
//! MNIST's digits were made by scaling each handwritten digit, keeping its aspect ratio, to fit a
//! 20×20 box with anti-aliasing, then placing it in a 28×28 field so that its centre of mass sits at
//! the centre. A drawing gets the same treatment, so a digit drawn small, large or off-centre looks
//! to the network like the digits it learned from.
//!
//! One thing MNIST's digits share that drawings do not: a pad's pen has one width in screen pixels,
//! so once scaled to the 20×20 box a small digit is bold and a large one thin. Before scaling, the
//! strokes are therefore redrawn at MNIST's usual width ([`crate::stroke`]) on a grid of fixed
//! resolution relative to the digit.

use crate::error::{Error, Result};
use crate::mnist::{IMAGE_PIXELS, IMAGE_SIDE};
use crate::stroke;

/// Side of the box the digit is scaled to fit, as in MNIST.
pub const BOX_SIDE: f32 = 20.0;
/// Ink below this (of 1) does not count towards the digit's bounding box: faint anti-aliasing or
/// smudges must not decide how large the digit is.
pub const INK_THRESHOLD: f32 = 0.1;
/// Largest drawing accepted, per side.
pub const MAX_SIDE: usize = 4096;
/// Stroke width the drawing's strokes are redrawn at, in pixels of the 28×28 image: the median width
/// of MNIST's training digits, measured with [`stroke::stroke_width`] on the images upsampled 4×
/// (quartiles 2.0 and 2.9 px).
pub const STROKE_WIDTH: f32 = 2.4;
/// The grid the strokes are redrawn on: the ink's longer side becomes this many pixels — six per
/// pixel of the 20-pixel box, so edges keep their place to a sixth of a final pixel whatever the
/// drawing's size (four per pixel moved them visibly; eight took twice the time, ~4 ms natively, for
/// no closer match) — with an empty margin of WORK_MARGIN pixels for strokes to grow into.
const WORK_SIDE: usize = 120;
const WORK_MARGIN: usize = 18;

/// A drawing in MNIST form.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    /// 28×28 values in [0, 1], row by row; ink is 1.
    pub pixels: Vec<f32>,
    /// The ink's bounding box in the drawing: x, y, width, height.
    pub bounds: [usize; 4],
}

/// Ink of each pixel of an RGBA image, in [0, 1]: how dark the pixel is once composited over white,
/// so dark strokes on a white or a transparent background both count as ink.
pub fn ink_from_rgba(rgba: &[u8], width: usize, height: usize) -> Result<Vec<f32>> {
    check_size(width, height)?;
    if rgba.len() != width * height * 4 {
        return Err(Error::Input(format!(
            "a {width}×{height} RGBA image has {} bytes, got {}",
            width * height * 4,
            rgba.len()
        )));
    }
    Ok(rgba
        .chunks_exact(4)
        .map(|p| {
            let luminance = (0.299 * p[0] as f32 + 0.587 * p[1] as f32 + 0.114 * p[2] as f32) / 255.0;
            let alpha = p[3] as f32 / 255.0;
            let over_white = luminance * alpha + (1.0 - alpha);
            1.0 - over_white
        })
        .collect())
}

fn check_size(width: usize, height: usize) -> Result<()> {
    if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
        return Err(Error::Input(format!("a drawing must be 1 to {MAX_SIDE} pixels per side (got {width}×{height})")));
    }
    Ok(())
}

/// [`prepare`] for a canvas' RGBA pixels.
pub fn prepare_rgba(rgba: &[u8], width: usize, height: usize) -> Result<Option<Prepared>> {
    prepare(&ink_from_rgba(rgba, width, height)?, width, height)
}

/// Crops the ink, scales it to fit 20×20 with anti-aliasing, and centres its mass in 28×28.
/// Returns `None` for a drawing with no ink: an empty pad has no digit to classify.
pub fn prepare(ink: &[f32], width: usize, height: usize) -> Result<Option<Prepared>> {
    check_size(width, height)?;
    if ink.len() != width * height {
        return Err(Error::Input(format!("a {width}×{height} image has {} pixels, got {}", width * height, ink.len())));
    }
    if ink.iter().any(|v| !v.is_finite()) {
        return Err(Error::Input("ink values must be finite numbers".into()));
    }
    let Some(bounds) = ink_bounds(ink, width, height) else {
        return Ok(None);
    };
    let (work, work_width, work_height) = normalise_strokes(ink, width, height, bounds);
    let Some([x0, y0, w, h]) = ink_bounds(&work, work_width, work_height) else {
        return Ok(None);
    };

    // Scale so the longer side becomes 20 px; each small pixel averages the drawing's area under it.
    let scale = BOX_SIDE / w.max(h) as f32;
    let small_w = ((w as f32 * scale).round() as usize).clamp(1, BOX_SIDE as usize);
    let small_h = ((h as f32 * scale).round() as usize).clamp(1, BOX_SIDE as usize);
    let small = area_resample(&work, work_width, [x0, y0, w, h], small_w, small_h);

    // Centre of mass of the scaled digit, in continuous coordinates (pixel i covers [i, i+1)).
    let (mut mass, mut mx, mut my) = (0.0f32, 0.0f32, 0.0f32);
    for y in 0..small_h {
        for x in 0..small_w {
            let v = small[y * small_w + x];
            mass += v;
            mx += v * (x as f32 + 0.5);
            my += v * (y as f32 + 0.5);
        }
    }
    let centre = IMAGE_SIDE as f32 / 2.0;
    // Where the small image's origin goes in 28×28, kept so that the whole digit stays inside.
    let dx = (centre - mx / mass).clamp(0.0, (IMAGE_SIDE - small_w) as f32);
    let dy = (centre - my / mass).clamp(0.0, (IMAGE_SIDE - small_h) as f32);

    let mut pixels = vec![0.0f32; IMAGE_PIXELS];
    for y in 0..IMAGE_SIDE {
        for x in 0..IMAGE_SIDE {
            // Bilinear sample of the small image, so a sub-pixel shift stays smooth.
            let sx = x as f32 + 0.5 - dx - 0.5;
            let sy = y as f32 + 0.5 - dy - 0.5;
            pixels[y * IMAGE_SIDE + x] = bilinear(&small, small_w, small_h, sx, sy);
        }
    }
    let max = pixels.iter().copied().fold(0.0f32, f32::max);
    if max <= 0.0 {
        return Ok(None);
    }
    // MNIST's strokes reach full intensity; a thin or light pen should too.
    pixels.iter_mut().for_each(|v| *v = (*v / max).clamp(0.0, 1.0));
    Ok(Some(Prepared { pixels, bounds }))
}

/// The ink inside `bounds`, scaled so its longer side is [`WORK_SIDE`] pixels, with a margin, and its
/// strokes redrawn [`STROKE_WIDTH`] wide (relative to the 20-pixel box). Dots and filled blobs, whose
/// "width" is most of their size, are left as drawn. Returns the grid and its width and height.
fn normalise_strokes(ink: &[f32], width: usize, height: usize, bounds: [usize; 4]) -> (Vec<f32>, usize, usize) {
    let [x0, y0, w, h] = bounds;
    let scale = WORK_SIDE as f32 / w.max(h) as f32;
    let inner_w = ((w as f32 * scale).round() as usize).clamp(1, WORK_SIDE);
    let inner_h = ((h as f32 * scale).round() as usize).clamp(1, WORK_SIDE);
    let (grid_w, grid_h) = (inner_w + 2 * WORK_MARGIN, inner_h + 2 * WORK_MARGIN);
    // Enlarging a small drawing interpolates bilinearly: its anti-aliased edges then stay smooth ramps
    // whose half-way line (the mask's edge) keeps its sub-pixel place. Shrinking averages areas.
    let inner = if scale > 1.0 {
        let (sx, sy) = (w as f32 / inner_w as f32, h as f32 / inner_h as f32);
        let mut out = Vec::with_capacity(inner_w * inner_h);
        for y in 0..inner_h {
            for x in 0..inner_w {
                let (u, v) = (x0 as f32 + (x as f32 + 0.5) * sx - 0.5, y0 as f32 + (y as f32 + 0.5) * sy - 0.5);
                out.push(bilinear(ink, width, height, u, v));
            }
        }
        out
    } else {
        area_resample(ink, width, bounds, inner_w, inner_h)
    };
    let mut grid = vec![0.0f32; grid_w * grid_h];
    for (y, row) in inner.chunks_exact(inner_w).enumerate() {
        let start = (y + WORK_MARGIN) * grid_w + WORK_MARGIN;
        grid[start..start + inner_w].copy_from_slice(row);
    }
    // Growing every stroke by d on each side also grows the digit by 2d, which the scaling to the
    // box then shrinks again: d solves (measured + 2d) · BOX / (WORK + 2d) = STROKE_WIDTH. Strokes
    // keep at least 2 grid pixels (half a final pixel), and stay inside the margin.
    let grow = |measured: f32| {
        let d = (STROKE_WIDTH * WORK_SIDE as f32 - BOX_SIDE * measured) / (2.0 * (BOX_SIDE - STROKE_WIDTH));
        d.clamp(-((measured - 2.0).max(0.0)) / 2.0, (WORK_MARGIN - 2) as f32)
    };
    match stroke::restroke(&grid, grid_w, grid_h, grow) {
        Some((redrawn, measured)) if measured < WORK_SIDE as f32 / 3.0 => (redrawn, grid_w, grid_h),
        _ => (grid, grid_w, grid_h),
    }
}

/// Smallest rectangle holding every pixel with ink above [`INK_THRESHOLD`]: x, y, width, height.
fn ink_bounds(ink: &[f32], width: usize, height: usize) -> Option<[usize; 4]> {
    let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
    for y in 0..height {
        for x in 0..width {
            if ink[y * width + x] > INK_THRESHOLD {
                x0 = x0.min(x);
                x1 = x1.max(x);
                y0 = y0.min(y);
                y1 = y1.max(y);
            }
        }
    }
    (x0 != usize::MAX).then(|| [x0, y0, x1 - x0 + 1, y1 - y0 + 1])
}

/// Resamples the `[x, y, w, h]` region of `ink` to `out_w × out_h` by area averaging: each output
/// pixel is the mean of the input area it covers, fractional pixels weighted by their overlap. That is
/// the anti-aliasing: a thin stroke becomes a lighter pixel instead of vanishing or aliasing.
fn area_resample(ink: &[f32], width: usize, region: [usize; 4], out_w: usize, out_h: usize) -> Vec<f32> {
    let [x0, y0, w, h] = region;
    let (sx, sy) = (w as f32 / out_w as f32, h as f32 / out_h as f32);
    let mut out = vec![0.0f32; out_w * out_h];
    for oy in 0..out_h {
        let (top, bottom) = (oy as f32 * sy, (oy + 1) as f32 * sy);
        for ox in 0..out_w {
            let (left, right) = (ox as f32 * sx, (ox + 1) as f32 * sx);
            let mut sum = 0.0;
            let mut y = top.floor() as usize;
            while (y as f32) < bottom && y < h {
                let wy = (bottom.min(y as f32 + 1.0) - top.max(y as f32)).max(0.0);
                let mut x = left.floor() as usize;
                while (x as f32) < right && x < w {
                    let wx = (right.min(x as f32 + 1.0) - left.max(x as f32)).max(0.0);
                    sum += wx * wy * ink[(y0 + y) * width + x0 + x];
                    x += 1;
                }
                y += 1;
            }
            out[oy * out_w + ox] = sum / (sx * sy);
        }
    }
    out
}

/// Value of `image` at continuous position (x, y) (pixel centres at whole numbers), 0 outside.
fn bilinear(image: &[f32], w: usize, h: usize, x: f32, y: f32) -> f32 {
    let (xf, yf) = (x.floor(), y.floor());
    let (tx, ty) = (x - xf, y - yf);
    // Whole-pixel positions as integers once: a float-to-integer cast per read was an eighth of the
    // preprocessing's time.
    let (xi, yi) = (xf as isize, yf as isize);
    let at = |dx: isize, dy: isize| -> f32 {
        let (x, y) = (xi + dx, yi + dy);
        if x < 0 || y < 0 || x >= w as isize || y >= h as isize {
            0.0
        } else {
            image[y as usize * w + x as usize]
        }
    };
    let top = at(0, 0) * (1.0 - tx) + at(1, 0) * tx;
    let bottom = at(0, 1) * (1.0 - tx) + at(1, 1) * tx;
    top * (1.0 - ty) + bottom * ty
}
