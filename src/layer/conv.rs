//! A 2-D convolution over feature maps: `Z[o] = b[o] + Σ_c W[o, c] ⋆ X[c]` (cross-correlation, which
//! every framework calls convolution), k×k kernels, stride 1, valid or same (zero) padding.
//!
//! Layout, shared by every feature-map layer ([`MapShape`]): one example's maps are channel-major —
//! channel `c`, row `y`, column `x` at `(c·H + y)·W + x` — and a batch is m such blocks one after the
//! other, a (C·H·W) × m column-major matrix. That is exactly the batch a [`super::Dense`] layer reads,
//! so the step from the last feature maps into the dense layers ("flatten") moves no data.
//! The weights are a K × C_out matrix, K = C_in·k·k: column `o` is output channel `o`'s kernel,
//! contiguous, its taps ordered (c, ky, kx) — a kernel can be read off (or drawn) as one slice.
//!
//! The native kernel is im2col + gemm. Per example, the k×k patches are copied into `cols`, a P × K
//! column-major matrix (P = H_out·W_out positions; column `t` holds tap t = (c, ky, kx) at every
//! position, copied as contiguous row pieces), and `Z (P × C_out) = cols · W` is then the
//! channel-major output itself, with no transpose. Backward: `dW += scale · colsᵀ·dZ`,
//! `db[o] += scale · Σ_p dZ[p, o]`, and `dX` is `dcols = dZ·Wᵀ` added back onto the patches (col2im).
//! For the gemm weight gradient ([`ConvMethod::Gemm`]), the forward pass keeps every example's
//! patches for the backward pass, which reads them instead of copying them a second time, while
//! the batch's take at most [`KEPT_PATCHES`] values (P·K per
//! example: 14,400 — 57.6 KB — for a 5×5 first layer on MNIST, 1.8 MB for the ConvNet preset's
//! batch of 32); a larger batch has its patches copied again, so that memory stays bounded.
//!
//! Why im2col + gemm: against a direct kernel — for each output channel, input channel and tap, one
//! `z_row += w · x_row` per output row, which the compiler vectorises — im2col's forward pass was 2×
//! faster on MNIST's first layer (1×28×28 → 8 channels, 5×5: 16 against 32 µs per example), 3.5×
//! on the second (8×12×12 → 16, 5×5: 21 against 72 µs) and 9× at 16 → 32 channels (55 against
//! 477 µs): the copy costs K·P per example, the product K·P·C_out, and matrixmultiply's blocked
//! kernel keeps its operands in registers where the direct loops reload a row of Z per tap.
//! (Native, x86-64, CPU time at batch 32, on a shared and busy machine.)
//!
//! WebAssembly uses a second kind of kernel, [`ConvMethod::Direct`], for the forward pass and the
//! weight gradient: sums made in registers straight from the input rows, 128-bit lanes, no patches
//! and no packing — tiles of 4 output channels × 8 positions of a row for Z (each tap: two input row
//! pieces times four weights), and of 4 taps × 2 output channels for dW (each weight a sum over the
//! batch of input row pieces times gradient row pieces). There matrixmultiply's 8×8 kernel, its
//! packing of strided patches and its masked edge tiles cost more than natively, and the patch
//! copies go. [`ConvMethod::FASTEST`] has the figures. Tried and left out: a direct input gradient
//! that added each tap's product into the input gradient in place was 3× slower than gemm + col2im
//! (each store overlapped the next load). The plain nested loops of `tests/conv.rs` are the
//! reference every kernel is held to.
//! A whole training step of LeNet-like `c8k5-p2-c16k5-p2-128` (forward, backward, Adam, batch 32)
//! first took about 1.3 s per 10,000 examples natively, 13× the default MLP's 0.1 s. Copying the
//! patches as whole row pieces (here and in col2im) brought it to 0.8 s of CPU time per 10,000
//! (`train --preset convnet --limit 20000 --epochs 1`: 12,500 examples per CPU-second, the MLP
//! 96,000; 2026-11-28, Intel Xeon, the other core busy). `perf` then shared the run between
//! matrixmultiply's kernels (≈ 26 %), its packing (≈ 16 %), the patch copies (≈ 24 %: twice per
//! training example, forward and backward) and the map layers' own loops (≈ 11 %). Keeping the
//! forward pass's patches for the backward one took the copies to ≈ 18 % of a shorter run (the
//! fastest of 7 and 8 alternating runs: 1.46 → 1.39 s of CPU time for 20,000 examples; the machine's
//! noise is of the same size, so the browser benchmark's ratio to TF.js is the figure to read). The
//! next step would be packing the patches straight into the layout the gemm kernel reads, which
//! would also save matrixmultiply's own copy of them.

