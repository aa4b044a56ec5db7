//! A small ConvNet learns MNIST natively: a few epochs over 500 training images, stepped by Adam
//! through the same parameter list every optimiser uses, lower the loss and classify unseen test
//! images far above chance. Seeded, so a run is repeatable; the thresholds have margins for any seed.
//!
//! The data as in `tests/learning.rs` (the checked loader of `examples/common`).
#![cfg(not(target_arch = "wasm32"))] // native only: the browser tests are in tests/web.rs

#[path = "../examples/common/mod.rs"]
mod common;

use inkling::architecture::Architecture;
use inkling::batch::InputBatch;
use inkling::dataset::Dataset;
use inkling::layer::MapShape;
use inkling::mnist::{CLASSES, IMAGE_PIXELS, IMAGE_SIDE};
use inkling::network::{BatchStats, Mlp, Workspace};
use inkling::optim::{AdamConfig, MomentumConfig, OptimizerConfig, RmsPropConfig, SgdConfig};
use inkling::model_file;
use inkling::trainer::{TrainConfig, Trainer};
use rand::SeedableRng;
use rand_pcg::Pcg64Mcg;

const MNIST: MapShape = MapShape { channels: 1, height: IMAGE_SIDE, width: IMAGE_SIDE };
const BATCH: usize = 25;
/// A few points below the lowest of seeds 1–5 (82.0 %); chance is 10 %.
const MIN_TEST_ACCURACY: f32 = 0.75;

/// One pass over `data` in order, in batches: trains when `learn` is given a learning rate.
fn pass(net: &mut Mlp, data: &Dataset, mut learn: Option<(&mut inkling::optim::Optimizer, f32)>) -> BatchStats {
    let (mut ws, mut x, mut total) = (Workspace::default(), InputBatch::with_capacity(IMAGE_PIXELS, BATCH), BatchStats::default());
    for start in (0..data.len()).step_by(BATCH) {
        let range = start..(start + BATCH).min(data.len());
        x.clear();
        range.clone().for_each(|i| x.push_bytes(data.image(i)));
        let labels = &data.labels[range];
        match learn.as_mut() {
            Some((optimizer, lr)) => {
                net.zero_grads();
                total.add(net.accumulate_gradients(&x, labels, 0.0, 1.0 / labels.len() as f32, &mut ws));
                optimizer.step(net.parameters_and_grads(), *lr);
            }
            None => {
                net.forward(&x, &mut ws);
                total.add(net.stats(&ws, labels, 0.0));
            }
        }
    }
    total
}

#[test]
fn a_small_convnet_learns_a_few_hundred_digits() {
    let (train, test) = common::mnist();
    let (train, test) = (train.take(500), test.take(500));
    let architecture: Architecture = "c4k5-p2-c8k3-p2-32".parse().unwrap();
    let mut net = architecture.build(MNIST, CLASSES, &mut Pcg64Mcg::seed_from_u64(1)).unwrap();
    let before = pass(&mut net, &test, None);
    let mut optimizer = OptimizerConfig::Adam(AdamConfig::default()).build();
    let epochs: Vec<BatchStats> = (0..6).map(|_| pass(&mut net, &train, Some((&mut optimizer, 3e-3)))).collect();
    let after = pass(&mut net, &test, None);
    let losses: Vec<f32> = epochs.iter().map(BatchStats::mean_loss).collect();
    eprintln!("test before {:.3} / {:.1} %, training losses {losses:.3?}, test after {:.3} / {:.1} %",
        before.mean_loss(), 100.0 * before.accuracy(), after.mean_loss(), 100.0 * after.accuracy());

    assert!(losses.windows(2).all(|w| w[1] < w[0]), "the training loss falls every epoch: {losses:?}");
    assert!(losses[5] < 0.5 * losses[0], "{losses:?}");
    assert!(after.mean_loss() < 0.5 * before.mean_loss(), "test loss {} → {}", before.mean_loss(), after.mean_loss());
    // Seeds 1–5 measured: 82.0–86.8 % on the 500 test images, training loss 2.0–2.2 → 0.24–0.29.
    assert!(after.accuracy() > MIN_TEST_ACCURACY, "test accuracy {}", after.accuracy());
}

