//! A caller's own writes in a bulk fire's transaction: [`BeforeCommit`] runs after the
//! compare-and-set and the audit insert and before the commit, on the same transaction, so
//! what it writes (a job's progress, say) commits or rolls back with the rows it describes.

use std::future::Future;

use crate::error::{FireError, StoreError};
use crate::names::ObjectId;

/// What a row of a bulk fire is about to end as, if the transaction commits.
#[derive(Debug, Clone, Copy)]
pub enum Staged<'a> {
    /// The row moved (or reached its error state) and has its audit row.
    Applied,
    /// The row was held back by another one (all or nothing) or changed nothing.
    NotApplied,
    /// The row was refused or its handler failed.
    Failed(&'a FireError),
}

/// A step run inside a bulk fire's transaction just before it commits. It runs only when the
/// fire is about to commit: not when all or nothing refused the batch, and not when no row
/// wrote anything (the fire then rolls back and the caller records what happened itself).
pub trait BeforeCommit<Tx>: Send {
    /// Writes through `tx`, seeing every row's verdict in request order. Answers whether to
    /// commit: `false` rolls the whole batch back, and the fire answers `None`.
    fn before_commit(
        &mut self,
        tx: &mut Tx,
        rows: &[(&ObjectId, Staged<'_>)],
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

/// No step: what plain fires run.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoStep;

impl<Tx: Send> BeforeCommit<Tx> for NoStep {
    async fn before_commit(
        &mut self,
        _tx: &mut Tx,
        _rows: &[(&ObjectId, Staged<'_>)],
    ) -> Result<bool, StoreError> {
        Ok(true)
    }
}
