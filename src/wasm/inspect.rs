//! The "Look inside" panel's calls: first-layer weights as pictures, layer activity for a drawing,
//! the confusion matrix of the last test evaluation, and chosen test images with the evaluated
//! network's answers. Every result is small and bounded; bad indices are JavaScript exceptions.

use super::{js_error, to_js, Session};
use crate::inspect;
use crate::metrics::{self, ConfusionMatrix};
use crate::dataset::Dataset;
use crate::mnist::CLASSES;
use crate::network::Mlp;
use crate::trainer::{Evaluation, Trainer};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// Most first-layer units one `weightImages` call returns (256 × 784 floats = 800 kB).
const MAX_WEIGHT_IMAGES: u32 = 256;
/// Most test images one `testExamples` call looks at, and most indices a listing returns.
const MAX_EXAMPLES: u32 = 256;
/// Most classes a `testExamples` call ranks per image.
const MAX_TOP: u32 = 10;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Confusion {
    classes: usize,
    /// `counts[a * classes + p]`: test images of digit `a` read as `p`.
    counts: Vec<u32>,
    /// Each count as a fraction of its row (how often a true `a` is read as `p`).
    fractions: Vec<f32>,
    /// Each digit's accuracy; `null` for a digit without test images.
    per_digit_accuracy: Vec<Option<f32>>,
    examples: u64,
    correct: u64,
    accuracy: f32,
    /// Training examples seen when the evaluated weights were taken.
    at_examples: u64,
}

#[derive(Serialize)]
struct Ranked {
    digit: usize,
    probability: f32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TestExample {
    index: u32,
    label: u8,
    /// The evaluation's answer.
    predicted: u8,
    /// 28×28 bytes, row by row (0 = paper, 255 = ink).
    pixels: Vec<u8>,
    /// The evaluated network's most likely digits, most likely first.
    top: Vec<Ranked>,
}

fn evaluated(trainer: &Trainer) -> Result<(&Evaluation, &Dataset, &Mlp), JsError> {
    let not_yet = || JsError::new("input: the test set has not been evaluated yet");
    let evaluation = trainer.last_evaluation().ok_or_else(not_yet)?;
    let net = trainer.last_evaluated_network().ok_or_else(not_yet)?;
    let test = trainer.test_set().ok_or_else(|| JsError::new("input: there is no test set"))?;
    if evaluation.predictions.len() != test.len() {
        return Err(JsError::new("internal: the evaluation does not cover the whole test set"));
    }
    Ok((evaluation, test, net))
}

fn digit(value: u32, what: &str) -> Result<u8, JsError> {
    if (value as usize) < CLASSES {
        Ok(value as u8)
    } else {
        Err(JsError::new(&format!("input: {what} digit {value} does not exist (digits are 0 to 9)")))
    }
}

#[wasm_bindgen]
impl Session {
    /// Up to `count` (at most 256) units of the first weight layer from unit `first` on, as 28×28
    /// pictures one after another (784 values each, row by row), each unit scaled to [−1, 1] by its
    /// largest |weight|: positive weights mean ink there raises the unit's activity. The first layer
    /// is the output layer when there are no hidden layers.
    #[wasm_bindgen(js_name = weightImages)]
    pub fn weight_images(&self, first: u32, count: u32) -> Result<Vec<f32>, JsError> {
        let count = count.min(MAX_WEIGHT_IMAGES) as usize;
        let (images, _) = inspect::weight_images(self.trainer.network(), first as usize, count).map_err(js_error)?;
        Ok(images)
    }

    /// Every layer's activity for 784 pixel values in [0, 1] (a drawing's `preview`), first hidden
    /// layer first, output last: `[{values, strength, active, strongest, output}]`, where `strength`
    /// is in [0, 1] for display and `strongest` lists up to `strongest` (at most 64) most active units.
    pub fn activations(&self, pixels: &[f32], strongest: u32) -> Result<JsValue, JsError> {
        let layers = inspect::activity(self.trainer.network(), pixels, strongest.min(64) as usize).map_err(js_error)?;
        to_js(&layers)
    }

