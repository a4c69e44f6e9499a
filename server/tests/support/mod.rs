//! Test support: the real router on a free port, over a fresh SQLite file or a fresh
//! PostgreSQL database, with demo users, and an HTTP client that keeps cookies.

use std::{net::SocketAddr, path::PathBuf};

use app::db::Db;
use server::{
    commands::create_demo_users,
    config::{leptos_options, Config, DatabaseLocation},
    startup,
};
use tokio::net::TcpListener;

/// Which database a test runs against.
#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A running server with its own database.
pub struct TestApp {
    pub address: SocketAddr,
    pub db: Db,
    _cleanup: Cleanup,
}

enum Cleanup {
    Directory { _dir: tempfile::TempDir },
    PostgresDatabase { admin_url: String, name: String },
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        if let Cleanup::PostgresDatabase { admin_url, name } = self {
            // Dropping happens outside the test's runtime, so use a small one of our own.
            let (admin_url, name) = (admin_url.clone(), name.clone());
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
                if let Ok(runtime) = runtime {
                    runtime.block_on(async {
                        if let Ok(Db::Postgres(pool)) = Db::connect(&admin_url).await {
                            let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                            let _ = sqlx::query(&sql).execute(&pool).await;
                        }
                    });
                }
            })
            .join();
        }
    }
}

fn workspace_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join(name)
}

/// The PostgreSQL URL through which tests create their databases. Under CI a missing
/// server is a failure, never a skip.
pub fn postgres_admin_url() -> Option<String> {
    match std::env::var("TEST_POSTGRES_ADMIN_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|ci| ci == "true") => {
            panic!("CI=true but TEST_POSTGRES_ADMIN_URL is not set: PostgreSQL tests cannot be skipped")
        }
        _ => {
            eprintln!("TEST_POSTGRES_ADMIN_URL is not set: skipping a PostgreSQL test");
            None
        }
    }
}

/// Starts the app on a fresh database of the given backend with the demo users;
/// `None` when PostgreSQL is not configured outside CI.
pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    let (location, cleanup) = match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("temporary directory");
            (DatabaseLocation::Embedded(dir.path().to_owned()), Cleanup::Directory { _dir: dir })
        }
        Backend::Postgres => {
            let admin_url = postgres_admin_url()?;
            let name = format!("switchyard_test_{}", uuid_like());
            let Db::Postgres(admin) = Db::connect(&admin_url).await.expect("PostgreSQL is reachable")
            else {
                panic!("TEST_POSTGRES_ADMIN_URL must be a postgres:// URL");
            };
            sqlx::query(&format!("CREATE DATABASE \"{name}\""))
                .execute(&admin)
                .await
                .expect("create the test database");
            admin.close().await;
            let url = replace_database(&admin_url, &name);
            (DatabaseLocation::Url(url), Cleanup::PostgresDatabase { admin_url, name })
        }
    };
    let config = Config {
        database: location,
        leptos_options: leptos_options(&workspace_file("Leptos.toml")).expect("Leptos.toml"),
        secure_cookies: false,
    };
    let db = startup::open_database(&config.database).await.expect("open the database");
    create_demo_users(&db).await.expect("demo users");
    let router = startup::build_router(&config, db.clone()).await.expect("router");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, router).await });
    Some(TestApp { address, db, _cleanup: cleanup })
}

fn uuid_like() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!("{}_{}", std::process::id(), nanos)
}

fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let base = base.rsplit_once('/').map_or(base, |(head, _)| head);
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}

impl TestApp {
    /// The absolute URL of a path on this server.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// A browser-like client: keeps cookies, does not follow redirects.
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    /// Posts the login form as a browser on this site would.
    pub async fn log_in(&self, client: &reqwest::Client, username: &str, password: &str) -> reqwest::Response {
        client
            .post(self.url("/login"))
            .header("origin", format!("http://{}", self.address))
            .form(&[("username", username), ("password", password)])
            .send()
            .await
            .expect("login request")
    }
}

/// The `Location` header of a redirect.
pub fn location(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("location")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// Declares one test per backend from an async function taking a [`TestApp`].
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let app = $crate::support::spawn_app($crate::support::Backend::Sqlite).await
                        .expect("SQLite is always available");
                    super::$name(app).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(app) = $crate::support::spawn_app($crate::support::Backend::Postgres).await {
                        super::$name(app).await;
                    }
                }
            )*
        }
    };
}
