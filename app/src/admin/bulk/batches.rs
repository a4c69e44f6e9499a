//! One batch of a bulk job: a transition through the engine's bulk path (exactly once, by
//! the audit rows a crashed run left), or a deployer's action through its function.

use std::collections::BTreeMap;

use serde_json::Value;
use switchyard_engine::{Actor, BulkMode, BulkRequest, BulkRowOutcome, FireError, ObjectId};

use crate::{
    admin::resource::{
        options::{ActionBatch, ActionOutcome, CustomAction},
        MachineResource,
    },
    db::{
        jobs::{self, JobRecord, Outcomes},
        Db, SqlModel,
    },
    error::AppError,
};

/// A job's stored fields as typed. A job stored before fields were kept holds cleaned
/// arguments instead; cleaning their text again gives the same arguments.
fn stored_fields(stored: &str) -> BTreeMap<String, String> {
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(stored) else {
        return BTreeMap::new();
    };
    map.into_iter()
        .filter_map(|(field, value)| match value {
            Value::Null => None,
            Value::String(text) => Some((field, text)),
            other => Some((field, other.to_string())),
        })
        .collect()
}

impl<O: SqlModel> MachineResource<O> {
    fn no_such_row(&self, position: i64) -> (i64, &'static str, Option<String>) {
        (
            position,
            "skipped",
            Some(format!("No such {}.", self.options.singular)),
        )
    }

    /// One batch of a deployer's action: the rows that exist go to its function, which says
    /// what became of each.
    pub(super) async fn action_batch(
        &self,
        db: &Db,
        action: &CustomAction<O>,
        pending: &[(i64, String)],
        actor: &Actor,
    ) -> Result<Outcomes, AppError> {
        let keys: Vec<ObjectId> = pending
            .iter()
            .filter_map(|(_, id)| self.parse_id(id))
            .collect();
        let rows = self
            .store(db)
            .read_many(&keys)
            .await
            .map_err(AppError::internal)?
            .into_iter()
            .map(|row| self.machine().decode_row(row))
            .collect::<Vec<_>>();
        let positions: std::collections::HashMap<String, i64> = pending
            .iter()
            .map(|(position, id)| (id.clone(), *position))
            .collect();
        let found: Vec<i64> = rows
            .iter()
            .filter_map(|row| positions.get(&row.id().to_string()).copied())
            .collect();
        let present: std::collections::HashSet<i64> = found.iter().copied().collect();
        let mut outcomes: Outcomes = pending
            .iter()
            .filter(|(position, _)| !present.contains(position))
            .map(|(position, _)| self.no_such_row(*position))
            .collect();
        if rows.is_empty() {
            return Ok(outcomes);
        }
        let count = rows.len();
        let batch = ActionBatch {
            rows,
            actor: actor.clone(),
            store: self.store(db).clone(),
        };
        let results = (action.run)(batch)
            .await
            .map_err(|error| AppError::Refused(format!("{}: {error}", action.label)))?;
        if results.len() != count {
            return Err(AppError::internal(format!(
                "bulk action `{}` answered {} outcomes for {count} rows",
                action.name,
                results.len()
            )));
        }
        outcomes.extend(
            found
                .into_iter()
                .zip(results)
                .map(|(position, result)| match result {
                    ActionOutcome::Done => (position, "applied", None),
                    ActionOutcome::Skipped(reason) => (position, "skipped", Some(reason)),
                    ActionOutcome::Failed(reason) => (position, "failed", Some(reason)),
                }),
        );
        Ok(outcomes)
    }

    /// One batch of a transition through the engine's bulk path. Rows a crashed run applied
    /// but did not record are found by their audit rows and recorded as applied, so no row
    /// is applied twice.
    pub(super) async fn transition_batch(
        &self,
        db: &Db,
        job: &JobRecord,
        pending: &[(i64, String)],
        actor: &Actor,
    ) -> Result<Outcomes, AppError> {
        let fields = stored_fields(&job.arguments);
        let keys: Vec<String> = pending.iter().map(|(_, id)| id.clone()).collect();
        let done_before: std::collections::HashSet<String> =
            jobs::already_audited(db, job.id, &keys)
                .await?
                .into_iter()
                .collect();
        let mut outcomes: Outcomes = Vec::with_capacity(pending.len());
        let mut to_fire = Vec::new();
        for (position, id) in pending {
            if done_before.contains(id) {
                outcomes.push((*position, "applied", None));
            } else {
                match self.parse_id(id) {
                    Some(key) => to_fire.push((*position, key)),
                    None => outcomes.push(self.no_such_row(*position)),
                }
            }
        }
        if to_fire.is_empty() {
            return Ok(outcomes);
        }
        let mode = if job.all_or_nothing() {
            BulkMode::AllOrNothing
        } else {
            BulkMode::BestEffort
        };
        let mut request = BulkRequest::new(
            to_fire.iter().map(|(_, key)| key.clone()).collect(),
            &job.transition,
            actor.clone(),
            mode,
        )
        // Read again for every batch: an override saved while the job runs applies to the
        // rows not yet processed.
        .in_console(self.visibility(db).await?)
        .fields(fields)
        .in_job(job.id);
        if job.channel == "api" {
            request = request.through_api();
        }
        let report = self
            .machine_of(&job.transition)
            .fire_bulk(self.store_for(&job.transition, db), request)
            .await
            .map_err(|error| self.fire_error(&job.label, "", error))?;
        let positions: std::collections::HashMap<String, i64> = to_fire
            .iter()
            .map(|(position, key)| (key.to_string(), *position))
            .collect();
        for (key, outcome) in report.rows {
            let Some(position) = positions.get(&key.to_string()).copied() else {
                continue;
            };
            outcomes.push(match outcome {
                BulkRowOutcome::Applied(_) => (position, "applied", None),
                BulkRowOutcome::NotApplied => (
                    position,
                    "not_applied",
                    Some("Held back: another row stopped the all-or-nothing run.".to_owned()),
                ),
                BulkRowOutcome::Failed(FireError::NotFound(_)) => self.no_such_row(position),
                BulkRowOutcome::Failed(error) => {
                    let kind = match &error {
                        FireError::HandlerFailed { .. }
                        | FireError::Vetoed { .. }
                        | FireError::TargetNotAllowed { .. }
                        | FireError::InvalidArguments { .. }
                        | FireError::FormInvalid { .. } => "failed",
                        _ => "skipped",
                    };
                    let sentence = self.fire_error(&job.label, &key.to_string(), error);
                    (position, kind, Some(sentence.to_string()))
                }
            });
        }
        Ok(outcomes)
    }
}
