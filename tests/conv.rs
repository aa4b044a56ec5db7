//! The feature-map kernels against plain nested loops: the convolution's forward pass, weight,
//! bias and input gradients (im2col + gemm, and the direct weight gradient, in `layer/conv.rs`) at
//! odd sizes, several channels in and out, valid and same padding, batches below and above the
//! small-matrix `gemm` fallback; and 2×2 max-pooling, ties included.
//!
//! The references compute in f64 straight from the definitions, index by index, with the padding as
//! a bounds test — no patches, no matrices — so they share nothing with the kernels but the layout.
//! Also a browser test (`wasm-pack test`): the same checks run on the kernels the wasm file ships.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::{wasm_bindgen_test as test, wasm_bindgen_test_configure};
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test_configure!(run_in_browser);

use inkling::layer::{Conv2d, ConvMethod, ConvScratch, MapShape, MaxPool2, Padding, KEPT_PATCHES};
use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64Mcg;

/// f32 kernels against f64 references: sums of up to a few hundred products of values below 1.
const TOLERANCE: f64 = 1e-5;

fn random(n: usize, rng: &mut Pcg64Mcg) -> Vec<f32> {
    (0..n).map(|_| rng.random_range(-1.0f32..1.0)).collect()
}

fn assert_close(what: &str, got: &[f32], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        assert!((g as f64 - w).abs() <= TOLERANCE * (1.0 + w.abs()), "{what}[{i}]: kernel {g}, reference {w}");
    }
}

/// The convolution as written in the definition, for one case.
struct Reference<'a> {
    conv: &'a Conv2d,
    m: usize,
}

