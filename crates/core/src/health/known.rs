//! What the monitor knows about one site's state and where it came from: one
//! [`Known`] per [`Entry`](super::entry::Entry), moved only by its transitions, instead
//! of separate flags that could disagree (live data that is "from a snapshot", a
//! snapshot write pending for a site never checked…).

/// The state of an entry's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Known {
    /// Not checked yet and nothing loaded: nothing known.
    #[default]
    Nothing,
    /// Not checked yet; the state was loaded from the snapshot cache.
    Cached,
    /// Checked (it did not answer, or not in time) and nothing known.
    Unanswered,
    /// Checked, it did not answer (or not in time); the state is from the snapshot
    /// cache.
    CachedUnanswered,
    /// The state came from the site. `dirty`: it changed since the snapshot cache was
    /// last written.
    Live { dirty: bool },
}

impl Known {
    /// There is a state to show (live or from the snapshot cache).
    pub fn have_data(self) -> bool {
        !matches!(self, Known::Nothing | Known::Unanswered)
    }

    /// The state was loaded from the snapshot cache and not refreshed since.
    pub fn cached(self) -> bool {
        matches!(self, Known::Cached | Known::CachedUnanswered)
    }

    /// The site was checked once (answered or not).
    pub fn checked(self) -> bool {
        !matches!(self, Known::Nothing | Known::Cached)
    }

    /// Live data the snapshot cache has not seen yet.
    pub fn dirty(self) -> bool {
        matches!(self, Known::Live { dirty: true })
    }

    /// A snapshot was read from the cache; `false` (and no change) when the entry has
    /// data already, which is newer.
    #[must_use]
    pub fn loaded(&mut self) -> bool {
        let next = match *self {
            Known::Nothing => Known::Cached,
            Known::Unanswered => Known::CachedUnanswered,
            _ => return false,
        };
        *self = next;
        true
    }

    /// A check ended without data (failed, or timed out): the site counts as checked.
    pub fn unanswered(&mut self) {
        *self = match *self {
            Known::Nothing => Known::Unanswered,
            Known::Cached => Known::CachedUnanswered,
            other => other,
        };
    }

    /// The state now holds what the site said (a sweep, or a watch event).
    pub fn live(&mut self) {
        *self = Known::Live { dirty: true };
    }

    /// Something kept in the snapshot (version, certificate) changed; only live data is
    /// written, so other states are left as they are.
    pub fn changed(&mut self) {
        if let Known::Live { dirty } = self {
            *dirty = true;
        }
    }

    /// The snapshot write of the live state starts: the cache is current.
    pub fn written(&mut self) {
        if let Known::Live { dirty } = self {
            *dirty = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Known;

    #[test]
    fn a_new_entry_knows_nothing_and_is_unchecked() {
        let k = Known::default();
        assert_eq!(k, Known::Nothing);
        assert!(!k.have_data() && !k.cached() && !k.checked() && !k.dirty());
    }

    #[test]
    fn a_snapshot_loads_only_into_an_entry_without_data() {
        let mut k = Known::Nothing;
        assert!(k.loaded());
        assert_eq!(k, Known::Cached);
        assert!(k.have_data() && k.cached() && !k.checked() && !k.dirty());
        assert!(
            !k.loaded(),
            "a second snapshot is not loaded over the first"
        );

        let mut k = Known::Unanswered;
        assert!(k.loaded());
        assert_eq!(k, Known::CachedUnanswered);
        assert!(k.checked() && k.cached());

        let mut k = Known::Live { dirty: false };
        assert!(!k.loaded(), "live data is newer than any snapshot");
        assert_eq!(k, Known::Live { dirty: false });
    }

    #[test]
    fn a_failed_check_marks_checked_and_keeps_the_data() {
        let mut k = Known::Nothing;
        k.unanswered();
        assert_eq!(k, Known::Unanswered);
        assert!(k.checked() && !k.have_data());

        let mut k = Known::Cached;
        k.unanswered();
        assert_eq!(k, Known::CachedUnanswered);
        assert!(k.checked() && k.have_data() && k.cached());

        let mut k = Known::Live { dirty: true };
        k.unanswered();
        assert_eq!(k, Known::Live { dirty: true });
    }

    #[test]
    fn live_data_is_checked_dirty_until_written() {
        for start in [
            Known::Nothing,
            Known::Cached,
            Known::Unanswered,
            Known::CachedUnanswered,
            Known::Live { dirty: false },
        ] {
            let mut k = start;
            k.live();
            assert_eq!(k, Known::Live { dirty: true }, "from {start:?}");
            assert!(k.have_data() && !k.cached() && k.checked() && k.dirty());
            k.written();
            assert_eq!(k, Known::Live { dirty: false });
            assert!(!k.dirty());
            k.changed();
            assert!(k.dirty());
        }
    }

    #[test]
    fn only_live_data_is_ever_dirty() {
        for start in [
            Known::Nothing,
            Known::Cached,
            Known::Unanswered,
            Known::CachedUnanswered,
        ] {
            let mut k = start;
            k.changed();
            assert_eq!(k, start);
            assert!(!k.dirty());
            k.written();
            assert_eq!(k, start);
        }
    }
}
