//! Going back to before a step that diverged: when a step's loss, or the weights its update left,
//! are not finite numbers, the run is put back exactly where it stood before that step — weights,
//! optimiser state, step and example counts, smoothed curves, the order of the examples, the
//! position in it and the random numbers — so that the step is the one that never happened.
//!
//! Copying the weights and the optimiser's moments before every step would move 1.2 MB per step
//! (784-128-10 with Adam: the weights and two moments), for an event that almost never happens.
//! (Until this module, every call copied the network with its gradients and the optimiser, and a
//! divergence put back the weights from the start of the call, with the counts left advanced.)
//! Instead:
//!
//! - at the start of every step, a [`Mark`] notes the few numbers a step advances (counts, curves,
//!   position, random numbers: a hundred bytes);
//! - before an update, if the last checkpoint is [`CHECKPOINT_EVERY`] steps old (or older than the
//!   current order of the examples), the parameters and the optimiser are copied into a checkpoint
//!   with the mark of that step's start — one copy per 16 steps;
//! - when a step fails, the checkpoint is put back and the steps taken since it are trained again.
//!   Training is deterministic (the same chunks, in the same order, from the same random numbers),
//!   so this rebuilds, bit for bit, the state before the failing step; at most 15 steps are redone.
//!
//! Changing the run from outside [`Trainer::train`] (a restart, a new network, new weights for a
//! layer, another number of threads) drops the checkpoint, as the steps since it could no longer
//! be redone the same way; the next update takes a new one. (Weights set in the middle of a step
//! are then kept and that step, should it fail, is redone from its start with them.) Settings
//! changed while the run trains (`live`) keep it: every step, redone or not, takes its settings
//! from their history as it starts.

use super::order::OrderMark;
use super::report::Tally;
use super::Trainer;
use crate::network::Mlp;
use crate::optim::Optimizer;

/// Steps between two checkpoints: a divergence redoes at most this many steps less one, and the
/// parameters and optimiser state are copied once per this many steps.
pub(super) const CHECKPOINT_EVERY: u64 = 16;

/// Where the run stood at the start of a step, besides its weights and optimiser.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Mark {
    order: OrderMark,
    tally: Tally,
}

/// What is needed to go back to before the current step: where it started, and a checkpoint from
/// which the state then can be rebuilt.
#[derive(Debug, Clone, Default)]
pub(super) struct Rollback {
    /// Where the current (or next) step started.
    step_start: Option<Mark>,
    /// The checkpoint's parameters (every layer's weights, then its biases) and optimiser: those
    /// before the update of the step that started at `checkpoint`.
    checkpoint: Option<Mark>,
    parameters: Vec<f32>,
    /// A plain copy, made once per checkpoint (its moments are allocated per tensor as the
    /// optimiser first meets them, so reusing the buffers would need a copy that can grow them —
    /// more code in the wasm file for no measurable gain).
    optimizer: Option<Optimizer>,
    /// Updates made since the checkpoint.
    steps_since: u64,
}

impl Rollback {
    /// Forgets everything: a new run starts (its first step will be marked).
    pub(super) fn forget_all(&mut self) {
        self.step_start = None;
        self.forget_checkpoint();
    }

    /// Forgets the checkpoint (keeping the buffers): the steps since could not be redone the same
    /// way. The current step's mark stays valid.
    pub(super) fn forget_checkpoint(&mut self) {
        self.checkpoint = None;
    }
}

impl Trainer {
    /// Where the run stands now (at the start of a step: nothing of it is accumulated yet).
    fn mark(&self) -> Mark {
        Mark { order: self.order.mark(), tally: self.tally }
    }

    /// Notes where the step about to begin starts.
    pub(super) fn mark_step_start(&mut self) {
        debug_assert_eq!(self.batch_filled, 0, "a step starts with an empty batch");
        self.rollback.step_start = Some(self.mark());
    }

    /// Before a step's update: makes sure a checkpoint from which the state before this step can be
    /// rebuilt exists, taking a new one (here, before the update) when there is none, it is
    /// [`CHECKPOINT_EVERY`] steps old, or the examples' order has been drawn anew since it (the
    /// order keeps the one before, not older ones).
    pub(super) fn keep_checkpoint(&mut self) {
        let rollback = &mut self.rollback;
        let start = rollback.step_start.as_ref().expect("every step's start is marked");
        let due = match &rollback.checkpoint {
            None => true,
            Some(at) => rollback.steps_since >= CHECKPOINT_EVERY || at.order.draws != start.order.draws,
        };
        if !due {
            return;
        }
        rollback.checkpoint = Some(start.clone());
        rollback.steps_since = 0;
        copy_parameters(&self.net, &mut rollback.parameters);
        // Into the buffers of the last checkpoint: no allocation every 16 steps.
        match &mut rollback.optimizer {
            Some(kept) => kept.copy_from(&self.optimizer),
            None => rollback.optimizer = Some(self.optimizer.clone()),
        }
    }