use super::quad::Quad;
use super::{gemm, strided, MapShape};
use crate::error::{Error, Result};
use nalgebra::{DMatrix, DMatrixView, DMatrixViewMut, DVector};
use rand::Rng;
use rand_distr::{Distribution, Normal};

/// Where the kernel may sit: wholly inside the map (`Valid`: the map shrinks by k − 1), or centred on
/// every pixel with zeros outside (`Same`: the map keeps its size; odd k only, so the centre is a pixel).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Padding {
    Valid,
    Same,
}

/// How a convolution computes its forward pass and weight gradient (the input gradient is
/// im2col + gemm always). Both are held to the same nested-loop reference (`tests/conv.rs`) on
/// every build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConvMethod {
    /// `colsᵀ·dZ` per example, from the patches (the module doc), for any layer.
    Gemm,
    /// Register tiles straight over the input and gradient rows, no patches, for the layers they fit
    /// (valid padding, 8s of output channels and of output columns); others use `Gemm`.
    Direct,
}

impl ConvMethod {
    /// The faster of the two on this build, measured on the ConvNet preset (batch 32, plain SGD,
    /// 2026-11-29, AMD EPYC, Chromium): in WebAssembly `Direct` trains 15,000–15,300 examples a
    /// second (three runs), against 12,400–13,200 with only the weight gradient direct and 11,100
    /// with `Gemm` — the weight gradient takes a third less time, and the forward pass copies no
    /// patches and keeps none for the backward pass; natively matrixmultiply's AVX kernels win — 1.38 against
    /// 1.83 s of CPU time for `train --preset convnet --limit 20000 --epochs 1` with both passes
    /// direct — so native builds, and the pretrained model they make, keep `Gemm`.
    pub const FASTEST: ConvMethod =
        if cfg!(all(target_arch = "wasm32", target_feature = "simd128")) { ConvMethod::Direct } else { ConvMethod::Gemm };
}

#[derive(Debug, Clone, PartialEq)]
pub struct Conv2d {
    pub input: MapShape,
    pub kernel: usize,
    pub padding: Padding,
    /// Which kernel the weight gradient uses ([`ConvMethod::FASTEST`] unless a test picks one).
    pub method: ConvMethod,
    /// K × C_out, K = C_in·k·k (see the module doc).
    pub weights: DMatrix<f32>,
    /// One per output channel.
    pub biases: DVector<f32>,
    pub weight_grads: DMatrix<f32>,
    pub bias_grads: DVector<f32>,
}

/// The most patch values a layer keeps from its forward pass for its backward pass (4 MB): batches
/// of 32 and 64 fit in both layers of the ConvNet preset (64 examples: 921,600 and 819,200 values);
/// a batch of 256 would need 15 MB for the first layer alone, and WebAssembly memory never shrinks.
pub const KEPT_PATCHES: usize = 1 << 20;

/// One layer's patch matrices, kept between batches (nothing is allocated per step).
#[derive(Debug, Clone, Default)]
pub struct ConvScratch {
    /// The last forward pass's patches: one P × K block per example when they fit in
    /// [`KEPT_PATCHES`], else one block reused for every example.
    cols: Vec<f32>,
    /// The input (its address) and batch size whose patches `cols` holds for every example: the
    /// backward pass of the same batch reads them instead of copying them again.
    kept: Option<(usize, usize)>,
    dcols: Vec<f32>,
}

impl ConvScratch {
    /// How many patch values it holds: one example's after a pass that only reads, a batch's after
    /// a forward pass that kept them for the backward pass.
    pub fn patch_values(&self) -> usize {
        self.cols.len()
    }
}

impl Conv2d {
    /// The output shape of a k×k convolution with `channels` outputs over `input`, or why there is none.
    pub fn output_shape(input: MapShape, channels: usize, kernel: usize, padding: Padding) -> Result<MapShape> {
        if channels == 0 || kernel == 0 {
            return Err(Error::Config("a convolution needs at least 1 channel and a kernel of at least 1".into()));
        }
        match padding {
            Padding::Same if kernel.is_multiple_of(2) => Err(Error::Config(format!(
                "same padding needs an odd kernel (got {kernel}), so that it is centred on a pixel"
            ))),
            Padding::Same => Ok(Self::shape_after(input, channels, kernel, padding)),
            Padding::Valid if kernel > input.height || kernel > input.width => Err(Error::Config(format!(
                "a {kernel}×{kernel} kernel does not fit a {}×{} map",
                input.height, input.width
            ))),
            Padding::Valid => Ok(Self::shape_after(input, channels, kernel, padding)),
        }
    }

