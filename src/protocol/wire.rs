//! Big-endian primitives of the classic Kafka encoding, and the codec errors.
//!
//! The reader never trusts a length: every count is checked against the bytes
//! left before anything is allocated, and every allocation is bounded by what
//! the remaining input could hold.
//!
//! Names are the costly part: a name is two bytes on the wire and a heap
//! allocation in memory. So one message's names are interned (a name that
//! comes again, as every owned entry repeats a subscribed topic, shares the
//! first one's allocation; a leader interns a whole group's names into the
//! metadata's own, [`Names`]), and one message may name at most
//! [`MAX_DECODED_NAMES`] topics in all, counted before anything is
//! allocated for them. What stays is at most about eight bytes held per byte
//! of input (a repeated empty name: two bytes on the wire, a 16-byte
//! pointer in memory), plus the distinct names themselves.

use std::fmt;
use std::sync::Arc;

use std::hash::{Hash, Hasher};

use indexmap::{Equivalent, IndexSet};

/// The most topic names one decoded message may hold: its subscribed topics
/// and its `[topic, partitions]` entries together. Far above any real
/// subscription (a cluster's every topic); it exists so that a crafted
/// message of empty names gets an error instead of gigabytes of pointers.
pub const MAX_DECODED_NAMES: usize = 1 << 20;

/// Bytes that could not be decoded, with the offset where decoding stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} at byte offset {offset}")]
pub struct DecodeError {
    kind: DecodeErrorKind,
    offset: usize,
}

/// Why bytes could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// The input ends inside a field.
    Truncated {
        /// The field being read.
        field: &'static str,
        /// Bytes the field needs.
        needed: usize,
        /// Bytes left in the input.
        available: usize,
    },
    /// The version header is negative.
    NegativeVersion {
        /// The version read.
        version: i16,
    },
    /// A non-nullable array or string has a negative length.
    NegativeLength {
        /// The field being read.
        field: &'static str,
        /// The length read.
        length: i32,
    },
    /// An array count is larger than the number of bytes left, so it cannot
    /// be genuine (checked before anything is allocated).
    CountExceedsInput {
        /// The field being read.
        field: &'static str,
        /// The count read.
        count: i32,
        /// Bytes left in the input.
        remaining: usize,
    },
    /// A string is not valid UTF-8. The Java client replaces the bad bytes
    /// with U+FFFD; this crate refuses them, so that a name is never silently
    /// changed into a different one.
    InvalidUtf8 {
        /// The field being read.
        field: &'static str,
    },
    /// The message names more topics than [`MAX_DECODED_NAMES`] (checked
    /// before they are read).
    TooManyNames {
        /// The field being read.
        field: &'static str,
        /// How many names the message holds up to and including this array.
        names: u64,
        /// The limit.
        limit: usize,
    },
}

impl fmt::Display for DecodeErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeErrorKind::Truncated {
                field,
                needed,
                available,
            } => write!(
                f,
                "input ends inside {field}: {needed} bytes needed, {available} left"
            ),
            DecodeErrorKind::NegativeVersion { version } => {
                write!(f, "negative version {version}")
            }
            DecodeErrorKind::NegativeLength { field, length } => {
                write!(f, "non-nullable {field} has negative length {length}")
            }
            DecodeErrorKind::CountExceedsInput {
                field,
                count,
                remaining,
            } => write!(
                f,
                "{field} claims {count} elements but only {remaining} bytes are left"
            ),
            DecodeErrorKind::InvalidUtf8 { field } => write!(f, "{field} is not valid utf-8"),
            DecodeErrorKind::TooManyNames {
                field,
                names,
                limit,
            } => write!(
                f,
                "{field} brings the message to {names} topic names, above the limit of {limit}"
            ),
        }
    }
}

impl DecodeError {
    pub(crate) fn new(kind: DecodeErrorKind, offset: usize) -> Self {
        DecodeError { kind, offset }
    }

    /// Why decoding failed.
    pub fn kind(&self) -> &DecodeErrorKind {
        &self.kind
    }

    /// The byte offset (from the start of the input) of the field that failed.
    pub fn offset(&self) -> usize {
        self.offset
    }
}

/// A value that cannot be written in the classic encoding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind}")]
pub struct EncodeError {
    kind: EncodeErrorKind,
}

