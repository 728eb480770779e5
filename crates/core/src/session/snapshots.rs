//! Snapshot bundles through the [`Session`]: export a site (live, else from the bundle
//! stored for it), the changes since the state a site had before it last came back
//! (else since its stored bundle), dismissing them, and previewing and importing a
//! bundle file. The app and the CLI call these same methods.
//!
//! The bundle stored for a site is [`bundle::imported_path`]: the import keeps the
//! imported file there, and a plain export keeps a copy there too
//! ([`bundle::keep_stored`]; an encrypted export keeps none). The health engine's
//! snapshot cache keeps only pruned health state, not the resources a bundle holds, so a
//! site never exported nor imported cannot be exported while offline. Sources follow
//! the one order of [`super::resolver`].

use super::Session;
use super::offline_error::OfflineError;
use super::resolver::{Kept, Source, Wants, order, unanswered};
use crate::bundle::{self, Bundle, BundleError, CollectOptions, Diff, SecretString, View};
use crate::registry::Site;
use outpost_ipc::snapshot::{ExportedBundle, ImportPreview, ImportResult, SnapshotDiff};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Budget for reading a live site for a diff.
const LIVE_DEADLINE: Duration = Duration::from_secs(30);

impl Session {
    /// The registered site of that name.
    pub(crate) fn site(&self, name: &str) -> Result<Site, OfflineError> {
        self.sites()
            .iter()
            .find(|s| s.name == name)
            .cloned()
            .ok_or_else(|| OfflineError::UnknownSite(name.to_string()))
    }

    /// Writes a bundle of the site to `out`: read live unless the site is down, else
    /// (or when it does not answer) written from the bundle stored for it. A plain
    /// live export is kept as the site's stored bundle.
    pub async fn export(
        &self,
        name: &str,
        out: &Path,
        pass: Option<SecretString>,
        opts: &CollectOptions,
    ) -> Result<ExportedBundle, OfflineError> {
        let site = self.site(name)?;
        let st = self.standing(name);
        let kept = Kept {
            bundle: st.bundle_path.exists(),
            ..Kept::default()
        };
        let encrypted = pass.is_some();
        let mut why = "the site is offline".to_string();
        for source in order(st.down, &kept, Wants::EXPORT) {
            let (b, bytes, from_snapshot) = match source {
                Source::Live => {
                    match bundle::export(&site, &self.clients, opts, out, pass.as_ref()).await {
                        Ok((b, bytes)) => {
                            self.keep_stored(&b, encrypted).await?;
                            (b, bytes, false)
                        }
                        Err(e @ BundleError::Site { .. }) => {
                            if let BundleError::Site { source, .. } = &e
                                && !unanswered(source)
                            {
                                return Err(e.into());
                            }
                            tracing::info!(site = %name, error = %e, "site not read; exporting its stored bundle");
                            self.clients.forget(name);
                            why = e.to_string();
                            continue;
                        }
                        Err(e) => return Err(e.into()),
                    }
                }
                _ => {
                    let (b, n) =
                        from_stored(name, st.bundle_path.clone(), out, pass.clone()).await?;
                    (b, n, true)
                }
            };
            tracing::info!(site = %name, bytes, from_snapshot, "snapshot bundle exported");
            return Ok(ExportedBundle {
                path: out.display().to_string(),
                bytes,
                encrypted,
                from_snapshot,
                summary: bundle::ipc::summary(&b.manifest, encrypted, jiff::Timestamp::now()),
            });
        }
        Err(OfflineError::Offline(format!(
            "{name} cannot be read ({why}) and no bundle is stored for it: a bundle is \
             written from the live site, or from a bundle exported or imported earlier \
             (the snapshot cache keeps only the site's health, not its resources)"
        )))
    }

    /// Keeps a plain export as the site's stored bundle (the diff baseline, the
    /// offline export's source); a failure is logged, the export stands.
    async fn keep_stored(&self, b: &Bundle, encrypted: bool) -> Result<(), OfflineError> {
        let (b2, home) = (b.clone(), self.home.clone());
        let r = super::blocking::unblock(move || bundle::keep_stored(&b2, &home, encrypted)).await;
        if let Err(e) = r {
            tracing::warn!(site = %b.manifest.site, error = %e, "stored bundle not written");
        }
        Ok(())
    }

