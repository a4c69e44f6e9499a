//! Builds the application: database, session layer, routes. `main` and the tests call
//! the same functions, so tests exercise the real router.

use std::{
    future::Future,
    net::SocketAddr,
    sync::{Arc, OnceLock},
    time::Duration,
};

use anyhow::Context;
use app::{
    admin::{
        bulk::{job_runner, outcomes},
        list::export,
    },
    app::{shell, App},
    auth::{routes as auth_routes, session::DbSessionStore, throttle::LoginGuard},
    db::{counts, Db},
    state::AppState,
};
use axum::{
    extract::State,
    http::{header, HeaderName, HeaderValue, StatusCode},
    middleware::{from_fn, from_fn_with_state},
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use tokio::net::TcpListener;
use tower::Layer;
use tower_http::{
    catch_panic::CatchPanicLayer,
    compression::{
        predicate::{NotForContentType, Predicate},
        CompressionLayer, DefaultPredicate,
    },
    limit::RequestBodyLimitLayer,
    services::{ServeDir, ServeFile},
    set_header::SetResponseHeaderLayer,
    trace::TraceLayer,
};
use tower_sessions::{
    cookie::{time, SameSite},
    session_store::ExpiredDeletion,
    Expiry, SessionManagerLayer,
};

use crate::{
    api_errors::status_from_app_error,
    config::{Config, DatabaseLocation, SQLITE_FILE},
    security::{content_security_policy, provide_request_nonce, refuse_cross_origin},
};

/// The largest request body: a bulk selection of 100,000 keys (the all-or-nothing limit) is
/// about 2.5 MB form-encoded. A larger body is refused with 413 before it is read.
pub const MAX_REQUEST_BODY: usize = 8 * 1024 * 1024;

/// Headers every response carries besides its Content-Security-Policy (`security.rs`, with a
/// nonce per answer): no framing by any site (for browsers older than `frame-ancestors`), no
/// type sniffing, and the full address sent as `Referer` only to this site.
const SECURITY_HEADERS: [(HeaderName, &str); 3] = [
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "same-origin"),
];

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "switchyard_session";

/// Opens (creating if needed) and migrates the configured database.
pub async fn open_database(location: &DatabaseLocation) -> anyhow::Result<Db> {
    let db = match location {
        DatabaseLocation::Url(url) => Db::connect(url)
            .await
            .with_context(|| format!("connecting to {}", redact(url)))?,
        DatabaseLocation::Embedded(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("creating the data directory {}", dir.display()))?;
            let file = dir.join(SQLITE_FILE);
            Db::open_sqlite_file(&file)
                .await
                .with_context(|| format!("opening {}", file.display()))?
        }
    };
    db.migrate().await.context("migrating the database")?;
    Ok(db)
}

