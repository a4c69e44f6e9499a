//! [`ApiFeature`] for [`MachineResource`]: one object with every transition's status on the
//! engine's API channel, a page of objects, a page of history, and a fire.

use std::collections::BTreeMap;

use async_trait::async_trait;
use switchyard_engine::{Actor, Channel, FireError, FireRequest, Outcome, Unavailable, Version};

use super::{
    problem::Problem,
    schema::form_schema,
    types::{
        ApiAudit, ApiFireBody, ApiFired, ApiHistoryEntry, ApiHistoryPage, ApiListItem, ApiObject,
        ApiObjectPage, ApiReason, ApiTransition,
    },
};
use crate::{
    admin::{
        list::{
            logic::{cursor_text, list_failure, parse_cursor, quoted},
            types::ListQuery,
        },
        resource::{Loaded, MachineResource},
    },
    db::{history::object_history, list::Seek, Db, SqlModel},
    error::AppError,
};

/// The longest audit note a fire takes, in characters (a textarea's limit).
const DESCRIPTION_MAX: usize = switchyard_engine::TEXTAREA_MAX;

/// What the API reads and fires on a resource.
#[async_trait]
pub trait ApiFeature: Send + Sync {
    /// One object as `actor` may use it through the API.
    async fn api_object(&self, db: &Db, id: &str, actor: &Actor) -> Result<ApiObject, AppError>;
    /// One page of objects: `query`'s filters, search and sort, `limit` rows after the
    /// cursor `query.after`.
    async fn api_objects(
        &self,
        db: &Db,
        query: &ListQuery,
        limit: u32,
    ) -> Result<ApiObjectPage, AppError>;
    /// One object's audit rows, newest first, older than the row `before` when given.
    async fn api_history(
        &self,
        db: &Db,
        id: &str,
        before: Option<i64>,
        limit: u32,
    ) -> Result<ApiHistoryPage, AppError>;
    /// Fires `transition` on `id` as `actor` through the API channel.
    async fn api_fire(
        &self,
        db: &Db,
        id: &str,
        transition: &str,
        body: ApiFireBody,
        actor: &Actor,
    ) -> Result<ApiFired, Problem>;
}

