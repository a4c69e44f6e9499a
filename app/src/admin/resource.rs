//! A resource the console manages: a table with a state machine, and its admin options.

use std::{collections::HashMap, sync::Arc};

use async_trait::async_trait;
use switchyard_engine::{Machine, StoredState};

use super::summary::{ResourceSummary, StateBadge, StateCount};
use crate::{
    db::{Db, Table},
    with_pool,
};

/// What the console needs of any resource, whatever its model type.
#[async_trait]
pub trait AdminResource: Send + Sync {
    /// The name, which is also its address segment (`/orders`).
    fn name(&self) -> &str;
    /// The title shown to people.
    fn title(&self) -> &str;
    /// The permission code that lets a user see the resource (`orders.view`).
    fn view_permission(&self) -> String {
        format!("{}.view", self.name())
    }
    /// Every state as a badge, in declaration order.
    fn states(&self) -> Vec<StateBadge>;
    /// Every state with how many objects are in it.
    async fn summary(&self, db: &Db) -> Result<ResourceSummary, sqlx::Error>;
}

/// A resource made of a model type `O`, its machine and its table.
pub struct MachineResource<O> {
    title: String,
    machine: Arc<Machine<O>>,
    table: Table,
    count_sql: String,
}

impl<O> MachineResource<O> {
    /// Registers a machine over a table under the machine's resource name.
    pub fn new(title: &str, machine: Machine<O>, table: Table) -> Self {
        // Identifiers come from a validated table declaration, never from a request.
        let count_sql = format!(
            "SELECT {state}, COUNT(*) FROM {table} GROUP BY {state}",
            state = table.state_column(),
            table = table.name(),
        );
        Self {
            title: title.to_owned(),
            machine: Arc::new(machine),
            table,
            count_sql,
        }
    }

    /// The machine.
    pub fn machine(&self) -> &Arc<Machine<O>> {
        &self.machine
    }

    /// The table declaration.
    pub fn table(&self) -> &Table {
        &self.table
    }

    async fn stored_counts(&self, db: &Db) -> Result<HashMap<StoredState, i64>, sqlx::Error> {
        let rows = match self.table.state_kind() {
            crate::db::StateKind::Text => with_pool!(db, pool => {
                sqlx::query_as::<_, (String, i64)>(&self.count_sql).fetch_all(pool).await
            })?
            .into_iter()
            .map(|(state, count)| (StoredState::Text(state), count))
            .collect(),
            crate::db::StateKind::Integer => with_pool!(db, pool => {
                sqlx::query_as::<_, (i64, i64)>(&self.count_sql).fetch_all(pool).await
            })?
            .into_iter()
            .map(|(state, count)| (StoredState::Integer(state), count))
            .collect(),
        };
        Ok(rows)
    }
}

#[async_trait]
impl<O: Send + Sync + 'static> AdminResource for MachineResource<O> {
    fn name(&self) -> &str {
        self.machine.resource()
    }

    fn title(&self) -> &str {
        &self.title
    }

    fn states(&self) -> Vec<StateBadge> {
        self.machine
            .states()
            .iter()
            .map(|state| StateBadge {
                name: state.name.to_string(),
                label: state.label.clone(),
                colour: state.colour.clone().unwrap_or_else(|| "grey".to_owned()),
            })
            .collect()
    }

    async fn summary(&self, db: &Db) -> Result<ResourceSummary, sqlx::Error> {
        let counts = self.stored_counts(db).await?;
        let states: Vec<StateCount> = self
            .machine
            .states()
            .iter()
            .zip(self.states())
            .map(|(state, badge)| StateCount {
                count: counts
                    .get(&self.machine.encode_state(&state.name))
                    .copied()
                    .unwrap_or(0),
                state: badge,
            })
            .collect();
        Ok(ResourceSummary {
            name: self.name().to_owned(),
            title: self.title.clone(),
            total: counts.values().sum(),
            states,
        })
    }
}
