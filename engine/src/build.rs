//! `MachineBuilder::build`: every check that refuses a machine, and the reachability warning.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};

use crate::error::{BuildError, BuildWarning};
use crate::hooks::Hook;
use crate::machine::{Machine, MachineBuilder};
use crate::names::{StateName, TransitionName};
use crate::state::{GroupKind, State, StateGroup, StateStorage};
use crate::transition::{Source, SourceDecl, Target, TargetDecl, Transition, TransitionDecl};

fn parse_state(place: &str, raw: &str) -> Result<StateName, BuildError> {
    StateName::parse(raw).map_err(|error| BuildError::InvalidName {
        place: place.to_owned(),
        error,
    })
}

/// Resolves a name against the declared states, or names the place that is wrong.
fn known(states: &[State], place: &str, raw: &str) -> Result<StateName, BuildError> {
    states
        .iter()
        .find(|state| state.name == raw)
        .map(|state| state.name.clone())
        .ok_or_else(|| BuildError::UnknownState {
            place: place.to_owned(),
            state: raw.to_owned(),
        })
}

fn check_states<O>(builder: &MachineBuilder<O>) -> Result<(Vec<State>, StateName), BuildError> {
    let mut states: Vec<State> = Vec::new();
    for decl in &builder.states {
        let name = parse_state("state", &decl.name)?;
        if states.iter().any(|state| state.name == name) {
            return Err(BuildError::DuplicateState(name));
        }
        states.push(State {
            label: decl.label.clone().unwrap_or_else(|| decl.name.clone()),
            name,
            description: decl.description.clone(),
            initial: decl.initial,
            is_final: decl.is_final,
            colour: decl.colour.clone(),
            code: decl.code,
        });
    }
    let initial: Vec<StateName> = states
        .iter()
        .filter(|state| state.initial)
        .map(|state| state.name.clone())
        .collect();
    let initial = match initial.as_slice() {
        [] => return Err(BuildError::NoInitialState(builder.resource.clone())),
        [only] => only.clone(),
        _ => {
            return Err(BuildError::SeveralInitialStates {
                machine: builder.resource.clone(),
                states: initial,
            })
        }
    };
    if builder.storage == StateStorage::IntegerCode {
        let mut codes: HashMap<i64, &StateName> = HashMap::new();
        for state in &states {
            let code = state
                .code
                .ok_or_else(|| BuildError::MissingStateCode(state.name.clone()))?;
            if let Some(first) = codes.insert(code, &state.name) {
                return Err(BuildError::DuplicateStateCode {
                    code,
                    first: first.clone(),
                    second: state.name.clone(),
                });
            }
        }
    }
    Ok((states, initial))
}

fn check_transition<O>(
    states: &[State],
    decl: TransitionDecl<O>,
) -> Result<Vec<Transition<O>>, BuildError> {
    let name = TransitionName::parse(&decl.name).map_err(|error| BuildError::InvalidName {
        place: "transition".to_owned(),
        error,
    })?;
    let place = |part: &str| format!("transition `{name}` ({part})");
    let target = match decl.target {
        None => return Err(BuildError::MissingTarget(name)),
        Some(TargetDecl::Fixed(raw)) => Target::Fixed(known(states, &place("target"), &raw)?),
        Some(TargetDecl::Unchanged) => Target::Unchanged,
        Some(TargetDecl::FromHandler(allowed)) | Some(TargetDecl::FromObject(allowed, _))
            if allowed.is_empty() =>
        {
            return Err(BuildError::EmptyAllowedSet(name))
        }
        Some(TargetDecl::FromHandler(allowed)) => Target::FromHandler {
            allowed: allowed
                .iter()
                .map(|raw| known(states, &place("allowed set"), raw))
                .collect::<Result<_, _>>()?,
        },
        Some(TargetDecl::FromObject(allowed, compute)) => Target::FromObject {
            allowed: allowed
                .iter()
                .map(|raw| known(states, &place("allowed set"), raw))
                .collect::<Result<_, _>>()?,
            compute,
        },
    };
    let on_error = decl
        .on_error
        .as_deref()
        .map(|raw| known(states, &place("on_error"), raw))
        .transpose()?;
    let sources = match decl.source {
        None => return Err(BuildError::MissingSource(name)),
        Some(SourceDecl::Any) => vec![Source::Any],
        Some(SourceDecl::AnyOther) => vec![Source::AnyOther],
        Some(SourceDecl::States(raw_states)) => {
            let mut sources = Vec::new();
            for raw in &raw_states {
                let state = known(states, &place("source"), raw)?;
                if states.iter().any(|s| s.name == state && s.is_final) {
                    return Err(BuildError::TransitionFromFinalState {
                        transition: name,
                        state,
                    });
                }
                sources.push(Source::State(state));
            }
            sources
        }
    };
    let label = decl.label.unwrap_or_else(|| decl.name.clone());
    Ok(sources
        .into_iter()
        .map(|source| Transition {
            name: name.clone(),
            source,
            target: target.clone(),
            label: label.clone(),
            help_text: decl.help_text.clone(),
            admin_flag: decl.admin_flag,
            conditions: decl.conditions.clone(),
            permission: decl.permission.clone(),
            on_error: on_error.clone(),
            form: decl.form.clone(),
            confirmation: decl.confirmation.clone(),
            metadata: decl.metadata.clone(),
            handler: decl.handler.clone(),
        })
        .collect())
}

