//! Your digits: the drawings taught to a network, each with its right label — the list a trainer
//! keeps (lessons repeat earlier ones, [`super::lesson`]) and model files carry.

use super::Trainer;
use crate::error::{Error, Result};
use crate::mnist::{CLASSES, IMAGE_PIXELS};
use crate::pixel::pixel_byte;

/// Most digits a network keeps (and a model file may carry): a class's worth of handwriting, and a
/// bound a hostile file cannot get past ([`RECORD_BYTES`] each, under 1 MB in all).
pub const MAX_TAUGHT_DIGITS: usize = 1000;

/// Bytes of a digit's record ([`TaughtDigit::write_record`]): its label, then 28×28 pixels.
pub const RECORD_BYTES: usize = 1 + IMAGE_PIXELS;

/// One of your digits: what the network saw of a drawing, and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaughtDigit {
    pub label: u8,
    /// 28×28 bytes, row by row, like MNIST's.
    pub pixels: Vec<u8>,
}

impl TaughtDigit {
    /// A digit from 784 bytes and a label 0–9; anything else is an [`Error::Input`].
    pub fn new(label: u8, pixels: Vec<u8>) -> Result<Self> {
        if label as usize >= CLASSES {
            return Err(Error::Input(format!("a digit's label is 0 to 9 (got {label})")));
        }
        if pixels.len() != IMAGE_PIXELS {
            return Err(Error::Input(format!("a digit is 28×28 = 784 pixels (got {})", pixels.len())));
        }
        Ok(TaughtDigit { label, pixels })
    }

    /// A digit from 784 values in [0, 1] (a drawing's preview), stored as bytes; values beyond
    /// are clamped to it (NaN reads as paper, 0).
    pub fn from_values(label: u8, values: &[f32]) -> Result<Self> {
        Self::new(label, values.iter().map(|&v| pixel_byte(v)).collect())
    }

    /// Appends the digit's record — [`RECORD_BYTES`]: the label, then its pixels row by row — as
    /// model files keep it and the page receives your digits.
    pub fn write_record(&self, bytes: &mut Vec<u8>) {
        bytes.push(self.label);
        bytes.extend_from_slice(&self.pixels);
    }
}

impl Trainer {
    /// Your digits: those taught to this network (or that came with its model file), oldest first.
    pub fn taught_digits(&self) -> &[TaughtDigit] {
        &self.taught
    }

    /// Replaces the list of your digits (a model file's), without a lesson.
    pub fn set_taught_digits(&mut self, digits: Vec<TaughtDigit>) -> Result<()> {
        check_count(digits.len())?;
        self.taught = digits;
        Ok(())
    }

    /// Takes digit `index` off the list: later lessons no longer repeat it, files no longer carry it
    /// (what the network learnt from it stays).
    pub fn forget_taught_digit(&mut self, index: usize) -> Result<()> {
        if index >= self.taught.len() {
            return Err(Error::Input(format!("there is no digit {index} (you have {})", self.taught.len())));
        }
        self.taught.remove(index);
        Ok(())
    }

    pub fn forget_taught_digits(&mut self) {
        self.taught.clear();
    }
}

/// Whether a network may keep `count` digits.
pub(in crate::trainer) fn check_count(count: usize) -> Result<()> {
    if count > MAX_TAUGHT_DIGITS {
        return Err(Error::Input(format!("at most {MAX_TAUGHT_DIGITS} digits can be taught to one network")));
    }
    Ok(())
}
