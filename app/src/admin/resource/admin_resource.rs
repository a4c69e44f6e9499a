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

use async_trait::async_trait;
use switchyard_engine::Permission;

use super::{
    machine::MachineResource,
    summary::{ResourceSummary, StateBadge, StateCount},
};
use crate::{
    admin::{
        bulk::BulkFeature, edit::EditFeature, form::FormFeature, list::ListFeature,
        object::ObjectFeature, settings::SettingsFeature,
    },
    db::{Db, SqlModel},
};

/// What the console needs of any resource: its identity here, each feature through its trait.
#[async_trait]
pub trait AdminResource:
    ListFeature + ObjectFeature + FormFeature + BulkFeature + SettingsFeature + EditFeature
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
    /// Every state as a badge, in declaration order.
    fn states(&self) -> Vec<StateBadge>;
    /// Every state with how many objects are in it.
    async fn summary(&self, db: &Db) -> Result<ResourceSummary, sqlx::Error>;
}

#[async_trait]
impl<O: SqlModel> AdminResource for MachineResource<O> {
    fn name(&self) -> &str {
        self.machine.resource()
    }

    fn title(&self) -> &str {
        &self.options.title
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
        for transition in self.machine.transitions() {
            if let Some(Permission::Code(code)) = transition.permission() {
                if !codes.contains(code) {
                    codes.push(code.clone());
                }
            }
        }
        codes
    }

    fn states(&self) -> Vec<StateBadge> {
        self.machine
            .states()
            .iter()
            .map(|state| self.badge(state.name.as_str()))
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
            title: self.options.title.clone(),
            total: counts.values().sum(),
            states,
        })
    }
}
