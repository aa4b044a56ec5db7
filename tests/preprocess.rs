//! Drawing preprocessing: a digit drawn anywhere on the pad, small or large, becomes nearly the same
//! MNIST-style 28×28 image — scaled to fit 20×20, centre of mass at the centre. The digits are drawn
//! here with thick anti-aliased strokes; also checked are the empty pad, wrong buffer sizes, and the
//! RGBA path (black on transparent and black on white give the same image).
#![cfg(not(target_arch = "wasm32"))] // native only: the browser tests are in tests/web.rs

use inkling::preprocess::{ink_from_rgba, prepare, prepare_rgba, Prepared, BOX_SIDE, INK_THRESHOLD};
use inkling::Error;

const SIDE: usize = 280;

/// Strokes of a digit as line segments in a unit box (x right, y down), drawn with a pen of
/// `PEN` × the box's height.
const SEVEN: &[[f32; 4]] = &[[0.15, 0.1, 0.85, 0.1], [0.85, 0.1, 0.4, 0.95]];
const FOUR: &[[f32; 4]] = &[[0.6, 0.05, 0.1, 0.65], [0.1, 0.65, 0.9, 0.65], [0.65, 0.3, 0.65, 0.95]];
const PEN: f32 = 0.12;

/// Distance from (px, py) to the segment (ax, ay)–(bx, by).
fn distance_to_segment(px: f32, py: f32, [ax, ay, bx, by]: [f32; 4]) -> f32 {
    let (dx, dy) = (bx - ax, by - ay);
    let t = (((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)).clamp(0.0, 1.0);
    let (cx, cy) = (ax + t * dx, ay + t * dy);
    ((px - cx).powi(2) + (py - cy).powi(2)).sqrt()
}

/// Ink of a 280×280 pad with `strokes` drawn in the `size`-pixel box whose top-left corner is at
/// (`x0`, `y0`). A pixel's ink is the pen's coverage of it, approximated by a one-pixel linear ramp
/// across the stroke's edge (the usual anti-aliasing of a canvas).
fn draw(strokes: &[[f32; 4]], x0: f32, y0: f32, size: f32) -> Vec<f32> {
    let radius = PEN * size / 2.0;
    let mut ink = vec![0.0f32; SIDE * SIDE];
    for y in 0..SIDE {
        for x in 0..SIDE {
            let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
            let d = strokes
                .iter()
                .map(|&[ax, ay, bx, by]| {
                    distance_to_segment(px, py, [x0 + ax * size, y0 + ay * size, x0 + bx * size, y0 + by * size])
                })
                .fold(f32::INFINITY, f32::min);
            ink[y * SIDE + x] = (radius + 0.5 - d).clamp(0.0, 1.0);
        }
    }
    ink
}

fn prepared(ink: &[f32]) -> Prepared {
    prepare(ink, SIDE, SIDE).unwrap().expect("a digit")
}

fn mean_abs_difference(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(a, b)| (a - b).abs()).sum::<f32>() / a.len() as f32
}

fn cosine_similarity(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(a, b)| a * b).sum();
    let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
    dot / (norm(a) * norm(b))
}

/// Centre of mass in continuous coordinates: pixel (x, y) covers [x, x+1) × [y, y+1), so the centre of
/// the 28×28 field is (14, 14).
fn centre_of_mass(pixels: &[f32]) -> (f32, f32) {
    let (mut mass, mut mx, mut my) = (0.0, 0.0, 0.0);
    for (i, &v) in pixels.iter().enumerate() {
        mass += v;
        mx += v * ((i % 28) as f32 + 0.5);
        my += v * ((i / 28) as f32 + 0.5);
    }
    (mx / mass, my / mass)
}

/// The same digit drawn at a normal size in the middle, and moved or rescaled, must prepare to nearly
/// the same image: mean absolute difference below MAX_MEAN_DIFFERENCE (pixels in [0, 1]) and cosine
/// similarity above MIN_COSINE. Measured: a difference of at most 0.0041 and a cosine of at least
/// 0.9994 (moves alone: 0 and 1). The 7 and the 4 (checked below) are 0.17 and 0.36 apart, so the
/// tolerances separate "the same digit" from "another digit" by a wide margin both ways.
const MAX_MEAN_DIFFERENCE: f32 = 0.02;
const MIN_COSINE: f32 = 0.98;

