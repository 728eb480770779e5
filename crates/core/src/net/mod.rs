//! Networking helpers: endpoint parsing, fetching a server's certificate chain, and
//! unauthenticated `GET /version` for discovery.

pub mod endpoint;
