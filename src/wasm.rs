//! The JavaScript face of the crate — the only module with `#[wasm_bindgen]`.
//!
//! A [`Session`] is an opaque handle: the MNIST bytes, the network and the optimiser live in wasm
//! memory; JavaScript hands the data over once and afterwards gets back only small results (a
//! report, an accuracy, ten probabilities). Every error becomes a JavaScript exception with a clear
//! message; nothing here panics on bad input.

use crate::architecture::Architecture;
use crate::error::Error;
use crate::dataset::Dataset;
use crate::drawing;
use crate::model_file;
use crate::presets::Preset;
use crate::settings;
use crate::trainer::{SettingsChange, TrainConfig, Trainer, LIVE_SETTINGS};
use serde::Serialize;
use wasm_bindgen::prelude::*;

mod comparison;
mod explain;
mod inspect;
mod keep;
mod slice;
mod teach;

#[wasm_bindgen(start)]
fn start() {
    // A panic would be a bug; make sure it reaches the console with its message.
    console_error_panic_hook::set_once();
}

/// The fingerprint of the bindings this package was built from (see `crate::interface`); the page
/// compares it with the one it was written for before it uses anything else.
#[wasm_bindgen(js_name = interfaceFingerprint)]
pub fn interface_fingerprint() -> String {
    crate::interface::fingerprint_hex()
}

fn js_error(e: Error) -> JsError {
    JsError::new(&e.to_string())
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    // Maps rather than plain objects would surprise JavaScript callers.
    let serializer = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
    value.serialize(&serializer).map_err(|e| JsError::new(&format!("internal: cannot convert a result ({e})")))
}

fn settings_from_js(settings: JsValue) -> Result<TrainConfig, JsError> {
    if settings.is_undefined() || settings.is_null() {
        return Ok(TrainConfig::default());
    }
    // Anything but a plain object (an array is an object too) gets a plainer message than serde's.
    if !settings.is_object() || js_sys::Array::is_array(&settings) {
        return Err(JsError::new("settings: expected an object of settings"));
    }
    // `settings::read` refuses misspelt keys, which serde-wasm-bindgen alone would not see.
    settings::read(|| serde_wasm_bindgen::Deserializer::from(settings.clone())).map_err(|e| {
        // The error is a JavaScript Error: its message, without the "Error: " its text starts with.
        let message = js_sys::Error::from(JsValue::from(e)).message();
        JsError::new(&format!("settings: {}", String::from(message)))
    })
}

/// Milliseconds from a monotonic clock (the page's or a worker's `performance.now()`).
fn now() -> f64 {
    js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("performance"))
        .ok()
        .and_then(|p| p.dyn_into::<web_sys::Performance>().ok())
        .map(|p| p.now())
        .unwrap_or_else(js_sys::Date::now)
}