fn source_key(source: &Source) -> String {
    match source {
        Source::State(state) => state.to_string(),
        Source::Any => "*".to_owned(),
        Source::AnyOther => "+".to_owned(),
    }
}

fn check_groups<O>(
    builder: &MachineBuilder<O>,
    states: &[State],
) -> Result<Vec<StateGroup>, BuildError> {
    let mut groups: Vec<StateGroup> = Vec::new();
    for decl in &builder.groups {
        if groups.iter().any(|group| group.name == decl.name) {
            return Err(BuildError::DuplicateGroup(decl.name.clone()));
        }
        let place = format!("group `{}`", decl.name);
        let listed: BTreeSet<StateName> = decl
            .listed
            .iter()
            .map(|raw| known(states, &place, raw))
            .collect::<Result<_, _>>()?;
        let members = states
            .iter()
            .map(|state| &state.name)
            .filter(|name| listed.contains(*name) == (decl.kind == GroupKind::Inclusive))
            .cloned()
            .collect();
        groups.push(StateGroup {
            name: decl.name.clone(),
            label: decl.label.clone(),
            kind: decl.kind.clone(),
            listed,
            members,
        });
    }
    Ok(groups)
}

fn check_state_hooks<O>(
    states: &[State],
    place: &str,
    hooks: Vec<(String, Hook<O>)>,
) -> Result<Vec<(StateName, Hook<O>)>, BuildError> {
    hooks
        .into_iter()
        .map(|(raw, hook)| Ok((known(states, place, &raw)?, hook)))
        .collect()
}

/// States no chain of transitions reaches from the initial state (on_error edges count).
fn unreachable_states<O>(machine: &Machine<O>) -> Vec<StateName> {
    let mut reached: HashSet<StateName> = HashSet::from([machine.initial.clone()]);
    let mut queue = VecDeque::from([machine.initial.clone()]);
    while let Some(state) = queue.pop_front() {
        let is_final = machine.is_final(&state);
        for transition in &machine.transitions {
            if !transition.starts_from(&state, is_final) {
                continue;
            }
            let mut next = transition.target.possible_states();
            next.extend(transition.on_error.iter().cloned());
            for target in next {
                if reached.insert(target.clone()) {
                    queue.push_back(target);
                }
            }
        }
    }
    machine
        .states
        .iter()
        .map(|state| state.name.clone())
        .filter(|name| !reached.contains(name))
        .collect()
}

impl<O: 'static> MachineBuilder<O> {
    /// Checks the declarations and returns the machine, or the first precise reason to refuse it.
    ///
    /// Unreachable states are accepted and listed in `Machine::warnings`.
    pub fn build(mut self) -> Result<Machine<O>, BuildError> {
        // The field names a column and appears in audit rows: the same rule as state names.
        parse_state("the machine's field", &self.field)?;
        let (states, initial) = check_states(&self)?;
        let mut transitions: Vec<Transition<O>> = Vec::new();
        let mut seen: HashSet<(TransitionName, String)> = HashSet::new();
        for decl in std::mem::take(&mut self.transitions) {
            for transition in check_transition(&states, decl)? {
                let key = (transition.name.clone(), source_key(&transition.source));
                if !seen.insert(key.clone()) {
                    return Err(BuildError::DuplicateTransition {
                        transition: key.0,
                        from: key.1,
                    });
                }
                transitions.push(transition);
            }
        }
        let groups = check_groups(&self, &states)?;
        let mut hooks = std::mem::take(&mut self.hooks);
        hooks.on_enter = check_state_hooks(&states, "on_enter hook", self.on_enter)?;
        hooks.on_leave = check_state_hooks(&states, "on_leave hook", self.on_leave)?;
        let mut machine = Machine {
            resource: self.resource,
            field: self.field,
            storage: self.storage,
            states,
            initial,
            transitions,
            groups,
            hooks,
            warnings: Vec::new(),
        };
        machine.warnings = unreachable_states(&machine)
            .into_iter()
            .map(BuildWarning::UnreachableState)
            .collect();
        Ok(machine)
    }
}
