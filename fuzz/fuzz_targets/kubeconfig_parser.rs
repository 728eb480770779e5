//! Fuzzes the kubeconfig parser (`outpost_core::import::kubeconfig::parse`): YAML from
//! pasted text, dropped files and USB sticks.
//!
//! Every input must give a kubeconfig or a typed `ImportError::Yaml`, never a panic, a
//! hang or an allocation beyond the parser's budget (aliases, nodes, scalar bytes). A
//! refused input's message must not quote the input: the harness plants a marker in a
//! token position and checks that no error message repeats it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use outpost_core::import::{ImportError, kubeconfig};

const MARK: &str = "tok-FUZZ-MARK";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for input in [
        text.to_string(),
        format!("users:\n- name: u\n  user:\n    token: {MARK}\n{text}"),
    ] {
        match kubeconfig::parse(&input, "fuzz") {
            Ok(kc) => {
                // Secrets never reach Debug output.
                let dbg = format!("{kc:?}");
                assert!(!dbg.contains(MARK) || text.contains(MARK), "{dbg}");
            }
            Err(e @ ImportError::Yaml { .. }) => {
                assert_eq!(e.kind(), outpost_core::error::ErrorKind::InvalidInput);
                let msg = e.to_string();
                assert!(!msg.contains(MARK) || text.contains(MARK), "{msg}");
            }
            Err(other) => panic!("untyped parser error: {other:?}"),
        }
    }
});
