//! Saving and loading a network: architecture and weights in a small binary file.
//!
//! Layout: the 8 bytes `INKMODEL`, a little-endian u16 format version, then a record in postcard (a
//! compact serde format):
//! - version 1, [`ModelFile`]: an MLP — its layer sizes, then each dense layer's parameters;
//! - version 2, [`MapModelFile`]: a ConvNet — its architecture in the notation of
//!   [`crate::architecture`], the shape of its input and its number of classes, then the parameters
//!   of every layer that has some (the convolutions, then the dense layers).
//!
//! A network is saved in the oldest version that holds it: an MLP still in version 1, so that files
//! of MLPs stay readable by earlier builds; every file either version wrote still loads. Everything
//! read is checked against the architecture before it becomes a network, so a corrupt, foreign or
//! hostile file gives an [`Error::Model`], never a panic or a huge allocation.

use crate::architecture::{Architecture, MAX_CHANNELS, MAX_NOTATION_BYTES};
use crate::error::{Error, Result};
use crate::layer::{Dense, MapLayer, MapShape};
use crate::network::{validate_sizes, Mlp, MAX_LAYERS, MAX_LAYER_SIZE};
use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};

pub const MAGIC: &[u8; 8] = b"INKMODEL";
/// The version of an MLP's file ([`ModelFile`]).
pub const VERSION: u16 = 1;
/// The version of a ConvNet's file ([`MapModelFile`]), the newest this build reads.
pub const MAP_VERSION: u16 = 2;
/// Largest height or width of an input map a file may declare: far above MNIST's 28, and it keeps
/// the product of three declared numbers from overflowing.
pub const MAX_INPUT_SIDE: usize = 1024;
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

/// A ConvNet's record (version 2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MapModelFile {
    /// The layers between input and output: `c8k5-p2-c16k5-p2-128`.
    pub architecture: String,
    /// The input's channels, height and width: `[1, 28, 28]`.
    pub input: [u32; 3],
    pub classes: u32,
    /// Per layer with parameters, convolutions first: weights (a convolution's K × C_out, a dense
    /// layer's outputs × inputs, column-major) and biases.
    pub layers: Vec<LayerFile>,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerFile {
    pub weights: Vec<f32>,
    pub biases: Vec<f32>,
}

/// What follows the architecture in both versions — the parameter lists, then the description —
/// as written (borrowed: the weights are not copied) and as read. Postcard writes a struct's fields
/// one after the other with nothing around them, so a version's header followed by this is exactly
/// its record ([`ModelFile`], [`MapModelFile`]), and one codec serves both versions.
#[derive(Serialize)]
struct BodyRef<'a> {
    layers: Vec<LayerRef<'a>>,
    description: &'a str,
}

#[derive(Serialize)]
struct LayerRef<'a> {
    weights: &'a [f32],
    biases: &'a [f32],
}

#[derive(Deserialize)]
struct Body {
    layers: Vec<LayerFile>,
    description: String,
}

/// The bytes of a model file for `net`: version 1 for an MLP, 2 for a ConvNet.
pub fn save(net: &Mlp, description: &str) -> Vec<u8> {
    let convolutions = net.maps.iter().filter_map(MapLayer::parameters);
    let dense = net.layers.iter().map(|l| [l.weights.as_slice(), l.biases.as_slice()]);
    let layers = convolutions.chain(dense).map(|[weights, biases]| LayerRef { weights, biases }).collect();
    let body = BodyRef { layers, description };
    let mut bytes = Vec::with_capacity(10 + 4 * net.parameter_count() + 64);
    bytes.extend_from_slice(MAGIC);
    let header = match net.maps.first() {
        None => {
            bytes.extend_from_slice(&VERSION.to_le_bytes());
            let sizes: Vec<u32> = net.sizes().iter().map(|&s| s as u32).collect();
            postcard::to_stdvec(&sizes)
        }
        Some(first) => {
            bytes.extend_from_slice(&MAP_VERSION.to_le_bytes());
            let input = first.input();
            let shape = [input.channels, input.height, input.width].map(|n| n as u32);
            postcard::to_stdvec(&(Architecture::of(net).to_string(), shape, net.outputs() as u32))
        }
    };
    const INFALLIBLE: &str = "serialising plain numbers and text into memory cannot fail";
    bytes.extend(header.expect(INFALLIBLE));
    bytes.extend(postcard::to_stdvec(&body).expect(INFALLIBLE));
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
    match version {
        VERSION => load_dense(&bytes[10..]),
        MAP_VERSION => load_maps(&bytes[10..]),
        _ => Err(Error::Model(format!(
            "format version {version} is not supported by this build, which reads versions {VERSION} and {MAP_VERSION}"
        ))),
    }
}

fn corrupt(e: postcard::Error) -> Error {
    Error::Model(format!("the file is corrupt ({e})"))
}

