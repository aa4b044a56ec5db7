//! Reads the handwriting benchmark's drawings natively with saved models: the 28×28 images the page
//! made of them, as `node bench/teach-previews.mjs` writes them (each drawing of
//! bench/handwriting/set.mjs at its first place; further places of some styles are left out), so a
//! candidate model is compared with the pretrained one on the same drawings in a second instead of
//! minutes of mouse-drawing in a browser. The page's own answer is in the file too: for the model
//! the page used, the count of agreeing answers shows the native reading is the page's.
//!
//!     cargo run --release --example read_drawings -- www/models/pretrained.inkling [more models…]

// A native tool; `wasm-pack test` builds examples for wasm32 too, where it is empty.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    if let Err(message) = native::main() {
        eprintln!("error: {message}");
        std::process::exit(2);
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod common;

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use clap::Parser;
    use inkling::batch::InputBatch;
    use inkling::mnist::IMAGE_PIXELS;
    use inkling::model_file;
    use inkling::network::{argmax, Workspace};
    use inkling::pixel::pixel_values;
    use inkling::trainer::predict;
    use crate::common::drawings::{self, Drawing};
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    #[derive(Parser, Debug)]
    #[command(about = "Read the handwriting benchmark's saved drawings with saved models")]
    struct Args {
        /// The drawings as the page prepared them, written by `node bench/teach-previews.mjs`.
        #[arg(long, default_value = "artifacts/teach-previews.json")]
        images: PathBuf,
        /// Model files (`.inkling`) to read them with.
        #[arg(required = true)]
        models: Vec<PathBuf>,
        /// List every drawing a model misreads.
        #[arg(long)]
        misses: bool,
    }

    pub fn main() -> Result<(), String> {
        let args = Args::parse();
        let all = drawings::load(&args.images)?;
        let drawings: Vec<Drawing> = all.into_iter().filter(|d| d.k == 0).collect();
        if let Some(bad) = drawings.iter().position(|d| d.pixels.len() != IMAGE_PIXELS) {
            return Err(format!("drawing {bad} has {} pixels, not {IMAGE_PIXELS}", drawings[bad].pixels.len()));
        }
        println!("{} drawings as the page prepared them ({})", drawings.len(), args.images.display());
        for path in &args.models {
            let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let (net, description) = model_file::load(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
            let (mut input, mut ws) = (InputBatch::with_capacity(net.inputs(), 1), Workspace::default());
            let mut per_digit = [(0usize, 0usize); 10];
            let mut per_style: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
            let (mut as_page, mut misses) = (0, Vec::new());
            for drawn in &drawings {
                let probabilities =
                    predict(&net, &pixel_values(&drawn.pixels), &mut input, &mut ws).map_err(|e| e.to_string())?;
                let read = argmax(&probabilities);
                let right = read == drawn.digit as usize;
                as_page += usize::from(drawn.read == read);
                let cell = &mut per_digit[drawn.digit as usize];
                *cell = (cell.0 + usize::from(right), cell.1 + 1);
                let style = per_style.entry(&drawn.style).or_default();
                *style = (style.0 + usize::from(right), style.1 + 1);
                if !right {
                    misses.push(format!("  {} {} read as {read}", drawn.style, drawn.name));
                }
            }
            let correct: usize = per_digit.iter().map(|c| c.0).sum();
            let total = drawings.len();
            println!("\n{} — {description}", path.display());
            println!(
                "  {:.1} % ({correct}/{total}); agrees with the page's answer on {as_page}/{total}",
                100.0 * correct as f64 / total as f64
            );
            let digits: Vec<String> =
                per_digit.iter().enumerate().map(|(d, (r, n))| format!("{d}: {:.0}", 100.0 * *r as f64 / (*n).max(1) as f64)).collect();
            println!("  per digit: {}", digits.join(" · "));
            let weak: Vec<String> = per_style
                .iter()
                .filter(|(_, (r, n))| r < n)
                .map(|(s, (r, n))| format!("{s} {r}/{n}"))
                .collect();
            println!("  styles with misreads: {}", if weak.is_empty() { "none".into() } else { weak.join(", ") });
            if args.misses {
                println!("{}", misses.join("\n"));
            }
        }
        Ok(())
    }
}
