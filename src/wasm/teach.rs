//! Teaching the network your handwriting: a drawing's prepared pixels with their right label start a
//! lesson, given a slice at a time between frames; Your digits are read, taken off and cleared here.
//! Model files carry them (`exportModel`/`importModel` in the parent module).

use super::{js_error, Session};
use crate::trainer::{TaughtDigit, RECORD_BYTES};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
impl Session {
    /// Adds a drawing (its 784 prepared values in [0, 1], `predictDrawing().preview`) with its right
    /// label to Your digits and starts a lesson; `lesson` gives it. On an error nothing changes.
    pub fn teach(&mut self, label: u8, pixels: &[f32]) -> Result<(), JsError> {
        let digit = TaughtDigit::from_values(label, pixels).map_err(js_error)?;
        self.trainer.teach(digit).map_err(js_error)
    }

    /// Gives the lesson under way for at most `budget_ms` milliseconds; true once it is done (or
    /// when there is none). If it diverges, the network from before it is put back and an exception
    /// says so.
    pub fn lesson(&mut self, budget_ms: f64) -> Result<bool, JsError> {
        let progress = self.trainer.continue_lesson(&mut self.lesson_steps.slice(budget_ms)).map_err(js_error)?;
        Ok(progress.is_done())
    }

    /// Your digits, oldest first, as 785 bytes each: the label, then 28×28 pixels row by row.
    #[wasm_bindgen(js_name = yourDigits)]
    pub fn your_digits(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(self.trainer.taught_digits().len() * RECORD_BYTES);
        self.trainer.taught_digits().iter().for_each(|digit| digit.write_record(&mut bytes));
        bytes
    }

    /// Takes digit `index` off Your digits (what the network learnt from it stays).
    #[wasm_bindgen(js_name = forgetDigit)]
    pub fn forget_digit(&mut self, index: u32) -> Result<(), JsError> {
        self.trainer.forget_taught_digit(index as usize).map_err(js_error)
    }

    /// Clears Your digits.
    #[wasm_bindgen(js_name = forgetDigits)]
    pub fn forget_digits(&mut self) {
        self.trainer.forget_taught_digits();
    }
}