#[async_trait]
impl<O: SqlModel> ApiFeature for MachineResource<O> {
    async fn api_object(&self, db: &Db, id: &str, actor: &Actor) -> Result<ApiObject, AppError> {
        let loaded = self.load(db, id).await?;
        let rule = self.visibility(db).await?;
        let first = loaded.first();
        let object = serde_json::to_value(first.object()).map_err(AppError::internal)?;
        let mut transitions = Vec::new();
        for (field, row) in self.fields.iter().zip(&loaded.rows) {
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
                    form: switchyard_engine::ConsoleRule::form(&rule, status.transition)
                        .map(form_schema),
                });
            }
        }
        Ok(ApiObject {
            resource: self.name().to_owned(),
            id: first.id().to_string(),
            version: first.version().get(),
            states: self.state_names(&loaded),
            object,
            transitions,
        })
    }

    async fn api_objects(
        &self,
        db: &Db,
        query: &ListQuery,
        limit: u32,
    ) -> Result<ApiObjectPage, AppError> {
        let order = self.sort(query)?;
        let store = self.store(db);
        let by_cursor = store.pages_by_cursor(&order.0);
        let (seek, offset) = match query.after.as_deref().filter(|a| !a.is_empty()) {
            None => (None, 0),
            Some(after) if by_cursor => (Some(Seek::After(parse_cursor(after)?)), 0),
            Some(after) => (None, parse_offset(after)?),
        };
        let spec = self
            .list_spec(db, query, order, (limit, offset), seek)
            .await?;
        let found = store.list(&spec).await.map_err(list_failure)?;
        let next = found.more.then(|| match found.sort_keys.last() {
            Some(last) if by_cursor => cursor_text(last),
            _ => format!("+{}", offset + found.rows.len() as u64),
        });
        let mut items = Vec::with_capacity(found.rows.len());
        for (row, others) in found.rows.into_iter().zip(found.other_states) {
            let loaded = self.decode(row, others);
            let first = loaded.first();
            items.push(ApiListItem {
                id: first.id().to_string(),
                version: first.version().get(),
                states: self.state_names(&loaded),
                object: serde_json::to_value(first.object()).map_err(AppError::internal)?,
            });
        }
        Ok(ApiObjectPage {
            items,
            total: found.total,
            next,
            limit,
        })
    }

    async fn api_history(
        &self,
        db: &Db,
        id: &str,
        before: Option<i64>,
        limit: u32,
    ) -> Result<ApiHistoryPage, AppError> {
        let loaded = self.load(db, id).await?;
        let key = loaded.first().id().to_string();
        let mut records =
            object_history(db, self.name(), &key, i64::from(limit) + 1, before).await?;
        let more = records.len() > limit as usize;
        records.truncate(limit as usize);
        let next = more
            .then(|| records.last().map(|record| record.id))
            .flatten();
        let items = records
            .into_iter()
            .map(|record| ApiHistoryEntry {
                id: record.id,
                at: record.created_at,
                actor: record.actor_username,
                transition: record.transition,
                field: record.field,
                source: record.source,
                target: record.target,
                outcome: record.outcome,
                error: record.error,
                arguments: serde_json::from_str(&record.arguments)
                    .unwrap_or(serde_json::Value::Null),
                description: record.description,
            })
            .collect();
        Ok(ApiHistoryPage { items, next })
    }

    /// The engine decides everything, as for the console's button; only the channel differs
    /// (permissions apply, console visibility does not), and the form that cleans the fields
    /// is the one the console's page would show.
    async fn api_fire(
        &self,
        db: &Db,
        id: &str,
        transition: &str,
        body: ApiFireBody,
        actor: &Actor,
    ) -> Result<ApiFired, Problem> {
        let key = self.parse_id(id).ok_or_else(|| {
            Problem::not_found(&format!("{} does not exist.", self.object_name(id)))
        })?;
        let field = self.field_of(transition).ok_or_else(|| {
            Problem::not_found(&format!(
                "{} has no transition `{}`.",
                self.options.title,
                quoted(transition)
            ))
        })?;
        let version = Version::new(body.version).map_err(|_| {
            Problem::bad_request("`version` is the object's version as read: 0 or more.")
        })?;
        let fields = text_fields(&body.fields)?;
        let rule = self.visibility(db).await?;
        let mut request = FireRequest::new(key, transition, actor.clone())
            .in_console(rule.clone())
            .through_api()
            .expecting_version(version)
            .fields(fields);
        if let Some(note) = body.description.as_deref().filter(|note| !note.is_empty()) {
            check_description(note)?;
            request = request.description(note);
        }
        let attempted = field
            .machine
            .attempt(self.store_of(field, db), request)
            .await;
        match attempted.result {
            Ok(fired) => {
                let (from, to) = match &fired.outcome {
                    Outcome::Moved { from, to } => (from.to_string(), to.to_string()),
                    Outcome::Stayed { state } => (state.to_string(), state.to_string()),
                };
                let loaded = self.load(db, id).await.map_err(Problem::from)?;
                let audit = fired.audit;
                Ok(ApiFired {
                    id: fired.row.id().to_string(),
                    transition: transition.to_owned(),
                    field: field.name().to_owned(),
                    from,
                    to,
                    states: self.state_names(&loaded),
                    version: fired.row.version().get(),
                    audit: ApiAudit {
                        transition: audit.transition.to_string(),
                        field: audit.field,
                        source: audit.source.to_string(),
                        target: audit.target.map(|state| state.to_string()),
                        actor: audit.actor_username,
                        arguments: audit.arguments,
                        description: audit.description,
                        outcome: match audit.outcome {
                            switchyard_engine::AuditOutcome::Completed => "completed",
                            switchyard_engine::AuditOutcome::Failed { .. } => "failed",
                        }
                        .to_owned(),
                    },
                })
            }
            Err(error) => {
                let label = self.fired_label(transition, attempted.loaded.as_ref(), &rule);
                Err(self.fire_problem(db, &label, id, error).await)
            }
        }
    }
}

impl<O: SqlModel> MachineResource<O> {
    /// Each state field's stored state, by field name.
    fn state_names(&self, loaded: &Loaded<O>) -> BTreeMap<String, String> {
        self.fields
            .iter()
            .zip(&loaded.rows)
            .map(|(field, row)| (field.name().to_owned(), row.state().to_string()))
            .collect()
    }