    /// The output shape of a convolution already checked by [`Conv2d::output_shape`]. Infallible, so
    /// that the training path carries no error formatting (WebAssembly size).
    fn shape_after(input: MapShape, channels: usize, kernel: usize, padding: Padding) -> MapShape {
        match padding {
            Padding::Same => MapShape { channels, ..input },
            Padding::Valid => MapShape { channels, height: input.height - kernel + 1, width: input.width - kernel + 1 },
        }
    }

    /// He initialisation over the fan-in C_in·k·k (as [`super::Dense::he`]), biases 0.
    pub fn he(input: MapShape, channels: usize, kernel: usize, padding: Padding, rng: &mut impl Rng) -> Result<Self> {
        Self::output_shape(input, channels, kernel, padding)?;
        let taps = input.channels * kernel * kernel;
        let normal = Normal::new(0.0f32, (2.0 / taps as f32).sqrt()).expect("a positive standard deviation");
        let weights = DMatrix::from_fn(taps, channels, |_, _| normal.sample(rng));
        Ok(Conv2d {
            input,
            kernel,
            padding,
            method: ConvMethod::FASTEST,
            weight_grads: DMatrix::zeros(taps, channels),
            bias_grads: DVector::zeros(channels),
            weights,
            biases: DVector::zeros(channels),
        })
    }

    pub fn output(&self) -> MapShape {
        Self::shape_after(self.input, self.biases.len(), self.kernel, self.padding)
    }
    pub fn parameter_count(&self) -> usize {
        self.weights.len() + self.biases.len()
    }
    fn taps(&self) -> usize {
        self.weights.nrows()
    }
    fn pad(&self) -> usize {
        match self.padding {
            Padding::Valid => 0,
            Padding::Same => self.kernel / 2,
        }
    }

    /// `Z = W ⋆ X + b` for m examples: `x` holds input.len() × m values, `z` gets output.len() × m.
    /// `for_backward`: the backward pass of this batch follows, so the patches are kept for it (when
    /// they fit in [`KEPT_PATCHES`]); a pass that only reads makes one example's at a time.
    pub fn forward(&self, x: &[f32], m: usize, z: &mut [f32], scratch: &mut ConvScratch, for_backward: bool) {
        let (inputs, out) = (self.input.len(), self.output());
        let positions = out.height * out.width;
        let block = positions * self.taps();
        if self.is_direct() {
            self.forward_direct(&x[..inputs * m], &mut z[..out.len() * m]);
            return;
        }
        let keep = for_backward && block * m <= KEPT_PATCHES;
        scratch.cols.resize(if keep { block * m } else { block }, 0.0);
        scratch.kept = keep.then_some((x.as_ptr() as usize, m));
        for (e, (x, z)) in x[..inputs * m].chunks_exact(inputs).zip(z[..out.len() * m].chunks_exact_mut(out.len())).enumerate() {
            let cols = &mut scratch.cols[if keep { e * block } else { 0 }..][..block];
            self.patches(x, cols);
            for (z, &b) in z.chunks_exact_mut(positions).zip(self.biases.iter()) {
                z.fill(b);
            }
            let mut z = DMatrixViewMut::from_slice(z, positions, out.channels);
            let cols = DMatrixView::from_slice_with_strides(cols, positions, self.taps(), 1, positions);
            gemm(&mut z, 1.0, strided(&cols), strided(&self.weights), 1.0);
        }
    }

