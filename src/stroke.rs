//! Stroke width: measuring how wide a drawing's strokes are, and redrawing them at another width.
//!
//! A drawing pad's pen has one width in screen pixels, so once a digit is scaled to MNIST's 20-pixel
//! box a small digit has bold strokes and a large one thin strokes — unlike MNIST, whose digits were
//! written at one size and then scaled. Preprocessing therefore redraws the strokes at MNIST's usual
//! width (see [`crate::preprocess`]).
//!
//! Both steps use the Euclidean distance transform of the ink's mask (ink ≥ half the darkest ink):
//! `inside(p)` is the distance from a pixel of ink to the nearest pixel without, `outside(p)` the
//! distance from a pixel without ink to the nearest with (pixel centres; exact, by the two-pass
//! lower-envelope algorithm of Felzenszwalb and Huttenlocher, "Distance Transforms of Sampled
//! Functions", 2012).
//!
//! - Width: along the middle of a stroke `inside` peaks at about half the width. The width is taken
//!   as `2·m − ½` where `m` is the median of `inside` over its ridge (the pixels where it is a local
//!   maximum): junctions and blobs shift the median little.
//! - Redrawing: the signed distance to the mask's edge, `s = −(inside − ½)` in the ink and
//!   `outside − ½` beyond it, moved by `d`, gives the new ink with a one-pixel soft edge:
//!   `clamp(½ + d − s, 0, 1)` — as if every stroke had been drawn with a pen `2d` wider.

/// Larger than any squared distance on a grid the preprocessing makes; "no such pixel".
const FAR: f64 = 1e20;

/// Squared Euclidean distance from every pixel to the nearest pixel where `target` is true
/// (`FAR` or more if there is none). Row by row, `width × height`.
pub fn squared_distance_to(target: &[bool], width: usize, height: usize) -> Vec<f64> {
    assert_eq!(target.len(), width * height, "one flag per pixel");
    let mut grid: Vec<f64> = target.iter().map(|&t| if t { 0.0 } else { FAR }).collect();
    let n = width.max(height);
    let (mut f, mut d, mut v, mut z) = (vec![0.0; n], vec![0.0; n], vec![0usize; n], vec![0.0; n + 1]);
    // Columns, then rows: the 2-D transform separates into 1-D ones.
    for x in 0..width {
        for y in 0..height {
            f[y] = grid[y * width + x];
        }
        distance_1d(&f[..height], &mut d[..height], &mut v, &mut z);
        for y in 0..height {
            grid[y * width + x] = d[y];
        }
    }
    for y in 0..height {
        let row = &mut grid[y * width..(y + 1) * width];
        f[..width].copy_from_slice(row);
        distance_1d(&f[..width], row, &mut v, &mut z);
    }
    grid
}

/// The 1-D squared distance transform `d(q) = min_p (q − p)² + f(p)`: the lower envelope of the
/// parabolas rooted at each `p`. `v` and `z` are scratch (at least n and n + 1 long).
fn distance_1d(f: &[f64], d: &mut [f64], v: &mut [usize], z: &mut [f64]) {
    let n = f.len();
    if n == 0 {
        return;
    }
    let mut k = 0usize;
    v[0] = 0;
    z[0] = f64::NEG_INFINITY;
    z[1] = f64::INFINITY;
    for q in 1..n {
        let intersection = |p: usize| ((f[q] + (q * q) as f64) - (f[p] + (p * p) as f64)) / (2.0 * (q - p) as f64);
        let mut s = intersection(v[k]);
        // z[0] = −∞ ends the loop: intersections are finite, as FAR is.
        while s <= z[k] {
            k -= 1;
            s = intersection(v[k]);
        }
        k += 1;
        v[k] = q;
        z[k] = s;
        z[k + 1] = f64::INFINITY;
    }
    let mut k = 0usize;
    for (q, out) in d.iter_mut().enumerate() {
        while z[k + 1] < q as f64 {
            k += 1;
        }
        let p = v[k];
        *out = ((q as f64 - p as f64).powi(2)) + f[p];
    }
}

/// Which pixels count as ink: at least half the darkest ink. `None` if there is no ink at all.
pub fn ink_mask(ink: &[f32]) -> Option<Vec<bool>> {
    let darkest = ink.iter().copied().fold(0.0f32, f32::max);
    (darkest > 0.0).then(|| ink.iter().map(|&v| v >= 0.5 * darkest).collect())
}

/// Distance (not squared) from each ink pixel to the nearest pixel without ink; 0 outside the ink.
fn inside_distances(mask: &[bool], width: usize, height: usize) -> Vec<f32> {
    let background: Vec<bool> = mask.iter().map(|&m| !m).collect();
    let to_background = squared_distance_to(&background, width, height);
    // Beyond the grid counts as background: the distance to the border is a bound too.
    to_background
        .iter()
        .enumerate()
        .map(|(i, &sq)| {
            if !mask[i] {
                return 0.0;
            }
            let (x, y) = (i % width, i / width);
            let border = (x + 1).min(width - x).min(y + 1).min(height - y) as f64;
            sq.sqrt().min(border) as f32
        })
        .collect()
}

/// The typical width of the strokes in `ink` (`width × height`, values in [0, 1]), in pixels.
/// `None` without ink.
pub fn stroke_width(ink: &[f32], width: usize, height: usize) -> Option<f32> {
    let mask = ink_mask(ink)?;
    let inside = inside_distances(&mask, width, height);
    stroke_width_from(&inside, width, height)
}

fn stroke_width_from(inside: &[f32], width: usize, height: usize) -> Option<f32> {
    let mut ridge = Vec::new();
    for y in 0..height {
        for x in 0..width {
            let v = inside[y * width + x];
            if v <= 0.0 {
                continue;
            }
            let mut highest = true;
            for (dx, dy) in [(-1i64, -1i64), (0, -1), (1, -1), (-1, 0), (1, 0), (-1, 1), (0, 1), (1, 1)] {
                let (nx, ny) = (x as i64 + dx, y as i64 + dy);
                if nx >= 0 && ny >= 0 && (nx as usize) < width && (ny as usize) < height {
                    highest &= inside[ny as usize * width + nx as usize] <= v;
                }
            }
            if highest {
                ridge.push(v);
            }
        }
    }
    if ridge.is_empty() {
        return None;
    }
    let middle = ridge.len() / 2;
    let (_, median, _) = ridge.select_nth_unstable_by(middle, |a, b| a.total_cmp(b));
    Some(2.0 * *median - 0.5)
}

/// Redraws the strokes of `ink` (`width × height`) as if with a pen `2·grow` pixels wider (narrower
/// for a negative `grow`), with a one-pixel soft edge. Returns the new ink and the width measured
/// before, or `None` without ink.
pub fn restroke(ink: &[f32], width: usize, height: usize, grow: impl FnOnce(f32) -> f32) -> Option<(Vec<f32>, f32)> {
    let mask = ink_mask(ink)?;
    let inside = inside_distances(&mask, width, height);
    let measured = stroke_width_from(&inside, width, height)?;
    let d = grow(measured);
    let outside = if d > 0.0 { Some(squared_distance_to(&mask, width, height)) } else { None };
    let redrawn = (0..width * height)
        .map(|i| {
            let signed = if mask[i] {
                -(inside[i] - 0.5)
            } else {
                outside.as_ref().map_or(f32::INFINITY, |o| o[i].sqrt() as f32) - 0.5
            };
            (0.5 + d - signed).clamp(0.0, 1.0)
        })
        .collect();
    Some((redrawn, measured))
}
