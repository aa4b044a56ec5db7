//! Turning the knobs while a run trains: the learning rate, the optimiser's other settings, the
//! schedule, label smoothing and augmentation may change between two steps; the network's shape,
//! the optimiser's kind, the batch size and the run's length make another run and wait for a
//! restart ([`Trainer::restart`]).
//!
//! Every change is kept, with the step it applies from, and each step takes its settings from that
//! history when it starts. So a change asked for in the middle of a step (a full-batch step spans
//! many calls) applies from the next one, a step never mixes two sets of settings, and the replay
//! after a divergence (`rollback`) redoes the steps since its checkpoint with the settings each of
//! them had, bit for bit, even when the checkpoint is older than a change.

use super::Trainer;
use crate::error::{Error, Result};
use crate::optim::{OptimizerConfig, Schedule};
use serde::Serialize;

/// The settings that may change while a run trains, by the names the page's form and the settings
/// object use (`learningRate` and the optimiser's own settings are inside `optimizer`).
pub const LIVE_SETTINGS: [&str; 9] =
    ["learningRate", "momentum", "decay", "epsilon", "beta1", "beta2", "schedule", "labelSmoothing", "augment"];

/// The settings that make another run: they wait for a restart. `optimizer` is the optimiser's kind.
pub const RESTART_SETTINGS: [&str; 4] = ["layers", "optimizer", "batchSize", "epochs"];

/// The part of [`TrainConfig`](super::TrainConfig) a step reads, which may change from one step to
/// the next.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveSettings {
    /// The optimiser with its learning rate and other settings; its kind stays the run's.
    pub optimizer: OptimizerConfig,
    pub schedule: Schedule,
    #[serde(serialize_with = "crate::decimal::serialize")]
    pub label_smoothing: f32,
    pub augment: bool,
}

/// Settings that changed while the run trained.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingsChange {
    /// The first step (counted from 1) that uses them.
    pub step: u64,
    /// Training examples seen before that step: where the change sits on a chart over examples.
    pub examples: u64,
    /// What changed, by the names of [`LIVE_SETTINGS`], compared with the settings before `step`.
    pub changed: Vec<&'static str>,
    /// The live settings from `step` on.
    pub settings: LiveSettings,
}

/// What [`Trainer::change_settings`] did.
#[derive(Debug, Clone, PartialEq)]
pub struct SettingsUpdate {
    /// The change made, or `None` when the live settings asked for are those the run has.
    pub change: Option<SettingsChange>,
    /// Settings asked for that differ from the run's and wait for a restart, by the names of
    /// [`RESTART_SETTINGS`]; the run goes on without them.
    pub waiting: Vec<&'static str>,
}

impl super::TrainConfig {
    /// The settings a step reads, which may change while the run trains.
    pub fn live(&self) -> LiveSettings {
        LiveSettings {
            optimizer: self.optimizer,
            schedule: self.schedule,
            label_smoothing: self.label_smoothing,
            augment: self.augment,
        }
    }

    /// The settings of [`RESTART_SETTINGS`] in which `other` differs from these.
    pub fn restart_differences(&self, other: &Self) -> Vec<&'static str> {
        let differs = [
            self.layers != other.layers,
            self.optimizer.kind() != other.optimizer.kind(),
            self.batch_size != other.batch_size,
            self.epochs != other.epochs,
        ];
        RESTART_SETTINGS.into_iter().zip(differs).filter_map(|(name, d)| d.then_some(name)).collect()
    }
}

impl LiveSettings {
    /// The settings of [`LIVE_SETTINGS`] in which `other` differs from these (optimisers of the
    /// same kind).
    fn differences(&self, other: &Self) -> Vec<&'static str> {
        let mut changed: Vec<&'static str> = self
            .optimizer
            .settings()
            .into_iter()
            .zip(other.optimizer.settings())
            .filter_map(|((name, a), (_, b))| (a != b).then_some(name))
            .collect();
        let rest = [
            ("schedule", self.schedule != other.schedule),
            ("labelSmoothing", self.label_smoothing != other.label_smoothing),
            ("augment", self.augment != other.augment),
        ];
        changed.extend(rest.into_iter().filter_map(|(name, d)| d.then_some(name)));
        changed
    }
}

