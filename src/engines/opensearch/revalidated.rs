//! A companion document (saved settings, copy groups) kept in the process and revalidated off
//! the search's path: a reader gets the copy it has at once, and once that copy is older than
//! [`SETTINGS_FRESH`] one thread of its own asks the cluster for the document's version (no
//! body). An unchanged version keeps the copy; a changed one drops it, so the next reader reads
//! the document whole. A served search never waits for the check: it was the one search in every
//! few seconds that took a request more, the slowest of a run.
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use super::{DocVersion, OpenSearch, SETTINGS_FRESH};
use crate::Result;

/// The copy, the version of the document it came from, and when that was last confirmed.
struct Copy<T> {
    value: Arc<T>,
    version: DocVersion,
    checked: Instant,
    /// A check of the version is under way.
    checking: bool,
}

/// One document's copy, shared by the clones of an engine.
pub struct Revalidated<T> {
    slot: Arc<Mutex<Option<Copy<T>>>>,
    /// Whether a copy that came from no document must be read again each time (copy groups
    /// read from the articles of an older index) rather than kept while there is still none.
    needs_document: bool,
}

impl<T> Clone for Revalidated<T> {
    fn clone(&self) -> Self {
        Revalidated {
            slot: Arc::clone(&self.slot),
            needs_document: self.needs_document,
        }
    }
}

impl<T: Send + Sync + 'static> Revalidated<T> {
    pub fn new(needs_document: bool) -> Self {
        Revalidated {
            slot: Arc::new(Mutex::new(None)),
            needs_document,
        }
    }

    /// The copy with its version: the one held, a check started when it is stale (`version`
    /// reads the document's version), else `load`ed now.
    pub fn get(
        &self,
        engine: &OpenSearch,
        version: fn(&OpenSearch) -> Result<DocVersion>,
        load: impl FnOnce() -> Result<(T, DocVersion)>,
    ) -> Result<(Arc<T>, DocVersion)> {
        let mut slot = self.lock();
        if let Some(c) = slot.as_mut() {
            if c.checked.elapsed() >= SETTINGS_FRESH && !c.checking {
                c.checking = true;
                let (me, engine) = (self.clone(), engine.clone());
                std::thread::spawn(move || me.confirm(version(&engine)));
            }
            return Ok((Arc::clone(&c.value), c.version));
        }
        let (value, version) = load()?;
        let value = Arc::new(value);
        *slot = Some(Copy {
            value: Arc::clone(&value),
            version,
            checked: Instant::now(),
            checking: false,
        });
        Ok((value, version))
    }

    /// Forget the copy (this process just changed the document).
    pub fn forget(&self) {
        *self.lock() = None;
    }

    /// Keep the copy when `found` is its version, drop it when the version changed, and leave
    /// the check to the next reader when the cluster did not answer.
    fn confirm(&self, found: Result<DocVersion>) {
        let mut slot = self.lock();
        let Some(c) = slot.as_mut() else {
            return;
        };
        match found {
            Ok(version) if version == c.version && (version.is_some() || !self.needs_document) => {
                c.checked = Instant::now();
                c.checking = false;
            }
            Ok(_) => *slot = None,
            Err(_) => c.checking = false,
        }
    }

    /// A poisoned lock only means a reader panicked; the copy is whole.
    fn lock(&self) -> MutexGuard<'_, Option<Copy<T>>> {
        self.slot.lock().unwrap_or_else(|e| e.into_inner())
    }
}
