//! Trains a saved network for a few plain-SGD steps on the first training images *in order* and
//! prints each step's loss, so that another implementation started from the same weights, on the
//! same batches, can be compared with it step by step: the native benchmark (bench/native.py
//! `--convnet`) writes PyTorch's initial weights as a model file, runs this, and compares the losses
//! with PyTorch's own.
//!
//!     cargo run --release --example same_steps -- start.inkling --batch 32 --steps 20 --lr 0.05
//!
//! A step is the trainer's (`Trainer::work_chunk` and `finish_step`): the gradient of the batch's
//! mean cross-entropy (no label smoothing) by `Mlp::accumulate_gradients`, then `Optimizer::step`
//! with a constant rate. Only the order of the examples differs — memory order instead of shuffled,
//! which another implementation cannot reproduce. One line per step: `step N loss L`, L the batch's
//! mean loss before the update, printed so that it reads back as the same f32.

// A native tool; `wasm-pack test` builds examples for wasm32 too, where it is empty.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    if let Err(message) = native::main() {
        eprintln!("error: {message}");
        std::process::exit(2);
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod common;

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use crate::common;
    use clap::Parser;
    use inkling::batch::InputBatch;
    use inkling::mnist::IMAGE_PIXELS;
    use inkling::model_file;
    use inkling::network::Workspace;
    use inkling::optim::{OptimizerConfig, SgdConfig};
    use inkling::trainer::CHUNK;
    use std::path::PathBuf;

    #[derive(Parser, Debug)]
    #[command(about = "Plain-SGD steps of a saved network on the first MNIST training images, in order; prints each step's loss")]
    struct Args {
        /// The model file to start from.
        model: PathBuf,
        /// Examples per step (at most 256, the trainer's chunk: one forward and backward per step).
        #[arg(long, default_value_t = 32)]
        batch: usize,
        #[arg(long, default_value_t = 20)]
        steps: usize,
        #[arg(long, default_value_t = 0.05)]
        lr: f32,
    }

    pub fn main() -> Result<(), String> {
        let args = Args::parse();
        let bytes = std::fs::read(&args.model).map_err(|e| format!("cannot read {}: {e}", args.model.display()))?;
        let (mut net, _) = model_file::load(&bytes).map_err(|e| e.to_string())?;
        let (train, _) = common::load(None)?;
        if !(1..=CHUNK).contains(&args.batch) || args.batch * args.steps > train.len() {
            return Err(format!(
                "batch {} × {} steps: the batch must be 1–{CHUNK} and the steps must fit the {} training images",
                args.batch,
                args.steps,
                train.len()
            ));
        }
        let mut optimizer = OptimizerConfig::Sgd(SgdConfig { learning_rate: args.lr }).build();
        let mut ws = Workspace::default();
        let mut input = InputBatch::with_capacity(IMAGE_PIXELS, args.batch);
        for step in 0..args.steps {
            let range = step * args.batch..(step + 1) * args.batch;
            input.clear();
            input.push_images(&train, range.clone(), net.is_convolutional());
            net.zero_grads();
            let stats = net.accumulate_gradients(&input, &train.labels[range], 0.0, 1.0 / args.batch as f32, &mut ws);
            optimizer.step(net.parameters_and_grads(), args.lr);
            println!("step {} loss {:?}", step + 1, stats.mean_loss());
        }
        Ok(())
    }
}
