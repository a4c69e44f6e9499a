//! A resource's admin options, declared by the deployer next to the machine: list columns,
//! search, ordering, page size, object fields, forms that override the machine's, how
//! unavailable transitions are shown, and a visibility hook (Django's `ModelAdmin` plus
//! django-fsm-2's `FSMAdminMixin`).

use std::{collections::HashMap, future::Future, pin::Pin, sync::Arc};

use serde_json::{Map, Value};
use switchyard_engine::{Actor, BulkMode, FieldErrors, Form, Row, Transition};

use crate::db::{list::Direction, SqlStore};

type Display<O> = Arc<dyn Fn(&O) -> String + Send + Sync>;
pub(crate) type VisibilityHook<O> =
    Arc<dyn Fn(&Transition<O>, &O, &Actor) -> Option<bool> + Send + Sync>;
pub(crate) type TextHook<O> = Arc<dyn Fn(&Transition<O>, &O) -> Option<String> + Send + Sync>;
type Build<O> = Arc<dyn Fn(&Map<String, Value>) -> Result<O, FieldErrors> + Send + Sync>;
type ActionRun<O> = Arc<dyn Fn(ActionBatch<O>) -> ActionFuture + Send + Sync>;

/// What a deployer's bulk action returns for one batch: an outcome per row, in the batch's
/// order, or an error that stops the job (its message is shown on the job page).
pub type ActionFuture = Pin<Box<dyn Future<Output = Result<Vec<ActionOutcome>, String>> + Send>>;

/// One batch of a deployer's bulk action: the selected rows that exist (up to 5,000, in key
/// order), who runs it, and the resource's store (its table on the console's database, for
/// audited edits such as `update_columns`).
pub struct ActionBatch<O> {
    /// The rows, with their state and version as read just now.
    pub rows: Vec<Row<O>>,
    /// Who runs the job, with their current permissions.
    pub actor: Actor,
    /// The resource's store; `store.db()` is the console's database.
    pub store: SqlStore<O>,
}

/// What a deployer's bulk action did with one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionOutcome {
    /// Done.
    Done,
    /// Left alone, and why (counted as skipped).
    Skipped(String),
    /// Tried and failed, and why.
    Failed(String),
}

/// A bulk action a deployer registers beside the transitions (Django admin's actions): it
/// appears in the list's "Action" menu after them, previews like them, and runs as a durable
/// job batch by batch. A batch interrupted by a crash runs again on resume, so the action
/// must be idempotent (the transitions' exactly-once rests on their audit rows).
pub struct CustomAction<O> {
    pub(crate) name: String,
    pub(crate) label: String,
    pub(crate) permission: Option<String>,
    pub(crate) run: ActionRun<O>,
}

impl<O> CustomAction<O> {
    /// An action named `name` (an identifier, unique among the machine's transitions), shown
    /// as `label`, running `run` on each batch.
    pub fn new(
        name: &str,
        label: &str,
        run: impl Fn(ActionBatch<O>) -> ActionFuture + Send + Sync + 'static,
    ) -> Self {
        CustomAction {
            name: name.to_owned(),
            label: label.to_owned(),
            permission: None,
            run: Arc::new(run),
        }
    }

    /// Offers the action only to users holding this permission code (else to anyone who may
    /// view the resource).
    pub fn permission(mut self, code: &str) -> Self {
        self.permission = Some(code.to_owned());
        self
    }
}

/// A column of the list page, or a field of the object page.
pub struct Column<O> {
    pub(crate) name: String,
    pub(crate) label: String,
    pub(crate) sortable: bool,
    pub(crate) numeric: bool,
    pub(crate) display: Display<O>,
}

impl<O> Column<O> {
    /// A column named after a model column (the name used in `sort=`), shown by `display`.
    pub fn new(
        name: &str,
        label: &str,
        display: impl Fn(&O) -> String + Send + Sync + 'static,
    ) -> Self {
        Column {
            name: name.to_owned(),
            label: label.to_owned(),
            sortable: false,
            numeric: false,
            display: Arc::new(display),
        }
    }

