//! Typed calls for snapshot bundles (`outpost_ipc::snapshot`), and reading a picked
//! file's bytes: WebKit does not expose the path of a file chosen in an `<input
//! type=file>`, so its bytes (bounded by `MAX_UPLOAD_BYTES`) are sent, base64-encoded.

use super::{Channel, call, call_with};
use outpost_ipc::snapshot::{
    ExportedBundle, ImportPreview, ImportResult, Notice, SiteChangesCmd, SiteChangesDismissCmd,
    SiteChangesRequest, SnapshotDiff, SnapshotExportCmd, SnapshotExportRequest, SnapshotImportCmd,
    SnapshotImportRequest, SnapshotPreviewCmd, WATCH_NOTICES_CHANNEL_ARG, WatchNoticesCmd,
    WatchNoticesRequest,
};
use outpost_ipc::{ErrorKind, IpcError};
use wasm_bindgen::JsCast;

fn pass(p: &str) -> Option<String> {
    (!p.is_empty()).then(|| p.to_string())
}

/// Writes a bundle of the site to the Downloads folder.
pub async fn export(site: &str, passphrase: &str) -> Result<ExportedBundle, IpcError> {
    call::<SnapshotExportCmd>(&SnapshotExportRequest {
        site: site.into(),
        passphrase: pass(passphrase),
    })
    .await
}

/// What importing a bundle (its bytes) would do: the confirmation step.
pub async fn preview_bytes(bytes: &[u8], passphrase: &str) -> Result<ImportPreview, IpcError> {
    call::<SnapshotPreviewCmd>(&SnapshotImportRequest {
        data: Some(base64(bytes)),
        passphrase: pass(passphrase),
        ..SnapshotImportRequest::default()
    })
    .await
}

/// Imports a bundle from its bytes, once confirmed; `as_new_site` names the new site
/// when the bundle's endpoint differs from the registered site's.
pub async fn import_bytes(
    bytes: &[u8],
    passphrase: &str,
    as_new_site: Option<String>,
) -> Result<ImportResult, IpcError> {
    call::<SnapshotImportCmd>(&SnapshotImportRequest {
        data: Some(base64(bytes)),
        passphrase: pass(passphrase),
        as_new_site,
        ..SnapshotImportRequest::default()
    })
    .await
}

/// Imports a dropped bundle (by its path), once confirmed.
pub async fn import_path(
    path: &str,
    as_new_site: Option<String>,
) -> Result<ImportResult, IpcError> {
    call::<SnapshotImportCmd>(&SnapshotImportRequest {
        path: Some(path.into()),
        as_new_site,
        ..SnapshotImportRequest::default()
    })
    .await
}

/// What changed since the state kept before the site came back, else since the bundle
/// stored for it (`None`: neither).
pub async fn site_changes(site: &str) -> Result<Option<SnapshotDiff>, IpcError> {
    call::<SiteChangesCmd>(&SiteChangesRequest { site: site.into() }).await
}

/// Forgets the state kept from before the site came back.
pub async fn site_changes_dismiss(site: &str) -> Result<bool, IpcError> {
    call::<SiteChangesDismissCmd>(&SiteChangesRequest { site: site.into() }).await
}

/// Streams the outcome of files dropped on the window while the channel lives.
pub async fn watch_notices(on_notice: impl Fn(Notice) + 'static) -> Result<Channel, IpcError> {
    let ch = Channel::new(on_notice);
    call_with::<WatchNoticesCmd>(
        &WatchNoticesRequest {},
        &[(WATCH_NOTICES_CHANNEL_ARG, ch.arg())],
    )
    .await?;
    Ok(ch)
}

/// The bytes of a file picked in the window.
pub async fn read_file(file: &web_sys::File) -> Result<Vec<u8>, IpcError> {
    let buf = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
        .await
        .map_err(|_| IpcError::new(ErrorKind::Storage, "the file could not be read"))?;
    let buf: js_sys::ArrayBuffer = buf
        .dyn_into()
        .map_err(|_| IpcError::new(ErrorKind::Internal, "the file did not read as bytes"))?;
    Ok(js_sys::Uint8Array::new(&buf).to_vec())
}

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for c in bytes.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(c.get(1).copied().unwrap_or(0)) << 8)
            | u32::from(c.get(2).copied().unwrap_or(0));
        for i in 0..4 {
            if i <= c.len() {
                out.push(char::from(A[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::base64;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (raw, enc) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(raw.as_bytes()), enc);
        }
        assert_eq!(base64(&[0xff, 0xfe, 0x00]), "//4A");
    }
}
