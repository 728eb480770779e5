//! A private X server (Xvfb) per app under test, so that UI tests running at the same
//! time never share a screen: each screenshot shows its own window, and drags and
//! pointer input reach only that app.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A running Xvfb; dropping it stops the server.
pub struct Display {
    child: Child,
    name: String,
}

impl Display {
    /// Starts `Xvfb` on a free display number (it picks and reports the number itself
    /// through `-displayfd`, so parallel tests never race for one).
    pub fn start() -> Display {
        let mut child = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start Xvfb (scripts/setup.sh test installs xvfb)");
        let stdout = child.stdout.take().expect("Xvfb stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read Xvfb's display number");
        let n: u32 = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("Xvfb did not report a display number: {line:?}"));
        Display {
            child,
            name: format!(":{n}"),
        }
    }

    /// The value for `DISPLAY`, e.g. `:99`.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
