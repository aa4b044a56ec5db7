//! Two training runs side by side: the same data and seed, trained in turns so that neither gets
//! ahead of the other, each measured on the same test images at the same points — the page's
//! "compare two recipes".

use crate::budget::PieceTimer;
use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::trainer::{TrainConfig, Trainer, CHUNK};
use serde::Serialize;
use std::sync::Arc;

/// One point of a comparison's curves: the test loss and accuracy of a run's weights, measured after
/// `examples` training examples (`steps` optimiser steps).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CurvePoint {
    pub epoch: f32,
    pub examples: u64,
    pub steps: u64,
    pub loss: f32,
    pub accuracy: f32,
}

/// Where one run of a comparison stands.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunProgress {
    pub steps: u64,
    pub examples: u64,
    pub epoch: f32,
    pub planned_examples: u64,
    pub finished: bool,
    /// The run's loss became NaN or infinite; it was stopped with this message.
    pub diverged: Option<String>,
    pub points: usize,
}

/// Examples one run trains on before the other gets its turn (about a frame's work in the browser;
/// a time budget ends a turn sooner). Each turn is one `Trainer::train` call.
const TURN_EXAMPLES: usize = 1024;
/// Test images per evaluation call: small, so a time budget is kept.
const EVALUATION_CHUNK: usize = 200;

/// Two training runs on the same data with the same seed, trained in turns so that neither gets
/// ahead of the other in examples seen, each measured on the same test images every
/// `evaluate_every` examples. Each run is an ordinary [`Trainer`]; the training set is shared, not
/// copied.
pub struct Comparison {
    runs: Vec<Trainer>,
    evaluate_every: u64,
    next_evaluation: Vec<u64>,
    evaluating: Vec<bool>,
    steps_at_evaluation: Vec<u64>,
    last_evaluated: Vec<Option<u64>>,
    points: Vec<Vec<CurvePoint>>,
    /// How many of each run's points [`Comparison::take_new_points`] has handed out.
    taken: Vec<usize>,
    diverged: Vec<Option<String>>,
    /// How long its pieces of work (a training chunk or an evaluation chunk) take lately, for
    /// [`Comparison::work_within`]: a piece is not started unless it is expected to end in time.
    pieces: PieceTimer,
}

impl Comparison {
    /// Runs for each of `configs` (one or more; two for a comparison) from `seed`, on `train`,
    /// evaluated on `test` every `evaluate_every` examples and at the end.
    pub fn new(configs: Vec<TrainConfig>, train: Arc<Dataset>, test: Arc<Dataset>, seed: u64, evaluate_every: u64) -> Result<Self> {
        if configs.is_empty() {
            return Err(Error::Config("a comparison needs at least one run".into()));
        }
        if evaluate_every == 0 {
            return Err(Error::Config("the evaluation interval must be at least 1 example".into()));
        }
        let runs = configs
            .into_iter()
            .enumerate()
            .map(|(r, config)| {
                let mut run = Trainer::with_shared_data(config, Arc::clone(&train), Some(Arc::clone(&test)), seed).map_err(|e| match e {
                    Error::Config(m) => Error::Config(format!("run {}: {m}", (b'A' + r as u8) as char)),
                    other => other,
                })?;
                // Its turns are slices of animation frames, like the page's own run.
                run.set_short_pieces();
                Ok(run)
            })
            .collect::<Result<Vec<_>>>()?;
        let n = runs.len();
        Ok(Comparison {
            runs,
            evaluate_every,
            next_evaluation: vec![0; n],
            evaluating: vec![false; n],
            steps_at_evaluation: vec![0; n],
            last_evaluated: vec![None; n],
            points: vec![Vec::new(); n],
            taken: vec![0; n],
            diverged: vec![None; n],
            pieces: PieceTimer::default(),
        })
    }

    /// Runs for each of `configs` on `trainer`'s training set (shared, not copied), each measured on
    /// the first `test_images` (at least 1) of its test images: the page's comparison.
    pub fn on_trainers_data(configs: Vec<TrainConfig>, trainer: &Trainer, test_images: usize, seed: u64, evaluate_every: u64) -> Result<Self> {
        let test = trainer.required_test_set()?;
        if test_images == 0 || test_images > test.len() {
            return Err(Error::Input(format!("a comparison is measured on 1 to {} test images (got {test_images})", test.len())));
        }
        Comparison::new(configs, trainer.shared_train_set(), Arc::new(test.take(test_images)), seed, evaluate_every)
    }

    pub fn runs(&self) -> &[Trainer] {
        &self.runs
    }

    /// Run `r`'s curve so far.
    pub fn points(&self, r: usize) -> &[CurvePoint] {
        &self.points[r]
    }