    /// `dW += scale · colsᵀ·dZ` and `db += scale · Σ_p dZ` over the batch (`dz`: output.len() × m).
    /// Right after the forward pass of the same `x` (and `m`), its kept patches are read again.
    pub fn accumulate_grads(&mut self, dz: &[f32], x: &[f32], m: usize, scale: f32, scratch: &mut ConvScratch) {
        let (inputs, out) = (self.input.len(), self.output());
        let (positions, taps) = (out.height * out.width, self.taps());
        let block = positions * taps;
        // The bias gradient is the same whichever kernel makes the weight gradient.
        for dz in dz[..out.len() * m].chunks_exact(out.len()) {
            for (g, dz) in self.bias_grads.iter_mut().zip(dz.chunks_exact(positions)) {
                *g += scale * lane_sum(dz);
            }
        }
        if self.is_direct() {
            self.accumulate_weight_grads_direct(&dz[..out.len() * m], &x[..inputs * m], scale);
            return;
        }
        let kept = scratch.kept == Some((x.as_ptr() as usize, m));
        if !kept {
            // The patches are copied below, over whatever an earlier forward pass kept.
            scratch.kept = None;
            scratch.cols.resize(block.max(scratch.cols.len()), 0.0);
        }
        for (e, (x, dz)) in x[..inputs * m].chunks_exact(inputs).zip(dz[..out.len() * m].chunks_exact(out.len())).enumerate() {
            let cols = if kept {
                &scratch.cols[e * block..][..block]
            } else {
                self.patches(x, &mut scratch.cols[..block]);
                &scratch.cols[..block]
            };
            let cols_t = DMatrixView::from_slice_with_strides(cols, taps, positions, positions, 1);
            let dz_view = DMatrixView::from_slice(dz, positions, out.channels);
            gemm(&mut self.weight_grads.as_view_mut(), scale, strided(&cols_t), strided(&dz_view), 1.0);
        }
    }

    /// `dX = Wᵀ ⋆ dZ` (the full correlation with the flipped kernels), written over `dx` (input.len() × m).
    pub fn input_grads(&self, dz: &[f32], m: usize, dx: &mut [f32], scratch: &mut ConvScratch) {
        let (inputs, out) = (self.input.len(), self.output());
        let (positions, taps) = (out.height * out.width, self.taps());
        scratch.dcols.resize(positions * taps, 0.0);
        let wt = DMatrixView::from_slice_with_strides(self.weights.as_slice(), out.channels, taps, taps, 1);
        for (dz, dx) in dz[..out.len() * m].chunks_exact(out.len()).zip(dx[..inputs * m].chunks_exact_mut(inputs)) {
            let mut dcols = DMatrixViewMut::from_slice(&mut scratch.dcols, positions, taps);
            gemm(&mut dcols, 1.0, strided(&DMatrixView::from_slice(dz, positions, out.channels)), strided(&wt), 0.0);
            dx.fill(0.0);
            self.add_patches(&scratch.dcols, dx);
        }
    }

    /// Whether the direct kernels below do this layer's forward pass and weight gradient: asked for,
    /// and the layer fits them — valid padding, output channels and output rows in eights (MNIST's
    /// LeNet: 24- and 8-wide rows, 8 and 16 channels).
    fn is_direct(&self) -> bool {
        self.method == ConvMethod::Direct
            && self.padding == Padding::Valid && self.biases.len().is_multiple_of(8) && self.output().width.is_multiple_of(8)
    }

    /// `Z = W ⋆ X + b` without patches: tiles of 4 output channels × 8 positions of a row, summed in
    /// registers over every tap (each tap: two input row pieces times four weights).
    fn forward_direct(&self, x: &[f32], z: &mut [f32]) {
        let out = self.output();
        for (x, z) in x.chunks_exact(self.input.len()).zip(z.chunks_exact_mut(out.len())) {
            for o in (0..out.channels).step_by(4) {
                for oy in 0..out.height {
                    for ox in (0..out.width).step_by(8) {
                        self.forward_tile(x, z, o, oy, ox);
                    }
                }
            }
        }
    }

    /// Output channels `o..o + 4` at positions `ox..ox + 8` of output row `oy`, for one example.
    fn forward_tile(&self, x: &[f32], z: &mut [f32], o: usize, oy: usize, ox: usize) {
        let (k, h, w) = (self.kernel, self.input.height, self.input.width);
        let (taps, positions) = (self.taps(), self.output().height * self.output().width);
        let kernels: [&[f32]; 4] = std::array::from_fn(|j| &self.weights.as_slice()[(o + j) * taps..][..taps]);
        let mut acc: [[Quad; 2]; 4] = std::array::from_fn(|j| [Quad::splat(self.biases[o + j]); 2]);
        for (c, x) in x.chunks_exact(h * w).enumerate() {
            for ky in 0..k {
                // The k + 7 input values that the 8 positions' taps of this kernel row read.
                let row = &x[(oy + ky) * w + ox..][..k + 7];
                let tap = (c * k + ky) * k;
                let weights: [&[f32]; 4] = std::array::from_fn(|j| &kernels[j][tap..][..k]);
                for kx in 0..k {
                    let (x0, x1) = (Quad::load(&row[kx..]), Quad::load(&row[kx + 4..]));
                    for (acc, weights) in acc.iter_mut().zip(weights) {
                        let wv = Quad::splat(weights[kx]);
                        acc[0] = acc[0].mul_add(x0, wv);
                        acc[1] = acc[1].mul_add(x1, wv);
                    }
                }
            }
        }
        for (j, [a0, a1]) in acc.into_iter().enumerate() {
            let z = &mut z[(o + j) * positions + oy * self.output().width + ox..][..8];
            a0.store(&mut z[..4]);
            a1.store(&mut z[4..]);
        }
    }