impl Trainer {
    /// Changes the run's settings to `wanted`'s from its next step — now if no step is under way,
    /// else once the current one is done: those of [`LIVE_SETTINGS`] apply, those of
    /// [`RESTART_SETTINGS`] that differ are left as they are and listed as waiting for a restart
    /// (an optimiser of another kind waits with all its settings). `wanted` is checked whole, as a
    /// restart would check it; on an error, or once the run is finished, nothing changes.
    pub fn change_settings(&mut self, wanted: &super::TrainConfig) -> Result<SettingsUpdate> {
        wanted.validate(self.train.len())?;
        let waiting = self.config.restart_differences(wanted);
        let mut live = wanted.live();
        if waiting.contains(&"optimizer") {
            live.optimizer = self.config.optimizer;
        }
        if live == self.config.live() {
            return Ok(SettingsUpdate { change: None, waiting });
        }
        if self.is_finished() {
            return Err(Error::Config("the run has finished: new settings wait for a restart".into()));
        }
        // The step the change applies from, and the examples seen before it.
        let (step, examples) = if self.batch_filled == 0 {
            (self.tally.steps + 1, self.tally.examples)
        } else {
            let rest = (self.config.batch_size - self.batch_filled) as u64;
            (self.tally.steps + 2, self.tally.examples + rest)
        };
        // A later change (left from before a rollback) or one at the same step is replaced.
        self.changes.retain(|c| c.step < step);
        let before = self.settings_for_step(step);
        self.config.optimizer = live.optimizer;
        self.config.schedule = live.schedule;
        self.config.label_smoothing = live.label_smoothing;
        self.config.augment = live.augment;
        if live == before {
            return Ok(SettingsUpdate { change: None, waiting });
        }
        let change = SettingsChange { step, examples, changed: before.differences(&live), settings: live };
        self.changes.push(change.clone());
        Ok(SettingsUpdate { change: Some(change), waiting })
    }

    /// The settings changed while this run trained, oldest first.
    pub fn settings_changes(&self) -> &[SettingsChange] {
        &self.changes
    }

    /// The live settings of step `step` (counted from 1): the last change up to it, or the run's
    /// settings at its start.
    pub(super) fn settings_for_step(&self, step: u64) -> LiveSettings {
        self.changes.iter().rev().find(|c| c.step <= step).map_or(self.started_with, |c| c.settings)
    }

    /// At the start of a step: takes its settings from the history of changes.
    pub(super) fn take_step_settings(&mut self) {
        debug_assert_eq!(self.batch_filled, 0, "a step's settings are taken at its start");
        self.live = self.settings_for_step(self.tally.steps + 1);
        self.optimizer.config = self.live.optimizer;
    }
}

#[cfg(test)]
mod tests {
    use super::super::rollback::tests::data;
    use super::super::TrainConfig;
    use super::*;
    use crate::architecture::Architecture;
    use crate::optim::{AdamConfig, SgdConfig};

    /// 784-8-10, full-batch gradient descent on the 600 images (three chunks per step), constant rate:
    /// a step depends only on the weights before it, so a run can be continued in another trainer.
    fn full_batch(learning_rate: f32, label_smoothing: f32) -> TrainConfig {
        TrainConfig {
            layers: Architecture::mlp(&[8]),
            optimizer: OptimizerConfig::Sgd(SgdConfig { learning_rate }),
            batch_size: 600,
            schedule: Schedule::Constant,
            epochs: 10.0,
            label_smoothing,
            augment: false,
        }
    }

