//! A fully connected layer: `Z = W·X + b`, with its gradients written by hand.
//!
//! Shapes follow the original project: `W` is outputs × inputs, `X` holds one example per column
//! (inputs × m), `Z` is outputs × m. Matrices are column-major, so one example — and one column of
//! `W`, the weights leaving one input — is a contiguous slice.
//!
//! The feature-map layers of a ConvNet (`conv`, `pool`, gathered under one enum in `maps`) follow
//! the same protocol and the same batch layout: one example per column, its maps flattened
//! channel-major, so that the last of them feeds a `Dense` layer as it is.

// The sparse first-layer kernels by width. Public so that tests can hold each one, at every width
// it is compiled for, against a plain loop (tests/kernels.rs); the network reaches them through `Dense`.
pub mod narrow;
pub mod wide;

pub mod conv;
pub mod maps;
pub mod pool;
mod quad;

pub use conv::{Conv2d, ConvMethod, ConvScratch, Padding, KEPT_PATCHES};
pub use maps::{MapBuffers, MapLayer, MapShape};
pub use pool::MaxPool2;

/// Whether the `narrow` kernels (one pass over the non-zeros, columns as 4-lane groups) take a
/// layer of this many outputs.
pub fn is_narrow(outputs: usize) -> bool {
    narrow::takes(outputs)
}

use crate::batch::{ByInput, InputBatch};
#[cfg(not(target_arch = "wasm32"))]
use crate::nonzeros::PreparedChunk;
use nalgebra::constraint::{DimEq, ShapeConstraint};
use nalgebra::{DMatrix, DMatrixView, DMatrixViewMut, DVector, Dyn, Matrix, RawStorage};
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
fn gemm(c: &mut DMatrixViewMut<f32>, alpha: f32, a: StridedView, b: StridedView, beta: f32) {
    const SMALL_DIM: usize = 5;
    if c.nrows() > SMALL_DIM && c.ncols() > SMALL_DIM && a.nrows() > SMALL_DIM && a.ncols() > SMALL_DIM {
        c.gemm(alpha, &a, &b, beta);
    } else {
        // Contiguous copies, multiplied through the same instance (their row stride is 1 at run time).
        let (a, b) = (a.clone_owned(), b.clone_owned());
        c.gemm(alpha, &strided(&a), &strided(&b), beta);
    }
}

/// Every operand of [`gemm`] as one type — a view with run-time strides — so that nalgebra's product
/// is compiled once: each instance for another pair of operand types was 2 KB of WebAssembly.
type StridedView<'a> = DMatrixView<'a, f32, Dyn, Dyn>;

/// A matrix or view of any layout as a [`StridedView`].
fn strided<'a, S>(m: &'a Matrix<f32, Dyn, Dyn, S>) -> StridedView<'a>
where
    S: RawStorage<f32, Dyn, Dyn>,
    ShapeConstraint: DimEq<Dyn, S::RStride> + DimEq<Dyn, S::CStride>,
{
    m.as_view::<Dyn, Dyn, Dyn, Dyn>()
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
        gemm(&mut z, 1.0, strided(&self.weights), strided(&x), 1.0);
    }

    /// `Z = W·X + b`, visiting only each example's non-zero inputs: column `j` of `Z` is
    /// `b + Σ_{i: x_ij ≠ 0} x_ij · W[:, i]`. Same result as [`Dense::forward`], less work on sparse input.
    ///
    /// Layers the `narrow` kernels take ([`is_narrow`]) go through them, others through `wide`.
    pub fn forward_sparse(&self, x: &InputBatch, z: &mut [f32], scratch: &mut SparseScratch) {
        let (w, b) = (self.weights.as_slice(), self.biases.as_slice());
        if narrow::takes(self.outputs()) {
            narrow::forward(w, b, x, z, &mut scratch.narrow)
        } else {
            wide::forward(w, b, x, z)
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
        gemm(&mut self.weight_grads.as_view_mut(), scale, strided(&dz), strided(&xt), 1.0);
        self.accumulate_bias_grads(dz, scale);
    }

    /// [`Dense::accumulate_grads`] over the non-zero inputs only: `dW[:, i] += scale · Σ_j x_ij · dZ[:, j]`.
    ///
    /// A wide layer has the batch's non-zeros grouped by input first, so that each column of `dW` is
    /// loaded and stored once (`wide`); a narrow one adds into padded columns example by example (`narrow`).
    pub fn accumulate_grads_sparse(&mut self, dz: &[f32], x: &InputBatch, scale: f32, scratch: &mut SparseScratch) {
        let (outputs, m) = (self.outputs(), x.len());
        let grads = self.weight_grads.as_mut_slice();
        if narrow::takes(outputs) {
            narrow::accumulate_grads(grads, dz, x, scale, &mut scratch.narrow, outputs);
        } else {
            wide::accumulate_grads(grads, dz, x, scale, &mut scratch.by_input, outputs);
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
        gemm(&mut dx, 1.0, strided(&wt), strided(&dz), 0.0);
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

    #[test]
    fn input_grads_are_w_transpose_times_dz() {
        let w = DMatrix::from_row_slice(2, 3, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        let layer = Dense::from_parameters(w, DVector::zeros(2));
        let mut dx = vec![0.0; 3];
        layer.input_grads(&[1.0, -1.0], 1, &mut dx);
        assert_eq!(dx, vec![1.0 - 4.0, 2.0 - 5.0, 3.0 - 6.0]);
    }
}
