//! A fully connected layer: `Z = W·X + b`, with its gradients written by hand.
//!
//! Shapes follow the original project: `W` is outputs × inputs, `X` holds one example per column
//! (inputs × m), `Z` is outputs × m. Matrices are column-major, so one example — and one column of
//! `W`, the weights leaving one input — is a contiguous slice.

mod narrow;

/// Whether the `narrow` kernels (one pass over the non-zeros, columns as 4-lane groups) take a
/// layer of this many outputs.
pub fn is_narrow(outputs: usize) -> bool {
    narrow::takes(outputs)
}

use crate::batch::{ByInput, InputBatch};
#[cfg(not(target_arch = "wasm32"))]
use crate::nonzeros::PreparedChunk;
use nalgebra::{DMatrix, DMatrixView, DMatrixViewMut, DVector, Dyn, Matrix, Storage};
use rand::Rng;
use rand_distr::{Distribution, Normal};

#[derive(Debug, Clone, PartialEq)]
pub struct Dense {
    /// outputs × inputs.
    pub weights: DMatrix<f32>,
    pub biases: DVector<f32>,
    /// `∂L/∂W`, accumulated by the backward pass and consumed by the optimiser.
    pub weight_grads: DMatrix<f32>,
    pub bias_grads: DVector<f32>,
}

/// Scratch buffers of the sparse first-layer products, kept between batches (the training loop
/// allocates nothing per step).
#[derive(Debug, Clone, Default)]
pub struct SparseScratch {
    /// The batch's non-zeros grouped by input, for a wide layer's weight gradient.
    by_input: ByInput,
    /// Padded weights and gradients of a narrow layer.
    narrow: narrow::Padded,
}

/// `y += a·x` on equal-length slices; the loop the compiler turns into SIMD.
#[inline]
fn axpy(y: &mut [f32], a: f32, x: &[f32]) {
    for (y, &x) in y.iter_mut().zip(x) {
        *y += a * x;
    }
}

/// `C = α·A·B + β·C`, where `A` or `B` may be a strided (transposed) view.
///
/// Large products go through nalgebra's matrixmultiply path, which handles any strides. When a side
/// is 5 or less nalgebra 0.35 falls back to column-by-column `gemv`, whose `axcpy` walks a strided
/// column by its memory span instead of its length — out of bounds. So small products get contiguous
/// copies of their operands first (small means cheap, and it is rare: a batch of ≤ 5 or a tiny layer).
fn gemm<SA, SB>(c: &mut DMatrixViewMut<f32>, alpha: f32, a: &Matrix<f32, Dyn, Dyn, SA>, b: &Matrix<f32, Dyn, Dyn, SB>, beta: f32)
where
    SA: Storage<f32, Dyn, Dyn>,
    SB: Storage<f32, Dyn, Dyn>,
{
    const SMALL_DIM: usize = 5;
    if c.nrows() > SMALL_DIM && c.ncols() > SMALL_DIM && a.nrows() > SMALL_DIM && a.ncols() > SMALL_DIM {
        c.gemm(alpha, a, b, beta);
    } else {
        c.gemm(alpha, &a.clone_owned(), &b.clone_owned(), beta);
    }
}

/// `z[o..o+B] = b[o..o+B] + Σ_k v_k · W[o..o+B, i_k]`, the accumulator kept in registers.
#[inline(always)]
fn sparse_dot_block<const B: usize>(
    w: &[f32],
    outputs: usize,
    o: usize,
    indices: &[u32],
    values: &[f32],
    b: &[f32],
    z: &mut [f32],
) {
    let mut acc: [f32; B] = b[o..o + B].try_into().expect("a block of B");
    for (&i, &v) in indices.iter().zip(values) {
        let start = i as usize * outputs + o;
        let w: &[f32; B] = w[start..start + B].try_into().expect("a block of B");
        for k in 0..B {
            acc[k] += v * w[k];
        }
    }
    z[o..o + B].copy_from_slice(&acc);
}

