//! `GET /jobs/{id}/outcomes.csv`: a job's per-row outcomes as CSV, streamed a page of rows at
//! a time, so a job of a million rows never sits in memory, with every free-text cell made
//! inert for spreadsheets.

use std::borrow::Cow;

use axum::{
    body::Body,
    extract::{Path, State},
    http::header,
    response::{IntoResponse, Response},
};
use futures_util::{stream, Stream, StreamExt};
use tower_sessions::Session;

use crate::{
    admin::resource::registry::AdminContext,
    auth::{session::current_user, users},
    db::{
        jobs::{self, ItemRecord},
        Db,
    },
    error::AppError,
};

/// Rows read and sent per chunk: a few hundred kilobytes of CSV, one indexed range read.
const PAGE_ROWS: i64 = 5_000;

/// The header line's cells.
const HEADER: [&str; 4] = ["position", "object_id", "outcome", "reason"];

/// `GET /jobs/{id}/outcomes.csv`: every row of a job with its outcome and reason, in order.
/// The session, the job and the view permission are checked before the 200 starts.
pub async fn outcomes_csv(
    State(state): State<AdminContext>,
    session: Session,
    Path(job_id): Path<i64>,
) -> Response {
    if let Err(error) = check_access(&state, &session, job_id).await {
        return (error.status(), error.to_string()).into_response();
    }
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"job-{job_id}-outcomes.csv\""),
            ),
        ],
        Body::from_stream(outcome_chunks(state.db.clone(), job_id, Format::Csv)),
    )
        .into_response()
}

/// 401 without a session, 404 for an unknown job, 403 without `<resource>.view`.
async fn check_access(
    state: &AdminContext,
    session: &Session,
    job_id: i64,
) -> Result<(), AppError> {
    let user = current_user(session, &state.db)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let job = jobs::job(&state.db, job_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("Job {job_id}")))?;
    let actor = users::actor(&state.db, &user).await?;
    if actor.has_perm(&format!("{}.view", job.resource)) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

/// Where the walk over a job's rows stands.
enum Next {
    Header,
    /// After the row at position `after`, with `sent` rows sent before.
    After {
        after: i64,
        sent: i64,
    },
    End,
}

/// Before a job's first row: positions are keys (`db::list::KeysQuery`), so they may be
/// negative, but never `i64::MIN`.
const START: Next = Next::After {
    after: i64::MIN,
    sent: 0,
};

/// A chunk of CSV, or why it could not be made.
type Chunk = Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>>;

/// How outcomes are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// CSV with a header line, every free-text cell inert for spreadsheets.
    Csv,
    /// One JSON object per line: `position`, `object_id`, `outcome`, `reason`.
    JsonLines,
}

/// A job's outcomes in `format`: CSV's header line, then one chunk per page of rows.
/// Fused: a body wrapper (the gzip encoder) may poll once more after the end, which a bare
/// `unfold` answers with a panic.
pub fn outcome_chunks(
    db: Db,
    job_id: i64,
    format: Format,
) -> impl Stream<Item = Result<Vec<u8>, std::io::Error>> {
    let first = match format {
        Format::Csv => Next::Header,
        Format::JsonLines => START,
    };
    stream::unfold(first, move |next| {
        let db = db.clone();
        async move {
            match next_chunk(&db, job_id, next, format).await? {
                (Ok(bytes), next) => Some((Ok(bytes), next)),
                (Err(error), _) => {
                    // The 200 and its headers are gone, so no error status can follow. The
                    // error is logged and ends the stream as an error, which makes the server
                    // abort the response: the client sees a broken download, never a file
                    // silently missing its last rows.
                    tracing::error!(job = job_id, %error, "streaming a job's outcomes failed");
                    Some((Err(std::io::Error::other(error)), Next::End))
                }
            }
        }
    })
    .fuse()
}

