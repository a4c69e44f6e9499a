//! A step in a bulk fire's transaction: it sees each row's verdict before the commit, and
//! rolls the whole batch back when it answers `false` or fails.

use futures_executor::block_on;
use switchyard_engine::memory::{MemoryStore, MemoryTransaction};
use switchyard_engine::{
    BeforeCommit, BulkMode, BulkRequest, FireError, ObjectId, Staged, StoreError,
};

use crate::support::{clerk, id, orders_machine, seeded, Order};

/// Answers `answer` and remembers what it saw: `(key, "applied" | "not_applied" | "failed")`.
struct Recorder {
    answer: Result<bool, &'static str>,
    seen: Vec<(ObjectId, &'static str)>,
}

impl BeforeCommit<MemoryTransaction<Order>> for Recorder {
    async fn before_commit(
        &mut self,
        _tx: &mut MemoryTransaction<Order>,
        rows: &[(&ObjectId, Staged<'_>)],
    ) -> Result<bool, StoreError> {
        self.seen = rows
            .iter()
            .map(|(key, staged)| {
                let kind = match staged {
                    Staged::Applied => "applied",
                    Staged::NotApplied => "not_applied",
                    Staged::Failed(FireError::Unavailable { .. }) => "unavailable",
                    Staged::Failed(_) => "failed",
                };
                ((*key).clone(), kind)
            })
            .collect();
        self.answer.map_err(StoreError::Injected)
    }
}

fn pay_three(
    store: &MemoryStore<Order>,
    answer: Result<bool, &'static str>,
) -> (Recorder, Result<bool, FireError>) {
    let machine = orders_machine();
    let request = BulkRequest::new(
        vec![id(1), id(2), id(3)],
        "pay",
        clerk(),
        BulkMode::BestEffort,
    );
    let mut step = Recorder {
        answer,
        seen: Vec::new(),
    };
    let result = block_on(machine.fire_bulk_then(store, request, &mut step));
    (step, result.map(|report| report.is_some()))
}

#[test]
fn the_step_sees_every_rows_verdict_and_commits_with_them() {
    let machine = orders_machine();
    let store = seeded(&machine, 3);
    // Order 2 is paid already: `pay` is not available to it.
    block_on(machine.fire(
        &store,
        switchyard_engine::FireRequest::new(2, "pay", clerk()),
    ))
    .expect("pay 2");
    let (step, kept) = pay_three(&store, Ok(true));
    assert!(kept.expect("fire"));
    assert_eq!(
        step.seen,
        [
            (id(1), "applied"),
            (id(2), "unavailable"),
            (id(3), "applied")
        ]
    );
    assert_eq!(store.audit_log().len(), 3, "one before, two now");
    let state = |n| {
        store
            .get(&machine, &id(n))
            .expect("row")
            .state()
            .to_string()
    };
    assert_eq!((state(1), state(3)), ("paid".to_owned(), "paid".to_owned()));
}

#[test]
fn a_step_that_answers_false_or_fails_rolls_the_batch_back() {
    let machine = orders_machine();
    for answer in [Ok(false), Err("the step")] {
        let store = seeded(&machine, 3);
        let (step, kept) = pay_three(&store, answer);
        assert_eq!(step.seen.len(), 3, "the step ran");
        match answer {
            Ok(_) => assert!(!kept.expect("no error"), "abandoned: None"),
            Err(_) => assert!(matches!(kept, Err(FireError::Store(_)))),
        }
        assert!(store.audit_log().is_empty(), "no audit row survives");
        for n in 1..=3 {
            let row = store.get(&machine, &id(n)).expect("row");
            assert_eq!((row.state().as_str(), row.version().get()), ("new", 1));
        }
        let calls = store.call_counts();
        assert_eq!((calls.commits, calls.rollbacks), (0, 1));
    }
}
