//! The one firing path, shared by single and bulk fires: load → check → plan → compare-and-set →
//! audit → commit → after-commit hooks.

use std::collections::{HashMap, HashSet};

use crate::actor::Actor;
use crate::commit_step::{BeforeCommit, NoStep, Staged};
use crate::error::FireError;
use crate::guard::{ConsoleRule, Refusal};
use crate::hooks::TransitionEvent;
use crate::machine::Machine;
use crate::names::{ObjectId, StateName, TransitionName};
use crate::plan::{Attempt, Planned};
use crate::request::{
    Attempted, BulkMode, BulkReport, BulkRequest, BulkRowOutcome, FireRequest, Fired,
};
use crate::run::{PreparedCache, Run};
use crate::store::{Row, Store, StoreTransaction, StoredRow};

/// What one row ended as, before being shaped for the caller.
enum Verdict<O> {
    Planned(Box<Planned<O>>),
    Refused(FireError),
    NotApplied,
}

impl<O> Machine<O> {
    /// Turns a stored row into a `Row`. A state value this machine does not declare (a state
    /// retired by a later release, a key row deleted) is kept as an undeclared state: it is
    /// never final, so only transitions from any state (`*`, `+`) leave it.
    pub fn decode_row(&self, stored: StoredRow<O>) -> Row<O> {
        let state = self
            .decode_state(&stored.state)
            .unwrap_or_else(|| StateName::undeclared(&stored.state));
        Row {
            id: stored.id,
            state,
            stored: stored.state,
            version: stored.version,
            object: stored.object,
        }
    }
}

impl<O: Clone + Send + Sync> Machine<O> {
    /// Fires one transition on one row, atomically. See the crate docs for the order of steps.
    pub async fn fire<S: Store<O>, R: ConsoleRule<O>>(
        &self,
        store: &S,
        request: FireRequest<R>,
    ) -> Result<Fired<O>, FireError> {
        self.run_one(store, request, false).await.result
    }

    /// [`fire`](Self::fire), also giving back the row as the fire loaded it, so that a caller
    /// can word a refusal about the object without reading it first.
    pub async fn attempt<S: Store<O>, R: ConsoleRule<O>>(
        &self,
        store: &S,
        request: FireRequest<R>,
    ) -> Attempted<O> {
        self.run_one(store, request, true).await
    }

    async fn run_one<S: Store<O>, R: ConsoleRule<O>>(
        &self,
        store: &S,
        request: FireRequest<R>,
        keep_loaded: bool,
    ) -> Attempted<O> {
        // A lone row is an all-or-nothing batch of one.
        let run = Run::new(
            &request,
            BulkMode::AllOrNothing,
            request.target.expected_version,
        );
        let ids = [request.target.object_id.clone()];
        let mut loaded = keep_loaded.then_some(None);
        let executed = self
            .execute(store, &ids, &run, &mut loaded, &mut NoStep)
            .await;
        let result = match executed {
            Err(error) => Err(error),
            // `NoStep` always commits, so a run is never abandoned here.
            Ok(verdicts) => match verdicts.unwrap_or_default().pop() {
                Some((_, BulkRowOutcome::Applied(fired))) => Ok(*fired),
                Some((_, BulkRowOutcome::Failed(error))) => Err(error),
                // A lone row is never held back by another one; this arm is unreachable in
                // practice.
                Some((_, BulkRowOutcome::NotApplied)) | None => {
                    Err(FireError::NotFound(request.target.object_id.clone()))
                }
            },
        };
        Attempted {
            loaded: loaded.flatten(),
            result,
        }
    }

    /// Fires one transition over many rows with batched reads, writes and audit inserts.
    pub async fn fire_bulk<S: Store<O>, R: ConsoleRule<O>>(
        &self,
        store: &S,
        request: BulkRequest<R>,
    ) -> Result<BulkReport<O>, FireError> {
        self.fire_bulk_then(store, request, &mut NoStep)
            .await
            .map(|report| report.unwrap_or(BulkReport { rows: Vec::new() }))
    }

    /// [`fire_bulk`](Self::fire_bulk) with `step` run in the same transaction just before
    /// it commits (see [`BeforeCommit`]); `None` when the step asked to roll back, in which
    /// case nothing was written and no after-commit hook ran.
    pub async fn fire_bulk_then<S: Store<O>, R: ConsoleRule<O>, B: BeforeCommit<S::Tx>>(
        &self,
        store: &S,
        request: BulkRequest<R>,
        step: &mut B,
    ) -> Result<Option<BulkReport<O>>, FireError> {
        let mut seen = HashSet::new();
        let ids: Vec<ObjectId> = request
            .target
            .ids
            .iter()
            .filter(|id| seen.insert((*id).clone()))
            .cloned()
            .collect();
        let run = Run::new(&request, request.target.mode, None);
        let rows = self.execute(store, &ids, &run, &mut None, step).await?;
        Ok(rows.map(|rows| BulkReport { rows }))
    }

