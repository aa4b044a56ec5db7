//! Compares lesson recipes ("Teach it your handwriting"): for each candidate, ten lessons in a row on
//! ten digits the network misreads, and a table of what they did — how many taught digits and
//! shifted/scaled copies of them are read right right after their lesson, how many are still read
//! right after all ten, and the test accuracy before and after on the test images not taught.
//!
//! ```sh
//! cargo run --release --example lesson_recipe -- [--model www/models/pretrained.inkling] [--sets 3]
//! cargo run --release --example lesson_recipe -- --model www/models/pretrained.inkling --drawings FILE
//! ```
//! With `--drawings`, the digits are drawings instead: a JSON list of `{digit, style, name, index, k,
//! pixels}` (the 28×28 bytes the page prepared from a drawing), as `node bench/teach-previews.mjs`
//! writes for the handwriting benchmark's drawings. Then each recipe teaches one drawing of every style the model misreads,
//! the lessons adding up as in `bench/teach.mjs`, and the table says how many of the taught styles'
//! other drawings are read right, how many right drawings of other styles turned wrong, and the test
//! accuracy change.
//! Without `--model`, a network is trained first: the default recipe for 2 epochs on the first
//! 20,000 training images, and the digits come from the other 40,000. With a model trained on all
//! of MNIST's training set, the digits are misread test images, left out of the accuracy.

