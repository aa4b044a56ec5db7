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
use crate::pixel::{pixel_byte, pixel_value};
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
    /// Largest shift per axis, in pixels. Defaults to 2 (docs/recipes.md: ±2 px shifts with 256 hidden
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
    /// Every range times `factor` (0 gives no change at all, 1 these ranges).
    pub fn scaled(&self, factor: f32) -> AugmentRanges {
        AugmentRanges {
            max_shift: self.max_shift * factor,
            max_scale: self.max_scale * factor,
            max_rotation_degrees: self.max_rotation_degrees * factor,
            thickness: self.thickness.map(|t| t * factor),
        }
    }

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
        // Only the ink's bounding box needs work (a digit fills about half the image): the steps
        // below are confined to it and to where it lands.
        let mut ink = Bounds::EMPTY;
        for (y, row) in image.chunks_exact(IMAGE_SIDE).enumerate() {
            let padded = &mut self.source[(y + 1) * PADDED + 1..(y + 1) * PADDED + 1 + IMAGE_SIDE];
            for (d, &b) in padded.iter_mut().zip(row) {
                *d = pixel_value(b);
            }
            if let (Some(first), Some(last)) = (row.iter().position(|&b| b != 0), row.iter().rposition(|&b| b != 0)) {
                ink.include(first, last, y);
            }
        }
        if ink.is_empty() {
            self.pixels.fill(0.0);
            return &self.pixels;
        }
        let t = params.thickness.clamp(-1.0, 1.0);
        let image = if t == 0.0 {
            &self.source
        } else {
            // Outside the box the previous image's values must not linger.
            self.thick.fill(0.0);
            change_thickness(&self.source, &mut self.thick, t, ink);
            if t > 0.0 {
                ink = ink.grown();
            }
            &self.thick
        };
        transform(image, params, ink, &mut self.pixels);
        &self.pixels
    }

    /// [`Augmenter::apply`] with the result as bytes (0–255, rounded), MNIST's own form: the
    /// trainer's batch gathering takes bytes.
    pub fn apply_bytes(&mut self, image: &[u8], params: &AugmentParams) -> &[u8] {
        self.apply(image, params);
        for (b, &v) in self.bytes.iter_mut().zip(&self.pixels) {
            *b = pixel_byte(v);
        }
        &self.bytes
    }
}

/// Rows and columns of an image's ink, inclusive, in image pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Bounds {
    x0: usize,
    x1: usize,
    y0: usize,
    y1: usize,
}

impl Bounds {
    const EMPTY: Bounds = Bounds { x0: usize::MAX, x1: 0, y0: usize::MAX, y1: 0 };

    fn is_empty(&self) -> bool {
        self.x0 > self.x1
    }
    fn include(&mut self, first: usize, last: usize, y: usize) {
        self.x0 = self.x0.min(first);
        self.x1 = self.x1.max(last);
        self.y0 = self.y0.min(y);
        self.y1 = self.y1.max(y);
    }
    /// One more pixel on every side, within the image.
    fn grown(&self) -> Bounds {
        let last = IMAGE_SIDE - 1;
        Bounds { x0: self.x0.saturating_sub(1), x1: (self.x1 + 1).min(last), y0: self.y0.saturating_sub(1), y1: (self.y1 + 1).min(last) }
    }
}

/// Blends each pixel towards the largest (t > 0) or smallest (t < 0) value of its plus-shaped
/// neighbourhood, within one pixel of the ink's bounds (nothing changes further out). Both buffers
/// are padded; `out` must be zero elsewhere.
fn change_thickness(source: &[f32], out: &mut [f32], t: f32, ink: Bounds) {
    let region = ink.grown();
    for y in region.y0 + 1..=region.y1 + 1 {
        for x in region.x0 + 1..=region.x1 + 1 {
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
/// Only output pixels that can receive ink from inside `ink` are sampled; the rest are 0.
fn transform(image: &[f32], params: &AugmentParams, ink: Bounds, out: &mut [f32]) {
    let centre = IMAGE_SIDE as f32 / 2.0;
    let (sin, cos) = params.rotation.sin_cos();
    let k = 1.0 / params.scale;
    // Where the ink lands: a bilinear sample reads pixel centres less than a pixel away, so ink can
    // reach from x0 − ½ to x1 + 1½ (continuous coordinates); the forward map of those corners,
    // p = c + s + k·R(θ)·(q − c), bounds the output pixels whose centres can see ink.
    let (mut lo_x, mut hi_x, mut lo_y, mut hi_y) = (f32::INFINITY, f32::NEG_INFINITY, f32::INFINITY, f32::NEG_INFINITY);
    for qx in [ink.x0 as f32 - 0.5, ink.x1 as f32 + 1.5] {
        for qy in [ink.y0 as f32 - 0.5, ink.y1 as f32 + 1.5] {
            let (dx, dy) = (qx - centre, qy - centre);
            let px = centre + params.shift[0] + params.scale * (cos * dx - sin * dy);
            let py = centre + params.shift[1] + params.scale * (sin * dx + cos * dy);
            (lo_x, hi_x, lo_y, hi_y) = (lo_x.min(px), hi_x.max(px), lo_y.min(py), hi_y.max(py));
        }
    }
    out.fill(0.0);
    let last = (IMAGE_SIDE - 1) as f32;
    // Output pixel i's centre is i + ½: pixels floor(lo − ½) … ceil(hi − ½), within the image.
    let (x0, x1) = ((lo_x - 0.5).floor().clamp(0.0, last) as usize, (hi_x - 0.5).ceil().clamp(0.0, last) as usize);
    let (y0, y1) = ((lo_y - 0.5).floor().clamp(0.0, last) as usize, (hi_y - 0.5).ceil().clamp(0.0, last) as usize);
    // The inverse map q = c + R(−θ)·(p − c − s)/k as q = A·p + b, with R(−θ) = [[cos, sin], [−sin, cos]].
    let (a00, a01, a10, a11) = (cos * k, sin * k, -sin * k, cos * k);
    let (px0, py0) = (-centre - params.shift[0], -centre - params.shift[1]);
    for y in y0..=y1 {
        // Output pixel (x, y) is centred at p = (x + ½, y + ½). Source pixel i covers [i, i + 1), so the
        // sample at q lies at q − ½ in pixel-centre coordinates, which is q + ½ in the padded buffer.
        let (px, py) = (x0 as f32 + 0.5 + px0, y as f32 + 0.5 + py0);
        let mut u = a00 * px + a01 * py + centre + 0.5;
        let mut v = a10 * px + a11 * py + centre + 0.5;
        for x in x0..=x1 {
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
