//! The "How it works" calls of the wasm API in real browsers: a trace, the saliency, the gradient
//! check, test images and a side-by-side comparison work on a small session — and every bad argument
//! is a JavaScript exception with a clear message, after which the session works unchanged.
#![cfg(target_arch = "wasm32")]

use inkling::mnist::IMAGE_PIXELS;
use inkling::wasm::Session;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

mod web_support;
use web_support::{get, message, number};

fn session() -> Session {
    web_support::bar_session(r#"{"layers":"12","batchSize":20}"#, 5.0)
}

fn bar(digit: usize) -> Vec<f32> {
    let mut pixels = vec![0.0; IMAGE_PIXELS];
    pixels[(3 + 2 * digit) * 28 + 6..(3 + 2 * digit) * 28 + 20].fill(1.0);
    pixels
}

#[wasm_bindgen_test]
fn trace_saliency_and_check_for_one_example() {
    let s = session();
    let trace = s.explain(&bar(4), 4, 5).unwrap();
    let layers = js_sys::Array::from(&get(&trace, "layers"));
    assert_eq!(layers.length(), 2);
    assert_eq!(js_sys::Array::from(&get(&layers.get(1), "a")).length(), 10);
    assert_eq!(js_sys::Array::from(&get(&layers.get(0), "largestWeightGrads")).length(), 5);
    assert_eq!(number(&trace, "label"), 4.0);
    assert_eq!(get(&trace, "optimizer").as_string().unwrap(), "adam");
    assert!(number(&trace, "loss") > 0.0);

    let saliency = s.saliency(&bar(4), None).unwrap();
    assert_eq!(js_sys::Array::from(&get(&saliency, "gradient")).length(), IMAGE_PIXELS as u32);
    assert_eq!(number(&saliency, "class"), number(&saliency, "predicted"));
    assert_eq!(number(&s.saliency(&bar(4), Some(7)).unwrap(), "class"), 7.0);

    let check = s.gradient_check(&bar(4), 4, 2).unwrap();
    assert_eq!(get(&check, "passed").as_bool(), Some(true));
    assert!(js_sys::Array::from(&get(&check, "parameters")).length() >= 4);

    let image = s.test_image(3).unwrap();
    assert_eq!(number(&image, "label"), 6.0, "test image 3 is a 6 (offset 3)");
    assert_eq!(js_sys::Array::from(&get(&image, "pixels")).length(), IMAGE_PIXELS as u32);
}

#[wasm_bindgen_test]
fn a_comparison_trains_both_runs_to_the_end() {
    let s = session();
    let a = js_sys::JSON::parse(r#"{"layers":"8","optimizer":{"kind":"sgd","learningRate":0.1},"batchSize":200,"schedule":{"kind":"constant"},"epochs":2}"#).unwrap();
    let b = js_sys::JSON::parse(r#"{"layers":"8","batchSize":20,"epochs":2}"#).unwrap();
    let mut comparison = s.compare_runs(a, b, Some(1.0), 20, 100).unwrap();
    let info = comparison.info().unwrap();
    assert_eq!(number(&info, "seed"), 1.0);
    assert_eq!(js_sys::Array::from(&get(&info, "runs")).length(), 2);
    let mut points = [0u32; 2];
    let mut calls = 0;
    while !comparison.done() {
        let report = comparison.work(1.0).unwrap();
        for (r, list) in js_sys::Array::from(&get(&report, "points")).iter().enumerate() {
            points[r] += js_sys::Array::from(&list).length();
        }
        calls += 1;
        assert!(calls < 100_000);
    }
    // 400 examples each, measured every 100 — but only between chunks of work: run B's are its
    // batches of 20, so 0, 100, 200, 300, 400; run A's full batch of 200 is one chunk, so 0, 200, 400.
    assert_eq!(points, [3, 5]);
    let report = comparison.work(1.0).unwrap();
    assert_eq!(get(&report, "done").as_bool(), Some(true));
    let runs = js_sys::Array::from(&get(&report, "runs"));
    assert_eq!(number(&runs.get(0), "steps"), 2.0);
    assert_eq!(number(&runs.get(1), "steps"), 20.0);
}

/// Hostile input to every new call: each may fail, but only with an exception that says what was
/// wrong, and the session is unchanged afterwards.
#[wasm_bindgen_test]
fn bad_arguments_are_exceptions_and_change_nothing() {
    let mut s = session();
    let reference = s.predict_pixels(&bar(2)).unwrap();
    let nan = vec![f32::NAN; IMAGE_PIXELS];
    for (result, expected) in [
        (s.explain(&[], 0, 5).err(), "expected 784 pixel values"),
        (s.explain(&nan, 0, 5).err(), "finite"),
        (s.explain(&bar(1), 10, 5).err(), "label 10 does not exist"),
        (s.explain(&bar(1), u32::MAX, u32::MAX).err(), "does not exist"),
        (s.saliency(&bar(1)[1..], None).err(), "expected 784"),
        (s.saliency(&bar(1), Some(99)).err(), "digit 99 does not exist"),
        (s.gradient_check(&nan, 1, 2).err(), "finite"),
        (s.gradient_check(&bar(1), 11, 0).err(), "label 11"),
        (s.test_image(50).err(), "test image 50 does not exist"),
        (s.test_image(u32::MAX).err(), "does not exist"),
    ] {
        let error = result.map(message).unwrap_or_default();
        assert!(error.contains(expected), "expected an error containing “{expected}”, got “{error}”");
    }
    let ok = js_sys::JSON::parse("{}").unwrap();
    for (first, second, seed, test_images, every, expected) in [
        (r#"{"batchSize":0}"#, "{}", Some(1.0), 10, 10, "run A"),
        ("{}", r#"{"layrs":"3"}"#, Some(1.0), 10, 10, "unknown field"),
        ("{}", "{}", Some(-1.0), 10, 10, "seed"),
        ("{}", "{}", Some(1.0), 0, 10, "1 to 50 test images"),
        ("{}", "{}", Some(1.0), 51, 10, "1 to 50 test images"),
        ("{}", "{}", Some(1.0), 10, 0, "evaluation interval"),
    ] {
        let result = s.compare_runs(
            js_sys::JSON::parse(first).unwrap(),
            js_sys::JSON::parse(second).unwrap(),
            seed,
            test_images,
            every,
        );
        let error = result.err().map(message).unwrap_or_default();
        assert!(error.contains(expected), "expected an error containing “{expected}”, got “{error}”");
    }
    // Odd budgets still make progress, one piece at a time.
    let mut comparison = s.compare_runs(ok.clone(), ok, Some(2.0), 5, 50).unwrap();
    for budget in [f64::NAN, -1.0, 0.0, f64::INFINITY] {
        comparison.work(budget).unwrap();
    }
    assert_eq!(s.predict_pixels(&bar(2)).unwrap(), reference, "nothing changed the network");
    assert_eq!(number(&s.train(2, 1e9).unwrap(), "steps"), 2.0, "and it still trains");
}
