//! Teaching a network your handwriting, on real MNIST: a lesson makes the network read the digit it
//! was taught, and shifted and scaled copies of it, the right way; ten lessons in a row keep the
//! test accuracy within 0.3 points and each taught digit read right; ConvNets learn lessons too; a
//! lesson given a step at a time is the lesson given at once, and leaves the run's optimiser alone;
//! a lesson that diverges puts the network back.
//!
//! The digits taught are MNIST training images that a network trained on other images misreads —
//! real handwriting in a style that network has not learnt, as a person's drawing would be.
#![cfg(not(target_arch = "wasm32"))] // native only

#[path = "../examples/common/mod.rs"]
mod common;

use common::mnist;
use inkling::augment::{AugmentParams, AugmentRanges, Augmenter};
use inkling::dataset::Dataset;
use inkling::network::argmax;
use inkling::optim::{AdamConfig, OptimizerConfig};
use inkling::pixel::pixel_values;
use inkling::trainer::{LessonConfig, TaughtDigit, TrainConfig, Trainer, CONVNET_COPY_VARIATION, CONVNET_LESSON_RATE, CONVNET_SURE_ENOUGH, MAX_TAUGHT_DIGITS};
use inkling::{Error, Mlp};
use std::sync::OnceLock;

/// The network lessons are given to: the default recipe (784-128-10) for 2 epochs on the first
/// 20,000 training images (about 97 % on the test set), trained once per test process.
const TRAINED_ON: usize = 20_000;

fn trained() -> &'static Trainer {
    static TRAINER: OnceLock<Trainer> = OnceLock::new();
    TRAINER.get_or_init(|| {
        let (train, test) = mnist();
        let config = TrainConfig { epochs: 2.0, ..TrainConfig::default() };
        let mut trainer = Trainer::new(config, train.take(TRAINED_ON), Some(test.clone()), 1).unwrap();
        trainer.train(u64::MAX, || true).unwrap();
        trainer
    })
}

/// A trainer with the trained network, its data and no digits, to give lessons to.
fn pupil() -> Trainer {
    let source = trained();
    let mut trainer = Trainer::with_shared_data(source.config().clone(), source.shared_train_set(), Some(std::sync::Arc::new(mnist().1.clone())), 1).unwrap();
    trainer.set_network(source.network().clone()).unwrap();
    trainer
}

fn read(trainer: &mut Trainer, pixels: &[u8]) -> usize {
    argmax(&trainer.predict(&pixel_values(pixels)).unwrap())
}

/// Training images after the first [`TRAINED_ON`] (never seen in training) that the trained network
/// misreads: `count` of them, as taught digits.
fn misread(count: usize) -> Vec<TaughtDigit> {
    let (train, _) = mnist();
    let mut trainer = pupil();
    (TRAINED_ON..train.len())
        .filter(|&i| read(&mut trainer, train.image(i)) != train.labels[i] as usize)
        .take(count)
        .map(|i| TaughtDigit::new(train.labels[i], train.image(i).to_vec()).unwrap())
        .collect()
}

/// The copies of a digit a lesson should also teach: moved by 1.5 px each way, 10 % smaller and
/// larger, as the same hand would draw it elsewhere on the pad.
fn copies(digit: &TaughtDigit) -> Vec<Vec<u8>> {
    let moved = |shift, scale| AugmentParams { shift, scale, ..AugmentParams::IDENTITY };
    let params = [
        moved([1.5, 0.0], 1.0),
        moved([-1.5, 0.0], 1.0),
        moved([0.0, 1.5], 1.0),
        moved([0.0, -1.5], 1.0),
        moved([0.0, 0.0], 0.9),
        moved([0.0, 0.0], 1.1),
    ];
    let mut augmenter = Augmenter::new();
    params.iter().map(|p| augmenter.apply_bytes(&digit.pixels, p).to_vec()).collect()
}

fn read_right(trainer: &mut Trainer, images: &[Vec<u8>], label: u8) -> usize {
    images.iter().filter(|image| read(trainer, image) == label as usize).count()
}

fn teach(trainer: &mut Trainer, digit: &TaughtDigit) {
    trainer.teach(digit.clone()).unwrap();
    assert!(trainer.continue_lesson(&mut || true).unwrap().is_done());
}

fn test_accuracy(trainer: &mut Trainer) -> f32 {
    let test: &Dataset = &mnist().1;
    trainer.evaluate(test).accuracy
}