impl Reference<'_> {
    fn pad(&self) -> isize {
        match self.conv.padding {
            Padding::Valid => 0,
            Padding::Same => (self.conv.kernel / 2) as isize,
        }
    }
    fn weight(&self, o: usize, c: usize, ky: usize, kx: usize) -> f64 {
        let k = self.conv.kernel;
        self.conv.weights[(((c * k) + ky) * k + kx, o)] as f64
    }
    /// Calls `visit(j, o, oy, ox, c, ky, kx, input index)` for every product of the convolution.
    fn each_product(&self, mut visit: impl FnMut(usize, usize, usize, usize, usize, usize, usize, usize)) {
        let (input, out, k) = (self.conv.input, self.conv.output(), self.conv.kernel);
        for j in 0..self.m {
            for o in 0..out.channels {
                for oy in 0..out.height {
                    for ox in 0..out.width {
                        for c in 0..input.channels {
                            for ky in 0..k {
                                for kx in 0..k {
                                    let iy = oy as isize + ky as isize - self.pad();
                                    let ix = ox as isize + kx as isize - self.pad();
                                    let inside = (0..input.height as isize).contains(&iy) && (0..input.width as isize).contains(&ix);
                                    if inside {
                                        let at = j * input.len() + (c * input.height + iy as usize) * input.width + ix as usize;
                                        visit(j, o, oy, ox, c, ky, kx, at);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    fn output_index(&self, j: usize, o: usize, oy: usize, ox: usize) -> usize {
        let out = self.conv.output();
        j * out.len() + (o * out.height + oy) * out.width + ox
    }
    fn forward(&self, x: &[f32]) -> Vec<f64> {
        let out = self.conv.output();
        let mut z = vec![0.0; out.len() * self.m];
        for j in 0..self.m {
            for o in 0..out.channels {
                for p in 0..out.height * out.width {
                    z[j * out.len() + o * out.height * out.width + p] = self.conv.biases[o] as f64;
                }
            }
        }
        self.each_product(|j, o, oy, ox, c, ky, kx, at| {
            z[self.output_index(j, o, oy, ox)] += self.weight(o, c, ky, kx) * x[at] as f64;
        });
        z
    }
    /// ∂(Σ dz ⊙ Z)/∂W, column-major K × C_out like the weights; ∂/∂b; ∂/∂X.
    fn gradients(&self, x: &[f32], dz: &[f32]) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let k = self.conv.kernel;
        let (taps, out) = (self.conv.weights.nrows(), self.conv.output());
        let mut dw = vec![0.0; taps * out.channels];
        let mut db = vec![0.0; out.channels];
        let mut dx = vec![0.0; x.len()];
        self.each_product(|j, o, oy, ox, c, ky, kx, at| {
            let g = dz[self.output_index(j, o, oy, ox)] as f64;
            dw[o * taps + ((c * k) + ky) * k + kx] += g * x[at] as f64;
            dx[at] += g * self.weight(o, c, ky, kx);
        });
        for j in 0..self.m {
            for o in 0..out.channels {
                for oy in 0..out.height {
                    for ox in 0..out.width {
                        db[o] += dz[self.output_index(j, o, oy, ox)] as f64;
                    }
                }
            }
        }
        (dw, db, dx)
    }
}

struct Case {
    input: MapShape,
    channels: usize,
    kernel: usize,
    padding: Padding,
    batch: usize,
}

fn check_convolution(case: &Case, seed: u64) {
    let mut rng = Pcg64Mcg::seed_from_u64(seed);
    let mut conv = Conv2d::he(case.input, case.channels, case.kernel, case.padding, &mut rng).unwrap();
    conv.biases.iter_mut().for_each(|b| *b = rng.random_range(-0.5f32..0.5));
    let (m, out) = (case.batch, conv.output());
    let x = random(case.input.len() * m, &mut rng);
    let dz = random(out.len() * m, &mut rng);
    let reference = Reference { conv: &conv, m };
    let what = format!("{:?} → c{}k{} {:?}, batch {m}", case.input, case.channels, case.kernel, case.padding);

    let (want_z, (dw, db, dx)) = (reference.forward(&x), reference.gradients(&x, &dz));
    let scale = 0.5f32;
    let plus_one_half = |v: &[f64]| v.iter().map(|g| 1.0 + 0.5 * g).collect::<Vec<_>>();
    // Both kinds of kernel on every build (the direct ones, forward and weight gradient, only where
    // the layer fits them; it falls back to gemm elsewhere). With gemm, a forward pass that keeps its patches for the backward pass (when
    // they fit), and one that only reads, after which the backward pass copies them again.
    let ways = [
        (ConvMethod::Gemm, "patches kept", true),
        (ConvMethod::Gemm, "patches copied again", false),
        (ConvMethod::Direct, "direct", true),
    ];
    for (method, how, for_backward) in ways {
        conv.method = method;
        let what = format!("{what}, {how}");
        let mut scratch = ConvScratch::default();
        // Stale values in the output and gradients must not leak: z is overwritten, dW and db are
        // added to with the scale, dX is overwritten.
        let mut z = vec![f32::NAN; out.len() * m];
        conv.forward(&x, m, &mut z, &mut scratch, for_backward);
        assert_close(&format!("{what}: Z"), &z, &want_z);

        conv.weight_grads.iter_mut().for_each(|g| *g = 1.0);
        conv.bias_grads.iter_mut().for_each(|g| *g = 1.0);
        conv.accumulate_grads(&dz, &x, m, scale, &mut scratch);
        assert_close(&format!("{what}: dW"), conv.weight_grads.as_slice(), &plus_one_half(&dw));
        assert_close(&format!("{what}: db"), conv.bias_grads.as_slice(), &plus_one_half(&db));

        let mut got_dx = vec![f32::NAN; x.len()];
        conv.input_grads(&dz, m, &mut got_dx, &mut scratch);
        assert_close(&format!("{what}: dX"), &got_dx, &dx);
    }
}

#[test]
fn convolution_matches_nested_loops() {
    let shape = |channels, height, width| MapShape { channels, height, width };
    let cases = [
        // Odd sizes, several channels in and out, both paddings, odd and even kernels.
        Case { input: shape(3, 7, 9), channels: 4, kernel: 3, padding: Padding::Valid, batch: 3 },
        Case { input: shape(3, 7, 9), channels: 4, kernel: 3, padding: Padding::Same, batch: 3 },
        Case { input: shape(2, 9, 5), channels: 3, kernel: 5, padding: Padding::Same, batch: 2 },
        Case { input: shape(2, 6, 7), channels: 5, kernel: 2, padding: Padding::Valid, batch: 2 },
        Case { input: shape(1, 5, 5), channels: 2, kernel: 5, padding: Padding::Valid, batch: 4 },
        // A kernel wider than the map with same padding: most taps fall in the padding.
        Case { input: shape(2, 3, 2), channels: 3, kernel: 5, padding: Padding::Same, batch: 2 },
        Case { input: shape(4, 6, 6), channels: 3, kernel: 1, padding: Padding::Valid, batch: 1 },
        // Every dimension of every product above 5: the matrixmultiply path.
        Case { input: shape(3, 11, 13), channels: 7, kernel: 3, padding: Padding::Same, batch: 6 },
        // MNIST's first layer, and the ConvNet preset's second: both fit the direct kernels (rows of
        // 24 and 8: three tiles of 8 positions and one; 25 taps: six tiles of 4 and one of a single
        // tap; 200: fifty tiles).
        Case { input: shape(1, 28, 28), channels: 8, kernel: 5, padding: Padding::Valid, batch: 2 },
        Case { input: shape(8, 12, 12), channels: 16, kernel: 5, padding: Padding::Valid, batch: 3 },
        // The direct kernels with a 3×3 kernel, rows of 16, 27 taps (a last tile of three).
        Case { input: shape(3, 10, 18), channels: 8, kernel: 3, padding: Padding::Valid, batch: 2 },
        // Just outside what the direct kernels take, so asked for they fall back to gemm: rows of 12
        // (tiles of 8 positions would run into the next row), and 4 channels (the rule asks for
        // 8s, though tiles of 4 channels and pairs would fit: either way, the definition's numbers).
        Case { input: shape(2, 6, 14), channels: 8, kernel: 3, padding: Padding::Valid, batch: 2 },
        Case { input: shape(2, 5, 18), channels: 4, kernel: 3, padding: Padding::Valid, batch: 2 },
        // Patches of more values than a layer keeps (4 positions × 1,600 taps × 164 examples): every
        // example's are copied into one block, in the forward and again in the backward pass. (Few
        // positions, so that each gradient sums few products and f32 stays within the tolerance.)
        Case { input: shape(64, 6, 6), channels: 3, kernel: 5, padding: Padding::Valid, batch: 164 },
    ];
    const { assert!(4 * 1600 * 164 > KEPT_PATCHES && 576 * 25 * 2 <= KEPT_PATCHES, "both ways are tried") };
    for (i, case) in cases.iter().enumerate() {
        check_convolution(case, 100 + i as u64);
    }
}

/// The backward pass reads the kept patches only for the batch they were made from: after a forward
/// pass over other images, the gradients are still those of the images asked about.
#[test]
fn gradients_after_another_batchs_forward_pass_are_this_batchs() {
    let mut rng = Pcg64Mcg::seed_from_u64(7);
    let input = MapShape { channels: 2, height: 8, width: 7 };
    let mut conv = Conv2d::he(input, 3, 3, Padding::Valid, &mut rng).unwrap();
    let m = 3;
    let (x, other) = (random(input.len() * m, &mut rng), random(input.len() * m, &mut rng));
    let dz = random(conv.output().len() * m, &mut rng);
    let mut scratch = ConvScratch::default();
    let mut z = vec![0.0; conv.output().len() * m];
    conv.forward(&x, m, &mut z, &mut scratch, true);
    conv.forward(&other, m, &mut z, &mut scratch, true);
    conv.accumulate_grads(&dz, &x, m, 1.0, &mut scratch);
    let (dw, db, _) = Reference { conv: &conv, m }.gradients(&x, &dz);
    assert_close("dW", conv.weight_grads.as_slice(), &dw);
    assert_close("db", conv.bias_grads.as_slice(), &db);
}

/// 2×2 max-pooling, index by index: the largest of each window, the first one in reading order on
/// ties; the gradient at that one input only.
fn reference_pool(input: MapShape, x: &[f32], m: usize, da: &[f32]) -> (Vec<f64>, Vec<f64>) {
    let (oh, ow) = (input.height / 2, input.width / 2);
    let mut a = Vec::new();
    let mut dx = vec![0.0; x.len()];
    let mut o = 0;
    for j in 0..m {
        for c in 0..input.channels {
            for oy in 0..oh {
                for ox in 0..ow {
                    let mut best: Option<(usize, f32)> = None;
                    for (dy, dx_) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
                        let at = j * input.len() + (c * input.height + 2 * oy + dy) * input.width + 2 * ox + dx_;
                        if best.is_none_or(|(_, v)| x[at] > v) {
                            best = Some((at, x[at]));
                        }
                    }
                    let (at, v) = best.unwrap();
                    a.push(v as f64);
                    dx[at] = da[o] as f64;
                    o += 1;
                }
            }
        }
    }
    (a, dx)
}

fn pool(input: MapShape, x: &[f32], m: usize, da: &[f32]) -> (Vec<f32>, Vec<f32>) {
    let pool = MaxPool2::new(input).unwrap();
    let n = pool.output().len() * m;
    let (mut a, mut winners, mut dx) = (vec![f32::NAN; n], vec![9u8; n], vec![f32::NAN; x.len()]);
    pool.forward(x, m, &mut a, &mut winners);
    pool.input_grads(da, &winners, m, &mut dx);
    (a, dx)
}

#[test]
fn max_pooling_matches_nested_loops() {
    let mut rng = Pcg64Mcg::seed_from_u64(7);
    for (input, m) in [
        (MapShape { channels: 3, height: 6, width: 10 }, 3),
        (MapShape { channels: 1, height: 2, width: 2 }, 1),
        (MapShape { channels: 5, height: 24, width: 24 }, 2),
    ] {
        // Values from a few levels only, so that ties are common.
        let x: Vec<f32> = (0..input.len() * m).map(|_| rng.random_range(-2i32..3) as f32 * 0.5).collect();
        let da = random(input.len() / 4 * m, &mut rng);
        let (a, dx) = pool(input, &x, m, &da);
        let (want_a, want_dx) = reference_pool(input, &x, m, &da);
        assert_close(&format!("{input:?}: A"), &a, &want_a);
        assert_close(&format!("{input:?}: dX"), &dx, &want_dx);
    }
}

/// The tie rule, written out: the first maximum in reading order (top-left, top-right, bottom-left,
/// bottom-right) gets the whole gradient. Each window alone, and all of them side by side in one
/// 2×12 map — six windows, so that in WebAssembly four go through the SIMD path and two after it.
#[test]
fn max_pooling_ties_go_to_the_first_in_reading_order() {
    let cases = [
        ([1.0, 1.0, 1.0, 1.0], 0),
        ([0.0, 2.0, 2.0, 0.0], 1),
        ([0.0, -1.0, 3.0, 3.0], 2),
        ([-1.0, -1.0, -1.0, 5.0], 3),
        ([0.0, 0.0, 0.0, 0.0], 0),
        ([7.0, 7.0, 7.0, -1.0], 0),
    ];
    let check = |windows: &[([f32; 4], usize)]| {
        let n = windows.len();
        let input = MapShape { channels: 1, height: 2, width: 2 * n };
        // Window i's top-left, top-right, bottom-left, bottom-right at (0, 2i), (0, 2i+1), (1, 2i), (1, 2i+1).
        let at = |i: usize, corner: usize| (corner / 2) * 2 * n + 2 * i + corner % 2;
        let mut x = vec![0.0; 4 * n];
        for (i, (window, _)) in windows.iter().enumerate() {
            for (corner, &v) in window.iter().enumerate() {
                x[at(i, corner)] = v;
            }
        }
        let da: Vec<f32> = (1..=n).map(|i| i as f32).collect();
        let (a, dx) = pool(input, &x, 1, &da);
        let mut want = vec![0.0; 4 * n];
        for (i, (window, winner)) in windows.iter().enumerate() {
            assert_eq!(a[i], window.iter().copied().fold(f32::MIN, f32::max), "window {window:?}");
            want[at(i, *winner)] = da[i];
        }
        assert_eq!(dx, want, "windows {windows:?}");
    };
    for case in &cases {
        check(std::slice::from_ref(case));
    }
    check(&cases);
}

#[test]
fn odd_maps_are_not_pooled() {
    let error = MaxPool2::new(MapShape { channels: 2, height: 7, width: 8 }).unwrap_err();
    assert!(error.to_string().contains("even height and width (got 7×8)"), "{error}");
}
