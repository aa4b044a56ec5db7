//! The page's clock for [`crate::budget::PieceTimer`], which keeps a slice of work inside its time
//! budget (the policy and its tests are there).

use super::now;

/// A [`crate::budget::PieceTimer`] that reads `performance.now()`.
#[derive(Debug, Default)]
pub(crate) struct PieceTimer(crate::budget::PieceTimer);

impl PieceTimer {
    /// [`crate::budget::PieceTimer::slice`] on the page's clock.
    pub(crate) fn slice(&mut self, budget_ms: f64) -> impl FnMut() -> bool + '_ {
        self.0.slice(budget_ms, now)
    }
}