#[test]
fn position_and_size_do_not_matter() {
    for (name, digit) in [("7", SEVEN), ("4", FOUR)] {
        let reference = prepared(&draw(digit, 80.0, 80.0, 120.0)).pixels;
        let variants = [
            ("top-left corner", draw(digit, 2.0, 3.0, 120.0)),
            ("bottom-right corner", draw(digit, 155.0, 156.0, 120.0)),
            ("half size, in a corner", draw(digit, 210.0, 8.0, 60.0)),
            ("double size", draw(digit, 18.0, 22.0, 240.0)),
            ("slightly off-centre", draw(digit, 83.3, 76.6, 120.0)),
        ];
        for (what, ink) in variants {
            let pixels = prepared(&ink).pixels;
            let (diff, cosine) = (mean_abs_difference(&reference, &pixels), cosine_similarity(&reference, &pixels));
            assert!(
                diff < MAX_MEAN_DIFFERENCE && cosine > MIN_COSINE,
                "{name}, {what}: mean |Δ| {diff:.4}, cosine {cosine:.4}"
            );
        }
    }
}

#[test]
fn different_digits_stay_different() {
    let seven = prepared(&draw(SEVEN, 80.0, 80.0, 120.0)).pixels;
    let four = prepared(&draw(FOUR, 80.0, 80.0, 120.0)).pixels;
    let (diff, cosine) = (mean_abs_difference(&seven, &four), cosine_similarity(&seven, &four));
    assert!(diff > 3.0 * MAX_MEAN_DIFFERENCE && cosine < MIN_COSINE - 0.2, "mean |Δ| {diff:.4}, cosine {cosine:.4}");
}

#[test]
fn mnist_geometry() {
    for digit in [SEVEN, FOUR] {
        for (x0, y0, size) in [(80.0, 80.0, 120.0), (5.0, 150.0, 60.0), (20.0, 20.0, 240.0)] {
            let ink = draw(digit, x0, y0, size);
            let p = prepared(&ink);

            // The bounding box of the ink above the threshold, found here independently.
            let inked: Vec<(usize, usize)> =
                (0..SIDE * SIDE).filter(|&i| ink[i] > INK_THRESHOLD).map(|i| (i % SIDE, i / SIDE)).collect();
            let (xmin, xmax) = (inked.iter().map(|p| p.0).min().unwrap(), inked.iter().map(|p| p.0).max().unwrap());
            let (ymin, ymax) = (inked.iter().map(|p| p.1).min().unwrap(), inked.iter().map(|p| p.1).max().unwrap());
            assert_eq!(p.bounds, [xmin, ymin, xmax - xmin + 1, ymax - ymin + 1]);

            // Values in [0, 1], the darkest pixel at full ink.
            assert_eq!(p.pixels.len(), 784);
            assert!(p.pixels.iter().all(|&v| (0.0..=1.0).contains(&v)));
            assert_eq!(p.pixels.iter().copied().fold(0.0, f32::max), 1.0);

            // The digit fills the 20×20 box along its longer side (the height, for these digits); the
            // bilinear placement may blur one more pixel on each side.
            let rows: Vec<usize> = (0..28).filter(|&y| (0..28).any(|x| p.pixels[y * 28 + x] > 0.0)).collect();
            let cols: Vec<usize> = (0..28).filter(|&x| (0..28).any(|y| p.pixels[y * 28 + x] > 0.0)).collect();
            let (height, width) = (rows.len(), cols.len());
            assert!((BOX_SIDE as usize..=BOX_SIDE as usize + 2).contains(&height), "height {height}");
            assert!(width <= height, "width {width}, height {height}");
            // Exact centring (first moments survive bilinear shifting), up to f32 rounding.
            let (cx, cy) = centre_of_mass(&p.pixels);
            assert!((cx - 14.0).abs() < 0.05 && (cy - 14.0).abs() < 0.05, "centre of mass ({cx}, {cy})");
        }
    }
}

