//! `outpost logs SITE NAMESPACE/POD`: the lines of a pod's containers, read from the
//! site, or, when it does not answer, the last lines kept in the bundle stored for it
//! (`Session::open_logs`, as the app's log viewer).

use anyhow::bail;
use outpost_core::logs::{BufferOptions, Cursor, OpenSpec, Target};
use std::path::PathBuf;
use std::process::ExitCode;
use tokio::runtime::Runtime;

#[derive(clap::Args, Debug)]
pub struct LogsArgs {
    site: String,
    /// The pod, as NAMESPACE/POD.
    #[arg(value_name = "NAMESPACE/POD")]
    pod: String,
    /// Only this container (default: every container of the pod).
    #[arg(long, short)]
    container: Option<String>,
    /// Start with the last N lines of each container.
    #[arg(long, value_name = "N")]
    tail: Option<u64>,
    /// Data directory (default: $OUTPOST_HOME, then the OS data directory).
    #[arg(long, value_name = "PATH")]
    home: Option<PathBuf>,
    /// Profile inside the data directory.
    #[arg(long, default_value = "default")]
    profile: String,
}

pub fn run(args: LogsArgs, rt: &Runtime) -> anyhow::Result<ExitCode> {
    let Some((namespace, name)) = args.pod.split_once('/') else {
        bail!("name the pod as NAMESPACE/POD");
    };
    let spec = OpenSpec {
        target: Target::Pod {
            namespace: namespace.to_string(),
            name: name.to_string(),
        },
        container: args.container.clone(),
        follow: false,
        previous: false,
        tail_lines: args.tail,
    };
    let home = crate::open_home(args.home.as_deref(), &args.profile)?;
    let names = [args.site.clone()];
    let session = crate::session::open(rt, home, &names, crate::session::CHECK, false)?;
    let o = rt.block_on(session.open_logs(&names, spec, BufferOptions::default()))?;
    if let Some(at) = o.snapshot_at {
        errln!(
            "{} does not answer: the lines kept in its snapshot as of {}",
            args.site,
            at.strftime("%Y-%m-%d %H:%M:%S UTC")
        );
    }
    let stream = o.stream;
    rt.block_on(async {
        let mut rx = stream.subscribe();
        let mut cursor = Cursor::default();
        loop {
            rx.mark_unchanged();
            let d = stream.read(&mut cursor, 10_000, 8 << 20, u64::MAX);
            for n in &d.notices {
                errln!("{}: {}", n.site, n.message);
            }
            for l in &d.lines {
                outln!("{}", l.text);
            }
            if d.ended.is_some() || (!d.more && rx.changed().await.is_err()) {
                break;
            }
        }
    });
    stream.close();
    Ok(ExitCode::SUCCESS)
}
