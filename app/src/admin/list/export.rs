//! `GET /{resource}/export.csv?…`: every row the list's filters, search and sort match, on
//! every page, as CSV: the key, each state field's label, then the list's columns. Rows are
//! read a page at a time by keyset and written as they come, so a million rows stream in
//! constant memory; every cell a spreadsheet would run as a formula is made inert.

use std::{borrow::Cow, sync::Arc};

use axum::{
    body::Body,
    extract::{Path, RawQuery, State},
    http::header,
    response::{IntoResponse, Response},
};
use futures_util::{stream, Stream, StreamExt};
use tower_sessions::Session;

use async_trait::async_trait;

use super::{logic::list_failure, types::ListQuery};
use crate::{
    admin::{
        bulk::outcomes::inert,
        resource::{
            caller::{caller_of, Caller},
            registry::AdminContext,
            AdminResource, MachineResource,
        },
    },
    auth::session::current_user,
    db::{
        list::{Seek, SortKey},
        Db, SqlModel,
    },
    error::AppError,
};

/// Rows read and written per chunk in key order, where each page is one index range.
pub const KEY_ORDER_PAGE_ROWS: u32 = 2_000;

/// Rows per chunk when sorting by another column: that column may have no index, and then
/// each page's query sorts the matching rows again, so fewer, larger pages cost less time
/// (and more memory: about 100 MB at the peak against 10 MB).
pub const OTHER_ORDER_PAGE_ROWS: u32 = 20_000;

/// Where an export's walk over the matching rows stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportFrom {
    /// Before the first row.
    Start,
    /// After this place in the sort order (a keyset read: every page costs the first's).
    After(SortKey),
    /// After this many rows (a sort that cannot seek).
    Offset(u64),
}

/// One page of an export: its rows' cells, and where the next page starts (none at the end).
pub struct ExportPage {
    /// Each row's cells, in the header's order.
    pub records: Vec<Vec<String>>,
    /// Where the next page starts.
    pub next: Option<ExportFrom>,
}

/// `GET /{resource}/export.csv`: the session, the view permission and the query are checked,
/// and the first page read, before the 200 starts; a refusal is a 4xx with the sentence.
pub async fn export_csv(
    State(context): State<AdminContext>,
    session: Session,
    Path(resource): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    match start(&context, &session, &resource, raw.as_deref()).await {
        Ok(body) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{resource}.csv\""),
                ),
            ],
            Body::from_stream(body),
        )
            .into_response(),
        Err(error) => (error.status(), error.to_string()).into_response(),
    }
}

/// The export's body, once the caller may have it and its first page is read.
async fn start(
    context: &AdminContext,
    session: &Session,
    resource: &str,
    raw: Option<&str>,
) -> Result<impl Stream<Item = Result<Vec<u8>, std::io::Error>>, AppError> {
    let user = current_user(session, &context.db)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let Caller { resource, .. } = caller_of(context.clone(), &user, resource).await?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or_default())
        .map_err(|_| AppError::Invalid("The export's query string is malformed.".to_owned()))?;
    let query = ListQuery::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let first = resource
        .export_page(&context.db, &query, ExportFrom::Start)
        .await?;
    let header = encode(std::iter::once(resource.export_header()));
    let walk = Walk {
        context: context.clone(),
        resource,
        query,
    };
    let head = stream::iter([header, encode(first.records.into_iter())]);
    Ok(head
        .chain(walk.rest(first.next))
        .map(|chunk| chunk.map_err(std::io::Error::other))
        .fuse())
}

/// What the pages after the first are read with.
struct Walk {
    context: AdminContext,
    resource: Arc<dyn AdminResource>,
    query: ListQuery,
}

/// A chunk of CSV, or why it could not be made.
type Chunk = Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>>;

