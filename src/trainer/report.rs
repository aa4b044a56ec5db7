//! What a call to [`Trainer::train`](super::Trainer::train) reports, and what the run's steps add up
//! to: their counts and the smoothed curves of the per-step loss and accuracy.

use serde::Serialize;

/// What a call to [`Trainer::train`](super::Trainer::train) did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrainReport {
    /// Optimiser steps completed in this call.
    pub steps: u64,
    /// Examples processed in this call (forward and backward).
    pub examples: u64,
    /// Mean training loss and accuracy over the completed steps (measured before each update).
    pub loss: f32,
    pub accuracy: f32,
    pub learning_rate: f32,
    /// Exponential moving averages of the per-step loss and accuracy (the charts' smoothed curves).
    pub smoothed_loss: f32,
    pub smoothed_accuracy: f32,
    /// Steps and examples since the start of the run.
    pub total_steps: u64,
    pub total_examples: u64,
    /// Passes over the training set so far, fractional.
    pub epoch: f32,
    /// The run has reached its configured length.
    pub finished: bool,
}

/// What the run's steps so far add up to: the counts, and the smoothed curves of their loss and
/// accuracy.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct Tally {
    pub(super) steps: u64,
    pub(super) examples: u64,
    pub(super) smoothed_loss: Ema,
    pub(super) smoothed_accuracy: Ema,
}

/// Weight of the newest step in the smoothed curves: about the last 50 steps count.
const SMOOTHING: f32 = 0.02;

/// An exponential moving average with bias correction, so the first values are not pulled towards 0
/// (the same correction Adam applies to its moments).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(super) struct Ema {
    sum: f32,
    weight: f32,
}

impl Ema {
    pub(super) fn add(&mut self, value: f32) {
        self.sum = (1.0 - SMOOTHING) * self.sum + SMOOTHING * value;
        self.weight = (1.0 - SMOOTHING) * self.weight + SMOOTHING;
    }

    pub(super) fn value(&self) -> f32 {
        if self.weight > 0.0 {
            self.sum / self.weight
        } else {
            f32::NAN
        }
    }
}
