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
    // The 2-D transform separates into 1-D ones: first each column, then each row. In a column the
    // targets are all at height 0, so its transform is just the distance to the nearest target above
    // or below: one sweep down and one up (no parabolas; row by row, along memory).
    let n = width * height;
    let mut column = vec![u32::MAX; n];
    for i in 0..n {
        column[i] = if target[i] { 0 } else if i >= width { column[i - width].saturating_add(1) } else { u32::MAX };
    }
    for i in (0..n.saturating_sub(width)).rev() {
        column[i] = column[i].min(column[i + width].saturating_add(1));
    }
    let mut grid = vec![FAR; n];
    let mut envelope = Vec::with_capacity(width);
    let row = width.max(1); // chunks() refuses 0; a grid 0 wide has no rows anyway
    for (out, column) in grid.chunks_mut(row).zip(column.chunks(row)) {
        distance_1d(column, out, &mut envelope);
    }
    grid
}

/// `(q − root)² + g²` as a function of q, where g is the distance from the root to its nearest
/// target in its column, and the q from which it is the lowest of a lower envelope, as the fraction
/// `start_numerator / start_denominator` (whole numbers, so exact).
#[derive(Debug, Clone, Copy)]
struct Parabola {
    root: i64,
    /// g² + root²: then (q − root)² + g² = q² − 2·q·root + height.
    height: i64,
    start_numerator: i64,
    start_denominator: i64,
}

/// The 1-D squared distance transform along a row, `d(q) = min_p (q − p)² + column(p)²`, where
/// `column(p)` is the distance from p to the nearest target in its column (`u32::MAX`: none): the
/// lower envelope of the parabolas rooted at each p. `FAR` everywhere if no column has a target.
/// `envelope` is scratch.
fn distance_1d(column: &[u32], d: &mut [f64], envelope: &mut Vec<Parabola>) {
    envelope.clear();
    for (q, &g) in (0i64..).zip(column) {
        if g == u32::MAX {
            continue;
        }
        let height = (g as i64).pow(2) + q * q;
        // Parabola q is below the envelope's last one from where they cross on; if that is no later
        // than where the last one became the lowest, the last one is nowhere the lowest. (The first
        // parabola's start is never read.)
        let (mut start_numerator, mut start_denominator) = (0, 1);
        while let Some(last) = envelope.last() {
            let (numerator, denominator) = (height - last.height, 2 * (q - last.root));
            if envelope.len() > 1 && numerator * last.start_denominator <= last.start_numerator * denominator {
                envelope.pop();
            } else {
                (start_numerator, start_denominator) = (numerator, denominator);
                break;
            }
        }
        envelope.push(Parabola { root: q, height, start_numerator, start_denominator });
    }
    if envelope.is_empty() {
        d.fill(FAR);
        return;
    }
    // Each parabola is the lowest up to and including the last q before the next one's start.
    let mut q = 0;
    for (k, parabola) in envelope.iter().enumerate() {
        let end = match envelope.get(k + 1) {
            Some(next) => next.start_numerator.div_euclid(next.start_denominator) + 1,
            None => d.len() as i64,
        };
        let end = end.clamp(q as i64, d.len() as i64) as usize;
        for (x, out) in (q as i64..).zip(&mut d[q..end]) {
            *out = (x * x - 2 * x * parabola.root + parabola.height) as f64;
        }
        q = end;
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
            // On the ridge: no pixel of the 3×3 block around it (within the grid) is higher.
            let (rows, columns) = (y.saturating_sub(1)..(y + 2).min(height), x.saturating_sub(1)..(x + 2).min(width));
            if rows.flat_map(|ny| columns.clone().map(move |nx| ny * width + nx)).all(|n| inside[n] <= v) {
                ridge.push(v);
            }
        }
    }
    if ridge.is_empty() {
        return None;
    }
    let middle = ridge.len() / 2;
    Some(2.0 * kth_smallest(&mut ridge, middle) - 0.5)
}

/// The `k`-th smallest of `values` (from 0), reordering them: quickselect with a three-way partition
/// around the middle value, so runs of equal distances (common here) end it at once. What
/// `select_nth_unstable_by` does, in a tenth of the WebAssembly: the standard one, with its
/// median-of-medians fallback, was 3 KB of the file. `values` must hold more than `k` values.
fn kth_smallest(values: &mut [f32], k: usize) -> f32 {
    use std::cmp::Ordering::{Equal, Greater, Less};
    let (mut low, mut high) = (0, values.len()); // the answer is among values[low..high]
    loop {
        let pivot = values[low + (high - low) / 2];
        // values[low..less] < pivot, values[less..i] == pivot, values[greater..high] > pivot.
        let (mut less, mut i, mut greater) = (low, low, high);
        while i < greater {
            match values[i].total_cmp(&pivot) {
                Less => {
                    values.swap(less, i);
                    less += 1;
                    i += 1;
                }
                Greater => {
                    greater -= 1;
                    values.swap(i, greater);
                }
                Equal => i += 1,
            }
        }
        match k {
            k if k < less => high = less,
            k if k >= greater => low = greater,
            _ => return pivot,
        }
    }
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

#[cfg(test)]
mod tests {
    use super::kth_smallest;
    use rand::{RngExt, SeedableRng};
    use rand_pcg::Pcg64Mcg;

    /// Every rank of lists with many ties, few ties, one value, against a sorted copy.
    #[test]
    fn kth_smallest_agrees_with_sorting() {
        let mut rng = Pcg64Mcg::seed_from_u64(3);
        for (len, levels) in [(1, 1), (2, 2), (7, 2), (31, 4), (64, 1000), (200, 6)] {
            let values: Vec<f32> = (0..len).map(|_| rng.random_range(0..levels) as f32 * 0.5).collect();
            let mut sorted = values.clone();
            sorted.sort_by(f32::total_cmp);
            for (k, want) in sorted.iter().enumerate() {
                let mut scratch = values.clone();
                assert_eq!(kth_smallest(&mut scratch, k), *want, "rank {k} of {values:?}");
            }
        }
    }
}
