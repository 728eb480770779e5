//! Harness for tests in the real Tauri window: starts `tauri-driver` (which drives
//! `WebKitWebDriver`) on a free loopback port, opens the built `outpost-desktop` with a
//! private data directory, and offers waits and screenshots.
//!
//! Tests end the app as a person does, with the window manager's close
//! ([`App::close`]: `WM_DELETE_WINDOW` to its X window), so the app's exit path runs in
//! every test; a kill is only the fallback when the app does not exit, and fails the test.
//!
//! UI tests run when `OUTPOST_UI_TESTS=1` (the README's test command sets it). Each app
//! gets an Xvfb of its own (`display.rs`), so tests may run in parallel. Without the
//! variable they print why they were skipped, so a plain `cargo test` stays usable.

#![allow(dead_code)]

mod display;
mod exit;
pub mod wait;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Whether UI tests should run; panics with the fix when they should but cannot.
pub fn ui_tests_enabled(test: &str) -> bool {
    if std::env::var("OUTPOST_UI_TESTS").as_deref() != Ok("1") {
        eprintln!("{test}: skipped (set OUTPOST_UI_TESTS=1, as `make test` does)");
        return false;
    }
    true
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

fn wait_port(port: u16, deadline: Duration) {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let t0 = Instant::now();
    while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
        assert!(
            t0.elapsed() < deadline,
            "the WebDriver did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Where screenshots go: `target/screenshots/` in the repository.
pub fn screenshot_dir() -> PathBuf {
    // The desktop package is `src-tauri/`; the repository is its parent.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../target")
        .join("screenshots");
    std::fs::create_dir_all(&dir).expect("create target/screenshots");
    dir
}

/// A running app under WebDriver, on an X server of its own. [`App::close`] ends it as
/// a person does; dropping it (a failed test) kills the driver, the app and the X server.
pub struct App {
    pub client: Client,
    pub home: tempfile::TempDir,
    driver: Driver,
    display: display::Display,
}

/// The `tauri-driver` process; dropping it kills it with WebKitWebDriver and the app.
struct Driver {
    child: Child,
    /// The app's pid and, once it exited, its exit status (see [`exit::launcher`]).
    run: tempfile::TempDir,
}

impl App {
    /// Starts the app with `args` and a fresh, private data directory.
    pub async fn launch(args: &[&str]) -> App {
        let home = tempfile::tempdir().expect("temp home");
        Self::launch_with_home(args, home).await
    }

    pub async fn launch_with_home(args: &[&str], home: tempfile::TempDir) -> App {
        Self::launch_with_env(args, home, &[]).await
    }

    /// As [`App::launch_with_home`], with extra environment for the app (e.g.
    /// `OUTPOST_DEMO_SPEED`).
    pub async fn launch_with_env(
        args: &[&str],
        home: tempfile::TempDir,
        envs: &[(&str, &str)],
    ) -> App {
        // One session starts at a time: two `tauri-driver`s starting their
        // WebKitWebDriver together sometimes fail the session (`IncompleteMessage`).
        static STARTING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
        let _starting = STARTING.lock().await;
        let display = display::Display::start();
        let run = tempfile::tempdir().expect("temp run dir");
        let port = free_port();
        let native_port = free_port();
        // The driver, WebKitWebDriver and the app write to a log file so that no child
        // keeps the test's pipes open; drop kills the whole process tree.
        let log_path = screenshot_dir().join("driver.log");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .expect("open driver log");
        let child = Command::new("tauri-driver")
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .args(["--native-driver", "/usr/bin/WebKitWebDriver"])
            // The app inherits this through WebKitWebDriver.
            .env("OUTPOST_HOME", home.path())
            .env("DISPLAY", display.name())
            // Saves go here instead of a native dialog WebDriver cannot drive.
            .env("OUTPOST_SAVE_DIR", home.path().join("saved"))
            .env(exit::PID_ENV, run.path().join(exit::PID_FILE))
            .env(exit::STATUS_ENV, run.path().join(exit::STATUS_FILE))
            .envs(envs.iter().copied())
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("dup log"))
            .stderr(log)
            .spawn()
            .expect("start tauri-driver (scripts/setup.sh test installs it)");
        let driver = Driver { child, run };
        wait_port(port, Duration::from_secs(20));
        // tauri-driver listens before it has started WebKitWebDriver; a session request
        // sent before the native driver listens fails with "client error (Connect)".
        wait_port(native_port, Duration::from_secs(20));
        let caps = json!({
            "tauri:options": exit::launcher(env!("CARGO_BIN_EXE_outpost-desktop"), args),
        });
        let serde_json::Value::Object(caps) = caps else {
            unreachable!()
        };
        let mut builder =
            ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new());
        builder.capabilities(caps);
        let url = format!("http://127.0.0.1:{port}");
        let client = tokio::time::timeout(Duration::from_secs(90), builder.connect(&url))
            .await
            .expect("WebDriver session not created within 90 s (see target/screenshots/driver.log)")
            .expect("WebDriver session with the app");
        // With GPU compositing off (the app's default on Linux, src-tauri/src/webview.rs)
        // WebKitWebDriver answers a click or a screenshot only after the page's next
        // rendering update, which a static page never has: keep a 1-pixel dot in a
        // corner blinking for as long as the test runs.
        client
            .execute(
                "const add = () => {
                   if (!document.body) { setTimeout(add, 50); return; }
                   const d = document.createElement('div');
                   d.id = 'test-frame-tick';
                   d.style.cssText = 'position:fixed;right:0;bottom:0;width:1px;height:1px;pointer-events:none;z-index:9999';
                   document.body.appendChild(d);
                   setInterval(() => { d.style.background = d.style.background === 'red' ? 'blue' : 'red'; }, 250);
                 };
                 add();",
                vec![],
            )
            .await
            .expect("frame ticker");
        App {
            client,
            home,
            driver,
            display,
        }
    }

    /// The `textContent` of the first element matching `css`, if there is one.
    pub async fn text(&self, css: &str) -> Option<String> {
        let v = self
            .client
            .execute(
                "const el = document.querySelector(arguments[0]); return el ? el.textContent : null;",
                vec![json!(css)],
            )
            .await
            .ok()?;
        v.as_str().map(str::to_string)
    }

    /// Waits until the element matching `css` exists and its text contains `needle`.
    pub async fn wait_text(&self, css: &str, needle: &str, timeout: Duration) -> String {
        let t0 = Instant::now();
        let mut last = None;
        loop {
            if let Some(t) = self.text(css).await {
                if t.contains(needle) {
                    return t;
                }
                last = Some(t);
            }
            if t0.elapsed() > timeout {
                self.screenshot("timeout").await;
                panic!("{css}: text {last:?} never contained {needle:?} within {timeout:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Clicks the element matching `css` (scrolled into view first, as a user would).
    pub async fn click(&self, css: &str) {
        let _ = self
            .client
            .execute(
                "const el = document.querySelector(arguments[0]);
                 if (el) el.scrollIntoView({ block: 'center' });",
                vec![json!(css)],
            )
            .await;
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css} not found: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Sets a field's value as typing would (Yew listens to `input`).
    pub async fn type_into(&self, css: &str, value: &str) {
        self.client
            .execute(
                "const el = document.querySelector(arguments[0]);
                 el.value = arguments[1];
                 el.dispatchEvent(new Event('input', { bubbles: true }));",
                vec![json!(css), json!(value)],
            )
            .await
            .unwrap_or_else(|e| panic!("type into {css}: {e}"));
    }

    /// Calls a backend command from the page, as the UI would; `Ok` is the resolved
    /// value and `Err` the rejection, both as JSON.
    pub async fn invoke(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        let script = r#"
            const [cmd, args, done] = arguments;
            window.__TAURI_INTERNALS__.invoke(cmd, args)
              .then(v => done({ ok: v === undefined ? null : v }),
                    e => done({ err: (typeof e === 'object' && e !== null) ? e : String(e) }));
        "#;
        let r = self
            .client
            .execute_async(script, vec![json!(cmd), args])
            .await
            .expect("execute_async");
        match (r.get("ok"), r.get("err")) {
            (Some(v), _) => Ok(v.clone()),
            (_, Some(e)) => Err(e.clone()),
            _ => panic!("unexpected invoke result {r}"),
        }
    }

    /// Saves a screenshot of the X screen the window is on as
    /// `target/screenshots/<name>.png` (see `tests/ui/support/screenshot.py` for why not
    /// WebDriver's).
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let path = screenshot_dir().join(format!("{name}.png"));
        let script =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/ui/support/screenshot.py");
        let p = path.clone();
        let display = self.display.name().to_string();
        let out = tokio::task::spawn_blocking(move || {
            Command::new("/usr/bin/python3")
                .arg(script)
                .arg(p)
                .env("DISPLAY", display)
                .output()
        })
        .await
        .expect("screenshot task")
        .expect("/usr/bin/python3 with python3-gi for screenshots (scripts/setup.sh test)");
        assert!(
            out.status.success(),
            "screenshot {name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let png = std::fs::read(&path).expect("read screenshot");
        assert!(png.starts_with(b"\x89PNG"), "screenshot is not a PNG");
        eprintln!("screenshot: {}", path.display());
        path
    }

    /// The `DISPLAY` this app's window is on (for tools that act on the screen).
    pub fn display(&self) -> &str {
        self.display.name()
    }

    /// The app's process id (as its launcher recorded it).
    pub fn pid(&self) -> u32 {
        exit::pid(self.driver.run.path()).expect("the app's pid (its launcher writes it at start)")
    }

    /// Closes the window as a person does, through the window manager's close
    /// (`WM_DELETE_WINDOW`), which runs the app's exit path; waits for the app to exit and
    /// checks it exited with status 0. If it does not exit within [`exit::CLOSE_TIMEOUT`]
    /// it is killed and the test fails. Then ends the session and the driver. Returns the
    /// data directory so a test can start the app again on it.
    pub async fn close(self) -> tempfile::TempDir {
        let pid = self.pid();
        let display = self.display.name().to_string();
        let run = self.driver.run.path().to_path_buf();
        let status = tokio::task::spawn_blocking(move || exit::wm_close(pid, &display, &run))
            .await
            .expect("close task");
        let App {
            client,
            home,
            driver,
            display,
        } = self;
        let _ = client.close().await;
        // Kills what is left (the driver's tree; the app too if it did not exit).
        drop(driver);
        drop(display);
        match status {
            Ok(0) => home,
            Ok(code) => {
                panic!("the app exited with status {code} after the window manager's close")
            }
            Err(why) => panic!("{why}; it was killed instead (the fallback), which fails the test"),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // tauri-driver does not stop WebKitWebDriver or the app when it is killed, so
        // kill the whole tree, children first; then the app if it still runs (its
        // launcher may have gone before it).
        kill_tree(self.child.id());
        let _ = self.child.wait();
        exit::kill(self.run.path());
    }
}

/// Kills `pid` and all its descendants (found through `pgrep -P`), deepest first.
fn kill_tree(pid: u32) {
    let children = Command::new("pgrep")
        .args(["-P", &pid.to_string()])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    for child in children
        .lines()
        .filter_map(|l| l.trim().parse::<u32>().ok())
    {
        kill_tree(child);
    }
    let _ = Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .stderr(Stdio::null())
        .status();
}
