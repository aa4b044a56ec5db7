//! Data augmentation: each training image is redrawn a little differently every time it is used —
//! moved, scaled, turned, its strokes made thicker or thinner, and half of the 1s given a flag — so
//! the network learns digits the way people draw them rather than MNIST's exact pixels. It is
//! computed per example while a batch is gathered (no stored copies of the data set) from the
//! trainer's seeded RNG, so a run stays reproducible.
//!
//! Three steps, on a 28×28 image `v` with values in [0, 1]:
//!
//! 0. For a 1 that drew one, a flag: a straight stroke from the top of the digit down to the left,
//!    20–50 % of the digit's height long and 25–65° below the horizontal, as wide as the 1's own
//!    stroke, anti-aliased (each pixel takes the larger of its value and the stroke's coverage).
//!    MNIST's writers (American census staff and students) wrote their 1s as one stroke; many
//!    people, most of Europe, write the flag, and without it in training a flagged 1 is read as a 7
//!    (the README's handwriting benchmark). Flags flatter than 25° are left out: a short, flat
//!    stroke at the top is a 7's bar.
//! 1. Stroke thickness, a blend towards a grey-scale dilation or erosion with a plus-shaped
//!    structuring element (the pixel and its four neighbours):
//!    `v + t·(max₅(v) − v)` for `t > 0` (thicker), `v + t·(v − min₅(v))` for `t < 0` (thinner).
//! 2. A similarity transform about the image centre `c = (14, 14)` — scale `k`, rotation `θ`
//!    (clockwise on the screen, as y points down), shift `s` — resampled bilinearly: output position
//!    `p` takes the value at `c + R(−θ)·(p − c − s)/k`, 0 outside the image.
//!
//! Blends, coverage maxima and bilinear interpolation stay in [0, 1]; the identity parameters give
//! back the image exactly.
//!
//! Tried and left out (README, "Reading real handwriting"): elastic distortion (a smooth random
//! displacement of every pixel, Simard et al. 2003) and stronger slant and width changes; both made
//! the pretrained ConvNet read fewer of the stroke-drawn digits.

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
    /// A flag drawn onto a 1 before the other changes (step 0 above); `None` for none.
    pub flag: Option<Flag>,
}

/// A 1's flag: a straight stroke from the top of the digit down to the left.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Flag {
    /// Length as a share of the digit's height.
    pub length: f32,
    /// Angle below the horizontal, in radians.
    pub angle: f32,
}

impl Flag {
    /// Shortest and longest flag, as shares of the digit's height.
    pub const LENGTH: [f32; 2] = [0.2, 0.5];
    /// Flattest and steepest flag, in degrees below the horizontal.
    pub const ANGLE_DEGREES: [f32; 2] = [25.0, 65.0];

    /// A random flag within [`Flag::LENGTH`] and [`Flag::ANGLE_DEGREES`]: two draws from `rng`.
    pub fn sample(rng: &mut impl Rng) -> Flag {
        let [short, long] = Flag::LENGTH;
        let [flat, steep] = Flag::ANGLE_DEGREES;
        let length = short + (long - short) * rng.random::<f32>();
        let angle = (flat + (steep - flat) * rng.random::<f32>()).to_radians();
        Flag { length, angle }
    }
}

impl AugmentParams {
    /// No change at all.
    pub const IDENTITY: AugmentParams = AugmentParams { shift: [0.0, 0.0], scale: 1.0, rotation: 0.0, thickness: 0.0, flag: None };
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
    /// Share of the training set's 1s given a flag (step 0). Defaults to a half: measured on the
    /// pretrained ConvNet's recipe (README), with it the stroke-drawn flagged and European 1s were
    /// all read right, and the 1s without a flag too.
    pub flagged_ones: f32,
}

