//! SCENARIO steps a to d over real HTTP, the way the Python peer's `bench.py` runs them:
//! the release `switchyard demo` binary on a fresh embedded SQLite database (WAL) with
//! 100,000 orders, driven by a client on the same host with logged-in sessions.
//!
//! `cargo bench -p server --bench console_http` prints one JSON document with the peer's
//! step names (`c_latency.changelist_state_new`, `a_single_post`, `d_concurrency`, …).
//! Steps `a_api` and `d_api` are a and d through the automation API (`/api/v1`, a bearer
//! token per client, made with `switchyard token create` as a deployer would).
//! Environment: `BENCH_STEPS` (`a,b,c,d,a_api,d_api`: the steps to run), `BENCH_ROWS` (100000),
//! `BENCH_SINGLE` (300), `BENCH_LATENCY_N` (50), `BENCH_BULK_ALL` (0; 1 adds a bulk run over
//! every row still `new`, through "Select all matching"), `BENCH_SERVER_BIN` (another
//! `switchyard` binary to measure instead of this build's), `BENCH_POSTGRES_ADMIN_URL` (run
//! the server on a new database on that PostgreSQL server instead of SQLite).

use std::{
    collections::{BTreeMap, HashMap},
    net::TcpListener,
    ops::RangeInclusive,
    process::{Child, Command, Stdio},
    sync::Arc,
    time::{Duration, Instant},
};

use app::db::Db;
use rand::{rngs::StdRng, seq::SliceRandom, SeedableRng};
use reqwest::Client;
use serde_json::{json, Value};
use tokio::sync::Barrier;

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

/// With `BENCH_POSTGRES_ADMIN_URL` set (`postgres://postgres@127.0.0.1:5432/postgres`, say),
/// a new empty database on that server for this run, as a URL; else `None` (SQLite).
async fn fresh_postgres_database() -> Option<String> {
    let admin_url = std::env::var("BENCH_POSTGRES_ADMIN_URL").ok()?;
    let name = format!("switchyard_bench_{}", std::process::id());
    let admin = sqlx::PgPool::connect(&admin_url)
        .await
        .expect("connect to BENCH_POSTGRES_ADMIN_URL");
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
        .execute(&admin)
        .await
        .expect("drop an old bench database");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&admin)
        .await
        .expect("create the bench database");
    let base = admin_url
        .rsplit_once('/')
        .map_or(admin_url.as_str(), |(base, _)| base);
    Some(format!("{base}/{name}"))
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

/// A client with its own session, logged in as a demo user (each call is a new session).
async fn logged_in(base: &str, user: &str) -> Client {
    let client = Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let login = client
        .post(format!("{base}/login"))
        .form(&[("username", user), ("password", user)])
        .send()
        .await
        .expect("login");
    assert_eq!(login.status().as_u16(), 303, "{user} logs in");
    client
}

/// `pay` on one order as the console's button posts it (the page showed version 1).
async fn pay(client: &Client, base: &str, id: usize) -> reqwest::Response {
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
        .header("origin", base)
        .form(&form)
        .send()
        .await
        .expect("fire")
}

/// `pay` on one order as a program fires it through the API (it read version 1).
async fn api_pay(client: &Client, base: &str, token: &str, id: usize) -> reqwest::Response {
    client
        .post(format!(
            "{base}/api/v1/resources/orders/objects/{id}/transitions/pay"
        ))
        .bearer_auth(token)
        .json(&json!({ "version": 1 }))
        .send()
        .await
        .expect("fire through the API")
}

/// Who pays: a logged-in session posting the console's form, or a program with a token.
#[derive(Clone)]
enum Payer {
    Console(Client),
    Api(Client, String),
}

impl Payer {
    async fn pay(&self, base: &str, id: usize) -> reqwest::Response {
        match self {
            Payer::Console(client) => pay(client, base, id).await,
            Payer::Api(client, token) => api_pay(client, base, token, id).await,
        }
    }
}

/// A token of `user`, made by the command a deployer runs.
fn api_token(data: &std::path::Path, user: &str, name: &str) -> String {
    let made = Command::new(server_binary())
        .args(["token", "create", user, "--name", name, "--data-dir"])
        .arg(data)
        .env("RUST_LOG", "warn")
        .output()
        .expect("switchyard token create");
    assert!(made.status.success(), "token create: {made:?}");
    String::from_utf8(made.stdout)
        .expect("the secret")
        .trim()
        .to_owned()
}

