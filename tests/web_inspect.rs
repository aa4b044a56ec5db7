//! The "Look inside" calls of the wasm API in real browsers: weights as pictures, layer activity,
//! the confusion matrix and test images of the last evaluation — and bad indices or calls before
//! any evaluation are JavaScript exceptions with a clear message, after which the session works.
#![cfg(target_arch = "wasm32")]

use inkling::mnist::IMAGE_PIXELS;
use inkling::wasm::Session;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

mod web_support;
use web_support::{get, message};

fn session(hidden: &str) -> Session {
    web_support::bar_session(&format!(r#"{{"hidden":{hidden},"batchSize":20}}"#), 5.0)
}

fn evaluate(s: &mut Session) -> JsValue {
    loop {
        let e = s.evaluate(20).unwrap();
        if !e.is_null() {
            return e;
        }
    }
}

#[wasm_bindgen_test]
fn weights_and_activity_have_the_networks_shape() {
    let s = session("[12, 6]");
    let images = s.weight_images(0, 256);
    assert_eq!(images.unwrap().len(), 12 * IMAGE_PIXELS);
    assert_eq!(s.weight_images(10, 5).unwrap().len(), 2 * IMAGE_PIXELS, "the layer ends at unit 11");
    let layers = js_sys::Array::from(&s.activations(&[0.5; IMAGE_PIXELS], 3).unwrap());
    assert_eq!(layers.length(), 3);
    let sizes: Vec<u32> = layers.iter().map(|l| js_sys::Array::from(&get(&l, "values")).length()).collect();
    assert_eq!(sizes, vec![12, 6, 10]);
    assert_eq!(get(&layers.get(2), "output"), JsValue::TRUE);

    let none = session("[]");
    assert_eq!(none.weight_images(0, 256).unwrap().len(), 10 * IMAGE_PIXELS, "no hidden layer: the 10 output units");
}

#[wasm_bindgen_test]
fn the_confusion_matrix_and_examples_follow_the_last_evaluation() {
    let mut s = session("[16]");
    assert!(s.confusion_matrix().unwrap().is_null(), "nothing before the first evaluation");
    s.train(100, 1e9).unwrap();
    let evaluation = evaluate(&mut s);
    let matrix = s.confusion_matrix().unwrap();
    let counts: Vec<f64> = js_sys::Array::from(&get(&matrix, "counts")).iter().map(|v| v.as_f64().unwrap()).collect();
    assert_eq!(counts.len(), 100);
    assert_eq!(counts.iter().sum::<f64>(), 50.0);
    let diagonal: f64 = (0..10).map(|d| counts[d * 11]).sum();
    assert_eq!(diagonal, get(&evaluation, "correct").as_f64().unwrap());
    assert_eq!(js_sys::Array::from(&get(&matrix, "perDigitAccuracy")).length(), 10);

    let all_threes = s.cell_examples(3, 3, 256).unwrap();
    let wrong_threes: u32 = (0..10).filter(|&p| p != 3).map(|p| s.cell_examples(3, p, 256).unwrap().len() as u32).sum();
    assert_eq!(all_threes.len() as u32 + wrong_threes, 5, "five 3s in the test set");
    let examples = js_sys::Array::from(&s.test_examples(&[0, 49], 3).unwrap());
    assert_eq!(examples.length(), 2);
    let first = examples.get(0);
    assert_eq!(get(&first, "label").as_f64(), Some(3.0), "test image 0 is a 3");
    assert_eq!(js_sys::Array::from(&get(&first, "pixels")).length(), IMAGE_PIXELS as u32);
    assert_eq!(js_sys::Array::from(&get(&first, "top")).length(), 3);
    assert!(s.misclassified_examples(10).unwrap().len() <= 10);
}

#[wasm_bindgen_test]
fn bad_indices_throw_clear_errors_and_the_session_survives() {
    let mut s = session("[8]");
    let e = message(s.cell_examples(1, 2, 10).unwrap_err());
    assert!(e.contains("not been evaluated yet"), "{e}");
    evaluate(&mut s);
    let e = message(s.cell_examples(10, 2, 10).unwrap_err());
    assert!(e.contains("true digit 10 does not exist"), "{e}");
    let e = message(s.cell_examples(1, 12, 10).unwrap_err());
    assert!(e.contains("predicted digit 12 does not exist"), "{e}");
    let e = message(s.test_examples(&[3, 50], 3).unwrap_err());
    assert!(e.contains("example 50 does not exist (the data set has 50)"), "{e}");
    let e = message(s.test_examples(&[0; 300], 3).unwrap_err());
    assert!(e.contains("at most 256"), "{e}");
    let e = message(s.weight_images(8, 1).unwrap_err());
    assert!(e.contains("unit 8 does not exist (the first layer has 8 units)"), "{e}");
    let e = message(s.activations(&[0.0; 5], 3).unwrap_err());
    assert!(e.contains("784"), "{e}");
    // Still working.
    assert_eq!(s.weight_images(0, 8).unwrap().len(), 8 * IMAGE_PIXELS);
    assert!(!s.confusion_matrix().unwrap().is_null());
}
