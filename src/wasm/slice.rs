//! Keeping a slice of work inside its time budget.
//!
//! The page asks Rust to train "for up to N ms" of an animation frame. Checking the clock only
//! before each step lets the last step run past the deadline by a whole step; a frame that ends a
//! millisecond late is a late frame. So each check also asks whether one more piece, as long as the
//! pieces lately took, would still end in time.

use super::now;

/// How long the pieces of some work take lately, for slices that stop before the deadline.
#[derive(Debug, Default)]
pub(crate) struct PieceTimer {
    /// A decaying maximum of recent pieces' durations, in ms: one slow piece (a pause of the whole
    /// page for garbage collection, the machine busy) is forgotten within a dozen pieces, so that it
    /// does not cut the next slices short.
    piece_ms: f64,
}

impl PieceTimer {
    /// A check to call between pieces of work (before each one): true while another piece is
    /// expected to end within `budget_ms` of now. With a positive budget the first piece always
    /// runs, so that a piece slower than the whole budget cannot stall the work; a budget of zero,
    /// below zero or NaN runs nothing.
    pub(crate) fn slice(&mut self, budget_ms: f64) -> impl FnMut() -> bool + '_ {
        let mut last = now();
        let any = budget_ms > 0.0;
        let deadline = last + budget_ms;
        let mut pieces = 0u32;
        move || {
            if !any {
                return false;
            }
            // Each call comes between two pieces, so the time since the previous call is what a
            // piece took.
            let t = now();
            if pieces > 0 {
                self.piece_ms = (self.piece_ms * 0.8).max(t - last);
            }
            pieces += 1;
            last = t;
            pieces == 1 || t + self.piece_ms < deadline
        }
    }
}
