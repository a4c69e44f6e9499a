//! The permission commands: `grant`, `revoke`, `group` and `permissions`.

use anyhow::{bail, Context};
use app::auth::grants::{self, Grantee};

use crate::{
    cli::{GrantArgs, GroupArgs},
    config::Config,
    startup,
};

/// Every code the registered resources check, in registration order.
fn known_codes() -> anyhow::Result<Vec<String>> {
    let registry = app::resources::registry().context("registering the resources")?;
    Ok(registry
        .iter()
        .flat_map(|resource| resource.permission_codes())
        .collect())
}

fn grantee(args: &GrantArgs) -> anyhow::Result<Grantee> {
    match (&args.user, &args.group) {
        (Some(user), None) => Ok(Grantee::User(user.clone())),
        (None, Some(group)) => Ok(Grantee::Group(group.clone())),
        _ => bail!("name exactly one of --user and --group"),
    }
}

fn describe(grantee: &Grantee) -> String {
    match grantee {
        Grantee::User(name) => format!("user {name:?}"),
        Grantee::Group(name) => format!("group {name:?}"),
    }
}

/// `switchyard permissions`.
pub fn list() -> anyhow::Result<()> {
    for code in known_codes()? {
        println!("{code}");
    }
    Ok(())
}

/// `switchyard grant CODE… --user NAME | --group NAME`; unknown codes are refused, so a typo
/// never grants nothing silently.
pub async fn grant(config: Config, args: GrantArgs) -> anyhow::Result<()> {
    let known = known_codes()?;
    let unknown: Vec<&String> = args.codes.iter().filter(|c| !known.contains(c)).collect();
    if !unknown.is_empty() {
        bail!(
            "unknown permission code(s) {unknown:?}; the codes are: {}",
            known.join(", ")
        );
    }
    let grantee = grantee(&args)?;
    let db = startup::open_database(&config.database).await?;
    let result = grants::grant(&db, &grantee, &args.codes).await;
    db.close().await;
    result?;
    println!(
        "Granted {} to {}.",
        args.codes.join(", "),
        describe(&grantee)
    );
    Ok(())
}

/// `switchyard revoke CODE… --user NAME | --group NAME`.
pub async fn revoke(config: Config, args: GrantArgs) -> anyhow::Result<()> {
    let grantee = grantee(&args)?;
    let db = startup::open_database(&config.database).await?;
    let result = grants::revoke(&db, &grantee, &args.codes).await;
    db.close().await;
    let removed = result?;
    println!("Revoked {removed} grant(s) from {}.", describe(&grantee));
    Ok(())
}

/// `switchyard group USER GROUP [--remove]`.
pub async fn group(config: Config, args: GroupArgs) -> anyhow::Result<()> {
    let db = startup::open_database(&config.database).await?;
    let result = if args.remove {
        grants::remove_from_group(&db, &args.username, &args.group)
            .await
            .map(|was_in| {
                if was_in {
                    format!("Took {:?} out of group {:?}.", args.username, args.group)
                } else {
                    format!("{:?} was not in group {:?}.", args.username, args.group)
                }
            })
    } else {
        grants::add_to_group(&db, &args.username, &args.group)
            .await
            .map(|()| format!("{:?} is in group {:?}.", args.username, args.group))
    };
    db.close().await;
    println!("{}", result?);
    Ok(())
}
