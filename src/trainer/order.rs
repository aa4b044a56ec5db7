//! Which training example comes next: a shuffled order, drawn anew for every pass over the data,
//! or memory order for full-batch steps — and the run's random numbers, which draw those orders and
//! the augmentation of every example. A [`OrderMark`] remembers where the order stood, so that a
//! failed step can be undone (`rollback`).

use rand::seq::SliceRandom;
use rand_pcg::Pcg64Mcg;

#[derive(Debug, Clone)]
pub(super) struct ExampleOrder {
    order: Vec<u32>,
    /// The order before the last one drawn, so that a mark from the previous pass can be gone back
    /// to (copied once per pass: 240 kB for MNIST's 60,000 images).
    previous: Vec<u32>,
    /// Orders drawn since the first.
    draws: u64,
    position: usize,
    /// A new order is drawn after every pass. Not for full batches: a full batch sums the same
    /// gradient in any order, and reading it in memory order is ~2× faster than shuffled (random
    /// access to 47 MB misses the cache on every image).
    shuffled: bool,
    rng: Pcg64Mcg,
}

impl ExampleOrder {
    /// The order of `len` examples, shuffled from `rng` unless `shuffled` is false.
    pub(super) fn new(len: usize, shuffled: bool, mut rng: Pcg64Mcg) -> Self {
        let mut order: Vec<u32> = (0..len as u32).collect();
        if shuffled {
            order.shuffle(&mut rng);
        }
        ExampleOrder { order, previous: Vec::new(), draws: 0, position: 0, shuffled, rng }
    }

    /// How far into the current pass: 0 at its start.
    pub(super) fn position(&self) -> usize {
        self.position
    }

    /// The example at the current position.
    pub(super) fn current(&self) -> usize {
        self.order[self.position] as usize
    }

    /// Moves on one example; after the last one of a pass, the next pass starts (in a new order).
    pub(super) fn advance(&mut self) {
        self.position += 1;
        if self.position == self.order.len() {
            if self.shuffled {
                self.previous.clone_from(&self.order);
                self.order.shuffle(&mut self.rng);
                self.draws += 1;
            }
            self.position = 0;
        }
    }

    /// The next `n` examples in memory order (full batches, which are never shuffled): a range of
    /// the data set, from the current position on.
    pub(super) fn take_range(&mut self, n: usize) -> std::ops::Range<usize> {
        debug_assert!(!self.shuffled, "memory order is for full batches");
        let range = self.position..self.position + n;
        self.position = (self.position + n) % self.order.len();
        range
    }

    /// The run's random numbers (augmentation draws from them between the orders' shuffles).
    pub(super) fn rng(&mut self) -> &mut Pcg64Mcg {
        &mut self.rng
    }

    /// The current order (tests compare it).
    #[cfg(test)]
    pub(super) fn order(&self) -> &[u32] {
        &self.order
    }

    /// Where the order stands now.
    pub(super) fn mark(&self) -> OrderMark {
        OrderMark { draws: self.draws, position: self.position, rng: self.rng.clone() }
    }

    /// Goes back to `mark`, which is from the current pass or the one before.
    pub(super) fn rewind(&mut self, mark: &OrderMark) {
        match self.draws - mark.draws {
            0 => {}
            1 => std::mem::swap(&mut self.order, &mut self.previous),
            n => panic!("a mark from {n} orders ago cannot be gone back to"),
        }
        self.draws = mark.draws;
        self.position = mark.position;
        self.rng = mark.rng.clone();
    }
}

/// Where an [`ExampleOrder`] stood: which of its orders, where in it, and the random numbers.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct OrderMark {
    /// Orders drawn before this one (one order per pass when shuffling).
    pub(super) draws: u64,
    position: usize,
    rng: Pcg64Mcg,
}
