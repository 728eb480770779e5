//! The HTTP stack under a site's [`kube::Client`]: kube's own layers (base URI,
//! authentication, extra headers) over a hyper client that offers HTTP/2 by ALPN.
//!
//! `kube::Client::try_from(Config)` speaks HTTP/1.1 only, so a sweep's seven parallel
//! requests open seven TLS connections. Real API servers (K3s, MicroK8s, and the
//! simulator) choose `h2` when offered, as kubectl does; over HTTP/2 the requests share
//! one connection. With `h2_only` (the probe saw the server choose `h2`) the first
//! requests wait for that one connection instead of each racing to open their own,
//! which hyper's pool does while it does not know the protocol yet.

use super::ClientError;
use super::limit::{CapBodies, Limits};
use super::observe::{Observed, Seen};
use hyper_rustls::FixedServerNameResolver;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use kube::client::ConfigExt;
use tower::{BoxError, ServiceBuilder};

fn config_err(e: kube::Error) -> ClientError {
    ClientError::Config(e.to_string())
}

/// A client for `cfg` (connect, read and write deadlines as configured), offering
/// `h2` and `http/1.1` by ALPN; with `h2_only`, HTTP/2 without a fallback. Each new
/// connection's handshake is noted in `seen`. Every response body is bounded by
/// [`Limits`] (see [`super::limit`]); errors name `site`.
pub(super) fn kube_client(
    cfg: &kube::Config,
    site: &str,
    t: super::Timeouts,
    h2_only: bool,
    seen: Seen,
) -> Result<kube::Client, ClientError> {
    let tls = cfg.rustls_client_config().map_err(config_err)?;
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    let mut https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http();
    if let Some(name) = &cfg.tls_server_name {
        let name = name
            .clone()
            .try_into()
            .map_err(|e| ClientError::Config(format!("TLS server name {name:?}: {e}")))?;
        https = https.with_server_name_resolver(FixedServerNameResolver::new(name));
    }
    let https = Observed {
        inner: https.enable_all_versions().wrap_connector(http),
        seen,
        h2_only,
    };
    let mut conn = hyper_timeout::TimeoutConnector::new(https);
    conn.set_connect_timeout(cfg.connect_timeout);
    conn.set_read_timeout(cfg.read_timeout);
    conn.set_write_timeout(cfg.write_timeout);
    conn.set_reset_reader_on_write(cfg.reset_reader_on_write);
    let client: hyper_util::client::legacy::Client<_, kube::client::Body> =
        hyper_util::client::legacy::Builder::new(TokioExecutor::new())
            .http2_only(h2_only)
            .timer(TokioTimer::new())
            .http2_keep_alive_interval(t.keepalive)
            .http2_keep_alive_timeout(t.keepalive)
            .build(conn);
    let service = ServiceBuilder::new()
        .layer(cfg.base_uri_layer())
        .option_layer(cfg.auth_layer().map_err(config_err)?)
        .layer(cfg.extra_headers_layer().map_err(config_err)?)
        .map_err(BoxError::from)
        .service(CapBodies {
            inner: client,
            site: site.into(),
            limits: Limits {
                watch_idle: t.watch_idle,
                ..Limits::default()
            },
        });
    Ok(kube::client::ClientBuilder::new(service, cfg.default_namespace.clone()).build())
}
