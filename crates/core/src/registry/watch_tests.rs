//! Tests for the registry watch: a second writer (as the CLI is) is noticed within a
//! second; settings writes and unreadable files publish nothing and move nothing.

use super::*;
use crate::registry::site::tests::sample;
use std::time::Instant;

const WITHIN: Duration = Duration::from_secs(1);

fn names(sites: &[Site]) -> Vec<&str> {
    sites.iter().map(|s| s.name.as_str()).collect()
}

async fn next(w: &mut RegistryWatch, within: Duration) -> Option<Arc<Vec<Site>>> {
    tokio::time::timeout(within, w.changed())
        .await
        .ok()
        .flatten()
}

#[tokio::test]
async fn a_second_writer_is_noticed_within_a_second() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("profile").join("outpost.json");
    let app = SiteStore::at(&path);
    app.add(sample("edge-1", "https://10.0.0.1:6443")).unwrap();
    let mut w = RegistryWatch::start(app.clone(), app.list().unwrap(), DEBOUNCE).unwrap();

    // Another handle on the same file, as the CLI in another process has.
    let cli = SiteStore::at(&path);
    let t0 = Instant::now();
    cli.add(sample("edge-2", "https://10.0.0.2:6443")).unwrap();
    let seen = next(&mut w, WITHIN)
        .await
        .expect("the added site is reported");
    let took = t0.elapsed();
    eprintln!("added site reported after {took:?}");
    assert_eq!(names(&seen), ["edge-1", "edge-2"]);
    assert!(took < WITHIN, "{took:?}");

    let t0 = Instant::now();
    cli.remove("edge-1").unwrap();
    let seen = next(&mut w, WITHIN).await.expect("the removal is reported");
    eprintln!("removed site reported after {:?}", t0.elapsed());
    assert_eq!(names(&seen), ["edge-2"]);
    assert_eq!(names(&w.sites()), ["edge-2"]);
}

#[tokio::test]
async fn settings_writes_and_unreadable_files_publish_nothing_and_move_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("outpost.json");
    let store = SiteStore::at(&path);
    store
        .add(sample("edge-1", "https://10.0.0.1:6443"))
        .unwrap();
    let mut w = RegistryWatch::start(store.clone(), store.list().unwrap(), DEBOUNCE).unwrap();

    store
        .set_key("settings", serde_json::json!({"theme": "dark"}))
        .unwrap();
    assert!(
        next(&mut w, Duration::from_millis(600)).await.is_none(),
        "a settings change is not a site change"
    );

    // A file caught half-written (an editor saving in place) is left alone.
    let good = fs_read(&path);
    std::fs::write(&path, &good[..good.len() / 2]).unwrap();
    assert!(next(&mut w, Duration::from_millis(600)).await.is_none());
    assert!(path.exists(), "the watch moved the file aside");
    let aside = std::fs::read_dir(tmp.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains("corrupt")
        })
        .count();
    assert_eq!(aside, 0);

    // Once whole again, the next change is read.
    std::fs::write(&path, &good).unwrap();
    store
        .add(sample("edge-3", "https://10.0.0.3:6443"))
        .unwrap();
    let seen = next(&mut w, WITHIN).await.expect("reported");
    assert_eq!(names(&seen), ["edge-1", "edge-3"]);
}

fn fs_read(p: &std::path::Path) -> Vec<u8> {
    std::fs::read(p).unwrap()
}
