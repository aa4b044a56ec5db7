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

fn session(layers: &str) -> Session {
    web_support::bar_session(&format!(r#"{{"layers":"{layers}","batchSize":20}}"#), 5.0)
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
    let s = session("12-6");
    let images = s.weight_images(0, 256);
    assert_eq!(images.unwrap().len(), 12 * IMAGE_PIXELS);
    assert_eq!(s.weight_images(10, 5).unwrap().len(), 2 * IMAGE_PIXELS, "the layer ends at unit 11");
    let layers = js_sys::Array::from(&s.activations(&[0.5; IMAGE_PIXELS], 3).unwrap());
    assert_eq!(layers.length(), 3);
    let sizes: Vec<u32> = layers.iter().map(|l| js_sys::Array::from(&get(&l, "values")).length()).collect();
    assert_eq!(sizes, vec![12, 6, 10]);
    assert_eq!(get(&layers.get(2), "output"), JsValue::TRUE);

    let none = session("");
    assert_eq!(none.weight_images(0, 256).unwrap().len(), 10 * IMAGE_PIXELS, "no hidden layer: the 10 output units");
}

#[wasm_bindgen_test]
fn the_confusion_matrix_and_examples_follow_the_last_evaluation() {
    let mut s = session("16");
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
    let mut s = session("8");
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

/// A ConvNet through the wasm API: its feature-map layers described as numbers, its first
/// convolution's filters scaled to [−1, 1], a drawing's maps in [0, 1] layer after layer; an MLP has
/// no maps and its filters are an exception; the settings name the layers in the notation.
#[wasm_bindgen_test]
fn a_convnet_shows_its_filters_and_feature_maps() {
    let mut s = session("c4k5-p2-c6k3s-p2-16");
    assert_eq!(get(&s.info().unwrap(), "network").as_string().unwrap(), "c4k5-p2-c6k3s-p2-16-10");
    assert_eq!(get(&s.info().unwrap(), "convolutional"), JsValue::TRUE);
    s.train(20, 1e9).unwrap();
    assert_eq!(s.map_layers(), vec![0, 1, 4, 24, 24, 5, 1, 4, 4, 12, 12, 0, 0, 4, 6, 12, 12, 3, 1, 6, 6, 6, 6, 0]);
    let filters = s.filters().unwrap();
    assert_eq!(filters.len(), 4 * 25);
    for filter in filters.chunks(25) {
        let largest = filter.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        assert!((largest - 1.0).abs() < 1e-6, "each filter spans [−1, 1]: {largest}");
    }
    let pixels: Vec<f32> = (0..IMAGE_PIXELS).map(|i| if (i / 28) % 7 < 3 { 0.9 } else { 0.0 }).collect();
    let maps = s.feature_maps(&pixels).unwrap();
    assert_eq!(maps.len(), 4 * 24 * 24 + 4 * 12 * 12 + 6 * 12 * 12 + 6 * 6 * 6);
    assert!(maps.iter().all(|v| (0.0..=1.0).contains(v)));
    assert!(maps.iter().any(|&v| v == 1.0), "each layer is scaled to its largest value");
    // Why this answer: a gradient for every pixel, back through the convolutions.
    let saliency = s.saliency(&pixels, None).unwrap();
    assert_eq!(js_sys::Array::from(&get(&saliency, "gradient")).length() as usize, IMAGE_PIXELS);

    // How it works: the first convolution's most active output with its numbers.
    let step = s.explain_convolution(&pixels, 3).unwrap();
    assert_eq!(get(&step, "kernel").as_f64(), Some(5.0));
    assert_eq!(js_sys::Array::from(&get(&step, "patch")).length(), 25);
    assert_eq!(js_sys::Array::from(&get(&step, "weightGrads")).length(), 25);

    let mlp = session("16");
    assert!(message(mlp.explain_convolution(&pixels, 3).unwrap_err()).contains("no convolution"));
    assert!(mlp.map_layers().is_empty());
    assert!(message(mlp.filters().unwrap_err()).contains("no convolution"));
    assert!(mlp.feature_maps(&pixels).unwrap().is_empty());
    // A model file round trip keeps the ConvNet.
    let bytes = s.export_model("test");
    let mut other = session("16");
    other.import_model(&bytes).unwrap();
    assert_eq!(get(&other.info().unwrap(), "network").as_string().unwrap(), "c4k5-p2-c6k3s-p2-16-10");
    assert_eq!(other.predict_pixels(&pixels).unwrap(), s.predict_pixels(&pixels).unwrap());
}
