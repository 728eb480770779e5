//! Switching between the user's sites and the built-in demo fleet.
//!
//! The demo runs twelve simulated sites inside the app, in their own `demo` profile
//! with in-memory credentials: demo sites never mix with real ones, and leaving the
//! demo is one call.

use crate::{AppInfo, Command};
use serde::{Deserialize, Serialize};

/// `open_demo`: start the simulated demo fleet and switch to the `demo` profile.
pub struct OpenDemoCmd;

impl Command for OpenDemoCmd {
    const NAME: &'static str = "open_demo";
    type Request = OpenDemoRequest;
    type Response = AppInfo;
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenDemoRequest {}

/// `leave_demo`: stop the demo fleet and switch back to the user's own sites.
pub struct LeaveDemoCmd;

impl Command for LeaveDemoCmd {
    const NAME: &'static str = "leave_demo";
    type Request = LeaveDemoRequest;
    type Response = AppInfo;
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeaveDemoRequest {}
