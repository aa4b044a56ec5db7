//! A network written as a short line of text, read and checked in one place — the form, the native
//! trainer, the address bar and the model file all use this notation.
//!
//! The layers, input first, joined by `-` (a `,` is read as `-` too, as in the older `256,128`);
//! the input (1×28×28 for MNIST) and the output layer (10 classes) are implied:
//!
//! - `c8k5` — a convolution to 8 channels with 5×5 kernels, valid padding (the map shrinks by 4),
//!   followed by a ReLU; `c8k5s` — the same with same (zero) padding, which keeps the map's size
//!   and needs an odd kernel;
//! - `p2` — 2×2 max-pooling with stride 2 (the map's height and width must be even);
//! - `128` — a dense layer of 128 units with a ReLU.
//!
//! Feature-map layers come first, dense ones after them: `c8k5-p2-c16k5-p2-128` is a LeNet-like
//! ConvNet (28 → 24 → 12 → 8 → 4, then 16·4·4 = 256 values into 128 units), `128` is the default
//! MLP and the empty line a softmax regression. Written out again ([`Architecture`]'s `Display`),
//! a parsed line gives the same text back.

use crate::error::{Error, Result};
use crate::layer::{Conv2d, Dense, MapLayer, MapShape, MaxPool2, Padding};
use crate::mnist::IMAGE_SIDE;
use crate::network::{validate_dense, Mlp};
use rand::Rng;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// Most channels of a convolution, and the largest kernel: far beyond what trains on MNIST in a
/// browser, and they keep a typo (`c800k5`) from reaching the size checks below as a huge number.
pub const MAX_CHANNELS: usize = 256;
pub const MAX_KERNEL: usize = 11;
/// Most feature-map values of one example, every layer's output counted: the trainer keeps them
/// (and a convolution's pre-activations) for a chunk of 256 examples, so 65,536 values are about
/// 100 MB at most. LeNet-like `c8k5-p2-c16k5-p2` has about 7,000.
pub const MAX_MAP_VALUES: usize = 65_536;
/// Longest notation read: a hostile model file or address cannot make the parser work for long.
pub const MAX_NOTATION_BYTES: usize = 512;

/// An MNIST image as feature maps: one channel of 28 × 28.
pub const MNIST_INPUT: MapShape = MapShape { channels: 1, height: IMAGE_SIDE, width: IMAGE_SIDE };

/// One feature-map layer as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapSpec {
    Conv { channels: usize, kernel: usize, padding: Padding },
    MaxPool,
}

/// A network as written: its feature-map layers, then its hidden dense layers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Architecture {
    pub maps: Vec<MapSpec>,
    pub hidden: Vec<usize>,
}

impl Architecture {
    /// An MLP with these hidden layers.
    pub fn mlp(hidden: &[usize]) -> Self {
        Architecture { maps: Vec::new(), hidden: hidden.to_vec() }
    }

    /// The architecture of a network: its map layers as written, its dense layers' sizes but the
    /// first (the input) and the last (the classes).
    pub fn of(net: &Mlp) -> Self {
        let maps = net
            .maps
            .iter()
            .map(|layer| match layer {
                MapLayer::Conv(c) => MapSpec::Conv { channels: c.output().channels, kernel: c.kernel, padding: c.padding },
                MapLayer::MaxPool(_) => MapSpec::MaxPool,
            })
            .collect();
        let sizes = net.sizes();
        Architecture { maps, hidden: sizes[1..sizes.len() - 1].to_vec() }
    }

    /// The whole network for MNIST written out, its implied input and output included: an MLP as
    /// its sizes (`784-128-10`), a ConvNet as its layers (`c8k5-p2-c16k5-p2-128-10`).
    pub fn written_out(&self) -> String {
        let start = if self.is_convolutional() { String::new() } else { format!("{}-", MNIST_INPUT.len()) };
        let middle = self.to_string();
        let middle = if middle.is_empty() { middle } else { middle + "-" };
        format!("{start}{middle}{}", crate::mnist::CLASSES)
    }

    /// Whether it has feature-map layers (a ConvNet) or only dense ones (an MLP).
    pub fn is_convolutional(&self) -> bool {
        !self.maps.is_empty()
    }

