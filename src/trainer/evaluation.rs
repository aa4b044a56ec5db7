//! Measuring a network: on a whole data set at once, on the test set a slice per call (the page
//! evaluates between frames, on a copy of the weights taken when the evaluation started), or on
//! one input.

use super::{Trainer, CONV_CHUNK};
use crate::batch::InputBatch;
use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::network::{BatchStats, Mlp, Workspace};
use serde::Serialize;

/// Result of evaluating a network on a whole data set.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Evaluation {
    pub loss: f32,
    pub accuracy: f32,
    pub correct: usize,
    pub examples: usize,
    /// The training examples seen when the evaluated weights were taken.
    pub at_examples: u64,
    /// Predicted class of every example, in order.
    #[serde(skip)]
    pub predictions: Vec<u8>,
}

/// A test-set evaluation spread over several calls, on a copy of the weights taken when it started.
#[derive(Debug, Clone)]
pub(super) struct PendingEvaluation {
    net: Mlp,
    at_examples: u64,
    next: usize,
    stats: BatchStats,
    predictions: Vec<u8>,
}

/// The test-set evaluations of a run: the one under way and the last one finished.
#[derive(Debug, Clone, Default)]
pub(super) struct Evaluations {
    pub(super) pending: Option<PendingEvaluation>,
    pub(super) last: Option<Evaluation>,
    /// The weights `last` measured (its predictions come from them), for a second look at its
    /// examples.
    pub(super) last_net: Option<Mlp>,
    /// The weights the evaluation before `last` measured, kept to copy the next evaluation's
    /// weights into: a fresh copy every few seconds (0.8 MB for 784-128-10 with its gradients) left
    /// holes in WebAssembly memory that a later copy did not always fit, and memory grew by one
    /// copy during a long run (a 20-epoch run in Chromium: 91.2 → 91.6 MB after epoch 2).
    spare_net: Option<Mlp>,
    /// The weights in one row on their way into the spare (the rollback's own copy functions).
    flat: Vec<f32>,
}

impl Evaluations {
    /// A copy of `net`'s weights for an evaluation to measure, in the spare network (its gradients
    /// are left as they were: an evaluation only runs forward). The spare always has `net`'s layers:
    /// a network of other layers comes only with `restart` or `set_network`, which start the
    /// evaluations afresh; its parameter sizes are compared all the same, and a copy is made if
    /// they differ.
    fn copy_of(&mut self, net: &Mlp) -> Mlp {
        match self.spare_net.take() {
            Some(mut spare) if spare.parameter_count() == net.parameter_count() => {
                super::rollback::copy_parameters(net, &mut self.flat);
                super::rollback::restore_parameters(&mut spare, &self.flat);
                spare
            }
            _ => net.clone(),
        }
    }
}

fn no_test_set() -> Error {
    Error::Dataset("no test set was given".into())
}

impl Trainer {
    /// The test set, or an error if the run has none.
    pub fn required_test_set(&self) -> Result<&Dataset> {
        self.test.as_deref().ok_or_else(no_test_set)
    }

    pub fn last_evaluation(&self) -> Option<&Evaluation> {
        self.evaluations.last.as_ref()
    }

    /// The network as it was when [`Trainer::last_evaluation`] was measured (the current one has
    /// usually trained on since); `None` when there is no evaluation.
    pub fn last_evaluated_network(&self) -> Option<&Mlp> {
        self.evaluations.last.as_ref().and(self.evaluations.last_net.as_ref())
    }

    /// Evaluates the current weights on a whole data set at once (native tools, tests).
    pub fn evaluate(&mut self, data: &Dataset) -> Evaluation {
        let net = self.net.clone();
        evaluate_range(&net, data, 0..data.len(), &mut self.input, &mut self.ws, self.tally.examples)
    }

    /// Advances the test-set evaluation by up to `examples` images, starting one on a copy of the
    /// current weights if none is under way. Returns the evaluation once all test images are done.
    pub fn evaluate_test_chunk(&mut self, examples: usize) -> Result<Option<Evaluation>> {
        let test = self.test.as_ref().ok_or_else(no_test_set)?;
        if self.evaluations.pending.is_none() {
            let net = self.evaluations.copy_of(&self.net);
            self.evaluations.pending = Some(PendingEvaluation {
                net,
                at_examples: self.tally.examples,
                next: 0,
                stats: BatchStats::default(),
                predictions: Vec::with_capacity(test.len()),
            });
        }
        let pending = self.evaluations.pending.as_mut().expect("an evaluation under way");
        let end = (pending.next + examples.max(1)).min(test.len());
        let part = evaluate_range(&pending.net, test, pending.next..end, &mut self.input, &mut self.ws, 0);
        pending.stats.add(BatchStats { loss_sum: part.loss * part.examples as f32, correct: part.correct, examples: part.examples });
        pending.predictions.extend_from_slice(&part.predictions);
        pending.next = end;
        if end < test.len() {
            return Ok(None);
        }
        let done = self.evaluations.pending.take().expect("an evaluation under way");
        let evaluation = Evaluation {
            loss: done.stats.mean_loss(),
            accuracy: done.stats.accuracy(),
            correct: done.stats.correct,
            examples: done.stats.examples,
            at_examples: done.at_examples,
            predictions: done.predictions,
        };
        self.evaluations.last = Some(evaluation.clone());
        self.evaluations.spare_net = self.evaluations.last_net.replace(done.net);
        Ok(Some(evaluation))
    }

