//! A batch of input examples, stored both densely and as lists of non-zero pixels.
//!
//! 81 % of MNIST pixels are exactly 0, and the first layer holds about 98 % of the network's
//! multiply-adds. Keeping each example's non-zero pixels lets the first layer touch only the weight
//! columns that matter (see [`crate::layer::Dense::forward_sparse`]), which cuts the work per example
//! several times over. The dense copy serves deeper layers, tests and inputs that are not sparse.

use crate::pixel::pixel_value;
use nalgebra::DMatrixView;

/// Up to `capacity` examples of `inputs` values each, one example per column.
#[derive(Debug, Clone)]
pub struct InputBatch {
    inputs: usize,
    capacity: usize,
    len: usize,
    /// inputs × capacity, column-major: example `j` is `dense[j*inputs..(j+1)*inputs]`.
    dense: Vec<f32>,
    nonzero_index: Vec<u32>,
    nonzero_value: Vec<f32>,
    /// Example `j`'s non-zeros are `offsets[j]..offsets[j+1]`.
    offsets: Vec<usize>,
    /// Every example so far has its dense column written (not so after [`InputBatch::push_nonzeros`]).
    dense_complete: bool,
}

impl InputBatch {
    pub fn with_capacity(inputs: usize, capacity: usize) -> Self {
        let mut offsets = Vec::with_capacity(capacity + 1);
        offsets.push(0);
        InputBatch {
            inputs,
            capacity,
            len: 0,
            dense: vec![0.0; inputs * capacity],
            nonzero_index: Vec::with_capacity(inputs * capacity / 4),
            nonzero_value: Vec::with_capacity(inputs * capacity / 4),
            offsets,
            dense_complete: true,
        }
    }

    pub fn clear(&mut self) {
        self.len = 0;
        self.nonzero_index.clear();
        self.nonzero_value.clear();
        self.offsets.truncate(1);
        self.dense_complete = true;
    }

    /// Adds one example given as bytes, scaled to `[0, 1]` ([`pixel_value`]).
    ///
    /// The hot path of gathering a batch, so both passes are branch-free: which pixels are non-zero
    /// is unpredictable, and a branch per pixel cost more than the network's own first layer.
    pub fn push_bytes(&mut self, pixels: &[u8]) {
        assert!(self.len < self.capacity, "InputBatch is full ({} examples)", self.capacity);
        assert_eq!(pixels.len(), self.inputs, "one value per input");
        let column = &mut self.dense[self.len * self.inputs..(self.len + 1) * self.inputs];
        for (d, &p) in column.iter_mut().zip(pixels) {
            *d = pixel_value(p);
        }
        // Compaction: write every pixel's entry, advance only past the non-zero ones.
        let start = self.nonzero_index.len();
        self.nonzero_index.resize(start + self.inputs, 0);
        self.nonzero_value.resize(start + self.inputs, 0.0);
        let (indices, values) = (&mut self.nonzero_index[start..], &mut self.nonzero_value[start..]);
        let mut n = 0;
        for (i, (&p, &v)) in pixels.iter().zip(column.iter()).enumerate() {
            indices[n] = i as u32;
            values[n] = v;
            n += (p != 0) as usize;
        }
        self.nonzero_index.truncate(start + n);
        self.nonzero_value.truncate(start + n);
        self.offsets.push(start + n);
        self.len += 1;
    }

    /// Adds one example given by its non-zero pixels (positions and bytes, scaled to `[0, 1]` as
    /// [`InputBatch::push_bytes`] scales), as [`crate::nonzeros::NonZeroPixels`] lists them.
    ///
    /// Only the non-zero list is written — about 150 entries for MNIST instead of 784 floats and a
    /// scan of 784 bytes — so the batch has no dense copy afterwards ([`InputBatch::has_dense`]);
    /// the network then takes the sparse path whatever the density.
    pub fn push_nonzeros(&mut self, indices: &[u16], pixels: &[u8]) {
        assert!(self.len < self.capacity, "InputBatch is full ({} examples)", self.capacity);
        assert_eq!(indices.len(), pixels.len(), "one value per index");
        widen(indices, pixels, &mut self.nonzero_index, &mut self.nonzero_value);
        self.offsets.push(self.nonzero_index.len());
        self.dense_complete = false;
        self.len += 1;
    }

