//! What a bundle holds (manifest, health, pruned state, resources, log tails) and how it
//! maps onto records: writing, reading into memory (diff, serve) and a streaming scan
//! that validates everything while keeping only the small parts (import).

use super::bounded::{self, Budget};
use super::crypt::KdfParams;
use super::error::BundleError;
use super::format::{RecordReader, RecordWriter, Tag, VERSION};
use crate::model::{SiteHealth, SiteState, View};
use crate::registry::Distro;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{Read, Write};

/// Entry names.
pub const MANIFEST: &str = "manifest.json";
pub const HEALTH: &str = "health.json";
pub const STATE: &str = "state.json";
/// Largest health summary and pruned state records: far above what a site has (the
/// state holds at most [`crate::client::MAX_OBJECTS`] objects of a kind), far below
/// what a JSON record may hold.
pub const MAX_HEALTH: u64 = 1 << 20;
pub const MAX_STATE: u64 = 8 << 20;

/// Counts of what export left out or blanked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Redactions {
    /// Secrets whose values were dropped (names and key names kept).
    pub secrets: u64,
    /// Environment values replaced by [`super::redact::REDACTED`].
    pub env_values: u64,
    /// ConfigMap values under sensitive-looking keys, and config files in ConfigMaps
    /// with secrets replaced inside.
    pub config_values: u64,
    /// Container and probe `command`/`args` words with a secret replaced.
    #[serde(default)]
    pub command_values: u64,
    /// `kubectl.kubernetes.io/last-applied-configuration` annotations dropped.
    pub last_applied: u64,
}

/// The bundle's first record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    pub format: u32,
    pub site: String,
    pub display_name: String,
    #[serde(default)]
    pub tags: Vec<String>,
    pub endpoint: String,
    pub taken_at: jiff::Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distro: Option<Distro>,
    /// The API server's gitVersion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    pub outpost_version: String,
    /// Lines kept per container log.
    pub log_lines: u32,
    /// Objects per resource (`pods`, `deployments`, …).
    pub counts: BTreeMap<String, u64>,
    /// Container logs kept, and those that could not be read.
    pub logs: u64,
    #[serde(default)]
    pub logs_failed: u64,
    pub redactions: Redactions,
}

/// The last lines of one container's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogTail {
    pub namespace: String,
    pub pod: String,
    pub container: String,
    /// Raw bytes as the API returned them (may not be UTF-8).
    pub text: Vec<u8>,
}

impl LogTail {
    pub fn entry_name(&self) -> String {
        format!(
            "logs/{}/{}/{}.log",
            self.namespace, self.pod, self.container
        )
    }
}

/// A whole bundle in memory.
#[derive(Debug, Clone, PartialEq)]
pub struct Bundle {
    pub manifest: Manifest,
    pub health: SiteHealth,
    pub state: SiteState,
    /// Pruned objects by plural (`pods`, `deployments`, …), as the API serves them.
    pub resources: BTreeMap<String, Vec<Value>>,
    pub logs: Vec<LogTail>,
}

fn json<T: Serialize>(v: &T) -> Result<Vec<u8>, BundleError> {
    serde_json::to_vec(v).map_err(|e| BundleError::Invalid(format!("encoding: {e}")))
}

/// Writes a bundle; returns the output.
pub fn write<W: Write>(b: &Bundle, out: W, pass: Option<&SecretString>) -> Result<W, BundleError> {
    write_with(b, out, pass, KdfParams::DEFAULT)
}

/// Like [`write`] with explicit key derivation costs (tests and fuzzing use cheap ones).
pub fn write_with<W: Write>(
    b: &Bundle,
    out: W,
    pass: Option<&SecretString>,
    kdf: KdfParams,
) -> Result<W, BundleError> {
    let mut w = RecordWriter::with_kdf(out, pass, kdf)?;
    w.record(Tag::Manifest, MANIFEST, &json(&b.manifest)?)?;
    w.record(Tag::Json, HEALTH, &json(&b.health)?)?;
    w.record(Tag::Json, STATE, &json(&b.state)?)?;
    for (plural, items) in &b.resources {
        w.record(
            Tag::Json,
            &format!("resources/{plural}.json"),
            &json(items)?,
        )?;
    }
    for l in &b.logs {
        w.record(Tag::Log, &l.entry_name(), &l.text)?;
    }
    w.finish()
}