    /// Lets the header sort the list by this column (index it for large tables).
    pub fn sortable(mut self) -> Self {
        self.sortable = true;
        self
    }

    /// Right-aligns the values.
    pub fn numeric(mut self) -> Self {
        self.numeric = true;
        self
    }
}

/// Which unavailable transitions get a disabled button with the reason; the others are absent.
///
/// The default follows the console's rule: unmet conditions are shown disabled with their
/// sentences; forbidden and hidden transitions, and those that cannot start from the current
/// state, are absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnavailableDisplay {
    /// Show transitions whose conditions fail, disabled with the sentences.
    pub conditions_unmet: bool,
    /// Show transitions the user lacks the permission for, disabled.
    pub forbidden: bool,
    /// Show transitions that cannot start from the current state, disabled.
    pub wrong_state: bool,
}

impl Default for UnavailableDisplay {
    fn default() -> Self {
        UnavailableDisplay {
            conditions_unmet: true,
            forbidden: false,
            wrong_state: false,
        }
    }
}

/// Everything the console needs to show one resource.
pub struct AdminOptions<O> {
    pub(crate) title: String,
    pub(crate) singular: String,
    pub(crate) columns: Vec<Column<O>>,
    pub(crate) search: Vec<String>,
    pub(crate) ordering: (String, Direction),
    pub(crate) page_size: u32,
    pub(crate) fields: Vec<Column<O>>,
    pub(crate) forms: Arc<HashMap<String, Form>>,
    pub(crate) unavailable: UnavailableDisplay,
    pub(crate) visible: Option<VisibilityHook<O>>,
    pub(crate) label: Option<TextHook<O>>,
    pub(crate) help: Option<TextHook<O>>,
    pub(crate) edit_form: Option<Form>,
    pub(crate) create: Option<(Form, Build<O>)>,
    pub(crate) deletable: bool,
    pub(crate) bulk_modes: HashMap<String, BulkMode>,
    pub(crate) actions: Vec<CustomAction<O>>,
    pub(crate) row_actions: Vec<String>,
}

impl<O> AdminOptions<O> {
    /// Options titled `title` (`Orders`), one object being a `singular` (`order`); newest
    /// first, 100 rows a page, no columns beyond the key and the state.
    pub fn new(title: &str, singular: &str) -> Self {
        AdminOptions {
            title: title.to_owned(),
            singular: singular.to_owned(),
            columns: Vec::new(),
            search: Vec::new(),
            ordering: ("id".to_owned(), Direction::Descending),
            page_size: 100,
            fields: Vec::new(),
            forms: Arc::default(),
            unavailable: UnavailableDisplay::default(),
            visible: None,
            label: None,
            help: None,
            edit_form: None,
            create: None,
            deletable: false,
            bulk_modes: HashMap::new(),
            actions: Vec::new(),
            row_actions: Vec::new(),
        }
    }

    /// Puts a button on each list row for each of these transitions that the user may fire
    /// on that row (Filament's table actions): it fires with the row's version and updates
    /// the row in place. A transition with a form or a confirmation links to its page.
    pub fn row_actions(mut self, transitions: &[&str]) -> Self {
        self.row_actions = transitions.iter().map(|name| (*name).to_owned()).collect();
        self
    }

    /// Adds a list column, after the key and the state.
    pub fn column(mut self, column: Column<O>) -> Self {
        self.columns.push(column);
        self
    }

    /// Searches these text columns (case-insensitive substring; a whole number also finds
    /// the object with that key).
    pub fn search(mut self, columns: &[&str]) -> Self {
        self.search = columns.iter().map(|c| (*c).to_owned()).collect();
        self
    }

    /// The default order: a column name, `-` first for descending (`-id`).
    pub fn ordering(mut self, sort: &str) -> Self {
        self.ordering = parse_sort(sort);
        self
    }

