//! Deployer code that panics: the attempt is a failed one, audited, and the store (on SQLite,
//! its one writer) keeps serving every fire after it.

use app::db::Backend;
use app::orders::Order;
use switchyard_engine::{
    BulkMode, BulkRequest, FireError, FireRequest, Machine, StateDecl, TransitionDecl,
};

use crate::support::{clerk, fixture, history, order};

crate::on_both_backends!(a_handler_that_panics_is_audited_as_failed_and_the_store_keeps_working);

/// The orders table with a `pay` whose handler panics on every row.
fn panicking_machine() -> Machine<Order> {
    Machine::<Order>::builder("orders")
        .state(StateDecl::new("new").initial())
        .state(StateDecl::new("paid"))
        .transition(
            TransitionDecl::new("pay")
                .from("new")
                .to("paid")
                .permission("orders.pay")
                .handler(|order: &mut Order, _| {
                    order.tracking_number = "half-written".to_owned();
                    if order.amount_cents >= 0 {
                        panic!("a bug in deployer code");
                    }
                    Ok(())
                }),
        )
        .build()
        .expect("machine")
}

async fn a_handler_that_panics_is_audited_as_failed_and_the_store_keeps_working(backend: Backend) {
    let Some(f) = fixture(backend, 4).await else {
        return;
    };
    let broken = panicking_machine();
    let error = broken
        .fire(&f.store, FireRequest::new(1, "pay", clerk()))
        .await
        .expect_err("the handler panics");
    assert!(
        matches!(error, FireError::HandlerFailed { .. }),
        "{error:?}"
    );
    let bulk = BulkRequest::new(
        vec![2.into(), 3.into()],
        "pay",
        clerk(),
        BulkMode::BestEffort,
    );
    let report = broken
        .fire_bulk(&f.store, bulk)
        .await
        .expect("the bulk fire survives");
    assert_eq!((report.applied(), report.failed()), (0, 2));
    for id in 1..=3 {
        let row = order(&f.db, id).await;
        assert_eq!((row.state.as_str(), row.version), ("new", 1));
        assert_eq!(
            row.tracking_number, "",
            "nothing the handler half-wrote is kept"
        );
        let audit = history(&f.db, id).await;
        assert_eq!(audit.len(), 1, "the panicked attempt is audited");
        assert_eq!(audit[0].outcome, "failed");
    }

    // The same store, and on SQLite the same writer, fires the real machine afterwards.
    f.machine
        .fire(&f.store, FireRequest::new(4, "pay", clerk()))
        .await
        .expect("pay after the panic");
    assert_eq!(order(&f.db, 4).await.state, "paid");
}
