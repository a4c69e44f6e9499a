//! Test support: the real router on a free port, over a fresh SQLite file or a fresh
//! PostgreSQL database, with demo users, and an HTTP client that keeps cookies.

use std::{net::SocketAddr, path::PathBuf};

use app::db::{scratch::ScratchDatabase, Db};
use server::{
    commands::create_demo_users,
    config::{leptos_options, Config, DatabaseLocation},
    startup,
};
use tokio::net::TcpListener;

pub use app::db::Backend;

/// A running server with its own database (dropped with it).
pub struct TestApp {
    pub address: SocketAddr,
    pub db: Db,
    _database: ScratchDatabase,
}

fn workspace_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(name)
}

/// Starts the app on a fresh database of the given backend with the demo users;
/// `None` when PostgreSQL is not configured outside CI (under `CI=true` that panics).
pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, |_| {}).await
}

/// [`spawn_app`] with settings changed by `configure` (small login limits, a short session
/// lifetime).
pub async fn spawn_app_with(
    backend: Backend,
    configure: impl FnOnce(&mut Config),
) -> Option<TestApp> {
    // Server logs (warnings and errors by default, `RUST_LOG` for more) go to the test's
    // captured output, so a failing test shows why the server answered as it did.
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_test_writer()
        .try_init()
        .ok();
    let Some(database) = ScratchDatabase::create(backend)
        .await
        .expect("a scratch database")
    else {
        eprintln!("TEST_POSTGRES_ADMIN_URL is not set: skipping a PostgreSQL test");
        return None;
    };
    let location = match database.sqlite_directory() {
        Some(directory) => DatabaseLocation::Embedded(directory.to_owned()),
        None => DatabaseLocation::Url(database.url()),
    };
    let mut config = Config::with_defaults(
        location,
        leptos_options(&workspace_file("Leptos.toml")).expect("Leptos.toml"),
    );
    configure(&mut config);
    let db = startup::open_database(&config.database)
        .await
        .expect("open the database");
    create_demo_users(&db).await.expect("demo users");
    let router = startup::build_router(&config, db.clone())
        .await
        .expect("router");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(startup::serve_until(
        listener,
        router,
        std::future::pending(),
    ));
    Some(TestApp {
        address,
        db,
        _database: database,
    })
}

impl TestApp {
    /// The absolute URL of a path on this server.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// A browser-like client: keeps cookies, does not follow redirects, and gives up on a
    /// request after a minute, so a server that never answers fails the test at that request
    /// instead of hanging the run.
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .timeout(std::time::Duration::from_secs(60))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    /// Posts the login form as a browser on this site would.
    pub async fn log_in(
        &self,
        client: &reqwest::Client,
        username: &str,
        password: &str,
    ) -> reqwest::Response {
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

/// Declares one test per backend from an async function taking a [`TestApp`]. With
/// `configure = name;` first, each app's settings go through that `fn(&mut Config)` of the
/// calling module.
#[macro_export]
macro_rules! on_both_backends {
    (configure = $configure:ident; $($name:ident),* $(,)?) => {
        $crate::on_both_backends!(
            @spawn |backend| $crate::support::spawn_app_with(backend, super::$configure);
            $($name),*
        );
    };
    (@spawn $spawn:expr; $($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let app = ($spawn)($crate::support::Backend::Sqlite).await
                        .expect("SQLite is always available");
                    super::$name(app).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(app) = ($spawn)($crate::support::Backend::Postgres).await {
                        super::$name(app).await;
                    }
                }
            )*
        }
    };
    ($($name:ident),* $(,)?) => {
        $crate::on_both_backends!(@spawn $crate::support::spawn_app; $($name),*);
    };
}
