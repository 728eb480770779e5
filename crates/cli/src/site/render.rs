//! Human output for `outpost site`: aligned tables and the import plan.

use outpost_core::discovery::local::LocalContext;
use outpost_core::discovery::scan::Found;
use outpost_core::import::{ImportPlan, SanCheck};
use outpost_core::registry::Site;
use std::fmt::Write as _;

/// Left-aligned columns separated by two spaces.
fn table(header: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let mut out = String::new();
    let line = |cells: Vec<String>, out: &mut String| {
        let mut l = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                l.push_str(c);
            } else {
                let _ = write!(l, "{c:<w$}  ", w = widths[i]);
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(header.iter().map(|h| h.to_string()).collect(), &mut out);
    for r in rows {
        line(r, &mut out);
    }
    out
}

fn or_dash(s: Option<&str>) -> String {
    s.filter(|s| !s.is_empty()).unwrap_or("-").to_string()
}

pub fn site_table(sites: &[Site]) -> String {
    if sites.is_empty() {
        return "no sites registered (outpost site import KUBECONFIG)\n".into();
    }
    let rows = sites
        .iter()
        .map(|s| {
            vec![
                s.name.clone(),
                s.display_name.clone(),
                or_dash(s.distro.map(|d| d.as_str())),
                or_dash(s.version.as_deref()),
                s.endpoint.clone(),
                s.credentials.kind.as_str().to_string(),
                if s.tags.is_empty() {
                    "-".into()
                } else {
                    s.tags.join(",")
                },
            ]
        })
        .collect();
    table(
        &[
            "NAME",
            "DISPLAY NAME",
            "DISTRO",
            "VERSION",
            "ENDPOINT",
            "AUTH",
            "TAGS",
        ],
        rows,
    )
}

pub fn site_detail(s: &Site) -> String {
    let mut o = String::new();
    let loc = match (s.location.latitude, s.location.longitude) {
        (Some(a), Some(b)) => format!("{a}, {b}"),
        _ => "-".into(),
    };
    let c = &s.credentials;
    let auth = match (&c.exec, c.exec_approved) {
        (Some(e), true) => format!("{} (runs `{}`, approved)", c.kind.as_str(), e.command),
        (Some(e), false) => format!(
            "{} (runs `{}`, NOT approved: outpost site edit {} --allow-exec)",
            c.kind.as_str(),
            e.command,
            s.name
        ),
        (None, _) => c.kind.as_str().to_string(),
    };
    let fields = [
        ("name", s.name.clone()),
        ("display name", s.display_name.clone()),
        ("endpoint", s.endpoint.clone()),
        ("distro", or_dash(s.distro.map(|d| d.as_str()))),
        ("version", or_dash(s.version.as_deref())),
        ("location", loc),
        ("address", or_dash(s.location.address.as_deref())),
        (
            "tags",
            if s.tags.is_empty() {
                "-".into()
            } else {
                s.tags.join(", ")
            },
        ),
        ("contact", or_dash(s.contact.as_deref())),
        ("notes", or_dash(s.notes.as_deref())),
        (
            "window",
            s.maintenance_window
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_else(|| "-".into()),
        ),
        ("auth", auth),
        (
            "keyring",
            if c.entries.is_empty() {
                "-".into()
            } else {
                c.entries.join(", ")
            },
        ),
        (
            "tls",
            if s.insecure_skip_tls_verify {
                "VERIFICATION OFF (insecure-skip-tls-verify)".into()
            } else if s.ca_pem.is_some() {
                "verified against the site CA".into()
            } else {
                "verified against system roots".into()
            },
        ),
    ];
    for (k, v) in fields {
        let _ = writeln!(o, "{k:<13} {v}");
    }
    o
}

pub fn plan(p: &ImportPlan) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "import plan for {} ({} site(s))",
        p.source,
        p.sites.len()
    );
    for s in &p.sites {
        let _ = writeln!(o, "context {:?} -> site {:?}", s.context, s.site.name);
        if s.server_before != s.server_after {
            let _ = writeln!(o, "  server    {} -> {}", s.server_before, s.server_after);
        } else {
            let _ = writeln!(o, "  server    {}", s.server_after);
        }
        if !s.renames.is_empty() {
            let r: Vec<String> = s
                .renames
                .iter()
                .map(|r| format!("{} {} -> {}", r.entry, r.from, r.to))
                .collect();
            let _ = writeln!(o, "  renamed   {}", r.join(", "));
        }
        let tls = match &s.san_check {
            SanCheck::Covered { name, sans } => {
                format!("serving certificate covers {name} ({})", sans.join(", "))
            }
            SanCheck::NotRun { .. } => "serving certificate NOT checked (unreachable)".into(),
            SanCheck::Skipped { reason } => format!("not checked: {reason}"),
        };
        let _ = writeln!(o, "  tls       {tls}");
        let mut auth = s.credential_kind.as_str().to_string();
        if let Some(e) = s.client_cert_expires {
            let _ = write!(auth, ", client certificate expires {e}");
        }
        if s.exec_needs_approval {
            auth.push_str(", exec needs approval");
        }
        let _ = writeln!(o, "  auth      {auth}");
        if let Some(e) = &s.exec {
            let state = if s.exec_needs_approval {
                "NOT approved"
            } else {
                "approved"
            };
            let _ = writeln!(o, "  exec      {} ({state})", e.command_line());
        }
        for f in &s.file_refs {
            let how = if f.approved {
                " (outside its folder, approved)"
            } else {
                ""
            };
            let _ = writeln!(o, "  reads     {} {}{how}", f.field, f.path.display());
        }
        let items: Vec<&str> = s.items().iter().map(|i| i.as_str()).collect();
        let _ = writeln!(o, "  keyring   {}", items.join(", "));
        for w in &s.warnings {
            let _ = writeln!(o, "  WARNING   {w}");
        }
    }
    o
}

pub fn local_table(found: &[LocalContext]) -> String {
    if found.is_empty() {
        return "no local kubeconfig contexts found\n".into();
    }
    let rows = found
        .iter()
        .map(|c| {
            vec![
                c.context.clone(),
                c.server.clone(),
                if c.current { "*".into() } else { String::new() },
                c.source.display().to_string(),
            ]
        })
        .collect();
    table(&["CONTEXT", "SERVER", "CURRENT", "SOURCE"], rows)
}

pub fn scan_table(found: &[Found]) -> String {
    if found.is_empty() {
        return "no API servers answered\n".into();
    }
    let rows = found
        .iter()
        .map(|f| {
            vec![
                f.address.to_string(),
                f.port.to_string(),
                f.distro.as_str().to_string(),
                f.version.clone(),
            ]
        })
        .collect();
    table(&["ADDRESS", "PORT", "DISTRO", "VERSION"], rows)
}
