//! The checks `MachineResource::new` runs on a resource's admin options: every column they
//! sort, search, edit or order by exists with a usable kind, and bulk options name what exists.

use super::{field::StateField, options::AdminOptions};
use crate::db::{ColumnKind, IdKind, Table};

/// A new state field must take no transition or group name another field declares: a transition's name alone says which field it moves,
/// in addresses (`/campaigns/1/transitions/approve`), jobs, settings and the audit log.
pub(super) fn check_fields<O>(fields: &[StateField<O>], new: &StateField<O>) -> Result<(), String> {
    for field in fields {
        for name in new.machine.transition_names() {
            if field
                .machine
                .declarations_of(name.as_str())
                .next()
                .is_some()
            {
                return Err(format!(
                    "the transition name `{name}` is declared by the machines of both `{}` and \
                     `{}`; transition names must be unique within a resource",
                    field.name(),
                    new.name()
                ));
            }
        }
        for group in new.machine.groups() {
            if field.machine.group(&group.name).is_some() {
                return Err(format!(
                    "the state group `{}` is declared by the machines of both `{}` and `{}`",
                    group.name,
                    field.name(),
                    new.name()
                ));
            }
        }
    }
    Ok(())
}

/// Per-action modes and row actions must name transitions, and a deployer's action must not take a
/// transition's name (the menu and the job record name either by it).
pub(super) fn check_bulk_options<O>(
    fields: &[StateField<O>],
    options: &AdminOptions<O>,
) -> Result<(), String> {
    let declared = |name: &str| {
        fields
            .iter()
            .any(|field| field.machine.declarations_of(name).next().is_some())
    };
    if let Some(name) = options.bulk_modes.keys().find(|name| !declared(name)) {
        return Err(format!("bulk mode for `{name}`, which is not a transition"));
    }
    if let Some(name) = options.row_actions.iter().find(|name| !declared(name)) {
        return Err(format!("row action `{name}`, which is not a transition"));
    }
    for (index, action) in options.actions.iter().enumerate() {
        let repeated = options.actions[..index]
            .iter()
            .any(|other| other.name == action.name);
        if declared(&action.name) || repeated {
            return Err(format!(
                "bulk action `{}` has the name of a transition or of another action",
                action.name
            ));
        }
    }
    Ok(())
}

/// Every column the options sort, search or order by must exist with a usable kind.
pub(super) fn check_options<O>(table: &Table, options: &AdminOptions<O>) -> Result<(), String> {
    let column = |name: &str| table.columns().iter().find(|c| c.name == name);
    let state_column = |name: &str| table.state_columns().iter().any(|s| s.name == name);
    let sortable = |name: &str| {
        name == "id" || name == "state" || state_column(name) || column(name).is_some()
    };
    for declared in options.columns.iter().filter(|c| c.sortable) {
        if !sortable(&declared.name) {
            return Err(format!(
                "list column `{}` is sortable but not a column of `{}`",
                declared.name,
                table.name()
            ));
        }
    }
    for name in &options.search {
        if column(name).is_none_or(|c| c.kind != ColumnKind::Text) {
            return Err(format!(
                "search column `{name}` is not a text column of `{}`",
                table.name()
            ));
        }
    }
    let editable = options.edit_form.iter().flat_map(|form| form.fields.iter());
    for field in editable {
        if column(&field.name).is_none() || state_column(&field.name) {
            return Err(format!(
                "editable field `{}` is not a column of `{}`",
                field.name,
                table.name()
            ));
        }
    }
    if options.create.is_some() && table.id_kind() != IdKind::Integer {
        return Err("objects can be created from the console only with integer keys".to_owned());
    }
    if !sortable(&options.ordering.0) {
        return Err(format!(
            "the ordering `{}` is not a column of `{}`",
            options.ordering.0,
            table.name()
        ));
    }
    Ok(())
}
