//! Stroke width: the distance transform against brute force, the width measured on strokes of known
//! width, redrawing at another width, and what it is for — a digit drawn with the pad's fixed pen,
//! small or large, prepares to strokes of MNIST's width either way.
#![cfg(not(target_arch = "wasm32"))]

use inkling::preprocess::{prepare, STROKE_WIDTH};
use inkling::stroke::{restroke, squared_distance_to, stroke_width};
use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64Mcg;

#[test]
fn distance_transform_is_exact() {
    let mut rng = Pcg64Mcg::seed_from_u64(2);
    for (width, height, density) in [(1, 1, 0.5), (7, 5, 0.1), (20, 13, 0.02), (31, 40, 0.3), (9, 9, 0.0), (16, 3, 1.0)] {
        let target: Vec<bool> = (0..width * height).map(|_| rng.random::<f64>() < density).collect();
        let got = squared_distance_to(&target, width, height);
        for (i, &d) in got.iter().enumerate() {
            let (x, y) = ((i % width) as i64, (i / width) as i64);
            let want = target
                .iter()
                .enumerate()
                .filter(|(_, &t)| t)
                .map(|(j, _)| ((j % width) as i64 - x).pow(2) + ((j / width) as i64 - y).pow(2))
                .min();
            match want {
                Some(w) => assert_eq!(d, w as f64, "{width}×{height}, pixel ({x}, {y})"),
                None => assert!(d >= 1e19, "no target pixel: 'far', got {d}"),
            }
        }
    }
}