/// Why a value cannot be encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EncodeErrorKind {
    /// The requested version is negative.
    NegativeVersion {
        /// The version asked for.
        version: i16,
    },
    /// A string is longer than the 32767 bytes an int16 length can describe.
    StringTooLong {
        /// The field.
        field: &'static str,
        /// Its length in UTF-8 bytes.
        length: usize,
    },
    /// An array or byte string is longer than an int32 count can describe.
    TooLong {
        /// The field.
        field: &'static str,
        /// Its length.
        length: usize,
    },
}

impl fmt::Display for EncodeErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeErrorKind::NegativeVersion { version } => {
                write!(f, "cannot encode negative version {version}")
            }
            EncodeErrorKind::StringTooLong { field, length } => write!(
                f,
                "{field} is {length} bytes long, more than the 32767 an int16 length allows"
            ),
            EncodeErrorKind::TooLong { field, length } => write!(
                f,
                "{field} has {length} elements, more than an int32 count allows"
            ),
        }
    }
}

impl EncodeError {
    pub(crate) fn new(kind: EncodeErrorKind) -> Self {
        EncodeError { kind }
    }

    /// Why encoding failed.
    pub fn kind(&self) -> &EncodeErrorKind {
        &self.kind
    }
}

/// Topic names interned across messages: each distinct name is one
/// allocation with a dense id. A leader seeds it with the metadata's names,
/// so every member's decoded names are the metadata's ids and own `Arc`s.
/// Hashed with foldhash's randomly
/// seeded hasher: fast on short names, and its seed is not the sender's to
/// aim collisions at.
///
/// Members of one group mostly send the same names in the same order, so
/// each name is first compared with the one that followed the name before
/// it last time; a match costs neither the UTF-8 check nor a hash. A name
/// not guessed is looked up by its bytes, and only a name the table lacks
/// is checked as UTF-8 (a known name's bytes were checked when it came in).
#[derive(Debug, Default)]
pub(crate) struct Names {
    known: IndexSet<Name, foldhash::fast::RandomState>,
    /// Per kind of message, how its names tend to follow each other: a
    /// member's subscription is guessed from the subscriptions before it,
    /// its user data from the user data before it.
    guesses: [Guesses; 2],
    /// Which guesses the message being read uses; `None` for a table of one
    /// message's own.
    stream: Option<usize>,
}

/// A name in the table, hashed by its bytes alone so that wire bytes not yet
/// checked as UTF-8 ([`NameBytes`]) find it.
#[derive(Debug, PartialEq, Eq)]
struct Name(Arc<str>);

impl Hash for Name {
    fn hash<H: Hasher>(&self, state: &mut H) {
        NameBytes(self.0.as_bytes()).hash(state);
    }
}

/// A name's bytes as they came, looked up in [`Names`] before any UTF-8
/// check.
struct NameBytes<'b>(&'b [u8]);

impl Hash for NameBytes<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // One field, so no length prefix is needed to keep keys apart.
        state.write(self.0);
    }
}

impl Equivalent<Name> for NameBytes<'_> {
    fn equivalent(&self, key: &Name) -> bool {
        key.0.as_bytes() == self.0
    }
}

/// How one kind of message tends to continue: per name, the name that
/// followed it the last time, and the name the last message began with.
/// Successors rather than positions, so that members of several kinds
/// (disjoint buckets of topics, interleaved in the member list) and
/// messages that skip a topic still guess the rest.
#[derive(Debug, Default)]
struct Guesses {
    first: Option<u32>,
    next: Vec<u32>,
    /// The name just read in the current message; `None` at its start.
    last: Option<u32>,
}

/// Marks a name with no successor seen yet.
const NO_GUESS: u32 = u32::MAX;

/// The kinds of message a shared [`Names`] guesses apart.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Stream {
    /// JoinGroup subscriptions.
    Subscription = 0,
    /// The sticky strategy's user data, whose topics come in the Java
    /// `HashMap`'s order, not the subscription's.
    UserData = 1,
}

