//! The command line: `serve` (the default), `migrate`, `createuser`, `demo`, and the
//! permission commands `grant`, `revoke`, `group`, `permissions`.

use std::{net::SocketAddr, path::PathBuf};

use clap::{Args, Parser, Subcommand};

/// Switchyard: an admin console for state machines on database rows.
#[derive(Debug, Parser)]
#[command(name = "switchyard", version, about)]
pub struct Cli {
    /// Where the data lives and how the site is served.
    #[command(flatten)]
    pub config: ConfigArgs,
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options every command shares.
#[derive(Debug, Args, Clone)]
pub struct ConfigArgs {
    /// Database URL (`sqlite:PATH` or `postgres://…`). Without one, an SQLite file in
    /// the data directory is used, created and migrated at start.
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Directory of the embedded SQLite database.
    #[arg(
        long,
        env = "SWITCHYARD_DATA_DIR",
        default_value = "switchyard-data",
        global = true
    )]
    pub data_dir: PathBuf,
    /// Runtime site options (Leptos.toml); LEPTOS_* variables override its values.
    #[arg(
        long,
        env = "SWITCHYARD_LEPTOS_CONFIG",
        default_value = "Leptos.toml",
        global = true
    )]
    pub leptos_config: PathBuf,
    /// Mark the session cookie Secure (set this behind HTTPS).
    #[arg(long, env = "SWITCHYARD_SECURE_COOKIES", global = true)]
    pub secure_cookies: bool,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the console (migrating the database first).
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create a user; the password is prompted for unless given by flag or environment.
    Createuser(CreateUserArgs),
    /// Create the demo database with its users if absent, then serve it.
    Demo(DemoArgs),
    /// Grant permission codes (see `permissions`) to a user or a group.
    Grant(GrantArgs),
    /// Revoke permission codes from a user or a group.
    Revoke(GrantArgs),
    /// Put a user in a group (created if needed), or take them out with --remove.
    Group(GroupArgs),
    /// List every permission code the registered resources check.
    Permissions,
}

/// Options of `grant` and `revoke`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("grantee").required(true).args(["user", "group"])))]
pub struct GrantArgs {
    /// The codes, such as `orders.view orders.pay`.
    #[arg(required = true)]
    pub codes: Vec<String>,
    /// The user, by login name.
    #[arg(long)]
    pub user: Option<String>,
    /// The group, by name.
    #[arg(long)]
    pub group: Option<String>,
}

/// Options of `group`.
#[derive(Debug, Args)]
pub struct GroupArgs {
    /// The user, by login name.
    pub username: String,
    /// The group, by name.
    pub group: String,
    /// Take the user out of the group instead.
    #[arg(long)]
    pub remove: bool,
}

/// Options of `serve`.
#[derive(Debug, Args, Default)]
pub struct ServeArgs {
    /// Address to listen on (default: `site-addr` of Leptos.toml, 127.0.0.1:3000).
    #[arg(long, env = "SWITCHYARD_ADDR")]
    pub addr: Option<SocketAddr>,
}

/// Options of `createuser`.
#[derive(Debug, Args)]
pub struct CreateUserArgs {
    /// The login name.
    pub username: String,
    /// Grant every permission.
    #[arg(long)]
    pub superuser: bool,
    /// The password, for scripts (prefer SWITCHYARD_PASSWORD or --password-stdin: a flag
    /// is visible to other users in the process list).
    #[arg(long, env = "SWITCHYARD_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
    /// Read the password from the first line of standard input.
    #[arg(long, conflicts_with = "password")]
    pub password_stdin: bool,
}

/// Options of `demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Address to listen on.
    #[arg(long, env = "SWITCHYARD_ADDR")]
    pub addr: Option<SocketAddr>,
    /// Number of orders to seed when the demo database is created.
    #[arg(long, default_value_t = 1000)]
    pub orders: u32,
}
