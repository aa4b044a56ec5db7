//! What the browser tests of the wasm API share: small learnable data sets and ways to read the
//! JavaScript values and exceptions the API returns.
#![allow(dead_code)]

use inkling::mnist::{to_idx, IMAGE_PIXELS};
use inkling::wasm::Session;
use wasm_bindgen::prelude::*;

/// IDX files of `count` images where digit k is a bright bar at row 3 + 2k. `varied` moves each
/// bar sideways a little and gives it a softer lower edge, so that examples of a digit differ.
pub fn bars(count: usize, offset: usize, varied: bool) -> (Vec<u8>, Vec<u8>) {
    let mut images = vec![0u8; count * IMAGE_PIXELS];
    let mut labels = Vec::with_capacity(count);
    for i in 0..count {
        let label = (i + offset) % 10;
        let row = 3 + 2 * label;
        let start = if varied { 4 + (i * 7 + offset) % 6 } else { 6 };
        for x in start..start + 14 {
            images[i * IMAGE_PIXELS + row * 28 + x] = 255;
            if varied {
                images[i * IMAGE_PIXELS + (row + 1) * 28 + x] = 128;
            }
        }
        labels.push(label as u8);
    }
    to_idx(&images, &labels)
}

/// A session on 200 training and 50 test bars (plain), with settings given as JSON.
pub fn bar_session(json: &str, seed: f64) -> Session {
    let (train_images, train_labels) = bars(200, 0, false);
    let (test_images, test_labels) = bars(50, 3, false);
    Session::new(train_images, train_labels, test_images, test_labels, settings(json), Some(seed))
        .expect("a valid session")
}

pub fn settings(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap()
}

pub fn get(value: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(value, &JsValue::from_str(name)).unwrap()
}

pub fn number(value: &JsValue, name: &str) -> f64 {
    get(value, name).as_f64().unwrap_or(f64::NAN)
}

/// The message of the JavaScript exception an API call failed with.
pub fn message(error: JsError) -> String {
    js_sys::Error::from(JsValue::from(error)).message().into()
}