    /// What changed since the state the site had before it last came back (kept by
    /// the health engine; the diff reads nothing from the site), else between the
    /// bundle stored for it and the site now. `None`: neither is kept.
    pub async fn changes(&self, name: &str) -> Result<Option<SnapshotDiff>, OfflineError> {
        let site = self.site(name)?;
        let st = self.standing(name);
        let kept = Kept {
            baseline: self.snapshots.baseline_path(name).exists(),
            bundle: st.bundle_path.exists(),
            ..Kept::default()
        };
        let sources = order(st.down, &kept, Wants::CHANGES);
        let live = sources.contains(&Source::Live);
        match sources.into_iter().find(|s| *s != Source::Live) {
            Some(Source::Baseline) => {
                let (store, monitor, n) = (
                    self.snapshots.clone(),
                    self.monitor.clone(),
                    name.to_string(),
                );
                let at = st.health.as_ref().and_then(|h| h.last_seen);
                let d = super::blocking::unblock(move || {
                    let now = monitor.with_state(&n, Clone::clone).unwrap_or_default();
                    store.since_baseline(&n, &now, at)
                })
                .await?;
                match d {
                    Some(d) if !live => Err(OfflineError::Offline(format!(
                        "{name} is offline again: the changes since the snapshot as of {} show \
                         once it answers",
                        d.from_time.map_or_else(|| "?".into(), |t| t.to_string())
                    ))),
                    Some(d) => Ok(Some(bundle::ipc::diff(&d))),
                    None => Ok(None),
                }
            }
            Some(_) if !live => Err(offline_changes(name)),
            Some(_) => {
                let (kept, n) = (st.bundle_path.clone(), name.to_string());
                let base = super::blocking::unblock(move || bundle::read_file(&kept, None))
                    .await
                    .map_err(|e| match e {
                        BundleError::PassphraseRequired => OfflineError::Encrypted(format!(
                            "the bundle stored for {n} is encrypted: compare it with `outpost snapshot diff`"
                        )),
                        e => e.into(),
                    })?;
                let now = match bundle::live_view(&site, &self.clients, LIVE_DEADLINE).await {
                    Ok(v) => v,
                    Err(BundleError::Site { source, .. }) if unanswered(&source) => {
                        self.clients.forget(name);
                        return Err(offline_changes(name));
                    }
                    Err(e) => return Err(e.into()),
                };
                let from = View::of_bundle(format!("snapshot {}", base.manifest.taken_at), &base);
                Ok(Some(bundle::ipc::diff(&Diff::between(&from, &now))))
            }
            None => Ok(None),
        }
    }

    /// Forgets the state the site had before it last came back; true when there was one.
    pub async fn dismiss(&self, name: &str) -> Result<bool, OfflineError> {
        self.site(name)?;
        let (store, n) = (self.snapshots.clone(), name.to_string());
        let r = super::blocking::unblock(move || store.dismiss_baseline(&n)).await?;
        tracing::info!(site = %name, dismissed = r, "reconnect changes dismissed");
        Ok(r)
    }

    /// What importing a bundle file would do (the confirmation); reads only.
    pub async fn preview_bundle(
        &self,
        path: PathBuf,
        pass: Option<SecretString>,
    ) -> Result<ImportPreview, OfflineError> {
        let home = self.home.clone();
        let p =
            super::blocking::unblock(move || bundle::preview(&path, pass.as_ref(), &home)).await?;
        Ok(bundle::ipc::preview(&p, jiff::Timestamp::now()))
    }

    /// Imports a bundle file into the profile (all or nothing); `as_new` names a new
    /// site for it. The caller reopens the profile so the site shows from it.
    pub async fn import_bundle(
        &self,
        path: PathBuf,
        pass: Option<SecretString>,
        force: bool,
        as_new: Option<String>,
    ) -> Result<ImportResult, OfflineError> {
        let home = self.home.clone();
        let (report, encrypted) = super::blocking::unblock(move || {
            let encrypted = bundle::is_encrypted(&path)?;
            let report = match as_new.as_deref().map(str::trim) {
                Some(name) => bundle::import_as_new(&path, pass.as_ref(), &home, force, name)?,
                None => bundle::import(&path, pass.as_ref(), &home, force)?,
            };
            Ok::<_, BundleError>((report, encrypted))
        })
        .await
        .inspect_err(|e| tracing::info!(kind = ?e.kind(), error = %e, "snapshot bundle refused"))?;
        Ok(ImportResult {
            summary: bundle::ipc::summary(&report.manifest, encrypted, jiff::Timestamp::now()),
            registered: report.registered,
        })
    }
}

fn offline_changes(name: &str) -> OfflineError {
    OfflineError::Offline(format!(
        "{name} is offline: the changes show once it answers again"
    ))
}

/// Writes the stored bundle of a site (plain) to `out`, encrypted if asked.
async fn from_stored(
    site: &str,
    kept: PathBuf,
    out: &Path,
    pass: Option<SecretString>,
) -> Result<(Bundle, u64), OfflineError> {
    let out = out.to_path_buf();
    let r = super::blocking::unblock(move || {
        let b = bundle::read_file(&kept, None)?;
        let n = bundle::write_file(&b, &out, pass.as_ref())?;
        Ok::<_, BundleError>((b, n))
    })
    .await;
    r.map_err(|e| match e {
        BundleError::PassphraseRequired => OfflineError::Encrypted(format!(
            "{site} is offline and the bundle stored for it is encrypted"
        )),
        e => e.into(),
    })
}
