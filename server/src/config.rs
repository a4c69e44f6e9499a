//! Resolved configuration: which database, which site files, which cookie settings, how
//! many password attempts, how long a login lasts.

use std::{
    num::NonZeroU32,
    path::{Path, PathBuf},
    time::Duration,
};

use anyhow::Context;
use app::auth::{
    session::DEFAULT_SESSION_LIFETIME,
    throttle::{LoginLimits, Rate},
};
use leptos::config::{get_configuration, LeptosOptions};

use crate::cli::{ConfigArgs, LoginArgs};

/// The embedded database's file name inside the data directory.
pub const SQLITE_FILE: &str = "switchyard.sqlite3";

/// Where the database is.
#[derive(Clone, Debug)]
pub enum DatabaseLocation {
    /// A URL given by `DATABASE_URL` or `--database-url`.
    Url(String),
    /// The embedded SQLite file in this data directory.
    Embedded(PathBuf),
}

/// Everything the server needs to start.
#[derive(Clone, Debug)]
pub struct Config {
    /// The database.
    pub database: DatabaseLocation,
    /// Leptos site options.
    pub leptos_options: LeptosOptions,
    /// Whether the session cookie is marked Secure.
    pub secure_cookies: bool,
    /// Password attempts allowed per username and client address, and hashes at once.
    pub login_limits: LoginLimits,
    /// How long a login lasts at most, whatever its activity.
    pub session_lifetime: Duration,
}

impl Config {
    /// Resolves the command-line options and Leptos.toml into a configuration.
    pub fn from_args(args: &ConfigArgs) -> anyhow::Result<Self> {
        let database = match &args.database_url {
            Some(url) if !url.trim().is_empty() => DatabaseLocation::Url(url.clone()),
            _ => DatabaseLocation::Embedded(args.data_dir.clone()),
        };
        Ok(Self {
            database,
            leptos_options: leptos_options(&args.leptos_config)?,
            secure_cookies: args.secure_cookies,
            login_limits: login_limits(&args.login)?,
            session_lifetime: Duration::from_secs(
                args.login.session_lifetime_minutes.saturating_mul(60),
            ),
        })
    }

    /// A configuration for this database and site, with every other setting at its default.
    pub fn with_defaults(database: DatabaseLocation, leptos_options: LeptosOptions) -> Self {
        Self {
            database,
            leptos_options,
            secure_cookies: false,
            login_limits: LoginLimits::default(),
            session_lifetime: DEFAULT_SESSION_LIFETIME,
        }
    }
}

fn login_limits(args: &LoginArgs) -> anyhow::Result<LoginLimits> {
    let rate = |burst: u32, seconds: u64, what: &str| {
        Ok::<_, anyhow::Error>(Rate {
            burst: NonZeroU32::new(burst)
                .with_context(|| format!("the login burst per {what} must be at least 1"))?,
            every: Duration::from_secs(seconds),
        })
    };
    Ok(LoginLimits {
        per_username: rate(
            args.login_burst_per_user,
            args.login_seconds_per_user,
            "user",
        )?,
        per_address: rate(
            args.login_burst_per_address,
            args.login_seconds_per_address,
            "address",
        )?,
        trust_forwarded_for: args.trust_forwarded_for,
        ..LoginLimits::default()
    })
}

/// Reads Leptos.toml when present; otherwise the site options come from LEPTOS_*
/// variables alone (as when cargo-leptos runs the server).
pub fn leptos_options(path: &Path) -> anyhow::Result<LeptosOptions> {
    let configuration = if path.exists() {
        let path = path
            .to_str()
            .context("the Leptos config path is not UTF-8")?;
        get_configuration(Some(path))
    } else {
        get_configuration(None)
    };
    let mut options = configuration
        .map(|file| file.leptos_options)
        .with_context(|| format!("reading site options from {}", path.display()))?;
    // A release build leaves its assets' hashes beside the binary; without them (tests,
    // `cargo run`) the plain names are served.
    options.hash_files = app::assets::hashed_build(&options);
    Ok(options)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workspace_file(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(name)
    }

    /// cargo-leptos writes the site where Cargo.toml says; the server reads it where
    /// Leptos.toml says. The two must never drift apart.
    #[test]
    fn leptos_toml_and_cargo_toml_agree_on_where_the_site_is() {
        let runtime = leptos_options(&workspace_file("Leptos.toml")).expect("Leptos.toml");
        let manifest = std::fs::read_to_string(workspace_file("Cargo.toml")).expect("Cargo.toml");
        let build_value = |key: &str| {
            manifest
                .lines()
                .skip_while(|line| !line.starts_with("[[workspace.metadata.leptos]]"))
                .find_map(|line| line.strip_prefix(&format!("{key} = ")))
                .map(|value| value.trim_matches('"').to_owned())
                .unwrap_or_else(|| panic!("{key} missing from Cargo.toml"))
        };
        assert_eq!(build_value("name"), &*runtime.output_name);
        assert_eq!(build_value("site-root"), &*runtime.site_root);
        assert_eq!(build_value("site-pkg-dir"), &*runtime.site_pkg_dir);
    }
}
