//! Ending the app as a person does and checking how it ended.
//!
//! WebDriver starts the app through a small `/bin/sh` launcher ([`launcher`]) that records
//! the app's pid and, when it ends, its exit status: the test process is not the app's
//! parent (WebKitWebDriver is), so it could not learn the status otherwise. [`wm_close`]
//! sends `WM_DELETE_WINDOW` to the app's window (`wm_close.py`, python3-xlib), the message
//! a window manager sends for its close button, so the app's real exit path runs.

use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// Environment variable naming the file the launcher writes the app's pid to.
pub const PID_ENV: &str = "OUTPOST_TEST_APP_PID";
/// Environment variable naming the file the launcher writes the exit status to.
pub const STATUS_ENV: &str = "OUTPOST_TEST_APP_STATUS";
pub const PID_FILE: &str = "app.pid";
pub const STATUS_FILE: &str = "app.status";

/// How long the app may take to exit after the window manager's close.
pub const CLOSE_TIMEOUT: Duration = Duration::from_secs(30);

/// The `tauri:options` that start `app` with `args` through the launcher. A shell kills
/// its background job's stdin only; the app needs none.
pub fn launcher(app: &str, args: &[&str]) -> Value {
    let script = format!(
        r#"app=$1; shift
"$app" "$@" &
echo $! > "${PID_ENV}"
wait $!
rc=$?
echo $rc > "${STATUS_ENV}.tmp" && mv "${STATUS_ENV}.tmp" "${STATUS_ENV}"
exit $rc"#
    );
    let mut argv = vec!["-c".to_string(), script, "sh".into(), app.into()];
    argv.extend(args.iter().map(|a| a.to_string()));
    json!({ "application": "/bin/sh", "args": argv })
}

/// The app's pid, once the launcher has written it.
pub fn pid(run: &Path) -> Option<u32> {
    std::fs::read_to_string(run.join(PID_FILE))
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// The app's exit status, once it has exited.
pub fn status(run: &Path) -> Option<i32> {
    std::fs::read_to_string(run.join(STATUS_FILE))
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// Why the window manager's close did not end the app.
#[derive(Debug, thiserror::Error)]
pub enum CloseError {
    #[error("run wm_close.py (/usr/bin/python3 with python3-xlib): {0}")]
    Spawn(std::io::Error),
    #[error("the window manager's close could not be sent: {0}")]
    NotSent(String),
    #[error(
        "the app (pid {pid}) did not exit within {CLOSE_TIMEOUT:?} of the window manager's close"
    )]
    StillRunning { pid: u32 },
}

/// Sends `WM_DELETE_WINDOW` to the window of `pid` on `display` and waits for the app to
/// exit. `Ok(status)` once it exited; `Err(why)` if the message could not be sent or the
/// app was still running after [`CLOSE_TIMEOUT`] (the caller kills it then).
pub fn wm_close(pid: u32, display: &str, run: &Path) -> Result<i32, CloseError> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/ui/support/wm_close.py");
    let t0 = Instant::now();
    let out = Command::new("/usr/bin/python3")
        .arg(script)
        .arg(pid.to_string())
        .env("DISPLAY", display)
        .output()
        .map_err(CloseError::Spawn)?;
    if !out.status.success() {
        return Err(CloseError::NotSent(
            String::from_utf8_lossy(&out.stderr).trim().to_string(),
        ));
    }
    loop {
        if let Some(code) = status(run) {
            eprintln!(
                "the app exited with status {code} {:?} after the window manager's close",
                t0.elapsed()
            );
            return Ok(code);
        }
        if t0.elapsed() > CLOSE_TIMEOUT {
            return Err(CloseError::StillRunning { pid });
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Kills the app if it has not exited (checked through `/proc`, so a pid reused by
/// another program is left alone).
pub fn kill(run: &Path) {
    if status(run).is_some() {
        return;
    }
    let Some(pid) = pid(run) else { return };
    let is_app = std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| {
        exe.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("outpost-desktop"))
    });
    if is_app {
        let _ = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
    }
}
