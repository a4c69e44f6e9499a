//! A resource the console manages: a table with a state machine and its admin options, and
//! the object-safe trait the console's server functions call.
//!
//! [`MachineResource`] implements the trait once for any model; its list lives here, the
//! object, form and history views in [`super::object`], firing in [`super::fire`].

use std::{collections::HashMap, sync::Arc, sync::OnceLock};

use async_trait::async_trait;
use switchyard_engine::{Actor, Machine, ObjectId, Permission, StateName, StoredState};

use super::{
    options::{parse_sort, AdminOptions},
    registry::RegistryError,
    summary::{ResourceSummary, StateBadge, StateCount},
    view::{
        BulkInput, BulkPreview, ColumnHeader, DeleteInput, EditView, FireInput, FireReport,
        FormView, GroupOption, HistoryView, ListQuery, ListRow, ListView, Message, ObjectView,
        RevertInput, SaveInput, SaveReport, SettingsInput, SettingsView,
    },
    visibility::DefaultVisibility,
};
use crate::{
    db::{
        jobs::JobRecord,
        list::{ListError, ListSpec},
        ColumnKind, Db, IdKind, SqlModel, SqlStore, StateKind, Table,
    },
    error::AppError,
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
    /// Every permission code the resource checks: its view permission, then each
    /// transition's code in declaration order (predicates have none).
    fn permission_codes(&self) -> Vec<String>;
    /// Every state as a badge, in declaration order.
    fn states(&self) -> Vec<StateBadge>;
    /// Every state with how many objects are in it.
    async fn summary(&self, db: &Db) -> Result<ResourceSummary, sqlx::Error>;
    /// One page of the list, as `actor` sees it.
    async fn list(&self, db: &Db, query: &ListQuery, actor: &Actor) -> Result<ListView, AppError>;
    /// The edit page of an object (`Some(id)`), or the creation page.
    async fn edit(&self, db: &Db, id: Option<&str>, actor: &Actor) -> Result<EditView, AppError>;
    /// Saves an edit, or creates an object.
    async fn save(&self, db: &Db, input: &SaveInput, actor: &Actor)
        -> Result<SaveReport, AppError>;
    /// Deletes an object.
    async fn delete(
        &self,
        db: &Db,
        input: &DeleteInput,
        actor: &Actor,
    ) -> Result<SaveReport, AppError>;
    /// The object page as `actor` sees it.
    async fn object(&self, db: &Db, id: &str, actor: &Actor) -> Result<ObjectView, AppError>;
    /// The form of `transition` on one object, as `actor` sees it.
    async fn form(
        &self,
        db: &Db,
        id: &str,
        transition: &str,
        actor: &Actor,
    ) -> Result<FormView, AppError>;
    /// The newest `limit` history rows of one object.
    async fn history(&self, db: &Db, id: &str, limit: usize) -> Result<HistoryView, AppError>;
    /// What a bulk action would do, grouped by reason; nothing is written.
    async fn bulk_preview(
        &self,
        db: &Db,
        input: &BulkInput,
        actor: &Actor,
    ) -> Result<BulkPreview, AppError>;
    /// Stores a bulk job for `input` (its form cleaned once); returns its id.
    async fn create_bulk_job(
        &self,
        db: &Db,
        input: &BulkInput,
        actor: &Actor,
    ) -> Result<i64, AppError>;
    /// Runs a stored job to its end or its cancellation, renewing the claim `runner` holds on
    /// it before each batch and stopping if another run took it over.
    async fn run_bulk_job(
        &self,
        db: &Db,
        job: &JobRecord,
        actor: &Actor,
        runner: &str,
    ) -> Result<(), AppError>;
    /// Fires a transition from the console.
    async fn fire(&self, db: &Db, input: &FireInput, actor: &Actor)
        -> Result<FireReport, AppError>;
    /// Sets the console's default for transitions whose flag is unset (the registry's).
    fn set_default_visibility(&mut self, default: DefaultVisibility);
    /// Whether `actor` may open the transition settings.
    fn can_configure(&self, actor: &Actor) -> bool;
    /// The transition settings page.
    async fn settings(&self, db: &Db, actor: &Actor) -> Result<SettingsView, AppError>;
    /// Saves the transition settings form.
    async fn save_settings(
        &self,
        db: &Db,
        input: &SettingsInput,
        actor: &Actor,
    ) -> Result<Message, AppError>;
    /// Reverts a logged settings change, or resets one transition to the code's choice.
    async fn revert_setting(
        &self,
        db: &Db,
        input: &RevertInput,
        actor: &Actor,
    ) -> Result<Message, AppError>;
}