    /// Adds images `range` of `nonzeros` as [`InputBatch::push_nonzeros`] would one by one. Their
    /// lists lie next to each other, so they are converted in one go: per image, the ends of the
    /// vector loops cost as much as their bodies.
    pub fn push_nonzero_images(&mut self, nonzeros: &crate::nonzeros::NonZeroPixels, range: std::ops::Range<usize>) {
        assert!(self.len + range.len() <= self.capacity, "InputBatch is full ({} examples)", self.capacity);
        let (indices, pixels, offsets) = nonzeros.images(range.clone());
        let start = self.nonzero_index.len();
        widen(indices, pixels, &mut self.nonzero_index, &mut self.nonzero_value);
        self.offsets.extend(offsets.skip(1).map(|o| start + o));
        self.dense_complete &= range.is_empty();
        self.len += range.len();
    }

    /// Adds image `index` of `data`: from its non-zero list, which is all an MLP's sparse first
    /// layer reads, or — `dense`, for a ConvNet, whose first convolution reads every pixel — from
    /// its bytes, with the dense copy.
    pub fn push_image(&mut self, data: &crate::dataset::Dataset, index: usize, dense: bool) {
        if dense {
            self.push_bytes(data.image(index));
        } else {
            let (indices, pixels) = data.nonzeros().image(index);
            self.push_nonzeros(indices, pixels);
        }
    }

    /// Adds images `range` of `data` as [`InputBatch::push_image`] would one by one.
    pub fn push_images(&mut self, data: &crate::dataset::Dataset, range: std::ops::Range<usize>, dense: bool) {
        if dense {
            range.for_each(|index| self.push_bytes(data.image(index)));
        } else {
            self.push_nonzero_images(data.nonzeros(), range);
        }
    }

    /// Adds one example given as floats.
    pub fn push(&mut self, values: &[f32]) {
        self.push_with(|dst| dst.copy_from_slice(values));
    }

    /// Adds one example written by `fill` into its dense column.
    pub fn push_with(&mut self, fill: impl FnOnce(&mut [f32])) {
        assert!(self.len < self.capacity, "InputBatch is full ({} examples)", self.capacity);
        let column = &mut self.dense[self.len * self.inputs..(self.len + 1) * self.inputs];
        fill(column);
        for (i, &v) in column.iter().enumerate() {
            if v != 0.0 {
                self.nonzero_index.push(i as u32);
                self.nonzero_value.push(v);
            }
        }
        self.offsets.push(self.nonzero_index.len());
        self.len += 1;
    }

    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    pub fn capacity(&self) -> usize {
        self.capacity
    }
    pub fn inputs(&self) -> usize {
        self.inputs
    }

    /// The filled part of the batch as an inputs × len matrix.
    pub fn dense(&self) -> DMatrixView<'_, f32> {
        DMatrixView::from_slice(self.dense_slice(), self.inputs, self.len)
    }

    /// The dense copy of every example, when each one was pushed with it (all but
    /// [`InputBatch::push_nonzeros`] write it).
    pub fn has_dense(&self) -> bool {
        self.dense_complete
    }

    pub fn dense_slice(&self) -> &[f32] {
        assert!(self.dense_complete, "this batch was filled from non-zero lists and has no dense copy");
        &self.dense[..self.inputs * self.len]
    }

    /// Example `j`'s non-zero inputs: their indices and values.
    pub fn nonzeros(&self, j: usize) -> (&[u32], &[f32]) {
        let range = self.offsets[j]..self.offsets[j + 1];
        (&self.nonzero_index[range.clone()], &self.nonzero_value[range])
    }

    /// Fraction of inputs that are not zero.
    pub fn density(&self) -> f32 {
        if self.len == 0 {
            return 0.0;
        }
        self.nonzero_index.len() as f32 / (self.inputs * self.len) as f32
    }
}

