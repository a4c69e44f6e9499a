//! The switchyard server: configuration, router, and the commands of the binary.

pub mod api;
pub mod api_errors;
pub mod cli;
pub mod commands;
pub mod config;
pub mod graph;
pub mod permissions;
pub mod security;
pub mod startup;
pub mod telemetry;
pub mod tokens;

use cli::{Cli, Command, ServeArgs};

/// Runs the command the user asked for.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = config::Config::from_args(&cli.config)?;
    match cli.command.unwrap_or(Command::Serve(ServeArgs::default())) {
        Command::Serve(args) => commands::serve(config, args.addr).await,
        Command::Migrate => commands::migrate(config).await,
        Command::Createuser(args) => commands::create_user(config, args).await,
        Command::Passwd(args) => commands::passwd(config, args).await,
        Command::Demo(args) => commands::demo(config, args).await,
        Command::Grant(args) => permissions::grant(config, args).await,
        Command::Revoke(args) => permissions::revoke(config, args).await,
        Command::Group(args) => permissions::group(config, args).await,
        Command::Permissions => permissions::list(),
        Command::Graph(args) => graph::graph(&args),
        Command::Recount(args) => commands::recount(config, args).await,
        Command::Token(command) => tokens::run(config, command).await,
    }
}
