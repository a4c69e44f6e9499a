//! [`AdminResource`]: what the console needs of any resource, whatever its model type.
//!
//! The trait is small on purpose. Each console feature declares an object-safe trait of its
//! own in its folder (`ListFeature`, `ObjectFeature`, `FormFeature`, `BulkFeature`,
//! `SettingsFeature`, `EditFeature`) and implements it for [`MachineResource`] right there,
//! with the logic in the trait's methods. `AdminResource` is the resource's identity
//! (name, title, permissions, states, the home page's counts) with every feature trait as a
//! supertrait, so an `Arc<dyn AdminResource>` from the registry still offers every feature's
//! methods, while adding a feature touches its own folder and one line here. A single trait
//! with every method needed an inherent method on `MachineResource` for each and a forwarding
//! method beside it; a feature trait has one body per method.

use std::collections::HashMap;

use async_trait::async_trait;
use switchyard_engine::Permission;

use super::{
    badges::StateLabels,
    field::StateField,
    machine::MachineResource,
    summary::{FieldSummary, GroupCount, ResourceSummary, StateCount},
};
use crate::{
    admin::{
        api::ApiFeature,
        bulk::BulkFeature,
        diagram::DiagramFeature,
        edit::EditFeature,
        form::FormFeature,
        list::{ExportFeature, ListFeature},
        object::ObjectFeature,
        settings::SettingsFeature,
    },
    db::{Db, SqlModel, Table},
    error::AppError,
};

/// What the console needs of any resource: its identity here, each feature through its trait.
#[async_trait]
pub trait AdminResource:
    ListFeature
    + ExportFeature
    + ObjectFeature
    + FormFeature
    + BulkFeature
    + SettingsFeature
    + EditFeature
    + DiagramFeature
    + ApiFeature
{
    /// The name, which is also its address segment (`/orders`).
    fn name(&self) -> &str;
    /// The title shown to people.
    fn title(&self) -> &str;
    /// The permission code that lets a user see the resource (`orders.view`).
    fn view_permission(&self) -> String {
        format!("{}.view", self.name())
    }
    /// Every permission code the resource checks: its view permission, then each
    /// transition's code in declaration order (predicates have none).
    fn permission_codes(&self) -> Vec<String>;
    /// Each state field with its states and groups, counted.
    async fn summary(&self, db: &Db) -> Result<ResourceSummary, AppError>;
    /// The table the resource lives in (its per-state counts are installed on it).
    fn table(&self) -> &Table;
}

#[async_trait]
impl<O: SqlModel> AdminResource for MachineResource<O> {
    fn name(&self) -> &str {
        MachineResource::name(self)
    }

    fn title(&self) -> &str {
        &self.options.title
    }

    fn table(&self) -> &Table {
        &self.table
    }

    fn permission_codes(&self) -> Vec<String> {
        let mut codes = vec![self.view_permission()];
        let name = self.name();
        let offered = [
            ("configure", true),
            ("change", self.options.edit_form.is_some()),
            ("add", self.options.create.is_some()),
            ("delete", self.options.deletable),
        ];
        codes.extend(
            offered
                .into_iter()
                .filter(|(_, offered)| *offered)
                .map(|(action, _)| format!("{name}.{action}")),
        );
        let transitions = self.fields.iter().flat_map(|f| f.machine.transitions());
        for transition in transitions {
            if let Some(Permission::Code(code)) = transition.permission() {
                if !codes.contains(code) {
                    codes.push(code.clone());
                }
            }
        }
        codes
    }

    async fn summary(&self, db: &Db) -> Result<ResourceSummary, AppError> {
        let labels = self.state_labels(db).await?;
        let mut fields = Vec::with_capacity(self.fields.len());
        for field in &self.fields {
            fields.push(self.field_summary(db, field, &labels).await?);
        }
        // Every row holds one state of each field, so the first field's counts add up to all.
        let total = fields.first().map_or(0, |field| {
            field.states.iter().map(|state| state.count).sum()
        });
        Ok(ResourceSummary {
            name: self.name().to_owned(),
            title: self.options.title.clone(),
            fields,
            total,
        })
    }
}

impl<O: SqlModel> MachineResource<O> {
    /// One field's states (declared, then undeclared values found in the column) and groups,
    /// counted with one grouped count of the column.
    pub(crate) async fn field_summary(
        &self,
        db: &Db,
        field: &StateField<O>,
        labels: &StateLabels,
    ) -> Result<FieldSummary, AppError> {
        let mut counts = self.stored_counts(db, field).await?;
        let machine = &field.machine;
        let mut states: Vec<StateCount> = machine
            .states()
            .iter()
            .map(|state| StateCount {
                count: counts
                    .remove(&machine.encode_state(&state.name))
                    .unwrap_or(0),
                state: self.badge(field, state.name.as_str(), labels),
            })
            .collect();
        let declared_counts: HashMap<&str, i64> = states
            .iter()
            .map(|state| (state.state.name.as_str(), state.count))
            .collect();
        let groups = machine
            .groups()
            .iter()
            .map(|group| GroupCount {
                name: group.name.clone(),
                label: group.label.clone(),
                count: group
                    .members
                    .iter()
                    .map(|member| declared_counts.get(member.as_str()).copied().unwrap_or(0))
                    .sum(),
            })
            .collect();
        let mut undeclared: Vec<(String, i64)> = counts
            .into_iter()
            .map(|(stored, count)| (stored.to_string(), count))
            .collect();
        undeclared.sort();
        states.extend(undeclared.into_iter().map(|(name, count)| StateCount {
            state: self.badge(field, &name, labels),
            count,
        }));
        Ok(FieldSummary {
            name: field.name().to_owned(),
            label: field.label.clone(),
            states,
            groups,
        })
    }
}
