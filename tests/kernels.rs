//! Every first-layer kernel against a plain nested loop, entry by entry: the narrow kernels
//! (`layer::narrow`, per batch and, natively, per full-batch chunk), the wide ones (`layer::wide`) at
//! every width — 1–16 included, which natively go to the narrow kernels but in WebAssembly mostly to
//! the wide ones — and `Dense`'s products as the network calls them: dense and sparse input, forward
//! and gradient (weights, biases, inputs).
//!
//! The widths end on every tail: 1–4 groups of 4 lanes with 0–3 lanes of padding (narrow), blocks of
//! 16, 8 and 4 followed by 0–3 outputs (wide), and the default network's 128. The batches hold an
//! example without non-zeros, one whose only non-zero is the last input (the narrow kernels read past
//! the end of that weight column), one with every input set, and random ones; the prepared chunks, a
//! full one of 256 images and a short one.
//!
//! Runs natively and, with `wasm-pack test`, in the browsers, where the simd128 build of the same
//! kernels is checked (the chunk kernels exist natively only).

use inkling::batch::{ByInput, InputBatch};
use inkling::layer::{narrow, wide, Dense, SparseScratch};
use nalgebra::{DMatrix, DVector};
use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64Mcg;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::{wasm_bindgen_test as test, wasm_bindgen_test_configure};
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test_configure!(run_in_browser);

/// A kernel's entry may differ from the plain loop's (summed in f64) by this fraction of the sum of
/// the sizes of its terms. Summing n terms in f32 in any order is off by at most about n · 6e-8 of
/// that, 4e-6 for the 60 inputs here (2.2e-7 is the worst measured); a wrong kernel (a term dropped
/// or counted twice, a sign, a few per cent) is off by a sizeable fraction of some entry's value.
const TOLERANCE: f64 = 1e-5;
const INPUTS: usize = 60;
/// A batch that is not the first to use the scratch buffers, one above and one at nalgebra's
/// small-product limit (5, see `layer.rs`), and a single example.
const BATCHES: [usize; 3] = [6, 19, 1];
const SCALE: f32 = 0.3;

/// Every width class and tail: 1–48 and wider layers up to the default network's 128 and past it.
fn widths() -> impl Iterator<Item = usize> {
    (1..=48).chain([64, 127, 128, 130])
}

/// A sum kept in f64 with the sum of the sizes of its terms, which the rounding of any f32 order of
/// summation is proportional to.
#[derive(Debug, Clone, Copy)]
struct Sum {
    value: f64,
    size: f64,
}

impl Sum {
    fn of(start: f32) -> Self {
        Sum { value: start as f64, size: (start as f64).abs() }
    }
    fn add(&mut self, term: f64) {
        self.value += term;
        self.size += term.abs();
    }
}

fn check(what: &str, got: &[f32], want: &[Sum]) {
    assert_eq!(got.len(), want.len(), "{what}: number of entries");
    for (k, (&g, want)) in got.iter().zip(want).enumerate() {
        let error = (g as f64 - want.value).abs();
        // Written so that NaN (an entry never written) fails.
        assert!(
            error <= TOLERANCE * want.size,
            "{what}, entry {k}: {g} instead of {} (error {error:.2e}, terms' sizes {:.2e})",
            want.value,
            want.size
        );
    }
}

// The plain loops. Matrices are column-major: W is outputs × inputs, X inputs × m, Z outputs × m.

/// `z[o, j] = b[o] + Σ_i W[o, i] · X[i, j]`, over every input, zero or not.
fn forward_reference(w: &[f32], b: &[f32], x: &[f32], m: usize) -> Vec<Sum> {
    let (outputs, inputs) = (b.len(), w.len() / b.len());
    let mut z = Vec::new();
    for j in 0..m {
        for o in 0..outputs {
            let mut sum = Sum::of(b[o]);
            for i in 0..inputs {
                sum.add(w[i * outputs + o] as f64 * x[j * inputs + i] as f64);
            }
            z.push(sum);
        }
    }
    z
}

