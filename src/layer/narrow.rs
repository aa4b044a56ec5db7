//! The sparse first-layer products for a layer with few outputs (at most [`MAX_OUTPUTS`]), such as
//! the seed network's 10-unit hidden layer.
//!
//! For wide layers the kernels in `wide` hold a block of outputs in registers and walk the
//! non-zero list once per block, and build the weight gradient input by input. With 10 outputs a
//! weight column is only 40 bytes: those kernels walked each list twice (a block of 8, then one of 4)
//! and regrouping the batch by input cost more than the arithmetic it served. Here a column is
//! handled as `G` groups of 4 lanes (`4·G ≥ outputs`), so that one pass over the non-zeros does
//! all outputs with whole vectors:
//!
//! - forward, example by example: `z = b + Σ v·W[:, i]`, two non-zeros at a time (half as long a
//!   chain of dependent additions), reading `4·G` floats from column `i` onwards in place
//!   ([`Columns`]) and dropping the lanes past `outputs`;
//! - gradient of a batch: `dW[:, i] += v·dz` example by example into a padded copy (zeros in the
//!   extra lanes), added into the layer's gradient once per call;
//! - gradient of a prepared full-batch chunk ([`PreparedChunk`]): pixel by pixel, `dW[:, i]`
//!   summed in registers over the images that have pixel `i` set, their `dz` read from the L1 cache.
//!
//! Every kernel here takes only the widths that [`takes`] accepts, and panics on others.
//!
//! A full-batch step of the seed network, natively on one thread (AVX-512 here), went from 0.61 M
//! examples/s (block kernels, non-zero lists made on every pass) to 2.9 M (these kernels, lists
//! prepared once by `crate::nonzeros`). Forward and gradient each take about 3 cycles per non-zero
//! pixel, limited by loads (784 × 10 weights are 31 KB, the size of the L1 cache) rather than by
//! arithmetic: fused multiply-adds changed nothing.

use crate::batch::InputBatch;
use crate::pixel::PIXEL_VALUES;
#[cfg(not(target_arch = "wasm32"))]
use crate::nonzeros::PreparedChunk;
use multiversion::multiversion;

/// Widest layer taken by this path.
pub const MAX_OUTPUTS: usize = 16;

/// Whether a layer of `outputs` units goes through this path: natively 1–16; in WebAssembly only
/// 9–12 (the seed network's 10, one compiled width), which keeps the wasm file within its 150 KB —
/// other narrow layers take the block kernels there.
pub fn takes(outputs: usize) -> bool {
    if cfg!(target_arch = "wasm32") {
        (9..=12).contains(&outputs)
    } else {
        (1..=MAX_OUTPUTS).contains(&outputs)
    }
}

/// Scratch of the narrow kernels: the weights with a zero tail ([`Columns`]), a padded weight
/// gradient (inputs × `4·G`), and a chunk's padded, scaled `dZ` (256 × `4·G`).
#[derive(Debug, Clone, Default)]
pub struct Padded {
    weights: Vec<f32>,
    grads: Vec<f32>,
    #[cfg(not(target_arch = "wasm32"))]
    examples: Vec<f32>,
}

/// Runs `$body` with the const `G` the number of 4-lane groups for `$outputs` (1–4). Columns are
/// handled as `[[f32; 4]; G]`: groups of 4 the compiler keeps as vectors.
///
/// Natively every `G` is compiled; WebAssembly only `G = 3` (see [`takes`]).
#[cfg(not(target_arch = "wasm32"))]
macro_rules! with_groups {
    ($outputs:expr, $g:ident => $body:expr) => {
        match $outputs.div_ceil(4) {
            1 => {
                const $g: usize = 1;
                $body
            }
            2 => {
                const $g: usize = 2;
                $body
            }
            3 => {
                const $g: usize = 3;
                $body
            }
            4 => {
                const $g: usize = 4;
                $body
            }
            _ => unreachable!("narrow layers have 1–{MAX_OUTPUTS} outputs"),
        }
    };
}

#[cfg(target_arch = "wasm32")]
macro_rules! with_groups {
    ($outputs:expr, $g:ident => $body:expr) => {{
        assert!(takes($outputs), "the narrow path in WebAssembly takes 9–12 outputs");
        const $g: usize = 3;
        $body
    }};
}

type Column<const G: usize> = [[f32; 4]; G];

fn as_columns_mut<const G: usize>(padded: &mut [f32]) -> &mut [Column<G>] {
    padded.as_chunks_mut::<4>().0.as_chunks_mut::<G>().0
}

