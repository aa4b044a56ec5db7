//! Augmentation: the output's shape and value range, the identity, what a shift, a scale, a rotation,
//! a thickness change and a 1's flag do to a digit, determinism per seed, which digits get flags,
//! and the trainer's use of it (labels kept, runs reproducible, the training images themselves
//! untouched).
#![cfg(not(target_arch = "wasm32"))]

use inkling::architecture::Architecture;
use inkling::augment::{AugmentParams, AugmentRanges, Augmenter, Flag};
use inkling::dataset::Dataset;
use inkling::mnist::{to_idx, IMAGE_PIXELS};
use inkling::pixel::pixel_values;
use inkling::trainer::{TrainConfig, Trainer};
use rand::SeedableRng;
use rand_pcg::Pcg64Mcg;

/// A digit-like test image: a ring (a 0) of radius 6 around (cx, cy), 2 px thick, with a soft edge.
fn ring(cx: f32, cy: f32) -> Vec<u8> {
    let mut image = vec![0u8; IMAGE_PIXELS];
    for y in 0..28 {
        for x in 0..28 {
            let r = ((x as f32 + 0.5 - cx).powi(2) + (y as f32 + 0.5 - cy).powi(2)).sqrt();
            let ink = (1.5 - (r - 6.0).abs()).clamp(0.0, 1.0);
            image[y * 28 + x] = (ink * 255.0).round() as u8;
        }
    }
    image
}

/// A bar from (x0, y) to (x1, y), 2 px high: asymmetric, so a rotation shows.
fn bar() -> Vec<u8> {
    let mut image = vec![0u8; IMAGE_PIXELS];
    for y in 13..15 {
        for x in 6..22 {
            image[y * 28 + x] = 255;
        }
    }
    image
}

/// A 1: a vertical stroke in columns x0..x0 + 2 (with a soft column either side) from row 4 to 23.
fn one(x0: usize) -> Vec<u8> {
    let mut image = vec![0u8; IMAGE_PIXELS];
    for y in 4..24 {
        for (x, v) in [(x0.wrapping_sub(1), 100), (x0, 255), (x0 + 1, 255), (x0 + 2, 100)] {
            if x < 28 {
                image[y * 28 + x] = v;
            }
        }
    }
    image
}

fn mass(pixels: &[f32]) -> f32 {
    pixels.iter().sum()
}

/// Centre of mass; pixel (x, y) covers [x, x + 1) × [y, y + 1).
fn centre_of_mass(pixels: &[f32]) -> (f32, f32) {
    let (mut m, mut mx, mut my) = (0.0, 0.0, 0.0);
    for (i, &v) in pixels.iter().enumerate() {
        m += v;
        mx += v * ((i % 28) as f32 + 0.5);
        my += v * ((i / 28) as f32 + 0.5);
    }
    (mx / m, my / m)
}

/// Second moments about the centre of mass: (xx, yy, xy).
fn moments(pixels: &[f32]) -> (f32, f32, f32) {
    let (cx, cy) = centre_of_mass(pixels);
    let (mut m, mut xx, mut yy, mut xy) = (0.0, 0.0, 0.0, 0.0);
    for (i, &v) in pixels.iter().enumerate() {
        let (dx, dy) = ((i % 28) as f32 + 0.5 - cx, (i / 28) as f32 + 0.5 - cy);
        m += v;
        xx += v * dx * dx;
        yy += v * dy * dy;
        xy += v * dx * dy;
    }
    (xx / m, yy / m, xy / m)
}


#[test]
fn shape_and_value_bounds() {
    let mut augmenter = Augmenter::new();
    let mut rng = Pcg64Mcg::seed_from_u64(5);
    // Extreme parameters too: far shifts, large scales, full dilation and erosion.
    let extremes = [
        AugmentParams { shift: [30.0, -30.0], ..AugmentParams::IDENTITY },
        AugmentParams { scale: 3.0, rotation: 3.0, thickness: 1.0, ..AugmentParams::IDENTITY },
        AugmentParams { scale: 0.2, thickness: -1.0, ..AugmentParams::IDENTITY },
        AugmentParams { thickness: 7.0, ..AugmentParams::IDENTITY }, // clamped to 1
    ];
    let random = (0..200).map(|_| AugmentRanges::default().sample(&mut rng));
    for params in extremes.into_iter().chain(random) {
        for image in [ring(14.0, 14.0), bar(), vec![255; IMAGE_PIXELS], vec![0; IMAGE_PIXELS]] {
            let pixels = augmenter.apply(&image, &params);
            assert_eq!(pixels.len(), IMAGE_PIXELS);
            assert!(pixels.iter().all(|v| (0.0..=1.0).contains(v)), "{params:?}: values outside [0, 1]");
            let bytes = augmenter.apply_bytes(&image, &params).to_vec();
            assert_eq!(bytes.len(), IMAGE_PIXELS);
            // The bytes are the floats, rounded.
            let floats = augmenter.apply(&image, &params);
            assert!(bytes.iter().zip(floats).all(|(&b, &v)| (b as f32 - v * 255.0).abs() <= 0.5 + 1e-3));
        }
    }
}