/// The chunk after `next` and where the walk goes then; `None` once every row is sent. Rows
/// are read by position (keyset), so each page is one index range however deep it is.
async fn next_chunk(db: &Db, job_id: i64, next: Next, format: Format) -> Option<(Chunk, Next)> {
    match next {
        Next::End => None,
        Next::Header => Some((encode(std::iter::once(HEADER.map(Cow::Borrowed))), START)),
        Next::After { after, sent } => {
            match jobs::items_after(db, job_id, after, PAGE_ROWS).await {
                Err(error) => Some((Err(error.into()), Next::End)),
                Ok(items) => {
                    let last = items.last()?.position;
                    let next = if items.len() < PAGE_ROWS as usize {
                        Next::End
                    } else {
                        Next::After {
                            after: last,
                            sent: sent + items.len() as i64,
                        }
                    };
                    let numbered = (sent + 1..).zip(&items);
                    let chunk = match format {
                        Format::Csv => encode(numbered.map(|(number, item)| cells(number, item))),
                        Format::JsonLines => json_lines(numbered),
                    };
                    Some((chunk, next))
                }
            }
        }
    }
}

/// The cells of the `number`th item (from 1): its number, key, outcome (`pending` until
/// processed) and reason.
fn cells(number: i64, item: &ItemRecord) -> [Cow<'_, str>; 4] {
    [
        Cow::Owned(number.to_string()),
        inert(&item.object_id),
        Cow::Borrowed(item.outcome.as_deref().unwrap_or("pending")),
        inert(item.reason.as_deref().unwrap_or_default()),
    ]
}

/// Records as CSV lines, quoted where needed by the `csv` crate.
fn encode<'a>(records: impl Iterator<Item = [Cow<'a, str>; 4]>) -> Chunk {
    let mut writer = csv::Writer::from_writer(Vec::new());
    for record in records {
        writer.write_record(record.iter().map(|cell| cell.as_bytes()))?;
    }
    Ok(writer.into_inner().map_err(|error| error.into_error())?)
}

/// Numbered items as JSON lines, each the item's number (from 1) as `position`, key, outcome
/// and reason.
fn json_lines<'a>(items: impl Iterator<Item = (i64, &'a ItemRecord)>) -> Chunk {
    let mut lines = Vec::new();
    for (number, item) in items {
        serde_json::to_writer(
            &mut lines,
            &serde_json::json!({
                "position": number,
                "object_id": item.object_id,
                "outcome": item.outcome.as_deref().unwrap_or("pending"),
                "reason": item.reason.as_deref().unwrap_or_default(),
            }),
        )?;
        lines.push(b'\n');
    }
    Ok(lines)
}

/// A cell a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return) gets a leading `'`, which spreadsheets show as text and never evaluate
/// (OWASP, "CSV Injection"). Keys and reasons can hold text a user typed.
pub(crate) fn inert(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(object_id: &str, reason: Option<&str>) -> String {
        let item = ItemRecord {
            position: 0,
            object_id: object_id.to_owned(),
            outcome: Some("skipped".to_owned()),
            reason: reason.map(str::to_owned),
        };
        String::from_utf8(encode(std::iter::once(cells(1, &item))).expect("encoded"))
            .expect("utf-8")
    }

    #[test]
    fn every_formula_leading_character_is_made_inert() {
        for lead in ['=', '+', '-', '@'] {
            let cell = format!("{lead}SUM(1+2)");
            assert_eq!(
                line(&cell, Some(&cell)),
                format!("1,'{cell},skipped,'{cell}\n")
            );
        }
        assert_eq!(line("\t1", Some("\rA")), "1,'\t1,skipped,\"'\rA\"\n");
    }

    #[test]
    fn ordinary_cells_are_left_alone_and_quoted_only_when_needed() {
        assert_eq!(line("42", None), "1,42,skipped,\n");
        assert_eq!(
            line("a,b", Some("He said \"no\", twice.")),
            "1,\"a,b\",skipped,\"He said \"\"no\"\", twice.\"\n"
        );
        assert_eq!(line("x=1", Some("Total: -3")), "1,x=1,skipped,Total: -3\n");
    }
}
