//! Saving and loading a network: architecture and weights in a small binary file.
//!
//! Layout: the 8 bytes `INKMODEL`, a little-endian u16 format version, then a record in postcard (a
//! compact serde format):
//! - version 1, [`ModelFile`]: an MLP — its layer sizes, then each dense layer's parameters;
//! - version 2, [`MapModelFile`]: a ConvNet — its architecture in the notation of
//!   [`crate::architecture`], the shape of its input and its number of classes, then the parameters
//!   of every layer that has some (the convolutions, then the dense layers);
//! - version 3, a network with *your digits* (the drawings taught to it, `crate::trainer::taught`):
//!   a little-endian u16, the network's own version (1 or 2), its record as that version writes it,
//!   then the digits as one postcard byte list of 785 bytes per digit (the label, then 28×28 pixels).
//!
//! A network is saved in the oldest version that holds it: an MLP still in version 1 and a ConvNet
//! in version 2 unless it carries digits, so that their files stay readable by earlier builds; every
//! file any version wrote still loads. Everything
//! read is checked against the architecture before it becomes a network, so a corrupt, foreign or
//! hostile file gives an [`Error::Model`], never a panic or a huge allocation.

use crate::architecture::{Architecture, MAX_CHANNELS, MAX_NOTATION_BYTES};
use crate::error::{Error, Result};
use crate::layer::{Dense, MapLayer, MapShape};
use crate::network::{validate_sizes, Mlp, MAX_LAYERS, MAX_LAYER_SIZE};
use crate::trainer::{TaughtDigit, MAX_TAUGHT_DIGITS, RECORD_BYTES};
use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};

pub const MAGIC: &[u8; 8] = b"INKMODEL";
/// The version of an MLP's file ([`ModelFile`]).
pub const VERSION: u16 = 1;
/// The version of a ConvNet's file ([`MapModelFile`]), the newest this build reads.
pub const MAP_VERSION: u16 = 2;
/// The version of a file that carries your digits besides the network, the newest this build reads.
pub const TAUGHT_VERSION: u16 = 3;
/// Bytes per digit in a version 3 file: its record, the label, then the pixels.
pub const DIGIT_BYTES: usize = RECORD_BYTES;
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

/// A model file's contents.
#[derive(Debug, Clone)]
pub struct Model {
    pub net: Mlp,
    pub description: String,
    /// Your digits (none before version 3).
    pub digits: Vec<TaughtDigit>,
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
    save_taught(net, description, &[])
}

/// [`save`] with your digits: version 3 if there are any, else as [`save`].
pub fn save_taught(net: &Mlp, description: &str, digits: &[TaughtDigit]) -> Vec<u8> {
    let convolutions = net.maps.iter().filter_map(MapLayer::parameters);
    let dense = net.layers.iter().map(|l| [l.weights.as_slice(), l.biases.as_slice()]);
    let layers = convolutions.chain(dense).map(|[weights, biases]| LayerRef { weights, biases }).collect();
    let body = BodyRef { layers, description };
    let mut bytes = Vec::with_capacity(12 + 4 * net.parameter_count() + 64 + DIGIT_BYTES * digits.len());
    bytes.extend_from_slice(MAGIC);
    if !digits.is_empty() {
        bytes.extend_from_slice(&TAUGHT_VERSION.to_le_bytes());
    }
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
    // Not `Result::expect`, which would print postcard's error with its `Debug`: that table of every
    // error's name would be in the WebAssembly file for a case that cannot happen.
    let infallible = |_| unreachable!("serialising plain numbers and text into memory cannot fail");
    bytes.extend(header.unwrap_or_else(infallible));
    bytes.extend(postcard::to_stdvec(&body).unwrap_or_else(infallible));
    if !digits.is_empty() {
        // As postcard writes a byte list (its length as a LEB128 varint, then the bytes), by hand:
        // serde's sequence code for it would cost the wasm file a kilobyte.
        let mut length = (DIGIT_BYTES * digits.len()) as u64;
        while length >= 0x80 {
            bytes.push(length as u8 | 0x80);
            length >>= 7;
        }
        bytes.push(length as u8);
        digits.iter().for_each(|digit| digit.write_record(&mut bytes));
    }
    bytes
}

/// Reads a model file: the network and its description.
pub fn load(bytes: &[u8]) -> Result<(Mlp, String)> {
    load_taught(bytes).map(|model| (model.net, model.description))
}

