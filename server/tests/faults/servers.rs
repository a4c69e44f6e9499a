//! Servers for the fault tests: several routers in this process on one database, and real
//! `switchyard` processes a test can kill with SIGKILL (by its own child's pid, never another's).

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use app::db::{scratch::ScratchDatabase, Backend, Db};
use reqwest::{Client, Response, StatusCode};
use server::{
    commands::create_demo_users,
    config::{leptos_options, Config, DatabaseLocation},
    startup,
};
use tokio::net::TcpListener;

fn workspace_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(name)
}

/// A fresh database with the demo users, and the configuration servers on it share.
pub struct Database {
    pub db: Db,
    pub config: Config,
    pub scratch: ScratchDatabase,
}

/// A fresh database of `backend`; `None` for PostgreSQL when it is not configured outside CI.
pub async fn database(backend: Backend) -> Option<Database> {
    let scratch = ScratchDatabase::create(backend)
        .await
        .expect("a scratch database")?;
    let location = match scratch.sqlite_directory() {
        Some(directory) => DatabaseLocation::Embedded(directory.to_owned()),
        None => DatabaseLocation::Url(scratch.url()),
    };
    let config = Config::with_defaults(
        location,
        leptos_options(&workspace_file("Leptos.toml")).expect("Leptos.toml"),
    );
    let db = startup::open_database(&config.database)
        .await
        .expect("open the database");
    create_demo_users(&db).await.expect("demo users");
    Some(Database {
        db,
        config,
        scratch,
    })
}

/// Starts another server in this process on `database`: its own router, job runner and
/// resumer, as a second machine would have.
pub async fn in_process(database: &Database) -> SocketAddr {
    let db = startup::open_database(&database.config.database)
        .await
        .expect("open the database");
    let router = startup::build_router(&database.config, db)
        .await
        .expect("router");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(startup::serve(listener, router));
    address
}

/// A `switchyard serve` process of this build, killed when dropped.
pub struct Process {
    child: Child,
    pub address: SocketAddr,
    log: PathBuf,
}

impl Process {
    /// Starts `switchyard serve` on `database` and waits until it answers `/health`.
    pub async fn start(database: &Database, log_dir: &Path, name: &str) -> Process {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let address: SocketAddr = format!("127.0.0.1:{port}").parse().expect("address");
        let log = log_dir.join(format!("{name}.log"));
        let output = std::fs::File::create(&log).expect("log file");
        let mut command = Command::new(env!("CARGO_BIN_EXE_switchyard"));
        command
            .arg("--leptos-config")
            .arg(workspace_file("Leptos.toml"))
            .env_remove("DATABASE_URL")
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(output.try_clone().expect("log file"))
            .stderr(output);
        match &database.config.database {
            DatabaseLocation::Url(url) => command.arg("--database-url").arg(url),
            DatabaseLocation::Embedded(directory) => command.arg("--data-dir").arg(directory),
        };
        command.arg("serve").arg("--addr").arg(address.to_string());
        let child = command.spawn().expect("start switchyard");
        let mut process = Process {
            child,
            address,
            log,
        };
        process.wait_until_healthy().await;
        process
    }

    async fn wait_until_healthy(&mut self) {
        let started = Instant::now();
        let client = Client::new();
        while started.elapsed() < Duration::from_secs(60) {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("switchyard exited with {status}:\n{}", self.log_text());
            }
            let health = client.get(self.url("/health")).send().await;
            if health.is_ok_and(|response| response.status() == StatusCode::OK) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("switchyard never answered:\n{}", self.log_text());
    }

    /// The absolute URL of a path on this server.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// Kills the process with SIGKILL: no shutdown, no last write.
    pub fn kill(&mut self) {
        self.child.kill().expect("kill");
        self.child.wait().expect("reap");
    }

    /// What the process logged so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A browser-like client logged in as `user` (whose demo password is its name) on `address`.
pub async fn logged_in(address: SocketAddr, user: &str) -> Client {
    let client = Client::builder()
        .cookie_store(true)
        .timeout(Duration::from_secs(120))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let response = client
        .post(format!("http://{address}/login"))
        .header("origin", format!("http://{address}"))
        .form(&[("username", user), ("password", user)])
        .send()
        .await
        .expect("login");
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{user} logs in");
    client
}

/// Calls a server function as a script would.
pub async fn call(
    address: SocketAddr,
    client: &Client,
    endpoint: &str,
    fields: &[(String, String)],
) -> Response {
    client
        .post(format!("http://{address}/api/{endpoint}"))
        .header("accept", "application/json")
        .form(fields)
        .send()
        .await
        .expect("server function")
}

/// The fields of a bulk `pay` over every `new` order ("Select all matching").
pub fn pay_all_new() -> Vec<(String, String)> {
    [
        ("input[resource]", "orders"),
        ("input[transition]", "pay"),
        ("input[all_matching]", "true"),
        ("input[query][states][state]", "new"),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_owned(), value.to_owned()))
    .collect()
}

/// Starts a bulk job over HTTP; its id.
pub async fn apply(address: SocketAddr, client: &Client, fields: &[(String, String)]) -> i64 {
    let response = call(address, client, "bulk_apply", fields).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{:?}",
        response.text().await
    );
    response.json().await.expect("job id")
}

/// `(status, applied, skipped, failed)` of a job, read from the database.
pub async fn progress(db: &Db, job: i64) -> (String, i64, i64, i64) {
    let record = app::db::jobs::job(db, job)
        .await
        .expect("read")
        .expect("job");
    (record.status, record.applied, record.skipped, record.failed)
}

/// Waits until a job is done (or fails the test after `limit`); its final progress.
pub async fn finished(db: &Db, job: i64, limit: Duration) -> (String, i64, i64, i64) {
    let started = Instant::now();
    loop {
        let now = progress(db, job).await;
        if !matches!(now.0.as_str(), "queued" | "running") {
            return now;
        }
        assert!(
            started.elapsed() < limit,
            "job {job} still {now:?} after {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// One number from the database.
pub async fn count(db: &Db, sql: &str) -> i64 {
    app::with_pool!(db, pool => sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await)
        .expect("count")
}

/// Checks that every one of `rows` orders is paid by `job`, with exactly one audit row each,
/// every item recorded and counted once.
pub async fn assert_applied_exactly_once(db: &Db, job: i64, rows: i64) {
    assert_eq!(
        count(db, "SELECT COUNT(*) FROM orders WHERE state = 'paid'").await,
        rows
    );
    let audited = format!("SELECT COUNT(*) FROM audit_log WHERE job_id = {job}");
    assert_eq!(count(db, &audited).await, rows, "one audit row per row");
    let distinct = format!("SELECT COUNT(DISTINCT object_id) FROM audit_log WHERE job_id = {job}");
    assert_eq!(count(db, &distinct).await, rows, "no row audited twice");
    let pending = format!(
        "SELECT COUNT(*) FROM bulk_job_items AS i JOIN bulk_jobs AS j ON j.id = i.job_id \
         WHERE i.job_id = {job} AND i.position > j.done_through"
    );
    assert_eq!(count(db, &pending).await, 0, "every item recorded");
    let applied = format!("SELECT applied FROM bulk_jobs WHERE id = {job}");
    assert_eq!(count(db, &applied).await, rows, "every row counted once");
}
