//! Bounded work for parsers of binary containers (PDF, office documents).
//!
//! Their parsing crates walk structures that a broken or hostile file controls: object graphs,
//! compressed streams, fonts. A bug there must cost one file, not the run, so such a parse runs on
//! its own thread with a wall-clock budget, and a panic inside it becomes a reported skip. The
//! panic message is kept off the terminal (it would read like a crash of newsdex) by a hook that
//! stays quiet only on these threads. Fuzzing builds still abort on a panic raised in newsdex's
//! own code there, so the fuzzer reports it as the bug it is; a dependency's panic stays a skip.
use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Once, mpsc};
use std::time::{Duration, Instant};

use super::SkipReason;

thread_local! {
    static QUIET_PANICS: Cell<bool> = const { Cell::new(false) };
}

static INSTALL_HOOK: Once = Once::new();

/// Route panics on bounded threads past the default hook, which would print them.
fn install_quiet_hook() {
    INSTALL_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET_PANICS.with(Cell::get) || (cfg!(fuzzing) && raised_in_newsdex(info)) {
                previous(info);
            }
        }));
    });
}

/// Whether a panic comes from this crate's source rather than a dependency's.
fn raised_in_newsdex(info: &std::panic::PanicHookInfo<'_>) -> bool {
    info.location().is_some_and(|l| {
        let file = l.file();
        file.starts_with("src/") || file.starts_with(concat!(env!("CARGO_MANIFEST_DIR"), "/src/"))
    })
}

/// Run `work` on a thread of its own; a panic or a run past `budget` is a `Malformed` skip whose
/// reason says which. A thread over budget is left to finish on its own: there is no safe way to
/// stop it, and its result is simply never read.
pub fn run<T, F>(what: &str, budget: Duration, work: F) -> Result<T, SkipReason>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, SkipReason> + Send + 'static,
{
    run_within(what, || budget, work)
}

/// How often a growing budget is read again while the work runs.
const TICK: Duration = Duration::from_millis(100);

/// As [`run`], with a budget the work may widen as it learns its size (a long document, once its
/// page count is known): `budget` is asked again every tenth of a second, and the work is over
/// budget when the time since it started passes the latest answer.
pub fn run_within<T, F, B>(what: &str, budget: B, work: F) -> Result<T, SkipReason>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, SkipReason> + Send + 'static,
    B: Fn() -> Duration,
{
    install_quiet_hook();
    let (tx, rx) = mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name(format!("newsdex-{what}"))
        .spawn(move || {
            QUIET_PANICS.with(|q| q.set(true));
            let result = catch_unwind(AssertUnwindSafe(work));
            let _ = tx.send(result);
        });
    if let Err(e) = spawned {
        return Err(SkipReason::Unreadable(format!(
            "could not start a parser thread: {e}"
        )));
    }
    let started = Instant::now();
    loop {
        let allowed = budget();
        let Some(left) = allowed
            .checked_sub(started.elapsed())
            .filter(|l| !l.is_zero())
        else {
            return Err(SkipReason::Malformed(format!(
                "{what} parsing took longer than {} s",
                allowed.as_secs()
            )));
        };
        match rx.recv_timeout(left.min(TICK)) {
            Ok(Ok(result)) => return result,
            // A library's panic text is written for its developers ("unexpected Tj operand
            // Operation { .. }"), not for the person whose file it is.
            Ok(Err(_)) => {
                return Err(SkipReason::Malformed(format!(
                    "the {what} parser failed on this file"
                )));
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(SkipReason::Malformed(format!(
                    "the {what} parser stopped without a result"
                )));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panic_becomes_malformed_skip() {
        let r: Result<(), _> = run("test", Duration::from_secs(5), || {
            panic!("index out of range")
        });
        assert_eq!(
            r,
            Err(SkipReason::Malformed(
                "the test parser failed on this file".into()
            ))
        );
    }

    #[test]
    fn overrun_becomes_malformed_skip() {
        let r: Result<(), _> = run("test", Duration::from_millis(50), || {
            std::thread::sleep(Duration::from_millis(400));
            Ok(())
        });
        assert!(
            matches!(&r, Err(SkipReason::Malformed(m)) if m.contains("took longer")),
            "{r:?}"
        );
    }

    #[test]
    fn budget_widened_while_running_is_honoured() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicBool, Ordering};
        let widened = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&widened);
        let budget = || {
            if widened.load(Ordering::SeqCst) {
                Duration::from_secs(30)
            } else {
                Duration::from_millis(300)
            }
        };
        let r = run_within("test", budget, move || {
            flag.store(true, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(700));
            Ok(3)
        });
        assert_eq!(r, Ok(3));
    }

    #[test]
    fn result_passes_through() {
        assert_eq!(run("test", Duration::from_secs(5), || Ok(7)), Ok(7));
    }
}