impl Names {
    /// A table holding these names, as they are, with ids in this order
    /// (a repeated name keeps its first id).
    pub(crate) fn seeded<'n>(names: impl Iterator<Item = &'n Arc<str>>) -> Self {
        let mut table = Names::default();
        for name in names {
            table.known.insert(Name(Arc::clone(name)));
        }
        table
    }

    /// The id of a name already in the table.
    pub(crate) fn id_of(&self, name: &str) -> Option<u32> {
        self.known
            .get_index_of(&NameBytes(name.as_bytes()))
            .map(|id| id as u32)
    }

    /// Every name, by id.
    pub(crate) fn into_names(self) -> Vec<Arc<str>> {
        self.known.into_iter().map(|name| name.0).collect()
    }

    /// A new message of kind `stream` starts: its names are guessed from
    /// the messages of its kind before it.
    fn begin(&mut self, stream: Stream) {
        self.stream = Some(stream as usize);
        self.guesses[stream as usize].last = None;
    }

    /// The id of the name whose UTF-8 bytes are `bytes`; `check` validates
    /// bytes not already known.
    ///
    /// Inlined into the reader's loop, as a guess that holds (nearly every
    /// name of a large group) costs less than a call: the guess tables
    /// already say what that name says, so only `last` moves.
    #[inline(always)]
    fn intern_id<'b>(
        &mut self,
        bytes: &'b [u8],
        check: impl FnOnce(&'b [u8]) -> Result<&'b str, DecodeError>,
    ) -> Result<u32, DecodeError> {
        if let Some(stream) = self.stream {
            let guesses = &self.guesses[stream];
            let guess = match guesses.last {
                None => guesses.first,
                Some(last) => guesses.next.get(last as usize).copied(),
            };
            if let Some(id) = guess
                && id != NO_GUESS
                && self
                    .known
                    .get_index(id as usize)
                    .is_some_and(|known| same_name(&known.0, bytes))
            {
                self.guesses[stream].last = Some(id);
                return Ok(id);
            }
        }
        self.intern_unguessed(bytes, check)
    }

    /// [`Self::intern_id`] for a name not guessed: looked up, and the
    /// guesses learn it.
    #[inline(never)]
    fn intern_unguessed<'b>(
        &mut self,
        bytes: &'b [u8],
        check: impl FnOnce(&'b [u8]) -> Result<&'b str, DecodeError>,
    ) -> Result<u32, DecodeError> {
        let id = self.lookup(bytes, check)?;
        let Some(stream) = self.stream else {
            return Ok(id);
        };
        let known = self.known.len();
        let guesses = &mut self.guesses[stream];
        match guesses.last {
            None => guesses.first = Some(id),
            Some(last) => {
                // At most one entry per distinct name: bounded by the names
                // themselves.
                if guesses.next.len() < known {
                    guesses.next.resize(known, NO_GUESS);
                }
                guesses.next[last as usize] = id;
            }
        }
        guesses.last = Some(id);
        Ok(id)
    }

    /// The current message goes on as if it had just read name `id`.
    fn continue_after(&mut self, id: u32) {
        if let Some(stream) = self.stream {
            self.guesses[stream].last = Some(id);
        }
    }

    fn lookup<'b>(
        &mut self,
        bytes: &'b [u8],
        check: impl FnOnce(&'b [u8]) -> Result<&'b str, DecodeError>,
    ) -> Result<u32, DecodeError> {
        if let Some(id) = self.known.get_index_of(&NameBytes(bytes)) {
            return Ok(id as u32);
        }
        let name = check(bytes)?;
        Ok(self.known.insert_full(Name(Arc::from(name))).0 as u32)
    }
}

/// Whether `name` is these bytes; compared inline, since most names are
/// short and most comparisons here succeed.
#[inline(always)]
fn same_name(name: &str, bytes: &[u8]) -> bool {
    crate::index::same_name(name.as_bytes(), bytes)
}

/// Where a reader interns names: a table of its own, for one message, or one
/// shared by the messages of a group.
enum NameTable<'n> {
    Own(Names),
    Shared(&'n mut Names),
}

pub(crate) struct Reader<'a, 'n> {
    bytes: &'a [u8],
    pos: usize,
    /// Names announced so far by the arrays read, against [`MAX_DECODED_NAMES`].
    names: u64,
    interned: NameTable<'n>,
}

impl<'a> Reader<'a, 'static> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Reader {
            bytes,
            pos: 0,
            names: 0,
            interned: NameTable::Own(Names::default()),
        }
    }
}