/// Reads a model file of any version: the network, its description and your digits.
pub fn load_taught(bytes: &[u8]) -> Result<Model> {
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
    let (network_version, body) = match version {
        TAUGHT_VERSION => match bytes.get(10..12).map(|b| u16::from_le_bytes([b[0], b[1]])) {
            Some(inner @ (VERSION | MAP_VERSION)) => (inner, &bytes[12..]),
            Some(_) => return Err(Error::Model("the file is corrupt (its network's format version is not 1 or 2)".into())),
            None => return Err(Error::Model("the file is corrupt (it ends before its network's format version)".into())),
        },
        _ => (version, &bytes[10..]),
    };
    let ((net, description), rest) = match network_version {
        VERSION => load_dense(body)?,
        MAP_VERSION => load_maps(body)?,
        _ => {
            return Err(Error::Model(format!(
                "format version {network_version} is not supported by this build, which reads versions {VERSION} to {TAUGHT_VERSION}"
            )))
        }
    };
    let (digits, rest) = if version == TAUGHT_VERSION { load_digits(rest)? } else { (Vec::new(), rest) };
    check_end(rest)?;
    Ok(Model { net, description, digits })
}

/// Your digits after a version 3 file's network. Their number is checked before they are decoded.
fn load_digits(body: &[u8]) -> Result<(Vec<TaughtDigit>, &[u8])> {
    // Plain messages, no numbers: each format!() costs the wasm file bytes it has not got to spare.
    let (declared_bytes, after_length) = postcard::take_from_bytes::<u64>(body).map_err(corrupt)?;
    if declared_bytes > (MAX_TAUGHT_DIGITS * DIGIT_BYTES) as u64 || declared_bytes % DIGIT_BYTES as u64 != 0 {
        return Err(Error::Model("the file's digits are damaged: not a whole number of digits, or more than 1000 digits".into()));
    }
    if (after_length.len() as u64) < declared_bytes {
        return Err(Error::Model("the file is corrupt (it ends inside its digits)".into()));
    }
    let (flat, rest) = after_length.split_at(declared_bytes as usize);
    let mut digits = Vec::with_capacity(flat.len() / DIGIT_BYTES);
    for digit in flat.chunks_exact(DIGIT_BYTES) {
        if digit[0] as usize >= crate::mnist::CLASSES {
            return Err(Error::Model("a digit of the file is damaged: its label is not 0 to 9".into()));
        }
        digits.push(TaughtDigit { label: digit[0], pixels: digit[1..].to_vec() });
    }
    Ok((digits, rest))
}

/// Postcard's error in our words. Not through its `Display`, whose table of messages for every
/// error it has (serialising ones too) was 700 bytes of the WebAssembly file.
fn corrupt(e: postcard::Error) -> Error {
    let why = match e {
        postcard::Error::DeserializeUnexpectedEnd => "it ends too early",
        postcard::Error::DeserializeBadUtf8 => "a name in it is not text",
        _ => "a number or length in it is damaged",
    };
    Error::Model(format!("the file is corrupt ({why})"))
}

/// What a record decoder gives: the network and its description, and the bytes after the record.
type Decoded<'a> = ((Mlp, String), &'a [u8]);

/// An MLP's record, version 1.
fn load_dense(body: &[u8]) -> Result<Decoded<'_>> {
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
    let (record, rest) = read_body(after_sizes)?;
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
    Ok(((Mlp { maps: Vec::new(), layers }, record.description), rest))
}

/// A ConvNet's record, version 2. The architecture, input and class count come first and are checked
/// (and the number of parameter lists with them) before the parameters are decoded.
fn load_maps(body: &[u8]) -> Result<Decoded<'_>> {
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
    let (record, rest) = read_body(rest)?;
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
    Ok(((net, record.description), rest))
}

/// The parameter lists and the description, which end a network's record, and what follows them
/// (nothing, or a version 3 file's digits).
fn read_body(bytes: &[u8]) -> Result<(Body, &[u8])> {
    postcard::take_from_bytes(bytes).map_err(corrupt)
}

fn check_end(rest: &[u8]) -> Result<()> {
    if rest.is_empty() {
        Ok(())
    } else {
        Err(Error::Model(format!("the file is corrupt ({} stray bytes at its end)", rest.len())))
    }
}

fn check_finite(layer: &LayerFile, index: usize) -> Result<()> {
    if layer.weights.iter().chain(&layer.biases).any(|v| !v.is_finite()) {
        return Err(Error::Model(format!("layer {} contains values that are not finite numbers", index + 1)));
    }
    Ok(())
}
