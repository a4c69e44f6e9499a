//! The one firing path, shared by single and bulk fires: load → check → plan → compare-and-set →
//! audit → commit → after-commit hooks.

use std::collections::{HashMap, HashSet};

use crate::error::{FireError, StoreError};
use crate::guard::{Channel, CheckScope, ConsoleRule};
use crate::hooks::TransitionEvent;
use crate::machine::Machine;
use crate::names::{ObjectId, TransitionName, Version};
use crate::plan::{Attempt, Planned};
use crate::request::{
    BulkMode, BulkReport, BulkRequest, BulkRowOutcome, FireRequest, Fired, Request,
};
use crate::store::{LockMode, Row, Store, StoreTransaction, StoredRow};

/// Everything the path needs besides the rows.
struct Run<'a, O> {
    transition: &'a str,
    attempt: Attempt<'a>,
    /// The console's rule; `None` on the API channel.
    console: Option<&'a dyn ConsoleRule<O>>,
    lock: LockMode,
    mode: BulkMode,
    expected_version: Option<Version>,
}

impl<'a, O> Run<'a, O> {
    /// What a request asks of the path, whichever rows it targets.
    fn new<T, R: ConsoleRule<O>>(
        request: &'a Request<T, R>,
        mode: BulkMode,
        expected_version: Option<Version>,
    ) -> Self {
        Run {
            transition: &request.transition,
            attempt: Attempt {
                actor: &request.actor,
                arguments: &request.arguments,
                description: request.description.as_deref(),
            },
            console: match request.channel {
                Channel::Console => Some(&request.rule),
                Channel::Api => None,
            },
            lock: request.lock,
            mode,
            expected_version,
        }
    }
}

/// What one row ended as, before being shaped for the caller.
enum Verdict<O> {
    Planned(Box<Planned<O>>),
    Refused(FireError),
    NotApplied,
}

impl<O> Machine<O> {
    /// Turns a stored row into a `Row`, refusing state values this machine does not know.
    pub fn decode_row(&self, stored: StoredRow<O>) -> Result<Row<O>, StoreError> {
        let state = self
            .decode_state(&stored.state)
            .ok_or_else(|| StoreError::Decode {
                id: stored.id.clone(),
                message: format!("unknown state value {:?}", stored.state),
            })?;
        Ok(Row {
            id: stored.id,
            state,
            version: stored.version,
            object: stored.object,
        })
    }
}

impl<O: Clone + Send + Sync> Machine<O> {
    /// Fires one transition on one row, atomically. See the crate docs for the order of steps.
    pub async fn fire<S: Store<O>, R: ConsoleRule<O>>(
        &self,
        store: &S,
        request: FireRequest<R>,
    ) -> Result<Fired<O>, FireError> {
        // A lone row is an all-or-nothing batch of one.
        let run = Run::new(
            &request,
            BulkMode::AllOrNothing,
            request.target.expected_version,
        );
        let ids = [request.target.object_id.clone()];
        let mut verdicts = self.execute(store, &ids, &run).await?;
        match verdicts.pop() {
            Some((_, BulkRowOutcome::Applied(fired))) => Ok(*fired),
            Some((_, BulkRowOutcome::Failed(error))) => Err(error),
            // A lone row is never held back by another one; this arm is unreachable in practice.
            Some((_, BulkRowOutcome::NotApplied)) | None => {
                Err(FireError::NotFound(request.target.object_id))
            }
        }
    }

    /// Fires one transition over many rows with batched reads, writes and audit inserts.
    pub async fn fire_bulk<S: Store<O>, R: ConsoleRule<O>>(
        &self,
        store: &S,
        request: BulkRequest<R>,
    ) -> Result<BulkReport<O>, FireError> {
        let mut seen = HashSet::new();
        let ids: Vec<ObjectId> = request
            .target
            .ids
            .iter()
            .filter(|id| seen.insert((*id).clone()))
            .cloned()
            .collect();
        let run = Run::new(&request, request.target.mode, None);
        let rows = self.execute(store, &ids, &run).await?;
        Ok(BulkReport { rows })
    }

    async fn execute<S: Store<O>>(
        &self,
        store: &S,
        ids: &[ObjectId],
        run: &Run<'_, O>,
    ) -> Result<Vec<(ObjectId, BulkRowOutcome<O>)>, FireError> {
        let name = self
            .transitions
            .iter()
            .find(|t| t.name == run.transition)
            .map(|t| t.name.clone())
            .ok_or_else(|| FireError::UnknownTransition(run.transition.to_owned()))?;
        let mut tx = store.begin(run.lock).await?;
        let (staged, commit) = match self.stage(&mut tx, ids, run, &name).await {
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
            tx.commit().await?;
        } else {
            tx.rollback().await?;
        }
        Ok(staged
            .into_iter()
            .map(|(id, verdict)| (id, self.deliver(verdict, run)))
            .collect())
    }

    /// Runs after-commit hooks for a committed row and shapes its outcome.
    fn deliver(&self, verdict: Verdict<O>, run: &Run<'_, O>) -> BulkRowOutcome<O> {
        let planned = match verdict {
            Verdict::Refused(error) => return BulkRowOutcome::Failed(error),
            Verdict::NotApplied => return BulkRowOutcome::NotApplied,
            Verdict::Planned(planned) => *planned,
        };
        if planned.audit.is_some() {
            let target = planned.audit.as_ref().and_then(|a| a.target.as_ref());
            self.hooks.run_after_commit(&TransitionEvent {
                resource: &self.resource,
                object_id: &planned.id,
                object: &planned.after.object,
                transition: &planned.transition,
                source: &planned.source,
                target,
                arguments: run.attempt.arguments,
                actor: run.attempt.actor,
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
    ) -> Result<(Vec<(ObjectId, Verdict<O>)>, bool), FireError> {
        let mut loaded: HashMap<ObjectId, StoredRow<O>> = tx
            .load(ids, run.lock)
            .await?
            .into_iter()
            .map(|stored| (stored.id.clone(), stored))
            .collect();
        let scope = CheckScope {
            actor: Some(run.attempt.actor),
            console: run.console,
            conditions: true,
        };
        // Phase 1: every row is checked before any handler runs.
        let mut checked = Vec::with_capacity(ids.len());
        for id in ids {
            let Some(stored) = loaded.remove(id) else {
                checked.push((id.clone(), Err(FireError::NotFound(id.clone()))));
                continue;
            };
            let row = self.decode_row(stored)?;
            let verdict = match run.expected_version {
                Some(expected) if expected != row.version => Err(FireError::Conflict(id.clone())),
                _ => self
                    .evaluate(run.transition, &row.state, &row.object, scope)
                    .map(|transition| (row, transition))
                    .map_err(|reason| FireError::Unavailable {
                        transition: name.clone(),
                        reason,
                    }),
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
                Ok((row, transition)) => {
                    let planned = self.plan_row(row, transition, run.attempt);
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

fn is_failure<O>(verdict: &Verdict<O>) -> bool {
    match verdict {
        Verdict::Planned(planned) => planned.result.is_err(),
        Verdict::Refused(_) => true,
        Verdict::NotApplied => false,
    }
}