/// `Z = W·X + b` for an outputs × inputs column-major `w`; `z` gets outputs × m values.
///
/// Natively this is compiled for AVX-512 and AVX2 as well, and the CPU's best is chosen at run time
/// (12 % faster than SSE2 on the seed network when measured); WebAssembly has the one simd128 build.
#[multiversion(targets("x86_64+avx512f+avx512vl+avx2+fma", "x86_64+avx2+fma"))]
pub fn forward(w: &[f32], b: &[f32], x: &InputBatch, z: &mut [f32], padded: &mut Padded) {
    let outputs = b.len();
    with_groups!(outputs, G => {
        let w = Columns::<G>::new(w, outputs, &mut padded.weights);
        let mut bias = [[0.0f32; 4]; G];
        bias.as_flattened_mut()[..outputs].copy_from_slice(b);
        forward_padded::<G, _, _>(w, &bias, |j| x.nonzeros(j), &mut z[..outputs * x.len()], outputs);
    })
}

/// `dW += scale · dZ·Xᵀ` over the non-zero inputs, for an outputs × inputs column-major `grads`
/// (multiversioned as [`forward`]).
#[multiversion(targets("x86_64+avx512f+avx512vl+avx2+fma", "x86_64+avx2+fma"))]
pub fn accumulate_grads(grads: &mut [f32], dz: &[f32], x: &InputBatch, scale: f32, padded: &mut Padded, outputs: usize) {
    with_groups!(outputs, G => {
        let inputs = grads.len() / outputs;
        padded.grads.clear();
        padded.grads.resize(inputs * 4 * G, 0.0);
        grads_padded::<G>(as_columns_mut(&mut padded.grads), dz, x, scale, outputs);
        for (column, sums) in grads.chunks_exact_mut(outputs).zip(padded.grads.chunks_exact(4 * G)) {
            for (g, s) in column.iter_mut().zip(sums) {
                *g += s;
            }
        }
    })
}

#[cfg(not(target_arch = "wasm32"))]
/// [`forward`] for a prepared chunk of MNIST images ([`PreparedChunk`], full-batch training),
/// reading each image's positions and bytes where they are kept instead of a converted copy.
#[multiversion(targets("x86_64+avx512f+avx512vl+avx2+fma", "x86_64+avx2+fma"))]
pub fn forward_chunk(w: &[f32], b: &[f32], x: PreparedChunk, z: &mut [f32], padded: &mut Padded) {
    let outputs = b.len();
    with_groups!(outputs, G => {
        let w = Columns::<G>::new(w, outputs, &mut padded.weights);
        let mut bias = [[0.0f32; 4]; G];
        bias.as_flattened_mut()[..outputs].copy_from_slice(b);
        forward_padded::<G, _, _>(w, &bias, |j| x.image(j), &mut z[..outputs * x.len()], outputs);
    })
}

#[cfg(not(target_arch = "wasm32"))]
/// [`accumulate_grads`] for a chunk grouped by pixel: each column of `dW` is summed in registers
/// over the examples that have the pixel set, reading their (padded, scaled) `dZ` from the L1 cache.
#[multiversion(targets("x86_64+avx512f+avx512vl+avx2+fma", "x86_64+avx2+fma"))]
pub fn accumulate_grads_chunk(grads: &mut [f32], dz: &[f32], x: PreparedChunk, scale: f32, padded: &mut Padded, outputs: usize) {
    with_groups!(outputs, G => {
        // Room for 256 examples whatever the chunk's length: an image number is a byte, so with an
        // array of 256 the compiler drops the bounds checks from the loop below.
        padded.examples.clear();
        padded.examples.resize(256 * 4 * G, 0.0);
        let d: &mut [Column<G>; 256] = as_columns_mut::<G>(&mut padded.examples).try_into().expect("256 columns");
        for (d, dz) in d.iter_mut().zip(dz[..outputs * x.len()].chunks_exact(outputs)) {
            for (d, &g) in d.as_flattened_mut().iter_mut().zip(dz) {
                *d = scale * g;
            }
        }
        let d = &*d;
        for (i, column) in grads.chunks_exact_mut(outputs).enumerate() {
            let (images, values) = x.entries(i);
            if images.is_empty() {
                continue;
            }
            let mut acc = [[0.0f32; 4]; G];
            let (image_pairs, last_image) = images.as_chunks::<2>();
            let (value_pairs, last_value) = values.as_chunks::<2>();
            for (&[j0, j1], &[v0, v1]) in image_pairs.iter().zip(value_pairs) {
                add_pair(&mut acc, PIXEL_VALUES[v0 as usize], &d[j0 as usize], PIXEL_VALUES[v1 as usize], &d[j1 as usize]);
            }
            if let (Some(&j), Some(&v)) = (last_image.first(), last_value.first()) {
                add_scaled(&mut acc, PIXEL_VALUES[v as usize], &d[j as usize]);
            }
            for (g, a) in column.iter_mut().zip(acc.as_flattened()) {
                *g += a;
            }
        }
    })
}

