//! Entry point of the WASM frontend.

fn main() {
    outpost_ui::start();
}
