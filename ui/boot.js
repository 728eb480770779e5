// Loads the WASM frontend that wasm-bindgen wrote beside this file; `main` runs on init.
import init from "./outpost-ui.js";
init();