/// A resource made of a model type `O`, its machine, its table and its admin options.
pub struct MachineResource<O> {
    pub(crate) machine: Arc<Machine<O>>,
    pub(crate) table: Table,
    pub(crate) options: AdminOptions<O>,
    count_sql: String,
    /// The engine's store, made at first use (the registry is built before the database
    /// opens); one per resource, so SQLite fires share its writer connection.
    store: OnceLock<SqlStore<O>>,
    /// The console's default for transitions whose flag is unset; the registry sets it.
    pub(crate) console_default: DefaultVisibility,
}

impl<O: SqlModel> MachineResource<O> {
    /// Registers a machine over a table with its admin options, under the machine's name;
    /// options naming columns the table lacks (to sort, search or order by) are refused.
    pub fn new(
        machine: Machine<O>,
        table: Table,
        options: AdminOptions<O>,
    ) -> Result<Self, RegistryError> {
        check_options(&table, &options)
            .and_then(|()| check_bulk_options(&machine, &options))
            .map_err(|message| RegistryError::Declaration {
                resource: machine.resource().to_owned(),
                message,
            })?;
        // Identifiers come from a validated table declaration, never from a request.
        let count_sql = format!(
            "SELECT {state}, COUNT(*) FROM {table} GROUP BY {state}",
            state = table.state_column(),
            table = table.name(),
        );
        Ok(Self {
            machine: Arc::new(machine),
            table,
            options,
            count_sql,
            store: OnceLock::new(),
            console_default: DefaultVisibility::default(),
        })
    }

    /// The machine.
    pub fn machine(&self) -> &Arc<Machine<O>> {
        &self.machine
    }

    /// The table declaration.
    pub fn table(&self) -> &Table {
        &self.table
    }

    /// The engine's store on `db` (the one database the server opened).
    pub(crate) fn store(&self, db: &Db) -> &SqlStore<O> {
        self.store
            .get_or_init(|| SqlStore::new(db.clone(), self.table.clone()))
    }

    /// A key from an address segment; `None` when it cannot be one of this table's keys.
    pub(crate) fn parse_id(&self, raw: &str) -> Option<ObjectId> {
        match self.table.id_kind() {
            IdKind::Integer => raw.parse::<i64>().ok().map(ObjectId::Int),
            IdKind::Text | IdKind::Uuid if !raw.is_empty() => Some(ObjectId::Text(raw.to_owned())),
            IdKind::Text | IdKind::Uuid => None,
        }
    }

    /// The badge of a state name (an undeclared name gets a grey badge of its own name).
    pub(crate) fn badge(&self, name: &str) -> StateBadge {
        match self.machine.state(name) {
            Some(state) => StateBadge {
                name: state.name.to_string(),
                label: state.label.clone(),
                colour: state.colour.clone().unwrap_or_else(|| "grey".to_owned()),
            },
            None => StateBadge {
                name: name.to_owned(),
                label: name.to_owned(),
                colour: "grey".to_owned(),
            },
        }
    }

    /// The badge of a stored state value.
    pub(crate) fn stored_badge(&self, stored: &StoredState) -> StateBadge {
        match self.machine.decode_state(stored) {
            Some(name) => self.badge(name.as_str()),
            None => self.badge(&format!("{stored:?}")),
        }
    }

    /// "Order 42".
    pub(crate) fn object_name(&self, id: &str) -> String {
        let mut singular = self.options.singular.clone();
        if let Some(first) = singular.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        format!("{singular} {id}")
    }

