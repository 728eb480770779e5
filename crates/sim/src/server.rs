//! The per-site listener: faults at the connection level (offline, blackhole, flaky,
//! broken certificates), TLS, and HTTP/2 or HTTP/1.1 (by ALPN) serving of the API.

use crate::api;
use crate::site::Site;
use crate::tls::ServingMode;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use rand::Rng;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

/// Accepts connections until shutdown; closes and reopens the listener as the site
/// goes offline and back.
pub async fn serve_site(
    site: Arc<Site>,
    listener: TcpListener,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut listener = Some(listener);
    let mut faults = site.faults.subscribe();
    loop {
        let offline = faults.borrow_and_update().offline;
        if offline {
            listener = None;
        } else if listener.is_none() {
            match TcpListener::bind(site.addr).await {
                Ok(l) => listener = Some(l),
                Err(e) => {
                    tracing::warn!(error = %e, "rebinding after offline failed; retrying");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                }
            }
        }
        match &listener {
            None => tokio::select! {
                r = faults.changed() => if r.is_err() { return },
                _ = shutdown.changed() => return,
            },
            Some(l) => tokio::select! {
                acc = l.accept() => {
                    if let Ok((tcp, _)) = acc {
                        let _ = tcp.set_nodelay(true);
                        tokio::spawn(connection(site.clone(), tcp, shutdown.clone()));
                    }
                }
                r = faults.changed() => if r.is_err() { return },
                _ = shutdown.changed() => return,
            },
        }
    }
}

/// Resolves when the site goes offline or blackholed, or the fleet shuts down.
async fn cut(site: &Site, mut shutdown: watch::Receiver<bool>) {
    let mut f = site.faults.subscribe();
    loop {
        {
            let now = f.borrow_and_update();
            if now.offline || now.blackhole {
                return;
            }
        }
        tokio::select! {
            r = f.changed() => if r.is_err() { return },
            _ = shutdown.changed() => return,
        }
    }
}

async fn connection(site: Arc<Site>, tcp: TcpStream, shutdown: watch::Receiver<bool>) {
    let faults = site.faults.borrow().clone();
    if faults.blackhole {
        // Accept, never answer: hold the socket until the fault clears or shutdown.
        let mut f = site.faults.subscribe();
        let mut sd = shutdown.clone();
        loop {
            tokio::select! {
                r = f.changed() => if r.is_err() || !f.borrow().blackhole { break },
                _ = sd.changed() => break,
            }
        }
        drop(tcp);
        return;
    }
    if let Some(p) = faults.flaky
        && rand::rng().random_bool(p)
    {
        drop(tcp);
        return;
    }
    let mode = if faults.expired_cert {
        ServingMode::Expired
    } else if faults.wrong_ca {
        ServingMode::WrongCa
    } else {
        ServingMode::Valid
    };
    let cfg = match site.tls.config(mode) {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "no TLS configuration");
            return;
        }
    };
    let tls =
        match tokio::time::timeout(Duration::from_secs(10), TlsAcceptor::from(cfg).accept(tcp))
            .await
        {
            Ok(Ok(t)) => t,
            _ => return,
        };
    let client_cert = tls
        .get_ref()
        .1
        .peer_certificates()
        .is_some_and(|c| !c.is_empty());
    site.tls_accepted
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    if tls.get_ref().1.alpn_protocol() == Some(b"h2".as_slice()) {
        site.h2_accepted
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    let s2 = site.clone();
    let svc = service_fn(move |req| {
        let site = s2.clone();
        site.served
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        async move { Ok::<_, Infallible>(api::handle(site, req, client_cert).await) }
    });
    tokio::select! {
        _ = serve_http(tls, svc) => {}
        _ = cut(&site, shutdown) => {}
    }
}

/// Serves one TLS connection with HTTP/2 when the client chose `h2` by ALPN (as
/// kubectl and client-go do against a real API server), else HTTP/1.1 with keep-alive.
pub(crate) async fn serve_http<S, B>(tls: tokio_rustls::server::TlsStream<TcpStream>, svc: S)
where
    S: hyper::service::HttpService<hyper::body::Incoming, ResBody = B> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let h2 = tls.get_ref().1.alpn_protocol() == Some(b"h2".as_slice());
    let io = TokioIo::new(tls);
    if h2 {
        let _ = hyper::server::conn::http2::Builder::new(TokioExecutor::new())
            .serve_connection(io, svc)
            .await;
    } else {
        let _ = hyper::server::conn::http1::Builder::new()
            .keep_alive(true)
            .serve_connection(io, svc)
            .await;
    }
}
