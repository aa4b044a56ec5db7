//! Data augmentation: each training image is redrawn a little differently every time it is used —
//! moved, scaled, turned, its strokes made thicker or thinner — so the network learns digits the way
//! people draw them rather than MNIST's exact pixels. It is computed per example while a batch is
//! gathered (no stored copies of the data set) from the trainer's seeded RNG, so a run stays
//! reproducible.
//!
//! Two steps, on a 28×28 image `v` with values in [0, 1]:
//!
//! 1. Stroke thickness, a blend towards a grey-scale dilation or erosion with a plus-shaped
//!    structuring element (the pixel and its four neighbours):
//!    `v + t·(max₅(v) − v)` for `t > 0` (thicker), `v + t·(v − min₅(v))` for `t < 0` (thinner).
//! 2. A similarity transform about the image centre `c = (14, 14)` — scale `k`, rotation `θ`
//!    (clockwise on the screen, as y points down), shift `s` — resampled bilinearly: output position
//!    `p` takes the value at `c + R(−θ)·(p − c − s)/k`, 0 outside the image.
//!
//! Blends and bilinear interpolation are convex combinations, so values stay in [0, 1]; the identity
//! parameters give back the image exactly.

use crate::mnist::{IMAGE_PIXELS, IMAGE_SIDE};
use rand::{Rng, RngExt};

/// Side of the working buffers: the image with a border of zeros, so that neighbours and bilinear
/// samples next to the edge read 0 without a bounds check per pixel.
const PADDED: usize = IMAGE_SIDE + 2;

/// One example's changes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AugmentParams {
    /// Movement in pixels: x to the right, y down.
    pub shift: [f32; 2],
    /// Size factor about the centre (1 = unchanged).
    pub scale: f32,
    /// Rotation about the centre in radians, clockwise on the screen.
    pub rotation: f32,
    /// Stroke thickness change in [−1, 1]: 1 is a full dilation, −1 a full erosion, 0 no change.
    pub thickness: f32,
}

impl AugmentParams {
    /// No change at all.
    pub const IDENTITY: AugmentParams = AugmentParams { shift: [0.0, 0.0], scale: 1.0, rotation: 0.0, thickness: 0.0 };
}

impl Default for AugmentParams {
    fn default() -> Self {
        AugmentParams::IDENTITY
    }
}

/// How far the random changes go; each parameter is drawn uniformly from its range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AugmentRanges {
    /// Largest shift per axis, in pixels. Defaults to 2 (RECIPES.md: ±2 px shifts with 256 hidden
    /// units reached 98.25–98.31 %).
    pub max_shift: f32,
    /// Largest relative size change: the scale is drawn from [1 − s, 1 + s]. Defaults to 0.12.
    pub max_scale: f32,
    /// Largest rotation either way, in degrees. Defaults to 12.
    pub max_rotation_degrees: f32,
    /// Smallest and largest thickness change. Defaults to [−0.5, 1]: a full erosion would wipe out
    /// MNIST's thinnest strokes (1–2 px), a full dilation only makes a bold pen.
    pub thickness: [f32; 2],
}

impl Default for AugmentRanges {
    fn default() -> Self {
        AugmentRanges { max_shift: 2.0, max_scale: 0.12, max_rotation_degrees: 12.0, thickness: [-0.5, 1.0] }
    }
}

impl AugmentRanges {
    /// Random parameters within the ranges: five draws from `rng`, always in the same order.
    pub fn sample(&self, rng: &mut impl Rng) -> AugmentParams {
        let shift = [symmetric(rng, self.max_shift), symmetric(rng, self.max_shift)];
        let scale = 1.0 + symmetric(rng, self.max_scale);
        let rotation = symmetric(rng, self.max_rotation_degrees).to_radians();
        let [thin, thick] = self.thickness;
        let thickness = thin + (thick - thin) * rng.random::<f32>();
        AugmentParams { shift, scale, rotation, thickness }
    }
}

/// Uniform in [−r, r].
fn symmetric(rng: &mut impl Rng, r: f32) -> f32 {
    r * (2.0 * rng.random::<f32>() - 1.0)
}

/// Working buffers for augmenting one image at a time; allocated once, so the training loop
/// allocates nothing per example.
#[derive(Debug, Clone)]
pub struct Augmenter {
    /// The source image in [0, 1] with a zero border.
    source: Vec<f32>,
    /// After the thickness change, with a zero border.
    thick: Vec<f32>,
    /// The result in [0, 1].
    pixels: Vec<f32>,
    /// The result as bytes, like MNIST's.
    bytes: Vec<u8>,
}

impl Default for Augmenter {
    fn default() -> Self {
        Augmenter {
            source: vec![0.0; PADDED * PADDED],
            thick: vec![0.0; PADDED * PADDED],
            pixels: vec![0.0; IMAGE_PIXELS],
            bytes: vec![0; IMAGE_PIXELS],
        }
    }
}