#[test]
fn identity_gives_the_same_image() {
    let mut augmenter = Augmenter::new();
    for image in [ring(14.0, 14.0), ring(9.3, 17.8), bar()] {
        assert_eq!(augmenter.apply_bytes(&image, &AugmentParams::IDENTITY), &image[..]);
        assert_eq!(augmenter.apply(&image, &AugmentParams::IDENTITY), &pixel_values(&image)[..]);
    }
}

#[test]
fn a_shift_moves_the_centre_of_mass() {
    let mut augmenter = Augmenter::new();
    let image = ring(14.0, 14.0);
    let (cx, cy) = centre_of_mass(&pixel_values(&image));
    for shift in [[2.0, 0.0], [0.0, -2.0], [1.5, 1.25], [-0.5, 2.0]] {
        let moved = augmenter.apply(&image, &AugmentParams { shift, ..AugmentParams::IDENTITY }).to_vec();
        let (mx, my) = centre_of_mass(&moved);
        assert!((mx - cx - shift[0]).abs() < 0.02 && (my - cy - shift[1]).abs() < 0.02, "{shift:?}: ({mx}, {my})");
        // Moving keeps the ink (the ring stays well inside the image).
        assert!((mass(&moved) - mass(&pixel_values(&image))).abs() < 0.5);
    }
}

#[test]
fn scale_rotation_and_thickness_do_what_they_say() {
    let mut augmenter = Augmenter::new();
    let ring = ring(14.0, 14.0);
    let original = pixel_values(&ring);
    let (xx, yy, _) = moments(&original);

    // Scaling by k about the centre multiplies the spread by k (second moments by k²).
    let larger = augmenter.apply(&ring, &AugmentParams { scale: 1.2, ..AugmentParams::IDENTITY }).to_vec();
    let (lxx, lyy, _) = moments(&larger);
    assert!((lxx / xx - 1.44).abs() < 0.08 && (lyy / yy - 1.44).abs() < 0.08, "{}, {}", lxx / xx, lyy / yy);
    let (cx, cy) = centre_of_mass(&larger);
    assert!((cx - 14.0).abs() < 0.05 && (cy - 14.0).abs() < 0.05, "the centre stays put");

    // A horizontal bar turned clockwise by 30° slopes down to the right (y down): xy > 0, and its
    // direction is 30° from the x axis.
    let bar = bar();
    let turned = augmenter.apply(&bar, &AugmentParams { rotation: 30f32.to_radians(), ..AugmentParams::IDENTITY }).to_vec();
    let (bxx, byy, bxy) = moments(&turned);
    assert!(bxy > 0.0, "clockwise on the screen");
    let angle = 0.5 * (2.0 * bxy).atan2(bxx - byy);
    assert!((angle.to_degrees() - 30.0).abs() < 2.0, "angle {}", angle.to_degrees());

    // Thicker strokes have more ink, thinner ones less, and both stay where they were.
    let thick = augmenter.apply(&ring, &AugmentParams { thickness: 1.0, ..AugmentParams::IDENTITY }).to_vec();
    let thin = augmenter.apply(&ring, &AugmentParams { thickness: -1.0, ..AugmentParams::IDENTITY }).to_vec();
    assert!(mass(&thick) > 1.3 * mass(&original), "{} vs {}", mass(&thick), mass(&original));
    assert!(mass(&thin) < 0.8 * mass(&original), "{} vs {}", mass(&thin), mass(&original));
    for pixels in [&thick, &thin] {
        let (cx, cy) = centre_of_mass(pixels);
        assert!((cx - 14.0).abs() < 0.05 && (cy - 14.0).abs() < 0.05);
    }
    // A half-way change lies between.
    let half = augmenter.apply(&ring, &AugmentParams { thickness: 0.5, ..AugmentParams::IDENTITY }).to_vec();
    assert!(mass(&original) < mass(&half) && mass(&half) < mass(&thick));
}