impl<'a, 'n> Reader<'a, 'n> {
    /// A reader interning names into `names`, guessing them from the last
    /// message of the same kind.
    pub(crate) fn with_names(bytes: &'a [u8], names: &'n mut Names, stream: Stream) -> Self {
        names.begin(stream);
        Reader {
            bytes,
            pos: 0,
            names: 0,
            interned: NameTable::Shared(names),
        }
    }

    pub(crate) fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    /// Where the reader is.
    pub(crate) fn position(&self) -> usize {
        self.pos
    }

    /// The bytes not read yet.
    pub(crate) fn rest(&self) -> &'a [u8] {
        &self.bytes[self.pos..]
    }

    /// Steps over `len` bytes known to hold an array of `names` names the
    /// table already has (the same bytes were read before), the last one
    /// `last`: counted against [`MAX_DECODED_NAMES`] as if read, and the
    /// guesses go on after `last`.
    pub(crate) fn skip_known_names(
        &mut self,
        len: usize,
        names: usize,
        last: Option<u32>,
        field: &'static str,
    ) -> Result<(), DecodeError> {
        let at = self.pos;
        self.take(len, field)?;
        self.names += names as u64;
        if self.names > MAX_DECODED_NAMES as u64 {
            return Err(DecodeError::new(
                DecodeErrorKind::TooManyNames {
                    field,
                    names: self.names,
                    limit: MAX_DECODED_NAMES,
                },
                at,
            ));
        }
        if let (NameTable::Shared(table), Some(last)) = (&mut self.interned, last) {
            table.continue_after(last);
        }
        Ok(())
    }

    #[inline(always)]
    fn take(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], DecodeError> {
        let bytes: &'a [u8] = self.bytes;
        // One comparison: `pos` never passes the end.
        match bytes[self.pos..].split_at_checked(n) {
            Some((out, _)) => {
                self.pos += n;
                Ok(out)
            }
            None => Err(self.truncated(n, field)),
        }
    }

    #[cold]
    fn truncated(&self, needed: usize, field: &'static str) -> DecodeError {
        DecodeError::new(
            DecodeErrorKind::Truncated {
                field,
                needed,
                available: self.remaining(),
            },
            self.pos,
        )
    }

    pub(crate) fn i16(&mut self, field: &'static str) -> Result<i16, DecodeError> {
        let b = self.take(2, field)?;
        Ok(i16::from_be_bytes([b[0], b[1]]))
    }

    pub(crate) fn i32(&mut self, field: &'static str) -> Result<i32, DecodeError> {
        let b = self.take(4, field)?;
        Ok(i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn utf8(
        &self,
        bytes: &'a [u8],
        at: usize,
        field: &'static str,
    ) -> Result<&'a str, DecodeError> {
        std::str::from_utf8(bytes)
            .map_err(|_| DecodeError::new(DecodeErrorKind::InvalidUtf8 { field }, at))
    }

    /// A nullable string: any negative length reads as null, as in Java.
    pub(crate) fn nullable_string(
        &mut self,
        field: &'static str,
    ) -> Result<Option<&'a str>, DecodeError> {
        let length = self.i16(field)?;
        if length < 0 {
            return Ok(None);
        }
        let body_at = self.pos;
        let bytes = self.take(length as usize, field)?;
        self.utf8(bytes, body_at, field).map(Some)
    }

    /// Nullable bytes: int32 length, any negative reads as null.
    pub(crate) fn nullable_bytes(
        &mut self,
        field: &'static str,
    ) -> Result<Option<&'a [u8]>, DecodeError> {
        let length = self.i32(field)?;
        if length < 0 {
            return Ok(None);
        }
        self.take(length as usize, field).map(Some)
    }

    /// A non-nullable array count, checked against the bytes left (the Java
    /// client's rule). Returns the count and a capacity safe to reserve for
    /// elements at least `min_element` bytes long.
    pub(crate) fn count(
        &mut self,
        field: &'static str,
        min_element: usize,
    ) -> Result<(usize, usize), DecodeError> {
        let at = self.pos;
        let count = self.i32(field)?;
        if count < 0 {
            return Err(DecodeError::new(
                DecodeErrorKind::NegativeLength {
                    field,
                    length: count,
                },
                at,
            ));
        }
        if count as usize > self.remaining() {
            return Err(DecodeError::new(
                DecodeErrorKind::CountExceedsInput {
                    field,
                    count,
                    remaining: self.remaining(),
                },
                at,
            ));
        }
        let count = count as usize;
        Ok((count, count.min(self.remaining() / min_element.max(1))))
    }

    /// [`Self::count`] for an array whose every element holds one topic
    /// name: the names are counted against [`MAX_DECODED_NAMES`] first.
    pub(crate) fn name_count(
        &mut self,
        field: &'static str,
        min_element: usize,
    ) -> Result<(usize, usize), DecodeError> {
        let at = self.pos;
        let (count, capacity) = self.count(field, min_element)?;
        self.names += count as u64;
        if self.names > MAX_DECODED_NAMES as u64 {
            return Err(DecodeError::new(
                DecodeErrorKind::TooManyNames {
                    field,
                    names: self.names,
                    limit: MAX_DECODED_NAMES,
                },
                at,
            ));
        }
        Ok((count, capacity))
    }

    /// A topic name (a non-nullable string), sharing the allocation of the
    /// same name read before in this message. Only for elements of an array
    /// counted by [`Self::name_count`].
    pub(crate) fn topic_name(&mut self, field: &'static str) -> Result<Arc<str>, DecodeError> {
        let id = self.topic_id(field)?;
        let table = match &self.interned {
            NameTable::Own(names) => names,
            NameTable::Shared(names) => &**names,
        };
        Ok(Arc::clone(&table.known[id as usize].0))
    }

    /// [`Self::topic_name`] as its id in the reader's table.
    #[inline(always)]
    pub(crate) fn topic_id(&mut self, field: &'static str) -> Result<u32, DecodeError> {
        let (bytes, body_at) = self.name_bytes(field)?;
        let check = |bytes| {
            std::str::from_utf8(bytes)
                .map_err(|_| DecodeError::new(DecodeErrorKind::InvalidUtf8 { field }, body_at))
        };
        match &mut self.interned {
            NameTable::Own(names) => names.intern_id(bytes, check),
            NameTable::Shared(names) => names.intern_id(bytes, check),
        }
    }

    /// A non-nullable string's bytes and where they start.
    #[inline]
    fn name_bytes(&mut self, field: &'static str) -> Result<(&'a [u8], usize), DecodeError> {
        let at = self.pos;
        let length = self.i16(field)?;
        if length < 0 {
            return Err(DecodeError::new(
                DecodeErrorKind::NegativeLength {
                    field,
                    length: length.into(),
                },
                at,
            ));
        }
        let body_at = self.pos;
        Ok((self.take(length as usize, field)?, body_at))
    }

    pub(crate) fn i32_array(&mut self, field: &'static str) -> Result<Vec<i32>, DecodeError> {
        let (count, capacity) = self.count(field, 4)?;
        let mut out = Vec::with_capacity(capacity);
        for _ in 0..count {
            out.push(self.i32(field)?);
        }
        Ok(out)
    }

    /// `[topic string, int32 array]` entries, as the consumer protocol and the
    /// sticky user data write partitions.
    pub(crate) fn topic_partitions(
        &mut self,
        field: &'static str,
    ) -> Result<Vec<TopicPartitions>, DecodeError> {
        // An entry is at least a 2-byte name length and a 4-byte count.
        let (count, capacity) = self.name_count(field, 6)?;
        let mut out = Vec::with_capacity(capacity);
        for _ in 0..count {
            let topic = self.topic_name("topic name")?;
            let partitions = self.i32_array("partitions")?;
            out.push(TopicPartitions { topic, partitions });
        }
        Ok(out)
    }

    /// [`Self::topic_partitions`] flattened as it is read into `out`: one
    /// (name id, partition) pair per partition, and no vector per entry (a
    /// member owning one partition of each of 500 topics would otherwise
    /// cost 500 allocations). On an error `out` holds what was read before.
    ///
    /// Returns whether the entries are the runs of `out`'s new pairs: no
    /// entry is empty and no entry names the topic of the one before, so
    /// writing the runs back ([`Writer::claim_runs`]) gives the same bytes.
    pub(crate) fn claims_into(
        &mut self,
        field: &'static str,
        out: &mut Vec<(u32, i32)>,
    ) -> Result<bool, DecodeError> {
        let (count, _) = self.name_count(field, 6)?;
        let mut runs = true;
        let mut previous = None;
        for _ in 0..count {
            let topic = self.topic_id("topic name")?;
            // Reserved as the input can hold, so growth stays amortised.
            let (partitions, capacity) = self.count("partitions", 4)?;
            runs &= partitions > 0 && previous != Some(topic);
            previous = Some(topic);
            out.reserve(capacity);
            for _ in 0..partitions {
                out.push((topic, self.i32("partitions")?));
            }
        }
        Ok(runs)
    }
}