/// `g[o, i] + scale · Σ_j dZ[o, j] · X[i, j]`, for the gradient `g` held before.
fn weight_grads_reference(g: &[f32], dz: &[f32], x: &[f32], m: usize, scale: f32, outputs: usize) -> Vec<Sum> {
    let inputs = g.len() / outputs;
    let mut result = Vec::new();
    for i in 0..inputs {
        for o in 0..outputs {
            let mut sum = Sum::of(g[i * outputs + o]);
            for j in 0..m {
                sum.add(scale as f64 * dz[j * outputs + o] as f64 * x[j * inputs + i] as f64);
            }
            result.push(sum);
        }
    }
    result
}

/// `g[o] + scale · Σ_j dZ[o, j]`.
fn bias_grads_reference(g: &[f32], dz: &[f32], m: usize, scale: f32) -> Vec<Sum> {
    let outputs = g.len();
    let mut result = Vec::new();
    for o in 0..outputs {
        let mut sum = Sum::of(g[o]);
        for j in 0..m {
            sum.add(scale as f64 * dz[j * outputs + o] as f64);
        }
        result.push(sum);
    }
    result
}

/// `dX[i, j] = Σ_o W[o, i] · dZ[o, j]`.
fn input_grads_reference(w: &[f32], dz: &[f32], m: usize, outputs: usize) -> Vec<Sum> {
    let inputs = w.len() / outputs;
    let mut dx = Vec::new();
    for j in 0..m {
        for i in 0..inputs {
            let mut sum = Sum::of(0.0);
            for o in 0..outputs {
                sum.add(w[i * outputs + o] as f64 * dz[j * outputs + o] as f64);
            }
            dx.push(sum);
        }
    }
    dx
}

// The data.

/// `m` examples of `INPUTS` values in [−1, 1), cycling through: random with 70 % zeros, only the last
/// input set, every input set, none set.
fn batch(rng: &mut Pcg64Mcg, m: usize) -> InputBatch {
    let mut x = InputBatch::with_capacity(INPUTS, m);
    for j in 0..m {
        let values: Vec<f32> = (0..INPUTS)
            .map(|i| {
                let set = match j % 4 {
                    0 => rng.random_bool(0.3),
                    1 => i == INPUTS - 1,
                    2 => true,
                    _ => false,
                };
                if set { rng.random_range(-1.0f32..1.0) } else { 0.0 }
            })
            .collect();
        x.push(&values);
    }
    x
}

fn random(rng: &mut Pcg64Mcg, n: usize) -> Vec<f32> {
    (0..n).map(|_| rng.random_range(-1.0f32..1.0)).collect()
}

/// A layer with random weights and biases, and gradients already holding something (the kernels add).
fn layer(rng: &mut Pcg64Mcg, outputs: usize) -> Dense {
    let mut layer = Dense::from_parameters(
        DMatrix::from_vec(outputs, INPUTS, random(rng, outputs * INPUTS)),
        DVector::from_vec(random(rng, outputs)),
    );
    layer.weight_grads.copy_from_slice(&random(rng, outputs * INPUTS));
    layer.bias_grads.copy_from_slice(&random(rng, outputs));
    layer
}

/// `dZ` for `m` examples, followed by a column of NaN that a kernel reading past the batch would pick up.
fn dz(rng: &mut Pcg64Mcg, outputs: usize, m: usize) -> Vec<f32> {
    let mut dz = random(rng, outputs * m);
    dz.resize(outputs * (m + 1), f32::NAN);
    dz
}

/// Room for `Z`: NaN where the kernel must write, then a few sentinels it must leave alone.
const SENTINEL: f32 = 12345.0;
fn output_buffer(outputs: usize, m: usize) -> Vec<f32> {
    let mut z = vec![f32::NAN; outputs * m];
    z.extend([SENTINEL; 4]);
    z
}

fn check_output(what: &str, z: &[f32], want: &[Sum]) {
    let (z, rest) = z.split_at(want.len());
    check(what, z, want);
    assert!(rest.iter().all(|&s| s == SENTINEL), "{what}: written past the batch");
}

// The kernels by themselves.

/// A sparse kernel's forward pass, `(W, b, X, Z, scratch)`.
type Forward<S> = fn(&[f32], &[f32], &InputBatch, &mut [f32], &mut S);
/// A sparse kernel's weight gradient, `(dW, dZ, X, scale, scratch, outputs)`.
type AccumulateGrads<S> = fn(&mut [f32], &[f32], &InputBatch, f32, &mut S, usize);

