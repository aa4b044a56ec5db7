//! Full-batch steps (the whole training set per step, as the seed network trains): the training set
//! read in the same chunks every step, natively with its pixels grouped by position once for all
//! steps, and each step split across threads natively.

use super::{Trainer, CHUNK};
use crate::batch::InputBatch;
use crate::dataset::Dataset;
use crate::network::{BatchStats, Mlp, Workspace};
#[cfg(not(target_arch = "wasm32"))]
use crate::mnist::IMAGE_PIXELS;

/// One thread's buffers for working through examples a chunk at a time.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Debug, Clone)]
pub(super) struct ChunkBuffers {
    input: InputBatch,
    ws: Workspace,
}

#[cfg(not(target_arch = "wasm32"))]
impl ChunkBuffers {
    fn new() -> Self {
        ChunkBuffers { input: InputBatch::with_capacity(IMAGE_PIXELS, CHUNK), ws: Workspace::default() }
    }
}

impl Trainer {
    /// Splits every full-batch step across `threads` threads: each sums the gradient of one
    /// contiguous share of the examples and the shares are added before the update. Only the
    /// rounding of that sum depends on the number of threads. A parallel step runs whole, without
    /// asking the caller's `keep_going` between chunks. Other batch sizes and augmented training
    /// stay on one thread, and so does the WebAssembly build, which has no threads.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn set_threads(&mut self, threads: usize) {
        self.threads = threads.max(1);
        // Steps since the checkpoint would be redone with another rounding.
        self.rollback.forget_checkpoint();
    }

    pub fn threads(&self) -> usize {
        self.threads
    }

    /// The next step can be a parallel full-batch step ([`Trainer::set_threads`]).
    pub(super) fn parallel_step_ready(&self) -> bool {
        self.threads > 1
            && self.config.batch_size == self.train.len()
            && !self.live.augment
            && self.batch_filled == 0
            && self.order.position() == 0
            && self.train.len() >= 2 * CHUNK
    }

    #[cfg(target_arch = "wasm32")]
    pub(super) fn full_batch_step_parallel(&mut self) -> BatchStats {
        unreachable!("set_threads does not exist in the WebAssembly build")
    }

    /// One full-batch step's gradient, split across threads (see [`Trainer::set_threads`]); returns
    /// the step's statistics (the update is the caller's).
    #[cfg(not(target_arch = "wasm32"))]
    pub(super) fn full_batch_step_parallel(&mut self) -> BatchStats {
        let n = self.train.len();
        let threads = self.threads.min(n / CHUNK);
        // Shares start on multiples of CHUNK: the same chunks as the one-thread path.
        let share = n.div_ceil(threads).next_multiple_of(CHUNK);
        let ranges: Vec<_> = (0..threads).map(|t| (t * share).min(n)..((t + 1) * share).min(n)).filter(|r| !r.is_empty()).collect();
        while self.helpers.len() + 1 < ranges.len() {
            self.helpers.push(ChunkBuffers::new());
        }
        self.net.zero_grads();
        let (scale, smoothing) = (1.0 / n as f32, self.live.label_smoothing);
        let train = &*self.train;
        let helper_nets: Vec<Mlp> = ranges[1..].iter().map(|_| self.net.clone()).collect();
        let mut stats = BatchStats::default();
        std::thread::scope(|scope| {
            let handles: Vec<_> = helper_nets
                .into_iter()
                .zip(self.helpers.iter_mut())
                .zip(ranges[1..].iter().cloned())
                .map(|((mut net, buffers), range)| {
                    scope.spawn(move || {
                        let stats = accumulate_in_order(&mut net, train, range, smoothing, scale, buffers);
                        (net, stats)
                    })
                })
                .collect();
            let mut mine = ChunkBuffers {
                input: std::mem::replace(&mut self.input, InputBatch::with_capacity(IMAGE_PIXELS, 0)),
                ws: std::mem::take(&mut self.ws),
            };
            stats = accumulate_in_order(&mut self.net, train, ranges[0].clone(), smoothing, scale, &mut mine);
            (self.input, self.ws) = (mine.input, mine.ws);
            for handle in handles {
                let (net, theirs) = handle.join().expect("a training thread panicked");
                self.net.add_grads(&net);
                stats.add(theirs);
            }
        });
        self.batch_stats = stats;
        self.batch_filled = n;
        self.tally.examples += n as u64;
        stats
    }
}

/// Forward and backward over `data[range]` in memory order, a chunk at a time, adding
/// `scale · ∂L/∂θ` to `net`'s gradients: one thread's share of a full-batch step.
#[cfg(not(target_arch = "wasm32"))]
fn accumulate_in_order(
    net: &mut Mlp,
    data: &Dataset,
    range: std::ops::Range<usize>,
    smoothing: f32,
    scale: f32,
    buffers: &mut ChunkBuffers,
) -> BatchStats {
    let mut stats = BatchStats::default();
    let mut start = range.start;
    while start < range.end {
        let end = (start + CHUNK).min(range.end);
        let buffers = (&mut buffers.input, &mut buffers.ws);
        stats.add(accumulate_full_batch_chunk(net, data, start..end, smoothing, scale, buffers));
        start = end;
    }
    stats
}

/// Forward and backward for images `range` of a full batch (a chunk: at most CHUNK, starting on a
/// multiple of it). Natively, a first layer of at most 16 units reads the chunk's pixels grouped by
/// position, prepared once for all steps ([`crate::nonzeros::NonZeroChunks`], 18 MB for MNIST's
/// 60,000 images); otherwise the chunk's non-zero lists (a ConvNet: its pixels) are copied into
/// `input`. The browser keeps to the second way: the prepared chunks would take its memory past 100 MB.
pub(super) fn accumulate_full_batch_chunk(
    net: &mut Mlp,
    data: &Dataset,
    range: std::ops::Range<usize>,
    smoothing: f32,
    scale: f32,
    (input, ws): (&mut InputBatch, &mut Workspace),
) -> BatchStats {
    let labels = &data.labels[range.clone()];
    #[cfg(not(target_arch = "wasm32"))]
    if !net.is_convolutional() && crate::layer::is_narrow(net.layers[0].outputs()) && range.start.is_multiple_of(CHUNK) {
        let chunk = data.prepared_chunk(range.start / CHUNK, CHUNK);
        if chunk.len() == range.len() {
            return net.accumulate_gradients(chunk, labels, smoothing, scale, ws);
        }
    }
    input.clear();
    input.push_images(data, range, net.is_convolutional());
    net.accumulate_gradients(&*input, labels, smoothing, scale, ws)
}
