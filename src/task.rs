//! The widget's one way to run a task (a request, a wait) and an effect. A task runs
//! under the owner of the component that started it, so it is cancelled when that
//! component goes away: an answer that arrives after the widget was destroyed or
//! re-rendered touches nothing. Both are boxed before Leptos sees them, so Leptos'
//! machinery for them is in the wasm once rather than once per call site.

use leptos::prelude::*;
use leptos::reactive::owner::{Owner, WeakOwner};
use std::future::Future;
use std::pin::Pin;

/// Starts tasks under the owner that was current when it was made. `Copy`, so event
/// handlers (which run under no owner) can take it along.
///
/// It keeps the owner weakly: the handle lives in that owner's own arena, and a strong
/// reference there would keep the owner from ever being cleaned up (its timers and
/// requests would outlive `destroy()`; the embed e2e test counts them).
#[derive(Clone, Copy)]
pub struct Tasks(StoredValue<WeakOwner>);

impl Tasks {
    /// Tasks of the component being built.
    pub fn here() -> Tasks {
        Tasks(StoredValue::new(Owner::current().expect("components run under an owner").downgrade()))
    }

    /// Runs `task`, cancelled with the owner; once the owner is gone, runs nothing.
    ///
    /// Boxed first, so Leptos' task wrapper exists in the wasm once, not once per kind
    /// of task: its copies (one per kind of request the flow makes) were 3.9 KB.
    pub fn spawn(&self, task: impl Future<Output = ()> + 'static) {
        let task: Pin<Box<dyn Future<Output = ()>>> = Box::pin(task);
        if let Some(owner) = self.0.try_with_value(WeakOwner::upgrade).flatten() {
            owner.with(|| leptos::task::spawn_local_scoped_with_cancellation(task));
        }
    }
}

/// `Effect::new` with the function boxed: the effect's loop is in the wasm once, not
/// once per effect (4.3 KB for the flow's seven). `f` gets what it returned last time.
pub fn effect<T: 'static>(mut f: impl FnMut(Option<T>) -> T + 'static) {
    let mut previous = None;
    boxed_effect(Box::new(move || previous = Some(f(previous.take()))));
}

fn boxed_effect(mut run: Box<dyn FnMut()>) {
    Effect::new(move |_: Option<()>| run());
}
