//! A connector that notes what each new TLS connection of a client showed: the
//! serving certificate (for its expiry) and whether the server chose HTTP/2, so a
//! sweep needs no separate probe connection when the site answers.

use hyper_rustls::MaybeHttpsStream;
use hyper_util::rt::TokioIo;
use rustls::pki_types::CertificateDer;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use tower::{BoxError, Service};

/// What the latest TLS handshake of a client showed.
#[derive(Debug, Clone, Default)]
pub struct Handshake {
    /// The serving (leaf) certificate.
    pub leaf: Option<CertificateDer<'static>>,
    /// The server chose `h2` by ALPN.
    pub h2: bool,
}

/// Shared between a client's connector and its cache entry.
pub type Seen = Arc<Mutex<Option<Handshake>>>;

/// The server did not choose HTTP/2 for a client that speaks only HTTP/2.
#[derive(Debug, thiserror::Error)]
#[error("the server did not choose HTTP/2 (ALPN h2)")]
pub struct NotHttp2;

/// Wraps a TLS connector; records every handshake in `seen`. With `h2_only`, a
/// connection on which the server did not choose `h2` is refused with [`NotHttp2`]
/// (the client would otherwise speak HTTP/2 to an HTTP/1.1 server).
#[derive(Clone)]
pub struct Observed<C> {
    pub inner: C,
    pub seen: Seen,
    pub h2_only: bool,
}

impl<C, T> Service<http::Uri> for Observed<C>
where
    C: Service<http::Uri, Response = MaybeHttpsStream<T>>,
    C::Future: Send + 'static,
    C::Error: Into<BoxError>,
    T: Send + 'static,
{
    type Response = MaybeHttpsStream<T>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, uri: http::Uri) -> Self::Future {
        let fut = self.inner.call(uri);
        let seen = self.seen.clone();
        let h2_only = self.h2_only;
        Box::pin(async move {
            let s = fut.await.map_err(Into::into)?;
            if let MaybeHttpsStream::Https(tls) = &s {
                let conn = TokioIo::inner(tls).get_ref().1;
                let h2 = conn.alpn_protocol() == Some(b"h2".as_slice());
                let leaf = conn
                    .peer_certificates()
                    .and_then(|c| c.first())
                    .map(|c| c.clone().into_owned());
                *seen.lock().unwrap_or_else(|p| p.into_inner()) = Some(Handshake { leaf, h2 });
                if h2_only && !h2 {
                    return Err(NotHttp2.into());
                }
            }
            Ok(s)
        })
    }
}
