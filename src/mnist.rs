//! MNIST in its original IDX format, parsed from bytes (the caller does the I/O).
//!
//! An IDX file is a big-endian header — two zero bytes, a type code (0x08 = unsigned byte), the number
//! of dimensions — then one u32 per dimension, then the data. Images are `[count, 28, 28]` (magic
//! 0x00000803) and labels `[count]` (magic 0x00000801). Pixels stay `u8` in memory: the 60,000
//! training images take 47 MB as bytes and would take 188 MB as floats.

use crate::error::{Error, Result};

pub const IMAGE_SIDE: usize = 28;
pub const IMAGE_PIXELS: usize = IMAGE_SIDE * IMAGE_SIDE;
pub const CLASSES: usize = 10;

const IMAGES_MAGIC: u32 = 0x0000_0803;
const LABELS_MAGIC: u32 = 0x0000_0801;

fn read_u32(bytes: &[u8], offset: usize, what: &str) -> Result<u32> {
    bytes
        .get(offset..offset + 4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        .ok_or_else(|| Error::Idx(format!("{what}: the file ends inside its header ({} bytes)", bytes.len())))
}

fn check_magic(bytes: &[u8], expected: u32, what: &str) -> Result<()> {
    let magic = read_u32(bytes, 0, what)?;
    if magic == expected {
        return Ok(());
    }
    let other = match magic {
        IMAGES_MAGIC => " (this is an image file)".to_string(),
        LABELS_MAGIC => " (this is a label file)".to_string(),
        m if m >> 8 == 0x1f8b08 => " (it is gzip-compressed; decompress it first)".to_string(),
        _ => String::new(),
    };
    Err(Error::Idx(format!("{what}: wrong magic number 0x{magic:08x}, expected 0x{expected:08x}{other}")))
}

fn check_length(bytes: &[u8], header: usize, expected_data: usize, what: &str) -> Result<()> {
    let data = bytes.len() - header;
    if data < expected_data {
        return Err(Error::Idx(format!(
            "{what}: truncated, the header promises {expected_data} bytes of data but only {data} follow"
        )));
    }
    if data > expected_data {
        return Err(Error::Idx(format!("{what}: {} unexpected bytes after the data", data - expected_data)));
    }
    Ok(())
}

/// Images of one size, stored as one row of `rows × cols` bytes per image.
#[derive(Debug, Clone, PartialEq)]
pub struct Images {
    pub count: usize,
    pub rows: usize,
    pub cols: usize,
    pub pixels: Vec<u8>,
}

impl Images {
    pub fn pixels_per_image(&self) -> usize {
        self.rows * self.cols
    }
    pub fn image(&self, index: usize) -> &[u8] {
        let n = self.pixels_per_image();
        &self.pixels[index * n..(index + 1) * n]
    }
}

/// Parses an IDX image file (`train-images-idx3-ubyte`, `t10k-images-idx3-ubyte`).
pub fn parse_images(bytes: &[u8]) -> Result<Images> {
    check_images_header(bytes)?;
    parse_images_vec(bytes.to_vec())
}

/// [`parse_images`] taking ownership: the pixels stay in the same allocation (the header is shifted
/// out), so 47 MB of training images are never held twice — it matters in the browser's memory.
pub fn parse_images_vec(mut bytes: Vec<u8>) -> Result<Images> {
    let (count, rows, cols) = check_images_header(&bytes)?;
    bytes.drain(..16);
    Ok(Images { count, rows, cols, pixels: bytes })
}

fn check_images_header(bytes: &[u8]) -> Result<(usize, usize, usize)> {
    const WHAT: &str = "image file";
    check_magic(bytes, IMAGES_MAGIC, WHAT)?;
    let count = read_u32(bytes, 4, WHAT)? as usize;
    let rows = read_u32(bytes, 8, WHAT)? as usize;
    let cols = read_u32(bytes, 12, WHAT)? as usize;
    if rows != IMAGE_SIDE || cols != IMAGE_SIDE {
        return Err(Error::Idx(format!("{WHAT}: images are {rows}×{cols}, expected 28×28")));
    }
    let expected = count.checked_mul(rows * cols).ok_or_else(|| Error::Idx(format!("{WHAT}: absurd count {count}")))?;
    check_length(bytes, 16, expected, WHAT)?;
    Ok((count, rows, cols))
}

/// Parses an IDX label file (`train-labels-idx1-ubyte`, `t10k-labels-idx1-ubyte`); every label is 0–9.
pub fn parse_labels(bytes: &[u8]) -> Result<Vec<u8>> {
    const WHAT: &str = "label file";
    check_magic(bytes, LABELS_MAGIC, WHAT)?;
    let count = read_u32(bytes, 4, WHAT)? as usize;
    check_length(bytes, 8, count, WHAT)?;
    let labels = bytes[8..].to_vec();
    if let Some(position) = labels.iter().position(|&l| l as usize >= CLASSES) {
        return Err(Error::Idx(format!("{WHAT}: label {} at position {position} is not a digit 0–9", labels[position])));
    }
    Ok(labels)
}

/// Writes images and labels back as IDX bytes (tests and tools build small files with it).
pub fn to_idx(images: &[u8], labels: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let count = labels.len() as u32;
    let mut image_file = Vec::with_capacity(16 + images.len());
    for v in [IMAGES_MAGIC, count, IMAGE_SIDE as u32, IMAGE_SIDE as u32] {
        image_file.extend_from_slice(&v.to_be_bytes());
    }
    image_file.extend_from_slice(images);
    let mut label_file = Vec::with_capacity(8 + labels.len());
    for v in [LABELS_MAGIC, count] {
        label_file.extend_from_slice(&v.to_be_bytes());
    }
    label_file.extend_from_slice(labels);
    (image_file, label_file)
}