    fn parameters(t: &Trainer) -> Vec<Vec<f32>> {
        t.network().layers.iter().flat_map(|l| [l.weights.as_slice().to_vec(), l.biases.as_slice().to_vec()]).collect()
    }

    /// A new trainer of `config` from `from`'s weights, trained `steps` steps.
    fn continued(from: &Trainer, config: TrainConfig, steps: u64) -> Vec<Vec<f32>> {
        let mut t = Trainer::new(config, from.train_set().clone(), None, 99).unwrap();
        for (i, layer) in from.network().layers.iter().enumerate() {
            t.set_layer_parameters(i, layer.weights.as_slice(), layer.biases.as_slice()).unwrap();
        }
        t.train(steps, || true).unwrap();
        parameters(&t)
    }

    #[test]
    fn a_changed_learning_rate_and_smoothing_are_used_from_the_next_step() {
        let (old, new) = (full_batch(0.1, 0.1), full_batch(0.03, 0.25));
        let mut run = Trainer::new(old.clone(), data(), None, 3).unwrap();
        run.train(2, || true).unwrap();
        let update = run.change_settings(&new).unwrap();
        let change = update.change.expect("a change");
        assert_eq!((change.step, change.examples), (3, 1_200));
        assert_eq!(change.changed, ["learningRate", "labelSmoothing"]);
        assert!(update.waiting.is_empty());
        assert_eq!(run.config(), &new);
        assert_eq!(run.learning_rate(), 0.03);
        let mut at_change = Trainer::new(old.clone(), data(), None, 3).unwrap();
        at_change.train(2, || true).unwrap();
        assert_eq!(parameters(&run), parameters(&at_change), "nothing changed before the next step");
        run.train(2, || true).unwrap();
        assert_eq!(parameters(&run), continued(&at_change, new.clone(), 2), "steps 3 and 4 with the new settings");
        assert_ne!(parameters(&run), continued(&at_change, old, 2), "and not with the old ones");
    }

    #[test]
    fn a_change_during_a_step_waits_for_the_next_one() {
        let (old, new) = (full_batch(0.1, 0.1), full_batch(0.03, 0.1));
        let mut run = Trainer::new(old.clone(), data(), None, 3).unwrap();
        run.train(1, || true).unwrap();
        let mut chunks = 0;
        run.train(1, || {
            chunks += 1;
            chunks <= 1
        })
        .unwrap();
        assert_eq!((run.total_steps(), run.total_examples()), (1, 856), "one chunk into step 2");
        let change = run.change_settings(&new).unwrap().change.unwrap();
        assert_eq!((change.step, change.examples), (3, 1_200));
        assert_eq!(run.learning_rate(), 0.1, "step 2 keeps the old rate");
        run.train(2, || true).unwrap();

        let mut reference = Trainer::new(old, data(), None, 3).unwrap();
        reference.train(2, || true).unwrap();
        assert_eq!(parameters(&run), continued(&reference, new, 1));
        assert_eq!(run.settings_changes(), [change]);
    }

    #[test]
    fn settings_that_shape_the_run_wait_for_a_restart() {
        let start = TrainConfig { layers: Architecture::mlp(&[8]), epochs: 1.0, ..TrainConfig::default() };
        let mut run = Trainer::new(start.clone(), data(), None, 3).unwrap();
        run.train(3, || true).unwrap();
        let reshaped = TrainConfig {
            layers: Architecture::mlp(&[16, 8]),
            optimizer: OptimizerConfig::Sgd(SgdConfig { learning_rate: 0.5 }),
            batch_size: 64,
            epochs: 2.0,
            ..start.clone()
        };
        let update = run.change_settings(&reshaped).unwrap();
        assert_eq!(update.waiting, RESTART_SETTINGS);
        assert_eq!(update.change, None, "another optimiser's learning rate waits with it");
        assert_eq!(run.config(), &start);
        assert_eq!(run.network().sizes(), [784, 8, 10]);

        // The live part of a request applies; the rest waits.
        let mut wanted = TrainConfig { layers: Architecture::mlp(&[32]), augment: true, ..start.clone() };
        if let OptimizerConfig::Adam(c) = &mut wanted.optimizer {
            c.beta1 = 0.8;
        }
        let update = run.change_settings(&wanted).unwrap();
        assert_eq!(update.waiting, ["layers"]);
        assert_eq!(update.change.unwrap().changed, ["beta1", "augment"]);
        assert_eq!(run.config().layers, Architecture::mlp(&[8]));
        assert!(run.config().augment);
        run.train(2, || true).unwrap();
        assert_eq!(run.optimizer().config, wanted.optimizer, "the optimiser steps with the new β₁");
        assert_eq!(run.network().sizes(), [784, 8, 10]);
    }

