//! The "Look inside" numbers on real MNIST: the confusion matrix of a test evaluation agrees with
//! the evaluation's own count, per-digit accuracies average to the overall accuracy, and the network
//! the trainer keeps for the evaluation gives back exactly its predictions — even after training has
//! moved the current weights on.
#![cfg(not(target_arch = "wasm32"))] // native only: the browser tests are in tests/web_inspect.rs

#[path = "../examples/common/mod.rs"]
mod common;

use inkling::inspect::probabilities_of;
use inkling::metrics::{indices_in_cell, misclassified_sample, ConfusionMatrix};
use inkling::dataset::Dataset;
use inkling::mnist::CLASSES;
use inkling::network::argmax;
use inkling::trainer::{TrainConfig, Trainer};

#[test]
fn the_confusion_matrix_and_the_evaluated_network_match_the_evaluation() {
    let (train, test): (Dataset, Dataset) = common::load(None).unwrap_or_else(|e| panic!("{e}"));
    let config = TrainConfig { hidden: vec![32], epochs: 1.0, ..TrainConfig::default() };
    let mut trainer = Trainer::new(config, train.take(5_000), Some(test.clone()), 7).unwrap();
    trainer.train(60, || true).unwrap();
    // The evaluation runs on a copy of these weights while training goes on, as in the browser.
    let evaluation = loop {
        if let Some(e) = trainer.evaluate_test_chunk(2_500).unwrap() {
            break e;
        }
        trainer.train(5, || true).unwrap();
    };
    assert_ne!(trainer.network(), trainer.last_evaluated_network().unwrap(), "training moved on");

    let matrix = ConfusionMatrix::new(&test.labels, &evaluation.predictions, CLASSES).unwrap();
    assert_eq!(matrix.total(), 10_000);
    assert_eq!(matrix.correct(), evaluation.correct as u64, "the diagonal is the evaluation's correct count");
    let weighted: f64 = matrix
        .per_class_accuracy()
        .iter()
        .enumerate()
        .map(|(d, a)| a.unwrap() as f64 * matrix.row_total(d) as f64)
        .sum();
    assert!((weighted / 10_000.0 - evaluation.accuracy as f64).abs() < 1e-5, "per-digit accuracies average to the accuracy");
    assert!(evaluation.accuracy > 0.5 && evaluation.accuracy < 1.0, "a network that has learnt something and errs");

    // The kept network answers as the evaluation did: for mistakes and for a run of all images.
    let mistakes = misclassified_sample(&test.labels, &evaluation.predictions, CLASSES, 200);
    assert_eq!(mistakes.len(), 200);
    let first: Vec<u32> = (0..256).collect();
    let net = trainer.last_evaluated_network().unwrap();
    for indices in [&mistakes, &first] {
        let probabilities = probabilities_of(net, &test, indices).unwrap();
        for (&i, p) in indices.iter().zip(&probabilities) {
            assert_eq!(argmax(p) as u8, evaluation.predictions[i as usize], "test image {i}");
        }
    }
    for &i in &mistakes {
        assert_ne!(test.labels[i as usize], evaluation.predictions[i as usize]);
    }
    // The most frequent confusion's cell lists its images.
    let (a, p) = (0..CLASSES)
        .flat_map(|a| (0..CLASSES).map(move |p| (a, p)))
        .filter(|(a, p)| a != p)
        .max_by_key(|&(a, p)| matrix.count(a, p))
        .unwrap();
    let cell = indices_in_cell(&test.labels, &evaluation.predictions, a as u8, p as u8, usize::MAX);
    assert_eq!(cell.len() as u32, matrix.count(a, p));

    // Starting over forgets the evaluation and its network.
    trainer.restart(trainer.config().clone(), 8).unwrap();
    assert!(trainer.last_evaluation().is_none() && trainer.last_evaluated_network().is_none());
}
