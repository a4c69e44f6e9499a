//! What each subcommand does.

use std::{
    io::{BufRead, IsTerminal},
    net::SocketAddr,
};

use anyhow::{bail, Context};
use app::{
    auth::{
        password,
        password_policy::validate_password,
        users::{self, NewUser},
    },
    db::Db,
};
use tokio::net::TcpListener;

use crate::{
    cli::{CreateUserArgs, DemoArgs, PasswdArgs},
    config::Config,
    startup,
};

/// `switchyard serve`: migrate, then serve until stopped.
pub async fn serve(config: Config, addr: Option<SocketAddr>) -> anyhow::Result<()> {
    let db = startup::open_database(&config.database).await?;
    serve_database(config, db, addr).await
}

async fn serve_database(config: Config, db: Db, addr: Option<SocketAddr>) -> anyhow::Result<()> {
    let addr = addr.unwrap_or(config.leptos_options.site_addr);
    let router = startup::build_router(&config, db.clone()).await?;
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("listening on {addr}"))?;
    let served = startup::serve(listener, router).await;
    db.close().await;
    served
}

/// `switchyard migrate`: apply pending migrations and exit.
pub async fn migrate(config: Config) -> anyhow::Result<()> {
    let db = startup::open_database(&config.database).await?;
    tracing::info!(backend = ?db.backend(), "the database is up to date");
    db.close().await;
    Ok(())
}

/// `switchyard createuser NAME [--superuser]`.
pub async fn create_user(config: Config, args: CreateUserArgs) -> anyhow::Result<()> {
    users::validate_username(&args.username)?;
    let password = match (args.password, args.password_stdin) {
        (Some(password), _) => password,
        (None, true) => read_password_line()?,
        (None, false) => prompt_password("--password-stdin, --password or SWITCHYARD_PASSWORD")?,
    };
    let db = startup::open_database(&config.database).await?;
    let created = users::create(
        &db,
        NewUser {
            username: args.username.clone(),
            password,
            is_superuser: args.superuser,
            is_demo: false,
        },
    )
    .await;
    db.close().await;
    let id = created?;
    let kind = if args.superuser { "superuser" } else { "user" };
    println!("Created {kind} {:?} (id {id}).", args.username.trim());
    Ok(())
}

/// `switchyard passwd NAME [--password-stdin]`: set a user's password and end every session
/// of that user.
pub async fn passwd(config: Config, args: PasswdArgs) -> anyhow::Result<()> {
    let db = startup::open_database(&config.database).await?;
    let changed = passwd_on(&db, &args).await;
    db.close().await;
    changed?;
    println!(
        "Changed the password of {:?}; every session of that user has ended.",
        args.username.trim()
    );
    Ok(())
}

/// `passwd` on an open database: the user is looked up before the password is asked for,
/// so an unknown name fails at once.
async fn passwd_on(db: &Db, args: &PasswdArgs) -> anyhow::Result<()> {
    let username = args.username.trim();
    if users::find_id_by_username(db, username).await?.is_none() {
        bail!("there is no user named {username:?}; nothing was changed");
    }
    let password = if args.password_stdin {
        read_password_line()?
    } else {
        prompt_password("--password-stdin")?
    };
    set_password(db, username, password).await
}

/// Sets a user's password (active or not) under the same rules as `createuser`, and ends
/// every session of that user.
pub async fn set_password(db: &Db, username: &str, password: String) -> anyhow::Result<()> {
    validate_password(&password).map_err(|rule| anyhow::anyhow!("{rule}; nothing was changed"))?;
    let Some(user_id) = users::find_id_by_username(db, username.trim()).await? else {
        bail!(
            "there is no user named {:?}; nothing was changed",
            username.trim()
        );
    };
    let password_hash = password::hash(password)
        .await
        .map_err(|_| anyhow::anyhow!("could not hash the password; nothing was changed"))?;
    if users::set_password_hash(db, user_id, &password_hash, None)
        .await?
        .is_none()
    {
        bail!(
            "the user {:?} was deleted meanwhile; nothing was changed",
            username.trim()
        );
    }
    Ok(())
}

fn read_password_line() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// Asks for the password twice on the terminal; `ways` names the other ways to give it.
fn prompt_password(ways: &str) -> anyhow::Result<String> {
    if !std::io::stdin().is_terminal() {
        bail!("no password given and no terminal to ask on: pass {ways}");
    }
    let password = rpassword::prompt_password("Password: ")?;
    let again = rpassword::prompt_password("Password (again): ")?;
    if password != again {
        bail!("the two passwords differ; nothing was done");
    }
    Ok(password)
}

