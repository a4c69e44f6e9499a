//! `GET /api/v1/resources`: the resources the caller may view, each with its state fields,
//! their states and groups, and their transitions.

use std::collections::BTreeMap;

use app::state::AppState;
use axum::{extract::State, Json};
use serde::Serialize;

use super::Caller;

/// One state.
#[derive(Debug, Serialize)]
pub struct StateInfo {
    name: String,
    label: String,
    description: String,
    #[serde(rename = "final")]
    is_final: bool,
}

/// One transition: where it may start and where it may lead.
#[derive(Debug, Serialize)]
pub struct TransitionInfo {
    name: String,
    from: Vec<String>,
    to: Vec<String>,
}

/// One state field.
#[derive(Debug, Serialize)]
pub struct FieldInfo {
    name: String,
    label: String,
    initial: String,
    states: Vec<StateInfo>,
    transitions: Vec<TransitionInfo>,
}

/// One resource.
#[derive(Debug, Serialize)]
pub struct ResourceInfo {
    name: String,
    title: String,
    fields: Vec<FieldInfo>,
}

/// The resources the caller may view, in registration order.
pub async fn list(caller: Caller, State(state): State<AppState>) -> Json<Vec<ResourceInfo>> {
    let resources = state
        .registry
        .iter()
        .filter(|resource| caller.actor.has_perm(&resource.view_permission()))
        .map(|resource| ResourceInfo {
            name: resource.name().to_owned(),
            title: resource.title().to_owned(),
            fields: resource
                .diagrams()
                .into_iter()
                .map(|field| {
                    let diagram = field.diagram;
                    let mut transitions: BTreeMap<String, TransitionInfo> = BTreeMap::new();
                    for edge in diagram.edges.iter().filter(|edge| !edge.on_error) {
                        let entry = transitions.entry(edge.label.clone()).or_insert_with(|| {
                            TransitionInfo {
                                name: edge.label.clone(),
                                from: Vec::new(),
                                to: Vec::new(),
                            }
                        });
                        for (list, state) in
                            [(&mut entry.from, &edge.from), (&mut entry.to, &edge.to)]
                        {
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
                        transitions: transitions.into_values().collect(),
                    }
                })
                .collect(),
        })
        .collect();
    Json(resources)
}
