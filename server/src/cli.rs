//! The command line: `serve` (the default), `migrate`, `createuser`, `passwd`, `demo`,
//! `graph`, `recount`, `token`, and the permission commands `grant`, `revoke`, `group`, `permissions`.

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
    /// How many password attempts are allowed, and how long a login lasts.
    #[command(flatten)]
    pub login: LoginArgs,
}

/// Login throttling and session lifetime (used by `serve` and `demo`).
#[derive(Debug, Args, Clone)]
#[command(next_help_heading = "Logins and sessions")]
pub struct LoginArgs {
    /// Password attempts a username may make in a burst (logins, and current passwords
    /// given to change it).
    #[arg(long, env = "SWITCHYARD_LOGIN_BURST_PER_USER", default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(1..), global = true)]
    pub login_burst_per_user: u32,
    /// Seconds that earn a username one more attempt after its burst.
    #[arg(long, env = "SWITCHYARD_LOGIN_SECONDS_PER_USER", default_value_t = 6,
          value_parser = clap::value_parser!(u64).range(1..), global = true)]
    pub login_seconds_per_user: u64,
    /// Password attempts a client address (an IPv6 /64 counts as one) may make in a burst.
    #[arg(long, env = "SWITCHYARD_LOGIN_BURST_PER_ADDRESS", default_value_t = 30,
          value_parser = clap::value_parser!(u32).range(1..), global = true)]
    pub login_burst_per_address: u32,
    /// Seconds that earn a client address one more attempt after its burst.
    #[arg(long, env = "SWITCHYARD_LOGIN_SECONDS_PER_ADDRESS", default_value_t = 1,
          value_parser = clap::value_parser!(u64).range(1..), global = true)]
    pub login_seconds_per_address: u64,
    /// Take the client address from the last X-Forwarded-For entry. Only behind a reverse
    /// proxy that sets it: otherwise any client can claim any address.
    #[arg(long, env = "SWITCHYARD_TRUST_FORWARDED_FOR", global = true)]
    pub trust_forwarded_for: bool,
    /// Minutes a login lasts at most, whatever its activity (12 idle hours end it too).
    #[arg(long, env = "SWITCHYARD_SESSION_LIFETIME_MINUTES", default_value_t = 720,
          value_parser = clap::value_parser!(u64).range(1..), global = true)]
    pub session_lifetime_minutes: u64,
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
    /// Set a user's password (prompted for, or read with --password-stdin) and end every
    /// session of that user.
    Passwd(PasswdArgs),
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
    /// Draw the state machines: DOT on standard output, or a file whose extension picks the
    /// format (.dot, .svg, .mmd for Mermaid, .png).
    Graph(GraphArgs),
    /// Recompute the per-state counts of every resource (or the ones named) from their
    /// tables, holding writers off meanwhile, and say what was wrong.
    Recount(RecountArgs),
    /// Create or revoke a personal API token.
    #[command(subcommand)]
    Token(TokenCommand),
}

/// What `token` does.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token acting as USER; its secret is printed once.
    Create {
        /// The user, by login name.
        username: String,
        /// What the token is for, to tell it apart later.
        #[arg(long)]
        name: String,
        /// Days until it expires (1 to 3650); it never expires without this.
        #[arg(long)]
        expires_in: Option<u32>,
    },
    /// Revoke a token by its id: every request with it is refused from now on.
    Revoke {
        /// The token's id, as `create` printed it.
        id: i64,
    },
}

/// Options of `graph`.
#[derive(Debug, Args)]
pub struct GraphArgs {
    /// What to draw: `orders` (every state field of it) or `campaigns.review` (one field).
    /// Every resource when none is named.
    pub targets: Vec<String>,
    /// Write to this file instead; its extension picks the format.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Transitions to leave out, by name (`-e hold,reopen`; may be repeated).
    #[arg(short, long = "exclude", value_delimiter = ',')]
    pub exclude: Vec<String>,
}

/// Options of `recount`.
#[derive(Debug, Args)]
pub struct RecountArgs {
    /// The resources to recount; every resource when none is named.
    pub resources: Vec<String>,
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

/// Options of `passwd`.
#[derive(Debug, Args)]
pub struct PasswdArgs {
    /// The login name.
    pub username: String,
    /// Read the new password from the first line of standard input instead of prompting.
    #[arg(long)]
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
    /// Number of campaigns to seed when the demo database is created.
    #[arg(long, default_value_t = 50)]
    pub campaigns: u32,
}