// The recipe comparison is a native tool; `wasm-pack test` builds examples for wasm32 too, where it
// is empty.
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
    use crate::common::drawings::Drawing;
    use clap::Parser;
    use inkling::augment::{AugmentParams, AugmentRanges, Augmenter};
    use inkling::network::argmax;
    use inkling::optim::{AdamConfig, OptimizerConfig};
    use inkling::pixel::pixel_values;
    use inkling::trainer::{LessonConfig, TaughtDigit, TrainConfig, Trainer, CONVNET_COPY_VARIATION, CONVNET_SURE_ENOUGH};
    use std::sync::Arc;
    use std::time::Instant;

    #[derive(Parser)]
    struct Args {
        /// A model file to teach (else one is trained on 20,000 images).
        #[arg(long)]
        model: Option<std::path::PathBuf>,
        /// Sets of ten digits, one after the other in the misread images.
        #[arg(long, default_value_t = 3)]
        sets: usize,
        /// Drawings to teach styles from, as JSON (see above).
        #[arg(long)]
        drawings: Option<std::path::PathBuf>,
        /// With --drawings: name each drawing of another style that a recipe's lessons turned wrong.
        #[arg(long)]
        flips: bool,
    }

    /// The `--drawings` comparison: one lesson per misread style, adding up.
    fn teach_styles(trainer: &mut Trainer, net: &inkling::Mlp, drawings: &[Drawing], list_flips: bool) {
        let test = &common::mnist().1;
        println!("| recipe | styles taught | taught styles' other drawings read right | other styles: right → wrong | test accuracy change (points) | ms per lesson |");
        println!("|---|---:|---:|---:|---|---:|");
        // Every drawing read once before any lesson (the same network starts every recipe): whether
        // it was right, and how sure the network was of its right digit.
        trainer.set_network(net.clone()).unwrap();
        let first: Vec<(bool, f32)> = drawings
            .iter()
            .map(|d| {
                let p = probabilities(trainer, &d.pixels);
                (argmax(&p) == d.digit as usize, p[d.digit as usize])
            })
            .collect();
        let before = trainer.evaluate(test).accuracy;
        for (name, config) in candidates(net.is_convolutional()) {
            trainer.set_network(net.clone()).unwrap();
            let right = |trainer: &mut Trainer, d: &Drawing| read(trainer, &d.pixels) == d.digit as usize;
            let mut taught: Vec<(&str, usize)> = Vec::new(); // style, index of the drawing taught
            let mut ms = 0.0;
            for (d, _) in drawings.iter().zip(&first).filter(|(d, (ok, _))| d.k == 0 && !ok) {
                if taught.iter().any(|(style, _)| *style == d.style) {
                    continue;
                }
                let start = Instant::now();
                trainer.teach_with(TaughtDigit::new(d.digit, d.pixels.clone()).unwrap(), config).unwrap();
                trainer.continue_lesson(&mut || true).unwrap();
                ms += start.elapsed().as_secs_f64() * 1e3;
                taught.push((&d.style, d.index));
            }
            let is_taught_style = |d: &Drawing| taught.iter().any(|(style, _)| *style == d.style);
            let (mut own_right, mut own_total, mut broke) = (0, 0, 0);
            for (d, &(was_right, sure)) in drawings.iter().zip(&first) {
                if is_taught_style(d) {
                    if !(d.k == 0 && taught.iter().any(|&(_, index)| index == d.index)) {
                        own_total += 1;
                        own_right += right(trainer, d) as usize;
                    }
                    continue;
                }
                if d.k != 0 || !was_right {
                    continue;
                }
                let after = probabilities(trainer, &d.pixels);
                let now = argmax(&after);
                if now != d.digit as usize {
                    broke += 1;
                    if list_flips {
                        println!(
                            "  turned wrong: {} ({}) → {now} ({:.0} % sure; its {} was {:.0} % before, {:.0} % after)",
                            d.style,
                            d.name,
                            100.0 * after[now],
                            d.digit,
                            100.0 * sure,
                            100.0 * after[d.digit as usize]
                        );
                    }
                }
            }
            let after = trainer.evaluate(test).accuracy;
            println!(
                "| {name} | {} | {own_right}/{own_total} ({:.1} %) | {broke} | {:+.2} | {:.1} |",
                taught.len(),
                100.0 * own_right as f64 / own_total.max(1) as f64,
                100.0 * (after - before),
                ms / taught.len().max(1) as f64
            );
        }
    }

    /// Ten lessons on drawings of ten styles (read right or not), spread over the set, in each of
    /// `sets` sets: how many right drawings of the other styles turned wrong, and the test accuracy
    /// change — what a person teaching their own hand does to everyone else's, with ten times the
    /// lessons of the misread styles alone (so recipes that differ by one or two flips there can be
    /// told apart).
    fn teach_ten_styles(trainer: &mut Trainer, net: &inkling::Mlp, drawings: &[Drawing], sets: usize) {
        let test = &common::mnist().1;
        let mut styles: Vec<&str> = Vec::new();
        for d in drawings {
            if !styles.contains(&d.style.as_str()) {
                styles.push(&d.style);
            }
        }
        let n = styles.len();
        println!();
        println!("Ten lessons on one drawing each of ten styles ({sets} sets; styles spread over the {n}):");
        println!("| recipe | other styles: right → wrong | test accuracy change (points) | ms per lesson |");
        println!("|---|---:|---|---:|");
        trainer.set_network(net.clone()).unwrap();
        let first: Vec<bool> = drawings.iter().map(|d| read(trainer, &d.pixels) == d.digit as usize).collect();
        let before = trainer.evaluate(test).accuracy;
        for (name, config) in candidates(net.is_convolutional()) {
            let (mut broke, mut others, mut changes, mut ms) = (0, 0, Vec::new(), 0.0);
            for set in 0..sets {
                let chosen: Vec<&str> = (0..10).map(|i| styles[(set + i * n / 10) % n]).collect();
                trainer.set_network(net.clone()).unwrap();
                for style in &chosen {
                    let d = drawings.iter().find(|d| d.k == 0 && d.style == *style).expect("a drawing of every style");
                    let start = Instant::now();
                    trainer.teach_with(TaughtDigit::new(d.digit, d.pixels.clone()).unwrap(), config).unwrap();
                    trainer.continue_lesson(&mut || true).unwrap();
                    ms += start.elapsed().as_secs_f64() * 1e3;
                }
                for (d, &was_right) in drawings.iter().zip(&first) {
                    if d.k == 0 && was_right && !chosen.contains(&d.style.as_str()) {
                        others += 1;
                        broke += (read(trainer, &d.pixels) != d.digit as usize) as usize;
                    }
                }
                changes.push(format!("{:+.2}", 100.0 * (trainer.evaluate(test).accuracy - before)));
            }
            println!("| {name} | {broke} of {others} | {} | {:.1} |", changes.join(" / "), ms / (10 * sets) as f64);
        }
    }

    fn adam(learning_rate: f32) -> OptimizerConfig {
        OptimizerConfig::Adam(AdamConfig { learning_rate, ..AdamConfig::default() })
    }

    /// The recipes compared: the first one tried, fewer or more MNIST examples per step (more than 244
    /// take further chunks), other rates and lengths — each with the copies of the digits varied as
    /// this kind of network's lessons vary them, and ending as its lessons end — then the default
    /// recipe ending at every step or once its copies are read surely enough, and with the copies
    /// varied by 0, a quarter, a half and all of the training augmentation's ranges.
    fn candidates(convolutional: bool) -> Vec<(String, LessonConfig)> {
        let base = LessonConfig::for_network(convolutional);
        let mut list = Vec::new();
        let mixes = [
            (5e-4, 24, 8, 4, 20),
            (5e-4, 24, 4, 2, 58),
            (1e-3, 24, 8, 4, 116),
            (1e-3, 32, 8, 4, 244),
            (2e-3, 24, 8, 4, 244),
            (1e-3, 16, 8, 4, 500),
            (1e-3, 32, 8, 4, 500),
            (5e-4, 32, 8, 4, 500),
            (3e-4, 64, 8, 4, 500),
            // Cheaper lessons for ConvNets, whose examples cost ~10× an MLP's.
            (1e-3, 32, 8, 4, 52),
            (1e-3, 16, 8, 4, 116),
            (2e-3, 16, 8, 4, 52),
        ];


        for (lr, steps, new, earlier, mnist) in mixes {
            let c = LessonConfig { steps, new_copies: new, earlier_copies: earlier, mnist_examples: mnist, optimizer: adam(lr), ..base };
            let default = if c == base { " (default)" } else { "" };
            list.push((format!("Adam {lr:e}, {steps} steps of {new} + {earlier} + {mnist}{default}"), c));
        }
        for sure_enough in [None, Some(0.5), Some(0.7), Some(0.8), Some(CONVNET_SURE_ENOUGH), Some(0.95)] {
            let c = LessonConfig { sure_enough, ..base };
            let default = if c == base { " (default)" } else { "" };
            let end = sure_enough.map_or("every step".to_string(), |sure| format!("ending once the copies are {sure} sure"));
            list.push((format!("the default mix, {end}{default}"), c));
        }
        for lr in [3e-4, 5e-4, 7e-4, 1e-3] {
            let c = LessonConfig { optimizer: base.optimizer.with_learning_rate(lr), ..base };
            let default = if c == base { " (default)" } else { "" };
            list.push((format!("the default at Adam {lr:e}{default}"), c));
        }
        for variation in [0.0, CONVNET_COPY_VARIATION, 0.5, 1.0] {
            let c = LessonConfig { augment: AugmentRanges::default().scaled(variation), ..base };
            list.push((format!("the default, copies varied by {variation} of training's ranges"), c));
        }
        list
    }

    fn probabilities(trainer: &mut Trainer, pixels: &[u8]) -> Vec<f32> {
        trainer.predict(&pixel_values(pixels)).unwrap()
    }

    fn read(trainer: &mut Trainer, pixels: &[u8]) -> usize {
        argmax(&probabilities(trainer, pixels))
    }

    fn copies(digit: &TaughtDigit) -> Vec<Vec<u8>> {
        let moved = |shift, scale| AugmentParams { shift, scale, ..AugmentParams::IDENTITY };
        let params = [moved([1.5, 0.0], 1.0), moved([-1.5, 0.0], 1.0), moved([0.0, 1.5], 1.0), moved([0.0, -1.5], 1.0), moved([0.0, 0.0], 0.9), moved([0.0, 0.0], 1.1)];
        let mut augmenter = Augmenter::new();
        params.iter().map(|p| augmenter.apply_bytes(&digit.pixels, p).to_vec()).collect()
    }

    pub fn main() {
        let args = Args::parse();
        let (train, test) = common::mnist();
        let train = Arc::new(train.clone());
        let (net, pool, held_out): (inkling::Mlp, Vec<(u8, Vec<u8>)>, bool) = match &args.model {
            Some(path) => {
                let (net, _) = inkling::model_file::load(&std::fs::read(path).expect("the model file")).unwrap();
                let images = (0..test.len()).map(|i| (test.labels[i], test.image(i).to_vec())).collect();
                (net, images, true)
            }
            None => {
                let config = TrainConfig { epochs: 2.0, ..TrainConfig::default() };
                let mut t = Trainer::new(config, train.take(20_000), None, 1).unwrap();
                t.train(u64::MAX, || true).unwrap();
                let images = (20_000..train.len()).map(|i| (train.labels[i], train.image(i).to_vec())).collect();
                (t.network().clone(), images, false)
            }
        };
        let mut trainer = Trainer::with_shared_data(TrainConfig::default(), Arc::clone(&train), None, 1).unwrap();
        trainer.set_network(net.clone()).unwrap();
        if let Some(path) = &args.drawings {
            let drawings = match common::drawings::load(path) {
                Ok(drawings) => drawings,
                Err(message) => {
                    eprintln!("error: {message}");
                    std::process::exit(2);
                }
            };
            teach_styles(&mut trainer, &net, &drawings, args.flips);
            teach_ten_styles(&mut trainer, &net, &drawings, args.sets);
            return;
        }
        let misread: Vec<usize> = (0..pool.len()).filter(|&i| read(&mut trainer, &pool[i].1) != pool[i].0 as usize).collect();
        println!("{} of {} candidate images misread; {} sets of ten", misread.len(), pool.len(), args.sets);
        println!("| recipe | own right after its lesson | copies right after | still right after ten | test accuracy change (points) | ms per lesson |");
        println!("|---|---:|---:|---:|---|---:|");
        for (name, config) in candidates(net.is_convolutional()) {
            let (mut own, mut copies_right, mut copies_total, mut kept, mut changes, mut ms) = (0, 0, 0, 0, Vec::new(), 0.0);
            for set in 0..args.sets {
                let chosen = &misread[set * 10..set * 10 + 10];
                trainer.set_network(net.clone()).unwrap();
                // The accuracy on the test images not taught (with a model trained on all the training
                // images, the digits come from the test set).
                let accuracy = |trainer: &mut Trainer| {
                    let right = (0..test.len())
                        .filter(|i| !(held_out && chosen.contains(i)))
                        .filter(|&i| read(trainer, test.image(i)) == test.labels[i] as usize)
                        .count();
                    right as f64 / (test.len() - if held_out { 10 } else { 0 }) as f64
                };
                let before = accuracy(&mut trainer);
                let digits: Vec<TaughtDigit> = chosen.iter().map(|&i| TaughtDigit::new(pool[i].0, pool[i].1.clone()).unwrap()).collect();
                for digit in &digits {
                    let start = Instant::now();
                    trainer.teach_with(digit.clone(), config).unwrap();
                    trainer.continue_lesson(&mut || true).unwrap();
                    ms += start.elapsed().as_secs_f64() * 1e3;
                    own += (read(&mut trainer, &digit.pixels) == digit.label as usize) as usize;
                    let images = copies(digit);
                    copies_right += images.iter().filter(|im| read(&mut trainer, im) == digit.label as usize).count();
                    copies_total += images.len();
                }
                kept += digits.iter().filter(|d| read(&mut trainer, &d.pixels) == d.label as usize).count();
                changes.push(100.0 * (accuracy(&mut trainer) - before));
            }
            let n = 10 * args.sets;
            let change = changes.iter().map(|c| format!("{c:+.2}")).collect::<Vec<_>>().join(" / ");
            println!("| {name} | {own}/{n} | {copies_right}/{copies_total} | {kept}/{n} | {change} | {:.1} |", ms / n as f64);
        }
    }
}
