//! Simulator scale (issue 4): the real `outpost sim --sites N` as a child process; the
//! time until it says every site serves, the time until every site has answered an
//! authenticated `/version` through the kubeconfig it wrote, and its RSS.

use crate::ScaleArgs;
use crate::proc::{mib, outpost_binary, row, status_kib};
use anyhow::{Context as _, bail};
use futures::StreamExt;
use kube::config::{KubeConfigOptions, Kubeconfig};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, BufReader};

/// A kubeconfig with only `ctx` (so 500 clients do not each clone 500 contexts).
fn only(kc: &Kubeconfig, ctx: &str) -> anyhow::Result<Kubeconfig> {
    let c = kc
        .contexts
        .iter()
        .find(|c| c.name == ctx)
        .context("context")?;
    let inner = c.context.as_ref().context("empty context")?;
    let cluster = kc
        .clusters
        .iter()
        .find(|x| x.name == inner.cluster)
        .context("cluster")?;
    let user = kc
        .auth_infos
        .iter()
        .find(|x| Some(&x.name) == inner.user.as_ref())
        .context("user")?;
    Ok(Kubeconfig {
        contexts: vec![c.clone()],
        clusters: vec![cluster.clone()],
        auth_infos: vec![user.clone()],
        current_context: Some(ctx.to_string()),
        ..Kubeconfig::default()
    })
}

async fn version(kc: Kubeconfig, ctx: String) -> anyhow::Result<()> {
    let opts = KubeConfigOptions {
        context: Some(ctx.clone()),
        ..KubeConfigOptions::default()
    };
    let cfg = kube::Config::from_custom_kubeconfig(kc, &opts)
        .await
        .with_context(|| format!("{ctx}: config"))?;
    let client = kube::Client::try_from(cfg).with_context(|| format!("{ctx}: client"))?;
    client
        .apiserver_version()
        .await
        .with_context(|| format!("{ctx}: /version"))?;
    Ok(())
}

pub async fn run(a: ScaleArgs) -> anyhow::Result<()> {
    let outpost = outpost_binary(a.outpost.as_deref())?;
    println!("{}", crate::proc::machine());
    let dir = tempfile::Builder::new()
        .prefix("outpost-scale.")
        .tempdir()?;
    let kcp = dir.path().join("kubeconfig.yaml");
    let t0 = Instant::now();
    let mut child = tokio::process::Command::new(&outpost)
        .args(["sim", "--sites", &a.sites.to_string(), "--seed", "7"])
        .arg("--kubeconfig")
        .arg(&kcp)
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .context("starting outpost sim")?;
    let pid = child.id().context("pid")?;
    let mut lines = BufReader::new(child.stdout.take().context("stdout")?).lines();
    let line = tokio::time::timeout(Duration::from_secs(120), lines.next_line())
        .await
        .context("outpost sim printed nothing in 120 s")??
        .context("outpost sim exited")?;
    let ready = t0.elapsed().as_secs_f64();
    let rss_ready = status_kib(pid, "VmRSS").unwrap_or(0);
    eprintln!("{line} ({ready:.2}s)");
    let kc = Kubeconfig::read_from(&kcp).context("reading the sim's kubeconfig")?;
    let jobs: Vec<_> = kc
        .contexts
        .iter()
        .map(|c| only(&kc, &c.name).map(|k| (k, c.name.clone())))
        .collect::<anyhow::Result<_>>()?;
    let n = jobs.len();
    let results: Vec<anyhow::Result<()>> = futures::stream::iter(jobs)
        .map(|(k, c)| version(k, c))
        .buffer_unordered(64)
        .collect()
        .await;
    let all = t0.elapsed().as_secs_f64();
    let failed: Vec<String> = results
        .iter()
        .filter_map(|r| r.as_ref().err().map(|e| format!("{e:#}")))
        .collect();
    if n != a.sites || !failed.is_empty() {
        bail!(
            "{} of {} sites did not answer: {:?}",
            failed.len(),
            a.sites,
            failed.iter().take(3).collect::<Vec<_>>()
        );
    }
    let rss_served = status_kib(pid, "VmRSS").unwrap_or(0);
    let mut rss_max = rss_served.max(rss_ready);
    for _ in 0..a.run_secs {
        tokio::time::sleep(Duration::from_secs(1)).await;
        rss_max = rss_max.max(status_kib(pid, "VmRSS").unwrap_or(0));
    }
    let hwm = status_kib(pid, "VmHWM").unwrap_or(0);
    child.kill().await?;
    println!();
    println!("## Simulator scale: `outpost sim --sites {}`", a.sites);
    println!();
    let met = |ok: bool| if ok { "met" } else { "NOT met" }.to_string();
    for r in [
        row(&[
            "metric".into(),
            "measured".into(),
            "target".into(),
            "result".into(),
        ]),
        row(&["---".into(), "---".into(), "---".into(), "---".into()]),
        row(&[
            "start → \"N sites serving\" line".into(),
            format!("{ready:.2} s"),
            "-".into(),
            "-".into(),
        ]),
        row(&[
            format!("start → all {n} sites answered `/version` (kube-rs, kubeconfig creds)"),
            format!("{all:.2} s"),
            "< 5 s".into(),
            met(all < 5.0),
        ]),
        row(&[
            "sim RSS when serving".into(),
            format!(
                "{:.0} MiB at ready, {:.0} MiB after all answered",
                mib(rss_ready),
                mib(rss_served)
            ),
            "< 1 GB".into(),
            met((rss_served.max(rss_ready) as f64) * 1024.0 < 1e9),
        ]),
        row(&[
            format!("sim RSS running {} s more (world ticks)", a.run_secs),
            format!("{:.0} MiB max (VmHWM {:.0} MiB)", mib(rss_max), mib(hwm)),
            "< 1 GB".into(),
            met((hwm.max(rss_max) as f64) * 1024.0 < 1e9),
        ]),
    ] {
        println!("{r}");
    }
    Ok(())
}