/// `column[o..o+B] += scale · Σ_k v_k · dZ[o..o+B, j_k]`, the accumulator kept in registers.
#[inline(always)]
fn sparse_grad_block<const B: usize>(
    dz: &[f32],
    outputs: usize,
    o: usize,
    examples: &[u32],
    values: &[f32],
    scale: f32,
    column: &mut [f32],
) {
    let mut acc = [0.0f32; B];
    for (&j, &v) in examples.iter().zip(values) {
        let start = j as usize * outputs + o;
        let d: &[f32; B] = dz[start..start + B].try_into().expect("a block of B");
        for k in 0..B {
            acc[k] += v * d[k];
        }
    }
    for (c, a) in column[o..o + B].iter_mut().zip(acc) {
        *c += scale * a;
    }
}

/// A wide layer's outputs as the register-blocked kernels take them: blocks of 16 starting at
/// output 0, then at most one of 8 and one of 4, then `Rest` — the last 1–3 outputs — if any. The
/// forward pass and the weight gradient walk the same blocks.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Block {
    Of16(usize),
    Of8(usize),
    Of4(usize),
    Rest(usize),
}

/// The [`Block`]s of `outputs` outputs, in order (each holds its first output).
fn blocks(outputs: usize) -> impl Iterator<Item = Block> {
    let mut o = 0;
    std::iter::from_fn(move || {
        let (block, width) = match outputs - o {
            0 => return None,
            16.. => (Block::Of16(o), 16),
            8.. => (Block::Of8(o), 8),
            4.. => (Block::Of4(o), 4),
            left => (Block::Rest(o), left),
        };
        o += width;
        Some(block)
    })
}

/// [`sparse_grad_block`] for outputs `o..outputs` (fewer than 4), computed as the block of 4 that
/// ends at the last output.
#[inline(always)]
fn sparse_grad_block_tail(
    dz: &[f32],
    outputs: usize,
    o: usize,
    examples: &[u32],
    values: &[f32],
    scale: f32,
    column: &mut [f32],
) {
    let first = outputs - 4;
    let mut acc = [0.0f32; 4];
    for (&j, &v) in examples.iter().zip(values) {
        let start = j as usize * outputs + first;
        let d: &[f32; 4] = dz[start..start + 4].try_into().expect("a block of 4");
        for k in 0..4 {
            acc[k] += v * d[k];
        }
    }
    for k in (o - first)..4 {
        column[first + k] += scale * acc[k];
    }
}

impl Dense {
    /// He initialisation: `W ~ N(0, 2 / inputs)`, `b = 0`, which keeps the activations' variance
    /// steady through ReLU layers (He et al., 2015). The original project drew `U(−0.5, 0.5)`, which
    /// trains far more slowly.
    pub fn he(inputs: usize, outputs: usize, rng: &mut impl Rng) -> Self {
        let normal = Normal::new(0.0f32, (2.0 / inputs as f32).sqrt()).expect("a positive standard deviation");
        let weights = DMatrix::from_fn(outputs, inputs, |_, _| normal.sample(rng));
        Self::from_parameters(weights, DVector::zeros(outputs))
    }

    pub fn from_parameters(weights: DMatrix<f32>, biases: DVector<f32>) -> Self {
        assert_eq!(weights.nrows(), biases.len(), "one bias per output");
        let (outputs, inputs) = weights.shape();
        Dense { weights, biases, weight_grads: DMatrix::zeros(outputs, inputs), bias_grads: DVector::zeros(outputs) }
    }

    pub fn inputs(&self) -> usize {
        self.weights.ncols()
    }
    pub fn outputs(&self) -> usize {
        self.weights.nrows()
    }
    pub fn parameter_count(&self) -> usize {
        self.weights.len() + self.biases.len()
    }

    fn set_to_biases(&self, z: &mut [f32]) {
        // Callers pass exactly outputs × m values.
        for column in z.chunks_exact_mut(self.outputs()) {
            column.copy_from_slice(self.biases.as_slice());
        }
    }

