//! One full read of a site: `/version` and the lists health needs (the TLS probe only
//! to say why a site cannot be read).

use super::prune;
use crate::client::{
    ClientCache, ClientError, MAX_OBJECTS, classify, probe, retry_cut, with_deadline,
};
use crate::model::SiteState;
use crate::registry::Site;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::core::v1::{Event, Node, Pod};
use kube::api::{Api, ListParams};
use serde::de::DeserializeOwned;
use std::time::Duration;

/// Page size for lists.
const PAGE: u32 = 500;
/// Tries per request when the connection is cut (a flaky link).
pub(crate) const TRIES: u32 = 3;

/// Every object of a list, pruned by `prune` page by page (a page's whole objects
/// are dropped before the next is read), at most [`MAX_OBJECTS`]: past that an error
/// naming `site` (a broken or hostile site paging forever), or with `keep_first` the
/// first ones (warning events: the model keeps a few anyway).
async fn list_all<K, T>(
    api: Api<K>,
    lp: ListParams,
    site: &str,
    keep_first: bool,
    prune: impl Fn(&K) -> T,
) -> Result<Vec<T>, ClientError>
where
    K: kube::Resource<DynamicType = ()> + Clone + DeserializeOwned + std::fmt::Debug,
{
    let mut out = Vec::new();
    let mut lp = lp.limit(PAGE);
    loop {
        let page = retry_cut(TRIES, || {
            let (api, lp) = (&api, &lp);
            async move { api.list(lp).await.map_err(|e| classify(&e)) }
        })
        .await?;
        out.extend(page.items.iter().map(&prune));
        if out.len() > MAX_OBJECTS {
            if keep_first {
                out.truncate(MAX_OBJECTS);
                return Ok(out);
            }
            let what = format!("{} objects", K::plural(&()));
            return Err(ClientError::too_large(site, what, MAX_OBJECTS as u64));
        }
        match page.metadata.continue_ {
            Some(c) if !c.is_empty() => lp = lp.continue_token(&c),
            _ => return Ok(out),
        }
    }
}

/// The field selector for warning events.
pub const WARNING_EVENTS: &str = "type=Warning";

/// Reads a site's whole health state within `deadline`, all requests at once (one
/// round trip; over HTTP/2 one connection, else one connection each).
pub async fn sweep(
    site: &Site,
    clients: &ClientCache,
    deadline: Duration,
) -> Result<SiteState, ClientError> {
    sweep_with(site, clients, deadline, true).await
}

/// Like [`sweep`]. The site is expected to speak HTTP/2, as real API servers do when
/// offered `h2`: every request then shares the one connection, whose handshake also
/// gives the serving certificate's expiry, so no separate probe connection is made.
/// A site seen choosing HTTP/1.1 is read again offering both (and remembered); there,
/// with `parallel` false the requests go one after the other over one kept-alive
/// connection (a round trip each, but one TLS handshake instead of seven), which the
/// live monitor does since its watches list everything again right after.
///
/// When the site cannot be reached (or its credentials cannot be read) the TLS probe
/// says why: refused, timed out, or which certificate problem, as before any request.
pub async fn sweep_with(
    site: &Site,
    clients: &ClientCache,
    deadline: Duration,
    parallel: bool,
) -> Result<SiteState, ClientError> {
    let started = tokio::time::Instant::now();
    let left = || {
        deadline
            .saturating_sub(started.elapsed())
            .max(Duration::from_millis(100))
    };
    let work = async {
        if let Err(e) = clients.auth_async(site).await {
            // A site that cannot be reached says more than missing credentials.
            return Err(diagnose(site, clients, left(), e).await);
        }
        let mut h2 = clients.expect_h2(&site.name);
        loop {
            let c = clients.get_async_for(site, h2).await?.requests;
            match read(&c, &site.name, parallel || h2).await {
                Ok(mut st) => {
                    st.cert_not_after = clients
                        .handshake(&site.name)
                        .and_then(|h| h.leaf)
                        .and_then(|leaf| crate::import::certs::not_after(&leaf).ok());
                    return Ok(st);
                }
                Err(_) if h2 && !clients.expect_h2(&site.name) => {
                    tracing::debug!("the site chose HTTP/1.1; reading it again");
                    h2 = false;
                }
                Err(e)
                    if matches!(
                        e,
                        ClientError::Unreachable(_) | ClientError::Timeout(_) | ClientError::Tls(_)
                    ) =>
                {
                    return Err(diagnose(site, clients, left(), e).await);
                }
                Err(e) => return Err(e),
            }
        }
    };
    let r = with_deadline(deadline, &format!("reading {}", site.endpoint), work).await;
    if matches!(r, Err(ClientError::Auth(_))) {
        clients.forget(&site.name);
    }
    r
}

/// Why a site could not be read: the probe's error (refused, timeout, the certificate
/// problem) when the probe fails, else `e`.
async fn diagnose(
    site: &Site,
    clients: &ClientCache,
    deadline: Duration,
    e: ClientError,
) -> ClientError {
    let t = clients.timeouts();
    match retry_cut(TRIES, || probe(site, t.connect, deadline)).await {
        Err(p) => p,
        Ok(_) => e,
    }
}

/// The version and every list health needs, pruned into a [`SiteState`] (without the
/// certificate expiry).
async fn read(c: &kube::Client, site: &str, parallel: bool) -> Result<SiteState, ClientError> {
    let version = retry_cut(TRIES, || async {
        c.apiserver_version()
            .await
            .map(|v| v.git_version)
            .map_err(|e| classify(&e))
    });
    let lp = ListParams::default();
    let nodes = list_all(Api::<Node>::all(c.clone()), lp.clone(), site, false, |n| {
        (prune::key_of(n), prune::node(n))
    });
    let deps = list_all(
        Api::<Deployment>::all(c.clone()),
        lp.clone(),
        site,
        false,
        prune::deployment,
    );
    let sts = list_all(
        Api::<StatefulSet>::all(c.clone()),
        lp.clone(),
        site,
        false,
        prune::statefulset,
    );
    let dss = list_all(
        Api::<DaemonSet>::all(c.clone()),
        lp.clone(),
        site,
        false,
        prune::daemonset,
    );
    let pods = list_all(Api::<Pod>::all(c.clone()), lp.clone(), site, false, |p| {
        (prune::key_of(p), prune::pod(p))
    });
    let events = list_all(
        Api::<Event>::all(c.clone()),
        lp.clone().fields(WARNING_EVENTS),
        site,
        true,
        |e| (prune::key_of(e), prune::event(e)),
    );
    let (git_version, nodes, deps, sts, dss, pods, events) = if parallel {
        futures::try_join!(version, nodes, deps, sts, dss, pods, events)?
    } else {
        (
            version.await?,
            nodes.await?,
            deps.await?,
            sts.await?,
            dss.await?,
            pods.await?,
            events.await?,
        )
    };
    let mut st = SiteState {
        git_version: Some(git_version),
        ..SiteState::default()
    };
    st.nodes = nodes.into_iter().collect();
    let workloads = deps.into_iter().chain(sts).chain(dss);
    st.workloads = workloads.map(|w| (prune::workload_key(&w), w)).collect();
    st.pods = pods.into_iter().collect();
    st.events = events.into_iter().collect();
    Ok(st)
}