    /// Probabilities of the ten classes for one image of 784 values in [0, 1].
    pub fn predict(&mut self, pixels: &[f32]) -> Result<Vec<f32>> {
        predict(&self.net, pixels, &mut self.input, &mut self.ws)
    }
}

/// Loss, accuracy and predictions of `net` on `data[range]` (plain cross-entropy, no smoothing).
pub fn evaluate_range(
    net: &Mlp,
    data: &Dataset,
    range: std::ops::Range<usize>,
    input: &mut InputBatch,
    ws: &mut Workspace,
    at_examples: u64,
) -> Evaluation {
    let mut stats = BatchStats::default();
    let mut predictions = Vec::with_capacity(range.len());
    let mut start = range.start;
    let chunk = if net.is_convolutional() { CONV_CHUNK.min(input.capacity()) } else { input.capacity() };
    while start < range.end {
        let end = (start + chunk).min(range.end);
        input.clear();
        // An MLP reads the data set's list of non-zero pixels (made on the first evaluation, 4.5 MB
        // for the 10,000 test images): a test pass is run every few seconds, and reading ~150 listed
        // pixels per image instead of scanning 784 bytes made it a third faster in the page.
        input.push_images(data, start..end, net.is_convolutional());
        net.forward(&*input, ws);
        let labels = &data.labels[start..end];
        stats.add(net.stats(ws, labels, 0.0));
        predictions.extend(net.predictions(ws, end - start));
        start = end;
    }
    Evaluation {
        loss: stats.mean_loss(),
        accuracy: stats.accuracy(),
        correct: stats.correct,
        examples: stats.examples,
        at_examples,
        predictions,
    }
}

/// Probabilities of every class for one input.
pub fn predict(net: &Mlp, pixels: &[f32], input: &mut InputBatch, ws: &mut Workspace) -> Result<Vec<f32>> {
    net.check_input(pixels)?;
    input.clear();
    input.push(pixels);
    net.forward(&*input, ws);
    Ok(net.probabilities(ws, 1).to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::architecture::Architecture;
    use crate::trainer::rollback::tests::data;
    use crate::trainer::{TrainConfig, CHUNK, CONV_CHUNK};

    fn trainer(layers: &str) -> Trainer {
        let config = TrainConfig { layers: layers.parse::<Architecture>().unwrap(), ..TrainConfig::default() };
        Trainer::new(config, data(), Some(data()), 1).unwrap()
    }

    #[test]
    fn a_convnets_test_pass_keeps_its_buffers_small_and_counts_the_same() {
        let mut t = trainer("c4k5-p2-16");
        let whole = t.evaluate_test_chunk(600).unwrap().expect("all 600 in one call");
        assert!(t.ws.capacity() <= CONV_CHUNK, "buffers for {} examples", t.ws.capacity());
        // A test pass has no backward pass, so its convolution keeps no patches for one: one
        // example's (24 × 24 positions × 25 taps) at a time.
        assert_eq!(t.ws.conv[0].patch_values(), 24 * 24 * 25);
        // The same counts as one example at a time.
        let net = t.network().clone();
        let (mut input, mut ws) = (InputBatch::with_capacity(net.inputs(), 1), Workspace::default());
        let one_by_one = evaluate_range(&net, &data(), 0..600, &mut input, &mut ws, 0);
        assert_eq!((whole.correct, &whole.predictions), (one_by_one.correct, &one_by_one.predictions));
        assert!((whole.loss - one_by_one.loss).abs() <= 1e-5 * one_by_one.loss.abs());
        // An MLP still reads a whole chunk at a time.
        let mut mlp = trainer("16");
        mlp.evaluate_test_chunk(600).unwrap();
        assert_eq!(mlp.ws.capacity(), CHUNK);
    }

    #[test]
    fn each_evaluation_measures_the_weights_it_started_with_when_its_copy_is_reused() {
        let mut t = trainer("16");
        for round in 0..4 {
            // The third and fourth evaluations copy the weights into the network of an earlier one.
            t.train(2, || true).unwrap();
            let want = t.network().clone();
            let got = t.evaluate_test_chunk(600).unwrap().expect("all 600 in one call");
            assert_eq!(t.last_evaluated_network().unwrap().parameters().collect::<Vec<_>>(), want.parameters().collect::<Vec<_>>(), "round {round}");
            let (mut input, mut ws) = (InputBatch::with_capacity(want.inputs(), CHUNK), Workspace::default());
            let fresh = evaluate_range(&want, &data(), 0..600, &mut input, &mut ws, got.at_examples);
            assert_eq!((got.correct, &got.predictions, got.loss), (fresh.correct, &fresh.predictions, fresh.loss), "round {round}");
        }
    }
}