#[test]
fn a_flag_is_a_stroke_from_the_top_of_a_one_down_to_the_left() {
    let mut augmenter = Augmenter::new();
    let image = one(13);
    let original = augmenter.apply(&image, &AugmentParams::IDENTITY).to_vec();
    let flag = Flag { length: 0.4, angle: 45f32.to_radians() };
    let flagged = augmenter.apply(&image, &AugmentParams { flag: Some(flag), ..AugmentParams::IDENTITY }).to_vec();
    // The 1 is kept; ink is only added, next to the top and to the left of the stroke.
    let added: Vec<f32> = flagged.iter().zip(&original).map(|(f, o)| f - o).collect();
    assert!(added.iter().all(|&a| a >= 0.0), "the 1's own ink is kept");
    assert!(flagged.iter().all(|v| (0.0..=1.0).contains(v)));
    for (i, &a) in added.iter().enumerate() {
        let (x, y) = (i % 28, i / 28);
        if a > 0.0 {
            assert!(x < 13 && (4..4 + 11).contains(&y), "ink added at ({x}, {y})");
        }
    }
    // As long as asked (0.4 × 20 rows = 8 px, about 5.7 px across), about as wide as the stroke
    // (2.7 px of ink per row), at 45° down to the left.
    let width = mass(&original) / 20.0;
    assert!((mass(&added) / (8.0 * width) - 1.0).abs() < 0.35, "flag ink {} for a stroke {width} wide", mass(&added));
    let leftmost = (0..IMAGE_PIXELS).filter(|&i| added[i] > 0.5).map(|i| i % 28).min().unwrap();
    assert!((6..=8).contains(&leftmost), "the flag reaches column {leftmost}");
    let (xx, yy, xy) = moments(&added);
    let angle = 0.5 * (2.0 * xy).atan2(xx - yy);
    assert!((angle.to_degrees() + 45.0).abs() < 8.0, "down to the left at {}°", -angle.to_degrees());

    // A flatter, longer flag reaches further left and less far down.
    let flat = Flag { length: 0.5, angle: 25f32.to_radians() };
    let flatter = augmenter.apply(&image, &AugmentParams { flag: Some(flat), ..AugmentParams::IDENTITY }).to_vec();
    let lowest = |pixels: &[f32]| (0..IMAGE_PIXELS).filter(|&i| pixels[i] - original[i] > 0.5).map(|i| i / 28).max().unwrap();
    assert!(lowest(&flatter) < lowest(&flagged));
    // Only the flag: digits without one are unchanged (checked by identity_gives_the_same_image).
}

#[test]
fn only_ones_get_flags_half_of_them_and_other_digits_draw_as_before() {
    let ranges = AugmentRanges::default();
    let mut rng = Pcg64Mcg::seed_from_u64(21);
    let ones: Vec<_> = (0..4000).map(|_| ranges.sample_for(1, &mut rng)).collect();
    let flags: Vec<Flag> = ones.iter().filter_map(|p| p.flag).collect();
    let share = flags.len() as f32 / ones.len() as f32;
    assert!((share - ranges.flagged_ones).abs() < 0.03, "{share} of the 1s have a flag");
    for f in &flags {
        assert!((Flag::LENGTH[0]..=Flag::LENGTH[1]).contains(&f.length));
        let degrees = f.angle.to_degrees();
        assert!((Flag::ANGLE_DEGREES[0] - 1e-3..=Flag::ANGLE_DEGREES[1] + 1e-3).contains(&degrees), "{degrees}°");
    }
    // Other digits: never a flag, and the very draws of `sample` (a run without 1s is as before).
    for label in [0u8, 2, 7, 9] {
        let (mut a, mut b) = (Pcg64Mcg::seed_from_u64(5), Pcg64Mcg::seed_from_u64(5));
        for _ in 0..200 {
            assert_eq!(ranges.sample_for(label, &mut a), ranges.sample(&mut b));
        }
    }
    // Ranges scaled to nothing give no flag either (a lesson's copies never get one).
    let none = ranges.scaled(0.0);
    assert!((0..500).all(|_| none.sample_for(1, &mut rng).flag.is_none()));
    assert!((0..500).all(|_| ranges.sample(&mut rng).flag.is_none()));
}

