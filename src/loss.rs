//! Softmax cross-entropy and its gradient, fused.
//!
//! With targets `Y` (one-hot, optionally label-smoothed) and probabilities `A = softmax(Z)`, the loss of
//! one example is `L = −Σ_k Y_k log A_k`, and its gradient with respect to the logits is simply
//! `dZ = A − Y`: the softmax Jacobian and the log cancel. That is why the output layer never needs a
//! softmax derivative of its own.

use crate::error::{Error, Result};
use nalgebra::{DMatrixView, DMatrixViewMut};

/// Smallest probability fed to `log`, so that a confident wrong answer costs a large but finite loss.
const MIN_PROBABILITY: f32 = 1e-12;

/// ε of label smoothing is in [0, 1): at 1 the target would no longer say which class is right.
pub fn check_label_smoothing(smoothing: f32) -> Result<()> {
    if (0.0..1.0).contains(&smoothing) {
        Ok(())
    } else {
        Err(Error::Config(format!("label smoothing must be in [0, 1) (got {smoothing})")))
    }
}

/// The target distribution for a label: `1 − ε` on the true class plus `ε / K` spread over all `K`.
///
/// `ε = 0` is the plain one-hot vector of the original project; `ε = 0.1` (label smoothing) keeps the
/// network from becoming over-confident and measurably reaches 98 % sooner on MNIST.
#[inline]
pub fn target(label: usize, class: usize, classes: usize, smoothing: f32) -> f32 {
    let off = smoothing / classes as f32;
    if class == label {
        1.0 - smoothing + off
    } else {
        off
    }
}

/// Writes one-hot (or smoothed) targets for `labels` into `y` (classes × batch).
pub fn one_hot(labels: &[u8], smoothing: f32, mut y: DMatrixViewMut<f32>) {
    let classes = y.nrows();
    for (mut column, &label) in y.column_iter_mut().zip(labels) {
        for (k, v) in column.iter_mut().enumerate() {
            *v = target(label as usize, k, classes, smoothing);
        }
    }
}

/// Sum over the batch of `−Σ_k Y_k log A_k`, with `A` the softmax probabilities (classes × batch).
pub fn cross_entropy_sum(probabilities: DMatrixView<f32>, labels: &[u8], smoothing: f32) -> f32 {
    let classes = probabilities.nrows();
    let (on, off) = (target(0, 0, classes, smoothing), target(0, 1, classes, smoothing));
    let mut total = 0.0f32;
    for (column, &label) in probabilities.column_iter().zip(labels) {
        let label = label as usize;
        if off == 0.0 {
            // One-hot targets: only the true class's term is non-zero (and the log is taken once).
            total -= on * floored(column[label]).ln();
        } else {
            for (k, &p) in column.iter().enumerate() {
                total -= if k == label { on } else { off } * floored(p).ln();
            }
        }
    }
    total
}

/// `p`, raised to the smallest probability fed to `log`. Written as a comparison rather than `max`,
/// so a NaN probability stays NaN and a diverged network is noticed instead of costing a finite,
/// capped loss.
#[inline]
fn floored(p: f32) -> f32 {
    if p < MIN_PROBABILITY {
        MIN_PROBABILITY
    } else {
        p
    }
}

/// Turns probabilities into the fused gradient in place: `dZ = A − Y`.
pub fn softmax_cross_entropy_grad(mut probabilities: DMatrixViewMut<f32>, labels: &[u8], smoothing: f32) {
    let classes = probabilities.nrows();
    let (on, off) = (target(0, 0, classes, smoothing), target(0, 1, classes, smoothing));
    for (mut column, &label) in probabilities.column_iter_mut().zip(labels) {
        if off != 0.0 {
            column.add_scalar_mut(-off);
        }
        column[label as usize] -= on - off;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::DMatrix;

    #[test]
    fn smoothed_targets_sum_to_one() {
        let sum: f32 = (0..10).map(|k| target(3, k, 10, 0.1)).sum();
        assert!((sum - 1.0).abs() < 1e-6);
        assert!((target(3, 3, 10, 0.1) - 0.91).abs() < 1e-6);
        assert!((target(3, 4, 10, 0.1) - 0.01).abs() < 1e-6);
    }

    #[test]
    fn loss_of_a_uniform_guess_is_log_k() {
        let p = DMatrix::from_element(10, 2, 0.1f32);
        let loss = cross_entropy_sum(p.as_view(), &[0, 7], 0.0) / 2.0;
        assert!((loss - 10f32.ln()).abs() < 1e-5);
        // With smoothing the targets still sum to 1, so a uniform guess still costs log K.
        let loss = cross_entropy_sum(p.as_view(), &[0, 7], 0.1) / 2.0;
        assert!((loss - 10f32.ln()).abs() < 1e-5);
    }

    #[test]
    fn loss_and_gradient_match_their_definitions() {
        let p = DMatrix::<f32>::from_column_slice(3, 2, &[0.2, 0.7, 0.1, 0.5, 0.25, 0.25]);
        let labels = [1u8, 2];
        for smoothing in [0.0, 0.3] {
            let y = |j: usize, k: usize| target(labels[j] as usize, k, 3, smoothing);
            let want: f32 = (0..2).flat_map(|j| (0..3).map(move |k| (j, k))).map(|(j, k)| -y(j, k) * p[(k, j)].ln()).sum();
            assert!((cross_entropy_sum(p.as_view(), &labels, smoothing) - want).abs() < 1e-6, "ε = {smoothing}");
            let mut grad = p.clone();
            softmax_cross_entropy_grad(grad.as_view_mut(), &labels, smoothing);
            for j in 0..2 {
                for k in 0..3 {
                    assert!((grad[(k, j)] - (p[(k, j)] - y(j, k))).abs() < 1e-6, "ε = {smoothing}, ({k}, {j})");
                }
            }
        }
        // A NaN probability gives a NaN loss, not a capped one.
        let nan = DMatrix::from_column_slice(2, 1, &[f32::NAN, 0.5]);
        assert!(cross_entropy_sum(nan.as_view(), &[0], 0.0).is_nan());
    }
}