/// Checks a kernel's forward pass and weight gradient at `widths` and every batch size, with one
/// scratch reused throughout (as the network reuses it).
fn check_sparse_kernels<S: Default>(name: &str, widths: &[usize], seed: u64, forward: Forward<S>, accumulate_grads: AccumulateGrads<S>) {
    let mut rng = Pcg64Mcg::seed_from_u64(seed);
    let mut scratch = S::default();
    for &outputs in widths {
        for m in BATCHES {
            let what = |function: &str| format!("{name}::{function}, {outputs} outputs, batch of {m}");
            let layer = layer(&mut rng, outputs);
            let (w, b) = (layer.weights.as_slice(), layer.biases.as_slice());
            let x = batch(&mut rng, m);

            let mut z = output_buffer(outputs, m);
            forward(w, b, &x, &mut z, &mut scratch);
            check_output(&what("forward"), &z, &forward_reference(w, b, x.dense_slice(), m));

            let dz = dz(&mut rng, outputs, m);
            let mut grads = layer.weight_grads.as_slice().to_vec();
            accumulate_grads(&mut grads, &dz, &x, SCALE, &mut scratch, outputs);
            let want = weight_grads_reference(layer.weight_grads.as_slice(), &dz, x.dense_slice(), m, SCALE, outputs);
            check(&what("accumulate_grads"), &grads, &want);
        }
    }
}

#[test]
fn wide_kernels_match_the_plain_loop_at_every_width() {
    let widths: Vec<usize> = widths().collect();
    check_sparse_kernels::<ByInput>("wide", &widths, 1, |w, b, x, z, _| wide::forward(w, b, x, z), wide::accumulate_grads);
}

#[test]
fn narrow_kernels_match_the_plain_loop_at_every_width_they_take() {
    let widths: Vec<usize> = widths().filter(|&n| narrow::takes(n)).collect();
    // Natively 1–16; in WebAssembly the one compiled group count, 9–12.
    assert!(widths.len() >= 4, "narrow widths {widths:?}");
    check_sparse_kernels::<narrow::Padded>("narrow", &widths, 2, narrow::forward, narrow::accumulate_grads);
}

// `Dense`, as the network calls it.

#[test]
fn layer_products_match_the_plain_loop() {
    let mut rng = Pcg64Mcg::seed_from_u64(3);
    let mut scratch = SparseScratch::default();
    for outputs in widths() {
        for m in BATCHES {
            let what = |name: &str| format!("Dense::{name}, {outputs} outputs, batch of {m}");
            let layer = layer(&mut rng, outputs);
            let (w, b) = (layer.weights.as_slice(), layer.biases.as_slice());
            let x = batch(&mut rng, m);
            let want = forward_reference(w, b, x.dense_slice(), m);

            let mut z = output_buffer(outputs, m);
            layer.forward(x.dense_slice(), m, &mut z);
            check_output(&what("forward"), &z, &want);
            let mut z = output_buffer(outputs, m);
            layer.forward_sparse(&x, &mut z, &mut scratch);
            check_output(&what("forward_sparse"), &z, &want);

            let dz = dz(&mut rng, outputs, m);
            let want_weights = weight_grads_reference(layer.weight_grads.as_slice(), &dz, x.dense_slice(), m, SCALE, outputs);
            let want_biases = bias_grads_reference(layer.bias_grads.as_slice(), &dz, m, SCALE);
            let mut dense = layer.clone();
            dense.accumulate_grads(&dz, x.dense_slice(), m, SCALE);
            check(&what("accumulate_grads (weights)"), dense.weight_grads.as_slice(), &want_weights);
            check(&what("accumulate_grads (biases)"), dense.bias_grads.as_slice(), &want_biases);
            let mut sparse = layer.clone();
            sparse.accumulate_grads_sparse(&dz, &x, SCALE, &mut scratch);
            check(&what("accumulate_grads_sparse (weights)"), sparse.weight_grads.as_slice(), &want_weights);
            check(&what("accumulate_grads_sparse (biases)"), sparse.bias_grads.as_slice(), &want_biases);

            let mut dx = output_buffer(INPUTS, m);
            layer.input_grads(&dz, m, &mut dx);
            check_output(&what("input_grads"), &dx, &input_grads_reference(w, &dz, m, outputs));
        }
    }
}

