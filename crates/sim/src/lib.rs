//! The fleet simulator: many simulated K3s/MicroK8s sites in one process, each served
//! as a real Kubernetes API over TLS on its own loopback port.
//!
//! - [`resource`] and [`spec`]: the shared vocabulary (resource types, site specs).
//! - [`world`]: what happens inside a site (seeding, controllers, kubelet, logs).
//! - [`demo`]: fleet presets (the demo fleet, generated fleets).
//! - [`store`]: per-site object storage, versions and watch history.

pub mod demo;
pub mod resource;
pub mod spec;
pub mod store;
pub mod world;