    /// `dW += scale · Σ_examples colsᵀ·dZ` without patches: each weight is a sum over the batch of
    /// input row pieces times gradient row pieces. Tiles of 4 taps × 2 output channels are summed in
    /// registers over every position of every example, and added into the gradient once.
    fn accumulate_weight_grads_direct(&mut self, dz: &[f32], x: &[f32], scale: f32) {
        for o in (0..self.output().channels).step_by(2) {
            for t in (0..self.taps()).step_by(4) {
                self.weight_grad_tile(dz, x, scale, o, t);
            }
        }
    }

    /// Taps `t..t + 4` of output channels `o` and `o + 1` — four tiles of sums, a number fixed so
    /// that they stay in registers. Past the last tap, a tile repeats it and drops those sums (one
    /// code path for the tail keeps the WebAssembly file small).
    fn weight_grad_tile(&mut self, dz: &[f32], x: &[f32], scale: f32, o: usize, t: usize) {
        let out = self.output();
        let (k, h, w) = (self.kernel, self.input.height, self.input.width);
        let (taps, positions, width) = (self.taps(), out.height * out.width, out.width);
        // Where each tap's row piece for output row 0 starts in an example's input.
        let starts: [usize; 4] = std::array::from_fn(|i| {
            let tap = (t + i).min(taps - 1);
            (tap / (k * k) * h + tap / k % k) * w + tap % k
        });
        let mut acc = [[Quad::splat(0.0); 2]; 4];
        for (x, dz) in x.chunks_exact(self.input.len()).zip(dz.chunks_exact(out.len())) {
            let (dz0, dz1) = (&dz[o * positions..][..positions], &dz[(o + 1) * positions..][..positions]);
            for oy in 0..out.height {
                let (d_row0, d_row1) = (&dz0[oy * width..][..width], &dz1[oy * width..][..width]);
                let rows: [&[f32]; 4] = std::array::from_fn(|i| &x[starts[i] + oy * w..][..width]);
                for ox in (0..width).step_by(4) {
                    let (d0, d1) = (Quad::load(&d_row0[ox..]), Quad::load(&d_row1[ox..]));
                    for (acc, row) in acc.iter_mut().zip(rows) {
                        let xv = Quad::load(&row[ox..]);
                        acc[0] = acc[0].mul_add(xv, d0);
                        acc[1] = acc[1].mul_add(xv, d1);
                    }
                }
            }
        }
        let grads = self.weight_grads.as_mut_slice();
        for (i, [a0, a1]) in acc.into_iter().enumerate().take(taps - t) {
            grads[o * taps + t + i] += scale * a0.sum();
            grads[(o + 1) * taps + t + i] += scale * a1.sum();
        }
    }

    pub fn zero_grads(&mut self) {
        self.weight_grads.as_mut_slice().fill(0.0);
        self.bias_grads.as_mut_slice().fill(0.0);
    }

    /// im2col: one example's patches as a P × K column-major matrix, written over all of `cols`
    /// (zeros where a tap falls in the padding). Each (tap, output row) is one contiguous copy of an
    /// input row piece.
    fn patches(&self, x: &[f32], cols: &mut [f32]) {
        let out = self.output();
        let (k, pad) = (self.kernel, self.pad());
        let (h, w) = (self.input.height, self.input.width);
        let positions = out.height * out.width;
        debug_assert_eq!(cols.len(), positions * self.taps());
        if pad == 0 {
            // Valid padding, the usual case: every row piece is whole, so there are no zeros to write
            // and nothing to clip (a fifth less time for the patches of MNIST's LeNet).
            for (tap, column) in cols.chunks_exact_mut(positions).enumerate() {
                let (c, ky, kx) = (tap / (k * k), tap / k % k, tap % k);
                let first = (c * h + ky) * w + kx;
                for (row, from) in column.chunks_exact_mut(out.width).zip(x[first..].chunks(w)) {
                    copy_short(row, &from[..out.width]);
                }
            }
            return;
        }
        for tap in 0..self.taps() {
            let (c, ky, kx) = (tap / (k * k), tap / k % k, tap % k);
            let (first_x, last_x) = row_piece(kx, pad, w, out.width);
            for oy in 0..out.height {
                let row = &mut cols[tap * positions + oy * out.width..][..out.width];
                match (oy + ky).checked_sub(pad).filter(|&iy| iy < h) {
                    None => row.fill(0.0),
                    Some(iy) => {
                        row[..first_x].fill(0.0);
                        row[last_x..].fill(0.0);
                        let start = (c * h + iy) * w + first_x + kx - pad;
                        copy_short(&mut row[first_x..last_x], &x[start..start + (last_x - first_x)]);
                    }
                }
            }
        }
    }