#[test]
fn empty_and_faint_pads_have_no_digit() {
    assert_eq!(prepare(&vec![0.0; SIDE * SIDE], SIDE, SIDE), Ok(None));
    // Ink at or below the threshold everywhere is a smudge, not a digit.
    assert_eq!(prepare(&vec![INK_THRESHOLD; SIDE * SIDE], SIDE, SIDE), Ok(None));
    assert_eq!(prepare_rgba(&vec![0; SIDE * SIDE * 4], SIDE, SIDE), Ok(None), "transparent");
    assert_eq!(prepare_rgba(&vec![255; SIDE * SIDE * 4], SIDE, SIDE), Ok(None), "opaque white");
    // A single dot is a digit (of sorts): it must not be lost or make NaNs.
    let mut dot = vec![0.0; SIDE * SIDE];
    dot[100 * SIDE + 37] = 1.0;
    let p = prepared(&dot);
    assert_eq!(p.bounds, [37, 100, 1, 1]);
    assert!(p.pixels.iter().all(|v| v.is_finite()));
}

fn assert_input_error<T: std::fmt::Debug>(result: inkling::Result<T>, needle: &str) {
    match result {
        Err(Error::Input(m)) => assert!(m.contains(needle), "{m:?} does not mention {needle:?}"),
        other => panic!("expected Error::Input, got {other:?}"),
    }
}

#[test]
fn wrong_sizes_and_values() {
    assert_input_error(prepare(&vec![0.0; SIDE * SIDE - 1], SIDE, SIDE), "78399");
    assert_input_error(prepare(&vec![0.0; SIDE * SIDE + 1], SIDE, SIDE), "pixels");
    assert_input_error(prepare(&[], 0, 0), "1 to 4096");
    assert_input_error(prepare(&vec![0.0; 5000], 5000, 1), "5000×1");
    let mut nan = draw(SEVEN, 80.0, 80.0, 120.0);
    nan[5] = f32::NAN;
    assert_input_error(prepare(&nan, SIDE, SIDE), "finite");

    assert_input_error(prepare_rgba(&vec![0; SIDE * SIDE * 3], SIDE, SIDE), "RGBA");
    assert_input_error(ink_from_rgba(&[0; 10], 2, 2), "16 bytes, got 10");
    assert_input_error(prepare_rgba(&[], 0, 5), "0×5");
}

/// The canvas as a browser gives it: black anti-aliased strokes, either on a transparent background
/// (alpha carries the ink) or on an opaque white one (the colour carries it).
fn rgba(ink: &[f32], on_white: bool) -> Vec<u8> {
    ink.iter()
        .flat_map(|&v| {
            let level = (v * 255.0).round() as u8;
            if on_white {
                let c = 255 - level;
                [c, c, c, 255]
            } else {
                [0, 0, 0, level]
            }
        })
        .collect()
}

#[test]
fn rgba_on_transparent_and_on_white_agree() {
    let ink = draw(FOUR, 60.0, 90.0, 140.0);
    let transparent = prepare_rgba(&rgba(&ink, false), SIDE, SIDE).unwrap().unwrap();
    let white = prepare_rgba(&rgba(&ink, true), SIDE, SIDE).unwrap().unwrap();
    assert_eq!(transparent.bounds, white.bounds);
    let worst = transparent.pixels.iter().zip(&white.pixels).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
    // Both carry the same 8-bit ink level; only f32 rounding of the luminance weights differs.
    assert!(worst < 1e-4, "largest difference {worst}");

    // And both match the float ink they were made from, up to 8-bit quantisation.
    let direct = prepared(&ink);
    assert!(mean_abs_difference(&direct.pixels, &white.pixels) < 2e-3);

    // The ink of single pixels: black opaque, white opaque, transparent, half-transparent black,
    // mid grey (luminance 0.5 → ink 0.5).
    let pixels = [0, 0, 0, 255, 255, 255, 255, 255, 9, 200, 30, 0, 0, 0, 0, 128, 128, 128, 128, 255];
    let ink = ink_from_rgba(&pixels, 5, 1).unwrap();
    for (got, want) in ink.iter().zip([1.0, 0.0, 0.0, 128.0 / 255.0, 127.0 / 255.0]) {
        assert!((got - want).abs() < 1e-5, "{ink:?}");
    }
}