    /// The confusion matrix of the last full test evaluation, or `null` before there is one:
    /// `{classes, counts, fractions, perDigitAccuracy, examples, correct, accuracy, atExamples}` with
    /// `counts[actual * 10 + predicted]`.
    #[wasm_bindgen(js_name = confusionMatrix)]
    pub fn confusion_matrix(&self) -> Result<JsValue, JsError> {
        let Ok((evaluation, test, _)) = evaluated(&self.trainer) else {
            return Ok(JsValue::NULL);
        };
        let matrix = ConfusionMatrix::new(&test.labels, &evaluation.predictions, CLASSES).map_err(js_error)?;
        let (examples, correct) = (matrix.total(), matrix.correct());
        to_js(&Confusion {
            classes: matrix.classes(),
            counts: matrix.counts().to_vec(),
            fractions: matrix.row_fractions(),
            per_digit_accuracy: matrix.per_class_accuracy(),
            examples,
            correct,
            accuracy: (correct as f64 / examples.max(1) as f64) as f32,
            at_examples: evaluation.at_examples,
        })
    }

    /// Indices of up to `limit` (at most 256) test images of digit `actual` that the last evaluation
    /// read as `predicted`, in test-set order.
    #[wasm_bindgen(js_name = cellExamples)]
    pub fn cell_examples(&self, actual: u32, predicted: u32, limit: u32) -> Result<Vec<u32>, JsError> {
        let (actual, predicted) = (digit(actual, "true")?, digit(predicted, "predicted")?);
        let (evaluation, test, _) = evaluated(&self.trainer)?;
        let limit = limit.min(MAX_EXAMPLES) as usize;
        Ok(metrics::indices_in_cell(&test.labels, &evaluation.predictions, actual, predicted, limit))
    }

    /// Indices of up to `limit` (at most 256) test images the last evaluation got wrong, taken from
    /// the digits in turn (a wrong 0, a wrong 1, …, then a second wrong 0, …).
    #[wasm_bindgen(js_name = misclassifiedExamples)]
    pub fn misclassified_examples(&self, limit: u32) -> Result<Vec<u32>, JsError> {
        let (evaluation, test, _) = evaluated(&self.trainer)?;
        let limit = limit.min(MAX_EXAMPLES) as usize;
        Ok(metrics::misclassified_sample(&test.labels, &evaluation.predictions, CLASSES, limit))
    }

    /// Test images by index (at most 256 per call) with their label, the last evaluation's answer,
    /// and the `top` (at most 10) most likely digits of the network that evaluation measured:
    /// `[{index, label, predicted, pixels, top: [{digit, probability}]}]`.
    #[wasm_bindgen(js_name = testExamples)]
    pub fn test_examples(&self, indices: &[u32], top: u32) -> Result<JsValue, JsError> {
        if indices.len() > MAX_EXAMPLES as usize {
            return Err(JsError::new(&format!(
                "input: at most {MAX_EXAMPLES} test images per call (got {})",
                indices.len()
            )));
        }
        let (evaluation, test, net) = evaluated(&self.trainer)?;
        let probabilities = inspect::probabilities_of(net, test, indices).map_err(js_error)?;
        let examples: Vec<TestExample> = indices
            .iter()
            .zip(probabilities)
            .map(|(&index, p)| TestExample {
                index,
                label: test.labels[index as usize],
                predicted: evaluation.predictions[index as usize],
                pixels: test.image(index as usize).to_vec(),
                top: metrics::top_k(&p, top.min(MAX_TOP) as usize)
                    .into_iter()
                    .map(|(digit, probability)| Ranked { digit, probability })
                    .collect(),
            })
            .collect();
        to_js(&examples)
    }
}
