//! Rows of integers stored flat, and the members' subscription rows.

use super::ids::TopicIdx;

/// Rows of ids (`u32` unless said), stored flat: row `i` is
/// `items[starts[i]..starts[i + 1]]`.
#[derive(Debug, Clone)]
pub(crate) struct Csr<T = u32> {
    starts: Vec<u32>,
    pub(super) items: Vec<T>,
}

impl<T> Default for Csr<T> {
    fn default() -> Self {
        Csr {
            starts: Vec::new(),
            items: Vec::new(),
        }
    }
}

impl<T: Copy + Ord + Default> Csr<T> {
    /// Rows from their start offsets (one more than rows) and items.
    pub(crate) fn from_parts(starts: Vec<u32>, items: Vec<T>) -> Self {
        debug_assert_eq!(*starts.last().unwrap_or(&0) as usize, items.len());
        Csr { starts, items }
    }

    /// Rows `0..rows` from (row, item) pairs; each row keeps its items in
    /// the order the pairs come (a stable counting sort).
    pub(crate) fn from_pairs(rows: usize, pairs: impl Iterator<Item = (usize, T)> + Clone) -> Self {
        let mut starts = vec![0u32; rows + 1];
        for (row, _) in pairs.clone() {
            starts[row + 1] += 1;
        }
        for r in 0..rows {
            starts[r + 1] += starts[r];
        }
        let mut items = vec![T::default(); starts[rows] as usize];
        let mut cursor = starts[..rows].to_vec();
        for (row, item) in pairs {
            items[cursor[row] as usize] = item;
            cursor[row] += 1;
        }
        Csr { starts, items }
    }

    pub(crate) fn with_capacity(rows: usize, items: usize) -> Self {
        let mut starts = Vec::with_capacity(rows + 1);
        starts.push(0);
        Csr {
            starts,
            items: Vec::with_capacity(items),
        }
    }

    /// Appends an item to the row being built.
    #[inline]
    pub(crate) fn push(&mut self, item: T) {
        self.items.push(item);
    }

    /// Closes the row being built; `sort_dedup` sorts it and drops repeats.
    pub(crate) fn end_row(&mut self, sort_dedup: bool) {
        if sort_dedup {
            let start = *self.starts.last().unwrap_or(&0) as usize;
            sort_dedup_tail(&mut self.items, start);
        }
        self.starts.push(self.items.len() as u32);
    }

    /// Drops the last row.
    pub(crate) fn pop_row(&mut self) {
        self.starts.pop();
        self.items
            .truncate(*self.starts.last().unwrap_or(&0) as usize);
    }

    #[inline]
    pub(crate) fn row(&self, i: usize) -> &[T] {
        &self.items[self.starts[i] as usize..self.starts[i + 1] as usize]
    }

    pub(crate) fn rows(&self) -> usize {
        self.starts.len() - 1
    }

    pub(crate) fn total(&self) -> usize {
        self.items.len()
    }

    /// The same rows with every item mapped (in place: the items' storage
    /// is reused).
    pub(crate) fn map<U>(self, f: impl FnMut(T) -> U) -> Csr<U> {
        Csr {
            starts: self.starts,
            items: self.items.into_iter().map(f).collect(),
        }
    }
}

/// Per member, its subscribed topic ids, sorted, without repeats. Members
/// with equal rows share one stored row, so a large group whose members all
/// subscribe alike costs one row, and equal rows compare by their ids.
#[derive(Debug, Clone, Default)]
pub(crate) struct Subscriptions {
    /// Per member, which stored row is its.
    pub(super) row_of_member: Vec<u32>,
    pub(super) rows: Csr<TopicIdx>,
    /// All members' row lengths added up.
    pub(super) total: usize,
}

impl Subscriptions {
    #[inline]
    pub(crate) fn row(&self, member: usize) -> &[TopicIdx] {
        self.rows.row(self.row_of_member[member] as usize)
    }

    /// Which stored row is the member's: equal rows have equal ids.
    #[inline]
    pub(crate) fn row_id(&self, member: usize) -> u32 {
        self.row_of_member[member]
    }

    /// Stored row `id`.
    pub(crate) fn stored_row(&self, id: u32) -> &[TopicIdx] {
        self.rows.row(id as usize)
    }

    /// How many (member, topic) subscriptions there are.
    pub(crate) fn total(&self) -> usize {
        self.total
    }
}

/// Sorts `items[start..]` and drops repeats there.
pub(super) fn sort_dedup_tail<T: Copy + Ord>(items: &mut Vec<T>, start: usize) {
    let row = &mut items[start..];
    // Callers mostly pass rows already in order: one read-only pass proves it
    // and skips the rewrite.
    if row.windows(2).all(|pair| pair[0] < pair[1]) {
        return;
    }
    row.sort_unstable();
    let mut kept = start;
    for i in start..items.len() {
        if kept == start || items[kept - 1] != items[i] {
            items[kept] = items[i];
            kept += 1;
        }
    }
    items.truncate(kept);
}