/// A soft-edged line from (ax, ay) to (bx, by), `pen` pixels wide, on a `side` × `side` grid.
fn line(side: usize, [ax, ay, bx, by]: [f32; 4], pen: f32) -> Vec<f32> {
    let mut ink = vec![0.0; side * side];
    for y in 0..side {
        for x in 0..side {
            let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
            let (dx, dy) = (bx - ax, by - ay);
            let t = (((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)).clamp(0.0, 1.0);
            let d = ((px - ax - t * dx).powi(2) + (py - ay - t * dy).powi(2)).sqrt();
            ink[y * side + x] = (pen / 2.0 + 0.5 - d).clamp(0.0, 1.0);
        }
    }
    ink
}

/// A width is measured on the pixel grid: a stroke's mask is a whole number of pixels across and the
/// ridge's distances are to pixel centres, so it is right to within about a pixel — a sixth of a
/// final pixel on the grid preprocessing uses.
const GRID_TOLERANCE: f32 = 1.0;

#[test]
fn measures_the_width_of_strokes() {
    for pen in [3.0f32, 4.5, 7.0, 10.0, 16.0] {
        for segment in [[10.0, 60.0, 110.0, 60.0], [20.0, 15.0, 100.0, 105.0], [30.0, 110.0, 70.0, 10.0]] {
            let measured = stroke_width(&line(120, segment, pen), 120, 120).unwrap();
            assert!((measured - pen).abs() <= GRID_TOLERANCE, "pen {pen}, {segment:?}: measured {measured}");
        }
    }
    assert_eq!(stroke_width(&[0.0; 100], 10, 10), None);
}

#[test]
fn redraws_strokes_wider_and_narrower() {
    let ink = line(120, [20.0, 30.0, 100.0, 90.0], 8.0);
    for grow in [-2.5f32, -1.0, 0.0, 1.5, 4.0] {
        let (redrawn, measured) = restroke(&ink, 120, 120, |_| grow).unwrap();
        assert!((measured - 8.0).abs() <= GRID_TOLERANCE, "measured {measured}");
        let after = stroke_width(&redrawn, 120, 120).unwrap();
        assert!((after - (measured + 2.0 * grow)).abs() <= GRID_TOLERANCE, "grown by {grow}: {measured} → {after}");
        assert!(redrawn.iter().all(|v| (0.0..=1.0).contains(v)));
    }
    // Growing keeps the stroke where it was: the ink's centre does not move.
    let centre = |img: &[f32]| {
        let m: f32 = img.iter().sum();
        let cx: f32 = img.iter().enumerate().map(|(i, v)| v * (i % 120) as f32).sum::<f32>() / m;
        let cy: f32 = img.iter().enumerate().map(|(i, v)| v * (i / 120) as f32).sum::<f32>() / m;
        (cx, cy)
    };
    let (redrawn, _) = restroke(&ink, 120, 120, |_| 3.0).unwrap();
    let ((x0, y0), (x1, y1)) = (centre(&ink), centre(&redrawn));
    assert!((x0 - x1).abs() < 0.3 && (y0 - y1).abs() < 0.3);
    assert!(restroke(&[0.0; 16], 4, 4, |_| 1.0).is_none());
}

const PAD: usize = 280;
/// The page's pen: round, 1/13 of the pad wide (www/draw-pad.js).
const PEN: f32 = 22.0;

/// A 4 and a 7 as strokes in a unit box, drawn with the pad's fixed pen into a box of `size` pixels.
fn drawn_with_the_pad_pen(strokes: &[[f32; 4]], x0: f32, y0: f32, size: f32) -> Vec<f32> {
    let mut ink = vec![0.0f32; PAD * PAD];
    for &[ax, ay, bx, by] in strokes {
        let segment = line(PAD, [x0 + ax * size, y0 + ay * size, x0 + bx * size, y0 + by * size], PEN);
        ink.iter_mut().zip(segment).for_each(|(a, b)| *a = a.max(b));
    }
    ink
}

/// Stroke width of a prepared 28×28 image, measured as MNIST's was for STROKE_WIDTH: upsampled 4×.
fn prepared_width(pixels: &[f32]) -> f32 {
    let side = 28 * 4;
    let mut up = vec![0.0f32; side * side];
    for y in 0..side {
        for x in 0..side {
            let (u, v) = ((x as f32 + 0.5) / 4.0 - 0.5, (y as f32 + 0.5) / 4.0 - 0.5);
            let (x0, y0) = (u.floor(), v.floor());
            let (tx, ty) = (u - x0, v - y0);
            let at = |xx: f32, yy: f32| {
                if xx < 0.0 || yy < 0.0 || xx > 27.0 || yy > 27.0 { 0.0 } else { pixels[yy as usize * 28 + xx as usize] }
            };
            let top = at(x0, y0) * (1.0 - tx) + at(x0 + 1.0, y0) * tx;
            let bottom = at(x0, y0 + 1.0) * (1.0 - tx) + at(x0 + 1.0, y0 + 1.0) * tx;
            up[y * side + x] = top * (1.0 - ty) + bottom * ty;
        }
    }
    stroke_width(&up, side, side).unwrap() / 4.0
}

#[test]
fn a_fixed_pen_gives_mnist_strokes_at_any_size() {
    let seven: &[[f32; 4]] = &[[0.15, 0.1, 0.85, 0.1], [0.85, 0.1, 0.4, 0.95]];
    let four: &[[f32; 4]] = &[[0.6, 0.05, 0.1, 0.65], [0.1, 0.65, 0.9, 0.65], [0.65, 0.3, 0.65, 0.95]];
    for (name, digit) in [("7", seven), ("4", four)] {
        // Small in a corner, medium, nearly filling the pad: before scaling the pen is 1/4 to 1/11 of
        // the digit's height: without redrawing, the smallest 7 prepares to strokes 4.4 px wide.
        let mut widths = Vec::new();
        for (x0, y0, size) in [(20.0, 30.0, 85.0), (60.0, 50.0, 160.0), (20.0, 15.0, 235.0)] {
            let p = prepare(&drawn_with_the_pad_pen(digit, x0, y0, size), PAD, PAD).unwrap().unwrap();
            let width = prepared_width(&p.pixels);
            assert!((width - STROKE_WIDTH).abs() <= 0.6, "{name} at {size} px: strokes {width} px wide");
            widths.push(width);
        }
        let spread = widths.iter().copied().fold(f32::MIN, f32::max) - widths.iter().copied().fold(f32::MAX, f32::min);
        assert!(spread <= 0.6, "{name}: widths {widths:?}");
    }
}
