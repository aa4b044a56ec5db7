//! Every image's non-zero pixels, listed once when training starts instead of on every pass.
//!
//! The first layer only needs an example's non-zero pixels ([`crate::layer::Dense::forward_sparse`]).
//! Finding them means reading all 784 bytes of the image; doing that each time an image is used cost
//! more than the whole forward and backward pass of the seed's 784-10-10 network, which reads each
//! image 500 times. Listed once, an image is about 150 `(index, value)` pairs: 3 bytes each, so the
//! 60,000 training images take about 27 MB here against 47 MB as plain bytes.

use crate::mnist::Images;

/// The non-zero pixels of a set of images: image `j`'s are `offsets[j]..offsets[j + 1]` of
/// `indices` (position in the image) and `values` (the byte, 1–255).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NonZeroPixels {
    offsets: Vec<u32>,
    indices: Vec<u16>,
    values: Vec<u8>,
}

impl NonZeroPixels {
    pub fn new(images: &Images) -> Self {
        let pixels = images.pixels_per_image();
        assert!(pixels <= usize::from(u16::MAX) + 1, "pixel positions must fit in 16 bits");
        let mut offsets = Vec::with_capacity(images.count + 1);
        offsets.push(0u32);
        let total = images.pixels.iter().filter(|&&p| p != 0).count();
        let (mut indices, mut values) = (vec![0u16; total + pixels], vec![0u8; total + pixels]);
        let mut n = 0;
        for j in 0..images.count {
            // Branch-free compaction (as InputBatch::push_bytes): write every pixel's entry and advance
            // past the non-zero ones only; which pixels are non-zero is unpredictable.
            for (i, &p) in images.image(j).iter().enumerate() {
                indices[n] = i as u16;
                values[n] = p;
                n += (p != 0) as usize;
            }
            offsets.push(u32::try_from(n).expect("fewer than 4 G non-zero pixels"));
        }
        indices.truncate(n);
        values.truncate(n);
        indices.shrink_to_fit();
        values.shrink_to_fit();
        NonZeroPixels { offsets, indices, values }
    }

    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Image `j`'s non-zero pixels: their positions and values.
    pub fn image(&self, j: usize) -> (&[u16], &[u8]) {
        let range = self.offsets[j] as usize..self.offsets[j + 1] as usize;
        (&self.indices[range.clone()], &self.values[range])
    }

    /// The non-zero pixels of images `range`, which lie next to each other: all their positions
    /// and values, and where each image's start (`range.len() + 1` offsets, the first one 0).
    pub fn images(&self, range: std::ops::Range<usize>) -> (&[u16], &[u8], impl Iterator<Item = usize> + '_) {
        let base = self.offsets[range.start];
        let all = base as usize..self.offsets[range.end] as usize;
        let offsets = self.offsets[range.start..=range.end].iter().map(move |&o| (o - base) as usize);
        (&self.indices[all.clone()], &self.values[all], offsets)
    }

    /// Bytes held.
    pub fn memory(&self) -> usize {
        self.offsets.len() * 4 + self.indices.len() * 2 + self.values.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_each_images_non_zero_pixels() {
        let images = Images { count: 3, rows: 2, cols: 2, pixels: vec![0, 7, 0, 255, 0, 0, 0, 0, 1, 2, 3, 4] };
        let nz = NonZeroPixels::new(&images);
        assert_eq!(nz.len(), 3);
        assert_eq!(nz.image(0), (&[1u16, 3][..], &[7u8, 255][..]));
        assert_eq!(nz.image(1), (&[][..], &[][..]));
        assert_eq!(nz.image(2), (&[0u16, 1, 2, 3][..], &[1u8, 2, 3, 4][..]));
        assert_eq!(nz.memory(), 4 * 4 + 6 * 3);
        let (indices, values, offsets) = nz.images(1..3);
        assert_eq!((indices, values), (&[0u16, 1, 2, 3][..], &[1u8, 2, 3, 4][..]));
        assert_eq!(offsets.collect::<Vec<_>>(), vec![0, 0, 4]);
    }
}