    /// Rows per list page.
    pub fn page_size(mut self, rows: u32) -> Self {
        self.page_size = rows.max(1);
        self
    }

    /// Adds a field to the object page, after the state.
    pub fn field(mut self, field: Column<O>) -> Self {
        self.fields.push(field);
        self
    }

    /// Uses `form` for `transition` instead of the form the machine declares (django-fsm-2's
    /// `fsm_forms` precedence: the admin's form wins).
    pub fn form(mut self, transition: &str, form: Form) -> Self {
        Arc::make_mut(&mut self.forms).insert(transition.to_owned(), form);
        self
    }

    /// Chooses which unavailable transitions are shown disabled.
    pub fn unavailable(mut self, display: UnavailableDisplay) -> Self {
        self.unavailable = display;
        self
    }

    /// Decides per transition, object and user whether the console offers a transition
    /// (django-fsm-2's `is_fsm_transition_visible`, per object): `Some(true)` shows it,
    /// `Some(false)` hides it, `None` leaves it to the browser's override, the transition's
    /// flag and the global default, in that order. The hook comes first of all. A hidden
    /// transition is also refused when posted.
    pub fn visible_when(
        mut self,
        hook: impl Fn(&Transition<O>, &O, &Actor) -> Option<bool> + Send + Sync + 'static,
    ) -> Self {
        self.visible = Some(Arc::new(hook));
        self
    }
}

impl<O> AdminOptions<O> {
    /// Overrides a transition's label for some objects (`None` keeps the machine's), on
    /// buttons, form pages and messages.
    pub fn label_when(
        mut self,
        hook: impl Fn(&Transition<O>, &O) -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        self.label = Some(Arc::new(hook));
        self
    }

    /// Overrides a transition's help text for some objects (`None` keeps the machine's).
    pub fn help_when(
        mut self,
        hook: impl Fn(&Transition<O>, &O) -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        self.help = Some(Arc::new(hook));
        self
    }

    /// Lets users holding `<resource>.change` edit these fields on the object page. Each
    /// field names a model column; the state is never one of them.
    pub fn editable(mut self, form: Form) -> Self {
        self.edit_form = Some(form);
        self
    }

    /// Lets users holding `<resource>.add` create objects with this form; `build` turns the
    /// cleaned fields into the new object (or refuses fields with their sentences). New
    /// objects start in the machine's initial state.
    pub fn creatable(
        mut self,
        form: Form,
        build: impl Fn(&Map<String, Value>) -> Result<O, FieldErrors> + Send + Sync + 'static,
    ) -> Self {
        self.create = Some((form, Arc::new(build)));
        self
    }

    /// Lets users holding `<resource>.delete` delete objects (their history stays).
    pub fn deletable(mut self) -> Self {
        self.deletable = true;
        self
    }

    /// The mode `transition` runs in as a bulk action unless the operator (or the API caller)
    /// chooses the other one; without this, best effort.
    pub fn bulk_mode(mut self, transition: &str, mode: BulkMode) -> Self {
        self.bulk_modes.insert(transition.to_owned(), mode);
        self
    }

    /// Adds a bulk action of the deployer's own, after the transitions in the menu.
    pub fn action(mut self, action: CustomAction<O>) -> Self {
        self.actions.push(action);
        self
    }

    /// Whether `transition` runs all or nothing when the request does not say.
    pub(crate) fn all_or_nothing_by_default(&self, transition: &str) -> bool {
        matches!(
            self.bulk_modes.get(transition),
            Some(BulkMode::AllOrNothing)
        )
    }
}

/// `-name` → (`name`, descending); `name` → ascending.
pub(crate) fn parse_sort(sort: &str) -> (String, Direction) {
    match sort.strip_prefix('-') {
        Some(name) => (name.to_owned(), Direction::Descending),
        None => (sort.to_owned(), Direction::Ascending),
    }
}
