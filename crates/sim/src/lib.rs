//! The fleet simulator: many simulated K3s/MicroK8s sites in one process, each served
//! as a real Kubernetes API over TLS on its own loopback port.
//!
//! - [`resource`] and [`spec`]: the shared vocabulary (resource types, site specs).
//! - [`world`]: what happens inside a site (seeding, controllers, kubelet, logs).
//! - [`demo`]: fleet presets (the demo fleet, generated fleets).
//! - [`store`]: per-site object storage, versions and watch history.
//! - [`tls`]: per-site CAs, serving certificates and credentials.
//! - [`api`]: the Kubernetes HTTP API; [`server`]: listeners and connection faults.
//! - [`fleet`]: the runtime; [`faults`], [`control`]: run-time fault switching.
//! - [`readonly`]: serving recorded snapshots read-only through the same API layer.

pub mod api;
pub mod control;
pub mod demo;
pub mod error;
pub mod faults;
pub mod fleet;
pub mod kubeconfig;
pub mod readonly;
pub mod resource;
pub mod server;
pub mod site;
pub mod spec;
pub mod store;
#[cfg(any(test, feature = "test-support"))]
pub mod testing;
pub mod tls;
pub mod world;

pub use control::SiteHandle;
pub use faults::Fault;
pub use fleet::{Bind, Fleet, FleetConfig, SimError, SiteInfo};
