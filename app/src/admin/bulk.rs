//! Bulk transitions of a [`MachineResource`]: the actions offered, the preview grouped by
//! reason, and running a stored job batch by batch through the engine's bulk path.

use std::collections::BTreeMap;

use serde_json::Value;
use switchyard_engine::{
    Actor, BulkMode, BulkRequest, BulkRowOutcome, ConsoleRule, FireError, ObjectId, Permission,
    Row, StoredRow,
};

use super::{
    options::{ActionBatch, ActionOutcome, CustomAction},
    resource::MachineResource,
    view::{BulkAction, BulkInput, BulkPreview, PreviewGroup},
    visibility::Visibility,
};
use crate::{
    db::{
        jobs::{self, JobRecord, Outcomes},
        list::ListSpec,
        Db, SqlModel,
    },
    error::AppError,
};

/// Rows per batch of a best-effort job: one load, one compare-and-set, one audit insert each.
const BATCH_ROWS: i64 = 5_000;
/// An all-or-nothing job is one transaction; beyond this it is refused.
pub const ALL_OR_NOTHING_LIMIT: usize = 100_000;
/// Example keys shown per preview group.
const EXAMPLES: usize = 5;
/// Rows a preview of "all matching" reads at a time.
const PREVIEW_CHUNK: u32 = 10_000;

/// What a preview has counted so far.
#[derive(Default)]
struct Tally {
    total: usize,
    will_move: usize,
    groups: BTreeMap<String, PreviewGroup>,
    form: Option<switchyard_engine::Form>,
}

/// What every audit description of a job's rows starts with.
fn job_prefix(job: i64) -> String {
    format!("Bulk job {job}")
}