    /// After a step's update that kept everything finite.
    pub(super) fn step_kept(&mut self) {
        self.rollback.steps_since += 1;
    }

    /// Puts the run back where it stood before the step that just failed (its update is made):
    /// the checkpoint, then the steps since it trained again by [`Trainer::train`] itself — they
    /// end where they ended before, and with the same checkpoint. Returns the failed step's number.
    pub(super) fn roll_back(&mut self) -> u64 {
        let failed = self.rollback.step_start.clone().expect("every step's start is marked");
        let at = self.rollback.checkpoint.clone().expect("a checkpoint is kept before every update");
        restore_parameters(&mut self.net, &self.rollback.parameters);
        self.optimizer = self.rollback.optimizer.clone().expect("saved with the checkpoint");
        self.order.rewind(&at.order);
        self.tally = at.tally;
        self.batch_filled = 0;
        let steps = std::mem::take(&mut self.rollback.steps_since);
        // `assert!`, not `expect`: formatting the error would bring Error's Debug into the wasm file.
        let redone = self.train_while(steps, &mut || true);
        assert!(redone.is_ok(), "steps that trained before train again the same way");
        debug_assert_eq!(self.mark(), failed, "the steps redone end where the failed one started");
        self.rollback.step_start = Some(failed);
        self.tally.steps + 1
    }
}

/// Every parameter tensor, one after another, into `out` (whose allocation is reused).
pub(super) fn copy_parameters(net: &Mlp, out: &mut Vec<f32>) {
    out.clear();
    net.parameters().for_each(|tensor| out.extend_from_slice(tensor));
}

