//! What a classifier's answers say about it: the confusion matrix, each class's accuracy, which
//! examples it gets wrong, and its most likely classes for one example.
//!
//! Everything here works on labels and predictions (one class index per example, as
//! [`crate::trainer::Evaluation`] keeps them) and knows nothing of networks or images.

use crate::error::{Error, Result};

/// Counts `C[a][p]` of the examples whose true class is `a` and predicted class is `p`.
///
/// Rows are true classes and columns predictions, so the diagonal holds the correct answers, a row
/// sums to the number of examples of its class, and the whole matrix to the number of examples.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfusionMatrix {
    classes: usize,
    /// Row-major: `counts[a * classes + p]`.
    counts: Vec<u32>,
}

impl ConfusionMatrix {
    /// Counts every pair `(labels[i], predictions[i])`. Fails if the two lengths differ or a class
    /// index is not below `classes`.
    pub fn new(labels: &[u8], predictions: &[u8], classes: usize) -> Result<Self> {
        check_pairs(labels, predictions, classes)?;
        let mut counts = vec![0u32; classes * classes];
        for (&a, &p) in labels.iter().zip(predictions) {
            counts[a as usize * classes + p as usize] += 1;
        }
        Ok(ConfusionMatrix { classes, counts })
    }

    pub fn classes(&self) -> usize {
        self.classes
    }

    /// All counts, row by row (true class by true class).
    pub fn counts(&self) -> &[u32] {
        &self.counts
    }

    /// Examples of class `actual` predicted as `predicted` (0 for classes out of range).
    pub fn count(&self, actual: usize, predicted: usize) -> u32 {
        if actual < self.classes && predicted < self.classes {
            self.counts[actual * self.classes + predicted]
        } else {
            0
        }
    }

    /// `Σ_a Σ_p C[a][p]`: every example.
    pub fn total(&self) -> u64 {
        self.counts.iter().map(|&c| c as u64).sum()
    }

    /// `Σ_a C[a][a]`: the examples predicted correctly.
    pub fn correct(&self) -> u64 {
        (0..self.classes).map(|a| self.count(a, a) as u64).sum()
    }

    /// `Σ_p C[a][p]`: the examples whose true class is `actual`.
    pub fn row_total(&self, actual: usize) -> u64 {
        (0..self.classes).map(|p| self.count(actual, p) as u64).sum()
    }

    /// Each class's accuracy (its recall), `C[a][a] / Σ_p C[a][p]`; `None` for a class without
    /// examples, whose accuracy is undefined rather than 0.
    pub fn per_class_accuracy(&self) -> Vec<Option<f32>> {
        (0..self.classes)
            .map(|a| match self.row_total(a) {
                0 => None,
                n => Some((self.count(a, a) as f64 / n as f64) as f32),
            })
            .collect()
    }

    /// Each cell as a fraction of its row, `C[a][p] / Σ_q C[a][q]` (0 in an empty row): how often a
    /// true `a` is read as `p`, comparable between classes of different sizes.
    pub fn row_fractions(&self) -> Vec<f32> {
        (0..self.classes)
            .flat_map(|a| {
                let n = self.row_total(a);
                (0..self.classes).map(move |p| if n == 0 { 0.0 } else { (self.count(a, p) as f64 / n as f64) as f32 })
            })
            .collect()
    }
}

fn check_pairs(labels: &[u8], predictions: &[u8], classes: usize) -> Result<()> {
    if labels.len() != predictions.len() {
        return Err(Error::Input(format!(
            "{} labels but {} predictions; there must be one prediction per label",
            labels.len(),
            predictions.len()
        )));
    }
    if let Some(&bad) = labels.iter().chain(predictions).find(|&&c| c as usize >= classes) {
        return Err(Error::Input(format!("class {bad} is out of range (there are {classes} classes)")));
    }
    Ok(())
}

/// Indices `i` with `labels[i] == actual` and `predictions[i] == predicted` — the examples in one
/// cell of the confusion matrix — in order, at most `limit` of them.
pub fn indices_in_cell(labels: &[u8], predictions: &[u8], actual: u8, predicted: u8, limit: usize) -> Vec<u32> {
    labels
        .iter()
        .zip(predictions)
        .enumerate()
        .filter(|(_, (&a, &p))| a == actual && p == predicted)
        .map(|(i, _)| i as u32)
        .take(limit)
        .collect()
}

/// Up to `limit` indices of misclassified examples, taken from the true classes in turn — the
/// first mistake on a 0, the first on a 1, …, then the second on a 0, and so on — so that a small
/// gallery shows every class's mistakes rather than only the first class's. Within a class they
/// come in data-set order. A class with fewer mistakes simply drops out of later rounds.
pub fn misclassified_sample(labels: &[u8], predictions: &[u8], classes: usize, limit: usize) -> Vec<u32> {
    let mut by_class: Vec<Vec<u32>> = vec![Vec::new(); classes];
    for (i, (&a, &p)) in labels.iter().zip(predictions).enumerate() {
        let a = a as usize;
        // Each class needs no more than `limit` candidates.
        if a != p as usize && a < classes && by_class[a].len() < limit {
            by_class[a].push(i as u32);
        }
    }
    let mut sample = Vec::with_capacity(limit.min(labels.len()));
    for round in 0.. {
        let before = sample.len();
        for indices in &by_class {
            if sample.len() == limit {
                return sample;
            }
            if let Some(&i) = indices.get(round) {
                sample.push(i);
            }
        }
        if sample.len() == before {
            break;
        }
    }
    sample
}

