//! Conversions to the IPC types the desktop shows (`outpost_ipc::snapshot`).

use super::content::Manifest;
use crate::model::{ChangeKind, Diff};
use outpost_ipc::snapshot as ipc;

/// The summary of a bundle's manifest, with its age as of `now`.
pub fn summary(m: &Manifest, encrypted: bool, now: jiff::Timestamp) -> ipc::BundleSummary {
    let r = &m.redactions;
    ipc::BundleSummary {
        site: m.site.clone(),
        display_name: m.display_name.clone(),
        taken_at_ms: m.taken_at.as_millisecond(),
        age_secs: Some(now.as_second() - m.taken_at.as_second()),
        distro: m.distro.map(outpost_ipc::Distro::from),
        version: m.version.clone(),
        outpost_version: m.outpost_version.clone(),
        format: m.format,
        encrypted,
        counts: m.counts.clone(),
        log_tails: m.logs,
        redacted_secrets: r.secrets,
        redacted_values: r.env_values + r.config_values + r.command_values,
    }
}

/// The import confirmation of a bundle.
pub fn preview(p: &super::Preview, now: jiff::Timestamp) -> ipc::ImportPreview {
    ipc::ImportPreview {
        summary: summary(&p.manifest, p.encrypted, now),
        endpoint: p.manifest.endpoint.clone(),
        registered_endpoint: p.registered_endpoint.clone(),
        endpoint_differs: p.endpoint_differs(),
    }
}

fn kind(k: ChangeKind) -> ipc::DiffKind {
    use ChangeKind as C;
    use ipc::DiffKind as D;
    match k {
        C::Version => D::Version,
        C::NodeAdded => D::NodeAdded,
        C::NodeRemoved => D::NodeRemoved,
        C::NodeReady => D::NodeReady,
        C::NodeVersion => D::NodeVersion,
        C::WorkloadAdded => D::WorkloadAdded,
        C::WorkloadRemoved => D::WorkloadRemoved,
        C::Image => D::Image,
        C::Replicas => D::Replicas,
        C::CrashLoopStarted => D::CrashLoopStarted,
        C::CrashLoopEnded => D::CrashLoopEnded,
    }
}

/// A diff as the desktop shows it.
pub fn diff(d: &Diff) -> ipc::SnapshotDiff {
    ipc::SnapshotDiff {
        from: d.from.clone(),
        to: d.to.clone(),
        from_ms: d.from_time.map(|t| t.as_millisecond()),
        to_ms: d.to_time.map(|t| t.as_millisecond()),
        entries: d
            .changes
            .iter()
            .map(|c| ipc::DiffEntry {
                kind: kind(c.kind),
                subject: c.subject.clone(),
                from: c.from.clone(),
                to: c.to.clone(),
            })
            .collect(),
        reconnect: d.from.starts_with(crate::snapshot::BASELINE_LABEL),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Change;

    #[test]
    fn same_json_as_core() {
        let kinds = [
            ChangeKind::Version,
            ChangeKind::NodeAdded,
            ChangeKind::NodeRemoved,
            ChangeKind::NodeReady,
            ChangeKind::NodeVersion,
            ChangeKind::WorkloadAdded,
            ChangeKind::WorkloadRemoved,
            ChangeKind::Image,
            ChangeKind::Replicas,
            ChangeKind::CrashLoopStarted,
            ChangeKind::CrashLoopEnded,
        ];
        let d = Diff {
            from: "a".into(),
            to: "b".into(),
            from_time: Some(jiff::Timestamp::UNIX_EPOCH),
            to_time: None,
            changes: kinds
                .iter()
                .map(|k| Change {
                    kind: *k,
                    subject: "Deployment/shop/web".into(),
                    from: Some("1".into()),
                    to: None,
                })
                .collect(),
        };
        let core = serde_json::to_value(&d.changes).unwrap_or_default();
        let ipc = serde_json::to_value(diff(&d).entries).unwrap_or_default();
        assert_eq!(core, ipc);
        let m = crate::bundle::tests::sample().manifest;
        let s = summary(&m, true, m.taken_at + jiff::SignedDuration::from_secs(60));
        assert_eq!(s.age_secs, Some(60));
        assert!(s.encrypted);
        assert_eq!(s.counts, m.counts);
    }
}