impl Default for AugmentRanges {
    fn default() -> Self {
        AugmentRanges { max_shift: 2.0, max_scale: 0.12, max_rotation_degrees: 12.0, thickness: [-0.5, 1.0], flagged_ones: 0.5 }
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
            flagged_ones: self.flagged_ones * factor,
        }
    }

    /// Random parameters for a training example of digit `label`: [`AugmentRanges::sample`], then
    /// for a 1 one more draw, and two more if it gets a flag ([`AugmentRanges::flagged_ones`]).
    pub fn sample_for(&self, label: u8, rng: &mut impl Rng) -> AugmentParams {
        let mut params = self.sample(rng);
        if label == 1 && self.flagged_ones > 0.0 && rng.random::<f32>() < self.flagged_ones {
            params.flag = Some(Flag::sample(rng));
        }
        params
    }

    /// Random parameters within the ranges, without a flag (a drawing's own style is kept, as
    /// when a lesson varies the copies of your digits): five draws from `rng`, always in the same
    /// order.
    pub fn sample(&self, rng: &mut impl Rng) -> AugmentParams {
        let shift = [symmetric(rng, self.max_shift), symmetric(rng, self.max_shift)];
        let scale = 1.0 + symmetric(rng, self.max_scale);
        let rotation = symmetric(rng, self.max_rotation_degrees).to_radians();
        let [thin, thick] = self.thickness;
        let thickness = thin + (thick - thin) * rng.random::<f32>();
        AugmentParams { shift, scale, rotation, thickness, flag: None }
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
        if let Some(flag) = params.flag {
            ink = draw_flag(&mut self.source, flag, ink);
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

/// Draws `flag` into the padded `source` (step 0) and returns the ink's bounds with it. The flag
/// starts at the top of the ink — the ink-weighted centre of its top two rows, half a stroke down —
/// and is as wide as the digit's stroke: the ink's mass over its height, as a 1 is one stroke
/// about as long as the digit is high.
fn draw_flag(source: &mut [f32], flag: Flag, ink: Bounds) -> Bounds {
    let at = |x: usize, y: usize| (y + 1) * PADDED + x + 1;
    let (mut mass, mut top_mass, mut top_x) = (0.0f32, 0.0f32, 0.0f32);
    for y in ink.y0..=ink.y1 {
        for x in ink.x0..=ink.x1 {
            let v = source[at(x, y)];
            mass += v;
            if y <= ink.y0 + 1 {
                top_mass += v;
                top_x += v * (x as f32 + 0.5);
            }
        }
    }
    let height = (ink.y1 - ink.y0 + 1) as f32;
    let radius = (mass / height / 2.0).clamp(0.75, 2.0);
    let start = [top_x / top_mass, ink.y0 as f32 + radius];
    let length = flag.length * height;
    let (sin, cos) = crate::angle::sin_cos(flag.angle);
    let along = [-length * cos, length * sin];
    let end = [start[0] + along[0], start[1] + along[1]];
    // Pixels whose centres can be within radius + ½ of the segment, within the image.
    let reach = radius + 1.0;
    let last = (IMAGE_SIDE - 1) as f32;
    let span = |a: f32, b: f32| {
        let lo = (a.min(b) - reach).floor().clamp(0.0, last) as usize;
        let hi = (a.max(b) + reach).ceil().clamp(0.0, last) as usize;
        lo..=hi
    };
    let length_squared = along[0] * along[0] + along[1] * along[1];
    let mut bounds = ink;
    for y in span(start[1], end[1]) {
        for x in span(start[0], end[0]) {
            // Distance from the pixel's centre to the nearest point of the segment.
            let (px, py) = (x as f32 + 0.5 - start[0], y as f32 + 0.5 - start[1]);
            let t = ((px * along[0] + py * along[1]) / length_squared).clamp(0.0, 1.0);
            let distance = (px - t * along[0]).hypot(py - t * along[1]);
            let coverage = (radius + 0.5 - distance).clamp(0.0, 1.0);
            if coverage > 0.0 {
                let i = at(x, y);
                source[i] = source[i].max(coverage);
                bounds.include(x, x, y);
            }
        }
    }
    bounds
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
    let (sin, cos) = crate::angle::sin_cos(params.rotation);
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
