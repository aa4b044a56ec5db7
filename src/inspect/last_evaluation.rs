//! Looking into a run's last full test evaluation: its confusion matrix, the test images of one
//! cell, a sample of its mistakes, and chosen test images with the answers of the very weights that
//! evaluation measured. Every answer is bounded ([`MAX_EXAMPLES`] images at most).

use super::probabilities_of;
use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::metrics::{self, ConfusionMatrix};
use crate::mnist::CLASSES;
use crate::network::Mlp;
use crate::trainer::{Evaluation, Trainer};
use serde::Serialize;

/// Most test images one call looks at, and most indices a listing returns.
pub const MAX_EXAMPLES: usize = 256;

/// The confusion matrix of an evaluation, with what the page shows beside it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Confusion {
    pub classes: usize,
    /// `counts[a * classes + p]`: test images of digit `a` read as `p`.
    pub counts: Vec<u32>,
    /// Each count as a fraction of its row (how often a true `a` is read as `p`).
    pub fractions: Vec<f32>,
    /// Each digit's accuracy; `None` for a digit without test images.
    pub per_digit_accuracy: Vec<Option<f32>>,
    pub examples: u64,
    pub correct: u64,
    pub accuracy: f32,
    /// Training examples seen when the evaluated weights were taken.
    pub at_examples: u64,
}

/// A class with its probability.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Ranked {
    pub digit: usize,
    pub probability: f32,
}

/// A test image with its label, the evaluation's answer and the evaluated network's most likely
/// digits.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TestExample {
    pub index: u32,
    pub label: u8,
    /// The evaluation's answer.
    pub predicted: u8,
    /// 28×28 bytes, row by row (0 = paper, 255 = ink).
    pub pixels: Vec<u8>,
    /// Most likely first.
    pub top: Vec<Ranked>,
}

/// A run's last full test evaluation, with the test set and the weights it measured.
#[derive(Debug, Clone, Copy)]
pub struct LastEvaluation<'a> {
    pub evaluation: &'a Evaluation,
    pub test: &'a Dataset,
    pub net: &'a Mlp,
}

impl<'a> LastEvaluation<'a> {
    /// The trainer's last full test evaluation, or an error if there is none yet.
    pub fn of(trainer: &'a Trainer) -> Result<Self> {
        Self::latest(trainer)?.ok_or_else(|| Error::Input("the test set has not been evaluated yet".into()))
    }

    /// The trainer's last full test evaluation, `None` if there is none yet; an error only for an
    /// evaluation that does not fit its test set (a bug, not a question of time).
    pub fn latest(trainer: &'a Trainer) -> Result<Option<Self>> {
        Self::from_parts(trainer.last_evaluation(), trainer.last_evaluated_network(), trainer.test_set())
    }

    /// An evaluation with the weights it measured and the test set, if there is one.
    fn from_parts(evaluation: Option<&'a Evaluation>, net: Option<&'a Mlp>, test: Option<&'a Dataset>) -> Result<Option<Self>> {
        let (Some(evaluation), Some(net)) = (evaluation, net) else {
            return Ok(None);
        };
        let test = test.ok_or_else(|| Error::Dataset("the last evaluation has no test set".into()))?;
        if evaluation.predictions.len() != test.len() {
            return Err(Error::Dataset("the last evaluation does not cover the whole test set".into()));
        }
        Ok(Some(LastEvaluation { evaluation, test, net }))
    }

    pub fn confusion(&self) -> Result<Confusion> {
        let matrix = ConfusionMatrix::new(&self.test.labels, &self.evaluation.predictions, CLASSES)?;
        let (examples, correct) = (matrix.total(), matrix.correct());
        Ok(Confusion {
            classes: matrix.classes(),
            counts: matrix.counts().to_vec(),
            fractions: matrix.row_fractions(),
            per_digit_accuracy: matrix.per_class_accuracy(),
            examples,
            correct,
            accuracy: (correct as f64 / examples.max(1) as f64) as f32,
            at_examples: self.evaluation.at_examples,
        })
    }

    /// Indices of up to `limit` (at most [`MAX_EXAMPLES`]) test images of digit `actual` that the
    /// evaluation read as `predicted`, in test-set order.
    pub fn cell_examples(&self, actual: usize, predicted: usize, limit: usize) -> Result<Vec<u32>> {
        let actual = self.net.check_class(actual, "true digit")?;
        let predicted = self.net.check_class(predicted, "predicted digit")?;
        let limit = limit.min(MAX_EXAMPLES);
        Ok(metrics::indices_in_cell(&self.test.labels, &self.evaluation.predictions, actual, predicted, limit))
    }

    /// Indices of up to `limit` (at most [`MAX_EXAMPLES`]) test images the evaluation got wrong,
    /// taken from the digits in turn (a wrong 0, a wrong 1, …, then a second wrong 0, …).
    pub fn misclassified_examples(&self, limit: usize) -> Vec<u32> {
        let limit = limit.min(MAX_EXAMPLES);
        metrics::misclassified_sample(&self.test.labels, &self.evaluation.predictions, CLASSES, limit)
    }

    /// Test images by index (at most [`MAX_EXAMPLES`]) with the `top` most likely digits of the
    /// evaluated network.
    pub fn test_examples(&self, indices: &[u32], top: usize) -> Result<Vec<TestExample>> {
        if indices.len() > MAX_EXAMPLES {
            return Err(Error::Input(format!("at most {MAX_EXAMPLES} test images per call (got {})", indices.len())));
        }
        let probabilities = probabilities_of(self.net, self.test, indices)?;
        Ok(indices
            .iter()
            .zip(probabilities)
            .map(|(&index, p)| TestExample {
                index,
                label: self.test.labels[index as usize],
                predicted: self.evaluation.predictions[index as usize],
                pixels: self.test.image(index as usize).to_vec(),
                top: metrics::top_k(&p, top).into_iter().map(|(digit, probability)| Ranked { digit, probability }).collect(),
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mnist::Images;
    use crate::trainer::TrainConfig;
    use rand::SeedableRng;

    /// Only a missing evaluation is "none yet"; one that does not fit its test set is an error.
    #[test]
    fn none_before_an_evaluation_and_an_error_for_one_that_does_not_fit() {
        let net = TrainConfig::default().build_network(&mut rand_pcg::Pcg64Mcg::seed_from_u64(1)).unwrap();
        let images = Images { count: 3, rows: 28, cols: 28, pixels: vec![0; 3 * 784] };
        let test = Dataset::new(images, vec![1, 2, 3]).unwrap();
        let evaluation = |n: usize| Evaluation { loss: 1.0, accuracy: 0.0, correct: 0, examples: n, at_examples: 0, predictions: vec![0; n] };
        let (fits, short) = (evaluation(3), evaluation(2));
        assert!(LastEvaluation::from_parts(None, None, Some(&test)).unwrap().is_none());
        assert!(LastEvaluation::from_parts(None, Some(&net), Some(&test)).unwrap().is_none());
        let last = LastEvaluation::from_parts(Some(&fits), Some(&net), Some(&test)).unwrap().expect("an evaluation");
        assert_eq!(last.evaluation, &fits);
        let e = LastEvaluation::from_parts(Some(&short), Some(&net), Some(&test)).expect_err("an error");
        assert!(e.to_string().contains("does not cover the whole test set"), "{e}");
        assert!(LastEvaluation::from_parts(Some(&fits), Some(&net), None).is_err());
    }
}