    /// Each feature-map layer's output shape for this input, or what is wrong with the architecture.
    pub fn map_shapes(&self, input: MapShape) -> Result<Vec<MapShape>> {
        let mut shape = input;
        let mut values = 0usize;
        let mut shapes = Vec::with_capacity(self.maps.len());
        for (i, spec) in self.maps.iter().enumerate() {
            let at = |e: Error| Error::Config(format!("layer {} ({spec}): {}", i + 1, e.message()));
            shape = match *spec {
                MapSpec::Conv { channels, kernel, .. } if channels > MAX_CHANNELS || kernel > MAX_KERNEL => {
                    return Err(at(Error::Config(format!(
                        "at most {MAX_CHANNELS} channels and kernels up to {MAX_KERNEL}×{MAX_KERNEL}"
                    ))))
                }
                MapSpec::Conv { channels, kernel, padding } => {
                    Conv2d::output_shape(shape, channels, kernel, padding).map_err(at)?
                }
                MapSpec::MaxPool => MaxPool2::output_shape(shape).map_err(at)?,
            };
            values += shape.len();
            if values > MAX_MAP_VALUES {
                return Err(at(Error::Config(format!(
                    "the feature maps would hold {values} values per example (at most {MAX_MAP_VALUES})"
                ))));
            }
            shapes.push(shape);
        }
        Ok(shapes)
    }

    /// Checks the whole network — feature maps, dense sizes, layer and parameter counts — before
    /// anything is allocated.
    pub fn validate(&self, input: MapShape, classes: usize) -> Result<()> {
        let shapes = self.map_shapes(input)?;
        let mut channels = input.channels;
        let mut map_parameters = 0;
        for spec in &self.maps {
            if let MapSpec::Conv { channels: out, kernel, .. } = *spec {
                map_parameters += channels * kernel * kernel * out + out;
                channels = out;
            }
        }
        let flat = shapes.last().map_or(input.len(), MapShape::len);
        let sizes: Vec<usize> = std::iter::once(flat).chain(self.hidden.iter().copied()).chain([classes]).collect();
        validate_dense(&sizes, self.maps.len(), map_parameters)
    }

    /// The network, He-initialised, for inputs of `input` and `classes` outputs.
    pub fn build(&self, input: MapShape, classes: usize, rng: &mut impl Rng) -> Result<Mlp> {
        self.validate(input, classes)?;
        let mut shape = input;
        let mut maps = Vec::with_capacity(self.maps.len());
        for spec in &self.maps {
            let layer = match *spec {
                MapSpec::Conv { channels, kernel, padding } => {
                    MapLayer::Conv(Conv2d::he(shape, channels, kernel, padding, rng)?)
                }
                MapSpec::MaxPool => MapLayer::MaxPool(MaxPool2::new(shape)?),
            };
            shape = layer.output();
            maps.push(layer);
        }
        let mut sizes = vec![shape.len()];
        sizes.extend(&self.hidden);
        sizes.push(classes);
        let layers = sizes.windows(2).map(|w| Dense::he(w[0], w[1], rng)).collect();
        Ok(Mlp { maps, layers })
    }
}


impl fmt::Display for MapSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MapSpec::Conv { channels, kernel, padding: Padding::Valid } => write!(f, "c{channels}k{kernel}"),
            MapSpec::Conv { channels, kernel, padding: Padding::Same } => write!(f, "c{channels}k{kernel}s"),
            MapSpec::MaxPool => write!(f, "p2"),
        }
    }
}

impl fmt::Display for Architecture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let maps = self.maps.iter().map(ToString::to_string);
        let parts: Vec<String> = maps.chain(self.hidden.iter().map(ToString::to_string)).collect();
        write!(f, "{}", parts.join("-"))
    }
}

impl FromStr for Architecture {
    type Err = Error;

    /// Reads the notation of the module doc; says which part is wrong and what was expected. The
    /// sizes are checked against an input by [`Architecture::validate`].
    fn from_str(text: &str) -> Result<Self> {
        let text = text.trim();
        let mut architecture = Architecture::default();
        if text.is_empty() {
            return Ok(architecture);
        }
        if text.len() > MAX_NOTATION_BYTES {
            return Err(Error::Config(format!("a network of {} characters is too long to read (at most {MAX_NOTATION_BYTES})", text.len())));
        }
        for (i, part) in text.split(['-', ',']).enumerate() {
            let bad = |why: &str| bad_part(i, part, text, why);
            if part.is_empty() {
                return Err(bad("empty — layers are joined by a single '-'"));
            }
            if part.starts_with(|c: char| c.is_ascii_digit()) {
                architecture.hidden.push(number(part).ok_or_else(|| bad("a dense layer is a number of units, such as 128"))?);
                continue;
            }
            if !architecture.hidden.is_empty() {
                return Err(bad("convolutions and pooling come before the dense layers"));
            }
            architecture.maps.push(map_spec(part).map_err(|why| bad(&why))?);
        }
        if let Some(zero) = architecture.hidden.iter().find(|&&u| u == 0) {
            return Err(Error::Config(format!("\"{text}\": a dense layer needs at least 1 unit (got {zero})")));
        }
        Ok(architecture)
    }
}

