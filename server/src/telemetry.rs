//! Structured logs through `tracing`, filtered by `RUST_LOG` (default: info), on standard
//! error: standard output is the commands' own (`graph`'s DOT, `token create`'s secret).

use tracing_subscriber::{fmt, EnvFilter};

/// Installs the global subscriber; calling it twice (as tests may) is harmless.
pub fn init() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_sessions=warn"));
    let _ = fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(std::io::stderr)
        .try_init();
}
