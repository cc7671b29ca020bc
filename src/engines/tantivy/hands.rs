//! Two hands for the work a search does after its first pass: its facets and its page's hits
//! need nothing from each other, so another core counts the facets while this thread reads the
//! hits and makes their snippets, then takes hits off the same page until none are left.
//!
//! Why: a served search is answered one at a time per connection, so its latency is the sum of
//! its parts on one core while the other idles; after the first pass the facets (a count over
//! every matching article) and the hits (stored documents and snippets) were about two thirds
//! of a served search's time. The other hand is a task on rayon's pool (its threads are started
//! once), not a thread started per search. Answers do not depend on which hand did what: each
//! hit is made alone into its own place on the page, and the facets are counted whole by one
//! hand.
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

/// Run `mine` here and `theirs` on the pool at once, and give back both results. A panic in
/// either reaches this thread when both are done.
pub fn both<A, B>(mine: impl FnOnce() -> A, theirs: impl FnOnce() -> B + Send) -> (A, B)
where
    B: Send,
{
    let mut theirs_out = None;
    let mine_out = rayon::in_place_scope(|s| {
        s.spawn(|_| theirs_out = Some(theirs()));
        mine()
    });
    // The scope waits for its task, so the result is there unless that task panicked, which
    // the scope would have carried here already.
    let theirs_out = theirs_out.expect("a finished scope's task left its result");
    (mine_out, theirs_out)
}

/// A list of items either hand may take, one at a time: the hand that learns the list hands it
/// over with [`Shared::publish`] (or by dropping the [`Promise`] it holds), and both call
/// [`Shared::work`], which waits until the list is known.
pub struct Shared<T, R> {
    items: OnceLock<Vec<T>>,
    next: AtomicUsize,
    /// Each item's result; a lock, not a cell, so results need only be sent between threads
    /// (a segment's fruit is not shared).
    done: OnceLock<Vec<Mutex<Option<R>>>>,
}

/// The promise to publish a [`Shared`] list: dropped unpublished (an error or a panic on the way
/// to the list), it publishes an empty one, so the other hand never waits for a list that will
/// not come.
pub struct Promise<'a, T, R>(&'a Shared<T, R>);

impl<T, R> Drop for Promise<'_, T, R> {
    fn drop(&mut self) {
        self.0.publish(Vec::new());
    }
}

impl<T, R> Shared<T, R> {
    pub fn new() -> Self {
        Shared {
            items: OnceLock::new(),
            next: AtomicUsize::new(0),
            done: OnceLock::new(),
        }
    }

    /// The promise the hand that will learn the list keeps until it does.
    pub fn promise(&self) -> Promise<'_, T, R> {
        Promise(self)
    }

    /// Make the items known; later calls change nothing.
    pub fn publish(&self, items: Vec<T>) {
        // The results' places are set before the items, and `work` waits for the items, so a
        // hand that sees the items sees the places.
        let places = (0..items.len()).map(|_| Mutex::new(None)).collect();
        if self.done.set(places).is_ok() {
            let _ = self.items.set(items);
        }
    }

    /// Wait for the list, then take items until none are left, each made with `each` and a state
    /// `start` gives the first time this hand takes one (a snippet generator, say).
    pub fn work<S>(&self, start: impl FnOnce() -> S, mut each: impl FnMut(&mut S, &T) -> R) {
        let items = self.items.wait();
        let Some(done) = self.done.get() else { return };
        let mut state: Option<S> = None;
        let mut start = Some(start);
        loop {
            let i = self.next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else { return };
            let s = state.get_or_insert_with(|| (start.take().expect("started once"))());
            let made = each(s, item);
            if let Ok(mut place) = done[i].lock() {
                *place = Some(made);
            }
        }
    }

    /// The results in the items' order, once every hand has finished [`Shared::work`]; `None`
    /// when one was left unmade (never, once both hands have worked).
    pub fn into_results(self) -> Option<Vec<R>> {
        let done = self.done.into_inner().unwrap_or_default();
        (done.into_iter())
            .map(|place| place.into_inner().ok().flatten())
            .collect()
    }
}

impl<T, R> Default for Shared<T, R> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_hands_give_their_own_results() {
        let (a, b) = both(|| 2 + 2, || "four".len());
        assert_eq!((a, b), (4, 4));
    }

    #[test]
    fn every_item_is_made_once_in_its_place_whichever_hand_takes_it() {
        for n in [0, 1, 2, 7, 100] {
            let shared: Shared<usize, (usize, usize)> = Shared::new();
            let made = AtomicUsize::new(0);
            let items: Vec<usize> = (0..n).collect();
            both(
                || {
                    let promise = shared.promise();
                    shared.publish(items.clone());
                    drop(promise);
                    shared.work(
                        || 0,
                        |_, &i| {
                            made.fetch_add(1, Ordering::Relaxed);
                            (i, i * i)
                        },
                    )
                },
                || {
                    // The other hand may come before or after the list is known.
                    shared.work(
                        || 0,
                        |_, &i| {
                            made.fetch_add(1, Ordering::Relaxed);
                            (i, i * i)
                        },
                    )
                },
            );
            assert_eq!(made.load(Ordering::Relaxed), n);
            let results = shared.into_results().expect("all made");
            let expected: Vec<(usize, usize)> = (0..n).map(|i| (i, i * i)).collect();
            assert_eq!(results, expected);
        }
    }

    #[test]
    fn a_promise_dropped_unkept_lets_the_other_hand_go_on() {
        let shared: Shared<u8, u8> = Shared::new();
        let (mine, theirs) = both(
            || -> Result<(), &str> {
                let _promise = shared.promise();
                Err("the list could not be made")
            },
            || {
                shared.work(|| (), |_, &b| b);
                "other hand done"
            },
        );
        assert_eq!(
            (mine, theirs),
            (Err("the list could not be made"), "other hand done")
        );
        assert_eq!(shared.into_results(), Some(Vec::new()));
    }

    #[test]
    fn a_panic_before_the_list_is_known_does_not_leave_the_other_hand_waiting() {
        let shared: Shared<u8, u8> = Shared::new();
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            both(
                || {
                    let _promise = shared.promise();
                    panic!("before the list")
                },
                || shared.work(|| (), |_, &b| b),
            )
        }));
        assert!(caught.is_err());
    }

    #[test]
    fn a_panic_on_the_other_hand_reaches_this_thread() {
        let caught = std::panic::catch_unwind(|| both(|| 1, || -> u8 { panic!("other hand") }));
        assert!(caught.is_err());
    }
}