    async fn stored_counts(&self, db: &Db) -> Result<HashMap<StoredState, i64>, sqlx::Error> {
        let rows = match self.table.state_kind() {
            StateKind::Text => with_pool!(db, pool => {
                sqlx::query_as::<_, (String, i64)>(&self.count_sql).fetch_all(pool).await
            })?
            .into_iter()
            .map(|(state, count)| (StoredState::Text(state), count))
            .collect(),
            StateKind::Integer => with_pool!(db, pool => {
                sqlx::query_as::<_, (i64, i64)>(&self.count_sql).fetch_all(pool).await
            })?
            .into_iter()
            .map(|(state, count)| (StoredState::Integer(state), count))
            .collect(),
        };
        Ok(rows)
    }

    /// The stored states a list query keeps, or `None` for all; unknown names are refused.
    pub(crate) fn state_filter(
        &self,
        query: &ListQuery,
    ) -> Result<Option<Vec<StoredState>>, AppError> {
        let by_state = match query.state.as_deref().filter(|s| !s.is_empty()) {
            Some(name) => {
                let state = self
                    .machine
                    .state(name)
                    .ok_or_else(|| AppError::Invalid(format!("There is no state `{name}`.")))?;
                Some(self.machine.encode_state(&state.name))
            }
            None => None,
        };
        let by_group =
            match query.group.as_deref().filter(|g| !g.is_empty()) {
                Some(name) => Some(self.machine.group_filter(name).ok_or_else(|| {
                    AppError::Invalid(format!("There is no state group `{name}`."))
                })?),
                None => None,
            };
        Ok(match (by_state, by_group) {
            (None, None) => None,
            (Some(state), None) => Some(vec![state]),
            (None, Some(group)) => Some(group),
            (Some(state), Some(group)) => Some(group.into_iter().filter(|s| *s == state).collect()),
        })
    }

    /// The sort a list query asks for, refused unless it names a sortable column.
    fn sort(&self, query: &ListQuery) -> Result<(String, crate::db::list::Direction), AppError> {
        let Some(raw) = query.sort.as_deref().filter(|s| !s.is_empty()) else {
            return Ok(self.options.ordering.clone());
        };
        let (name, direction) = parse_sort(raw);
        let sortable = name == "id"
            || name == "state"
            || self
                .options
                .columns
                .iter()
                .any(|column| column.sortable && column.name == name);
        if sortable {
            Ok((name, direction))
        } else {
            Err(AppError::Invalid(format!(
                "The list cannot be sorted by `{name}`."
            )))
        }
    }
}