/// The notation as a string (settings in JSON, the model file).
impl Serialize for Architecture {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Architecture {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(|e: Error| serde::de::Error::custom(e.message()))
    }
}

/// What is wrong with part `i` of a line (one function, not a `format!` per message: wasm size).
#[inline(never)]
fn bad_part(i: usize, part: &str, text: &str, why: &str) -> Error {
    Error::Config(format!("layer {} (\"{part}\") of \"{text}\": {why}", i + 1))
}

/// `c<channels>k<kernel>[s]` or `p2`.
fn map_spec(part: &str) -> std::result::Result<MapSpec, String> {
    const FORMS: &str = "expected c<channels>k<kernel> (such as c8k5, or c8k5s for same padding), p2 or a number of units";
    if let Some(size) = part.strip_prefix('p') {
        return match number(size) {
            Some(2) => Ok(MapSpec::MaxPool),
            Some(_) => Err("only 2×2 pooling is supported (p2)".into()),
            None => Err(FORMS.into()),
        };
    }
    let rest = part.strip_prefix('c').ok_or_else(|| FORMS.to_string())?;
    let (channels, rest) = rest.split_once('k').ok_or_else(|| FORMS.to_string())?;
    let (kernel, padding) = match rest.strip_suffix('s') {
        Some(kernel) => (kernel, Padding::Same),
        None => (rest, Padding::Valid),
    };
    let (channels, kernel) = (number(channels).ok_or(FORMS)?, number(kernel).ok_or(FORMS)?);
    if channels == 0 || kernel == 0 {
        return Err("channels and kernel size must be at least 1".into());
    }
    Ok(MapSpec::Conv { channels, kernel, padding })
}