#[test]
fn a_lesson_teaches_its_digit_and_shifted_and_scaled_copies() {
    let digits = misread(8);
    let (mut own, mut copies_before, mut copies_after, mut total) = (0, 0, 0, 0);
    for digit in &digits {
        let mut trainer = pupil();
        let images = copies(digit);
        copies_before += read_right(&mut trainer, &images, digit.label);
        teach(&mut trainer, digit);
        own += (read(&mut trainer, &digit.pixels) == digit.label as usize) as usize;
        copies_after += read_right(&mut trainer, &images, digit.label);
        total += images.len();
    }
    eprintln!("taught digits read right: {own}/{}; copies {copies_before}/{total} before, {copies_after}/{total} after", digits.len());
    // Measured: 8 of 8, and the copies 15 → 48 of 48 (2026-11-28). Every one was misread before.
    assert!(own >= digits.len() - 1, "only {own} of {} taught digits are read right", digits.len());
    assert!(copies_after * 4 >= total * 3, "only {copies_after} of {total} shifted and scaled copies are read right");
    assert!(copies_after >= copies_before + total / 2, "the copies went from {copies_before} to {copies_after} of {total}");
}

#[test]
fn ten_lessons_keep_test_accuracy_within_a_third_of_a_point() {
    let digits = misread(10);
    let mut trainer = pupil();
    let before = test_accuracy(&mut trainer);
    let optimizer = trainer.optimizer().clone();
    for digit in &digits {
        teach(&mut trainer, digit);
    }
    let after = test_accuracy(&mut trainer);
    // Measured 96.70 % → 96.78 %, all ten read right (2026-11-28); the first recipe tried (a batch
    // of 8 + 4 copies and 20 MNIST examples, Adam 5e-4) ended at 93.99 % and failed here.
    let remembered = digits.iter().filter(|d| read(&mut trainer, &d.pixels) == d.label as usize).count();
    eprintln!("test accuracy {:.2} % → {:.2} % after ten lessons; {remembered} of 10 taught digits read right", 100.0 * before, 100.0 * after);
    assert_eq!(trainer.taught_digits(), &digits[..]);
    assert!(after >= before - 0.003, "test accuracy fell from {:.2} % to {:.2} %", 100.0 * before, 100.0 * after);
    assert!(remembered >= 9, "only {remembered} of the ten taught digits are still read right");
    assert_eq!(trainer.optimizer(), &optimizer, "lessons have their own optimiser");
}

#[test]
fn a_convnet_learns_a_lesson() {
    let (train, _) = mnist();
    let config = TrainConfig { layers: "c4k5-p2-c8k5-p2-32".parse().unwrap(), epochs: 1.0, ..TrainConfig::default() };
    let mut trainer = Trainer::new(config, train.take(5_000), None, 2).unwrap();
    trainer.train(u64::MAX, || true).unwrap();
    let (mut misread, mut learnt) = (0, 0);
    for i in TRAINED_ON..TRAINED_ON + 2_000 {
        let label = train.labels[i];
        if read(&mut trainer, train.image(i)) == label as usize {
            continue;
        }
        let mut pupil = Trainer::with_shared_data(trainer.config().clone(), trainer.shared_train_set(), None, 2).unwrap();
        pupil.set_network(trainer.network().clone()).unwrap();
        teach(&mut pupil, &TaughtDigit::new(label, train.image(i).to_vec()).unwrap());
        learnt += (read(&mut pupil, train.image(i)) == label as usize) as usize;
        misread += 1;
        if misread == 4 {
            break;
        }
    }
    assert_eq!(misread, 4, "the small ConvNet misreads four of 2,000 images");
    assert!(learnt >= 3, "a ConvNet learnt only {learnt} of {misread} lessons");
}

/// A lesson with `sure_enough` ends after the step that found every copy of its digit that sure:
/// at once when any probability will do, never when none can, and in between for 0.6 — where the
/// digit, misread before, is read right. The progress says how long it was. (This MLP's widely
/// varied copies do not all reach a ConvNet's 0.9 in 32 steps.)
#[test]
fn a_lesson_ends_once_its_copies_are_sure_enough() {
    let mut net = pupil();
    let digit = misread(1).remove(0);
    let length = |sure_enough: Option<f32>| {
        let mut pupil = Trainer::with_shared_data(TrainConfig::default(), net.shared_train_set(), None, 1).unwrap();
        pupil.set_network(net.network().clone()).unwrap();
        pupil.teach_with(digit.clone(), LessonConfig { sure_enough, ..LessonConfig::default() }).unwrap();
        let progress = pupil.continue_lesson(&mut || true).unwrap();
        assert!(progress.is_done() && progress.steps_done == progress.steps, "{progress:?}");
        (progress.steps, read(&mut pupil, &digit.pixels))
    };
    assert_eq!(length(Some(0.0)).0, 1, "any probability will do: one step");
    assert_eq!(length(Some(1.5)).0, 32, "no probability is 1.5: every step");
    assert_eq!(length(None).0, 32);
    let (steps, reading) = length(Some(0.6));
    assert!(1 < steps && steps < 32, "{steps} steps: the misread digit took a few, then was learnt");
    assert_eq!(reading, digit.label as usize);
    assert_ne!(read(&mut net, &digit.pixels), digit.label as usize, "misread before");
}