/// Every column the options sort, search or order by must exist with a usable kind.
/// Per-action modes must name transitions, and a deployer's action must not take a
/// transition's name (the menu and the job record name either by it).
fn check_bulk_options<O>(machine: &Machine<O>, options: &AdminOptions<O>) -> Result<(), String> {
    let declared = |name: &str| machine.declarations_of(name).next().is_some();
    if let Some(name) = options.bulk_modes.keys().find(|name| !declared(name)) {
        return Err(format!("bulk mode for `{name}`, which is not a transition"));
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

fn check_options<O>(table: &Table, options: &AdminOptions<O>) -> Result<(), String> {
    let column = |name: &str| table.columns().iter().find(|c| c.name == name);
    let sortable = |name: &str| name == "id" || name == "state" || column(name).is_some();
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
        if column(&field.name).is_none() || field.name == table.state_column() {
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

fn list_failure(error: ListError) -> AppError {
    AppError::internal(error)
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

    async fn list(&self, db: &Db, query: &ListQuery, actor: &Actor) -> Result<ListView, AppError> {
        let states = self.state_filter(query)?;
        let order = self.sort(query)?;
        let page_size = self.options.page_size;
        let page = query.page.unwrap_or(1).max(1);
        let spec = ListSpec {
            states,
            search: query.q.clone(),
            search_columns: self.options.search.clone(),
            order,
            limit: page_size,
            offset: u64::from(page - 1) * u64::from(page_size),
            after: None,
        };
        let found = self.store(db).list(&spec).await.map_err(list_failure)?;
        let rows = found
            .rows
            .iter()
            .map(|row| ListRow {
                id: row.id.to_string(),
                state: self.stored_badge(&row.state),
                cells: self
                    .options
                    .columns
                    .iter()
                    .map(|column| (column.display)(&row.object))
                    .collect(),
            })
            .collect();
        let page_count =
            u32::try_from((found.total + i64::from(page_size) - 1) / i64::from(page_size))
                .unwrap_or(u32::MAX)
                .max(1);
        Ok(ListView {
            resource: self.name().to_owned(),
            title: self.options.title.clone(),
            singular: self.options.singular.clone(),
            query: ListQuery {
                page: Some(page),
                ..query.clone()
            },
            columns: self
                .options
                .columns
                .iter()
                .map(|column| ColumnHeader {
                    name: column.name.clone(),
                    label: column.label.clone(),
                    sortable: column.sortable,
                    numeric: column.numeric,
                })
                .collect(),
            rows,
            total: found.total,
            page,
            page_count,
            page_size,
            states: self.states(),
            groups: self
                .machine
                .groups()
                .iter()
                .map(|group| GroupOption {
                    name: group.name.clone(),
                    label: group.label.clone(),
                })
                .collect(),
            searchable: !self.options.search.is_empty(),
            can_create: self.can_create(actor),
            can_configure: MachineResource::can_configure(self, actor),
            message: None,
            bulk_actions: self.bulk_actions(actor, &self.visibility(db).await?),
        })
    }

    async fn object(&self, db: &Db, id: &str, actor: &Actor) -> Result<ObjectView, AppError> {
        self.object_view(db, id, actor).await
    }

    async fn edit(&self, db: &Db, id: Option<&str>, actor: &Actor) -> Result<EditView, AppError> {
        self.edit_view(db, id, actor).await
    }

    async fn save(
        &self,
        db: &Db,
        input: &SaveInput,
        actor: &Actor,
    ) -> Result<SaveReport, AppError> {
        self.save_fields(db, input, actor).await
    }

    async fn delete(
        &self,
        db: &Db,
        input: &DeleteInput,
        actor: &Actor,
    ) -> Result<SaveReport, AppError> {
        self.delete_object(db, input, actor).await
    }

    async fn form(
        &self,
        db: &Db,
        id: &str,
        transition: &str,
        actor: &Actor,
    ) -> Result<FormView, AppError> {
        self.form_view(db, id, transition, actor).await
    }

    async fn history(&self, db: &Db, id: &str, limit: usize) -> Result<HistoryView, AppError> {
        self.history_view(db, id, limit).await
    }

    async fn bulk_preview(
        &self,
        db: &Db,
        input: &BulkInput,
        actor: &Actor,
    ) -> Result<BulkPreview, AppError> {
        MachineResource::bulk_preview(self, db, input, actor).await
    }

    async fn create_bulk_job(
        &self,
        db: &Db,
        input: &BulkInput,
        actor: &Actor,
    ) -> Result<i64, AppError> {
        MachineResource::create_bulk_job(self, db, input, actor).await
    }

    async fn run_bulk_job(
        &self,
        db: &Db,
        job: &JobRecord,
        actor: &Actor,
        runner: &str,
    ) -> Result<(), AppError> {
        MachineResource::run_bulk_job(self, db, job, actor, runner).await
    }

    async fn fire(
        &self,
        db: &Db,
        input: &FireInput,
        actor: &Actor,
    ) -> Result<FireReport, AppError> {
        self.fire_from_console(db, input, actor).await
    }

    fn set_default_visibility(&mut self, default: DefaultVisibility) {
        self.console_default = default;
    }

    fn can_configure(&self, actor: &Actor) -> bool {
        MachineResource::can_configure(self, actor)
    }

    async fn settings(&self, db: &Db, actor: &Actor) -> Result<SettingsView, AppError> {
        self.settings_view(db, actor).await
    }

    async fn save_settings(
        &self,
        db: &Db,
        input: &SettingsInput,
        actor: &Actor,
    ) -> Result<Message, AppError> {
        MachineResource::save_settings(self, db, input, actor).await
    }

    async fn revert_setting(
        &self,
        db: &Db,
        input: &RevertInput,
        actor: &Actor,
    ) -> Result<Message, AppError> {
        MachineResource::revert_setting(self, db, input, actor).await
    }
}

/// A state name the machine knows, for messages.
pub(crate) fn state_label<O>(machine: &Machine<O>, state: &StateName) -> String {
    machine
        .state(state.as_str())
        .map(|s| s.label.clone())
        .unwrap_or_else(|| state.to_string())
}