/// Appends `indices` as `u32` and `pixels` as input values ([`pixel_value`]). Natively compiled for AVX-512 and AVX2
/// too (chosen at run time): the division of every value by 255 is a fair part of a full-batch step.
#[multiversion::multiversion(targets("x86_64+avx512f+avx512bw+avx512vl+avx2+fma", "x86_64+avx2+fma"))]
fn widen(indices: &[u16], pixels: &[u8], index_out: &mut Vec<u32>, value_out: &mut Vec<f32>) {
    index_out.extend(indices.iter().map(|&i| u32::from(i)));
    value_out.extend(pixels.iter().map(|&p| pixel_value(p)));
}

/// The non-zeros of a batch grouped by input instead of by example: for input `i`, the examples
/// where it is non-zero and its values there. The first layer's weight gradient is a sum over
/// examples per input, so with this order each weight column is read and written once per batch
/// instead of once per example.
#[derive(Debug, Clone, Default)]
pub struct ByInput {
    /// Input `i`'s entries are `offsets[i]..offsets[i+1]`.
    offsets: Vec<u32>,
    examples: Vec<u32>,
    values: Vec<f32>,
    /// Scratch: where each input's next entry goes while building.
    next: Vec<u32>,
}

impl ByInput {
    /// Regroups `x`'s non-zeros by input (a counting sort: two passes over the non-zeros).
    pub fn build(&mut self, x: &InputBatch) {
        let inputs = x.inputs();
        self.offsets.clear();
        self.offsets.resize(inputs + 1, 0);
        let total = x.nonzero_index.len();
        for &i in &x.nonzero_index {
            self.offsets[i as usize + 1] += 1;
        }
        for i in 0..inputs {
            self.offsets[i + 1] += self.offsets[i];
        }
        self.examples.resize(total, 0);
        self.values.resize(total, 0.0);
        self.next.clear();
        self.next.extend_from_slice(&self.offsets[..inputs]);
        for j in 0..x.len() {
            let (indices, values) = x.nonzeros(j);
            for (&i, &v) in indices.iter().zip(values) {
                let slot = &mut self.next[i as usize];
                self.examples[*slot as usize] = j as u32;
                self.values[*slot as usize] = v;
                *slot += 1;
            }
        }
    }

    pub fn inputs(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// The examples where input `i` is non-zero, and its values there.
    pub fn entries(&self, i: usize) -> (&[u32], &[f32]) {
        let range = self.offsets[i] as usize..self.offsets[i + 1] as usize;
        (&self.examples[range.clone()], &self.values[range])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_dense_and_sparse_views_in_step() {
        let mut b = InputBatch::with_capacity(4, 2);
        b.push_bytes(&[0, 255, 0, 51]);
        b.push(&[0.5, 0.0, 0.0, 0.0]);
        assert_eq!(b.len(), 2);
        assert_eq!(b.dense_slice(), &[0.0, 1.0, 0.0, 0.2, 0.5, 0.0, 0.0, 0.0]);
        assert_eq!(b.nonzeros(0), (&[1u32, 3][..], &[1.0f32, 0.2][..]));
        assert_eq!(b.nonzeros(1), (&[0u32][..], &[0.5f32][..]));
        assert!((b.density() - 3.0 / 8.0).abs() < 1e-6);
        let mut by_input = ByInput::default();
        by_input.build(&b);
        assert_eq!(by_input.entries(0), (&[1u32][..], &[0.5f32][..]));
        assert_eq!(by_input.entries(1), (&[0u32][..], &[1.0f32][..]));
        assert_eq!(by_input.entries(2), (&[][..], &[][..]));
        assert_eq!(by_input.entries(3), (&[0u32][..], &[0.2f32][..]));
        b.clear();
        assert!(b.is_empty());
    }

    #[test]
    fn non_zero_lists_give_the_same_sparse_view_as_bytes() {
        let mut from_bytes = InputBatch::with_capacity(4, 1);
        from_bytes.push_bytes(&[0, 255, 0, 51]);
        let mut from_list = InputBatch::with_capacity(4, 1);
        from_list.push_nonzeros(&[1, 3], &[255, 51]);
        assert_eq!(from_list.nonzeros(0), from_bytes.nonzeros(0));
        assert_eq!(from_list.density(), from_bytes.density());
        assert!(from_bytes.has_dense() && !from_list.has_dense());
        from_list.clear();
        assert!(from_list.has_dense());
    }
}
