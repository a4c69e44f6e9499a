//! Which rows a bulk action runs over: the explicit keys (once each, missing ones reported),
//! or every row matching the list's filters and search, in key order.

use switchyard_engine::{ObjectId, Row, StoredRow};

use super::types::BulkInput;
use crate::{
    admin::resource::MachineResource,
    db::{
        jobs::Snapshot,
        list::{Direction, ListSpec},
        Db, SqlModel,
    },
    error::AppError,
};

impl<O: SqlModel> MachineResource<O> {
    /// The rows with the explicit keys, by key, and the keys that do not exist.
    pub(super) async fn explicit_rows(
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
            .store_for(&input.transition, db)
            .read_many(&keys)
            .await
            .map_err(AppError::internal)?;
        let rows = self.decode_rows(&input.transition, stored);
        let found: std::collections::HashSet<String> =
            rows.iter().map(|row| row.id().to_string()).collect();
        let missing = self
            .distinct_keys(&input.ids)
            .into_iter()
            .filter(|id| !found.contains(id))
            .collect();
        Ok((rows, missing))
    }

    /// Rows read through the store of the field `transition` moves, with that field's state.
    pub(super) fn decode_rows(&self, transition: &str, stored: Vec<StoredRow<O>>) -> Vec<Row<O>> {
        let machine = self.machine_of(transition);
        stored
            .into_iter()
            .map(|row| machine.decode_row(row))
            .collect()
    }

    /// The list query "select all matching" stands for, in key order.
    pub(super) async fn matching_spec(
        &self,
        db: &Db,
        input: &BulkInput,
    ) -> Result<ListSpec, AppError> {
        Ok(ListSpec {
            seek: None,
            states: self.state_filter(db, &input.query).await?,
            search: crate::admin::list::search_text(&input.query)?,
            search_columns: self.options.search.clone(),
            order: ("id".to_owned(), Direction::Ascending),
            limit: 0,
            offset: 0,
            after: None,
        })
    }

    /// The keys a job runs over, in order: the matching rows' keys (as a query the job's
    /// snapshot inserts from), or the explicit keys once each. Rows are not read here: the
    /// runner checks each one, and reports missing keys.
    pub(super) async fn selected_keys(
        &self,
        db: &Db,
        input: &BulkInput,
    ) -> Result<Snapshot, AppError> {
        if input.all_matching {
            let spec = self.matching_spec(db, input).await?;
            let query = self
                .store(db)
                .matching_keys(&spec)
                .map_err(AppError::internal)?;
            Ok(Snapshot::Matching(query))
        } else {
            Ok(Snapshot::Keys(self.distinct_keys(&input.ids)))
        }
    }

    /// `ids` as this table writes its keys (`+954` and `0954` are `954`), without repeats,
    /// first occurrence first; a text that cannot be a key stays as it is, to be reported
    /// missing.
    fn distinct_keys(&self, ids: &[String]) -> Vec<String> {
        let mut seen = std::collections::HashSet::with_capacity(ids.len());
        ids.iter()
            .map(|id| match self.parse_id(id) {
                Some(key) => key.to_string(),
                None => id.clone(),
            })
            .filter(|id| seen.insert(id.clone()))
            .collect()
    }
}