    /// Runs the path in one transaction. `loaded`, when `Some`, receives the first row as
    /// decoded, before any check. `None` when `step` rolled the transaction back.
    async fn execute<S: Store<O>, B: BeforeCommit<S::Tx>>(
        &self,
        store: &S,
        ids: &[ObjectId],
        run: &Run<'_, O>,
        loaded: &mut Option<Option<Row<O>>>,
        step: &mut B,
    ) -> Result<Option<Vec<(ObjectId, BulkRowOutcome<O>)>>, FireError> {
        let name = self
            .transitions
            .iter()
            .find(|t| t.name == run.transition)
            .map(|t| t.name.clone())
            .ok_or_else(|| FireError::UnknownTransition(run.transition.to_owned()))?;
        let mut tx = store.begin(run.lock).await?;
        let (staged, commit) = match self.stage(&mut tx, ids, run, &name, loaded).await {
            Ok(staged) => staged,
            Err(error) => {
                // The store's error is what matters; a failing rollback adds nothing.
                let _ = tx.rollback().await;
                return Err(error);
            }
        };
        let writes_anything = staged.iter().any(|(_, verdict)| {
            matches!(verdict, Verdict::Planned(p) if p.write.is_some() || p.audit.is_some())
        });
        if commit && writes_anything {
            let rows: Vec<_> = staged.iter().map(|(id, v)| (id, v.staged())).collect();
            match step.before_commit(&mut tx, &rows).await {
                Ok(true) => tx.commit().await?,
                Ok(false) => {
                    tx.rollback().await?;
                    return Ok(None);
                }
                Err(error) => {
                    let _ = tx.rollback().await;
                    return Err(error.into());
                }
            }
        } else {
            tx.rollback().await?;
        }
        Ok(Some(
            staged
                .into_iter()
                .map(|(id, verdict)| (id, self.deliver(verdict, run.actor)))
                .collect(),
        ))
    }

    /// Runs after-commit hooks for a committed row and shapes its outcome. A handler that
    /// failed without `on_error` stored nothing, so no after-commit hook runs for it.
    fn deliver(&self, verdict: Verdict<O>, actor: &Actor) -> BulkRowOutcome<O> {
        let planned = match verdict {
            Verdict::Refused(error) => return BulkRowOutcome::Failed(error),
            Verdict::NotApplied => return BulkRowOutcome::NotApplied,
            Verdict::Planned(planned) => *planned,
        };
        if let Some(audit) = planned.audit.as_ref().filter(|_| planned.stores_a_state()) {
            self.hooks.run_after_commit(&TransitionEvent {
                resource: &self.resource,
                object_id: &planned.id,
                object: &planned.after.object,
                transition: &planned.transition,
                source: &planned.source,
                target: audit.target.as_ref(),
                arguments: &audit.arguments,
                actor,
                error: planned.error.as_ref(),
            });
        }
        match (planned.result, planned.audit) {
            (Ok(outcome), Some(audit)) => BulkRowOutcome::Applied(Box::new(Fired {
                row: planned.after,
                outcome,
                audit,
            })),
            (Ok(_), None) => BulkRowOutcome::NotApplied,
            (Err(error), _) => BulkRowOutcome::Failed(error),
        }
    }

