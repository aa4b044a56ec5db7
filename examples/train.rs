//! The native trainer: trains on MNIST from the command line, prints progress, saves the model.
//!
//!     cargo run --release --example train                   # the default recipe (98 %)
//!     cargo run --release --example train -- --preset seed  # the original NumPy project
//!     cargo run --release --example train -- --preset pretrained --seed 1   # the pretrained model (scripts/build.sh)
//!     cargo run --release --example train -- --save www/models/pretrained.inkling
//!     cargo run --release --example train -- --augment --hidden 256   # random shifts, scale, rotation, thickness

// The trainer is a native tool; `wasm-pack test` builds examples for wasm32 too, where it is empty.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    native::main()
}

#[cfg(not(target_arch = "wasm32"))]
mod common;

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use crate::common;

    use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
    use clap::{Parser, ValueEnum};
    use indicatif::{ProgressBar, ProgressStyle};
    use inkling::architecture::Architecture;
    use inkling::model_file;
    use inkling::optim::{
        AdamConfig, MomentumConfig, OptimizerConfig, RmsPropConfig, Schedule, SgdConfig,
    };
    use inkling::presets::Preset;
    use inkling::trainer::{TrainConfig, Trainer};
    use std::path::PathBuf;
    use std::time::Instant;

    #[derive(Clone, Copy, Debug, ValueEnum)]
    enum OptimizerKind {
        Gd,
        Sgd,
        Momentum,
        Rmsprop,
        Adam,
    }

    #[derive(Parser, Debug)]
    #[command(about = "Train Inkling's hand-written network (an MLP or a ConvNet) on MNIST")]
    struct Args {
        /// The recipe to start from; the options below change single settings of it.
        #[arg(long, default_value = "default", value_parser = preset_parser())]
        preset: Preset,
        /// The layers between input and output (overrides the preset): `128`, `256-128`, or a
        /// ConvNet such as `c8k5-p2-c16k5-p2-128` (see src/architecture.rs).
        #[arg(long, alias = "hidden", value_parser = architecture_parser)]
        layers: Option<Architecture>,
        /// Optimiser (overrides the preset); `gd` is full-batch gradient descent.
        #[arg(long, value_enum)]
        optimizer: Option<OptimizerKind>,
        /// Learning rate (overrides the preset).
        #[arg(long)]
        lr: Option<f32>,
        /// Batch size (overrides the preset).
        #[arg(long)]
        batch: Option<usize>,
        /// Length of the run in epochs (full-batch iterations for `gd`).
        #[arg(long)]
        epochs: Option<f32>,
        /// Label smoothing ε.
        #[arg(long)]
        smoothing: Option<f32>,
        /// Keep the learning rate constant instead of warm-up + cosine decay.
        #[arg(long)]
        constant_lr: bool,
        /// Augment every training example: random shifts, scaling, small rotations and stroke
        /// thickness, drawn anew each time it is used.
        #[arg(long)]
        augment: bool,
        /// Seed for the initial weights and the order of the examples.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Threads a full-batch step (batch = the whole training set, as the seed preset trains) is
        /// split across; other batch sizes train on one thread. The sum of the shares' gradients
        /// rounds slightly differently with each thread count.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=256))]
        threads: u16,
        /// Train on only the first N training images.
        #[arg(long)]
        limit: Option<usize>,
        /// Evaluate on the test set every this many training examples (0: only at the end).
        #[arg(long, default_value_t = 0)]
        eval_every: u64,
        /// Directory with the four MNIST IDX files (default: the npm package's).
        #[arg(long)]
        data: Option<PathBuf>,
        /// Save the trained model here.
        #[arg(long)]
        save: Option<PathBuf>,
    }

    /// The presets' names as clap's choices, each with its label in `--help`.
    fn preset_parser() -> impl TypedValueParser<Value = Preset> {
        let choices = Preset::NAMED.map(|preset| PossibleValue::new(preset.name()).help(preset.label()));
        PossibleValuesParser::new(choices).map(|name| name.parse::<Preset>().expect("one of the choices"))
    }

    pub fn main() {
        if let Err(message) = run(Args::parse()) {
            eprintln!("error: {message}");
            std::process::exit(1);
        }
    }

    fn run(args: Args) -> Result<(), String> {
        let (mut train, test) = common::load(args.data.as_deref())?;
        if let Some(limit) = args.limit {
            train = train.take(limit);
        }
        let config = build_config(&args, train.len());
        let seed_preset = matches!(args.preset, Preset::Seed);
        println!(
            "network {}, {:?}, batch {}, {} epochs, label smoothing {}, augmentation {}, seed {}, threads {}",
            describe(&config.layers),
            config.optimizer,
            config.batch_size,
            config.epochs,
            config.label_smoothing,
            if config.augment { "on" } else { "off" },
            args.seed,
            args.threads
        );
        let mut trainer = Trainer::new(config, train, Some(test.clone()), args.seed)
            .map_err(|e| e.to_string())?;
        trainer.set_threads(args.threads.into());
        let started = Instant::now();
        let cpu_started = common::cpu_time::process_cpu_seconds();
        let mut evaluated_at = 0u64;

        if seed_preset {
            // The original printed the training accuracy every 10 iterations.
            while !trainer.is_finished() {
                let report = trainer.train(10, || true).map_err(|e| e.to_string())?;
                println!(
                    "iteration {:>4}: training accuracy {:.4}, loss {:.4}",
                    report.total_steps, report.accuracy, report.loss
                );
            }
        } else {
            let bar = ProgressBar::new(trainer.planned_examples());
            bar.set_style(
                ProgressStyle::with_template(
                    "{bar:40} {pos}/{len} examples, {per_sec}, eta {eta} {msg}",
                )
                .expect("a valid template"),
            );
            let batch = trainer.config().batch_size as u64;
            while !trainer.is_finished() {
                // Up to the next evaluation exactly (the page evaluates every 10,000 examples too;
                // the page benchmark compares the two).
                let steps = match args.eval_every {
                    0 => 200,
                    every => (evaluated_at + every).saturating_sub(trainer.total_examples()).div_ceil(batch).clamp(1, 200),
                };
                let report = trainer.train(steps, || true).map_err(|e| e.to_string())?;
                bar.set_position(report.total_examples);
                bar.set_message(format!(
                    "loss {:.3}, accuracy {:.3}",
                    report.loss, report.accuracy
                ));
                // Every eval_every examples, and at the end of the run (as the page does).
                let due = report.total_examples - evaluated_at >= args.eval_every || trainer.is_finished();
                if args.eval_every > 0 && due && report.total_examples != evaluated_at {
                    evaluated_at = report.total_examples;
                    let e = trainer.evaluate(&test);
                    let line = format!(
                        "after {:>7} examples ({:>6.2} s): test accuracy {:.2} %",
                        e.at_examples,
                        started.elapsed().as_secs_f32(),
                        100.0 * e.accuracy
                    );
                    // indicatif draws nothing when output is not a terminal; the line must still show.
                    if bar.is_hidden() {
                        println!("{line}");
                    } else {
                        bar.println(line);
                    }
                }
            }
            bar.finish();
        }
        let seconds = started.elapsed().as_secs_f64();
        let cpu_seconds = common::cpu_time::process_cpu_seconds() - cpu_started;
        let examples = trainer.total_examples();
        let train_eval = trainer.evaluate(&trainer.train_set().clone());
        let test_eval = trainer.evaluate(&test);
        println!(
            "trained {} steps, {} examples in {:.1} s ({:.0} examples/s)",
            trainer.total_steps(),
            examples,
            seconds,
            examples as f64 / seconds
        );
        // The same loop in CPU time (test-set evaluations during it included): on a shared machine it
        // says more about the code, and less about the load, than the wall-clock rate above.
        println!(
            "training CPU time {:.3} s ({:.0} examples per CPU-second)",
            cpu_seconds,
            examples as f64 / cpu_seconds
        );
        println!("training accuracy {:.2} %", 100.0 * train_eval.accuracy);
        println!(
            "test accuracy {:.2} % ({} of {} test images)",
            100.0 * test_eval.accuracy,
            test_eval.correct,
            test_eval.examples
        );

        if let Some(path) = args.save {
            let description = format!(
                "{} trained natively{}, seed {}, {} examples; test accuracy {:.2} %",
                describe(&trainer.config().layers),
                if trainer.config().augment { " with augmentation" } else { "" },
                args.seed,
                examples,
                100.0 * test_eval.accuracy
            );
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
            }
            std::fs::write(&path, model_file::save(trainer.network(), &description))
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            println!("saved {}", path.display());
        }
        Ok(())
    }

    fn architecture_parser(text: &str) -> Result<Architecture, String> {
        text.parse().map_err(|e: inkling::error::Error| e.to_string())
    }

    /// "MLP 784-128-10" or "ConvNet c8k5-p2-c16k5-p2-128-10".
    fn describe(layers: &Architecture) -> String {
        let kind = if layers.is_convolutional() { "ConvNet" } else { "MLP" };
        format!("{kind} {}", layers.written_out())
    }

    fn build_config(args: &Args, train_size: usize) -> TrainConfig {
        let mut config = args.preset.config(train_size);
        if let Some(layers) = &args.layers {
            config.layers = layers.clone();
        }
        let lr = args.lr.unwrap_or(config.optimizer.learning_rate());
        if let Some(kind) = args.optimizer {
            config.optimizer = match kind {
                OptimizerKind::Gd | OptimizerKind::Sgd => {
                    OptimizerConfig::Sgd(SgdConfig { learning_rate: lr })
                }
                OptimizerKind::Momentum => OptimizerConfig::Momentum(MomentumConfig {
                    learning_rate: lr,
                    ..Default::default()
                }),
                OptimizerKind::Rmsprop => OptimizerConfig::RmsProp(RmsPropConfig {
                    learning_rate: lr,
                    ..Default::default()
                }),
                OptimizerKind::Adam => OptimizerConfig::Adam(AdamConfig {
                    learning_rate: lr,
                    ..Default::default()
                }),
            };
            if matches!(kind, OptimizerKind::Gd) {
                config.batch_size = train_size;
            }
        } else if let Some(lr) = args.lr {
            config.optimizer = config.optimizer.with_learning_rate(lr);
        }
        if let Some(batch) = args.batch {
            config.batch_size = batch;
        }
        if let Some(epochs) = args.epochs {
            config.epochs = epochs;
        }
        if let Some(smoothing) = args.smoothing {
            config.label_smoothing = smoothing;
        }
        if args.constant_lr {
            config.schedule = Schedule::Constant;
        }
        if args.augment {
            config.augment = true;
        }
        config
    }
}
