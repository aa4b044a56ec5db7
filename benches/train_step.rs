//! One training step of the 784-128-10 network on real MNIST, natively:
//!
//!     cargo bench --bench train_step
//!
//! Plain SGD (α = 0.05, constant rate, no label smoothing) at batch 64 and 256 — the configurations the
//! browser benchmark and the NumPy comparison (scripts/bench-native.sh) measure — and the page's
//! default recipe's optimiser step, Adam at batch 32 with label smoothing 0.1. Each iteration is
//! `Trainer::train(1, …)`: gathering the batch from the bytes, forward, backward and the update.
//! Throughput is reported in examples/s; ×409,088 FLOP per example gives the dense-equivalent FLOP/s.
//!
//! Every case is measured twice: in wall-clock time (criterion's default) and in the CPU time of the
//! benchmarking thread (Linux' /proc/thread-self/schedstat), which hardly changes when other work
//! shares the machine — wall-clock time then says mostly how busy the machine was.

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use inkling::architecture::Architecture;
use inkling::optim::{AdamConfig, OptimizerConfig, Schedule, SgdConfig};
use inkling::trainer::{TrainConfig, Trainer};
use std::time::Duration;

#[path = "../examples/common/mod.rs"]
mod common;

fn config(optimizer: OptimizerConfig, batch_size: usize, label_smoothing: f32) -> TrainConfig {
    TrainConfig {
        layers: Architecture::mlp(&[128]),
        optimizer,
        batch_size,
        schedule: Schedule::Constant,
        // Long enough that criterion's iterations never reach the end of the run.
        epochs: inkling::trainer::MAX_EPOCHS,
        label_smoothing,
        // Whatever else the settings hold (augmentation, …) stays at its default.
        ..TrainConfig::default()
    }
}

fn train_step<M: Measurement>(c: &mut Criterion<M>, group_name: &str) {
    let (train, _test) = common::load(None).unwrap_or_else(|e| panic!("{e}"));
    let sgd = OptimizerConfig::Sgd(SgdConfig { learning_rate: 0.05 });
    let adam = OptimizerConfig::Adam(AdamConfig { learning_rate: 4e-3, ..AdamConfig::default() });
    let cases = [
        ("sgd/batch 64", config(sgd, 64, 0.0)),
        ("sgd/batch 256", config(sgd, 256, 0.0)),
        ("adam/batch 32", config(adam, 32, 0.1)),
    ];
    let mut group = c.benchmark_group(group_name);
    for (name, config) in cases {
        let batch = config.batch_size;
        let mut trainer = Trainer::new(config, train.clone(), None, 1).expect("a valid configuration");
        group.throughput(Throughput::Elements(batch as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                let report = trainer.train(1, || true).expect("training does not diverge");
                assert_eq!(report.steps, 1, "one step per iteration");
                report.loss
            })
        });
    }
    group.finish();
}

fn wall_time(c: &mut Criterion<WallTime>) {
    train_step(c, "train_step 784-128-10");
}

fn cpu_time(c: &mut Criterion<ThreadCpuTime>) {
    if ThreadCpuTime::now().is_none() {
        eprintln!("no /proc/thread-self/schedstat here: the CPU-time measurement is skipped");
        return;
    }
    train_step(c, "train_step 784-128-10 (thread CPU time)");
}

/// Nanoseconds the calling thread has run on a CPU, from the kernel's scheduler statistics.
pub struct ThreadCpuTime;

impl ThreadCpuTime {
    fn now() -> Option<u64> {
        let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
        stat.split_whitespace().next()?.parse().ok()
    }
}

impl Measurement for ThreadCpuTime {
    type Intermediate = u64;
    type Value = u64;
    fn start(&self) -> u64 {
        Self::now().unwrap_or(0)
    }
    fn end(&self, start: u64) -> u64 {
        Self::now().unwrap_or(0).saturating_sub(start)
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }
    fn zero(&self) -> u64 {
        0
    }
    fn to_f64(&self, value: &u64) -> f64 {
        *value as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        &CpuTimeFormatter
    }
}

/// Nanoseconds shown like criterion's wall-clock times, and elements per CPU-second.
struct CpuTimeFormatter;

impl ValueFormatter for CpuTimeFormatter {
    fn scale_values(&self, typical_ns: f64, values: &mut [f64]) -> &'static str {
        let (factor, unit) = match typical_ns {
            t if t < 1e3 => (1.0, "ns"),
            t if t < 1e6 => (1e-3, "µs"),
            t if t < 1e9 => (1e-6, "ms"),
            _ => (1e-9, "s"),
        };
        values.iter_mut().for_each(|v| *v *= factor);
        unit
    }

    fn scale_throughputs(&self, typical_ns: f64, throughput: &Throughput, values: &mut [f64]) -> &'static str {
        let per_iteration = match *throughput {
            Throughput::Elements(n) | Throughput::ElementsAndBytes { elements: n, .. } => n,
            Throughput::Bytes(n) | Throughput::BytesDecimal(n) | Throughput::Bits(n) => n,
        } as f64;
        let typical = per_iteration * 1e9 / typical_ns;
        let (divisor, unit) = match typical {
            t if t < 1e3 => (1.0, " elem/s"),
            t if t < 1e6 => (1e3, "Kelem/s"),
            _ => (1e6, "Melem/s"),
        };
        values.iter_mut().for_each(|v| *v = per_iteration * 1e9 / *v / divisor);
        unit
    }

    fn scale_for_machines(&self, _values: &mut [f64]) -> &'static str {
        "ns"
    }
}

criterion_group! {
    name = wall;
    config = Criterion::default()
        .sample_size(25)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = wall_time
}
criterion_group! {
    name = cpu;
    config = Criterion::default()
        .with_measurement(ThreadCpuTime)
        .sample_size(25)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = cpu_time
}
criterion_main!(wall, cpu);