/// The full-batch chunk kernels (native only): `narrow::forward_chunk` and
/// `narrow::accumulate_grads_chunk`, through `Dense` as the network calls them.
#[cfg(not(target_arch = "wasm32"))]
mod chunks {
    use super::*;
    use inkling::layer::is_narrow;
    use inkling::mnist::Images;
    use inkling::nonzeros::{NonZeroChunks, NonZeroPixels};
    use inkling::pixel::PIXEL_VALUES;

    /// Chunks of the most images a chunk holds (an image within it is a byte), and a shorter last one.
    const CHUNK: usize = 256;
    const IMAGES: usize = CHUNK + 37;

    /// Images of 6 × 10 pixels (`INPUTS`), cycling as [`batch`] does: random with 70 % zeros, only
    /// the last pixel set (to 255), every pixel set, none set; bytes 1–255.
    fn images(rng: &mut Pcg64Mcg) -> Images {
        let mut pixels = Vec::with_capacity(IMAGES * INPUTS);
        for j in 0..IMAGES {
            for i in 0..INPUTS {
                pixels.push(match j % 4 {
                    0 if rng.random_bool(0.3) => rng.random_range(1..=255u8),
                    1 if i == INPUTS - 1 => 255,
                    2 => rng.random_range(1..=255u8),
                    _ => 0,
                });
            }
        }
        Images { count: IMAGES, rows: 6, cols: 10, pixels }
    }

    #[test]
    fn chunk_products_match_the_plain_loop() {
        let mut rng = Pcg64Mcg::seed_from_u64(4);
        let images = images(&mut rng);
        let lists = NonZeroPixels::new(&images);
        let chunks = NonZeroChunks::new(&lists, INPUTS, CHUNK);
        let mut scratch = SparseScratch::default();
        let narrow_widths: Vec<usize> = widths().filter(|&n| is_narrow(n)).collect();
        assert_eq!(narrow_widths, (1..=16).collect::<Vec<_>>());
        for outputs in narrow_widths {
            for (c, start) in [(0, 0), (1, CHUNK)] {
                let x = chunks.chunk(c, &lists);
                let m = x.len();
                assert_eq!(m, CHUNK.min(IMAGES - start));
                // What the network reads: byte / 255.
                let x_dense: Vec<f32> = images.pixels[start * INPUTS..(start + m) * INPUTS].iter().map(|&p| PIXEL_VALUES[p as usize]).collect();
                let what = |name: &str| format!("Dense::{name}, {outputs} outputs, chunk {c} ({m} images)");
                let layer = layer(&mut rng, outputs);
                let (w, b) = (layer.weights.as_slice(), layer.biases.as_slice());

                let mut z = output_buffer(outputs, m);
                layer.forward_chunk(x, &mut z, &mut scratch);
                check_output(&what("forward_chunk"), &z, &forward_reference(w, b, &x_dense, m));

                let dz = dz(&mut rng, outputs, m);
                let mut grads = layer.clone();
                grads.accumulate_grads_chunk(&dz, x, SCALE, &mut scratch);
                let want = weight_grads_reference(layer.weight_grads.as_slice(), &dz, &x_dense, m, SCALE, outputs);
                check(&what("accumulate_grads_chunk (weights)"), grads.weight_grads.as_slice(), &want);
                let want = bias_grads_reference(layer.bias_grads.as_slice(), &dz, m, SCALE);
                check(&what("accumulate_grads_chunk (biases)"), grads.bias_grads.as_slice(), &want);
            }
        }
    }

    /// Prepared chunks are for narrow layers only (the trainer prepares them for no other).
    #[test]
    #[should_panic(expected = "only narrow layers read prepared chunks")]
    fn a_wide_layer_refuses_a_prepared_chunk() {
        let mut rng = Pcg64Mcg::seed_from_u64(5);
        let images = images(&mut rng);
        let lists = NonZeroPixels::new(&images);
        let chunks = NonZeroChunks::new(&lists, INPUTS, CHUNK);
        let layer = layer(&mut rng, 17);
        let mut z = output_buffer(17, CHUNK);
        layer.forward_chunk(chunks.chunk(0, &lists), &mut z, &mut SparseScratch::default());
    }
}