#[test]
fn flags_near_the_edges_stay_in_the_image_and_are_moved_with_the_digit() {
    // A 1 hard against the left edge, and one in the middle, each flagged, then moved, scaled and
    // turned: the transform must see the flag's ink (its bounds grow with it), so the result is the
    // plain transform of the flagged digit.
    let mut augmenter = Augmenter::new();
    let mut rng = Pcg64Mcg::seed_from_u64(33);
    for (i, x0) in [0usize, 1, 13, 25].into_iter().cycle().take(200).enumerate() {
        let image = one(x0);
        let mut params = AugmentRanges::default().sample(&mut rng);
        params.flag = Some(if i % 3 == 0 { Flag { length: Flag::LENGTH[1], angle: 25f32.to_radians() } } else { Flag::sample(&mut rng) });
        params.thickness = 0.0; // the reference below thickens nothing
        let flagged = augmenter.apply_bytes(&image, &AugmentParams { flag: params.flag, ..AugmentParams::IDENTITY }).to_vec();
        let got = augmenter.apply(&image, &params).to_vec();
        assert!(got.iter().all(|v| (0.0..=1.0).contains(v)));
        let want = reference(&flagged, &AugmentParams { flag: None, ..params });
        let worst = got.iter().zip(&want).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
        // The reference starts from the flagged image rounded to bytes: half a level's difference.
        assert!(worst < 0.6 / 255.0 + 1e-4, "{params:?}, a 1 at column {x0}: differs by {worst}");
    }
}

/// The two steps written out plainly over the whole image, in f64: the thickness blend with the
/// plus-shaped neighbourhood, then for every output pixel the bilinear sample at
/// c + R(−θ)·(p − c − s)/k. The augmenter confines its work to where the ink is; this checks that
/// doing so changes nothing.
fn reference(image: &[u8], p: &AugmentParams) -> Vec<f32> {
    let at = |img: &[f64], x: i64, y: i64| if (0..28).contains(&x) && (0..28).contains(&y) { img[(y * 28 + x) as usize] } else { 0.0 };
    let source: Vec<f64> = image.iter().map(|&b| b as f64 / 255.0).collect();
    let t = p.thickness.clamp(-1.0, 1.0) as f64;
    let mut thick = source.clone();
    for y in 0..28i64 {
        for x in 0..28i64 {
            let around = [at(&source, x - 1, y), at(&source, x + 1, y), at(&source, x, y - 1), at(&source, x, y + 1)];
            let v = source[(y * 28 + x) as usize];
            thick[(y * 28 + x) as usize] = if t > 0.0 {
                v + t * (around.iter().copied().fold(v, f64::max) - v)
            } else {
                v + t * (v - around.iter().copied().fold(v, f64::min))
            };
        }
    }
    let (sin, cos) = (p.rotation as f64).sin_cos();
    let k = p.scale as f64;
    let mut out = vec![0.0f32; IMAGE_PIXELS];
    for y in 0..28 {
        for x in 0..28 {
            let (dx, dy) = (x as f64 + 0.5 - 14.0 - p.shift[0] as f64, y as f64 + 0.5 - 14.0 - p.shift[1] as f64);
            // Source position in pixel-centre coordinates (pixel i's centre at i).
            let u = 14.0 + (cos * dx + sin * dy) / k - 0.5;
            let v = 14.0 + (-sin * dx + cos * dy) / k - 0.5;
            let (x0, y0) = (u.floor(), v.floor());
            let (tx, ty) = (u - x0, v - y0);
            let (x0, y0) = (x0 as i64, y0 as i64);
            let top = at(&thick, x0, y0) * (1.0 - tx) + at(&thick, x0 + 1, y0) * tx;
            let bottom = at(&thick, x0, y0 + 1) * (1.0 - tx) + at(&thick, x0 + 1, y0 + 1) * tx;
            out[y * 28 + x] = (top * (1.0 - ty) + bottom * ty) as f32;
        }
    }
    out
}