    /// A refused or failed fire as a problem: the console's sentence, with a `type` per kind
    /// and what a program needs to act on it.
    async fn fire_problem(&self, db: &Db, label: &str, id: &str, error: FireError) -> Problem {
        let (kind, reasons, error_state) = match &error {
            FireError::Unavailable {
                reason: reason @ Unavailable::Forbidden,
                ..
            } => ("forbidden", reasons(reason), None),
            FireError::Unavailable { reason, .. } => match reason {
                Unavailable::WrongState { .. } => ("wrong-state", reasons(reason), None),
                _ => ("conditions-unmet", reasons(reason), None),
            },
            FireError::InvalidArguments { .. } => ("invalid-fields", Vec::new(), None),
            FireError::Vetoed { .. } => ("vetoed", Vec::new(), None),
            FireError::HandlerFailed { error_state, .. } => (
                "handler-failed",
                Vec::new(),
                error_state.as_ref().map(ToString::to_string),
            ),
            FireError::TargetNotAllowed { .. } => ("target-not-allowed", Vec::new(), None),
            FireError::Store(switchyard_engine::StoreError::Refused(_)) => {
                ("refused-by-database", Vec::new(), None)
            }
            _ => ("", Vec::new(), None),
        };
        let conflict = matches!(error, FireError::Conflict(_));
        let problem = Problem::from(self.fire_error(label, id, &error));
        if conflict {
            let current_version = match self.load(db, id).await {
                Ok(loaded) => Some(loaded.first().version().get()),
                Err(_) => None,
            };
            return Problem::conflict(
                "stale-version",
                &format!(
                    "{label}: this {} has changed since you read it; `current_version` is \
                     its version now. Read it again and decide.",
                    self.options.singular
                ),
            )
            .with_current_version(current_version);
        }
        match kind {
            "" => problem,
            "forbidden" => problem.with_reasons(reasons),
            kind => Problem::unprocessable(kind, &problem.detail)
                .with_reasons(reasons)
                .with_error_state(error_state),
        }
    }
}

/// The fields as a form reads them: text, a number's digits, a box's `true` or nothing;
/// arrays and objects are refused, each named.
pub fn text_fields(
    fields: &BTreeMap<String, serde_json::Value>,
) -> Result<BTreeMap<String, String>, Problem> {
    let mut texts = BTreeMap::new();
    let mut errors = BTreeMap::new();
    for (name, value) in fields {
        let text = match value {
            serde_json::Value::String(text) => text.clone(),
            serde_json::Value::Number(number) => number.to_string(),
            serde_json::Value::Bool(true) => "true".to_owned(),
            serde_json::Value::Bool(false) | serde_json::Value::Null => String::new(),
            _ => {
                errors.insert(
                    name.clone(),
                    vec!["Send a string, a number or a boolean.".to_owned()],
                );
                continue;
            }
        };
        texts.insert(name.clone(), text);
    }
    if errors.is_empty() {
        Ok(texts)
    } else {
        Err(Problem::unprocessable(
            "invalid-fields",
            "Some fields were refused; `errors` has each field's sentences.",
        )
        .with_errors(errors))
    }
}

/// A note is free text of at most [`DESCRIPTION_MAX`] characters, lines and tabs allowed.
fn check_description(note: &str) -> Result<(), Problem> {
    let refused = |c: char| c.is_control() && !matches!(c, '\n' | '\r' | '\t');
    let sentence = if note.chars().any(refused) {
        "Remove the control characters from the description."
    } else if note.chars().count() > DESCRIPTION_MAX {
        "The description is too long: at most 10,000 characters."
    } else {
        return Ok(());
    };
    Err(
        Problem::unprocessable("invalid-fields", sentence).with_errors(BTreeMap::from([(
            "description".to_owned(),
            vec![sentence.to_owned()],
        )])),
    )
}

/// A cursor of a list whose sort cannot seek: `+N`, the rows already read.
fn parse_offset(text: &str) -> Result<u64, AppError> {
    text.strip_prefix('+')
        .and_then(|digits| digits.parse().ok())
        .ok_or_else(|| {
            AppError::Invalid(format!(
                "The page cursor `{}` is not valid; start again from the first page.",
                quoted(text)
            ))
        })
}

/// The reasons of one refusal: one per unmet condition, else one.
fn reasons(unavailable: &Unavailable) -> Vec<ApiReason> {
    let one = |kind: &str| {
        vec![ApiReason {
            kind: kind.to_owned(),
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
                kind: "condition_unmet".to_owned(),
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