/// One `[topic, partitions]` entry exactly as it is on the wire: a topic may
/// appear in several entries, and partitions keep their wire order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct TopicPartitions {
    /// The topic's name.
    pub topic: Arc<str>,
    /// Its partitions, in wire order.
    pub partitions: Vec<i32>,
}

impl TopicPartitions {
    /// An entry of `topic` with these partitions.
    pub fn new(topic: impl Into<Arc<str>>, partitions: impl Into<Vec<i32>>) -> Self {
        TopicPartitions {
            topic: topic.into(),
            partitions: partitions.into(),
        }
    }
}

#[derive(Default)]
pub(crate) struct Writer {
    pub(crate) bytes: Vec<u8>,
}

impl Writer {
    #[inline]
    pub(crate) fn i16(&mut self, v: i16) {
        self.bytes.extend_from_slice(&v.to_be_bytes());
    }

    #[inline]
    pub(crate) fn i32(&mut self, v: i32) {
        self.bytes.extend_from_slice(&v.to_be_bytes());
    }

    #[inline]
    pub(crate) fn count(&mut self, n: usize, field: &'static str) -> Result<(), EncodeError> {
        let n = i32::try_from(n)
            .map_err(|_| EncodeError::new(EncodeErrorKind::TooLong { field, length: n }))?;
        self.i32(n);
        Ok(())
    }

