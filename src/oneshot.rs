//! Freeing at exit. `rudder template` prints once and ends; by then the big structures of a
//! render (the parsed templates, the per-template values, the render session, the loaded
//! chart) are dead, and freeing them node by node took a tenth of a large chart's run
//! (bitnami-grafana-loki: 3.5 of 36 ms). One-shot commands switch [`release`] to leaving that
//! memory to the operating system; the sync controller, the library's other callers and the
//! tests never do, so they free as usual.

use std::sync::atomic::{AtomicBool, Ordering};

static LEAVE_TO_EXIT: AtomicBool = AtomicBool::new(false);

/// Declares this process one-shot: from now on [`release`] leaves values to process exit.
/// Only a command that ends soon after its render may call this.
pub fn leave_to_exit() {
    LEAVE_TO_EXIT.store(true, Ordering::Relaxed);
}

/// Disposes of a value the caller is done with: dropped as usual, or, in a one-shot process,
/// left for the operating system to reclaim at exit.
pub fn release<T>(value: T) {
    if LEAVE_TO_EXIT.load(Ordering::Relaxed) {
        std::mem::forget(value);
    } else {
        drop(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// Without the one-shot switch (as in every test and the controller) values are dropped.
    #[test]
    fn released_values_are_dropped_by_default() {
        let shared = Arc::new(());
        release(Arc::clone(&shared));
        assert_eq!(Arc::strong_count(&shared), 1);
    }
}
