//! [`ApiFeature`] for [`MachineResource`]: one object with every transition's status on the
//! engine's API channel.

use async_trait::async_trait;
use switchyard_engine::{Actor, Channel, Unavailable};

use super::types::{ApiObject, ApiReason, ApiTransition};
use crate::{
    admin::resource::MachineResource,
    db::{Db, SqlModel},
    error::AppError,
};

/// What the API reads of a resource.
#[async_trait]
pub trait ApiFeature: Send + Sync {
    /// One object as `actor` may use it through the API.
    async fn api_object(&self, db: &Db, id: &str, actor: &Actor) -> Result<ApiObject, AppError>;
}

#[async_trait]
impl<O: SqlModel> ApiFeature for MachineResource<O> {
    async fn api_object(&self, db: &Db, id: &str, actor: &Actor) -> Result<ApiObject, AppError> {
        let loaded = self.load(db, id).await?;
        let first = loaded.first();
        let object = serde_json::to_value(first.object()).map_err(AppError::internal)?;
        let mut states = std::collections::BTreeMap::new();
        let mut transitions = Vec::new();
        for (field, row) in self.fields.iter().zip(&loaded.rows) {
            states.insert(field.name().to_owned(), row.state().to_string());
            for status in field.machine.statuses(row, actor, Channel::Api) {
                let reasons = match &status.status {
                    Ok(()) => Vec::new(),
                    Err(unavailable) => reasons(unavailable),
                };
                transitions.push(ApiTransition {
                    name: status.transition.name().to_string(),
                    field: field.name().to_owned(),
                    label: status.transition.label().to_owned(),
                    available: status.status.is_ok(),
                    reasons,
                });
            }
        }
        Ok(ApiObject {
            resource: self.name().to_owned(),
            id: first.id().to_string(),
            version: first.version().get(),
            states,
            object,
            transitions,
        })
    }
}

/// The reasons of one refusal: one per unmet condition, else one.
fn reasons(unavailable: &Unavailable) -> Vec<ApiReason> {
    let one = |kind| {
        vec![ApiReason {
            kind,
            condition: None,
            message: sentence(unavailable),
        }]
    };
    match unavailable {
        Unavailable::WrongState { .. } => one("wrong_state"),
        Unavailable::Forbidden => one("forbidden"),
        Unavailable::Hidden => one("hidden"),
        Unavailable::ConditionsUnmet { unmet } => unmet
            .iter()
            .map(|condition| ApiReason {
                kind: "condition_unmet",
                condition: Some(condition.name.clone()),
                message: condition.sentence.clone(),
            })
            .collect(),
    }
}

/// The refusal as a sentence: "It cannot start from state `paid`."
fn sentence(unavailable: &Unavailable) -> String {
    let text = unavailable.to_string();
    let mut characters = text.chars();
    match characters.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), characters.as_str()),
        None => text,
    }
}