#[test]
fn matches_the_plain_computation_everywhere() {
    let mut augmenter = Augmenter::new();
    let mut rng = Pcg64Mcg::seed_from_u64(9);
    let wide = AugmentRanges { max_shift: 6.0, max_scale: 0.4, max_rotation_degrees: 40.0, thickness: [-1.0, 1.0], flagged_ones: 0.0 };
    // Digits in the middle, near the edges and corners, and after one another (no leftovers).
    let images = [ring(14.0, 14.0), ring(6.5, 7.2), ring(21.5, 22.0), bar(), ring(7.0, 21.0)];
    for i in 0..300 {
        let params = if i % 2 == 0 { AugmentRanges::default().sample(&mut rng) } else { wide.sample(&mut rng) };
        let image = &images[i % images.len()];
        let got = augmenter.apply(image, &params).to_vec();
        let want = reference(image, &params);
        let worst = got.iter().zip(&want).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
        assert!(worst < 1e-4, "{params:?}: differs by {worst}");
    }
}

#[test]
fn random_parameters_stay_in_their_ranges_and_repeat_per_seed() {
    let ranges = AugmentRanges::default();
    let draw = |seed| {
        let mut rng = Pcg64Mcg::seed_from_u64(seed);
        (0..1000).map(|_| ranges.sample(&mut rng)).collect::<Vec<_>>()
    };
    let params = draw(11);
    assert_eq!(params, draw(11), "the same seed gives the same parameters");
    assert_ne!(params, draw(12));
    for p in &params {
        assert!(p.shift.iter().all(|s| s.abs() <= ranges.max_shift));
        assert!((p.scale - 1.0).abs() <= ranges.max_scale + 1e-6);
        assert!(p.rotation.abs() <= ranges.max_rotation_degrees.to_radians() + 1e-6);
        assert!((ranges.thickness[0]..=ranges.thickness[1]).contains(&p.thickness));
    }
    // Uniform draws actually cover their ranges.
    let largest_shift = params.iter().map(|p| p.shift[0]).fold(f32::MIN, f32::max);
    assert!(largest_shift > 0.9 * ranges.max_shift);
    assert!(params.iter().any(|p| p.thickness < 0.0) && params.iter().any(|p| p.thickness > 0.5));

    // And the same parameters give the same image.
    let mut a = Augmenter::new();
    let mut b = Augmenter::new();
    let image = ring(13.0, 15.0);
    for p in &params[..50] {
        assert_eq!(a.apply_bytes(&image, p), b.apply_bytes(&image, p));
    }
}

/// Ten training examples, one per digit, told apart by where a ring sits; the test set is the same.
fn tiny_dataset() -> Dataset {
    let mut images = Vec::new();
    let mut labels = Vec::new();
    for i in 0..40 {
        let label = (i % 10) as u8;
        images.extend(ring(8.0 + (label % 5) as f32 * 3.0, 10.0 + (label / 5) as f32 * 8.0));
        labels.push(label);
    }
    let (images, labels) = to_idx(&images, &labels);
    Dataset::from_idx(&images, &labels).unwrap()
}

#[test]
fn the_trainer_augments_reproducibly_and_keeps_labels_and_data() {
    let data = tiny_dataset();
    let config = |augment| TrainConfig { layers: Architecture::mlp(&[16]), batch_size: 8, epochs: 20.0, augment, ..TrainConfig::default() };
    let run = |augment, seed| {
        let mut trainer = Trainer::new(config(augment), data.clone(), Some(data.clone()), seed).unwrap();
        let report = trainer.train(u64::MAX, || true).unwrap();
        (trainer.network().clone(), report, trainer)
    };
    let (net_a, report_a, trainer_a) = run(true, 3);
    let (net_b, report_b, _) = run(true, 3);
    assert_eq!(net_a, net_b, "augmentation is drawn from the trainer's seeded RNG");
    assert_eq!(report_a, report_b);
    let (net_plain, _, _) = run(false, 3);
    assert_ne!(net_a, net_plain, "augmentation changes what the network sees");
    let (net_other, _, _) = run(true, 4);
    assert_ne!(net_a, net_other);

    // The training images are left as they were: augmented copies exist only inside a batch.
    assert_eq!(trainer_a.train_set(), &data);
    // Labels are kept: the positions (at least 3 px apart, shifts at most 2 px, so the class stays
    // recognisable) are learnt to the full, which would fail if labels were mixed up.
    assert!(report_a.finished);
    let mut trainer = trainer_a;
    let evaluation = trainer.evaluate(&data);
    assert!(evaluation.accuracy >= 0.9, "accuracy {} with augmentation", evaluation.accuracy);
}

#[test]
fn the_setting_is_off_by_default() {
    assert!(!TrainConfig::default().augment);
    assert!(!TrainConfig::seed_network(100).augment);
}
