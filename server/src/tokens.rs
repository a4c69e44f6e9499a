//! `switchyard token create USER --name NAME [--expires-in DAYS]` and
//! `switchyard token revoke ID`. Their events name the command line as who acted.

use anyhow::{bail, Context};
use app::auth::{
    tokens::{self, TokenActor},
    users,
};

use crate::{cli::TokenCommand, config::Config, startup};

/// Runs a `token` command.
pub async fn run(config: Config, command: TokenCommand) -> anyhow::Result<()> {
    let db = startup::open_database(&config.database).await?;
    let done = match command {
        TokenCommand::Create {
            username,
            name,
            expires_in,
        } => create(&db, &username, &name, expires_in).await,
        TokenCommand::Revoke { id } => revoke(&db, id).await,
    };
    db.close().await;
    done
}

async fn create(
    db: &app::db::Db,
    username: &str,
    name: &str,
    days: Option<u32>,
) -> anyhow::Result<()> {
    let Some(user) = users::find_active_by_username(db, username.trim()).await? else {
        bail!("there is no active user named {username:?}; no token was created");
    };
    let token = tokens::create(db, user.id, name, days, TokenActor::CommandLine)
        .await
        .context("creating the token")?;
    let expiry = days.map_or("never expires".to_owned(), |days| {
        format!("expires in {days} days")
    });
    eprintln!(
        "Created token {} for {:?} ({expiry}). Keep the secret now: it is not shown again.",
        token.id, user.username
    );
    println!("{}", token.secret);
    Ok(())
}

async fn revoke(db: &app::db::Db, id: i64) -> anyhow::Result<()> {
    if !tokens::revoke(db, id, TokenActor::CommandLine).await? {
        bail!("there is no live token {id}; nothing was changed");
    }
    println!("Revoked token {id}.");
    Ok(())
}