/// Every optimiser, at its default learning rate and under the default recipe's schedule (set once per
/// epoch here), trains a ConvNet: they all walk the same parameter list, kernels included.
#[test]
fn every_optimiser_trains_a_convnet() {
    let (train, _) = common::mnist();
    let train = train.take(300);
    let architecture: Architecture = "c4k3-p2-16".parse().unwrap();
    let configs = [
        OptimizerConfig::Sgd(SgdConfig::default()),
        OptimizerConfig::Momentum(MomentumConfig::default()),
        OptimizerConfig::RmsProp(RmsPropConfig::default()),
        OptimizerConfig::Adam(AdamConfig::default()),
    ];
    const EPOCHS: usize = 10;
    let schedule = TrainConfig::default().schedule;
    for config in configs {
        let mut net = architecture.build(MNIST, CLASSES, &mut Pcg64Mcg::seed_from_u64(2)).unwrap();
        let before = pass(&mut net, &train, None).mean_loss();
        let mut optimizer = config.build();
        for epoch in 0..EPOCHS {
            let lr = schedule.rate(config.learning_rate(), (epoch as f32 + 0.5) / EPOCHS as f32);
            pass(&mut net, &train, Some((&mut optimizer, lr)));
        }
        let after = pass(&mut net, &train, None).mean_loss();
        eprintln!("{}: training loss {before:.3} → {after:.3}", config.kind());
        // Seeds 2–4 measured: at worst Adam's 2.44 → 1.24 (×0.51); SGD ×0.09–0.1, momentum ≤ ×0.02.
        assert!(after < 0.75 * before, "{}: loss {before} → {after}", config.kind());
    }
}

/// The trainer runs a ConvNet from its settings alone — `layers` in the notation — the way the page
/// and the native trainer do: mini-batches (plain and augmented) and full-batch steps gather dense
/// batches for the first convolution, the test set is evaluated through it, and a model file
/// carries it over exactly.
#[test]
fn the_trainer_runs_a_convnet_from_its_settings() {
    let (train, test) = common::mnist();
    let (train, test) = (train.take(500), test.take(500));
    let layers: Architecture = "c4k5-p2-c8k3-p2-32".parse().unwrap();
    for augment in [false, true] {
        let config = TrainConfig { layers: layers.clone(), epochs: 6.0, batch_size: 25, augment, ..TrainConfig::default() };
        let mut trainer = Trainer::new(config, train.clone(), Some(test.clone()), 1).unwrap();
        assert!(trainer.network().is_convolutional());
        let before = trainer.evaluate(&test);
        let report = trainer.train(u64::MAX, || true).unwrap();
        let after = trainer.evaluate(&test);
        eprintln!("augment {augment}: test {:.1} % → {:.1} %, last loss {:.3}", 100.0 * before.accuracy, 100.0 * after.accuracy, report.loss);
        assert!(report.finished && trainer.total_examples() == 3000);
        // Seed 1 measured: 77.8 % plain, 78.2 % augmented (the default recipe's label smoothing
        // and schedule, 6 epochs of 500 images); chance is 10 %.
        assert!(after.accuracy > 0.65, "augment {augment}: {}", after.accuracy);
        assert!(after.loss < 0.6 * before.loss, "test loss {} → {}", before.loss, after.loss);

        let bytes = model_file::save(trainer.network(), "test");
        let (loaded, _) = model_file::load(&bytes).unwrap();
        assert_eq!(trainer.evaluate(&test).predictions, {
            let mut other = Trainer::new(TrainConfig { layers: layers.clone(), ..TrainConfig::default() }, train.clone(), None, 9).unwrap();
            other.set_network(loaded).unwrap();
            other.evaluate(&test).predictions
        });
    }

    // Full-batch gradient descent: every step reads the whole (small) training set.
    let config = TrainConfig {
        layers,
        optimizer: OptimizerConfig::Sgd(SgdConfig { learning_rate: 0.1 }),
        batch_size: train.len(),
        epochs: 20.0,
        schedule: inkling::optim::Schedule::Constant,
        label_smoothing: 0.0,
        augment: false,
    };
    let mut trainer = Trainer::new(config, train.clone(), None, 2).unwrap();
    let losses: Vec<f32> = (0..20).map(|_| trainer.train(1, || true).unwrap().loss).collect();
    eprintln!("full batch: losses {losses:.3?}");
    assert_eq!(trainer.total_steps(), 20);
    assert!(losses[19] < 0.8 * losses[0], "{losses:?}");
}