/// The `k` largest values with their indices, largest first; equal values keep index order.
pub fn top_k(values: &[f32], k: usize) -> Vec<(usize, f32)> {
    // NaN counts as the smallest value.
    let better = |i: usize, j: usize| values[i] > values[j] || (values[j].is_nan() && !values[i].is_nan());
    top_indices(values.len(), k, &better).into_iter().map(|i| (i, values[i])).collect()
}

/// The indices of the `k` best of `0..n`, best first, where `better(i, j)` says that `i` ranks
/// strictly above `j`; on ties the lower index comes first.
///
/// Insertion into a short sorted list, k ≤ a few dozen everywhere it is used: O(n) comparisons
/// against the list's last entry for most inputs. Written out rather than a sort because every
/// sort the standard library monomorphises adds kilobytes to the wasm file (this served four).
pub fn top_indices(n: usize, k: usize, better: &dyn Fn(usize, usize) -> bool) -> Vec<usize> {
    let mut best: Vec<usize> = Vec::with_capacity(k.min(n) + 1);
    if k == 0 {
        return best;
    }
    for i in 0..n {
        if best.len() == k && !better(i, best[k - 1]) {
            continue;
        }
        // After every entry it does not beat: equal ones keep their (lower) index first.
        let at = best.iter().position(|&j| better(i, j)).unwrap_or(best.len());
        best.insert(at, i);
        best.truncate(k);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_indices_ranks_like_a_stable_sort() {
        let values = [3.0, 1.0, 3.0, f32::NAN, 7.0, -2.0, 7.0, 0.0, 1.0];
        assert_eq!(top_k(&values, 4), vec![(4, 7.0), (6, 7.0), (0, 3.0), (2, 3.0)]);
        let all: Vec<usize> = top_k(&values, 20).into_iter().map(|(i, _)| i).collect();
        assert_eq!(all, vec![4, 6, 0, 2, 1, 8, 7, 5, 3], "NaN last, ties by index");
        assert!(top_k(&values, 0).is_empty() && top_k(&[], 3).is_empty());
        // Against the standard library's stable sort on random values with many ties.
        let mut state = 12345u32;
        for k in [1, 5, 17, 64, 300] {
            let values: Vec<f32> = (0..257)
                .map(|_| {
                    state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                    (state >> 27) as f32
                })
                .collect();
            let mut sorted: Vec<usize> = (0..values.len()).collect();
            sorted.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
            sorted.truncate(k);
            assert_eq!(top_k(&values, k).into_iter().map(|(i, _)| i).collect::<Vec<_>>(), sorted, "k = {k}");
        }
    }

    // Three classes, eight examples, worked by hand:
    //   true:      0 0 0 1 1 2 2 2
    //   predicted: 0 1 0 1 1 2 0 1
    // C = [[2, 1, 0],
    //      [0, 2, 0],
    //      [1, 1, 1]]
    const LABELS: [u8; 8] = [0, 0, 0, 1, 1, 2, 2, 2];
    const PREDICTIONS: [u8; 8] = [0, 1, 0, 1, 1, 2, 0, 1];

    #[test]
    fn confusion_matrix_counts_true_rows_against_predicted_columns() {
        let c = ConfusionMatrix::new(&LABELS, &PREDICTIONS, 3).unwrap();
        assert_eq!(c.counts(), &[2, 1, 0, 0, 2, 0, 1, 1, 1]);
        assert_eq!(c.count(0, 1), 1, "one true 0 read as 1");
        assert_eq!(c.count(2, 0), 1, "one true 2 read as 0");
        assert_eq!(c.count(1, 0), 0);
        assert_eq!(c.count(3, 0), 0, "out of range counts nothing");
        assert_eq!(c.total(), 8);
        assert_eq!(c.correct(), 5, "diagonal 2 + 2 + 1");
        assert_eq!((c.row_total(0), c.row_total(1), c.row_total(2)), (3, 2, 3));
    }

    #[test]
    fn per_class_accuracy_is_each_rows_diagonal_share() {
        let c = ConfusionMatrix::new(&LABELS, &PREDICTIONS, 3).unwrap();
        let accuracy = c.per_class_accuracy();
        assert_eq!(accuracy.len(), 3);
        assert!((accuracy[0].unwrap() - 2.0 / 3.0).abs() < 1e-6);
        assert_eq!(accuracy[1], Some(1.0));
        assert!((accuracy[2].unwrap() - 1.0 / 3.0).abs() < 1e-6);
    }

    #[test]
    fn a_class_without_examples_has_no_accuracy() {
        // Class 1 never occurs as a label, only as a (wrong) prediction.
        let c = ConfusionMatrix::new(&[0, 0, 2], &[0, 1, 2], 3).unwrap();
        assert_eq!(c.per_class_accuracy(), vec![Some(0.5), None, Some(1.0)]);
        assert_eq!(c.row_fractions(), vec![0.5, 0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0]);
    }

    #[test]
    fn row_fractions_divide_by_the_rows_total() {
        let c = ConfusionMatrix::new(&LABELS, &PREDICTIONS, 3).unwrap();
        let f = c.row_fractions();
        let third = 1.0 / 3.0;
        let expected = [2.0 * third, third, 0.0, 0.0, 1.0, 0.0, third, third, third];
        for (got, want) in f.iter().zip(expected) {
            assert!((got - want).abs() < 1e-6, "{f:?}");
        }
    }

    #[test]
    fn ten_classes_all_correct_is_a_diagonal_matrix() {
        let labels: Vec<u8> = (0..100).map(|i| (i % 10) as u8).collect();
        let c = ConfusionMatrix::new(&labels, &labels, 10).unwrap();
        for a in 0..10 {
            for p in 0..10 {
                assert_eq!(c.count(a, p), if a == p { 10 } else { 0 });
            }
        }
        assert_eq!(c.correct(), 100);
        assert!(c.per_class_accuracy().iter().all(|&a| a == Some(1.0)));
    }

    #[test]
    fn mismatched_or_out_of_range_input_is_an_error_not_a_panic() {
        let e = ConfusionMatrix::new(&[0, 1], &[0], 3).unwrap_err();
        assert!(e.to_string().contains("2 labels but 1 predictions"), "{e}");
        let e = ConfusionMatrix::new(&[0, 3], &[0, 1], 3).unwrap_err();
        assert!(e.to_string().contains("class 3 is out of range"), "{e}");
        let e = ConfusionMatrix::new(&[0, 1], &[0, 7], 3).unwrap_err();
        assert!(e.to_string().contains("class 7"), "{e}");
        assert_eq!(ConfusionMatrix::new(&[], &[], 3).unwrap().total(), 0);
    }

    #[test]
    fn indices_in_cell_are_that_cells_examples_in_order() {
        assert_eq!(indices_in_cell(&LABELS, &PREDICTIONS, 2, 0, 10), vec![6]);
        assert_eq!(indices_in_cell(&LABELS, &PREDICTIONS, 0, 0, 10), vec![0, 2]);
        assert_eq!(indices_in_cell(&LABELS, &PREDICTIONS, 1, 1, 1), vec![3], "limited to 1");
        assert_eq!(indices_in_cell(&LABELS, &PREDICTIONS, 1, 2, 10), Vec::<u32>::new());
        // A cell's indices number its count.
        let c = ConfusionMatrix::new(&LABELS, &PREDICTIONS, 3).unwrap();
        for a in 0..3u8 {
            for p in 0..3u8 {
                let n = indices_in_cell(&LABELS, &PREDICTIONS, a, p, usize::MAX).len();
                assert_eq!(n as u32, c.count(a as usize, p as usize));
            }
        }
    }

    #[test]
    fn misclassified_sample_takes_the_classes_in_turn() {
        // Mistakes by class: 0 → [1, 4, 5], 1 → [], 2 → [7, 9]; indices 0, 2, 3, 6 and 8 are right.
        let labels = [0, 0, 1, 1, 0, 0, 2, 2, 2, 2];
        let predictions = [0, 2, 1, 1, 2, 1, 2, 0, 2, 1];
        assert_eq!(misclassified_sample(&labels, &predictions, 3, 10), vec![1, 7, 4, 9, 5]);
        assert_eq!(misclassified_sample(&labels, &predictions, 3, 3), vec![1, 7, 4]);
        assert_eq!(misclassified_sample(&labels, &predictions, 3, 0), Vec::<u32>::new());
        assert_eq!(misclassified_sample(&labels, &labels, 3, 10), Vec::<u32>::new(), "nothing wrong");
    }

    #[test]
    fn top_k_ranks_largest_first_and_keep_index_order_on_ties() {
        let p = [0.1, 0.5, 0.05, 0.2, 0.15];
        assert_eq!(top_k(&p, 3), vec![(1, 0.5), (3, 0.2), (4, 0.15)]);
        assert_eq!(top_k(&[0.25, 0.5, 0.25], 3), vec![(1, 0.5), (0, 0.25), (2, 0.25)]);
        assert_eq!(top_k(&p, 0), vec![]);
        assert_eq!(top_k(&[0.3, 0.7], 5).len(), 2, "k larger than the classes");
        assert_eq!(top_k(&[f32::NAN, 0.2, 0.8], 2), vec![(2, 0.8), (1, 0.2)], "NaN last");
    }
}
