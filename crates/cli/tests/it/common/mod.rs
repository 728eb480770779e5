//! Helpers shared by the CLI's end-to-end tests: a private D-Bus session with an
//! unlocked gnome-keyring (the real Secret Service), killed on drop.
#![allow(dead_code, clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// A private session bus with gnome-keyring on it; both are killed on drop.
pub struct Keyring {
    bus: Child,
    daemon: Child,
    /// `DBUS_SESSION_BUS_ADDRESS` of the private bus.
    pub address: String,
    /// Holds the keyring's `data` and `run` (`XDG_RUNTIME_DIR`) directories.
    pub dir: tempfile::TempDir,
}

impl Keyring {
    pub fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut bus = std::process::Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon not found: apt-get install dbus");
        let mut line = String::new();
        BufReader::new(bus.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let address = line.trim().to_string();
        assert!(address.starts_with("unix:"), "bus address {address:?}");
        for d in ["data", "run"] {
            std::fs::create_dir_all(dir.path().join(d)).unwrap();
        }
        let mut daemon = std::process::Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .env("DBUS_SESSION_BUS_ADDRESS", &address)
            .env("XDG_DATA_HOME", dir.path().join("data"))
            .env("XDG_RUNTIME_DIR", dir.path().join("run"))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gnome-keyring-daemon not found: apt-get install gnome-keyring");
        daemon.stdin.take().unwrap().write_all(b"test").unwrap();
        let k = Keyring {
            bus,
            daemon,
            address,
            dir,
        };
        let start = Instant::now();
        while !k
            .dbus_send(&[
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.NameHasOwner",
                "string:org.freedesktop.secrets",
            ])
            .contains("boolean true")
        {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "gnome-keyring did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        k
    }

    pub fn dbus_send(&self, args: &[&str]) -> String {
        let out = std::process::Command::new("dbus-send")
            .args(["--session", "--print-reply"])
            .args(args)
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .output()
            .expect("dbus-send not found: apt-get install dbus");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Item paths the Secret Service holds for an Outpost keyring entry id.
    pub fn items(&self, id: &str) -> String {
        let attrs = format!("dict:string:string:service,dev.outpost.desktop,username,{id}");
        self.dbus_send(&[
            "--dest=org.freedesktop.secrets",
            "/org/freedesktop/secrets",
            "org.freedesktop.Secret.Service.SearchItems",
            &attrs,
        ])
    }
}

impl Drop for Keyring {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
        let _ = self.bus.kill();
        let _ = self.bus.wait();
    }
}

/// `outpost` with a home directory and the private keyring (no KUBECONFIG leaks in).
pub fn outpost(home: &std::path::Path, kr: &Keyring) -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("outpost").unwrap();
    c.env("OUTPOST_HOME", home)
        .env("DBUS_SESSION_BUS_ADDRESS", &kr.address)
        .env("XDG_RUNTIME_DIR", kr.dir.path().join("run"))
        .env("OUTPOST_KEYRING", "secret-service")
        .env_remove("KUBECONFIG");
    c
}

/// Runs `c`, asserting success; returns stdout.
pub fn run_ok(c: &mut assert_cmd::Command) -> String {
    let out = c.output().unwrap();
    let se = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "failed ({:?}): {se}",
        out.status.code()
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The control endpoint of an `outpost sim --control` run, read from its banner line
/// (`…; control http://ADDR token TOKEN`).
pub struct Control {
    pub addr: String,
    pub token: String,
}

impl Control {
    pub fn from_banner(line: &str) -> Control {
        let rest = line
            .split("control http://")
            .nth(1)
            .unwrap_or_else(|| panic!("no control address in {line:?}"));
        let mut words = rest.split_whitespace();
        let addr = words.next().unwrap_or_default().to_string();
        assert_eq!(words.next(), Some("token"), "no control token in {line:?}");
        let token = words.next().unwrap_or_default().to_string();
        Control { addr, token }
    }

    /// A plain HTTP/1.1 request with the run's token; returns the body.
    pub fn http(&self, method: &str, path: &str, body: &str) -> String {
        use std::io::Read;
        let mut s = std::net::TcpStream::connect(&self.addr).unwrap();
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.addr,
            self.token,
            body.len()
        )
        .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out.split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default()
    }
}

/// A child process, killed on drop.
pub struct Proc(pub Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `outpost sim` with `sites` sites of `seed`, writing `kc.yaml` and `sites.json` into
/// `dir`; its control API.
pub fn start_sim(dir: &std::path::Path, sites: u32, seed: u64) -> (Proc, Control) {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("outpost"))
        .args([
            "sim",
            "--sites",
            &sites.to_string(),
            "--seed",
            &seed.to_string(),
        ])
        .arg("--kubeconfig")
        .arg(dir.join("kc.yaml"))
        .arg("--sites-file")
        .arg(dir.join("sites.json"))
        .args(["--control", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    (Proc(child), Control::from_banner(&line))
}