/// The demo users of SCENARIO.md: each one's password is its own name. Each of the first two
/// is in a group of its own (`managers`, `clerks`), so transition settings can show a
/// transition to some groups and not others.
const DEMO_USERS: [(&str, bool, &[&str], Option<&str>); 3] = [
    ("admin", true, &[], Some("managers")),
    (
        "clerk",
        false,
        &[
            "orders.view",
            "orders.pay",
            "orders.ship",
            "orders.deliver",
            "orders.cancel",
            "campaigns.view",
            "campaigns.add_job",
            "campaigns.produce",
            "campaigns.deliver",
        ],
        Some("clerks"),
    ),
    ("viewer", false, &["orders.view", "campaigns.view"], None),
];

/// `switchyard demo`: create the demo database if absent, then serve it.
pub async fn demo(config: Config, args: DemoArgs) -> anyhow::Result<()> {
    let db = startup::open_database(&config.database).await?;
    if prepare_demo_database(&db, args.orders, args.campaigns).await? {
        tracing::info!(
            orders = args.orders,
            campaigns = args.campaigns,
            "created the demo database"
        );
    } else {
        tracing::info!("the database already has users; serving it as it is");
    }
    serve_database(config, db, args.addr).await
}

/// Fills an empty database with the demo users, `orders` seeded orders and `campaigns`
/// seeded campaigns; a database that has any user is left alone. Answers whether it created
/// the demo.
pub async fn prepare_demo_database(db: &Db, orders: u32, campaigns: u32) -> anyhow::Result<bool> {
    if users::count(db).await? > 0 {
        return Ok(false);
    }
    // Seeding comes first and each table is skipped when it has rows, so a run interrupted
    // between the steps is completed by the next one instead of failing on duplicate ids.
    let rows = |table: &'static str| async move {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        app::with_pool!(db, pool => {
            sqlx::query_scalar::<_, i64>(&sql).fetch_one(pool).await
        })
    };
    if rows("orders").await? == 0 {
        app::orders::seed_orders(db, i64::from(orders))
            .await
            .context("seeding the demo orders")?;
    }
    if rows("campaigns").await? == 0 {
        app::campaigns::seed::seed_campaigns(db, i64::from(campaigns))
            .await
            .context("seeding the demo campaigns")?;
    }
    create_demo_users(db).await?;
    Ok(true)
}

/// Creates the three demo users, marked as demo users so the console shows its banner.
pub async fn create_demo_users(db: &Db) -> anyhow::Result<()> {
    for (name, is_superuser, permissions, group) in DEMO_USERS {
        let id = users::create(
            db,
            NewUser {
                username: name.to_owned(),
                password: name.to_owned(),
                is_superuser,
                is_demo: true,
            },
        )
        .await
        .with_context(|| format!("creating the demo user {name}"))?;
        users::grant(db, id, permissions).await?;
        if let Some(group) = group {
            app::auth::grants::add_to_group(db, name, group)
                .await
                .with_context(|| format!("adding the demo user {name} to {group}"))?;
        }
    }
    Ok(())
}

/// `switchyard recount [RESOURCE…]`: recompute the kept per-state counts from the tables.
pub async fn recount(config: Config, args: crate::cli::RecountArgs) -> anyhow::Result<()> {
    let registry = app::resources::registry().context("registering the resources")?;
    let known: Vec<&str> = registry.iter().map(|resource| resource.name()).collect();
    if let Some(unknown) = args
        .resources
        .iter()
        .find(|name| registry.get(name).is_none())
    {
        eprintln!(
            "switchyard recount: there is no resource `{unknown}`; the resources are {}.",
            known.join(", ")
        );
        std::process::exit(2);
    }
    let db = startup::open_database(&config.database).await?;
    let recounted = recount_on(&db, &registry, &args.resources).await;
    db.close().await;
    for line in recounted? {
        println!("{line}");
    }
    Ok(())
}

/// Recounts the named resources (every one when none is named) and describes each column.
pub async fn recount_on(
    db: &Db,
    registry: &app::admin::resource::registry::ResourceRegistry,
    names: &[String],
) -> anyhow::Result<Vec<String>> {
    let mut lines = Vec::new();
    for resource in registry.iter() {
        if !names.is_empty() && !names.iter().any(|name| name == resource.name()) {
            continue;
        }
        // A database the console never served has no counts yet: install them first.
        app::db::counts::install(db, resource.table()).await?;
        for found in app::db::counts::recount(db, resource.table()).await? {
            let place = format!("{}.{}", resource.name(), found.column);
            if found.corrected.is_empty() {
                lines.push(format!("{place}: {} rows, counts were right", found.rows));
            } else {
                let fixes: Vec<String> = found
                    .corrected
                    .iter()
                    .map(|(value, was, now)| format!("{value} {was} → {now}"))
                    .collect();
                lines.push(format!(
                    "{place}: {} rows, corrected {}",
                    found.rows,
                    fixes.join(", ")
                ));
            }
        }
    }
    Ok(lines)
}