/// The seed given (checked by `settings::seed_from_number`), or a random one.
fn seed_or_random(seed: Option<f64>) -> Result<u64, JsError> {
    match seed {
        Some(s) => settings::seed_from_number(s).map_err(js_error),
        None => {
            let mut bytes = [0u8; 8];
            getrandom::fill(&mut bytes).map_err(|e| JsError::new(&format!("no random source: {e}")))?;
            Ok(settings::seed_from_random_bits(u64::from_le_bytes(bytes)))
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Info<'a> {
    /// The whole network written out, input and output included: `784-128-10`, `c8k5-p2-128-10`.
    network: String,
    /// Whether it has convolutions (a ConvNet) or not (an MLP).
    convolutional: bool,
    /// The dense layers' sizes, inputs first (a ConvNet's first is its last maps' values).
    sizes: Vec<usize>,
    parameters: usize,
    train_examples: usize,
    test_examples: usize,
    seed: u64,
    planned_examples: u64,
    /// The run's settings now, changes made while it trained included.
    settings: TrainConfig,
    /// The names of the settings that can change while it trains.
    live_settings: [&'static str; LIVE_SETTINGS.len()],
    settings_changes: &'a [SettingsChange],
}

/// A preset as the page's Recipe menu reads it.
#[derive(Serialize)]
struct PresetSettings {
    name: &'static str,
    label: &'static str,
    settings: TrainConfig,
}

/// Data, network and optimiser, kept in wasm memory.
#[wasm_bindgen]
pub struct Session {
    trainer: Trainer,
    seed: u64,
    steps: slice::PieceTimer,
    /// A lesson's steps (256 examples) take longer than training's: timed apart.
    lesson_steps: slice::PieceTimer,
}

#[wasm_bindgen]
impl Session {
    /// Takes the four decompressed MNIST IDX files (train images, train labels, test images, test
    /// labels), the settings (`undefined` for the defaults) and a seed (`undefined` draws one).
    #[wasm_bindgen(constructor)]
    pub fn new(
        train_images: Vec<u8>,
        train_labels: Vec<u8>,
        test_images: Vec<u8>,
        test_labels: Vec<u8>,
        settings: JsValue,
        seed: Option<f64>,
    ) -> Result<Session, JsError> {
        let config = settings_from_js(settings)?;
        let seed = seed_or_random(seed)?;
        let train = Dataset::from_named_idx_vec("training", train_images, &train_labels).map_err(js_error)?;
        // Listing the non-zero pixels takes a tenth of a second: here, while the page says it is
        // preparing the data, rather than in the first training frame.
        train.nonzeros();
        let test = Dataset::from_named_idx_vec("test", test_images, &test_labels).map_err(js_error)?;
        let mut trainer = Trainer::new(config, train, Some(test), seed).map_err(js_error)?;
        trainer.set_short_pieces();
        Ok(Session { trainer, seed, steps: slice::PieceTimer::default(), lesson_steps: slice::PieceTimer::default() })
    }

    /// Starts over from fresh weights with new settings (and seed), keeping the data. On an error the
    /// current network is kept.
    pub fn reset(&mut self, settings: JsValue, seed: Option<f64>) -> Result<(), JsError> {
        let config = settings_from_js(settings)?;
        let seed = seed_or_random(seed)?;
        self.trainer.restart(config, seed).map_err(js_error)?;
        self.seed = seed;
        Ok(())
    }

    /// Architecture, data sizes, seed and settings.
    pub fn info(&self) -> Result<JsValue, JsError> {
        let t = &self.trainer;
        to_js(&Info {
            network: Architecture::of(t.network()).written_out(),
            convolutional: t.network().is_convolutional(),
            sizes: t.network().sizes(),
            parameters: t.network().parameter_count(),
            train_examples: t.train_set().len(),
            test_examples: t.test_set().map_or(0, Dataset::len),
            seed: self.seed,
            planned_examples: t.planned_examples(),
            settings: t.config().clone(),
            live_settings: LIVE_SETTINGS,
            settings_changes: t.settings_changes(),
        })
    }

    /// Changes the run's settings from its next step: those of `info().liveSettings` apply (the
    /// changes made are `info().settingsChanges`), the others wait for `reset`. Returns the names of
    /// those that wait. On an error nothing changes.
    #[wasm_bindgen(js_name = changeSettings)]
    pub fn change_settings(&mut self, settings: JsValue) -> Result<JsValue, JsError> {
        let config = settings_from_js(settings)?;
        // Only the names: the change itself is in `info()`, and a second copy of its conversion
        // would cost the wasm file bytes it does not have to spare.
        to_js(&self.trainer.change_settings(&config).map_err(js_error)?.waiting)
    }

    /// The presets for this session's training set, in menu order: `[{name, label, settings}]`, the
    /// settings in the form `reset` takes.
    pub fn presets(&self) -> Result<JsValue, JsError> {
        let train_size = self.trainer.train_set().len();
        let presets: Vec<_> = Preset::ALL
            .iter()
            .map(|&p| PresetSettings { name: p.name(), label: p.label(), settings: p.config(train_size) })
            .collect();
        to_js(&presets)
    }

    /// Trains for at most `max_steps` optimiser steps or `budget_ms` milliseconds, whichever comes
    /// first, and returns a report: `{steps, examples, loss, accuracy, learningRate, totalSteps,
    /// totalExamples, epoch, finished}`. If the loss diverges, the run goes back to where it stood
    /// before the failing step and an exception says so.
    pub fn train(&mut self, max_steps: u32, budget_ms: f64) -> Result<JsValue, JsError> {
        let report = self.trainer.train(max_steps as u64, self.steps.slice(budget_ms)).map_err(js_error)?;
        to_js(&report)
    }

    /// Advances the test-set evaluation by up to `max_examples` images. Returns `null` while it is
    /// under way, and `{loss, accuracy, correct, examples, atExamples}` when all test images are done.
    pub fn evaluate(&mut self, max_examples: u32) -> Result<JsValue, JsError> {
        match self.trainer.evaluate_test_chunk(max_examples as usize).map_err(js_error)? {
            Some(evaluation) => to_js(&evaluation),
            None => Ok(JsValue::NULL),
        }
    }

    /// Prepares a drawing (a canvas' RGBA pixels) the MNIST way and classifies it:
    /// `{empty, digit, probabilities, confident, preview}`; an empty pad gives `empty: true` and no digit.
    #[wasm_bindgen(js_name = predictDrawing)]
    pub fn predict_drawing(&mut self, rgba: &[u8], width: u32, height: u32) -> Result<JsValue, JsError> {
        to_js(&drawing::read_drawing(self.trainer.network(), rgba, width as usize, height as usize).map_err(js_error)?)
    }

    /// Probabilities of the ten digits for 784 pixel values in [0, 1] (row by row).
    #[wasm_bindgen(js_name = predictPixels)]
    pub fn predict_pixels(&mut self, pixels: &[f32]) -> Result<Vec<f32>, JsError> {
        self.trainer.predict(pixels).map_err(js_error)
    }

    /// Layer `layer`'s weights, outputs × inputs in column-major order — which is also row-major
    /// inputs × outputs, so row `i` holds the weights leaving input `i` (a 28×28 picture per hidden
    /// unit for the first layer).
    #[wasm_bindgen(js_name = layerWeights)]
    pub fn layer_weights(&self, layer: usize) -> Result<Vec<f32>, JsError> {
        Ok(self.trainer.network().layer(layer).map_err(js_error)?.weights.as_slice().to_vec())
    }

    /// Layer `layer`'s biases.
    #[wasm_bindgen(js_name = layerBiases)]
    pub fn layer_biases(&self, layer: usize) -> Result<Vec<f32>, JsError> {
        Ok(self.trainer.network().layer(layer).map_err(js_error)?.biases.as_slice().to_vec())
    }

    /// Sets layer `layer`'s weights (same layout as `layerWeights`) and biases, e.g. to start two
    /// implementations from the same weights. On an error nothing changes.
    #[wasm_bindgen(js_name = setLayerParameters)]
    pub fn set_layer_parameters(&mut self, layer: usize, weights: &[f32], biases: &[f32]) -> Result<(), JsError> {
        self.trainer.set_layer_parameters(layer, weights, biases).map_err(js_error)
    }

    /// The model file's bytes (architecture, weights and Your digits).
    #[wasm_bindgen(js_name = exportModel)]
    pub fn export_model(&self, description: &str) -> Vec<u8> {
        model_file::save_taught(self.trainer.network(), description, self.trainer.taught_digits())
    }

    /// Replaces the network, and Your digits, with a model file's; returns its description. On an
    /// error nothing changes (`Trainer::import_model`).
    #[wasm_bindgen(js_name = importModel)]
    pub fn import_model(&mut self, bytes: &[u8]) -> Result<String, JsError> {
        let model = model_file::load_taught(bytes).map_err(js_error)?;
        self.trainer.import_model(model).map_err(js_error)
    }

    /// Bytes of wasm memory in use by this instance (it grows, never shrinks).
    #[wasm_bindgen(js_name = memoryBytes)]
    pub fn memory_bytes() -> f64 {
        wasm_bindgen::memory().unchecked_into::<js_sys::WebAssembly::Memory>().buffer().unchecked_into::<js_sys::ArrayBuffer>().byte_length() as f64
    }
}