    pub(crate) fn string(&mut self, s: &str, field: &'static str) -> Result<(), EncodeError> {
        let length = i16::try_from(s.len()).map_err(|_| {
            EncodeError::new(EncodeErrorKind::StringTooLong {
                field,
                length: s.len(),
            })
        })?;
        self.i16(length);
        self.bytes.extend_from_slice(s.as_bytes());
        Ok(())
    }

    pub(crate) fn nullable_string(
        &mut self,
        s: Option<&str>,
        field: &'static str,
    ) -> Result<(), EncodeError> {
        match s {
            None => {
                self.i16(-1);
                Ok(())
            }
            Some(s) => self.string(s, field),
        }
    }

    pub(crate) fn nullable_bytes(
        &mut self,
        b: Option<&[u8]>,
        field: &'static str,
    ) -> Result<(), EncodeError> {
        match b {
            None => {
                self.i32(-1);
                Ok(())
            }
            Some(b) => {
                self.count(b.len(), field)?;
                self.bytes.extend_from_slice(b);
                Ok(())
            }
        }
    }

    /// Writes `[topic, partitions]` entries; `entries` yields each topic with
    /// its partitions.
    pub(crate) fn topic_partitions<'a, I>(
        &mut self,
        entries: I,
        count: usize,
        field: &'static str,
    ) -> Result<(), EncodeError>
    where
        I: IntoIterator<Item = (&'a str, &'a [i32])>,
    {
        self.count(count, field)?;
        for (topic, partitions) in entries {
            self.string(topic, "topic name")?;
            self.count(partitions.len(), "partitions")?;
            for &p in partitions {
                self.i32(p);
            }
        }
        Ok(())
    }

    /// `(name id, partition)` pairs written as [`Self::topic_partitions`]
    /// entries, one per run of one name id: what [`Reader::claims_into`]
    /// read when it said the entries were runs.
    pub(crate) fn claim_runs(
        &mut self,
        names: &[Arc<str>],
        claims: &[(u32, i32)],
        field: &'static str,
    ) -> Result<(), EncodeError> {
        let runs = claims.chunk_by(|a, b| a.0 == b.0);
        self.count(runs.clone().count(), field)?;
        for run in runs {
            self.string(&names[run[0].0 as usize], "topic name")?;
            self.count(run.len(), "partitions")?;
            for &(_, p) in run {
                self.i32(p);
            }
        }
        Ok(())
    }
}