/// A narrow layer's weight columns read `4·G` floats at a time: column `i` and, past its `outputs`
/// values, the start of column `i + 1` — lanes the forward pass computes and then drops. Reading
/// in place beats copying into padded columns: no copy per chunk, and 31 KB of weights (784 × 10)
/// instead of 37 KB, which matters against a 32 KB L1 cache. The copy here is W plus `4·G` zeros
/// for the last column to read into.
#[derive(Clone, Copy)]
struct Columns<'a, const G: usize> {
    data: &'a [f32],
    stride: usize,
}

impl<'a, const G: usize> Columns<'a, G> {
    #[inline(always)]
    fn new(w: &[f32], outputs: usize, buffer: &'a mut Vec<f32>) -> Self {
        buffer.clear();
        buffer.extend_from_slice(w);
        buffer.resize(w.len() + 4 * G, 0.0);
        Columns { data: buffer, stride: outputs }
    }

    #[inline(always)]
    fn get(self, i: usize) -> &'a Column<G> {
        let start = i * self.stride;
        self.data[start..start + 4 * G].as_chunks::<4>().0.try_into().expect("G groups of 4")
    }
}

#[inline(always)]
fn add_scaled<const G: usize>(acc: &mut Column<G>, v: f32, column: &Column<G>) {
    for (acc, column) in acc.iter_mut().zip(column) {
        for k in 0..4 {
            acc[k] += v * column[k];
        }
    }
}

/// `acc += v0·c0 + v1·c1`.
#[inline(always)]
fn add_pair<const G: usize>(acc: &mut Column<G>, v0: f32, c0: &Column<G>, v1: f32, c1: &Column<G>) {
    for ((acc, c0), c1) in acc.iter_mut().zip(c0).zip(c1) {
        for k in 0..4 {
            acc[k] += v0 * c0[k] + v1 * c1[k];
        }
    }
}

/// A non-zero input as stored: its position (`u32` in an [`InputBatch`], `u16` in prepared MNIST
/// lists) and its value (`f32`, or the pixel's byte).
trait Position: Copy {
    fn position(self) -> usize;
}
impl Position for u32 {
    #[inline(always)]
    fn position(self) -> usize {
        self as usize
    }
}
impl Position for u16 {
    #[inline(always)]
    fn position(self) -> usize {
        self as usize
    }
}
trait Value: Copy {
    fn value(self) -> f32;
}
impl Value for f32 {
    #[inline(always)]
    fn value(self) -> f32 {
        self
    }
}
impl Value for u8 {
    #[inline(always)]
    fn value(self) -> f32 {
        PIXEL_VALUES[self as usize]
    }
}

/// `z[:, j] = b + Σ v·W[:, i]` over example `j`'s non-zeros `(i, v)` from `nonzeros(j)`.
#[inline(always)]
fn forward_padded<'a, const G: usize, I: Position + 'a, V: Value + 'a>(
    w: Columns<G>,
    bias: &Column<G>,
    nonzeros: impl Fn(usize) -> (&'a [I], &'a [V]),
    z: &mut [f32],
    outputs: usize,
) {
    for (j, z_column) in z.chunks_exact_mut(outputs).enumerate() {
        let (indices, values) = nonzeros(j);
        let mut acc = *bias;
        // Two non-zeros at a time, summed before they join the accumulator: half as long a chain
        // of dependent additions.
        let (index_pairs, last_index) = indices.as_chunks::<2>();
        let (value_pairs, last_value) = values.as_chunks::<2>();
        for (&[i0, i1], &[v0, v1]) in index_pairs.iter().zip(value_pairs) {
            add_pair(&mut acc, v0.value(), w.get(i0.position()), v1.value(), w.get(i1.position()));
        }
        if let (Some(&i), Some(&v)) = (last_index.first(), last_value.first()) {
            add_scaled(&mut acc, v.value(), w.get(i.position()));
        }
        z_column.copy_from_slice(&acc.as_flattened()[..outputs]);
    }
}

#[inline(always)]
fn grads_padded<const G: usize>(g: &mut [Column<G>], dz: &[f32], x: &InputBatch, scale: f32, outputs: usize) {
    for (j, dz_column) in dz[..outputs * x.len()].chunks_exact(outputs).enumerate() {
        let mut d = [[0.0f32; 4]; G];
        for (d, &dz) in d.as_flattened_mut().iter_mut().zip(dz_column) {
            *d = scale * dz;
        }
        let (indices, values) = x.nonzeros(j);
        for (&i, &v) in indices.iter().zip(values) {
            add_scaled(&mut g[i as usize], v, &d);
        }
    }
}
