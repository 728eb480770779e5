//! The hashes approvals name (exec plugins, files outside the kubeconfig's folder):
//! SHA-256 over length-prefixed fields, so no two different inputs encode alike.

use sha2::{Digest, Sha256};

/// A hash being built, field by field.
pub(super) struct Approval(Sha256);

impl Approval {
    /// Starts a hash of one kind (`outpost-exec-v1`, `outpost-file-v1`).
    pub(super) fn new(kind: &str) -> Self {
        let mut a = Approval(Sha256::new());
        a.field(kind.as_bytes());
        a
    }

    pub(super) fn field(&mut self, b: &[u8]) {
        self.0.update((b.len() as u64).to_be_bytes());
        self.0.update(b);
    }

    /// The hash in hex.
    pub(super) fn hex(self) -> String {
        self.0
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}