/// The inverse of [`copy_parameters`].
pub(super) fn restore_parameters(net: &mut Mlp, mut from: &[f32]) {
    for (tensor, _) in net.parameters_and_grads() {
        let (mine, rest) = from.split_at(tensor.len());
        tensor.copy_from_slice(mine);
        from = rest;
    }
    debug_assert!(from.is_empty(), "the parameters of the same network");
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::dataset::Dataset;
    use crate::error::Error;
    use crate::mnist::{Images, IMAGE_PIXELS};
    use crate::optim::{MomentumConfig, OptimizerConfig, Schedule};
    use crate::architecture::Architecture;
    use crate::trainer::TrainConfig;
    use rand::{RngExt, SeedableRng};
    use rand_pcg::Pcg64Mcg;

    /// Everything a step changes, taken whole.
    #[derive(Debug, Clone, PartialEq)]
    struct State {
        parameters: Vec<f32>,
        optimizer: Optimizer,
        mark: Mark,
        order: Vec<u32>,
        batch_filled: usize,
    }

    fn state(t: &Trainer) -> State {
        let mut parameters = Vec::new();
        copy_parameters(&t.net, &mut parameters);
        State { parameters, optimizer: t.optimizer.clone(), mark: t.mark(), order: t.order.order().to_vec(), batch_filled: t.batch_filled }
    }

    /// 600 images with a fifth of their pixels inked at random.
    pub(in crate::trainer) fn data() -> Dataset {
        let mut rng = Pcg64Mcg::seed_from_u64(5);
        let count = 600;
        let pixels = (0..count * IMAGE_PIXELS).map(|_| if rng.random_bool(0.2) { rng.random_range(1..=255) } else { 0 }).collect();
        let labels = (0..count).map(|j| (j % 10) as u8).collect();
        Dataset::new(Images { count, rows: 28, cols: 28, pixels }, labels).unwrap()
    }

    /// 784-10 with momentum, its rate growing from 3e35 to 3e38 (the largest f32 is 3.4e38) over the
    /// first half of a run of `epochs`, in batches of 300 — two chunks (256 + 44) per step, two
    /// steps per pass over the 600 images, a new order every pass. The logits overflow once the rate
    /// is large enough, the later the longer the run.
    fn config(epochs: f32) -> TrainConfig {
        TrainConfig {
            layers: Architecture::mlp(&[]),
            optimizer: OptimizerConfig::Momentum(MomentumConfig { learning_rate: 3e38, momentum: 0.9 }),
            batch_size: 300,
            schedule: Schedule::WarmupCosine { warmup: 0.5 },
            epochs,
            label_smoothing: 0.1,
            augment: false,
        }
    }

    /// A run of `config` trained one step per call, its settings changed to `change`'s before step
    /// `at` when given: the number of the step that diverges and the state before it (`None` if the
    /// run ends first).
    fn until_divergence(data: &Dataset, config: TrainConfig, change: Option<(u64, &TrainConfig)>) -> Option<(usize, State)> {
        let mut trainer = Trainer::new(config, data.clone(), None, 3).unwrap();
        let mut before = state(&trainer);
        while !trainer.is_finished() {
            if let Some((_, wanted)) = change.filter(|(at, _)| trainer.total_steps() + 1 == *at) {
                assert!(trainer.change_settings(wanted).unwrap().change.is_some());
                before = state(&trainer);
            }
            if trainer.train(1, || true).is_err() {
                return Some((trainer.total_steps() as usize + 1, before));
            }
            before = state(&trainer);
        }
        None
    }

    /// Trains in calls of `chunks_per_call` chunks until a step diverges; returns the error's message.
    fn train_until_divergence(trainer: &mut Trainer, chunks_per_call: usize) -> String {
        loop {
            let mut chunks = 0;
            match trainer.train(u64::MAX, || {
                chunks += 1;
                chunks <= chunks_per_call
            }) {
                Ok(report) => assert!(!report.finished, "the run diverges before its end"),
                Err(Error::Diverged(message)) => return message,
                Err(e) => panic!("expected a divergence, got {e:?}"),
            }
        }
    }

    #[test]
    fn a_diverging_step_leaves_the_run_as_it_was_before_that_step() {
        let data = data();
        // The shortest run that diverges late enough to pass several checkpoints and new orders
        // (measured: the run of 400 epochs, at step 108).
        let (epochs, failing, before) = [100.0, 200.0, 400.0, 800.0]
            .into_iter()
            .find_map(|epochs| {
                let (failing, before) = until_divergence(&data, config(epochs), None)?;
                (failing > 3 * CHECKPOINT_EVERY as usize + 1).then_some((epochs, failing, before))
            })
            .expect("one of the runs diverges after more than 48 steps");
        assert!(before.mark.order.draws >= 3, "the examples' order was drawn anew on the way");

        // The whole run in one call, and sliced into calls of three chunks (steps straddle calls).
        for chunks_per_call in [usize::MAX, 3] {
            let mut trainer = Trainer::new(config(epochs), data.clone(), None, 3).unwrap();
            let message = train_until_divergence(&mut trainer, chunks_per_call);
            assert!(message.contains(&format!("at step {failing};")), "{message}");
            assert_eq!(state(&trainer), before, "{chunks_per_call} chunks per call: the state before step {failing}");
            assert_eq!(trainer.total_steps(), failing as u64 - 1);

            // Trying again fails the same way and changes nothing.
            assert!(matches!(trainer.train(u64::MAX, || true), Err(Error::Diverged(_))));
            assert_eq!(state(&trainer), before);
        }
    }

    #[test]
    fn the_steps_redone_after_a_divergence_keep_the_settings_each_had() {
        let data = data();
        // Batches of 20: one chunk per step, 30 steps per pass, so checkpoints come every 16 steps
        // and a change can fall between a checkpoint and the step that diverges.
        let plain = |epochs| TrainConfig { batch_size: 20, ..config(epochs) };
        let changed = |epochs| TrainConfig {
            optimizer: OptimizerConfig::Momentum(MomentumConfig { learning_rate: 2e38, momentum: 0.5 }),
            label_smoothing: 0.3,
            ..plain(epochs)
        };
        for epochs in [25.0, 50.0, 100.0, 200.0] {
            let Some((failing_unchanged, _)) = until_divergence(&data, plain(epochs), None) else { continue };
            // The change a few steps before the unchanged run diverged.
            for at in (2..failing_unchanged as u64).rev().take(12) {
                let Some((failing, before)) = until_divergence(&data, plain(epochs), Some((at, &changed(epochs)))) else { continue };
                if failing as u64 <= at {
                    continue; // diverged before the change
                }
                let mut replayed_through_the_change = true;
                for chunks_per_call in [usize::MAX, 2] {
                    let mut trainer = Trainer::new(plain(epochs), data.clone(), None, 3).unwrap();
                    trainer.train(at - 1, || true).unwrap();
                    trainer.change_settings(&changed(epochs)).unwrap();
                    let message = train_until_divergence(&mut trainer, chunks_per_call);
                    assert!(message.contains(&format!("at step {failing};")), "{message}");
                    assert_eq!(state(&trainer), before, "change before step {at}, {chunks_per_call} chunks per call");
                    assert_eq!(trainer.config(), &changed(epochs));
                    let checkpoint = trainer.rollback.checkpoint.as_ref().unwrap();
                    replayed_through_the_change &= checkpoint.tally.steps + 1 < at;
                }
                if replayed_through_the_change {
                    return;
                }
            }
        }
        panic!("no run diverged with a checkpoint older than the change");
    }
}
