//! `outpost-testbed up`: prints `ready: N sites`, writes the `outpost sim` kubeconfig and
//! sites-file formats, and after SIGTERM leaves nothing running or listening.
//!
//! Skipped (with a message) when the test bed binaries are missing and
//! OUTPOST_REQUIRE_TESTBED is unset; `make test` sets it.

// Test helpers unwrap freely: a failure is a test failure.
#![allow(clippy::unwrap_used)]

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use outpost_testbed::Binaries;
use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Pids of processes whose parent is `parent`.
fn children(parent: u32) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .ok()
                .and_then(|s| {
                    let after = s.rsplit_once(") ")?.1.to_string();
                    after.split_whitespace().nth(1)?.parse::<u32>().ok()
                })
                == Some(parent)
        })
        .collect()
}

#[test]
fn up_serves_until_sigterm_and_leaves_nothing_listening() {
    if Binaries::for_tests("up_cli").is_none() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let (kc, sf) = (tmp.path().join("kc.yaml"), tmp.path().join("sites.json"));
    let mut child = KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_outpost-testbed"))
            .args(["up", "--sites", "2", "--microk8s", "1"])
            .arg("--kubeconfig")
            .arg(&kc)
            .arg("--sites-file")
            .arg(&sf)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap(),
    );
    let mut line = String::new();
    BufReader::new(child.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "ready: 2 sites");
    let sites: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sf).unwrap()).unwrap();
    let kubeconfig: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&kc).unwrap()).unwrap();
    let arr = sites.as_array().unwrap();
    assert_eq!(arr.len(), 2);
    assert_eq!(kubeconfig["contexts"].as_array().unwrap().len(), 2);
    let endpoints: Vec<SocketAddr> = arr
        .iter()
        .map(|s| {
            s["endpoint"]
                .as_str()
                .unwrap()
                .trim_start_matches("https://")
                .parse()
                .unwrap()
        })
        .collect();
    let distros: Vec<&str> = arr.iter().map(|s| s["distro"].as_str().unwrap()).collect();
    assert_eq!(distros, ["k3s", "microk8s"]);
    assert_eq!(endpoints[1].port(), 16443);
    for e in &endpoints {
        assert!(e.ip().is_loopback());
        assert!(TcpStream::connect_timeout(e, Duration::from_secs(1)).is_ok());
    }
    let programs = children(child.0.id());
    assert_eq!(programs.len(), 10, "five programs per site: {programs:?}");
    kill(Pid::from_raw(child.0.id() as i32), Signal::SIGTERM).unwrap();
    let status = child.0.wait().unwrap();
    assert!(status.success(), "{status:?}");
    for e in &endpoints {
        for port in [e.port(), 2379, 10250] {
            let a = SocketAddr::new(e.ip(), port);
            assert!(
                TcpStream::connect_timeout(&a, Duration::from_millis(300)).is_err(),
                "{a} still listening"
            );
        }
    }
    for pid in programs {
        assert!(
            !std::path::Path::new(&format!("/proc/{pid}")).exists(),
            "program {pid} still running"
        );
    }
}