    /// Loads, checks and plans every row, then compare-and-sets and audits them in the open
    /// transaction. Returns the verdicts and whether to commit.
    async fn stage<T: StoreTransaction<O>>(
        &self,
        tx: &mut T,
        ids: &[ObjectId],
        run: &Run<'_, O>,
        name: &TransitionName,
        loaded_out: &mut Option<Option<Row<O>>>,
    ) -> Result<(Vec<(ObjectId, Verdict<O>)>, bool), FireError> {
        let mut loaded: HashMap<ObjectId, StoredRow<O>> = tx
            .load(ids, run.lock)
            .await?
            .into_iter()
            .map(|stored| (stored.id.clone(), stored))
            .collect();
        let scope = run.scope();
        let mut prepared = PreparedCache::new();
        // Phase 1: every row goes through the check chain and its form is cleaned before
        // any handler runs.
        let mut checked = Vec::with_capacity(ids.len());
        for id in ids {
            let Some(stored) = loaded.remove(id) else {
                checked.push((id.clone(), Err(FireError::NotFound(id.clone()))));
                continue;
            };
            let row = self.decode_row(stored);
            if let Some(slot @ None) = loaded_out {
                *slot = Some(row.clone());
            }
            let verdict = match self.check(run.transition, &row, scope) {
                Err(Refusal::Stale) => Err(FireError::Conflict(id.clone())),
                Err(Refusal::Unavailable(reason)) => Err(FireError::Unavailable {
                    transition: name.clone(),
                    reason,
                }),
                Ok(transition) => prepared
                    .entry(transition, run)
                    .map(|position| (row, transition, position)),
            };
            checked.push((id.clone(), verdict));
        }
        let all_or_nothing = run.mode == BulkMode::AllOrNothing;
        if all_or_nothing && checked.iter().any(|(_, verdict)| verdict.is_err()) {
            let verdicts = checked
                .into_iter()
                .map(|(id, verdict)| match verdict {
                    Err(error) => (id, Verdict::Refused(error)),
                    Ok(_) => (id, Verdict::NotApplied),
                })
                .collect();
            return Ok((verdicts, false));
        }
        // Phase 2: hooks and handlers, in memory.
        let mut verdicts: Vec<(ObjectId, Verdict<O>)> = checked
            .into_iter()
            .map(|(id, verdict)| match verdict {
                Err(error) => (id, Verdict::Refused(error)),
                Ok((row, transition, position)) => {
                    let shared = prepared.get(position);
                    let attempt = Attempt {
                        actor: run.actor,
                        arguments: shared.map_or(run.arguments, |p| p.arguments.as_ref()),
                        description: shared.and_then(|p| p.description.as_deref()),
                        job: run.job,
                    };
                    let planned = self.plan_row(row, transition, attempt);
                    (id, Verdict::Planned(Box::new(planned)))
                }
            })
            .collect();
        if all_or_nothing && verdicts.iter().any(|(_, v)| is_failure(v)) {
            for (_, verdict) in &mut verdicts {
                if let Verdict::Planned(planned) = verdict {
                    if planned.result.is_ok() {
                        planned.discard();
                    }
                }
            }
        }
        // Phase 3: one batched compare-and-set. Writes and audit entries are lent to the
        // store, not copied: each goes back to its row once the store is done with it.
        let (writes, writers) = lend(&mut verdicts, |planned| planned.write.take());
        let matched: HashSet<ObjectId> = if writes.is_empty() {
            HashSet::new()
        } else {
            tx.compare_and_set(&writes).await?.into_iter().collect()
        };
        let mut conflicts = false;
        for (write, index) in writes.into_iter().zip(writers) {
            if let (id, Verdict::Planned(planned)) = &mut verdicts[index] {
                if matched.contains(id) {
                    planned.write = Some(write);
                } else {
                    conflicts = true;
                    planned.discard();
                    planned.result = Err(FireError::Conflict(id.clone()));
                }
            }
        }
        if all_or_nothing && conflicts {
            for (_, verdict) in &mut verdicts {
                if let Verdict::Planned(planned) = verdict {
                    planned.abandon();
                }
            }
            return Ok((verdicts, false));
        }
        // Phase 4: one batched audit insert.
        let (audits, auditors) = lend(&mut verdicts, |planned| planned.audit.take());
        if !audits.is_empty() {
            tx.insert_audit(&audits).await?;
        }
        for (audit, index) in audits.into_iter().zip(auditors) {
            if let (_, Verdict::Planned(planned)) = &mut verdicts[index] {
                planned.audit = Some(audit);
            }
        }
        Ok((verdicts, true))
    }
}

/// Takes one part out of every planned row that has it, with the rows' positions, so that the
/// caller can hand the parts to the store in one slice and put them back afterwards.
fn lend<O, T>(
    verdicts: &mut [(ObjectId, Verdict<O>)],
    mut take: impl FnMut(&mut Planned<O>) -> Option<T>,
) -> (Vec<T>, Vec<usize>) {
    let mut parts = Vec::with_capacity(verdicts.len());
    let mut positions = Vec::with_capacity(verdicts.len());
    for (index, (_, verdict)) in verdicts.iter_mut().enumerate() {
        if let Verdict::Planned(planned) = verdict {
            if let Some(part) = take(planned) {
                parts.push(part);
                positions.push(index);
            }
        }
    }
    (parts, positions)
}

impl<O> Verdict<O> {
    /// What the row ends as if the transaction commits: what [`Machine::deliver`] will
    /// answer for it.
    fn staged(&self) -> Staged<'_> {
        match self {
            Verdict::Refused(error) => Staged::Failed(error),
            Verdict::NotApplied => Staged::NotApplied,
            Verdict::Planned(planned) => match (&planned.result, &planned.audit) {
                (Err(error), _) => Staged::Failed(error),
                (Ok(_), Some(_)) => Staged::Applied,
                (Ok(_), None) => Staged::NotApplied,
            },
        }
    }
}

fn is_failure<O>(verdict: &Verdict<O>) -> bool {
    match verdict {
        Verdict::Planned(planned) => planned.result.is_err(),
        Verdict::Refused(_) => true,
        Verdict::NotApplied => false,
    }
}
