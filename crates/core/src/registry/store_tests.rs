//! Tests for the store file.

use super::*;
use crate::registry::site::tests::sample;

fn store() -> (tempfile::TempDir, SiteStore) {
    let tmp = tempfile::tempdir().unwrap();
    let s = SiteStore::at(tmp.path().join("outpost.json"));
    (tmp, s)
}

#[test]
fn round_trip_keeps_unknown_keys_in_plugin_store_format() {
    let (_t, s) = store();
    fs::write(s.path(), r#"{"settings":{"theme":"dark"}}"#).unwrap();
    s.add(sample("edge-1", "https://10.0.0.1:6443")).unwrap();
    s.add(sample("edge-2", "https://10.0.0.2:6443")).unwrap();
    let v: Value = serde_json::from_slice(&fs::read(s.path()).unwrap()).unwrap();
    assert_eq!(v["settings"]["theme"], "dark");
    assert_eq!(v["schemaVersion"], 1);
    assert_eq!(v["sites"][1]["name"], "edge-2");
    assert_eq!(
        v["sites"][0]["credentials"]["entries"][0],
        "0123456789abcdef/edge-1/token"
    );
    // What tauri-plugin-store's default serializer would write.
    assert_eq!(
        fs::read(s.path()).unwrap(),
        serde_json::to_vec_pretty(&v).unwrap()
    );
    let names: Vec<_> = s.list().unwrap().into_iter().map(|s| s.name).collect();
    assert_eq!(names, ["edge-1", "edge-2"]);
    s.set_key("settings", serde_json::json!({"theme": "light"}))
        .unwrap();
    assert_eq!(s.get_key("settings").unwrap().unwrap()["theme"], "light");
    assert_eq!(s.list().unwrap().len(), 2);
}

#[test]
fn duplicates_are_refused() {
    let (_t, s) = store();
    s.add(sample("edge-1", "https://10.0.0.1:6443")).unwrap();
    let e = s
        .add(sample("edge-1", "https://10.0.0.9:6443"))
        .unwrap_err();
    assert_eq!(e.kind(), crate::error::ErrorKind::AlreadyExists);
    let e = s
        .add(sample("edge-9", "https://10.0.0.1:6443/"))
        .unwrap_err();
    assert_eq!(e.kind(), crate::error::ErrorKind::AlreadyExists);
    assert!(e.to_string().contains("edge-1"), "{e}");
}

#[test]
fn update_and_remove() {
    let (_t, s) = store();
    s.add(sample("edge-1", "https://10.0.0.1:6443")).unwrap();
    let u = s
        .update("edge-1", |x| x.notes = Some("rack 3".into()))
        .unwrap();
    assert_eq!(u.notes.as_deref(), Some("rack 3"));
    assert_eq!(s.get("edge-1").unwrap().notes.as_deref(), Some("rack 3"));
    let e = s.update("edge-1", |x| x.name = "x".into()).unwrap_err();
    assert_eq!(e.kind(), crate::error::ErrorKind::InvalidInput);
    let e = s
        .update("edge-1", |x| x.location.latitude = Some(200.0))
        .unwrap_err();
    assert_eq!(e.kind(), crate::error::ErrorKind::InvalidInput);
    assert_eq!(s.get("edge-1").unwrap().location.latitude, None);
    assert_eq!(s.remove("edge-1").unwrap().name, "edge-1");
    assert_eq!(
        s.remove("edge-1").unwrap_err().kind(),
        crate::error::ErrorKind::NotFound
    );
    assert_eq!(
        s.get("nope").unwrap_err().kind(),
        crate::error::ErrorKind::NotFound
    );
}

fn assert_moved_aside(content: &str, why: &str) {
    let (t, s) = store();
    fs::write(s.path(), content).unwrap();
    let e = s.list().unwrap_err();
    assert_eq!(e.kind(), crate::error::ErrorKind::Storage);
    let RegistryError::Corrupt {
        path,
        moved_to,
        reason,
    } = &e
    else {
        panic!("expected Corrupt, got {e:?}");
    };
    assert_eq!(path, s.path());
    assert!(reason.contains(why), "{reason}");
    let msg = e.to_string();
    assert!(msg.contains(&s.path().display().to_string()), "{msg}");
    assert!(msg.contains(&moved_to.display().to_string()), "{msg}");
    assert!(
        moved_to
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("outpost.json.corrupt-")
    );
    // The bad content is kept, the store is not silently reset.
    assert_eq!(fs::read_to_string(moved_to).unwrap(), content);
    assert!(!s.path().exists());
    assert!(moved_to.starts_with(t.path()));
    // After moving aside, the store starts empty (the user was told).
    assert!(s.list().unwrap().is_empty());
}

#[test]
fn corrupt_json_is_moved_aside() {
    assert_moved_aside("{\"sites\": [", "bad JSON");
    assert_moved_aside("", "bad JSON");
    assert_moved_aside("[1,2]", "not a JSON object");
}

#[test]
fn wrong_schema_version_is_moved_aside() {
    assert_moved_aside(
        r#"{"schemaVersion": 99, "sites": []}"#,
        "schemaVersion is 99",
    );
    assert_moved_aside(r#"{"sites": []}"#, "schemaVersion is missing");
}

#[test]
fn invalid_site_is_moved_aside() {
    let mut bad = serde_json::to_value(sample("edge-1", "https://10.0.0.1:6443")).unwrap();
    bad["name"] = "NOT A LABEL".into();
    let doc = serde_json::json!({"schemaVersion": 1, "sites": [bad]});
    assert_moved_aside(&doc.to_string(), "DNS-1123");
    let doc = serde_json::json!({"schemaVersion": 1, "sites": [{"name": "x"}]});
    assert_moved_aside(&doc.to_string(), "invalid site list");
}

#[test]
fn crash_between_temp_write_and_rename_keeps_the_old_store() {
    let (t, s) = store();
    s.add(sample("edge-1", "https://10.0.0.1:6443")).unwrap();
    let before = fs::read(s.path()).unwrap();
    // A writer that dies after writing its temp file but before the rename.
    let staged = fsutil::stage(s.path(), b"{\"schemaVersion\":1,\"sites\":[]}").unwrap();
    let leftover = staged.abandon();
    assert!(leftover.starts_with(t.path()));
    assert_eq!(fs::read(s.path()).unwrap(), before);
    assert_eq!(s.list().unwrap().len(), 1);
    // The next write still works and the stale temp file does not confuse anything.
    s.add(sample("edge-2", "https://10.0.0.2:6443")).unwrap();
    assert_eq!(s.list().unwrap().len(), 2);
}

#[test]
fn concurrent_writers_do_not_lose_updates() {
    let (_t, s) = store();
    let path = s.path().to_path_buf();
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let path = path.clone();
            std::thread::spawn(move || {
                // A separate handle per writer, like the CLI and the app.
                let s = SiteStore::at(path);
                for i in 0..5 {
                    let name = format!("edge-{t}-{i}");
                    s.add(sample(&name, &format!("https://10.{t}.{i}.1:6443")))
                        .unwrap();
                    s.set_key(&format!("k{t}"), Value::from(i)).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let sites = s.list().unwrap();
    assert_eq!(sites.len(), 40);
    for t in 0..8 {
        assert_eq!(s.get_key(&format!("k{t}")).unwrap(), Some(Value::from(4)));
    }
}

#[test]
fn home_resolves_the_store_file() {
    let tmp = tempfile::tempdir().unwrap();
    let home = Home::at(tmp.path(), "demo").unwrap();
    let s = SiteStore::new(&home);
    s.add(sample("edge-1", "https://10.0.0.1:6443")).unwrap();
    assert!(tmp.path().join("profiles/demo/outpost.json").is_file());
}