/// "Apply" of a bulk `pay` over `ids` (or over every `new` row), answering the job's id.
async fn bulk_pay(client: &Client, base: &str, ids: Option<RangeInclusive<usize>>) -> i64 {
    let mut form: Vec<(String, String)> = vec![
        ("input[resource]".to_owned(), "orders".to_owned()),
        ("input[transition]".to_owned(), "pay".to_owned()),
    ];
    match ids {
        None => {
            form.push(("input[all_matching]".to_owned(), "true".to_owned()));
            form.push(("input[query][states][state]".to_owned(), "new".to_owned()));
        }
        Some(ids) => form.extend(
            ids.enumerate()
                .map(|(i, id)| (format!("input[ids][{i}]"), id.to_string())),
        ),
    }
    let response = client
        .post(format!("{base}/api/bulk_apply"))
        .header("accept", "application/json")
        .header("origin", base)
        .form(&form)
        .send()
        .await
        .expect("apply");
    assert_eq!(response.status().as_u16(), 200, "apply");
    response.json().await.expect("job id")
}

/// The job's report once it has stopped running.
async fn finished_job(client: &Client, base: &str, job: i64) -> Value {
    loop {
        let report: Value = client
            .post(format!("{base}/api/job"))
            .header("accept", "application/json")
            .header("origin", base)
            .form(&[("input[id]", job.to_string())])
            .send()
            .await
            .expect("job")
            .json()
            .await
            .expect("job json");
        if report["status"] != "queued" && report["status"] != "running" {
            return report;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// d. Eight sessions `pay` the same orders, each in its own shuffled order, released together;
/// then two sessions bulk-`pay` the same `race` orders at once. Panics on any 5xx, any answer
/// other than applied (200) or refused (409, 422), and any order applied twice.
async fn concurrency(
    base: &str,
    db: &Db,
    orders: RangeInclusive<usize>,
    race: RangeInclusive<usize>,
) -> Value {
    let mut payers = Vec::new();
    for k in 0..8 {
        // Both users that may pay, in turns: a user's logins are throttled (10 at once).
        payers.push(Payer::Console(
            logged_in(base, ["admin", "clerk"][k % 2]).await,
        ));
    }
    let mut figures = race_to_pay(base, db, orders, payers).await;
    figures["bulk_race"] = bulk_race(base, db, race).await;
    figures
}

/// Each payer pays every one of `orders` in its own shuffled order, all released together.
/// Panics on any 5xx, any answer other than applied (200) or refused (409, 422), any order
/// applied twice or not at all, and any order without exactly one audit row.
async fn race_to_pay(
    base: &str,
    db: &Db,
    orders: RangeInclusive<usize>,
    payers: Vec<Payer>,
) -> Value {
    let clients = payers.len();
    let barrier = Arc::new(Barrier::new(clients));
    let mut racers = Vec::new();
    for (k, payer) in payers.into_iter().enumerate() {
        let mut order: Vec<usize> = orders.clone().collect();
        order.shuffle(&mut StdRng::seed_from_u64(1000 + k as u64));
        let (barrier, base) = (Arc::clone(&barrier), base.to_owned());
        racers.push(tokio::spawn(async move {
            barrier.wait().await;
            let mut answers = Vec::with_capacity(order.len());
            for id in order {
                let sent = Instant::now();
                let response = payer.pay(&base, id).await;
                let status = response.status().as_u16();
                response.bytes().await.expect("body");
                answers.push((id, status, sent.elapsed()));
            }
            answers
        }));
    }
    let started = Instant::now();
    let mut samples = Vec::new();
    let mut statuses: BTreeMap<String, usize> = BTreeMap::new();
    let mut applied: HashMap<usize, usize> = HashMap::new();
    for racer in racers {
        for (id, status, latency) in racer.await.expect("a racer") {
            samples.push(latency);
            *statuses.entry(status.to_string()).or_default() += 1;
            match status {
                200 => *applied.entry(id).or_default() += 1,
                409 | 422 => {}
                other => panic!("step d: paying order {id} answered {other}"),
            }
        }
    }
    let wall = started.elapsed().as_secs_f64();
    let twice: Vec<_> = applied.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "step d: orders applied twice: {twice:?}");
    assert_eq!(
        applied.len(),
        orders.clone().count(),
        "step d: every order applied once"
    );
    let (paid, logs, distinct) = paid_and_audited(db, &orders).await;
    let count = orders.count() as i64;
    assert_eq!((paid, logs, distinct), (count, count, count), "step d");
    let requests = samples.len();
    json!({
        "threads": clients, "orders": count, "requests": requests,
        "wall_s": (wall * 100.0).round() / 100.0,
        "requests_per_s": (requests as f64 / wall * 10.0).round() / 10.0,
        "latency": stats(&samples), "http_status": statuses,
        "outcome": { "ok": applied.len(), "refused": requests - applied.len() },
        "db_paid": paid, "pay_log_rows": logs, "double_transitions": logs - distinct,
    })
}

/// Two sessions bulk-`pay` the same `race` orders at once: every order moves once.
async fn bulk_race(base: &str, db: &Db, race: RangeInclusive<usize>) -> Value {
    let sessions = [
        logged_in(base, "admin").await,
        logged_in(base, "clerk").await,
    ];
    let barrier = Barrier::new(2);
    let race_started = Instant::now();
    let bulk = |client: &Client| {
        let (client, barrier, race) = (client.clone(), &barrier, race.clone());
        async move {
            barrier.wait().await;
            let job = bulk_pay(&client, base, Some(race)).await;
            let report = finished_job(&client, base, job).await;
            assert_eq!(report["status"], "done", "step d: {report}");
            json!({ "seconds": (race_started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
                    "applied": report["applied"], "skipped": report["skipped"],
                    "failed": report["failed"] })
        }
    };
    let (first, second) = tokio::join!(bulk(&sessions[0]), bulk(&sessions[1]));
    let responses = [first, second];
    let moved: i64 = responses.iter().filter_map(|r| r["applied"].as_i64()).sum();
    assert_eq!(moved, race.clone().count() as i64, "step d: {responses:?}");

    // What the database holds: each order paid, with exactly one audit row.
    let (race_paid, race_logs, race_distinct) = paid_and_audited(db, &race).await;
    let race_count = race.count() as i64;
    assert_eq!(
        (race_paid, race_logs, race_distinct),
        (race_count, race_count, race_count),
        "step d, the bulk race"
    );
    json!({ "sessions": 2, "orders": race_count, "responses": responses,
            "db_paid": race_paid, "pay_log_rows": race_logs,
            "double_transitions": race_logs - race_distinct })
}

/// c. Page latency: 3 warm-ups, then `latency_n` sequential GETs of each page. The object
/// page of a campaign (two state fields, one of them read from a key table) is measured
/// when the server has the campaigns resource (a build from before it answers 404); the
/// diagram and keyset pages when it has them.
async fn page_latency(client: &Client, base: &str, sample_id: usize, latency_n: usize) -> Value {
    // The deep pages start 90% of the way through the rows (the last order is `sample_id`).
    let deep = sample_id * 9 / 10;
    let mut pages = vec![
        ("home", "/".to_owned()),
        ("changelist_state_new", "/orders?state=new".to_owned()),
        ("changelist_group_open", "/orders?group=open".to_owned()),
        ("changelist_all", "/orders".to_owned()),
        ("deep_offset_page", format!("/orders?page={}", deep / 100)),
        ("change_page", format!("/orders/{sample_id}")),
    ];
    let answers = |path: &'static str| async move {
        let response = client
            .get(format!("{base}{path}"))
            .send()
            .await
            .expect("probe");
        response.status().is_success()
    };
    if answers("/campaigns/1").await {
        pages.push(("campaign_change_page", "/campaigns/1".to_owned()));
    }
    // Builds with the diagram page also page by cursor (`after`): a build before them
    // would ignore the cursor and answer page 1.
    if answers("/orders/diagram").await {
        pages.push(("diagram", "/orders/diagram".to_owned()));
        pages.push(("deep_keyset_page", format!("/orders?after={deep}")));
        pages.push((
            "deep_keyset_page_state_new",
            format!("/orders?state=new&after={deep}"),
        ));
    }
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
    Value::Object(latency)
}

/// a. `pay` on orders `1..=single`, one request each, as the console's button posts it; then
/// on `single / 3` more, each followed by reading the object page again (what the browser
/// does next). Answers both steps' figures and the next unused order.
async fn single_posts(client: &Client, base: &str, single: usize) -> (Value, Value, usize) {
    let single_post = sequential_pays(&Payer::Console(client.clone()), base, 1..=single).await;

    let follow = single / 3;
    let mut samples = Vec::with_capacity(follow);
    for id in single + 1..=single + follow {
        let sent = Instant::now();
        let response = pay(client, base, id).await;
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
    (single_post, stats(&samples), single + follow + 1)
}

/// `pay` on each of `ids` in turn, one request each: latency and transitions per second.
async fn sequential_pays(payer: &Payer, base: &str, ids: RangeInclusive<usize>) -> Value {
    let mut samples = Vec::with_capacity(ids.clone().count());
    let started = Instant::now();
    for id in ids {
        let sent = Instant::now();
        let response = payer.pay(base, id).await;
        let status = response.status().as_u16();
        response.bytes().await.expect("body");
        samples.push(sent.elapsed());
        assert_eq!(status, 200, "pay {id}");
    }
    let wall = started.elapsed().as_secs_f64();
    let mut figures = stats(&samples);
    figures["wall_s"] = json!((wall * 1000.0).round() / 1000.0);
    figures["transitions_per_s"] = json!((samples.len() as f64 / wall * 10.0).round() / 10.0);
    figures
}

/// b. Bulk `pay` over 1,000 and 10,000 fresh `new` rows posted as explicit keys, as the JSON
/// API takes them; with BENCH_BULK_ALL=1, then every row still `new` (1,000,000 with
/// BENCH_ROWS=1033400) through "Select all matching" with the `state=new` filter. Each run is
/// timed from the "Apply" post until the job reports done; every row is checked afterwards.
async fn bulk_runs(client: &Client, base: &str, next_id: &mut usize, rows: usize) -> Value {
    let mut bulk = serde_json::Map::new();
    let mut runs = vec![(1_000, 3, false), (10_000, 3, false)];
    if setting("BENCH_BULK_ALL", 0) > 0 {
        let remaining = (rows + 1)
            .checked_sub(*next_id + 33_000)
            .filter(|remaining| *remaining > 0)
            .expect("BENCH_ROWS leaves no row for the all-matching run");
        runs.push((remaining, 1, true));
    }
    for (size, repeats, all_matching) in runs {
        let mut seconds = Vec::new();
        for _ in 0..repeats {
            assert!(
                *next_id + size <= rows + 1,
                "BENCH_ROWS is too small for the bulk sizes"
            );
            let ids = (!all_matching).then_some(*next_id..=*next_id + size - 1);
            *next_id += size;
            let started = Instant::now();
            let job = bulk_pay(client, base, ids).await;
            let report = finished_job(client, base, job).await;
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
    Value::Object(bulk)
}

/// `(orders paid, pay audit rows, orders with a pay audit row)` among orders `ids`.
async fn paid_and_audited(db: &Db, ids: &RangeInclusive<usize>) -> (i64, i64, i64) {
    let bound = |id: usize| i64::try_from(id).expect("ids fit");
    app::with_pool!(db, pool => sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM orders WHERE id BETWEEN $1 AND $2 AND state = 'paid'), \
                COUNT(*), COUNT(DISTINCT object_id) FROM audit_log \
         WHERE transition = 'pay' AND CAST(object_id AS INTEGER) BETWEEN $1 AND $2",
    )
    .bind(bound(*ids.start()))
    .bind(bound(*ids.end()))
    .fetch_one(pool)
    .await)
    .expect("verify")
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let steps = std::env::var("BENCH_STEPS").unwrap_or_else(|_| "a,b,c,d,a_api,d_api".to_owned());
    let step = |name: &str| steps.split(',').any(|s| s.trim() == name);
    let rows = setting("BENCH_ROWS", 100_000);
    let single = setting("BENCH_SINGLE", 300);
    let latency_n = setting("BENCH_LATENCY_N", 50);
    let data = tempfile::tempdir().expect("a data directory");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let workspace = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

    let postgres = fresh_postgres_database().await;
    let seeding = Instant::now();
    let mut command = Command::new(server_binary());
    command
        .current_dir(workspace)
        .args(["demo", "--addr", &format!("127.0.0.1:{port}"), "--orders"])
        .arg(rows.to_string())
        .arg("--data-dir")
        .arg(data.path())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null());
    if let Some(url) = &postgres {
        command.env("DATABASE_URL", url);
    }
    let server = Server(command.spawn().expect("start switchyard demo"));
    let mut up = false;
    for _ in 0..600 {
        if let Ok(response) = reqwest::get(format!("{base}/health")).await {
            up = response.status().is_success();
            if up {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(up, "the server did not come up");
    let seed_seconds = seeding.elapsed().as_secs_f64();
    let client = logged_in(&base, "admin").await;
    // Read beside the server (WAL lets a reader in while it writes) to check what it stored.
    let db = match &postgres {
        Some(url) => Db::connect(url).await,
        None => Db::open_sqlite_file(&data.path().join(server::config::SQLITE_FILE)).await,
    }
    .expect("open the benchmark database");

    // Steps run in this order, on distinct rows: c reads the last order (which no other step
    // moves), a and d take the first rows, b the rows after them (its all-matching run,
    // every row still `new`).
    let mut scenarios = serde_json::Map::new();
    if step("c") {
        let latency = page_latency(&client, &base, rows, latency_n).await;
        scenarios.insert("c_latency".to_owned(), latency);
    }
    let mut next_id = 1;
    if step("a") {
        let (single_post, follow, next) = single_posts(&client, &base, single).await;
        scenarios.insert("a_single_post".to_owned(), single_post);
        scenarios.insert("a_single_post_follow_redirect".to_owned(), follow);
        next_id = next;
    }
    if step("d") {
        let (orders, race) = (next_id..=next_id + 199, next_id + 200..=next_id + 1_199);
        assert!(*race.end() < rows, "BENCH_ROWS is too small for step d");
        next_id += 1_200;
        let figures = concurrency(&base, &db, orders, race).await;
        scenarios.insert("d_concurrency".to_owned(), figures);
    }
    if step("a_api") {
        let token = api_token(data.path(), "clerk", "bench-a");
        let payer = Payer::Api(Client::new(), token);
        let figures = sequential_pays(&payer, &base, next_id..=next_id + single - 1).await;
        scenarios.insert("a_api_single_post".to_owned(), figures);
        next_id += single;
    }
    if step("d_api") {
        let orders = next_id..=next_id + 199;
        assert!(
            *orders.end() < rows,
            "BENCH_ROWS is too small for step d_api"
        );
        next_id += 200;
        let payers = (0..8)
            .map(|k| {
                let user = ["admin", "clerk"][k % 2];
                let token = api_token(data.path(), user, &format!("bench-d-{k}"));
                Payer::Api(Client::new(), token)
            })
            .collect();
        let figures = race_to_pay(&base, &db, orders, payers).await;
        scenarios.insert("d_api_concurrency".to_owned(), figures);
    }
    if step("b") {
        let bulk = bulk_runs(&client, &base, &mut next_id, rows).await;
        scenarios.insert("b_bulk".to_owned(), bulk);
    }
    drop(server);

    // Every row paid so far (every step) is paid, with exactly one audit row.
    let moved = 1..=next_id - 1;
    let (paid, audited, distinct) = paid_and_audited(&db, &moved).await;
    let all_pay: i64 = app::with_pool!(&db, pool => {
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE transition = 'pay'")
            .fetch_one(pool)
            .await
    })
    .expect("verify");
    let count = i64::try_from(moved.count()).expect("ids fit");
    assert_eq!(
        (paid, audited, distinct, all_pay),
        (count, count, count, count),
        "every row paid once, with one audit row"
    );
    db.close().await;

    let report = json!({
        "meta": { "rows": rows, "steps": steps,
                  "seed_and_start_s": (seed_seconds * 100.0).round() / 100.0,
                  "server": match &postgres {
                      Some(_) => "target/release/switchyard demo (PostgreSQL)",
                      None => "target/release/switchyard demo (embedded SQLite, WAL)",
                  } },
        "scenarios": scenarios,
    });
    println!("{}", serde_json::to_string_pretty(&report).expect("json"));
}
