//! Inkling: a neural network written by hand on nalgebra — dense layers, ReLU, softmax cross-entropy,
//! backpropagation and optimisers — that learns MNIST natively and in the browser through WebAssembly.
//!
//! The numeric core (every module but `wasm`) has no WebAssembly or DOM code in it and is tested
//! natively with `cargo test`; `wasm` is the one thin module that binds it for JavaScript.

pub mod activation;
pub mod angle;
pub mod architecture;
pub mod augment;
pub mod batch;
pub mod budget;
pub mod comparison;
pub mod dataset;
pub mod decimal;
pub mod drawing;
pub mod error;
pub mod explain;
pub mod inspect;
pub mod interface;
pub mod layer;
pub mod loss;
pub mod metrics;
pub mod mnist;
pub mod model_file;
pub mod network;
pub mod nonzeros;
pub mod optim;
pub mod pixel;
pub mod presets;
pub mod preprocess;
pub mod settings;
pub mod stroke;
pub mod trainer;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use error::{Error, Result};
pub use network::Mlp;
pub use trainer::{TrainConfig, Trainer};