impl Walk {
    /// The pages from `next` on, one chunk each. A failure after the 200 is logged and ends
    /// the stream as an error, so the client sees a broken download, never a file silently
    /// missing its last rows.
    fn rest(self, next: Option<ExportFrom>) -> impl Stream<Item = Chunk> {
        let walk = Arc::new(self);
        stream::unfold(next, move |next| {
            let walk = walk.clone();
            async move {
                let from = next?;
                let page = walk
                    .resource
                    .export_page(&walk.context.db, &walk.query, from)
                    .await;
                match page {
                    Ok(page) => Some((encode(page.records.into_iter()), page.next)),
                    Err(error) => {
                        tracing::error!(%error, "streaming a list export failed");
                        Some((Err(error.to_string().into()), None))
                    }
                }
            }
        })
    }
}

/// Records as CSV lines, each cell inert for spreadsheets, quoted where needed by `csv`.
fn encode(records: impl Iterator<Item = Vec<String>>) -> Chunk {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for record in records {
        writer.write_record(record.iter().map(|cell| match inert(cell) {
            Cow::Borrowed(text) => Cow::Borrowed(text.as_bytes()),
            Cow::Owned(text) => Cow::Owned(text.into_bytes()),
        }))?;
    }
    Ok(writer.into_inner().map_err(|error| error.into_error())?)
}

/// A resource's list as an export: its header, and its rows a page at a time.
#[async_trait]
pub trait ExportFeature: Send + Sync {
    /// The header line: the key, each state field's label, each list column's label.
    fn export_header(&self) -> Vec<String>;
    /// The next page of rows matching `query`, in its sort, from `from`.
    async fn export_page(
        &self,
        db: &Db,
        query: &ListQuery,
        from: ExportFrom,
    ) -> Result<ExportPage, AppError>;
}

#[async_trait]
impl<O: SqlModel> ExportFeature for MachineResource<O> {
    fn export_header(&self) -> Vec<String> {
        std::iter::once("ID".to_owned())
            .chain(self.fields.iter().map(|field| field.label.clone()))
            .chain(
                self.options
                    .columns
                    .iter()
                    .map(|column| column.label.clone()),
            )
            .collect()
    }

    async fn export_page(
        &self,
        db: &Db,
        query: &ListQuery,
        from: ExportFrom,
    ) -> Result<ExportPage, AppError> {
        let order = self.sort(query)?;
        // `id` names the key in a sort, whatever the key column is called.
        let limit = if order.0 == "id" {
            KEY_ORDER_PAGE_ROWS
        } else {
            OTHER_ORDER_PAGE_ROWS
        };
        let store = self.store(db);
        let by_cursor = store.pages_by_cursor(&order.0);
        let (seek, offset) = match &from {
            ExportFrom::Start => (None, 0),
            ExportFrom::After(place) => (Some(Seek::After(place.clone())), 0),
            ExportFrom::Offset(offset) => (None, *offset),
        };
        let spec = self
            .list_spec(db, query, order, (limit, offset), seek)
            .await?;
        let found = store.page(&spec).await.map_err(list_failure)?;
        let read = found.rows.len() as u64;
        let next = match found.sort_keys.last() {
            _ if !found.more => None,
            Some(last) if by_cursor => Some(ExportFrom::After(last.clone())),
            _ => Some(ExportFrom::Offset(offset + read)),
        };
        let labels = self.state_labels(db).await?;
        let records = found
            .rows
            .into_iter()
            .zip(found.other_states)
            .map(|(row, others)| {
                let loaded = self.decode(row, others);
                let first = loaded.first();
                std::iter::once(first.id().to_string())
                    .chain(self.badges(&loaded, &labels).into_iter().map(|b| b.label))
                    .chain(self.cells(first.object()))
                    .collect()
            })
            .collect();
        Ok(ExportPage { records, next })
    }
}

#[cfg(test)]
mod tests {
    use super::encode;

    #[test]
    fn formula_cells_are_inert_and_commas_quoted() {
        let records = vec![
            vec![
                "1".to_owned(),
                "=HYPERLINK(\"x\")".to_owned(),
                "a,b".to_owned(),
            ],
            vec!["2".to_owned(), "-12.50".to_owned(), "plain".to_owned()],
        ];
        let text = String::from_utf8(encode(records.into_iter()).expect("encoded")).expect("utf-8");
        assert_eq!(
            text,
            "1,\"'=HYPERLINK(\"\"x\"\")\",\"a,b\"\n2,'-12.50,plain\n"
        );
    }
}
