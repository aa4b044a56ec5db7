//! Two training runs side by side from the "How it works" panel: a [`Comparison`] handle that
//! shares the session's training set, worked on a little per frame. Results are small; bad arguments
//! are JavaScript exceptions.

use super::{js_error, now, seed_or_random, settings_from_js, to_js, Session};
use crate::comparison::{self, CurvePoint, RunProgress};
use crate::trainer::TrainConfig;
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunInfo {
    sizes: Vec<usize>,
    parameters: usize,
    planned_examples: u64,
    settings: TrainConfig,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ComparisonInfo {
    seed: u64,
    train_examples: usize,
    test_examples: usize,
    evaluate_every: u64,
    runs: Vec<RunInfo>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ComparisonReport {
    runs: Vec<RunProgress>,
    /// Each run's curve points measured since the previous `work` call.
    points: Vec<Vec<CurvePoint>>,
    done: bool,
}

/// Two (or more) training runs side by side on the session's training set, with the same seed.
#[wasm_bindgen]
pub struct Comparison {
    inner: comparison::Comparison,
    seed: u64,
    test_examples: usize,
    evaluate_every: u64,
}

#[wasm_bindgen]
impl Session {
    /// Two training runs side by side, with settings `first` and `second` (objects like `reset`'s)
    /// and the same seed (`undefined` draws one), on this session's training set (shared, not
    /// copied), each measured on the first `test_images` test images every `evaluate_every` examples.
    #[wasm_bindgen(js_name = compareRuns)]
    pub fn compare_runs(
        &self,
        first: JsValue,
        second: JsValue,
        seed: Option<f64>,
        test_images: u32,
        evaluate_every: u32,
    ) -> Result<Comparison, JsError> {
        let configs = vec![settings_from_js(first)?, settings_from_js(second)?];
        let seed = seed_or_random(seed)?;
        let inner = comparison::Comparison::on_trainers_data(configs, &self.trainer, test_images as usize, seed, evaluate_every as u64)
            .map_err(js_error)?;
        Ok(Comparison { inner, seed, test_examples: test_images as usize, evaluate_every: evaluate_every as u64 })
    }
}

#[wasm_bindgen]
impl Comparison {
    /// Seed, data sizes and each run's network and settings.
    pub fn info(&self) -> Result<JsValue, JsError> {
        let runs = self
            .inner
            .runs()
            .iter()
            .map(|run| RunInfo {
                sizes: run.network().sizes(),
                parameters: run.network().parameter_count(),
                planned_examples: run.planned_examples(),
                settings: run.config().clone(),
            })
            .collect();
        to_js(&ComparisonInfo {
            seed: self.seed,
            train_examples: self.inner.runs()[0].train_set().len(),
            test_examples: self.test_examples,
            evaluate_every: self.evaluate_every,
            runs,
        })
    }

    /// Trains the runs in turns for at most about `budget_ms` milliseconds: `{runs: [{steps, examples,
    /// epoch, plannedExamples, finished, diverged, points}], points: [[{epoch, examples, steps, loss,
    /// accuracy}], …], done}`, with each run's points measured since the last call. Any budget, even
    /// none, makes one piece of work at least (`comparison::Comparison::work_within`).
    pub fn work(&mut self, budget_ms: f64) -> Result<JsValue, JsError> {
        self.inner.work_within(budget_ms, now).map_err(js_error)?;
        let points = self.inner.take_new_points();
        to_js(&ComparisonReport { runs: self.inner.progress(), points, done: self.inner.is_done() })
    }

    /// Every run has finished and been measured at its end.
    #[wasm_bindgen(getter)]
    pub fn done(&self) -> bool {
        self.inner.is_done()
    }
}