/// Builds the whole router around an open, migrated database.
pub async fn build_router(config: &Config, db: Db) -> anyhow::Result<Router> {
    let registry = app::resources::registry().context("registering the resources")?;
    for resource in registry.iter() {
        counts::install(&db, resource.table())
            .await
            .with_context(|| format!("installing the state counts of {}", resource.name()))?;
    }
    counts::spawn_compaction(db.clone());
    let state = AppState {
        leptos_options: config.leptos_options.clone(),
        db,
        registry: Arc::new(registry),
    };
    // Bulk jobs a previous server left unfinished go on where they stopped.
    job_runner::resume_unfinished(&state)
        .await
        .context("resuming bulk jobs")?;
    job_runner::spawn_resumer(state.clone());
    let session_store = DbSessionStore::open(&state.db, config.session_lifetime)
        .await
        .context("preparing the session store")?;
    tokio::spawn(
        session_store
            .clone()
            .continuously_delete_expired(Duration::from_secs(3600)),
    );
    let sessions = SessionManagerLayer::new(session_store)
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(config.secure_cookies)
        .with_expiry(Expiry::OnInactivity(time::Duration::hours(12)));

    let leptos_options = state.leptos_options.clone();
    let routes = route_list();
    // Every page renders its scripts with the nonce its answer's policy names.
    let leptos_context = {
        let context = state.leptos_context();
        move || {
            context();
            provide_request_nonce();
        }
    };
    // Built files get routes of their own: the console's `/:resource/:id` pattern would
    // otherwise claim `/pkg/switchyard.js` before the fallback could serve it.
    let site_root = std::path::PathBuf::from(leptos_options.site_root.as_ref());
    let pkg_dir = site_root.join(leptos_options.site_pkg_dir.as_ref());
    let router = Router::new()
        .route("/health", get(health))
        .nest("/api/v1", crate::api::router())
        .route("/jobs/{id}/outcomes.csv", get(outcomes::outcomes_csv))
        .route("/{resource}/export.csv", get(export::export_csv))
        .nest_service(
            &format!("/{}", leptos_options.site_pkg_dir),
            built_assets(pkg_dir, leptos_options.hash_files),
        )
        .route_service(
            "/favicon.svg",
            ServeFile::new(site_root.join("favicon.svg")),
        )
        .merge(auth_routes::routes(LoginGuard::new(config.login_limits)))
        .leptos_routes_with_context(&state, routes, leptos_context.clone(), move || {
            shell(leptos_options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(leptos_context, shell))
        .layer(from_fn_with_state(
            state.clone(),
            auth_routes::require_login,
        ))
        .layer(from_fn(status_from_app_error))
        .layer(sessions)
        .layer(from_fn(refuse_cross_origin))
        .layer(RequestBodyLimitLayer::new(MAX_REQUEST_BODY))
        // Outside the checks above, so what they refuse under `/api/v1` is a problem too.
        .layer(from_fn(crate::api::problems_for_api))
        // Pages and API answers are compressed as they go; the built assets were compressed
        // once, at build time, and are served as they are.
        .layer(
            CompressionLayer::new().compress_when(
                DefaultPredicate::new()
                    .and(NotForContentType::const_new("application/wasm"))
                    .and(NotForContentType::const_new("text/javascript"))
                    .and(NotForContentType::const_new("text/css")),
            ),
        )
        .layer(from_fn(pages_are_not_stored))
        // A panic on a request path is a bug, but its client still gets an answer (a 500
        // saying so) instead of a dropped connection, and the panic is logged.
        .layer(CatchPanicLayer::custom(answer_panic))
        .layer(TraceLayer::new_for_http())
        .with_state(state);
    let router = SECURITY_HEADERS
        .into_iter()
        .fold(router, |router, (name, value)| {
            router.layer(SetResponseHeaderLayer::if_not_present(
                name,
                HeaderValue::from_static(value),
            ))
        })
        .layer(from_fn(content_security_policy));
    Ok(router)
}

/// How long a browser keeps a built asset: a year, never asking again, when its name
/// changes with its content; otherwise it asks every time.
fn asset_cache_control(hashed_names: bool) -> HeaderValue {
    HeaderValue::from_static(if hashed_names {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    })
}

/// The built JS, WASM and CSS. A release build also wrote each one brotli- and
/// gzip-compressed (`cargo leptos build --release --precompress`); the file the browser's
/// `Accept-Encoding` prefers is sent, with `Vary: Accept-Encoding`.
fn built_assets(
    pkg_dir: std::path::PathBuf,
    hashed_names: bool,
) -> tower_http::set_header::SetResponseHeader<ServeDir, HeaderValue> {
    let files = ServeDir::new(pkg_dir)
        .precompressed_br()
        .precompressed_gzip();
    SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, asset_cache_control(hashed_names))
        .layer(files)
}

/// Middleware: no page is kept by the browser or any cache between, since pages show one
/// user's data (the login page included: it may carry a message for one visitor).
async fn pages_are_not_stored(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let mut response = next.run(request).await;
    if crate::security::is_page(&response) {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// The answer to a request whose handler panicked; what it panicked with goes to the log.
fn answer_panic(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<&str>()
        .map(|text| (*text).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    tracing::error!(panic = %message, "a request handler panicked");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong on the server; it has been logged. Please try again.",
    )
        .into_response()
}

/// The app's routes, worked out once per process.
///
/// Working them out renders the app with resource loading suppressed through a
/// process-wide flag, and a resource first polled while the flag is up waits forever
/// (leptos-rs/leptos#4773). Doing it once, before any router exists, means no page can be
/// rendering meanwhile, even when several routers share the process (the tests).
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// Serves the router until Ctrl-C or SIGTERM.
pub async fn serve(listener: TcpListener, router: Router) -> anyhow::Result<()> {
    serve_until(listener, router, shutdown_signal()).await
}

/// Serves the router until `shutdown` completes. Every request carries its TCP peer's
/// address (`ConnectInfo`), which login throttling counts attempts by; the tests serve
/// through here too, so what they exercise is what runs.
pub async fn serve_until(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let address: SocketAddr = listener.local_addr()?;
    tracing::info!(%address, "listening on http://{address}");
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
    .context("serving")
}

async fn health(State(state): State<AppState>) -> Response {
    let database = format!("{:?}", state.db.backend()).to_lowercase();
    match state.db.ping().await {
        Ok(()) => Json(serde_json::json!({ "status": "ok", "database": database })).into_response(),
        Err(error) => {
            tracing::error!(%error, "health check: the database does not answer");
            let body = serde_json::json!({ "status": "unavailable", "database": database });
            (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

/// A database URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("sqlite:data.db"), "sqlite:data.db");
    }
}
