//! Bulk transitions of a [`MachineResource`]: the actions offered, the preview grouped by
//! reason, storing a job, and running it batch by batch (the selection is in `selection.rs`,
//! the batches in `batches.rs`).

use std::collections::BTreeMap;

use async_trait::async_trait;
use switchyard_engine::{Actor, Channel, ConsoleRule, Permission, Row};
use tokio::sync::oneshot;

use super::claim::Claim;
use super::types::{BulkAction, BulkInput, BulkPreview, PreviewGroup};
use crate::{
    admin::{
        resource::{options::CustomAction, MachineResource},
        settings::visibility::Visibility,
    },
    db::{
        jobs::{self, ClaimedJob, Created, JobRecord},
        Db, SqlModel,
    },
    error::AppError,
};

/// An all-or-nothing job is one transaction; beyond this it is refused.
const ALL_OR_NOTHING_LIMIT: i64 = 100_000;
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

/// Running a transition or a deployer's action over many objects.
#[async_trait]
pub trait BulkFeature: Send + Sync {
    /// What a bulk action would do through `channel`, grouped by reason; nothing is written.
    async fn bulk_preview(
        &self,
        db: &Db,
        input: &BulkInput,
        actor: &Actor,
        channel: Channel,
    ) -> Result<BulkPreview, AppError>;
    /// Stores a bulk job for `input` (its form cleaned once) to run through `channel`;
    /// returns its id.
    async fn create_bulk_job(
        &self,
        db: &Db,
        input: &BulkInput,
        actor: &Actor,
        channel: Channel,
    ) -> Result<i64, AppError>;
    /// Runs a stored job to its end or its cancellation under `claim` (found as `claimed`),
    /// stopping if another run took the job over; `started` hears of the first batch.
    async fn run_bulk_job(
        &self,
        db: &Db,
        run: (&JobRecord, &Actor),
        claim: (&Claim, ClaimedJob),
        started: Option<oneshot::Sender<()>>,
    ) -> Result<(), AppError>;
}