    /// Each run's points measured since the previous call (all of them at the first), for a caller
    /// that shows the curves as they grow.
    pub fn take_new_points(&mut self) -> Vec<Vec<CurvePoint>> {
        self.taken
            .iter_mut()
            .zip(&self.points)
            .map(|(taken, points)| {
                let new = points[*taken..].to_vec();
                *taken = points.len();
                new
            })
            .collect()
    }

    fn training(&self, r: usize) -> bool {
        self.diverged[r].is_none() && !self.runs[r].is_finished()
    }

    fn evaluation_due(&self, r: usize) -> bool {
        if self.diverged[r].is_some() {
            return false;
        }
        let run = &self.runs[r];
        self.evaluating[r]
            || (run.total_examples() >= self.next_evaluation[r] && self.training(r))
            || (run.is_finished() && self.last_evaluated[r] != Some(run.total_examples()))
    }

    /// Every run has finished (or diverged) and has been measured at its end.
    pub fn is_done(&self) -> bool {
        (0..self.runs.len()).all(|r| !self.training(r) && !self.evaluation_due(r))
    }

    fn evaluate_chunk(&mut self, r: usize) -> Result<()> {
        let run = &mut self.runs[r];
        if !self.evaluating[r] {
            self.evaluating[r] = true;
            self.steps_at_evaluation[r] = run.total_steps();
            let at = run.total_examples();
            self.next_evaluation[r] = (at / self.evaluate_every + 1) * self.evaluate_every;
        }
        if let Some(evaluation) = run.evaluate_test_chunk(EVALUATION_CHUNK)? {
            self.evaluating[r] = false;
            self.last_evaluated[r] = Some(evaluation.at_examples);
            self.points[r].push(CurvePoint {
                epoch: (evaluation.at_examples as f64 / run.train_set().len() as f64) as f32,
                examples: evaluation.at_examples,
                steps: self.steps_at_evaluation[r],
                loss: evaluation.loss,
                accuracy: evaluation.accuracy,
            });
        }
        Ok(())
    }

    /// Works until `keep_going` (asked between small pieces of work) says stop or everything is done:
    /// evaluations that are due first, then a little training of the run that has seen fewer
    /// examples. A run whose loss diverges is stopped (its message is in [`Comparison::progress`]);
    /// the other goes on.
    pub fn work(&mut self, mut keep_going: impl FnMut() -> bool) -> Result<()> {
        while keep_going() {
            if let Some(r) = (0..self.runs.len()).find(|&r| self.evaluation_due(r)) {
                self.evaluate_chunk(r)?;
                continue;
            }
            let Some(r) = (0..self.runs.len()).filter(|&r| self.training(r)).min_by_key(|&r| self.runs[r].total_examples())
            else {
                break;
            };
            // The turn ends at the next evaluation mark, so that where the curve's points fall does not
            // depend on how the work was sliced. The trainer's chunks are predictable: the rest of the
            // current batch, at most CHUNK examples (a step's batch is complete every batch_size).
            let run = &mut self.runs[r];
            let batch = run.config().batch_size as u64;
            let mut position = run.total_examples();
            let stop_at = self.next_evaluation[r].min(position + TURN_EXAMPLES as u64);
            let turn = run.train(u64::MAX, || {
                if position >= stop_at || !keep_going() {
                    return false;
                }
                position += (CHUNK as u64).min(batch - position % batch);
                true
            });
            match turn {
                Ok(_) => {}
                Err(Error::Diverged(message)) => self.diverged[r] = Some(message),
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// [`Comparison::work`] for about `budget_ms` milliseconds on the clock `now` (in ms), stopping
    /// before a piece that is not expected to end in time ([`PieceTimer`]). Any budget, even none,
    /// below zero or NaN, makes one piece at least: the page asks with what is left of a frame,
    /// which can be nothing, and the comparison must still move on.
    pub fn work_within(&mut self, budget_ms: f64, now: impl FnMut() -> f64) -> Result<()> {
        let mut pieces = std::mem::take(&mut self.pieces);
        let result = self.work(pieces.slice(budget_ms.max(f64::MIN_POSITIVE), now));
        self.pieces = pieces;
        result
    }

    pub fn progress(&self) -> Vec<RunProgress> {
        self.runs
            .iter()
            .enumerate()
            .map(|(r, run)| RunProgress {
                steps: run.total_steps(),
                examples: run.total_examples(),
                epoch: run.epoch(),
                planned_examples: run.planned_examples(),
                finished: !self.training(r),
                diverged: self.diverged[r].clone(),
                points: self.points[r].len(),
            })
            .collect()
    }
}