/// `teach` gives the lesson recipe for the kind of network: a ConvNet's copies of your digits vary
/// by a quarter of training's ranges ([`CONVNET_COPY_VARIATION`]), an MLP's by all of them, and a
/// ConvNet's lesson ends once they are read surely ([`CONVNET_SURE_ENOUGH`]), at its own learning
/// rate ([`CONVNET_LESSON_RATE`]).
#[test]
fn teach_picks_the_recipe_for_the_kind_of_network() {
    assert_eq!(LessonConfig::for_network(false), LessonConfig::default());
    let narrow = LessonConfig::for_network(true);
    assert_eq!(narrow.augment, AugmentRanges::default().scaled(CONVNET_COPY_VARIATION));
    assert_eq!(narrow.sure_enough, Some(CONVNET_SURE_ENOUGH));
    assert_eq!(narrow.optimizer.learning_rate(), CONVNET_LESSON_RATE);
    assert_eq!(
        LessonConfig { augment: AugmentRanges::default(), sure_enough: None, optimizer: LessonConfig::default().optimizer, ..narrow },
        LessonConfig::default(),
        "only the copies, the end and the rate differ"
    );

    let (train, _) = mnist();
    let digit = TaughtDigit::new(train.labels[TRAINED_ON], train.image(TRAINED_ON).to_vec()).unwrap();
    let config = TrainConfig { layers: "c2k5-p2-8".parse().unwrap(), epochs: 0.2, ..TrainConfig::default() };
    let mut trainer = Trainer::new(config, train.take(2_000), None, 4).unwrap();
    trainer.train(u64::MAX, || true).unwrap();
    for (net, kind) in [(trainer.network().clone(), "ConvNet"), (pupil().network().clone(), "MLP")] {
        let taught = |recipe: Option<LessonConfig>| {
            let mut pupil = Trainer::with_shared_data(TrainConfig::default(), trainer.shared_train_set(), None, 4).unwrap();
            pupil.set_network(net.clone()).unwrap();
            match recipe {
                Some(recipe) => pupil.teach_with(digit.clone(), recipe).unwrap(),
                None => pupil.teach(digit.clone()).unwrap(),
            }
            pupil.continue_lesson(&mut || true).unwrap();
            pupil.network().clone()
        };
        let (own, other) = if net.is_convolutional() { (narrow, LessonConfig::default()) } else { (LessonConfig::default(), narrow) };
        let given = taught(None);
        assert_eq!(given, taught(Some(own)), "a {kind}'s lesson is its own recipe");
        assert_ne!(given, taught(Some(other)), "a {kind}'s lesson is not the other kind's");
    }
}

/// A ConvNet learns lessons in its dense layers only: its filters stay as they were, a lesson given
/// in slices (the MNIST features computed a chunk at a time between them) is the lesson given at
/// once, and after the filters change (more training) the next lesson works from the new ones.
#[test]
fn a_convnets_lesson_keeps_its_filters_and_follows_them_when_they_change() {
    let (train, _) = mnist();
    let config = TrainConfig { layers: "c4k5-p2-c8k5-p2-32".parse().unwrap(), epochs: 0.5, ..TrainConfig::default() };
    let mut trainer = Trainer::new(config, train.take(5_000), None, 3).unwrap();
    trainer.train(u64::MAX, || true).unwrap();
    let digit = (TRAINED_ON..train.len())
        .find(|&i| read(&mut trainer, train.image(i)) != train.labels[i] as usize)
        .map(|i| TaughtDigit::new(train.labels[i], train.image(i).to_vec()).unwrap())
        .unwrap();
    let pupil = |net: &Mlp| {
        let mut pupil = Trainer::with_shared_data(trainer.config().clone(), trainer.shared_train_set(), None, 3).unwrap();
        pupil.set_network(net.clone()).unwrap();
        pupil
    };

    let mut at_once = pupil(trainer.network());
    teach(&mut at_once, &digit);
    assert_eq!(at_once.network().maps, trainer.network().maps, "the feature-map layers are left as they were");
    assert_ne!(at_once.network().layers, trainer.network().layers, "the dense layers learnt");
    assert_eq!(read(&mut at_once, &digit.pixels), digit.label as usize, "the lesson was learnt");

    let mut sliced = pupil(trainer.network());
    sliced.teach(digit.clone()).unwrap();
    let mut calls = 0;
    while !sliced.continue_lesson(&mut { let mut allowed = 2; move || { allowed -= 1; allowed >= 0 } }).unwrap().is_done() {
        calls += 1;
    }
    assert!(calls > 16, "{calls} slices: the features and the steps were given two at a time");
    assert_eq!(sliced.network(), at_once.network(), "the same lesson in slices");

    // More training changes the filters; a lesson afterwards must use features of the new ones:
    // the same as a fresh trainer's lesson on the retrained network.
    let mut retrained = sliced;
    retrained.train(40, || true).unwrap();
    assert_ne!(retrained.network().maps, at_once.network().maps);
    let mut fresh = pupil(retrained.network());
    let second = TaughtDigit::new(digit.label, digit.pixels.iter().rev().copied().collect()).unwrap();
    fresh.set_taught_digits(retrained.taught_digits().to_vec()).unwrap();
    teach(&mut fresh, &second);
    teach(&mut retrained, &second);
    assert_eq!(retrained.network(), fresh.network(), "the lesson after training used the retrained filters' features");
}