/// A whole number written with digits only (no sign, no spaces), or `None`; too large a number
/// comes back as `usize::MAX`, for the size checks to refuse with a message about size.
fn number(text: &str) -> Option<usize> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(text.parse().unwrap_or(usize::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MNIST: MapShape = MapShape { channels: 1, height: 28, width: 28 };

    fn parse(text: &str) -> Result<Architecture> {
        text.parse()
    }

    fn config_error(text: &str) -> String {
        let architecture = match parse(text) {
            Ok(a) => a,
            Err(e) => return e.to_string(),
        };
        match architecture.validate(MNIST, 10) {
            Ok(()) => panic!("\"{text}\" was accepted"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn reads_and_writes_back_the_notation() {
        for text in ["c8k5-p2-c16k5-p2-128", "c8k5s-p2-c16k3s-p2-c32k3-64-32", "128", "256-128", "", "p2-c4k1-10"] {
            let architecture = parse(text).unwrap();
            assert_eq!(architecture.to_string(), text);
            architecture.validate(MNIST, 10).unwrap_or_else(|e| panic!("{text}: {e}"));
        }
        let lenet = parse("c8k5-p2-c16k5s-p2-128").unwrap();
        assert_eq!(
            lenet.maps,
            vec![
                MapSpec::Conv { channels: 8, kernel: 5, padding: Padding::Valid },
                MapSpec::MaxPool,
                MapSpec::Conv { channels: 16, kernel: 5, padding: Padding::Same },
                MapSpec::MaxPool,
            ]
        );
        assert_eq!(lenet.hidden, vec![128]);
        let shapes = lenet.map_shapes(MNIST).unwrap();
        let shape = |channels, side| MapShape { channels, height: side, width: side };
        assert_eq!(shapes, vec![shape(8, 24), shape(8, 12), shape(16, 12), shape(16, 6)]);
        assert_eq!(parse(" 128 ").unwrap(), Architecture::mlp(&[128]));
        assert_eq!(parse("256,128").unwrap().to_string(), "256-128");
    }

    #[test]
    fn a_network_tells_its_architecture() {
        let mut rng = rand_pcg::Pcg64Mcg::new(2);
        for text in ["c8k5-p2-c16k3s-p2-64-32", "c4k3", "p2-10", "128", ""] {
            let net = parse(text).unwrap().build(MNIST, 10, &mut rng).unwrap();
            assert_eq!(Architecture::of(&net).to_string(), text);
        }
    }

    #[test]
    fn written_out_with_input_and_output() {
        for (text, whole) in [("128", "784-128-10"), ("", "784-10"), ("256-128", "784-256-128-10"), ("c8k5-p2-64", "c8k5-p2-64-10"), ("c4k3-p2", "c4k3-p2-10")] {
            assert_eq!(parse(text).unwrap().written_out(), whole);
        }
    }

    #[test]
    #[cfg(not(target_arch = "wasm32"))] // serde_json is a native dev-dependency; tests/web_keep.rs reads settings in the browser
    fn settings_carry_it_as_its_notation() {
        let lenet = parse("c8k5-p2-c16k5-p2-128").unwrap();
        let json = serde_json::to_string(&lenet).unwrap();
        assert_eq!(json, "\"c8k5-p2-c16k5-p2-128\"");
        assert_eq!(serde_json::from_str::<Architecture>(&json).unwrap(), lenet);
        let error = serde_json::from_str::<Architecture>("\"c8k5-p3\"").unwrap_err().to_string();
        assert!(error.contains("only 2×2 pooling"), "{error}");
        let long = "1-".repeat(300) + "1";
        assert!(parse(&long).unwrap_err().to_string().contains("too long"));
    }

    #[test]
    fn built_networks_have_the_written_shapes() {
        let mut rng = rand_pcg::Pcg64Mcg::new(1);
        let net = parse("c8k5-p2-c16k5-p2-128").unwrap().build(MNIST, 10, &mut rng).unwrap();
        assert_eq!(net.inputs(), 784);
        assert_eq!(net.sizes(), vec![256, 128, 10]);
        assert_eq!(net.parameter_count(), (25 * 8 + 8) + (8 * 25 * 16 + 16) + (256 * 128 + 128) + (128 * 10 + 10));
        let mlp = parse("128").unwrap().build(MNIST, 10, &mut rng).unwrap();
        assert_eq!((mlp.is_convolutional(), mlp.sizes()), (false, vec![784, 128, 10]));
    }

    #[test]
    fn nonsense_gets_a_clear_message() {
        let cases = [
            ("c8k5--128", "empty"),
            ("c8k5,-128", "empty"),
            ("c8k5-", "empty"),
            ("128-c8k5", "come before the dense layers"),
            ("c0k5", "at least 1"),
            ("c8k0", "at least 1"),
            ("128-0", "at least 1 unit"),
            ("c8", "expected c<channels>k<kernel>"),
            ("c8k5x", "expected c<channels>k<kernel>"),
            ("ck5", "expected c<channels>k<kernel>"),
            ("p3", "only 2×2 pooling"),
            ("pool", "expected"),
            ("12a", "number of units"),
            ("-5", "empty"),
            ("c8k4s", "odd kernel"),
            ("c8k5-p2-c8k5-p2-c8k5", "does not fit a 4×4 map"),
            ("c8k9-p2-c8k11", "does not fit a 10×10 map"),
            ("c8k5s-p2-p2-p2", "even height and width (got 7×7)"),
            ("c999k3", "at most 256 channels"),
            ("c8k13s", "kernels up to 11×11"),
            ("c99999999999999999999999k3", "at most 256 channels"),
            ("c128k3s-c128k3s", "values per example"),
            ("c16k3s-4096-4096", "parameters"),
            // The feature-map layers' own parameters and layers count too (the dense ones alone
            // would fit: 16,384 × 10 + 10 parameters, 1 layer).
            ("c128k11-c256k11", "parameters"),
            ("5000", "too large"),
        ];
        let many_maps = vec!["c1k1"; 64].join("-");
        for (text, expected) in cases.into_iter().chain([(many_maps.as_str(), "65 layers are too many")]) {
            let message = config_error(text);
            assert!(message.contains(expected), "\"{text}\": {message:?} does not say {expected:?}");
        }
        assert!(config_error("c8k5-p2-c8k5-p2-c8k5").contains("layer 5 (c8k5)"));
    }
}