impl Augmenter {
    pub fn new() -> Self {
        Self::default()
    }

    /// The changed image as 784 values in [0, 1], row by row.
    ///
    /// Panics if `image` is not 28×28 = 784 bytes (the data set's images always are).
    pub fn apply(&mut self, image: &[u8], params: &AugmentParams) -> &[f32] {
        assert_eq!(image.len(), IMAGE_PIXELS, "a 28×28 image");
        for (y, row) in image.chunks_exact(IMAGE_SIDE).enumerate() {
            let padded = &mut self.source[(y + 1) * PADDED + 1..(y + 1) * PADDED + 1 + IMAGE_SIDE];
            for (d, &b) in padded.iter_mut().zip(row) {
                *d = b as f32 / 255.0; // as InputBatch::push_bytes scales
            }
        }
        let t = params.thickness.clamp(-1.0, 1.0);
        let image = if t == 0.0 {
            &self.source
        } else {
            change_thickness(&self.source, &mut self.thick, t);
            &self.thick
        };
        transform(image, params, &mut self.pixels);
        &self.pixels
    }

    /// [`Augmenter::apply`] with the result as bytes (0–255, rounded), MNIST's own form: the
    /// trainer's batch gathering takes bytes.
    pub fn apply_bytes(&mut self, image: &[u8], params: &AugmentParams) -> &[u8] {
        self.apply(image, params);
        for (b, &v) in self.bytes.iter_mut().zip(&self.pixels) {
            // v is in [0, 1], so the cast cannot saturate; +0.5 rounds to nearest.
            *b = (v * 255.0 + 0.5) as u8;
        }
        &self.bytes
    }
}

/// Blends each pixel towards the largest (t > 0) or smallest (t < 0) value of its plus-shaped
/// neighbourhood. Both buffers are padded; the border of `out` stays 0.
fn change_thickness(source: &[f32], out: &mut [f32], t: f32) {
    for y in 1..=IMAGE_SIDE {
        for x in 1..=IMAGE_SIDE {
            let i = y * PADDED + x;
            let v = source[i];
            let (left, right, up, down) = (source[i - 1], source[i + 1], source[i - PADDED], source[i + PADDED]);
            out[i] = if t > 0.0 {
                let max = v.max(left).max(right).max(up).max(down);
                v + t * (max - v)
            } else {
                let min = v.min(left).min(right).min(up).min(down);
                v + t * (v - min)
            };
        }
    }
}

/// Resamples the padded `image` under the similarity transform of `params` into `out` (28×28).
fn transform(image: &[f32], params: &AugmentParams, out: &mut [f32]) {
    let centre = IMAGE_SIDE as f32 / 2.0;
    let (sin, cos) = params.rotation.sin_cos();
    let k = 1.0 / params.scale;
    // The inverse map q = c + R(−θ)·(p − c − s)/k as q = A·p + b, with R(−θ) = [[cos, sin], [−sin, cos]].
    let (a00, a01, a10, a11) = (cos * k, sin * k, -sin * k, cos * k);
    let (px0, py0) = (-centre - params.shift[0], -centre - params.shift[1]);
    for y in 0..IMAGE_SIDE {
        // Output pixel (x, y) is centred at p = (x + ½, y + ½). Source pixel i covers [i, i + 1), so the
        // sample at q lies at q − ½ in pixel-centre coordinates, which is q + ½ in the padded buffer.
        let py = y as f32 + 0.5 + py0;
        let mut u = a00 * (0.5 + px0) + a01 * py + centre + 0.5;
        let mut v = a10 * (0.5 + px0) + a11 * py + centre + 0.5;
        for x in 0..IMAGE_SIDE {
            out[y * IMAGE_SIDE + x] = bilinear(image, u, v);
            u += a00;
            v += a10;
        }
    }
}

/// Bilinear sample of a padded image at (u, v) in padded pixel coordinates; 0 beyond the border.
#[inline]
fn bilinear(image: &[f32], u: f32, v: f32) -> f32 {
    // In [0, 29): the four neighbours are inside the padded buffer, and beyond the image's own
    // pixels they are the zero border.
    if !(u >= 0.0 && v >= 0.0 && u < (PADDED - 1) as f32 && v < (PADDED - 1) as f32) {
        return 0.0;
    }
    let (x, y) = (u as usize, v as usize); // floor, as both are non-negative
    let (tx, ty) = (u - x as f32, v - y as f32);
    let i = y * PADDED + x;
    let top = image[i] + tx * (image[i + 1] - image[i]);
    let bottom = image[i + PADDED] + tx * (image[i + PADDED + 1] - image[i + PADDED]);
    (top + ty * (bottom - top)).clamp(0.0, 1.0)
}