    /// `Z = W·X + b` for a dense batch `X` (inputs × m, column-major in `x`); `z` holds outputs × m values.
    pub fn forward(&self, x: &[f32], m: usize, z: &mut [f32]) {
        let z = &mut z[..self.outputs() * m];
        self.set_to_biases(z);
        let x = DMatrixView::from_slice(&x[..self.inputs() * m], self.inputs(), m);
        let mut z = DMatrixViewMut::from_slice(z, self.outputs(), m);
        gemm(&mut z, 1.0, &self.weights, &x, 1.0);
    }

    /// `Z = W·X + b`, visiting only each example's non-zero inputs: column `j` of `Z` is
    /// `b + Σ_{i: x_ij ≠ 0} x_ij · W[:, i]`. Same result as [`Dense::forward`], less work on sparse input.
    ///
    /// The outputs are taken in blocks held in registers while all of the example's non-zero inputs
    /// are added in, so each weight is loaded once and `Z` is written once per block — rather than
    /// reading and writing `Z` for every input.
    ///
    /// Layers the `narrow` kernels take ([`is_narrow`]) go through them instead.
    pub fn forward_sparse(&self, x: &InputBatch, z: &mut [f32], scratch: &mut SparseScratch) {
        let outputs = self.outputs();
        let w = self.weights.as_slice();
        let b = self.biases.as_slice();
        if narrow::takes(outputs) {
            return narrow::forward(w, b, x, z, &mut scratch.narrow);
        }
        for (j, z_column) in z[..outputs * x.len()].chunks_exact_mut(outputs).enumerate() {
            let (indices, values) = x.nonzeros(j);
            for block in blocks(outputs) {
                match block {
                    Block::Of16(o) => sparse_dot_block::<16>(w, outputs, o, indices, values, b, z_column),
                    Block::Of8(o) => sparse_dot_block::<8>(w, outputs, o, indices, values, b, z_column),
                    Block::Of4(o) => sparse_dot_block::<4>(w, outputs, o, indices, values, b, z_column),
                    // The last 1–3 outputs: recompute a block of 4 ending at the last output. The
                    // overlap is written again with the same values.
                    Block::Rest(_) if outputs >= 4 => {
                        sparse_dot_block::<4>(w, outputs, outputs - 4, indices, values, b, z_column)
                    }
                    Block::Rest(o) => {
                        for o in o..outputs {
                            let mut acc = b[o];
                            for (&i, &v) in indices.iter().zip(values) {
                                acc += v * w[i as usize * outputs + o];
                            }
                            z_column[o] = acc;
                        }
                    }
                }
            }
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    /// [`Dense::forward_sparse`] for a chunk of images grouped by pixel (full-batch training).
    ///
    /// Only narrow layers ([`is_narrow`]) read prepared chunks: the trainer prepares them for no
    /// other, because the wide kernels gain nothing from the grouping. A wider layer here is a
    /// caller's mistake, and panics.
    pub fn forward_chunk(&self, x: PreparedChunk, z: &mut [f32], scratch: &mut SparseScratch) {
        let outputs = self.outputs();
        assert!(narrow::takes(outputs), "only narrow layers read prepared chunks ({outputs} outputs)");
        narrow::forward_chunk(self.weights.as_slice(), self.biases.as_slice(), x, z, &mut scratch.narrow);
    }

    #[cfg(not(target_arch = "wasm32"))]
    /// [`Dense::accumulate_grads_sparse`] for a chunk of images grouped by pixel; narrow layers only,
    /// as [`Dense::forward_chunk`].
    pub fn accumulate_grads_chunk(&mut self, dz: &[f32], x: PreparedChunk, scale: f32, scratch: &mut SparseScratch) {
        let (outputs, m) = (self.outputs(), x.len());
        assert!(narrow::takes(outputs), "only narrow layers read prepared chunks ({outputs} outputs)");
        narrow::accumulate_grads_chunk(self.weight_grads.as_mut_slice(), dz, x, scale, &mut scratch.narrow, outputs);
        let dz = DMatrixView::from_slice(&dz[..outputs * m], outputs, m);
        self.accumulate_bias_grads(dz, scale);
    }

    /// `dW += scale · dZ·Xᵀ` and `db += scale · Σ_j dZ[:, j]`.
    ///
    /// With `scale = 1/m` this is the seed's `dW = dZ·Aᵀ/m`, `db = Σ dZ/m`; a smaller scale lets the
    /// gradient of a batch too large for memory (full-batch gradient descent) be summed in chunks.
    pub fn accumulate_grads(&mut self, dz: &[f32], x: &[f32], m: usize, scale: f32) {
        let inputs = self.inputs();
        let dz = DMatrixView::from_slice(&dz[..self.outputs() * m], self.outputs(), m);
        // Xᵀ as a strided view of X's own memory: no copy, and gemm (unlike tr_mul) goes through
        // matrixmultiply's blocked kernel.
        let xt = DMatrixView::from_slice_with_strides(&x[..inputs * m], m, inputs, inputs, 1);
        gemm(&mut self.weight_grads.as_view_mut(), scale, &dz, &xt, 1.0);
        self.accumulate_bias_grads(dz, scale);
    }

    /// [`Dense::accumulate_grads`] over the non-zero inputs only: `dW[:, i] += scale · Σ_j x_ij · dZ[:, j]`.
    ///
    /// A wide layer has the batch's non-zeros grouped by input first, so that each column of `dW` is
    /// loaded and stored once; a narrow one adds into padded columns example by example (`narrow`).
    pub fn accumulate_grads_sparse(&mut self, dz: &[f32], x: &InputBatch, scale: f32, scratch: &mut SparseScratch) {
        let outputs = self.outputs();
        let m = x.len();
        if narrow::takes(outputs) {
            narrow::accumulate_grads(self.weight_grads.as_mut_slice(), dz, x, scale, &mut scratch.narrow, outputs);
            let dz = DMatrixView::from_slice(&dz[..outputs * m], outputs, m);
            self.accumulate_bias_grads(dz, scale);
            return;
        }
        scratch.by_input.build(x);
        let x = &scratch.by_input;
        let grads = self.weight_grads.as_mut_slice();
        for i in 0..x.inputs() {
            let (examples, values) = x.entries(i);
            if examples.is_empty() {
                continue;
            }
            let column = &mut grads[i * outputs..(i + 1) * outputs];
            for block in blocks(outputs) {
                match block {
                    Block::Of16(o) => sparse_grad_block::<16>(dz, outputs, o, examples, values, scale, column),
                    Block::Of8(o) => sparse_grad_block::<8>(dz, outputs, o, examples, values, scale, column),
                    Block::Of4(o) => sparse_grad_block::<4>(dz, outputs, o, examples, values, scale, column),
                    // The last 1–3 outputs: a block of 4 ending at the last output, of which only the
                    // outputs not yet done are added.
                    Block::Rest(o) if outputs >= 4 => sparse_grad_block_tail(dz, outputs, o, examples, values, scale, column),
                    Block::Rest(o) => {
                        for o in o..outputs {
                            let mut acc = 0.0;
                            for (&j, &v) in examples.iter().zip(values) {
                                acc += v * dz[j as usize * outputs + o];
                            }
                            column[o] += scale * acc;
                        }
                    }
                }
            }
        }
        let dz = DMatrixView::from_slice(&dz[..outputs * m], outputs, m);
        self.accumulate_bias_grads(dz, scale);
    }

    fn accumulate_bias_grads(&mut self, dz: DMatrixView<f32>, scale: f32) {
        for column in dz.column_iter() {
            axpy(self.bias_grads.as_mut_slice(), scale, column.as_slice());
        }
    }

    /// `dX = Wᵀ·dZ`: how the loss changes with this layer's inputs (inputs × m).
    pub fn input_grads(&self, dz: &[f32], m: usize, dx: &mut [f32]) {
        let (outputs, inputs) = (self.outputs(), self.inputs());
        let dz = DMatrixView::from_slice(&dz[..outputs * m], outputs, m);
        let wt = DMatrixView::from_slice_with_strides(self.weights.as_slice(), inputs, outputs, outputs, 1);
        let mut dx = DMatrixViewMut::from_slice(&mut dx[..inputs * m], inputs, m);
        gemm(&mut dx, 1.0, &wt, &dz, 0.0);
    }

    pub fn zero_grads(&mut self) {
        // On the slices: nalgebra's `fill` walks element by element, a slice fill is a memset.
        self.weight_grads.as_mut_slice().fill(0.0);
        self.bias_grads.as_mut_slice().fill(0.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};

    fn sparse_input(rng: &mut rand_pcg::Pcg64Mcg, inputs: usize, m: usize) -> InputBatch {
        let mut batch = InputBatch::with_capacity(inputs, m);
        for _ in 0..m {
            let values: Vec<f32> =
                (0..inputs).map(|_| if rng.random_bool(0.7) { 0.0 } else { rng.random_range(0.0..1.0) }).collect();
            batch.push(&values);
        }
        batch
    }

    #[test]
    fn sparse_and_dense_paths_agree() {
        // Narrow (≤ 16 outputs: every padded width 4, 8, 12, 16) and wide layers, batches with an
        // odd and an even number of examples, and one scratch reused across all of them.
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(7);
        let mut scratch = SparseScratch::default();
        for (outputs, m) in [(1, 3), (3, 9), (4, 2), (7, 9), (10, 8), (12, 5), (13, 9), (16, 4), (17, 9), (37, 6), (130, 3)] {
            let mut layer = Dense::he(50, outputs, &mut rng);
            layer.biases.iter_mut().for_each(|b| *b = rng.random_range(-1.0..1.0));
            let x = sparse_input(&mut rng, 50, m);

            let (mut z_dense, mut z_sparse) = (vec![0.0; outputs * m], vec![0.0; outputs * m]);
            layer.forward(x.dense_slice(), m, &mut z_dense);
            layer.forward_sparse(&x, &mut z_sparse, &mut scratch);
            for (a, b) in z_dense.iter().zip(&z_sparse) {
                assert!((a - b).abs() < 1e-5, "{outputs} outputs: {a} vs {b}");
            }

            let dz: Vec<f32> = (0..outputs * m).map(|_| rng.random_range(-1.0..1.0)).collect();
            // Gradients already holding something: both paths add to them.
            layer.weight_grads.iter_mut().for_each(|g| *g = rng.random_range(-1.0..1.0));
            let mut sparse = layer.clone();
            layer.accumulate_grads(&dz, x.dense_slice(), m, 0.5);
            sparse.accumulate_grads_sparse(&dz, &x, 0.5, &mut scratch);
            for (a, b) in layer.weight_grads.iter().zip(sparse.weight_grads.iter()) {
                assert!((a - b).abs() < 1e-5, "{outputs} outputs: {a} vs {b}");
            }
            assert_eq!(layer.bias_grads, sparse.bias_grads);
        }
    }

    #[test]
    fn blocks_cover_every_output_once_widest_first() {
        use Block::*;
        assert_eq!(blocks(0).count(), 0);
        assert_eq!(blocks(3).collect::<Vec<_>>(), [Rest(0)]);
        assert_eq!(blocks(13).collect::<Vec<_>>(), [Of8(0), Of4(8), Rest(12)]);
        assert_eq!(blocks(128).collect::<Vec<_>>(), (0..8).map(|k| Of16(16 * k)).collect::<Vec<_>>());
        assert_eq!(blocks(46).collect::<Vec<_>>(), [Of16(0), Of16(16), Of8(32), Of4(40), Rest(44)]);
    }

    #[test]
    fn input_grads_are_w_transpose_times_dz() {
        let w = DMatrix::from_row_slice(2, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        let layer = Dense::from_parameters(w, DVector::zeros(2));
        let mut dx = vec![0.0; 3];
        layer.input_grads(&[1.0, -1.0], 1, &mut dx);
        assert_eq!(dx, vec![1.0 - 4.0, 2.0 - 5.0, 3.0 - 6.0]);
    }
}
