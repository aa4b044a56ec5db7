//! Keeping and sharing experiments: settings checked before a session exists, so a link's settings
//! (the page's address) are judged by the same rules as the form's.
//!
//! Model files themselves go through `exportModel`/`importModel` in the parent module.

use super::{settings_from_js, Session};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
impl Session {
    /// Checks settings as `new Session`/`reset` would for a training set of `train_examples` images,
    /// without any data: throws the same message they would, or returns nothing.
    #[wasm_bindgen(js_name = checkSettings)]
    pub fn check_settings(settings: JsValue, train_examples: u32) -> Result<(), JsError> {
        let config = settings_from_js(settings)?;
        config.validate(train_examples as usize).map_err(super::js_error)
    }
}
