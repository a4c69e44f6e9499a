//! Bulk jobs: every job, filtered and paged (`/jobs`), and one job's progress and report (`/jobs/:id`),
//! reloaded every two seconds while it runs, with "Cancel" and the per-row outcomes as CSV.

use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::{Meta, Title};
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::{
    admin::{
        bulk::{
            api::{job_page, jobs_page, CancelJob},
            types::{JobInput, JobView, JobsQuery, JobsView, JOB_STATUSES},
        },
        object::types::object_path,
    },
    components::messages::ErrorPanel,
};

fn progress_text(job: &JobView) -> String {
    let processed = job.applied + job.skipped + job.failed;
    format!(
        "{processed} of {} processed: {} moved, {} skipped, {} failed",
        job.total, job.applied, job.skipped, job.failed
    )
}

fn status_label(status: &str) -> &'static str {
    match status {
        "queued" => "Queued",
        "running" => "Running",
        "done" => "Done",
        "cancelled" => "Cancelled",
        _ => "Failed",
    }
}

/// `/jobs?status=…&resource=…&author=…&before=…`: newest first, fifty a page.
#[component]
pub fn JobsPage() -> impl IntoView {
    let query = use_query_map();
    let jobs = Resource::new(
        move || {
            query.with(|q| JobsQuery::from_pairs(q.latest_values().map(|(k, v)| (k.as_ref(), v))))
        },
        jobs_page,
    );
    view! {
        <Title text="Jobs"/>
        <nav class="breadcrumbs" aria-label="Breadcrumbs"><a href="/">"Home"</a> " / " <span aria-current="page">"Jobs"</span></nav>
        <h1 tabindex="-1" autofocus>"Jobs"</h1>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match jobs.await {
                    Ok(view) => view! { <JobsList view/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn JobsList(view: JobsView) -> impl IntoView {
    let JobsView {
        jobs,
        query,
        older,
        resources,
    } = view;
    let filtered = query.status.is_some() || query.resource.is_some() || query.author.is_some();
    let status = query.status.clone().unwrap_or_default();
    let resource = query.resource.clone().unwrap_or_default();
    let newest = JobsQuery {
        before: None,
        ..query.clone()
    };
    let summary = match (jobs.len(), filtered) {
        (0, true) => "No job matches these filters.".to_owned(),
        (0, false) => "No bulk job has run yet.".to_owned(),
        (1, _) => "1 job".to_owned(),
        (n, _) => format!("{n} jobs"),
    };
    view! {
        <form method="get" action="/jobs" class="filters" role="search" aria-label="Filter jobs">
            <label>
                "Status"
                <select name="status">
                    <option value="" selected=status.is_empty()>"All statuses"</option>
                    {JOB_STATUSES.iter().map(|(name, label)| view! {
                        <option value=*name selected=status == *name>{*label}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>
                "Resource"
                <select name="resource">
                    <option value="" selected=resource.is_empty()>"All resources"</option>
                    {resources.into_iter().map(|(name, title)| {
                        let selected = name == resource;
                        view! { <option value=name selected=selected>{title}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>
                "Author"
                <input type="search" name="author" value=query.author.clone().unwrap_or_default() placeholder="User name"/>
            </label>
            <button type="submit" class="button primary">"Filter"</button>
            {filtered.then(|| view! { <a class="button subtle" href="/jobs">"Clear"</a> })}
        </form>
        <p class="muted list-summary">{summary}</p>
        {(!jobs.is_empty()).then(|| view! {
            <div class="table-scroll">
                <table class="data">
                    <caption class="visually-hidden">"Bulk jobs, newest first"</caption>
                    <thead><tr>
                        <th scope="col" class="numeric">"Job"</th><th scope="col">"Action"</th>
                        <th scope="col">"Status"</th><th scope="col">"Progress"</th>
                        <th scope="col">"Who"</th><th scope="col">"Created (UTC)"</th>
                    </tr></thead>
                    <tbody>
                        {jobs.into_iter().map(|job| view! {
                            <tr>
                                <td class="numeric"><a href=format!("/jobs/{}", job.id)>{job.id}</a></td>
                                <td>{format!("{} ({})", job.label, job.resource)}</td>
                                <td>{status_label(&job.status)}</td>
                                <td>{progress_text(&job)}</td>
                                <td>{job.actor.clone()}</td>
                                <td>{job.created_at.replace('T', " ").trim_end_matches('Z').to_owned()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        })}
        <nav class="pagination" aria-label="Pages">
            {query.before.is_some().then(|| view! {
                <a class="button subtle" href=format!("/jobs{}", newest.to_query_string())>"« Newest"</a>
            })}
            {older.map(|older| view! {
                <a class="button subtle" rel="next" href=format!("/jobs{}", older.to_query_string())>"Older ›"</a>
            })}
        </nav>
    }
}

/// `/jobs/:id`.
#[component]
pub fn JobPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params.with(|p| {
            p.get("id")
                .and_then(|id| id.parse::<i64>().ok())
                .unwrap_or(0)
        })
    };
    let job = Resource::new(id, |id| job_page(JobInput { id }));
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match job.await {
                    Ok(view) => view! { <JobDetail view/> }.into_any(),
                    Err(error) => view! { <ErrorPanel error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn JobDetail(view: JobView) -> impl IntoView {
    let heading = format!("Job {}: {}", view.id, view.label);
    let processed = view.applied + view.skipped + view.failed;
    let running = view.is_running();
    let rate = if view.rate > 0.0 {
        format!("{:.0} rows/s", view.rate)
    } else {
        "—".to_owned()
    };
    let left = view
        .seconds_left
        .map(|seconds| format!("about {} s left", seconds.ceil()))
        .unwrap_or_default();
    let csv = format!("/jobs/{}/outcomes.csv", view.id);
    let resource = view.resource.clone();
    view! {
        <Title text=heading.clone()/>
        {running.then(|| view! { <Meta http_equiv="refresh" content="2"/> })}
        <nav class="breadcrumbs" aria-label="Breadcrumbs"><a href="/">"Home"</a> " / " <a href="/jobs">"Jobs"</a></nav>
        <h1 tabindex="-1" autofocus>{heading.clone()}</h1>
        <section class="card" aria-labelledby="progress-heading">
            <h2 id="progress-heading">{status_label(&view.status)}</h2>
            <progress max=view.total.to_string() value=processed.to_string() aria-label="Progress">
                {format!("{processed} of {}", view.total)}
            </progress>
            <p role="status" class="job-progress">{progress_text(&view)}</p>
            <p class="muted">
                {format!("{} · {} · started by {} · ", view.mode, rate, view.actor)}{left}
            </p>
            {view.error.clone().map(|error| view! { <p class="message error" role="alert">{error}</p> })}
            {(running && view.cancel_requested).then(|| view! { <p class="message warning">"Cancelling after the current batch…"</p> })}
            {(running && !view.cancel_requested).then(|| view! {
                <form method="post" action=CancelJob::url()>
                    <input type="hidden" name="input[id]" value=view.id.to_string()/>
                    <button type="submit" class="button danger">"Cancel job"</button>
                </form>
            })}
            <p><a href=csv rel="external" download="">"Per-row outcomes (CSV)"</a></p>
        </section>
        {(!view.problems.is_empty()).then(|| view! {
            <section class="card" aria-labelledby="problems-heading">
                <h2 id="problems-heading">"Rows that did not move"</h2>
                <div class="table-scroll">
                    <table class="data">
                        <caption class="visually-hidden">"Rows skipped or failed, with the reason"</caption>
                        <thead><tr><th scope="col">"Object"</th><th scope="col">"Outcome"</th><th scope="col">"Why"</th></tr></thead>
                        <tbody>
                            {view.problems.into_iter().map(|item| view! {
                                <tr>
                                    <td><a href=object_path(&resource, &item.id)>{item.id.clone()}</a></td>
                                    <td>{item.outcome}</td>
                                    <td>{item.reason}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </section>
        })}
    }
}
