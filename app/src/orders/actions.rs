//! A bulk action of the demo's own, registered beside the transitions: how a deployer adds one.

use serde_json::json;
use switchyard_engine::Row;

use super::model::Order;
use crate::{
    admin::resource::options::{ActionBatch, ActionFuture, ActionOutcome, CustomAction},
    db::{
        edit::{ChangeNote, EDIT},
        SqlStore,
    },
};

/// "Record payment": notes a payment received outside the shop on each selected order,
/// without moving it (`resume` then returns an order on hold to Paid). Each row is an audited
/// edit; an order whose payment is already recorded is skipped, so running it again on the
/// same rows (as a resumed job may) changes nothing.
pub fn record_payment() -> CustomAction<Order> {
    CustomAction::new(
        "record_payment",
        "Record payment",
        |batch| -> ActionFuture { Box::pin(record(batch)) },
    )
    .permission("orders.change")
}

async fn record(batch: ActionBatch<Order>) -> Result<Vec<ActionOutcome>, String> {
    let mut outcomes = Vec::with_capacity(batch.rows.len());
    for row in batch.rows {
        outcomes.push(record_one(&batch.store, row, &batch.actor).await);
    }
    Ok(outcomes)
}

async fn record_one(
    store: &SqlStore<Order>,
    row: Row<Order>,
    actor: &switchyard_engine::Actor,
) -> ActionOutcome {
    if row.object().payment_recorded {
        return ActionOutcome::Skipped("Its payment is already recorded.".to_owned());
    }
    let note = ChangeNote {
        resource: "orders".to_owned(),
        action: EDIT,
        state: row.state().as_str().to_owned(),
        actor_id: actor.id,
        actor_username: actor.username.clone(),
        details: json!({ "payment_recorded": [false, true] }),
    };
    let (id, version) = (row.id().clone(), row.version());
    let mut order = row.into_object();
    order.payment_recorded = true;
    let columns = ["payment_recorded".to_owned()];
    match store
        .update_columns(&id, version, &order, &columns, &note)
        .await
    {
        Ok(true) => ActionOutcome::Done,
        Ok(false) => ActionOutcome::Skipped(
            "It was changed by someone else since it was read; run the action again.".to_owned(),
        ),
        Err(error) => {
            tracing::error!(order = %id, %error, "recording a payment failed");
            ActionOutcome::Failed("The database refused the change; it has been logged.".to_owned())
        }
    }
}
