//! SCENARIO steps a and c over real HTTP, the way the Python peer's `bench.py` runs them:
//! the release `switchyard demo` binary on a fresh embedded SQLite database (WAL) with
//! 100,000 orders, driven by a client on the same host with a logged-in session.
//!
//! `cargo bench -p server --bench console_http` prints one JSON document with the peer's
//! step names (`c_latency.changelist_state_new`, `a_single_post`, …). Environment:
//! `BENCH_ROWS` (100000), `BENCH_SINGLE` (300), `BENCH_LATENCY_N` (50), `BENCH_BULK_ALL`
//! (0; 1 adds a bulk run over every row still `new`, through "Select all matching"),
//! `BENCH_SERVER_BIN` (another `switchyard` binary to measure instead of this build's).

use std::{
    net::TcpListener,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use serde_json::{json, Value};

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

/// Median, p95 and friends of samples in seconds, in milliseconds.
fn stats(samples: &[Duration]) -> Value {
    let mut ms: Vec<f64> = samples.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| {
        let rank = (q * (ms.len() - 1) as f64).round() as usize;
        (ms[rank] * 100.0).round() / 100.0
    };
    let mean = ms.iter().sum::<f64>() / ms.len() as f64;
    json!({
        "n": ms.len(),
        "median_ms": at(0.5),
        "p95_ms": at(0.95),
        "mean_ms": (mean * 100.0).round() / 100.0,
        "min_ms": at(0.0),
        "max_ms": at(1.0),
    })
}

/// The binary under test: this build's, or `BENCH_SERVER_BIN` (another build of
/// `switchyard`, to compare two versions in one sitting).
fn server_binary() -> String {
    std::env::var("BENCH_SERVER_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_switchyard").to_owned())
}

