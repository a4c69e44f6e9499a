//! `GET /api/v1/resources`: the resources the caller may view, each with its state fields,
//! their states, groups and transitions.

use std::collections::BTreeMap;

use app::{
    admin::{api::Problem, diagram::FieldDiagram},
    state::AppState,
};
use axum::{extract::State, Json};
use serde::Serialize;
use utoipa::ToSchema;

use super::Caller;

/// One state.
#[derive(Debug, Serialize, ToSchema)]
pub struct StateInfo {
    /// Its name, as filters and the API name it.
    name: String,
    /// Its label.
    label: String,
    /// What it means.
    description: String,
    /// Whether no transition leaves it.
    #[serde(rename = "final")]
    is_final: bool,
}

/// One state group.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupInfo {
    /// Its name, for `?group=`.
    name: String,
    /// Its label.
    label: String,
    /// Its states.
    states: Vec<String>,
}

/// One transition: where it may start and where it may lead.
#[derive(Debug, Serialize, ToSchema)]
pub struct TransitionInfo {
    /// Its name, for firing.
    name: String,
    /// The states it starts from.
    from: Vec<String>,
    /// The states it may lead to.
    to: Vec<String>,
}

/// One state field.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldInfo {
    /// The field's name (its column, its filter parameter).
    name: String,
    /// Its label.
    label: String,
    /// A new object's state.
    initial: String,
    /// Every state, in declaration order.
    states: Vec<StateInfo>,
    /// Every state group.
    groups: Vec<GroupInfo>,
    /// Every transition, by name.
    transitions: Vec<TransitionInfo>,
}

/// One resource.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResourceInfo {
    /// Its name, in every address.
    name: String,
    /// Its title.
    title: String,
    /// Its state fields.
    fields: Vec<FieldInfo>,
}

/// The resources the caller may view, in registration order.
#[utoipa::path(
    get,
    path = "/resources",
    tag = "resources",
    responses(
        (status = 200, description = "The resources the caller may view.", body = Vec<ResourceInfo>),
        (status = 401, description = "No live token.", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn list(caller: Caller, State(state): State<AppState>) -> Json<Vec<ResourceInfo>> {
    let resources = state
        .registry
        .iter()
        .filter(|resource| caller.actor.has_perm(&resource.view_permission()))
        .map(|resource| ResourceInfo {
            name: resource.name().to_owned(),
            title: resource.title().to_owned(),
            fields: resource.diagrams().into_iter().map(field_info).collect(),
        })
        .collect();
    Json(resources)
}

fn field_info(field: FieldDiagram) -> FieldInfo {
    let diagram = field.diagram;
    let mut transitions: BTreeMap<String, TransitionInfo> = BTreeMap::new();
    for edge in diagram.edges.iter().filter(|edge| !edge.on_error) {
        let entry = transitions
            .entry(edge.label.clone())
            .or_insert_with(|| TransitionInfo {
                name: edge.label.clone(),
                from: Vec::new(),
                to: Vec::new(),
            });
        for (list, state) in [(&mut entry.from, &edge.from), (&mut entry.to, &edge.to)] {
            if !list.iter().any(|s| s == state.as_str()) {
                list.push(state.to_string());
            }
        }
    }
    FieldInfo {
        name: field.field,
        label: field.label,
        initial: diagram.initial.to_string(),
        states: diagram
            .states
            .into_iter()
            .map(|state| StateInfo {
                name: state.name.to_string(),
                label: state.label,
                description: state.description,
                is_final: state.is_final,
            })
            .collect(),
        groups: diagram
            .groups
            .into_iter()
            .map(|(name, label, members)| GroupInfo {
                name,
                label,
                states: members.iter().map(ToString::to_string).collect(),
            })
            .collect(),
        transitions: transitions.into_values().collect(),
    }
}
