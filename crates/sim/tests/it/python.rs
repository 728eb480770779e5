//! The official Python `kubernetes` client against the simulator
//! (`tests/python/test_sim_client.py`), in a venv under `$CARGO_TARGET_DIR/py-venv`.

use crate::common;

use common::{spec, start};
use outpost_sim::spec::Distro;
use std::path::{Path, PathBuf};
use std::process::Command;

fn target_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(d);
    }
    // .../target/debug/deps/python-xxxx → .../target
    let exe = std::env::current_exe().expect("current exe");
    exe.ancestors().nth(3).expect("target dir").to_path_buf()
}

fn run(cmd: &mut Command, what: &str) -> std::process::Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot run: {e}"));
    assert!(
        out.status.success(),
        "{what} failed:\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A venv with `kubernetes` installed; panics (the test fails) when Python is unusable.
fn venv_python() -> PathBuf {
    let venv = target_dir().join("py-venv");
    let py = venv.join("bin").join("python");
    if !py.exists() {
        run(
            Command::new("python3").args(["-m", "venv"]).arg(&venv),
            "python3 -m venv (is Python 3 with venv installed?)",
        );
    }
    let has = Command::new(&py)
        .args(["-c", "import kubernetes"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has {
        run(
            Command::new(&py).args(["-m", "pip", "install", "--quiet", "kubernetes"]),
            "pip install kubernetes",
        );
    }
    py
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn official_python_client_lists_watches_and_gets_410_after_sleep() {
    let py = tokio::task::spawn_blocking(venv_python)
        .await
        .expect("venv");
    let f = start(vec![
        spec("py-k3s", Distro::K3s),
        spec("py-mk8s", Distro::MicroK8s),
    ])
    .await;
    let control = outpost_sim::control::serve_control(
        "127.0.0.1:0".parse().expect("addr"),
        f.fleet.handles(),
    )
    .await
    .expect("control");
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/python/test_sim_client.py");
    let mut cmd = Command::new(py);
    cmd.arg(script)
        .env("SIM_KUBECONFIG", &f.kubeconfig)
        .env("SIM_CONTEXTS", "py-k3s,py-mk8s")
        .env("SIM_CONTROL", format!("http://{}", control.addr))
        .env("SIM_CONTROL_TOKEN", &control.token)
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("no_proxy", "127.0.0.1,localhost");
    let out = tokio::task::spawn_blocking(move || run(&mut cmd, "test_sim_client.py"))
        .await
        .expect("join");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("ok py-k3s") && stdout.contains("ok py-mk8s"),
        "{stdout}"
    );
    control.task.abort();
    f.fleet.shutdown().await;
}