/// What a record is, from its tag and name.
enum Entry {
    Health,
    State,
    Resources(String),
    Log(LogTail),
}

fn classify(tag: Tag, name: &str) -> Result<Entry, BundleError> {
    let parts: Vec<&str> = name.split('/').collect();
    let unexpected = || BundleError::Invalid(format!("unexpected entry {name:?}"));
    match (tag, parts.as_slice()) {
        (Tag::Json, [HEALTH]) => Ok(Entry::Health),
        (Tag::Json, [STATE]) => Ok(Entry::State),
        (Tag::Json, ["resources", file]) => {
            let plural = file.strip_suffix(".json").ok_or_else(unexpected)?;
            let ok = !plural.is_empty()
                && plural
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.');
            if ok {
                Ok(Entry::Resources(plural.to_string()))
            } else {
                Err(unexpected())
            }
        }
        (Tag::Log, ["logs", ns, pod, file]) => {
            let container = file.strip_suffix(".log").ok_or_else(unexpected)?;
            Ok(Entry::Log(LogTail {
                namespace: ns.to_string(),
                pod: pod.to_string(),
                container: container.to_string(),
                text: Vec::new(),
            }))
        }
        _ => Err(unexpected()),
    }
}

fn parse<T: for<'de> Deserialize<'de>>(name: &str, data: &[u8]) -> Result<T, BundleError> {
    serde_json::from_slice(data).map_err(|e| {
        if e.to_string().starts_with(crate::model::state::TOO_MANY) {
            BundleError::TooLarge {
                what: format!("{name}: {e}"),
                limit: crate::client::MAX_OBJECTS as u64,
            }
        } else {
            BundleError::Corrupt(format!("{name}: {e}"))
        }
    })
}

/// The health summary or the state, read only when within its bound.
fn small<T: for<'de> Deserialize<'de>>(
    rec: &super::format::Record,
    r: &mut RecordReader,
    limit: u64,
) -> Result<T, BundleError> {
    if rec.len > limit {
        return Err(BundleError::TooLarge {
            what: rec.name.clone(),
            limit,
        });
    }
    parse(&rec.name, &r.data_vec()?)
}

fn check_manifest(m: &Manifest) -> Result<(), BundleError> {
    if m.format != VERSION {
        return Err(BundleError::UnsupportedVersion {
            found: m.format,
            supported: VERSION,
        });
    }
    if !crate::registry::is_dns_label(&m.site) {
        return Err(BundleError::HostileName(m.site.chars().take(80).collect()));
    }
    Ok(())
}

/// Visits every record after the manifest, enforcing the bundle's structure.
fn walk(
    input: impl Read + Send + 'static,
    pass: Option<&SecretString>,
    mut on: impl FnMut(Entry, &mut RecordReader) -> Result<(), BundleError>,
) -> Result<(Manifest, SiteHealth, SiteState), BundleError> {
    let mut r = RecordReader::open(input, pass)?;
    let first = r
        .next_record()?
        .ok_or_else(|| BundleError::Invalid("no manifest".into()))?;
    let manifest: Manifest = parse(&first.name, &r.data_vec()?)?;
    check_manifest(&manifest)?;
    let mut health = None;
    let mut state = None;
    let mut seen = std::collections::HashSet::new();
    while let Some(rec) = r.next_record()? {
        if !seen.insert(rec.name.clone()) {
            return Err(BundleError::Invalid(format!(
                "duplicate entry {:?}",
                rec.name
            )));
        }
        match classify(rec.tag, &rec.name)? {
            Entry::Health => health = Some(small::<SiteHealth>(&rec, &mut r, MAX_HEALTH)?),
            Entry::State => state = Some(small::<SiteState>(&rec, &mut r, MAX_STATE)?),
            e => on(e, &mut r)?,
        }
    }
    let health = health.ok_or_else(|| BundleError::Invalid("no health summary".into()))?;
    let state = state.ok_or_else(|| BundleError::Invalid("no site state".into()))?;
    if health.name != manifest.site {
        return Err(BundleError::Invalid(format!(
            "health summary of {:?} in a bundle of {:?}",
            health.name, manifest.site
        )));
    }
    Ok((manifest, health, state))
}

