//! Saving and loading a network: architecture and weights in a small binary file.
//!
//! Layout: the 8 bytes `INKMODEL`, a little-endian u16 format version, then the [`ModelFile`] record in
//! postcard (a compact serde format). Everything read is checked against the architecture before it
//! becomes a network, so a corrupt, foreign or hostile file gives an [`Error::Model`], never a panic
//! or a huge allocation.

use crate::error::{Error, Result};
use crate::layer::Dense;
use crate::network::{validate_sizes, Mlp, MAX_LAYERS};
use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};

pub const MAGIC: &[u8; 8] = b"INKMODEL";
pub const VERSION: u16 = 1;
/// Largest model file accepted: well above any network the settings allow (4 M parameters ≈ 16 MB).
pub const MAX_FILE_BYTES: usize = 32 * 1024 * 1024;
/// Suggested file name extension.
pub const EXTENSION: &str = "inkling";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelFile {
    /// Layer sizes, inputs first: `[784, 128, 10]`.
    pub sizes: Vec<u32>,
    /// Per layer: weights (outputs × inputs, column-major) and biases.
    pub layers: Vec<LayerFile>,
    /// Free text about the model (how it was trained, its test accuracy).
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerFile {
    pub weights: Vec<f32>,
    pub biases: Vec<f32>,
}

/// The bytes of a model file for `net`.
pub fn save(net: &Mlp, description: &str) -> Vec<u8> {
    let record = ModelFile {
        sizes: net.sizes().iter().map(|&s| s as u32).collect(),
        layers: net
            .layers
            .iter()
            .map(|l| LayerFile { weights: l.weights.as_slice().to_vec(), biases: l.biases.as_slice().to_vec() })
            .collect(),
        description: description.to_string(),
    };
    let mut bytes = Vec::with_capacity(10 + 4 * net.parameter_count() + 64);
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&VERSION.to_le_bytes());
    bytes.extend(postcard::to_stdvec(&record).expect("serialising plain numbers into memory cannot fail"));
    bytes
}

/// Reads a model file: the network and its description.
pub fn load(bytes: &[u8]) -> Result<(Mlp, String)> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(Error::Model(format!(
            "{} MB is far too large for a model file (at most {} MB)",
            bytes.len() / (1024 * 1024),
            MAX_FILE_BYTES / (1024 * 1024)
        )));
    }
    if bytes.len() < 10 || &bytes[..8] != MAGIC {
        return Err(Error::Model("this is not an Inkling model file (it does not start with INKMODEL)".into()));
    }
    let version = u16::from_le_bytes([bytes[8], bytes[9]]);
    if version != VERSION {
        return Err(Error::Model(format!(
            "format version {version} is not supported by this build, which reads version {VERSION}"
        )));
    }
    let corrupt = |e: postcard::Error| Error::Model(format!("the file is corrupt ({e})"));
    // The architecture and the number of layers come first in the record; they are checked before the
    // rest is decoded, since millions of declared (empty) layers would take gigabytes to decode.
    // Sequence lengths are varints, read here as u64.
    let body = &bytes[10..];
    let (declared_sizes, _) = postcard::take_from_bytes::<u64>(body).map_err(corrupt)?;
    if declared_sizes > MAX_LAYERS as u64 + 1 {
        let layers = declared_sizes.saturating_sub(1);
        return Err(Error::Model(format!("the file declares {layers} layers, at most {MAX_LAYERS} are supported")));
    }
    let (sizes, after_sizes) = postcard::take_from_bytes::<Vec<u32>>(body).map_err(corrupt)?;
    let sizes: Vec<usize> = sizes.iter().map(|&s| s as usize).collect();
    validate_sizes(&sizes).map_err(|e| Error::Model(format!("unusable architecture {sizes:?}: {e}")))?;
    let (declared_layers, _) = postcard::take_from_bytes::<u64>(after_sizes).map_err(corrupt)?;
    if declared_layers != sizes.len() as u64 - 1 {
        return Err(Error::Model(format!(
            "the architecture has {} layers but the file holds {declared_layers}",
            sizes.len() - 1
        )));
    }
    let (record, rest): (ModelFile, &[u8]) = postcard::take_from_bytes(body).map_err(corrupt)?;
    if !rest.is_empty() {
        return Err(Error::Model(format!("the file is corrupt ({} stray bytes at its end)", rest.len())));
    }
    let mut layers = Vec::with_capacity(record.layers.len());
    for (i, (layer, w)) in record.layers.into_iter().zip(sizes.windows(2)).enumerate() {
        let (inputs, outputs) = (w[0], w[1]);
        if layer.weights.len() != inputs * outputs || layer.biases.len() != outputs {
            return Err(Error::Model(format!(
                "layer {} should have {}×{} weights and {} biases, the file has {} and {}",
                i + 1,
                outputs,
                inputs,
                outputs,
                layer.weights.len(),
                layer.biases.len()
            )));
        }
        if layer.weights.iter().chain(&layer.biases).any(|v| !v.is_finite()) {
            return Err(Error::Model(format!("layer {} contains values that are not finite numbers", i + 1)));
        }
        layers.push(Dense::from_parameters(
            DMatrix::from_vec(outputs, inputs, layer.weights),
            DVector::from_vec(layer.biases),
        ));
    }
    Ok((Mlp { maps: Vec::new(), layers }, record.description))
}