    #[test]
    fn nonsense_is_refused_and_changes_nothing() {
        let start = TrainConfig { layers: Architecture::mlp(&[8]), epochs: 0.1, ..TrainConfig::default() };
        let mut run = Trainer::new(start.clone(), data(), None, 3).unwrap();
        run.train(1, || true).unwrap();
        let adam = |learning_rate, beta1| OptimizerConfig::Adam(AdamConfig { learning_rate, beta1, ..AdamConfig::default() });
        let cases = [
            (TrainConfig { optimizer: adam(-1.0, 0.9), ..start.clone() }, "learning rate"),
            (TrainConfig { optimizer: adam(1e-3, 1.0), ..start.clone() }, "beta1"),
            (TrainConfig { label_smoothing: 1.5, ..start.clone() }, "smoothing"),
            (TrainConfig { schedule: Schedule::WarmupCosine { warmup: 1.0 }, ..start.clone() }, "warm-up"),
            (TrainConfig { layers: Architecture::mlp(&[0]), augment: true, ..start.clone() }, "size"),
        ];
        for (wanted, topic) in cases {
            let error = run.change_settings(&wanted).unwrap_err();
            assert!(matches!(error, Error::Config(_)) && error.to_string().contains(topic), "{topic}: {error}");
            assert_eq!(run.config(), &start);
            assert!(run.settings_changes().is_empty());
        }
        run.train(u64::MAX, || true).unwrap();
        assert!(run.is_finished());
        let error = run.change_settings(&TrainConfig { augment: true, ..start.clone() }).unwrap_err();
        assert!(error.to_string().contains("finished"), "{error}");
        assert_eq!(run.change_settings(&start).unwrap().change, None, "asking for the same settings is no change");
    }

    #[test]
    fn a_change_replaces_one_at_the_same_step_and_a_restart_forgets_them() {
        let start = TrainConfig { layers: Architecture::mlp(&[8]), ..TrainConfig::default() };
        let mut run = Trainer::new(start.clone(), data(), None, 3).unwrap();
        run.train(4, || true).unwrap();
        let faster = TrainConfig { optimizer: start.optimizer.with_learning_rate(0.01), ..start.clone() };
        run.change_settings(&faster).unwrap();
        let constant = TrainConfig { schedule: Schedule::Constant, ..faster.clone() };
        let change = run.change_settings(&constant).unwrap().change.unwrap();
        assert_eq!((change.step, change.changed), (5, vec!["learningRate", "schedule"]));
        assert_eq!(run.settings_changes().len(), 1);
        // Back to the settings the run had: no change at all.
        assert_eq!(run.change_settings(&start).unwrap().change, None);
        assert!(run.settings_changes().is_empty());
        run.change_settings(&faster).unwrap();
        run.train(3, || true).unwrap();
        run.change_settings(&start).unwrap();
        let steps: Vec<_> = run.settings_changes().iter().map(|c| (c.step, c.examples)).collect();
        assert_eq!(steps, [(5, 128), (8, 224)]);
        run.restart(start.clone(), 3).unwrap();
        assert!(run.settings_changes().is_empty());
    }
}
