//! Runs trained side by side are deterministic for a seed, however the work is sliced, each
//! identical to the same run trained alone; a comparison refuses settings that make no sense, and
//! the page's comparison shares its session's training set and measures the first test images.
#![cfg(not(target_arch = "wasm32"))] // native only

#[path = "../examples/common/mod.rs"]
mod common;

use common::mnist;
use inkling::architecture::Architecture;
use inkling::comparison::Comparison;
use inkling::trainer::{TrainConfig, Trainer};
use std::sync::Arc;

/// Two runs side by side — the original project's full-batch gradient descent and the default recipe
/// — on 3,000 MNIST images with seed 9: the same seed gives the same curves and weights however the
/// work is sliced (all at once, or a few pieces per "frame"), and each run ends with the very weights
/// it would have trained alone.
#[test]
fn side_by_side_runs_are_deterministic_for_a_seed() {
    let (train, test) = mnist();
    let train = Arc::new(train.take(3_000));
    let test = Arc::new(test.take(500));
    let configs = || {
        vec![
            TrainConfig { epochs: 2.0, ..TrainConfig::seed_network(train.len()) },
            TrainConfig { epochs: 2.0, ..TrainConfig::default() },
        ]
    };
    let seed = 9;

    let mut whole = Comparison::new(configs(), Arc::clone(&train), Arc::clone(&test), seed, 600).unwrap();
    whole.work(|| true).unwrap();
    assert!(whole.is_done());

    let mut sliced = Comparison::new(configs(), Arc::clone(&train), Arc::clone(&test), seed, 600).unwrap();
    let mut frames = 0;
    while !sliced.is_done() {
        let mut budget = 7; // pieces of work per "frame"
        sliced.work(|| {
            budget -= 1;
            budget > 0
        })
        .unwrap();
        frames += 1;
        assert!(frames < 100_000, "the comparison does not end");
    }
    assert!(frames > 10, "the work was really sliced ({frames} frames)");

    for r in 0..2 {
        assert_eq!(whole.points(r), sliced.points(r), "run {r}: the same curve");
        assert_eq!(whole.runs()[r].network(), sliced.runs()[r].network(), "run {r}: the same weights");
        let mut alone = Trainer::new(configs()[r].clone(), (*train).clone(), None, seed).unwrap();
        alone.train(u64::MAX, || true).unwrap();
        assert_eq!(alone.network(), whole.runs()[r].network(), "run {r}: as if trained alone");

        let points = whole.points(r);
        assert_eq!(points.first().unwrap().examples, 0, "measured before training");
        assert_eq!(points.last().unwrap().examples, whole.runs()[r].total_examples(), "and at the end");
        assert!(whole.runs()[r].total_examples() >= whole.runs()[r].planned_examples());
        assert!(points.windows(2).all(|w| w[0].examples < w[1].examples));
        // 6,000 examples, measured every 600: 0, 600 (or just past), …, 6,000.
        assert!((10..=12).contains(&points.len()), "run {r}: {} points", points.len());
    }
    let progress = whole.progress();
    assert_eq!(progress[0].steps, 2, "full-batch gradient descent: one step per epoch");
    assert_eq!(progress[1].steps, 188, "batches of 32: 6,000 / 32 steps, the last one completed");
    // Full-batch GD's weights only change at the end of each epoch: its first points are all equal.
    let gd = whole.points(0);
    assert!(gd.iter().take_while(|p| p.examples < 3_000).all(|p| p.loss == gd[0].loss));
    let (gd_end, recipe_end) = (gd.last().unwrap(), whole.points(1).last().unwrap());
    assert!(recipe_end.accuracy > 0.8 && recipe_end.accuracy > gd_end.accuracy + 0.3, "{gd_end:?} vs {recipe_end:?}");

    // A different seed gives different weights.
    let mut other = Comparison::new(configs(), Arc::clone(&train), Arc::clone(&test), seed + 1, 600).unwrap();
    other.work(|| true).unwrap();
    assert_ne!(other.runs()[1].network(), whole.runs()[1].network());
}

#[test]
fn a_comparison_checks_its_settings() {
    let (train, test) = mnist();
    let train = Arc::new(train.take(100));
    let test = Arc::new(test.take(10));
    assert!(Comparison::new(vec![], Arc::clone(&train), Arc::clone(&test), 1, 10).is_err());
    assert!(Comparison::new(vec![TrainConfig::default()], Arc::clone(&train), Arc::clone(&test), 1, 0).is_err());
    let bad = TrainConfig { batch_size: 0, ..TrainConfig::default() };
    let error = Comparison::new(vec![TrainConfig::default(), bad], train, test, 1, 10).err().unwrap();
    assert!(error.to_string().contains("run B"), "{error}");
}

