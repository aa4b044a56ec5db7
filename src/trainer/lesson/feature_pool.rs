//! The MNIST examples a ConvNet's lessons mix in, as their last feature maps: a lesson teaches the
//! dense layers only (`Trainer::dense_lesson_step`), so these are computed once, a chunk at a time
//! between the page's checks of the clock, and kept from lesson to lesson until the feature-map
//! layers change.

use crate::batch::InputBatch;
use crate::network::Workspace;
use crate::trainer::{Trainer, CONV_CHUNK};

/// MNIST training examples whose last feature maps a ConvNet's lessons mix in: enough variety
/// that ten lessons keep the test accuracy (README, "Teach it your handwriting"), few enough to
/// compute in a fraction of a second before the first lesson.
const POOL_EXAMPLES: usize = 1024;
/// The step between the pool's examples in the training set.
const POOL_STRIDE: usize = 7919;

/// The pool: [`POOL_EXAMPLES`] examples' features and labels, and a lesson step's buffers.
#[derive(Debug, Clone, Default)]
pub(in crate::trainer) struct FeaturePool {
    /// [`crate::network::Mlp::maps_fingerprint`] of the layers that computed `features`.
    pub(super) fingerprint: Option<u64>,
    /// One example's features after another.
    pub(super) features: Vec<f32>,
    pub(super) labels: Vec<u8>,
    /// A step's batch of features, and the dense layers' buffers.
    pub(super) batch: Option<InputBatch>,
    pub(super) ws: Workspace,
}

impl Trainer {
    /// Computes the next chunk of the ConvNet's MNIST features for lessons, first forgetting them if
    /// the feature-map layers changed since (training, another network). Returns whether the pool
    /// is complete.
    pub(super) fn fill_feature_pool(&mut self) -> bool {
        let fingerprint = self.net.maps_fingerprint();
        let pool = &mut self.feature_pool;
        if pool.fingerprint != Some(fingerprint) {
            pool.fingerprint = Some(fingerprint);
            pool.features.clear();
            pool.labels.clear();
        }
        let (have, want) = (pool.labels.len(), POOL_EXAMPLES.min(self.train.len()));
        if have >= want {
            return true;
        }
        self.input.clear();
        for i in have..(have + CONV_CHUNK).min(want) {
            // Spread over the training set (the stride is prime to its 60,000): the same pool every time.
            let index = (i * POOL_STRIDE) % self.train.len();
            self.input.push_image(&self.train, index, true);
            pool.labels.push(self.train.labels[index]);
        }
        pool.features.extend_from_slice(self.net.map_features(&self.input, &mut self.ws));
        pool.labels.len() >= want
    }
}
