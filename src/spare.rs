//! Memory one answer leaves for the next: a leader that runs rebalance
//! after rebalance (`protocol::Leader`) hands the lists of its last answer
//! back, and the next answer fills them instead of fresh pages.
//!
//! Fresh pages are what a large answer mostly costs: on a 2-core machine a
//! million-partition leader spent about half its time in page faults,
//! because the allocator gives such lists back to the system when they are
//! dropped and the next rebalance faults them in again.
//!
//! The lists are held as `dyn Any` so that the module holding them (the
//! decoded group) need not know the answer's types, which would be an
//! import circle (answers are built from the index, the index from the
//! decoded group).

use std::any::Any;
use std::fmt;
use std::sync::Mutex;

/// At most one value kept for later; cloning or comparing its holder
/// ignores it, as it is capacity, not content.
#[derive(Default)]
pub(crate) struct Spare(Mutex<Option<Box<dyn Any + Send>>>);

impl Spare {
    /// Keeps `value`, dropping what was kept before.
    pub(crate) fn put<T: Any + Send>(&self, value: T) {
        *self.lock() = Some(Box::new(value));
    }

    /// The value kept, if it is a `T`, which is then no longer kept.
    pub(crate) fn take<T: Any>(&self) -> Option<T> {
        let mut kept = self.lock();
        if !kept.as_ref()?.is::<T>() {
            return None;
        }
        kept.take()?.downcast::<T>().ok().map(|value| *value)
    }

    /// What is kept, moved into a new holder (this one then keeps nothing).
    pub(crate) fn take_all(&self) -> Spare {
        Spare(Mutex::new(self.lock().take()))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Box<dyn Any + Send>>> {
        // A panic while holding the lock leaves only spare capacity behind.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Clone for Spare {
    fn clone(&self) -> Self {
        Spare::default()
    }
}

impl PartialEq for Spare {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Spare {}

impl fmt::Debug for Spare {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Spare")
    }
}

#[cfg(test)]
mod tests {
    use super::Spare;

    #[test]
    fn a_kept_value_is_taken_once_and_only_as_its_type() {
        let spare = Spare::default();
        spare.put(vec![1u32, 2]);
        assert_eq!(spare.take::<Vec<u64>>(), None);
        assert_eq!(spare.take::<Vec<u32>>(), Some(vec![1, 2]));
        spare.put(vec![3u32]);
        assert_eq!(spare.take::<Vec<u32>>(), Some(vec![3]));
        assert_eq!(spare.take::<Vec<u32>>(), None);
        assert_eq!(spare.clone().take::<Vec<u32>>(), None);
    }
}