/// Reads a whole bundle into memory, bounded: the format's limits, at most
/// [`crate::client::MAX_OBJECTS`] objects per list and [`bounded::MAX_PARSED`] bytes
/// of parsed resources and log tails in all (see [`bounded`]).
pub fn read(
    input: impl Read + Send + 'static,
    pass: Option<&SecretString>,
) -> Result<Bundle, BundleError> {
    let mut resources = BTreeMap::new();
    let mut logs = Vec::new();
    let budget = Budget::default();
    let (manifest, health, state) = walk(input, pass, |e, r| {
        match e {
            Entry::Resources(plural) => {
                let (items, _) = bounded::list(r.data(), &plural, &budget, true)?;
                resources.insert(plural, items);
            }
            Entry::Log(mut l) => {
                if !budget.charge(r.left()) {
                    return Err(budget.exceeded("log tails and resources"));
                }
                l.text = r.data_vec()?;
                logs.push(l);
            }
            Entry::Health | Entry::State => {}
        }
        Ok(())
    })?;
    let counts: BTreeMap<String, u64> = resources
        .iter()
        .map(|(k, v)| (k.clone(), v.len() as u64))
        .collect();
    if counts != manifest.counts || logs.len() as u64 != manifest.logs {
        return Err(BundleError::Invalid(
            "the manifest's counts do not match the bundle's content".into(),
        ));
    }
    Ok(Bundle {
        manifest,
        health,
        state,
        resources,
        logs,
    })
}

/// The small parts of a bundle, after a full validating pass over it.
#[derive(Debug, Clone, PartialEq)]
pub struct Scanned {
    pub manifest: Manifest,
    pub health: SiteHealth,
    pub state: SiteState,
    /// Objects per resource as found (may differ from the manifest's claim only if the
    /// bundle is inconsistent, which is an error).
    pub counts: BTreeMap<String, u64>,
    pub logs: u64,
}

/// Validates a whole bundle as a stream, keeping only manifest, health and state:
/// memory stays bounded whatever the bundle's size.
pub fn scan(
    input: impl Read + Send + 'static,
    pass: Option<&SecretString>,
) -> Result<Scanned, BundleError> {
    let mut counts = BTreeMap::new();
    let mut logs = 0u64;
    // Charged as `read` would, keeping nothing: what is imported can be read later.
    let budget = Budget::default();
    let (manifest, health, state) = walk(input, pass, |e, r| {
        match e {
            Entry::Resources(plural) => {
                let (_, n) = bounded::list(r.data(), &plural, &budget, false)?;
                counts.insert(plural, n);
            }
            Entry::Log(_) => {
                if !budget.charge(r.left()) {
                    return Err(budget.exceeded("log tails and resources"));
                }
                std::io::copy(&mut r.data(), &mut std::io::sink()).map_err(BundleError::decode)?;
                logs += 1;
            }
            Entry::Health | Entry::State => {}
        }
        Ok(())
    })?;
    if counts != manifest.counts || logs != manifest.logs {
        return Err(BundleError::Invalid(
            "the manifest's counts do not match the bundle's content".into(),
        ));
    }
    Ok(Scanned {
        manifest,
        health,
        state,
        counts,
        logs,
    })
}

impl View {
    /// The view of a bundle.
    pub fn of_bundle(label: String, b: &Bundle) -> View {
        View::of(
            label,
            b.manifest.version.clone(),
            Some(b.manifest.taken_at),
            &b.resources,
        )
    }
}