/// The audit description of every row of a job, as the engine writes it from the job's
/// prefix and the form's note (see `Request::description_prefix`); the resume check looks
/// rows up by it.
pub fn job_description(job: i64, note: Option<&str>) -> String {
    match note.filter(|note| !note.is_empty()) {
        Some(note) => format!("{}: {note}", job_prefix(job)),
        None => job_prefix(job),
    }
}

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
    /// The transitions `actor` may run in bulk: shown to them in the console (the per-object
    /// hook is asked per row, in the preview and the run) and permitted (a predicate
    /// permission is decided per row, so it is offered); then the deployer's actions `actor`
    /// holds the permission for.
    pub(crate) fn bulk_actions(&self, actor: &Actor, rule: &Visibility<O>) -> Vec<BulkAction> {
        let mut actions: Vec<BulkAction> = Vec::new();
        for transition in self.machine.transitions() {
            let permitted = match transition.permission() {
                Some(Permission::Code(code)) => actor.has_perm(code),
                Some(Permission::Predicate(_)) | None => true,
            };
            let name = transition.name().as_str();
            let (shown, _) = rule.decide_without_object(transition, Some(actor));
            if shown && permitted && !actions.iter().any(|a| a.name == name) {
                actions.push(BulkAction {
                    name: name.to_owned(),
                    label: rule.label(transition),
                });
            }
        }
        let custom = self.options.actions.iter().filter(|action| {
            action
                .permission
                .as_deref()
                .is_none_or(|code| actor.has_perm(code))
        });
        actions.extend(custom.map(|action| BulkAction {
            name: action.name.clone(),
            label: action.label.clone(),
        }));
        actions
    }

    /// The rows with the explicit keys, by key, and the keys that do not exist.
    async fn explicit_rows(
        &self,
        db: &Db,
        input: &BulkInput,
    ) -> Result<(Vec<Row<O>>, Vec<String>), AppError> {
        let keys: Vec<ObjectId> = input
            .ids
            .iter()
            .filter_map(|id| self.parse_id(id))
            .collect();
        let stored = self
            .store(db)
            .read_many(&keys)
            .await
            .map_err(AppError::internal)?;
        let rows = self.decode_rows(stored)?;
        let found: std::collections::HashSet<String> =
            rows.iter().map(|row| row.id().to_string()).collect();
        let missing = distinct(&input.ids)
            .into_iter()
            .filter(|id| !found.contains(id))
            .collect();
        Ok((rows, missing))
    }

    fn decode_rows(&self, stored: Vec<StoredRow<O>>) -> Result<Vec<Row<O>>, AppError> {
        stored
            .into_iter()
            .map(|row| self.machine.decode_row(row))
            .collect::<Result<Vec<_>, _>>()
            .map_err(AppError::internal)
    }

    /// The list query "select all matching" stands for, in key order.
    fn matching_spec(&self, input: &BulkInput) -> Result<ListSpec, AppError> {
        Ok(ListSpec {
            states: self.state_filter(&input.query)?,
            search: input.query.q.clone(),
            search_columns: self.options.search.clone(),
            order: ("id".to_owned(), crate::db::list::Direction::Ascending),
            limit: 0,
            offset: 0,
            after: None,
        })
    }

    /// The keys a job runs over, in order: the matching rows' keys, or the explicit keys once
    /// each. Rows are not read here: the runner checks each one, and reports missing keys.
    async fn selected_keys(&self, db: &Db, input: &BulkInput) -> Result<Vec<String>, AppError> {
        if input.all_matching {
            self.store(db)
                .matching_keys(&self.matching_spec(input)?)
                .await
                .map_err(AppError::internal)
        } else {
            Ok(distinct(&input.ids))
        }
    }

    fn bulk_transition(
        &self,
        name: &str,
        actor: &Actor,
        rule: &Visibility<O>,
    ) -> Result<String, AppError> {
        let action = self
            .bulk_actions(actor, rule)
            .into_iter()
            .find(|action| action.name == name);
        match action {
            Some(action) => Ok(action.label),
            None if self.machine.declarations_of(name).next().is_some()
                || self.custom_action(name).is_some() =>
            {
                Err(AppError::NotAllowed(format!(
                    "You may not run `{name}` on several objects."
                )))
            }
            None => Err(AppError::NotFound(format!("Transition `{name}`"))),
        }
    }

    /// What running `input` would do now, grouped by reason; nothing is written. "All
    /// matching" is read in chunks of `PREVIEW_CHUNK` rows in key order, so a preview of a
    /// million rows holds one chunk at a time.
    pub(crate) async fn bulk_preview(
        &self,
        db: &Db,
        input: &BulkInput,
        actor: &Actor,
    ) -> Result<BulkPreview, AppError> {
        let rule = self.visibility(db).await?;
        let label = self.bulk_transition(&input.transition, actor, &rule)?;
        let mut tally = Tally::default();
        if input.all_matching {
            let mut spec = self.matching_spec(input)?;
            spec.limit = PREVIEW_CHUNK;
            loop {
                let chunk = self
                    .store(db)
                    .all_matching(&spec)
                    .await
                    .map_err(AppError::internal)?;
                let last = chunk.last().map(|row| row.id.clone());
                let full = chunk.len() == PREVIEW_CHUNK as usize;
                self.tally(&mut tally, &self.decode_rows(chunk)?, input, actor, &rule)?;
                match last.filter(|_| full) {
                    Some(key) => spec.after = Some(key),
                    None => break,
                }
            }
        } else {
            let (rows, missing) = self.explicit_rows(db, input).await?;
            self.tally(&mut tally, &rows, input, actor, &rule)?;
            if !missing.is_empty() {
                tally.total += missing.len();
                tally.groups.insert(
                    format!("No such {}.", self.options.singular),
                    PreviewGroup {
                        reason: format!("No such {}.", self.options.singular),
                        count: missing.len(),
                        examples: missing.iter().take(EXAMPLES).cloned().collect(),
                    },
                );
            }
        }
        let mut groups: Vec<PreviewGroup> = tally.groups.into_values().collect();
        groups.sort_by(|a, b| b.count.cmp(&a.count).then(a.reason.cmp(&b.reason)));
        Ok(BulkPreview {
            title: self.options.title.clone(),
            singular: self.options.singular.clone(),
            label,
            total: tally.total,
            will_move: tally.will_move,
            groups,
            form: tally.form,
            all_or_nothing: self.options.all_or_nothing_by_default(&input.transition),
            choose_mode: self.custom_action(&input.transition).is_none(),
            message: None,
            values: BTreeMap::new(),
            errors: Default::default(),
        })
    }

    /// Counts `rows` into `tally`: each through the same availability check as its button,
    /// or, for a deployer's action, as rows it will process.
    fn tally(
        &self,
        tally: &mut Tally,
        rows: &[Row<O>],
        input: &BulkInput,
        actor: &Actor,
        rule: &Visibility<O>,
    ) -> Result<(), AppError> {
        tally.total += rows.len();
        if self.custom_action(&input.transition).is_some() {
            tally.will_move += rows.len();
            return Ok(());
        }
        for row in rows {
            let transition = self.declared(&input.transition, row)?;
            if tally.form.is_none() {
                tally.form = rule.form(transition).cloned();
            }
            match self.availability(transition, row, actor, rule) {
                Ok(()) => tally.will_move += 1,
                Err(error) => {
                    let reason = error.to_string();
                    let group = tally.groups.entry(reason.clone()).or_insert(PreviewGroup {
                        reason,
                        count: 0,
                        examples: Vec::new(),
                    });
                    group.count += 1;
                    if group.examples.len() < EXAMPLES {
                        group.examples.push(row.id().to_string());
                    }
                }
            }
        }
        Ok(())
    }

    /// Checks `input`, cleans its form once and stores the job; returns its id.
    pub(crate) async fn create_bulk_job(
        &self,
        db: &Db,
        input: &BulkInput,
        actor: &Actor,
    ) -> Result<i64, AppError> {
        let rule = self.visibility(db).await?;
        let label = self.bulk_transition(&input.transition, actor, &rule)?;
        let ids = self.selected_keys(db, input).await?;
        if ids.is_empty() {
            return Err(AppError::Invalid(format!(
                "Select at least one {} first.",
                self.options.singular
            )));
        }
        let all_or_nothing = input
            .all_or_nothing
            .unwrap_or_else(|| self.options.all_or_nothing_by_default(&input.transition));
        if all_or_nothing && self.custom_action(&input.transition).is_some() {
            return Err(AppError::Invalid(format!(
                "{label} runs row by row; all or nothing is for transitions."
            )));
        }
        if all_or_nothing && ids.len() > ALL_OR_NOTHING_LIMIT {
            return Err(AppError::Invalid(format!(
                "All or nothing runs in one transaction, up to {ALL_OR_NOTHING_LIMIT} rows; \
                 choose best effort or a smaller selection."
            )));
        }
        // Checked now so that the page can show each field's errors; every batch cleans
        // the same fields again inside its fire, by the same form.
        let note = match self
            .machine
            .clean_fields(&input.transition, &rule, &input.fields)
        {
            Some(cleaned) => cleaned.map_err(AppError::FormInvalid)?.note,
            None => None,
        };
        let arguments = serde_json::to_value(&input.fields).map_err(AppError::internal)?;
        let job = jobs::NewJob {
            resource: self.machine.resource().to_owned(),
            transition: input.transition.clone(),
            label,
            mode: if all_or_nothing {
                "all_or_nothing"
            } else {
                "best_effort"
            },
            arguments,
            description: note,
            actor_id: actor.id.unwrap_or_default(),
            actor_username: actor.username.clone(),
        };
        Ok(jobs::create_job(db, &job, &ids).await?)
    }

    /// Runs a stored job to its end, or until it is cancelled, batch by batch: a transition
    /// through the engine's bulk path, a deployer's action through its function.
    pub(crate) async fn run_bulk_job(
        &self,
        db: &Db,
        job: &JobRecord,
        actor: &Actor,
        runner: &str,
    ) -> Result<(), AppError> {
        jobs::set_status(db, job.id, "running", None).await?;
        let custom = self.custom_action(&job.transition);
        let batch = if job.all_or_nothing() {
            i64::MAX
        } else {
            BATCH_ROWS
        };
        loop {
            if !jobs::claim(db, job.id, runner).await? {
                tracing::warn!(job = job.id, "another run took this job over; stopping");
                return Ok(());
            }
            let current = jobs::job(db, job.id)
                .await?
                .ok_or_else(|| AppError::internal("a running job disappeared"))?;
            if current.cancel_requested {
                jobs::set_status(db, job.id, "cancelled", None).await?;
                return Ok(());
            }
            let pending = jobs::pending_items(db, job.id, batch).await?;
            if pending.is_empty() {
                jobs::set_status(db, job.id, "done", None).await?;
                return Ok(());
            }
            let outcomes = match custom {
                Some(action) => self.action_batch(db, action, &pending, actor).await?,
                None => self.transition_batch(db, job, &pending, actor).await?,
            };
            jobs::record_outcomes(db, job.id, &outcomes).await?;
        }
    }

    /// The deployer's action of this name, if it is one.
    fn custom_action(&self, name: &str) -> Option<&CustomAction<O>> {
        self.options
            .actions
            .iter()
            .find(|action| action.name == name)
    }

    fn no_such_row(&self, position: i64) -> (i64, &'static str, Option<String>) {
        (
            position,
            "skipped",
            Some(format!("No such {}.", self.options.singular)),
        )
    }

    /// One batch of a deployer's action: the rows that exist go to its function, which says
    /// what became of each.
    async fn action_batch(
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
            .map(|row| self.machine.decode_row(row))
            .collect::<Result<Vec<_>, _>>()
            .map_err(AppError::internal)?;
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
    async fn transition_batch(
        &self,
        db: &Db,
        job: &JobRecord,
        pending: &[(i64, String)],
        actor: &Actor,
    ) -> Result<Outcomes, AppError> {
        let description = job_description(job.id, job.description.as_deref());
        let fields = stored_fields(&job.arguments);
        let keys: Vec<String> = pending.iter().map(|(_, id)| id.clone()).collect();
        let done_before: std::collections::HashSet<String> =
            jobs::already_audited(db, &job.resource, &description, &keys)
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
        let request = BulkRequest::new(
            to_fire.iter().map(|(_, key)| key.clone()).collect(),
            &job.transition,
            actor.clone(),
            mode,
        )
        // Read again for every batch: an override saved while the job runs applies to the
        // rows not yet processed.
        .in_console(self.visibility(db).await?)
        .fields(fields)
        .description_prefix(&job_prefix(job.id));
        let report = self
            .machine
            .fire_bulk(self.store(db), request)
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

/// `ids` without repeats, first occurrence first.
fn distinct(ids: &[String]) -> Vec<String> {
    let mut seen = std::collections::HashSet::with_capacity(ids.len());
    ids.iter()
        .filter(|id| seen.insert(id.as_str()))
        .cloned()
        .collect()
}
