//! Keeping a slice of work inside its time budget.
//!
//! The page asks Rust to train "for up to N ms" of an animation frame. Checking the clock only
//! before each step lets the last step run past the deadline by a whole step; a frame that ends a
//! millisecond late is a late frame. So each check also asks whether one more piece, as long as the
//! pieces lately took, would still end in time.
//!
//! The clock is passed in (the page's `performance.now()` in the bindings, a fake one in the tests),
//! so the policy is the same code in both.

/// How long the pieces of some work take lately, for slices that stop before the deadline.
#[derive(Debug, Default, Clone)]
pub struct PieceTimer {
    /// A decaying maximum of recent pieces' durations, in ms: one slow piece (a pause of the whole
    /// page for garbage collection, the machine busy) is forgotten within a dozen pieces, so that it
    /// does not cut the next slices short.
    piece_ms: f64,
}

/// How much of the longest piece so far is still remembered after each new piece.
const DECAY: f64 = 0.8;

impl PieceTimer {
    /// A check to call between pieces of work (before each one), reading the time in ms from `now`:
    /// true while another piece is expected to end within `budget_ms` of when the slice started. With
    /// a positive budget the first piece always runs, so that a piece slower than the whole budget
    /// cannot stall the work; a budget of zero, below zero or NaN runs nothing.
    pub fn slice<'a>(&'a mut self, budget_ms: f64, mut now: impl FnMut() -> f64 + 'a) -> impl FnMut() -> bool + 'a {
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
                self.piece_ms = (self.piece_ms * DECAY).max(t - last);
            }
            pieces += 1;
            last = t;
            pieces == 1 || t + self.piece_ms < deadline
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A clock that reads `times` in turn (the last one from then on).
    fn clock(times: &[f64]) -> impl FnMut() -> f64 + '_ {
        let mut i = 0;
        move || {
            let t = times[i.min(times.len() - 1)];
            i += 1;
            t
        }
    }

    /// A clock that reads `start`, then one ms more at each read.
    fn ticks(start: f64) -> impl FnMut() -> f64 {
        let mut t = start - 1.0;
        move || {
            t += 1.0;
            t
        }
    }

    /// How many pieces a slice lets run (at most 100).
    fn pieces_run(keep_going: &mut impl FnMut() -> bool) -> usize {
        (0..100).take_while(|_| keep_going()).count()
    }

    #[test]
    fn a_budget_of_zero_below_zero_or_nan_runs_nothing() {
        for budget in [0.0, -0.0, -1.0, f64::NEG_INFINITY, f64::NAN] {
            let mut timer = PieceTimer::default();
            assert_eq!(pieces_run(&mut timer.slice(budget, || 0.0)), 0, "budget {budget}");
        }
    }

    #[test]
    fn with_a_positive_budget_the_first_piece_always_runs() {
        let mut timer = PieceTimer { piece_ms: 1e9 };
        // The clock is already past the deadline when the first piece is asked for.
        let mut keep_going = timer.slice(f64::MIN_POSITIVE, clock(&[0.0, 50.0, 100.0]));
        assert!(keep_going(), "the first piece runs");
        assert!(!keep_going(), "but no second one");
    }

    #[test]
    fn another_piece_runs_only_if_it_is_expected_to_end_before_the_deadline() {
        let mut timer = PieceTimer::default();
        // Pieces of 3 ms in a budget of 10 ms from 0: asked at 0, 3, 6 (6 + 3 < 10) and 9 (9 + 3 > 10).
        assert_eq!(pieces_run(&mut timer.slice(10.0, clock(&[0.0, 0.0, 3.0, 6.0, 9.0]))), 3);
        assert_eq!(timer.piece_ms, 3.0);
        // The next slice knows how long pieces take: at 100.5 one of 3 ms (less the decay) would end
        // past 102, although the last piece took only 0.5 ms.
        assert_eq!(pieces_run(&mut timer.slice(2.0, clock(&[100.0, 100.0, 100.5]))), 1);
    }

    #[test]
    fn a_slow_piece_is_forgotten_by_a_decaying_maximum() {
        let mut timer = PieceTimer::default();
        // One piece of 100 ms (a pause for garbage collection).
        let mut keep_going = timer.slice(1e9, clock(&[0.0, 0.0, 100.0]));
        assert!(keep_going() && keep_going());
        drop(keep_going);
        assert_eq!(timer.piece_ms, 100.0);
        // Then pieces of 1 ms: the maximum shrinks by 0.8 with each one, not to 1 at once.
        let mut keep_going = timer.slice(1e9, ticks(1000.0));
        assert!(keep_going() && keep_going() && keep_going());
        drop(keep_going);
        assert!((timer.piece_ms - 100.0 * 0.8 * 0.8).abs() < 1e-9, "{}", timer.piece_ms);
        // Nine pieces later it is no longer in the way: a 10 ms budget fits several 1 ms pieces.
        let mut keep_going = timer.slice(1e9, ticks(2000.0));
        for _ in 0..10 {
            assert!(keep_going());
        }
        drop(keep_going);
        assert!(timer.piece_ms < 10.0, "{}", timer.piece_ms);
        assert!(pieces_run(&mut timer.slice(10.0, ticks(3000.0))) >= 5);
    }
}