    /// col2im: `dx += ` every patch column of `dcols` put back where it was copied from.
    fn add_patches(&self, dcols: &[f32], dx: &mut [f32]) {
        let out = self.output();
        let (k, pad) = (self.kernel, self.pad());
        let (h, w) = (self.input.height, self.input.width);
        let positions = out.height * out.width;
        if pad == 0 {
            // Valid padding: every row piece is whole, as in `patches` (col2im was a twentieth of a
            // ConvNet's training step in Chromium with the clipping below).
            for (tap, column) in dcols.chunks_exact(positions).enumerate() {
                let (c, ky, kx) = (tap / (k * k), tap / k % k, tap % k);
                let first = (c * h + ky) * w + kx;
                for (row, to) in column.chunks_exact(out.width).zip(dx[first..].chunks_mut(w)) {
                    for (d, &g) in to[..out.width].iter_mut().zip(row) {
                        *d += g;
                    }
                }
            }
            return;
        }
        for tap in 0..self.taps() {
            let (c, ky, kx) = (tap / (k * k), tap / k % k, tap % k);
            let (first_x, last_x) = row_piece(kx, pad, w, out.width);
            let n = last_x - first_x;
            for oy in 0..out.height {
                let Some(iy) = (oy + ky).checked_sub(pad).filter(|&iy| iy < h) else { continue };
                let from = tap * positions + oy * out.width + first_x;
                let to = (c * h + iy) * w + first_x + kx - pad;
                // As slices, not indices: no bounds check per value, and the adds vectorise (this
                // loop was a tenth of a ConvNet's training step as scalar adds).
                for (d, &g) in dx[to..to + n].iter_mut().zip(&dcols[from..from + n]) {
                    *d += g;
                }
            }
        }
    }
}

/// The sum of `values` in eight running sums, which vectorise (a plain sum is one long chain of
/// dependent adds, which the compiler may not reorder): a convolution's bias gradient sums each
/// channel's 576 or 64 values per example.
fn lane_sum(values: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 8];
    let chunks = values.chunks_exact(8);
    let rest: f32 = chunks.remainder().iter().sum();
    for chunk in chunks {
        for (lane, &v) in lanes.iter_mut().zip(chunk) {
            *lane += v;
        }
    }
    lanes.iter().sum::<f32>() + rest
}

/// `to.copy_from_slice(from)` for the short rows of a patch (8 or 24 values on MNIST's LeNet):
/// `copy_from_slice` calls `memcpy` (natively a libc call, in WebAssembly `memory.copy`), and for
/// 32 bytes the call cost as much as the copy — natively 14 % of a ConvNet's training time went to
/// it (`perf`). Copied four values at a time instead, which compiles to plain vector moves.
#[inline]
fn copy_short(to: &mut [f32], from: &[f32]) {
    let mut to_quads = to.chunks_exact_mut(4);
    let mut from_quads = from.chunks_exact(4);
    for (t, f) in (&mut to_quads).zip(&mut from_quads) {
        let quad: [f32; 4] = f.try_into().expect("chunks of 4");
        t.copy_from_slice(&quad);
    }
    for (t, f) in to_quads.into_remainder().iter_mut().zip(from_quads.remainder()) {
        *t = *f;
    }
}

/// The output columns `first..last` whose tap `kx` (with padding `pad`) lands inside a row of `width`.
fn row_piece(kx: usize, pad: usize, width: usize, out_width: usize) -> (usize, usize) {
    let first = pad.saturating_sub(kx).min(out_width);
    let last = (width + pad).saturating_sub(kx).min(out_width);
    (first, last.max(first))
}
