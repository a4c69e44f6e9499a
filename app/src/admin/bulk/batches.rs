//! One batch of a bulk job: a transition through the engine's bulk path, recorded on the job
//! in the fire's own transaction (exactly once), or a deployer's action through its function.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::Value;
use switchyard_engine::{
    Actor, BeforeCommit, BulkMode, BulkRequest, FireError, ObjectId, Staged, StoreError,
};

use super::{claim::Claim, run_loop::Position};
use crate::{
    admin::resource::{
        options::{ActionBatch, ActionOutcome, CustomAction},
        MachineResource,
    },
    db::{
        jobs::{self, BatchRecord, JobRecord, Outcomes, Recorded},
        Db, SqlModel, SqlTransaction,
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

    /// One batch of a transition through the engine's bulk path, recorded on the job in the
    /// fire's own transaction. Only a run that found the job started by another one looks for
    /// rows that run applied without recording them (servers from before batches were
    /// recorded in their transaction could leave some): those are recorded as applied, so no
    /// row is applied twice.
    pub(super) async fn transition_batch(
        &self,
        db: &Db,
        (job, actor): (&JobRecord, &Actor),
        claim: &Claim,
        at: &Position,
        pending: &[(i64, String)],
    ) -> Result<Recorded, AppError> {
        let fields = stored_fields(&job.arguments);
        let done_before: HashSet<String> = if at.look_for_unrecorded {
            let keys: Vec<String> = pending.iter().map(|(_, id)| id.clone()).collect();
            jobs::already_audited(db, job.id, &keys)
                .await?
                .into_iter()
                .collect()
        } else {
            HashSet::new()
        };
        let mut outcomes: Outcomes = Vec::new();
        let mut to_fire = Vec::with_capacity(pending.len());
        for (position, id) in pending {
            if done_before.contains(id) {
                continue;
            }
            match self.parse_id(id) {
                Some(key) => to_fire.push(key),
                None => outcomes.push(self.no_such_row(*position)),
            }
        }
        let run = (job.id, claim.runner());
        if to_fire.is_empty() {
            let record = BatchRecord::new(run, at.done_through, pending, outcomes);
            return jobs::record_batch(self.store_for(&job.transition, db), record)
                .await
                .map_err(AppError::internal);
        }
        let mode = if job.all_or_nothing() {
            BulkMode::AllOrNothing
        } else {
            BulkMode::BestEffort
        };
        let mut request = BulkRequest::new(to_fire, &job.transition, actor.clone(), mode)
            // Read again for every batch: an override saved while the job runs applies to the
            // rows not yet processed.
            .in_console(self.visibility(db).await?)
            .fields(fields)
            .in_job(job.id);
        if job.channel == "api" {
            request = request.through_api();
        }
        let mut step = RecordInBatch {
            resource: self,
            job,
            pending,
            record: Some(BatchRecord::new(run, at.done_through, pending, outcomes)),
            recorded: None,
        };
        let report = self
            .machine_of(&job.transition)
            .fire_bulk_then(self.store_for(&job.transition, db), request, &mut step)
            .await
            .map_err(|error| self.fire_error(&job.label, "", &error))?;
        let Some(report) = report else {
            return Ok(Recorded::Lost);
        };
        if let Some(recorded) = step.recorded {
            return Ok(recorded);
        }
        // The fire wrote nothing (every row refused, or all or nothing held the batch back)
        // and rolled back: its outcomes are recorded on their own.
        let mut record = step.record.take().ok_or_else(|| {
            AppError::internal("a batch's record was taken without being written")
        })?;
        let rows: Vec<_> = report
            .rows
            .iter()
            .map(|(key, outcome)| (key, outcome.staged()))
            .collect();
        record.exceptions.extend(step.exceptions(&rows));
        jobs::record_batch(self.store_for(&job.transition, db), record)
            .await
            .map_err(AppError::internal)
    }

    /// A row that did not move, as its job records it; `None` for a row that moved.
    fn exception(
        &self,
        label: &str,
        position: i64,
        key: &ObjectId,
        staged: Staged<'_>,
    ) -> Option<(i64, &'static str, Option<String>)> {
        match staged {
            Staged::Applied => None,
            Staged::NotApplied => Some((
                position,
                "not_applied",
                Some("Held back: another row stopped the all-or-nothing run.".to_owned()),
            )),
            Staged::Failed(FireError::NotFound(_)) => Some(self.no_such_row(position)),
            Staged::Failed(error) => {
                let kind = match error {
                    FireError::HandlerFailed { .. }
                    | FireError::Vetoed { .. }
                    | FireError::TargetNotAllowed { .. }
                    | FireError::InvalidArguments { .. }
                    | FireError::FormInvalid { .. } => "failed",
                    _ => "skipped",
                };
                let sentence = self.fire_error(label, &key.to_string(), error);
                Some((position, kind, Some(sentence.to_string())))
            }
        }
    }
}

/// Records a batch on its job inside the batch's own transaction, just before it commits.
struct RecordInBatch<'a, O> {
    resource: &'a MachineResource<O>,
    job: &'a JobRecord,
    /// The batch's rows as the job holds them: (position, key).
    pending: &'a [(i64, String)],
    /// The record, with the outcomes known before the fire; taken when written.
    record: Option<BatchRecord>,
    /// What writing it came to, once written.
    recorded: Option<Recorded>,
}

impl<O: SqlModel> RecordInBatch<'_, O> {
    /// The rows that did not move, as the job records them. A row that moved costs nothing
    /// here: positions are looked up only when some row did not move.
    fn exceptions(
        &self,
        rows: &[(&ObjectId, Staged<'_>)],
    ) -> Vec<(i64, &'static str, Option<String>)> {
        let mut unmoved = rows
            .iter()
            .filter(|(_, staged)| !matches!(staged, Staged::Applied))
            .peekable();
        if unmoved.peek().is_none() {
            return Vec::new();
        }
        let positions: HashMap<ObjectId, i64> = self
            .pending
            .iter()
            .filter_map(|(position, id)| Some((self.resource.parse_id(id)?, *position)))
            .collect();
        unmoved
            .filter_map(|(key, staged)| {
                let position = positions.get(*key).copied()?;
                self.resource
                    .exception(&self.job.label, position, key, *staged)
            })
            .collect()
    }
}

impl<O: SqlModel> BeforeCommit<SqlTransaction<O>> for RecordInBatch<'_, O> {
    async fn before_commit(
        &mut self,
        tx: &mut SqlTransaction<O>,
        rows: &[(&ObjectId, Staged<'_>)],
    ) -> Result<bool, StoreError> {
        let Some(mut record) = self.record.take() else {
            return Ok(false);
        };
        record.exceptions.extend(self.exceptions(rows));
        let recorded = tx.record_job_batch(record).await?;
        self.recorded = Some(recorded);
        Ok(recorded != Recorded::Lost)
    }
}
