//! Range binding (own address per site on the distro's real port), the sites file, and
//! faults switched through the loopback control endpoint.

use crate::common;

use common::{spec, start_with};
use outpost_sim::control::{Control, MAX_BODY};
use outpost_sim::spec::Distro;
use outpost_sim::{Bind, FleetConfig};
use serde_json::Value;
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A request with the given extra header lines (each ending in CRLF).
async fn raw(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &str,
    body: &str,
) -> (u16, String) {
    let mut s = tokio::net::TcpStream::connect(addr)
        .await
        .expect("connect control");
    let req = format!(
        "{method} {path} HTTP/1.1\r\n{headers}Connection: close\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await.expect("write");
    let mut out = String::new();
    s.read_to_string(&mut out).await.expect("read");
    let code = out
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("status");
    (code, out.split("\r\n\r\n").nth(1).unwrap_or("").to_string())
}

/// A request as the CLI's user makes it: loopback Host, the run's token.
async fn http(ctl: &Control, method: &str, path: &str, body: &str) -> (u16, String) {
    let headers = format!(
        "Host: {}\r\nAuthorization: Bearer {}\r\n",
        ctl.addr, ctl.token
    );
    raw(ctl.addr, method, path, &headers, body).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn range_bind_sites_file_and_control_faults() {
    let f = start_with(FleetConfig {
        sites: vec![spec("north", Distro::K3s), spec("south", Distro::MicroK8s)],
        bind: Bind::Range("127.77.0.1".parse().expect("ip")),
        ..FleetConfig::default()
    })
    .await;
    let sites = f.fleet.sites();
    assert_eq!(sites[0].endpoint, "https://127.77.0.1:6443");
    assert_eq!(sites[1].endpoint, "https://127.77.0.2:16443");
    let file: Value =
        serde_json::from_str(&f.fleet.sites_file_json().expect("sites file")).expect("json");
    assert_eq!(file[1]["endpoint"], "https://127.77.0.2:16443");
    assert_eq!(file[1]["distro"], "microk8s");
    assert_eq!(file[0]["city"], "Lyon");
    for s in ["north", "south"] {
        let out = f.kubectl_ok(s, &["get", "ns"]).await;
        assert!(out.contains("kube-system"), "{out}");
    }

    let ctl = outpost_sim::control::serve_control(
        "127.0.0.1:0".parse().expect("addr"),
        f.fleet.handles(),
    )
    .await
    .expect("control");
    let (code, body) = http(
        &ctl,
        "POST",
        "/sites/north/fault",
        r#"{"fault": "offline"}"#,
    )
    .await;
    assert_eq!(code, 200, "{body}");
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let (ok, _, err) = f
        .kubectl("north", &["get", "ns", "--request-timeout=5s"])
        .await;
    assert!(!ok && err.contains("refused"), "{err}");
    let (_, listing) = http(&ctl, "GET", "/sites", "").await;
    let listing: Value = serde_json::from_str(&listing).expect("json");
    assert_eq!(listing[0]["faults"], serde_json::json!(["offline"]));
    f.kubectl_ok("south", &["get", "ns"]).await;

    let (code, _) = http(&ctl, "DELETE", "/sites/north/fault", "").await;
    assert_eq!(code, 200);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    f.kubectl_ok("north", &["get", "ns"]).await;

    let (code, _) = http(&ctl, "POST", "/sites/south/fault", "flaky=1.0").await;
    assert_eq!(code, 200);
    let (ok, _, err) = f
        .kubectl("south", &["get", "ns", "--request-timeout=5s"])
        .await;
    assert!(!ok, "flaky site answered: {err}");
    http(&ctl, "DELETE", "/sites/south/fault", "").await;
    f.kubectl_ok("south", &["get", "ns"]).await;

    let (code, body) = http(&ctl, "POST", "/sites/nowhere/fault", "offline").await;
    assert_eq!(code, 404, "{body}");
    let (code, body) = http(&ctl, "POST", "/sites/north/fault", "melt").await;
    assert_eq!(code, 400, "{body}");
    ctl.task.abort();
    f.fleet.shutdown().await;
}

/// Without the run's token, with a foreign Host or Origin (a web page, DNS rebinding)
/// or with an oversized body, the endpoint refuses and the site keeps its faults.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_refuses_missing_token_foreign_host_and_origin_and_big_bodies() {
    let f = start_with(FleetConfig {
        sites: vec![spec("guarded", Distro::K3s)],
        ..FleetConfig::default()
    })
    .await;
    let ctl = outpost_sim::control::serve_control(
        "127.0.0.1:0".parse().expect("addr"),
        f.fleet.handles(),
    )
    .await
    .expect("control");
    let host = format!("Host: {}\r\n", ctl.addr);
    let auth = format!("Authorization: Bearer {}\r\n", ctl.token);
    let path = "/sites/guarded/fault";
    let refused = [
        (host.clone(), 401),
        (format!("{host}Authorization: Bearer wrong\r\n"), 401),
        (format!("Host: evil.example:80\r\n{auth}"), 403),
        (auth.clone(), 403),
        (format!("{host}{auth}Origin: http://evil.example\r\n"), 403),
        (format!("{host}{auth}Origin: null\r\n"), 403),
    ];
    for (headers, want) in refused {
        let (code, body) = raw(ctl.addr, "POST", path, &headers, "offline").await;
        assert_eq!(code, want, "{headers:?}: {body}");
    }
    let big = format!(
        "{{\"fault\": \"offline\", \"pad\": \"{}\"}}",
        "x".repeat(MAX_BODY)
    );
    let (code, body) = raw(ctl.addr, "POST", path, &format!("{host}{auth}"), &big).await;
    assert_eq!(code, 413, "{body}");
    let listed = f.fleet.handles()[0].faults().names();
    assert!(
        listed.is_empty(),
        "a refused request changed faults: {listed:?}"
    );

    let with_origin = format!(
        "{host}{auth}Origin: http://localhost:{}\r\n",
        ctl.addr.port()
    );
    let (code, body) = raw(ctl.addr, "POST", path, &with_origin, "offline").await;
    assert_eq!(code, 200, "{body}");
    ctl.task.abort();
    f.fleet.shutdown().await;
}