/// The server process, stopped when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port")
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let rows = setting("BENCH_ROWS", 100_000);
    let single = setting("BENCH_SINGLE", 300);
    let latency_n = setting("BENCH_LATENCY_N", 50);
    let data = tempfile::tempdir().expect("a data directory");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let workspace = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

    let seeding = Instant::now();
    let server = Server(
        Command::new(server_binary())
            .current_dir(workspace)
            .args(["demo", "--addr", &format!("127.0.0.1:{port}"), "--orders"])
            .arg(rows.to_string())
            .arg("--data-dir")
            .arg(data.path())
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .expect("start switchyard demo"),
    );
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let mut up = false;
    for _ in 0..600 {
        if let Ok(response) = client.get(format!("{base}/health")).send().await {
            up = response.status().is_success();
            if up {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(up, "the server did not come up");
    let seed_seconds = seeding.elapsed().as_secs_f64();

    let login = client
        .post(format!("{base}/login"))
        .form(&[("username", "admin"), ("password", "admin")])
        .send()
        .await
        .expect("login");
    assert_eq!(login.status().as_u16(), 303, "admin logs in");

    // c. Page latency: 3 warm-ups, then `latency_n` sequential GETs of each page.
    let sample_id = rows; // the last order: untouched by step a
    let pages = [
        ("changelist_state_new", "/orders?state=new".to_owned()),
        ("changelist_all", "/orders".to_owned()),
        ("change_page", format!("/orders/{sample_id}")),
    ];
    let mut latency = serde_json::Map::new();
    for (name, path) in pages {
        let url = format!("{base}{path}");
        let mut bytes = 0;
        for _ in 0..3 {
            let response = client.get(&url).send().await.expect("warm-up");
            assert_eq!(response.status().as_u16(), 200, "{path}");
            response.bytes().await.expect("body");
        }
        let mut samples = Vec::with_capacity(latency_n);
        for _ in 0..latency_n {
            let started = Instant::now();
            let response = client.get(&url).send().await.expect("page");
            let status = response.status().as_u16();
            bytes = response.bytes().await.expect("body").len();
            samples.push(started.elapsed());
            assert_eq!(status, 200, "{path}");
        }
        let mut entry = stats(&samples);
        entry["path"] = json!(path);
        entry["bytes"] = json!(bytes);
        latency.insert(name.to_owned(), entry);
    }

    // a. `pay` on distinct `new` orders, one request each, as the console's button posts it;
    // then the same followed by reading the object page again (what the browser does next).
    let fire = |id: usize| {
        let form = [
            ("input[resource]", "orders".to_owned()),
            ("input[id]", id.to_string()),
            ("input[transition]", "pay".to_owned()),
            ("input[version]", "1".to_owned()),
            ("input[origin]", "object".to_owned()),
        ];
        client
            .post(format!("{base}/api/fire"))
            .header("accept", "application/json")
            .header("origin", base.clone())
            .form(&form)
            .send()
    };
    let mut samples = Vec::with_capacity(single);
    let started = Instant::now();
    for id in 1..=single {
        let sent = Instant::now();
        let response = fire(id).await.expect("fire");
        let status = response.status().as_u16();
        response.bytes().await.expect("body");
        samples.push(sent.elapsed());
        assert_eq!(status, 200, "pay {id}");
    }
    let wall = started.elapsed().as_secs_f64();
    let mut single_post = stats(&samples);
    single_post["wall_s"] = json!((wall * 1000.0).round() / 1000.0);
    single_post["transitions_per_s"] = json!((single as f64 / wall * 10.0).round() / 10.0);

    let follow = single / 3;
    let mut samples = Vec::with_capacity(follow);
    for id in single + 1..=single + follow {
        let sent = Instant::now();
        let response = fire(id).await.expect("fire");
        assert_eq!(response.status().as_u16(), 200, "pay {id}");
        response.bytes().await.expect("body");
        let page = client
            .get(format!("{base}/orders/{id}"))
            .send()
            .await
            .expect("object page");
        let html = page.text().await.expect("html");
        samples.push(sent.elapsed());
        assert!(
            html.contains("Mark as paid: moved from New to Paid."),
            "message for {id}"
        );
    }
    let follow_stats = stats(&samples);

    // b. Bulk `pay` over 1,000 and 10,000 fresh `new` rows posted as explicit keys, as the
    // JSON API takes them; with BENCH_BULK_ALL=1, then every row still `new` (1,000,000 with
    // BENCH_ROWS=1033400) through "Select all matching" with the `state=new` filter. Each
    // run is timed from the "Apply" post until the job reports done; every row is checked
    // afterwards.
    let mut next_id = single + follow + 1;
    let mut bulk = serde_json::Map::new();
    let mut runs = vec![(1_000, 3, false), (10_000, 3, false)];
    if setting("BENCH_BULK_ALL", 0) > 0 {
        let remaining = (rows + 1)
            .checked_sub(next_id + 33_000)
            .filter(|remaining| *remaining > 0)
            .expect("BENCH_ROWS leaves no row for the all-matching run");
        runs.push((remaining, 1, true));
    }
    for (size, repeats, all_matching) in runs {
        let mut seconds = Vec::new();
        for _ in 0..repeats {
            assert!(
                next_id + size <= rows + 1,
                "BENCH_ROWS is too small for the bulk sizes"
            );
            let (first, last) = (next_id, next_id + size - 1);
            next_id += size;
            let mut form: Vec<(String, String)> = vec![
                ("input[resource]".to_owned(), "orders".to_owned()),
                ("input[transition]".to_owned(), "pay".to_owned()),
            ];
            if all_matching {
                form.push(("input[all_matching]".to_owned(), "true".to_owned()));
                form.push(("input[query][state]".to_owned(), "new".to_owned()));
            } else {
                form.extend(
                    (first..=last)
                        .enumerate()
                        .map(|(i, id)| (format!("input[ids][{i}]"), id.to_string())),
                );
            }
            let started = Instant::now();
            let response = client
                .post(format!("{base}/api/bulk_apply"))
                .header("accept", "application/json")
                .header("origin", base.clone())
                .form(&form)
                .send()
                .await
                .expect("apply");
            assert_eq!(response.status().as_u16(), 200, "apply {size}");
            let job: i64 = response.json().await.expect("job id");
            let report = loop {
                let report: Value = client
                    .post(format!("{base}/api/job"))
                    .header("accept", "application/json")
                    .header("origin", base.clone())
                    .form(&[("input[id]", job.to_string())])
                    .send()
                    .await
                    .expect("job")
                    .json()
                    .await
                    .expect("job json");
                if report["status"] != "queued" && report["status"] != "running" {
                    break report;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            };
            seconds.push(started.elapsed().as_secs_f64());
            assert_eq!(report["status"], "done", "{report}");
            assert_eq!(report["applied"].as_u64(), Some(size as u64), "{report}");
        }
        seconds.sort_by(f64::total_cmp);
        let median = seconds[seconds.len() / 2];
        let name = if all_matching {
            format!("bulk_all_matching_{size}")
        } else {
            format!("bulk_{size}")
        };
        bulk.insert(
            name,
            json!({
                "repeats": seconds.len(),
                "median_s": (median * 1000.0).round() / 1000.0,
                "transitions_per_s": (size as f64 / median).round(),
                "all_s": seconds.iter().map(|s| (s * 1000.0).round() / 1000.0).collect::<Vec<_>>(),
            }),
        );
    }
    drop(server);

    // Every row paid so far (single and bulk) is paid, with exactly one audit row.
    let file = data.path().join(server::config::SQLITE_FILE);
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", file.display()))
        .await
        .expect("open the benchmark database");
    let last = i64::try_from(next_id - 1).expect("ids fit");
    let (paid, audited): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM orders WHERE id <= $1 AND state = 'paid'), \
                (SELECT COUNT(*) FROM audit_log WHERE transition = 'pay')",
    )
    .bind(last)
    .fetch_one(&pool)
    .await
    .expect("verify");
    assert_eq!(
        (paid, audited),
        (last, last),
        "every row paid once, with one audit row"
    );
    pool.close().await;

    let report = json!({
        "meta": { "rows": rows, "seed_and_start_s": (seed_seconds * 100.0).round() / 100.0,
                  "server": "target/release/switchyard demo (embedded SQLite, WAL)" },
        "scenarios": {
            "c_latency": latency,
            "a_single_post": single_post,
            "a_single_post_follow_redirect": follow_stats,
            "b_bulk": bulk,
        }
    });
    println!("{}", serde_json::to_string_pretty(&report).expect("json"));
}
