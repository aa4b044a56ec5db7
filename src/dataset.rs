//! A data set: images with their labels, and what training lists from them once and keeps — every
//! image's non-zero pixels and, natively, the same grouped by position for full-batch steps
//! ([`crate::nonzeros`]). The images come from the IDX parser ([`crate::mnist`]).

use crate::error::{Error, Result};
use crate::mnist::{parse_images, parse_images_vec, parse_labels, Images};
use crate::nonzeros::NonZeroPixels;
#[cfg(not(target_arch = "wasm32"))]
use crate::nonzeros::{NonZeroChunks, PreparedChunk};
use std::sync::OnceLock;

/// Images with their labels.
#[derive(Debug, Clone)]
pub struct Dataset {
    pub images: Images,
    pub labels: Vec<u8>,
    /// The images' non-zero pixels, listed the first time training asks for them (a test set that
    /// is only evaluated never pays for the copy).
    nonzeros: OnceLock<NonZeroPixels>,
    #[cfg(not(target_arch = "wasm32"))]
    /// The same grouped by pixel position in chunks, listed the first time full-batch training
    /// asks for them (with the chunk size asked for).
    chunks: OnceLock<NonZeroChunks>,
}

impl PartialEq for Dataset {
    /// The same images and labels (whether the non-zero list was made yet does not matter).
    fn eq(&self, other: &Self) -> bool {
        self.images == other.images && self.labels == other.labels
    }
}

impl Dataset {
    pub fn new(images: Images, labels: Vec<u8>) -> Result<Self> {
        if images.count != labels.len() {
            return Err(Error::Dataset(format!(
                "{} images but {} labels; the two files do not belong together",
                images.count,
                labels.len()
            )));
        }
        if images.count == 0 {
            return Err(Error::Dataset("the data set is empty".into()));
        }
        Ok(Dataset {
            images,
            labels,
            nonzeros: OnceLock::new(),
            #[cfg(not(target_arch = "wasm32"))]
            chunks: OnceLock::new(),
        })
    }

    /// Parses an image file and a label file and checks that they match.
    pub fn from_idx(image_bytes: &[u8], label_bytes: &[u8]) -> Result<Self> {
        Dataset::new(parse_images(image_bytes)?, parse_labels(label_bytes)?)
    }

    /// [`Dataset::from_idx`] taking the image file's bytes over ([`crate::mnist::parse_images_vec`]:
    /// the 47 MB of training images are never held twice).
    pub fn from_idx_vec(image_bytes: Vec<u8>, label_bytes: &[u8]) -> Result<Self> {
        Dataset::new(parse_images_vec(image_bytes)?, parse_labels(label_bytes)?)
    }

    /// [`Dataset::from_idx_vec`] for a run's `set` ("training", "test"), which any error names:
    /// `MNIST file: training image file: …`, `data set: test set: 3 images but 2 labels; …`.
    pub fn from_named_idx_vec(set: &str, image_bytes: Vec<u8>, label_bytes: &[u8]) -> Result<Self> {
        Dataset::from_idx_vec(image_bytes, label_bytes).map_err(|e| match e {
            Error::Idx(m) => Error::Idx(format!("{set} {m}")),
            Error::Dataset(m) => Error::Dataset(format!("{set} set: {m}")),
            other => other,
        })
    }

    pub fn len(&self) -> usize {
        self.labels.len()
    }
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }
    pub fn image(&self, index: usize) -> &[u8] {
        self.images.image(index)
    }

    /// `index` is one of this set's examples; `what` names it in the error ("example", "test
    /// image", …).
    pub fn check_index(&self, index: usize, what: &str) -> Result<()> {
        if index < self.len() {
            Ok(())
        } else {
            Err(Error::Input(format!("{what} {index} does not exist (the data set has {})", self.len())))
        }
    }

    /// Every image's non-zero pixels, listed on the first call.
    pub fn nonzeros(&self) -> &NonZeroPixels {
        self.nonzeros.get_or_init(|| NonZeroPixels::new(&self.images))
    }

    #[cfg(not(target_arch = "wasm32"))]
    /// Images `c·chunk ..` as a [`PreparedChunk`]; the grouping by position is made on the first
    /// call, and every call must ask for the same chunk size (the trainer's `CHUNK`).
    pub fn prepared_chunk(&self, c: usize, chunk: usize) -> PreparedChunk<'_> {
        let chunks = self.chunks.get_or_init(|| NonZeroChunks::new(self.nonzeros(), self.images.pixels_per_image(), chunk));
        assert_eq!(chunks.chunk_size(), chunk, "the chunks were made {} images long", chunks.chunk_size());
        chunks.chunk(c, self.nonzeros())
    }

    /// The first `count` examples (for quick runs and tests).
    pub fn take(&self, count: usize) -> Dataset {
        let count = count.min(self.len());
        let n = self.images.pixels_per_image();
        Dataset {
            images: Images { count, rows: self.images.rows, cols: self.images.cols, pixels: self.images.pixels[..count * n].to_vec() },
            labels: self.labels[..count].to_vec(),
            nonzeros: OnceLock::new(),
            #[cfg(not(target_arch = "wasm32"))]
            chunks: OnceLock::new(),
        }
    }
}