#[test]
fn the_pages_comparison_runs_on_its_sessions_data() {
    let (train, test) = mnist();
    let session = Trainer::new(TrainConfig::default(), train.take(200), Some(test.take(40)), 1).unwrap();
    let configs = || vec![TrainConfig::default(), TrainConfig { layers: Architecture::mlp(&[32]), ..TrainConfig::default() }];
    let comparison = Comparison::on_trainers_data(configs(), &session, 30, 5, 100).unwrap();
    for run in comparison.runs() {
        assert!(Arc::ptr_eq(&run.shared_train_set(), &session.shared_train_set()), "the training set is shared");
        assert_eq!(run.test_set().unwrap(), &test.take(30), "the first 30 test images");
    }
    for bad in [0, 41] {
        let e = Comparison::on_trainers_data(configs(), &session, bad, 5, 100).err().unwrap().to_string();
        assert!(e.contains(&format!("a comparison is measured on 1 to 40 test images (got {bad})")), "{e}");
    }
}

/// An MLP against a ConvNet, as the page's comparison offers (the Fast and ConvNet recipes): both
/// runs train on the shared data, each is measured on the same test images, and the ConvNet learns.
#[test]
fn an_mlp_runs_beside_a_convnet() {
    let (train, test) = mnist();
    let (train, test) = (Arc::new(train.take(600)), Arc::new(test.take(200)));
    let convnet = TrainConfig { layers: "c4k5-p2-16".parse().unwrap(), epochs: 3.0, ..TrainConfig::default() };
    let configs = vec![TrainConfig { epochs: 3.0, ..TrainConfig::default() }, convnet];
    let mut comparison = Comparison::new(configs, train, test, 3, 600).unwrap();
    comparison.work(|| true).unwrap();
    assert!(!comparison.runs()[0].network().is_convolutional());
    assert!(comparison.runs()[1].network().is_convolutional());
    for r in 0..2 {
        let points = comparison.points(r);
        let (first, last) = (points.first().unwrap(), points.last().unwrap());
        assert_eq!(last.examples, comparison.runs()[r].total_examples(), "run {r} is measured at its end");
        assert!(last.examples >= 1800, "run {r} trained its 3 epochs");
        // Seed 3 measured: 6.5 → 86.5 % (MLP) and 16.0 → 79.5 % (ConvNet) on the 200 test images.
        eprintln!("run {r}: {:.1} → {:.1} %", 100.0 * first.accuracy, 100.0 * last.accuracy);
        assert!(last.accuracy > first.accuracy + 0.4, "run {r}: {} → {}", first.accuracy, last.accuracy);
    }
}

/// The page works on a comparison with what is left of a frame, which can be nothing: any budget,
/// even none, below zero or NaN, makes one piece of work (here one measurement of 5 test images),
/// and a clock that says the budget is spent stops it there. Each run's points are handed out once,
/// as they are measured.
#[test]
fn any_budget_makes_one_piece_and_new_points_are_handed_out_once() {
    let (train, test) = mnist();
    let (train, test) = (Arc::new(train.take(100)), Arc::new(test.take(5)));
    let configs = vec![TrainConfig { epochs: 1.0, ..TrainConfig::default() }; 2];
    let mut comparison = Comparison::new(configs, train, test, 4, 50).unwrap();
    // Each look at the clock is a second later than the one before.
    let clock = || {
        let mut t = 0.0;
        move || {
            t += 1000.0;
            t
        }
    };
    assert_eq!(comparison.take_new_points(), vec![vec![], vec![]], "nothing measured yet");
    for (budget, measured) in [(0.0, [1, 0]), (-1.0, [0, 1])] {
        comparison.work_within(budget, clock()).unwrap();
        let points = comparison.take_new_points();
        assert_eq!(points.iter().map(Vec::len).collect::<Vec<_>>(), measured, "budget {budget}: one piece");
        assert_eq!(comparison.take_new_points(), vec![vec![], vec![]], "budget {budget}: handed out once");
    }
    let mut other = Comparison::new(vec![TrainConfig::default()], Arc::new(mnist().0.take(100)), Arc::new(mnist().1.take(5)), 4, 50).unwrap();
    other.work_within(f64::NAN, clock()).unwrap();
    assert_eq!(other.take_new_points().concat().len(), 1, "a budget of NaN: one piece");
    // A budget that lasts: everything, and the points not handed out yet are the rest of each curve.
    comparison.work_within(f64::INFINITY, || 0.0).unwrap();
    assert!(comparison.is_done());
    let rest = comparison.take_new_points();
    for (r, points) in rest.iter().enumerate() {
        assert_eq!(points.as_slice(), &comparison.points(r)[1..], "run {r}");
        assert_eq!(points.len(), 2, "run {r}: measured at 50 and 100 examples");
    }
}