#[test]
fn a_lesson_in_slices_is_the_lesson_at_once_and_spares_the_runs_optimiser() {
    let digit = &misread(1)[0];
    let mut at_once = pupil();
    teach(&mut at_once, digit);
    let mut sliced = pupil();
    let optimizer = sliced.optimizer().clone();
    sliced.teach(digit.clone()).unwrap();
    let mut calls = 0;
    loop {
        let mut allowed = 2;
        let progress = sliced.continue_lesson(&mut || {
            allowed -= 1;
            allowed >= 0
        }).unwrap();
        calls += 1;
        if progress.is_done() {
            break;
        }
        assert_eq!(progress.steps_done, 2 * calls, "two steps per call");
    }
    let steps = LessonConfig::default().steps;
    assert_eq!(calls, steps.div_ceil(2));
    let bits = |net: &Mlp| net.parameters().flat_map(|p| p.iter().map(|v| v.to_bits())).collect::<Vec<_>>();
    assert_eq!(bits(sliced.network()), bits(at_once.network()));
    assert_ne!(bits(sliced.network()), bits(trained().network()), "the lesson changed the weights");
    assert_eq!(sliced.optimizer(), &optimizer);
    // Training goes on from the taught network.
    let report = sliced.train(1, || true).unwrap();
    assert_eq!(report.steps, 1);
}

#[test]
fn a_diverging_lesson_puts_the_network_back() {
    let digit = &misread(1)[0];
    let mut trainer = pupil();
    let huge = LessonConfig { optimizer: OptimizerConfig::Adam(AdamConfig { learning_rate: 1e30, ..AdamConfig::default() }), ..LessonConfig::default() };
    trainer.teach_with(digit.clone(), huge).unwrap();
    let e = trainer.continue_lesson(&mut || true).unwrap_err();
    assert!(matches!(e, Error::Diverged(_)), "{e:?}");
    assert!(e.to_string().contains("restored"), "{e}");
    assert_eq!(trainer.network().parameters().collect::<Vec<_>>(), trained().network().parameters().collect::<Vec<_>>());
    assert!(trainer.taught_digits().is_empty(), "the digit of a failed lesson is not kept");
}

#[test]
fn your_digits_are_a_list_the_network_keeps() {
    let mut trainer = pupil();
    let digits = misread(3);
    for digit in &digits {
        teach(&mut trainer, digit);
    }
    assert_eq!(trainer.taught_digits(), &digits[..]);
    trainer.forget_taught_digit(1).unwrap();
    assert_eq!(trainer.taught_digits(), &[digits[0].clone(), digits[2].clone()]);
    assert!(trainer.forget_taught_digit(2).unwrap_err().to_string().contains("no digit 2"));
    // Bad digits are refused with a reason.
    assert!(TaughtDigit::new(10, vec![0; 784]).unwrap_err().to_string().contains("0 to 9"));
    assert!(TaughtDigit::from_values(3, &[0.5; 783]).unwrap_err().to_string().contains("784"));
    assert_eq!(TaughtDigit::from_values(3, &[f32::NAN; 784]).unwrap().pixels, vec![0; 784], "NaN reads as paper");
    assert_eq!(TaughtDigit::from_values(3, &[1.0; 784]).unwrap().pixels, vec![255; 784]);
    let too_many = vec![digits[0].clone(); MAX_TAUGHT_DIGITS + 1];
    assert!(trainer.set_taught_digits(too_many).unwrap_err().to_string().contains("at most 1000"));
    // Cleared during a lesson, the lesson ends with nothing to teach.
    trainer.teach(digits[0].clone()).unwrap();
    trainer.continue_lesson(&mut || false).unwrap();
    trainer.forget_taught_digits();
    assert!(trainer.continue_lesson(&mut || true).unwrap().is_done());
    // Fresh weights, or another network, have learnt none of them.
    trainer.restart(trainer.config().clone(), 3).unwrap();
    assert!(trainer.taught_digits().is_empty());
    trainer.set_taught_digits(digits.clone()).unwrap();
    trainer.set_network(trained().network().clone()).unwrap();
    assert!(trainer.taught_digits().is_empty());
    trainer.forget_taught_digits();
}