#[async_trait]
impl<O: SqlModel> BulkFeature for MachineResource<O> {
    /// What running `input` would do now, grouped by reason; nothing is written. "All
    /// matching" is read in chunks of `PREVIEW_CHUNK` rows in key order, so a preview of a
    /// million rows holds one chunk at a time.
    async fn bulk_preview(
        &self,
        db: &Db,
        input: &BulkInput,
        actor: &Actor,
        channel: Channel,
    ) -> Result<BulkPreview, AppError> {
        let rule = self.visibility(db).await?;
        let label = self.bulk_transition(&input.transition, actor, &rule, channel)?;
        let mut tally = Tally::default();
        if input.all_matching {
            let mut spec = self.matching_spec(db, input).await?;
            spec.limit = PREVIEW_CHUNK;
            loop {
                let chunk = self
                    .store_for(&input.transition, db)
                    .all_matching(&spec)
                    .await
                    .map_err(AppError::internal)?;
                let last = chunk.last().map(|row| row.id.clone());
                let full = chunk.len() == PREVIEW_CHUNK as usize;
                let rows = self.decode_rows(&input.transition, chunk);
                self.tally(&mut tally, &rows, input, actor, (&rule, channel))?;
                match last.filter(|_| full) {
                    Some(key) => spec.after = Some(key),
                    None => break,
                }
            }
        } else {
            let (rows, missing) = self.explicit_rows(db, input).await?;
            self.tally(&mut tally, &rows, input, actor, (&rule, channel))?;
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

    /// Checks `input`, cleans its form once and stores the job; returns its id.
    async fn create_bulk_job(
        &self,
        db: &Db,
        input: &BulkInput,
        actor: &Actor,
        channel: Channel,
    ) -> Result<i64, AppError> {
        let rule = self.visibility(db).await?;
        let label = self.bulk_transition(&input.transition, actor, &rule, channel)?;
        let snapshot = self.selected_keys(db, input).await?;
        let all_or_nothing = input
            .all_or_nothing
            .unwrap_or_else(|| self.options.all_or_nothing_by_default(&input.transition));
        if all_or_nothing && self.custom_action(&input.transition).is_some() {
            return Err(AppError::Invalid(format!(
                "{label} runs row by row; all or nothing is for transitions."
            )));
        }
        // Checked now so that the page can show each field's errors; every batch cleans
        // the same fields again inside its fire, by the same form.
        let note = match self.machine_of(&input.transition).clean_fields(
            &input.transition,
            &rule,
            &input.fields,
        ) {
            Some(cleaned) => cleaned.map_err(AppError::FormInvalid)?.note,
            None => None,
        };
        let arguments = serde_json::to_value(&input.fields).map_err(AppError::internal)?;
        let job = jobs::NewJob {
            resource: self.name().to_owned(),
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
            channel: match channel {
                Channel::Console => "console",
                Channel::Api => "api",
            },
        };
        let max_rows = if all_or_nothing {
            ALL_OR_NOTHING_LIMIT
        } else {
            i64::MAX
        };
        match jobs::create_job(db, &job, &snapshot, max_rows).await? {
            Created::Job(id) => Ok(id),
            Created::Empty => Err(AppError::Invalid(format!(
                "Select at least one {} first.",
                self.options.singular
            ))),
            Created::TooMany(_) => Err(AppError::Invalid(format!(
                "All or nothing runs in one transaction, up to {ALL_OR_NOTHING_LIMIT} rows; \
                 choose best effort or a smaller selection."
            ))),
        }
    }

    /// Runs a stored job to its end, or until it is cancelled (see `run_loop.rs`).
    async fn run_bulk_job(
        &self,
        db: &Db,
        run: (&JobRecord, &Actor),
        claim: (&Claim, ClaimedJob),
        started: Option<oneshot::Sender<()>>,
    ) -> Result<(), AppError> {
        self.run_batches(db, run, claim, started).await
    }
}

impl<O: SqlModel> MachineResource<O> {
    /// The transitions `actor` may run in bulk: shown to them in the console (the per-object
    /// hook is asked per row, in the preview and the run) and permitted (a predicate
    /// permission is decided per row, so it is offered); then the deployer's actions `actor`
    /// holds the permission for.
    pub(crate) fn bulk_actions(&self, actor: &Actor, rule: &Visibility<O>) -> Vec<BulkAction> {
        self.bulk_actions_through(actor, rule, Channel::Console)
    }

    /// [`bulk_actions`](Self::bulk_actions) through `channel`: on the API's, visibility
    /// plays no part.
    fn bulk_actions_through(
        &self,
        actor: &Actor,
        rule: &Visibility<O>,
        channel: Channel,
    ) -> Vec<BulkAction> {
        let mut actions: Vec<BulkAction> = Vec::new();
        let transitions = self.fields.iter().flat_map(|f| f.machine.transitions());
        for transition in transitions {
            let permitted = match transition.permission() {
                Some(Permission::Code(code)) => actor.has_perm(code),
                Some(Permission::Predicate(_)) | None => true,
            };
            let name = transition.name().as_str();
            let shown =
                channel == Channel::Api || rule.decide_without_object(transition, Some(actor)).0;
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

    fn bulk_transition(
        &self,
        name: &str,
        actor: &Actor,
        rule: &Visibility<O>,
        channel: Channel,
    ) -> Result<String, AppError> {
        let action = self
            .bulk_actions_through(actor, rule, channel)
            .into_iter()
            .find(|action| action.name == name);
        match action {
            Some(action) => Ok(action.label),
            None if self.field_of(name).is_some() || self.custom_action(name).is_some() => Err(
                AppError::NotAllowed(format!("You may not run `{name}` on several objects.")),
            ),
            None => Err(AppError::NotFound(format!("Transition `{name}`"))),
        }
    }

    /// Counts `rows` into `tally`: each through the same availability check as its button,
    /// or, for a deployer's action, as rows it will process.
    fn tally(
        &self,
        tally: &mut Tally,
        rows: &[Row<O>],
        input: &BulkInput,
        actor: &Actor,
        (rule, channel): (&Visibility<O>, Channel),
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
            match self.availability_through(transition, row, actor, rule, channel) {
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

    /// The deployer's action of this name, if it is one.
    pub(super) fn custom_action(&self, name: &str) -> Option<&CustomAction<O>> {
        self.options
            .actions
            .iter()
            .find(|action| action.name == name)
    }
}
