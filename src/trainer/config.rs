//! The settings that define a training run — its layers, optimiser, batch, schedule, length, label
//! smoothing and augmentation — as the page sends them (camelCase JSON, unknown keys refused) and
//! the checks that they make a run.

use crate::architecture::{Architecture, MNIST_INPUT};
use crate::error::{Error, Result};
use crate::loss::check_label_smoothing;
use crate::mnist::CLASSES;
use crate::network::Mlp;
use crate::optim::{OptimizerConfig, Schedule};
use serde::{Deserialize, Serialize};

/// Longest run the settings accept, in epochs.
pub const MAX_EPOCHS: f32 = 10_000.0;

/// Everything that defines a training run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct TrainConfig {
    /// The layers between the input (an image) and the output (10 classes), in the notation of
    /// [`crate::architecture`]: `128` (the default MLP), `256-128`, `c8k5-p2-c16k5-p2-128` (a ConvNet).
    pub layers: Architecture,
    /// Defaults to Adam with learning rate 5e-3.
    pub optimizer: OptimizerConfig,
    /// Examples per optimiser step; the training set's size means full-batch gradient descent.
    /// Defaults to 32.
    pub batch_size: usize,
    /// Defaults to 2 % linear warm-up, then cosine decay to 0.
    pub schedule: Schedule,
    /// Length of the run in passes over the training set; the schedule spans it. Defaults to 2.5.
    #[serde(serialize_with = "crate::decimal::serialize")]
    pub epochs: f32,
    /// ε of label smoothing (0 = plain one-hot). Defaults to 0.1.
    #[serde(serialize_with = "crate::decimal::serialize")]
    pub label_smoothing: f32,
    /// Random shifts, scaling, small rotations and stroke thickness changes of every training
    /// example, drawn anew each time it is used ([`crate::augment`]). Defaults to false.
    pub augment: bool,
}

impl Default for TrainConfig {
    /// The default preset, [`Preset::Default`](crate::presets::Preset::Default).
    fn default() -> Self {
        crate::presets::default_recipe()
    }
}

impl TrainConfig {
    /// The original NumPy project's network and training, [`Preset::Seed`](crate::presets::Preset::Seed).
    pub fn seed_network(train_size: usize) -> Self {
        crate::presets::Preset::Seed.config(train_size)
    }

    /// A fresh network of these layers, He-initialised.
    pub fn build_network(&self, rng: &mut impl rand::Rng) -> Result<Mlp> {
        self.layers.build(MNIST_INPUT, CLASSES, rng)
    }

    pub fn validate(&self, train_size: usize) -> Result<()> {
        self.layers.validate(MNIST_INPUT, CLASSES)?;
        self.optimizer.validate()?;
        if self.batch_size == 0 {
            return Err(Error::Config("the batch size must be at least 1".into()));
        }
        if self.batch_size > train_size {
            return Err(Error::Config(format!(
                "a batch of {} is larger than the {train_size} training examples",
                self.batch_size
            )));
        }
        if !(self.epochs > 0.0 && self.epochs <= MAX_EPOCHS) {
            return Err(Error::Config(format!("epochs must be above 0 and at most {MAX_EPOCHS} (got {})", self.epochs)));
        }
        check_label_smoothing(self.label_smoothing)?;
        if let Schedule::WarmupCosine { warmup } = self.schedule {
            if !(0.0..1.0).contains(&warmup) {
                return Err(Error::Config(format!("the warm-up fraction must be in [0, 1) (got {warmup})")));
            }
        }
        Ok(())
    }
}
