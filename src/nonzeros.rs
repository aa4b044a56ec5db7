//! Every image's non-zero pixels, listed once when training starts instead of on every pass.
//!
//! The first layer only needs an example's non-zero pixels ([`crate::layer::Dense::forward_sparse`]).
//! Finding them means reading all 784 bytes of the image; doing that each time an image is used cost
//! more than the whole forward and backward pass of the seed's 784-10-10 network, which reads each
//! image 500 times. Listed once, an image is about 150 `(index, value)` pairs: 3 bytes each, so the
//! 60,000 training images take about 27 MB here against 47 MB as plain bytes.
//!
//! [`NonZeroChunks`] groups the same pixels the other way round — by position, chunk by chunk —
//! for full-batch training, which reads the same chunks every step. It exists natively only: in the
//! browser its 18 MB would take the page's memory past 100 MB, and its code the wasm file past 150 KB.

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

#[cfg(not(target_arch = "wasm32"))]
/// The non-zero pixels of consecutive chunks of `chunk` images, grouped by pixel position within
/// each chunk: for position `i` of chunk `c`, which of the chunk's images have it non-zero, and the
/// byte there.
///
/// Full-batch gradient descent works through the same chunks of the training set in the same order
/// every step, so this grouping — what the first layer's products want (see `layer::narrow`) —
/// is made once rather than every step. An entry is 2 bytes (image within the chunk, value), so
/// the 60,000 training images take about 18 MB.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NonZeroChunks {
    chunk: usize,
    count: usize,
    pixels: usize,
    /// Chunk `c`, position `i`: entries `offsets[c·(pixels+1) + i] .. offsets[c·(pixels+1) + i + 1]`.
    offsets: Vec<u32>,
    images: Vec<u8>,
    values: Vec<u8>,
}

#[cfg(not(target_arch = "wasm32"))]
/// One chunk of [`NonZeroChunks`], with its images' own lists from [`NonZeroPixels`]: the first
/// layer's forward pass goes image by image, its weight gradient pixel by pixel.
#[derive(Debug, Clone, Copy)]
pub struct PreparedChunk<'a> {
    len: usize,
    offsets: &'a [u32],
    images: &'a [u8],
    values: &'a [u8],
    /// The chunk's images' offsets in `lists` (`len + 1`).
    image_offsets: &'a [u32],
    lists: &'a NonZeroPixels,
}

#[cfg(not(target_arch = "wasm32"))]
impl NonZeroChunks {
    /// Groups the images of `lists` in chunks of `chunk` (at most 256, so that an image within a
    /// chunk fits a byte).
    pub fn new(lists: &NonZeroPixels, pixels: usize, chunk: usize) -> Self {
        assert!((1..=256).contains(&chunk), "chunks of 1–256 images");
        let count = lists.len();
        let chunks = count.div_ceil(chunk);
        let total = lists.indices.len();
        let mut offsets = Vec::with_capacity(chunks * (pixels + 1));
        let (mut images, mut values) = (vec![0u8; total], vec![0u8; total]);
        let mut next = vec![0u32; pixels];
        let mut start = 0u32;
        for c in 0..chunks {
            let range = c * chunk..((c + 1) * chunk).min(count);
            // A counting sort by pixel position: count, then place.
            next.fill(0);
            let (indices, _, _) = lists.images(range.clone());
            for &i in indices {
                next[i as usize] += 1;
            }
            for count in next.iter_mut() {
                offsets.push(start);
                let n = *count;
                *count = start;
                start += n;
            }
            offsets.push(start);
            for (within, j) in range.enumerate() {
                let (indices, bytes) = lists.image(j);
                for (&i, &p) in indices.iter().zip(bytes) {
                    let slot = &mut next[i as usize];
                    images[*slot as usize] = within as u8;
                    values[*slot as usize] = p;
                    *slot += 1;
                }
            }
        }
        NonZeroChunks { chunk, count, pixels, offsets, images, values }
    }

    /// Images per chunk (the last chunk may have fewer).
    pub fn chunk_size(&self) -> usize {
        self.chunk
    }

    /// Chunk `c`: images `c·chunk .. min((c+1)·chunk, count)`, with `lists`, the same images'
    /// [`NonZeroPixels`].
    pub fn chunk<'a>(&'a self, c: usize, lists: &'a NonZeroPixels) -> PreparedChunk<'a> {
        assert_eq!(lists.len(), self.count, "the lists of the same images");
        let offsets = &self.offsets[c * (self.pixels + 1)..(c + 1) * (self.pixels + 1)];
        let all = offsets[0] as usize..offsets[self.pixels] as usize;
        let len = self.chunk.min(self.count - c * self.chunk);
        PreparedChunk {
            len,
            offsets,
            images: &self.images[all.clone()],
            values: &self.values[all],
            image_offsets: &lists.offsets[c * self.chunk..=c * self.chunk + len],
            lists,
        }
    }

    /// Bytes held.
    pub fn memory(&self) -> usize {
        self.offsets.len() * 4 + self.images.len() + self.values.len()
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl<'a> PreparedChunk<'a> {
    /// Images in the chunk.
    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    /// Pixel positions per image.
    pub fn pixels(&self) -> usize {
        self.offsets.len() - 1
    }
    /// Image `j`'s (0-based within the chunk) non-zero pixels: positions and bytes.
    #[inline]
    pub fn image(&self, j: usize) -> (&'a [u16], &'a [u8]) {
        let range = self.image_offsets[j] as usize..self.image_offsets[j + 1] as usize;
        (&self.lists.indices[range.clone()], &self.lists.values[range])
    }

    /// The chunk's images (0-based within it) where pixel `i` is non-zero, and its bytes there.
    #[inline]
    pub fn entries(&self, i: usize) -> (&'a [u8], &'a [u8]) {
        let base = self.offsets[0] as usize;
        let range = self.offsets[i] as usize - base..self.offsets[i + 1] as usize - base;
        (&self.images[range.clone()], &self.values[range])
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

    #[test]
    #[cfg(not(target_arch = "wasm32"))]
    fn chunks_group_each_chunks_pixels_by_position() {
        let images = Images { count: 3, rows: 2, cols: 2, pixels: vec![0, 7, 0, 255, 0, 5, 0, 0, 1, 2, 3, 4] };
        // Image 1 is [0, 5, 0, 0].
        let lists = NonZeroPixels::new(&images);
        let chunks = NonZeroChunks::new(&lists, 4, 2);
        let first = chunks.chunk(0, &lists);
        assert_eq!((first.len(), first.pixels()), (2, 4));
        assert_eq!(first.entries(0), (&[][..], &[][..]));
        assert_eq!(first.entries(1), (&[0u8, 1][..], &[7u8, 5][..]));
        assert_eq!(first.entries(2), (&[][..], &[][..]));
        assert_eq!(first.entries(3), (&[0u8][..], &[255u8][..]));
        assert_eq!(first.image(1), (&[1u16][..], &[5u8][..]));
        let last = chunks.chunk(1, &lists);
        assert_eq!(last.len(), 1, "the last chunk holds what is left");
        assert_eq!(last.image(0), (&[0u16, 1, 2, 3][..], &[1u8, 2, 3, 4][..]));
        for i in 0..4 {
            assert_eq!(last.entries(i), (&[0u8][..], &[i as u8 + 1][..]));
        }
    }
}