/// An MLP's record, version 1.
fn load_dense(body: &[u8]) -> Result<(Mlp, String)> {
    // The architecture and the number of layers come first in the record; they are checked before the
    // rest is decoded, since millions of declared (empty) layers would take gigabytes to decode.
    // Sequence lengths are varints, read here as u64.
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
    let record = read_body(after_sizes)?;
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
        check_finite(&layer, i)?;
        layers.push(Dense::from_parameters(
            DMatrix::from_vec(outputs, inputs, layer.weights),
            DVector::from_vec(layer.biases),
        ));
    }
    Ok((Mlp { maps: Vec::new(), layers }, record.description))
}

/// A ConvNet's record, version 2. The architecture, input and class count come first and are checked
/// (and the number of parameter lists with them) before the parameters are decoded.
fn load_maps(body: &[u8]) -> Result<(Mlp, String)> {
    let (notation_bytes, _) = postcard::take_from_bytes::<u64>(body).map_err(corrupt)?;
    if notation_bytes > MAX_NOTATION_BYTES as u64 {
        return Err(Error::Model(format!(
            "the file's architecture is {notation_bytes} bytes long (at most {MAX_NOTATION_BYTES})"
        )));
    }
    let (notation, rest) = postcard::take_from_bytes::<String>(body).map_err(corrupt)?;
    let unusable = |e: Error| Error::Model(format!("unusable architecture \"{notation}\": {}", e.message()));
    let architecture: Architecture = notation.parse().map_err(unusable)?;
    let ([channels, height, width], rest) = postcard::take_from_bytes::<[u32; 3]>(rest).map_err(corrupt)?;
    let (classes, rest) = postcard::take_from_bytes::<u32>(rest).map_err(corrupt)?;
    let (channels, height, width, classes) = (channels as usize, height as usize, width as usize, classes as usize);
    if !(1..=MAX_CHANNELS).contains(&channels) || !(1..=MAX_INPUT_SIDE).contains(&height) || !(1..=MAX_INPUT_SIDE).contains(&width) {
        return Err(Error::Model(format!(
            "unusable input of {channels} maps of {height}×{width} (1–{MAX_CHANNELS} maps of at most {MAX_INPUT_SIDE}×{MAX_INPUT_SIDE})"
        )));
    }
    if !(1..=MAX_LAYER_SIZE).contains(&classes) {
        return Err(Error::Model(format!("unusable number of classes {classes} (1–{MAX_LAYER_SIZE})")));
    }
    let input = MapShape { channels, height, width };
    architecture.validate(input, classes).map_err(unusable)?;
    let convolutions = architecture.maps.iter().filter(|m| matches!(m, crate::architecture::MapSpec::Conv { .. })).count();
    let expected = convolutions + architecture.hidden.len() + 1;
    let (declared_layers, _) = postcard::take_from_bytes::<u64>(rest).map_err(corrupt)?;
    if declared_layers != expected as u64 {
        return Err(Error::Model(format!(
            "the architecture has {expected} layers with parameters but the file holds {declared_layers}"
        )));
    }
    let record = read_body(rest)?;
    // The network as the architecture builds it, its fresh weights then replaced by the file's: one
    // place decides how layers are made.
    let mut net = architecture.build(input, classes, &mut rand_pcg::Pcg64Mcg::new(0)).map_err(unusable)?;
    let mut files = record.layers.into_iter().enumerate();
    let map_parameters = net.maps.iter_mut().filter_map(|layer| match layer {
        MapLayer::Conv(c) => Some((c.weights.as_mut_slice(), c.biases.as_mut_slice())),
        MapLayer::MaxPool(_) => None,
    });
    let dense_parameters = net.layers.iter_mut().map(|l| (l.weights.as_mut_slice(), l.biases.as_mut_slice()));
    for ((weights, biases), (i, layer)) in map_parameters.chain(dense_parameters).zip(&mut files) {
        if layer.weights.len() != weights.len() || layer.biases.len() != biases.len() {
            return Err(Error::Model(format!(
                "layer {} should have {} weights and {} biases, the file has {} and {}",
                i + 1,
                weights.len(),
                biases.len(),
                layer.weights.len(),
                layer.biases.len()
            )));
        }
        check_finite(&layer, i)?;
        weights.copy_from_slice(&layer.weights);
        biases.copy_from_slice(&layer.biases);
    }
    Ok((net, record.description))
}

/// The parameter lists and the description, which end the file.
fn read_body(bytes: &[u8]) -> Result<Body> {
    let (body, rest): (Body, &[u8]) = postcard::take_from_bytes(bytes).map_err(corrupt)?;
    if !rest.is_empty() {
        return Err(Error::Model(format!("the file is corrupt ({} stray bytes at its end)", rest.len())));
    }
    Ok(body)
}

fn check_finite(layer: &LayerFile, index: usize) -> Result<()> {
    if layer.weights.iter().chain(&layer.biases).any(|v| !v.is_finite()) {
        return Err(Error::Model(format!("layer {} contains values that are not finite numbers", index + 1)));
    }
    Ok(())
}
