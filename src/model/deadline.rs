//! When a search must give up: an optional instant carried with the request, checked by the
//! engines at their stage boundaries and, every few thousand documents, inside their long loops.
//!
//! The server sets one per request so that a search past it stops itself and frees its turn; the
//! CLI sets none, and a search without one never looks at the clock.
use std::time::Instant;

use crate::{Error, Result};

/// The instant a search gives up at, or none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Deadline(Option<Instant>);

impl Deadline {
    /// No deadline: the search runs to its end.
    pub const NONE: Deadline = Deadline(None);

    pub fn at(instant: Instant) -> Deadline {
        Deadline(Some(instant))
    }

    pub fn instant(self) -> Option<Instant> {
        self.0
    }

    /// Whether the deadline has passed (never without one).
    pub fn passed(self) -> bool {
        self.0.is_some_and(|at| Instant::now() >= at)
    }

    /// [`Error::TooLong`] once the deadline has passed.
    pub fn check(self) -> Result<()> {
        match self.passed() {
            true => Err(Error::TooLong),
            false => Ok(()),
        }
    }

    /// A counter for a loop over documents that looks at the clock only once per
    /// [`Ticks::EVERY`] steps: reading the clock costs tens of nanoseconds, a step a few.
    pub fn ticks(self) -> Ticks {
        Ticks {
            deadline: self,
            left: Ticks::EVERY,
        }
    }
}

/// See [`Deadline::ticks`].
#[derive(Debug, Clone)]
pub struct Ticks {
    deadline: Deadline,
    left: u32,
}

impl Ticks {
    /// Steps between two looks at the clock.
    pub const EVERY: u32 = 4096;

    /// Count `steps` steps; true when the clock was read and the deadline has passed.
    #[inline]
    pub fn passed_after(&mut self, steps: u32) -> bool {
        match self.left.checked_sub(steps) {
            Some(left) if left > 0 => {
                self.left = left;
                false
            }
            _ => {
                self.left = Ticks::EVERY;
                self.deadline.passed()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn no_deadline_never_passes() {
        assert!(!Deadline::NONE.passed());
        assert!(Deadline::NONE.check().is_ok());
        let mut ticks = Deadline::NONE.ticks();
        assert!((0..3 * Ticks::EVERY).all(|_| !ticks.passed_after(1)));
    }

    #[test]
    fn a_past_deadline_is_a_typed_error() {
        let past = Deadline::at(Instant::now() - Duration::from_millis(1));
        assert!(past.passed());
        assert!(matches!(past.check(), Err(Error::TooLong)));
        let later = Deadline::at(Instant::now() + Duration::from_secs(3600));
        assert!(later.check().is_ok());
    }

    #[test]
    fn ticks_look_at_the_clock_once_per_round() {
        let mut ticks = Deadline::at(Instant::now() - Duration::from_millis(1)).ticks();
        let first = (1..=2 * Ticks::EVERY)
            .find(|_| ticks.passed_after(1))
            .unwrap();
        assert_eq!(first, Ticks::EVERY);
        // A block of steps counts as that many.
        let mut ticks = Deadline::at(Instant::now() - Duration::from_millis(1)).ticks();
        assert!(!ticks.passed_after(64));
        assert!(ticks.passed_after(Ticks::EVERY));
    }
}
