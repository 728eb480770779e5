//! One child program of a site (kine, apiserver, ...): started in its own process group
//! with its output in a log file, stopped with SIGTERM (then SIGKILL), killed on drop.
//! The Go binary also exits by itself when its parent dies (`OUTPOST_TESTBED_PARENT`), so a
//! test bed killed with SIGKILL leaves nothing behind either.

use crate::TestbedError;
use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How to start a program again after it was stopped.
#[derive(Debug, Clone)]
pub struct ProcSpec {
    pub name: String,
    pub bin: PathBuf,
    pub args: Vec<String>,
    pub log: PathBuf,
}

#[derive(Debug)]
pub struct Proc {
    pub spec: ProcSpec,
    child: Option<Child>,
}

impl Proc {
    pub fn new(spec: ProcSpec) -> Proc {
        Proc { spec, child: None }
    }

    /// Starts the program (a no-op when it is running).
    pub fn start(&mut self) -> Result<(), TestbedError> {
        if self.running() {
            return Ok(());
        }
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.spec.log)
            .map_err(|source| TestbedError::Io {
                what: format!("opening {}", self.spec.log.display()),
                source,
            })?;
        let err = log.try_clone().map_err(|source| TestbedError::Io {
            what: "cloning a log handle".into(),
            source,
        })?;
        let child = Command::new(&self.spec.bin)
            .args(&self.spec.args)
            .env("OUTPOST_TESTBED_PARENT", std::process::id().to_string())
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(err)
            .process_group(0)
            .spawn()
            .map_err(|source| TestbedError::Io {
                what: format!("starting {} ({})", self.spec.name, self.spec.bin.display()),
                source,
            })?;
        tracing::debug!(program = %self.spec.name, pid = child.id(), "started");
        self.child = Some(child);
        Ok(())
    }

    pub fn running(&mut self) -> bool {
        match &mut self.child {
            Some(c) => matches!(c.try_wait(), Ok(None)),
            None => false,
        }
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    fn signal(&self, sig: Signal) {
        if let Some(c) = &self.child
            && let Ok(pid) = i32::try_from(c.id())
        {
            let _ = killpg(Pid::from_raw(pid), sig);
        }
    }

    /// SIGTERM, then SIGKILL after `grace`; waits for the exit.
    pub fn stop(&mut self, grace: Duration) {
        if !self.running() {
            self.child = None;
            return;
        }
        self.signal(Signal::SIGTERM);
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline {
            if !self.running() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.kill();
    }

    /// SIGKILL to the process group; waits for the exit.
    pub fn kill(&mut self) {
        self.signal(Signal::SIGKILL);
        if let Some(mut c) = self.child.take() {
            let _ = c.wait();
        }
    }

    /// The last `n` lines of the program's log, for error messages.
    pub fn log_tail(&self, n: usize) -> String {
        let text = std::fs::read_to_string(&self.spec.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(n)..].join("\n")
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_stop_kill_and_drop() {
        let d = tempfile::tempdir().expect("tmp");
        let spec = ProcSpec {
            name: "sleep".into(),
            bin: "/bin/sh".into(),
            args: vec!["-c".into(), "echo hello; exec sleep 60".into()],
            log: d.path().join("sleep.log"),
        };
        let mut p = Proc::new(spec);
        p.start().expect("start");
        assert!(p.running());
        let t0 = Instant::now();
        while p.log_tail(1).is_empty() && t0.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(20));
        }
        p.stop(Duration::from_secs(2));
        assert!(!p.running());
        assert_eq!(p.log_tail(1), "hello");
        p.start().expect("restart");
        let pid = p.pid().expect("pid");
        drop(p);
        let alive = std::path::Path::new(&format!("/proc/{pid}")).exists()
            && !std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .unwrap_or_default()
                .contains(") Z");
        assert!(!alive, "child {pid} survived drop");
    }
}
