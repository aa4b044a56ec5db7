//! The "Look inside" numbers on real MNIST: the confusion matrix of a test evaluation agrees with
//! the evaluation's own count, per-digit accuracies average to the overall accuracy, and the network
//! the trainer keeps for the evaluation gives back exactly its predictions — even after training has
//! moved the current weights on. Looking into the last evaluation refuses digits, images and
//! counts that do not exist or are too many, with a clear message.
#![cfg(not(target_arch = "wasm32"))] // native only: the browser tests are in tests/web_inspect.rs

#[path = "../examples/common/mod.rs"]
mod common;

use common::mnist;
use inkling::architecture::Architecture;
use inkling::dataset::Dataset;
use inkling::inspect::{probabilities_of, LastEvaluation, MAX_EXAMPLES};
use inkling::metrics::{indices_in_cell, misclassified_sample, ConfusionMatrix};
use inkling::mnist::CLASSES;
use inkling::network::argmax;
use inkling::trainer::{TrainConfig, Trainer};

#[test]
fn the_confusion_matrix_and_the_evaluated_network_match_the_evaluation() {
    let (train, test): &(Dataset, Dataset) = mnist();
    let config = TrainConfig { layers: Architecture::mlp(&[32]), epochs: 1.0, ..TrainConfig::default() };
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
        let probabilities = probabilities_of(net, test, indices).unwrap();
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

    // The page's view of the same: the last evaluation with the network it measured.
    let last = LastEvaluation::of(&trainer).unwrap();
    let confusion = last.confusion().unwrap();
    assert_eq!((confusion.counts.as_slice(), confusion.examples), (matrix.counts(), 10_000));
    assert_eq!((confusion.correct, confusion.accuracy), (evaluation.correct as u64, evaluation.accuracy));
    assert_eq!(last.misclassified_examples(200), mistakes);
    assert_eq!(last.cell_examples(a, p, usize::MAX).unwrap(), cell[..cell.len().min(MAX_EXAMPLES)]);
    for example in last.test_examples(&mistakes, 3).unwrap() {
        assert_eq!(example.top.len(), 3);
        assert_eq!(example.top[0].digit as u8, example.predicted, "test image {}: the evaluation's answer", example.index);
        assert_ne!(example.label, example.predicted);
        assert_eq!(example.pixels, test.image(example.index as usize));
    }

    // Starting over forgets the evaluation and its network.
    trainer.restart(trainer.config().clone(), 8).unwrap();
    assert!(trainer.last_evaluation().is_none() && trainer.last_evaluated_network().is_none());
}

#[test]
fn looking_into_the_last_evaluation_refuses_what_does_not_exist() {
    let (train, test) = mnist();
    let config = TrainConfig { layers: Architecture::mlp(&[16]), epochs: 0.2, ..TrainConfig::default() };
    let mut trainer = Trainer::new(config, train.take(1_000), Some(test.take(300)), 3).unwrap();
    let e = LastEvaluation::of(&trainer).unwrap_err().to_string();
    assert!(e.contains("the test set has not been evaluated yet"), "{e}");
    while trainer.evaluate_test_chunk(100).unwrap().is_none() {}
    let last = LastEvaluation::of(&trainer).unwrap();

    let message = |e: inkling::Error| e.to_string();
    assert!(message(last.cell_examples(10, 2, 5).unwrap_err()).contains("true digit 10 does not exist (classes are 0 to 9)"));
    assert!(message(last.cell_examples(1, 12, 5).unwrap_err()).contains("predicted digit 12 does not exist"));
    assert!(message(last.test_examples(&[3, 300], 3).unwrap_err()).contains("example 300 does not exist (the data set has 300)"));
    assert!(message(last.test_examples(&[0; MAX_EXAMPLES + 1], 3).unwrap_err()).contains("at most 256 test images per call (got 257)"));
    // Limits are capped, not refused.
    assert_eq!(last.test_examples(&[0; MAX_EXAMPLES], 99).unwrap()[0].top.len(), CLASSES);
    assert!(last.misclassified_examples(usize::MAX).len() <= MAX_EXAMPLES);
    let all_cells: usize = (0..CLASSES).flat_map(|a| (0..CLASSES).map(move |p| (a, p))).map(|(a, p)| last.cell_examples(a, p, usize::MAX).unwrap().len()).sum();
    assert_eq!(all_cells, 300, "every test image is in one cell (no cell holds more than 256 here)");

    let without_test = Trainer::new(TrainConfig::default(), train.take(100), None, 3).unwrap();
    assert!(message(without_test.required_test_set().unwrap_err()).contains("no test set"));
}
