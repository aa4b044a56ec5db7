//! One error type for everything that can go wrong with data, settings, models or drawings.
//!
//! Every fallible path in the crate returns [`Error`]; the wasm bindings turn it into a JavaScript
//! exception with the same message. Panics are kept for broken invariants only, because a panic in
//! WebAssembly kills the whole instance (and the page's trained network with it).

use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// An IDX file (MNIST's format) that is truncated, of the wrong kind, or inconsistent.
    Idx(String),
    /// Images and labels that do not belong together.
    Dataset(String),
    /// A setting that makes no sense (layer sizes, learning rate, batch size, …).
    Config(String),
    /// A model file that is corrupt, of another version, or does not fit.
    Model(String),
    /// Input to a prediction or preprocessing call of the wrong size.
    Input(String),
    /// The loss became NaN or infinite; the weights of the last good step were kept.
    Diverged(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Idx(m) => write!(f, "MNIST file: {m}"),
            Error::Dataset(m) => write!(f, "data set: {m}"),
            Error::Config(m) => write!(f, "settings: {m}"),
            Error::Model(m) => write!(f, "model file: {m}"),
            Error::Input(m) => write!(f, "input: {m}"),
            Error::Diverged(m) => write!(f, "training diverged: {m}"),
        }
    }
}

impl Error {
    /// The message without its kind ("settings: …"), to be put in a longer one.
    pub fn message(&self) -> &str {
        match self {
            Error::Idx(m) | Error::Dataset(m) | Error::Config(m) | Error::Model(m) | Error::Input(m) | Error::Diverged(m) => m,
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;
