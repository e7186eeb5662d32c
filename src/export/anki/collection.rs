//! The `collection.anki2` SQLite database (legacy schema 11), built in
//! memory and serialised, with every id and time derived from the bank and
//! the previous package, never from the clock directly.

use std::borrow::Cow;

use rusqlite::{Connection, params};
use serde_json::{Value, json};
use sha1::{Digest, Sha1};

use super::template::{BACK, CSS, FIELDS, FRONT, SORT_FIELD, TEMPLATE_NAME};
use super::{
    Ids, Previous, SOURCES_TABLE, Signature, carry_mod, deck_signature, model_signature,
    note_signature,
};
use crate::export::Context;
use crate::identity;
use crate::lint::markdown::Seen;
use crate::model::{Spanned, Text};
use crate::render::Card;

const SCHEMA: &str = "
CREATE TABLE col (id integer primary key, crt integer not null, mod integer not null,
  scm integer not null, ver integer not null, dty integer not null, usn integer not null,
  ls integer not null, conf text not null, models text not null, decks text not null,
  dconf text not null, tags text not null);
CREATE TABLE notes (id integer primary key, guid text not null, mid integer not null,
  mod integer not null, usn integer not null, tags text not null, flds text not null,
  sfld integer not null, csum integer not null, flags integer not null, data text not null);
CREATE TABLE cards (id integer primary key, nid integer not null, did integer not null,
  ord integer not null, mod integer not null, usn integer not null, type integer not null,
  queue integer not null, due integer not null, ivl integer not null, factor integer not null,
  reps integer not null, lapses integer not null, left integer not null, odue integer not null,
  odid integer not null, flags integer not null, data text not null);
CREATE TABLE revlog (id integer primary key, cid integer not null, usn integer not null,
  ease integer not null, ivl integer not null, lastIvl integer not null, factor integer not null,
  time integer not null, type integer not null);
CREATE TABLE graves (usn integer not null, oid integer not null, type integer not null);
";

/// Anki's indexes on the notes, created before the notes are written: the
/// notes come in id order, so `ix_notes_usn` is only appended to, and
/// `ix_notes_csum` (a few bytes a note) stays in SQLite's cache. Made at the
/// end instead, each would read the whole notes table back from the disk.
const NOTE_INDEXES: &str = "
CREATE INDEX ix_notes_usn on notes (usn);
CREATE INDEX ix_notes_csum on notes (csum);
";

/// Anki's other indexes, created after the rows are in (the cards and the
/// revlog are small and still in SQLite's cache then).
const INDEXES: &str = "
CREATE INDEX ix_cards_usn on cards (usn);
CREATE INDEX ix_revlog_usn on revlog (usn);
CREATE INDEX ix_cards_nid on cards (nid);
CREATE INDEX ix_cards_sched on cards (did, queue, due);
CREATE INDEX ix_revlog_cid on revlog (cid);
";

/// The tag of a retired question's note.
pub const RETIRED_TAG: &str = "pyq::retired";

const RETIRED_HOWTO: &str = "<p>Anki never deletes notes when a deck is imported again, so this one stays until you delete it. To delete every retired note: open the Browser, search <code>tag:pyq::retired</code>, select all, and delete.</p>";

const INSERT_NOTE: &str = "INSERT INTO notes VALUES (?1, ?2, ?3, ?4, -1, ?5, ?6, ?7, ?8, 0, '')";
const INSERT_SOURCE: &str = "INSERT INTO pyq_sources VALUES (?1, ?2, ?3, ?4)";
/// Unchanged notes, as the previous package has them, between two note ids
/// (see [`Builder::copy_rows`]).
const COPY_NOTES: &str = "INSERT INTO notes SELECT * FROM prev.notes WHERE id BETWEEN ?1 AND ?2";
const COUNT_NOTES: &str = "SELECT count(*) FROM prev.notes WHERE id BETWEEN ?1 AND ?2";
/// The source key rows and cards of unchanged notes, between two keys (see
/// [`Builder::copy_rows`]). The columns are named: they were checked by
/// name.
const COPY_SOURCES: &str = "INSERT INTO pyq_sources (guid, source, fields, facts) SELECT guid, source, fields, facts FROM prev.pyq_sources WHERE guid BETWEEN ?1 AND ?2";
const COUNT_SOURCES: &str = "SELECT count(*) FROM prev.pyq_sources WHERE guid BETWEEN ?1 AND ?2";
const COPY_CARDS: &str = "INSERT INTO cards (id, nid, did, ord, mod, usn, type, queue, due, ivl, factor, reps, lapses, left, odue, odid, flags, data) SELECT id, nid, did, ord, mod, usn, type, queue, due, ivl, factor, reps, lapses, left, odue, odid, flags, data FROM prev.cards WHERE id BETWEEN ?1 AND ?2";
const COUNT_CARDS: &str = "SELECT count(*) FROM prev.cards WHERE id BETWEEN ?1 AND ?2";
const INSERT_CARD: &str =
    "INSERT INTO cards VALUES (?1, ?2, ?3, 0, ?4, -1, 0, 0, ?5, 0, 0, 0, 0, 0, 0, 0, 0, '')";

/// Builds the database in a file (a scratch file: its pages stay in the
/// operating system's cache instead of pyq's memory, which matters for a
/// 100,000-question bank), one chunk of cards at a time, in one
/// transaction.
pub(crate) struct Builder<'a> {
    ctx: &'a Context<'a>,
    ids: Ids,
    previous: Previous,
    conn: Connection,
    /// The newest `mod` written so far.
    latest: i64,
    count: usize,
    /// Each question's source key.
    keys: Keys<'a>,
    /// For each question whose note is copied from the previous package,
    /// the note's `mod` and whether its card is copied too.
    copied: Vec<Option<Copied>>,
    /// The Markdown facts of the notes copied (see [`Builder::kept_seen`]).
    kept: Vec<Option<Seen>>,
    /// Each question's note GUID, note id and card id.
    idents: Vec<Ident>,
    /// The retired questions' notes, by note id, not yet written: each is
    /// written just before the first note with a higher id, so that the
    /// notes table is written in id order (see [`Builder::add`]).
    tombstones: std::iter::Peekable<std::vec::IntoIter<Tombstone>>,
    /// Unchanged notes waiting to be copied, as one run: their note ids in
    /// order (see [`Builder::copy_run`]).
    run: Vec<i64>,
    /// The cards and source keys, written in key order at the end.
    /// With each, whether the previous package's row is the same, to be
    /// copied (the card of a note copied from there).
    cards: Vec<(CardRow, bool)>,
    /// By question index (the key is its note's GUID).
    sources: Vec<(usize, Option<SourceRow>)>,
    /// What a re-export reads of this collection, noted for the cache when
    /// this export adds to it.
    known: Option<super::previous::Known>,
}

/// A copied note's `mod`, and whether its card is copied too.
type Copied = (i64, bool);

/// A retired question's note (see [`Builder::tombstones`]).
struct Tombstone {
    nid: i64,
    guid: String,
    tags: String,
    flds: String,
    csum: i64,
    sig: Signature,
}

/// The questions' source keys ([`super::SourceKeys::key`]): all of them (a
/// re-export decides with them which notes it keeps), or computed one by
/// one as the notes are written (a first export, which keeps none).
pub(crate) enum Keys<'a> {
    All(Vec<Signature>),
    Lazy(super::SourceKeys<'a>),
}

/// A question's note GUID, note id and card id ([`crate::identity`]).
struct Ident {
    guid: String,
    nid: i64,
    cid: i64,
}

impl Ident {
    /// Every question's, computed once (each is three SHA-256s), on both
    /// cores.
    fn all(ctx: &Context<'_>, deck: i64) -> Vec<Self> {
        let of = |q: &crate::model::Question<'_>| {
            let id = q.id_str().unwrap_or("");
            Self {
                guid: identity::guid(deck, id),
                nid: identity::object_id(deck, id, "note"),
                cid: identity::object_id(deck, id, "card0"),
            }
        };
        let questions = &ctx.bank.questions;
        let (first, second) = questions.split_at(questions.len() / 2);
        std::thread::scope(|s| {
            let first = s.spawn(|| first.iter().map(of).collect::<Vec<_>>());
            let second: Vec<Self> = second.iter().map(of).collect();
            let mut all = first.join().expect("identities do not panic");
            all.extend(second);
            all
        })
    }
}

/// A note's row of source keys after its GUID: its source key, the
/// signature of its fields and tags, and its sealed Markdown facts. `None`
/// beside a GUID: the note is copied from the previous package, and its row
/// with it ([`Builder::copy_rows`]).
type SourceRow = (Signature, Signature, Option<Vec<u8>>);

/// A card: id, note id, `mod` and due position (the question's number).
type CardRow = (i64, i64, i64, i64);

impl<'a> Builder<'a> {
    /// `keys` are the questions' source keys ([`Keys`]: a re-export's,
    /// computed while the previous package is read).
    pub(crate) fn new(
        file: &std::path::Path,
        ctx: &'a Context<'a>,
        ids: Ids,
        previous: Previous,
        keys: Keys<'a>,
    ) -> rusqlite::Result<Self> {
        let conn = Connection::open(file)?;
        conn.execute_batch(
            &format!("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA page_size = {}; PRAGMA cache_size = -8192; PRAGMA locking_mode = EXCLUSIVE;", super::package::PAGE),
        )?;
        conn.execute_batch(SCHEMA)?;
        conn.execute_batch(NOTE_INDEXES)?;
        conn.execute_batch(&format!(
            "CREATE TABLE {SOURCES_TABLE} (guid text primary key, source blob not null, fields blob not null, facts blob) WITHOUT ROWID;"
        ))?;
        let model = model_signature(&model_json(ctx, &ids));
        // A note is copied when the note type is the same (fields, templates,
        // CSS) and so is everything it is rendered from.
        let same_model = previous
            .model
            .as_ref()
            .is_some_and(|(sig, _)| *sig == model);
        // A note is copied with the Markdown facts kept with it (the new
        // package keeps them as a render would write them): those facts, by
        // question, for the notes copied; `None` for the others.
        let idents = Ident::all(ctx, ids.deck);
        // And a copied note's `mod` (its row is what rendering would write,
        // so it keeps its `mod`), with whether its card is the one pyq would
        // write (then copied too): looked up once here, on both cores, not
        // note by note while the notes are written.
        let (kept, copied): (Vec<Option<Seen>>, Vec<Option<Copied>>) = match &keys {
            Keys::All(keys) => {
                let one = |i: usize| {
                    let ident = &idents[i];
                    let (source, note, facts) = previous.sources.get(&ident.guid)?;
                    if !same_model || (*source, *note) != (keys[i], ident.nid) {
                        return None;
                    }
                    let facts = super::open_facts(keys[i], facts.as_deref()?)?;
                    let &(_, m) = previous.notes.get(&ident.guid)?;
                    let card = previous.cards.get(&ident.cid);
                    let number = i as i64 + 1;
                    Some((facts, (m, card == Some(&(ident.nid, ids.deck, m, number)))))
                };
                let half = idents.len() / 2;
                let all: Vec<_> = std::thread::scope(|s| {
                    let first = s.spawn(|| (0..half).map(one).collect::<Vec<_>>());
                    let second: Vec<_> = (half..idents.len()).map(one).collect();
                    let mut all = first.join().expect("looking up notes does not panic");
                    all.extend(second);
                    all
                });
                all.into_iter()
                    .map(|kept| match kept {
                        Some((facts, copied)) => (Some(facts), Some(copied)),
                        None => (None, None),
                    })
                    .unzip()
            }
            // No previous package: nothing to keep.
            Keys::Lazy(_) => {
                let n = ctx.bank.questions.len();
                (vec![None; n], vec![None; n])
            }
        };
        match &previous.collection {
            Some(prev) if copied.iter().any(Option::is_some) => {
                conn.execute(
                    "ATTACH DATABASE ?1 AS prev",
                    [prev.path().to_string_lossy()],
                )?;
            }
            _ => {}
        }
        conn.execute_batch("BEGIN")?;
        let mut tombstones = tombstones(ctx, &ids);
        tombstones.sort_by_key(|t| t.nid);
        Ok(Self {
            ctx,
            ids,
            previous,
            conn,
            latest: 0,
            count: 0,
            keys,
            copied,
            kept,
            idents,
            tombstones: tombstones.into_iter().peekable(),
            run: Vec::new(),
            cards: Vec::with_capacity(ctx.bank.questions.len()),
            sources: Vec::with_capacity(ctx.bank.questions.len()),
            known: ctx
                .cache
                .as_ref()
                .is_some_and(|c| c.writes())
                .then(super::previous::Known::default),
        })
    }

    /// The questions (by index) in note id order, the order [`Builder::add`]
    /// takes them in.
    pub(crate) fn order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.idents.len()).collect();
        order.sort_by_key(|&i| self.idents[i].nid);
        order
    }

    /// The Markdown facts the previous package kept for question `index`'s
    /// note, when it is copied from there (so its fields need not be parsed
    /// for the lint either).
    pub(crate) fn kept_seen(&self, index: usize) -> Option<Seen> {
        self.kept.get(index).cloned().flatten()
    }

    /// Whether question `index`'s note is copied from the previous package
    /// (so its card need not be rendered).
    pub(crate) fn reuses(&self, index: usize) -> bool {
        self.copied.get(index).is_some_and(Option::is_some)
    }

    /// Writes the notes of `cards`, which come in note id order (see
    /// [`Builder::order`]): the notes table is only ever appended to, so
    /// its pages are full and a note's page depends on its neighbours only,
    /// which keeps the database's bytes the same, page for page, where the
    /// bank did not change (see `package`). The cards and source keys are
    /// kept and written at the end, in their own key order.
    pub(crate) fn add(&mut self, cards: &[Card]) -> rusqlite::Result<()> {
        let model = self.ids.model;
        for c in cards {
            let index = usize::try_from(c.number - 1).expect("numbers start at 1");
            let nid = self.idents[index].nid;
            self.tombstones_before(nid)?;
            let key = match &self.keys {
                Keys::All(keys) => keys[index],
                Keys::Lazy(sources) => sources.key(index),
            };
            let card_id = self.idents[index].cid;
            if let Some((m, same)) = self.copied[index] {
                // Unchanged: the previous package's row is what rendering
                // would write (same fields and tags, so the same `mod`).
                if let Some(known) = &mut self.known {
                    // Both are there for every note copied (see `new`).
                    let guid = &self.idents[index].guid;
                    match (
                        self.previous.notes.get(guid),
                        self.previous.sources.get(guid),
                    ) {
                        (Some(&(signature, _)), Some((source, _, facts))) => {
                            known.note(guid, signature, m, nid, Some((*source, facts.as_deref())));
                        }
                        _ => self.known = None,
                    }
                }
                self.latest = self.latest.max(m);
                self.run.push(nid);
                self.cards.push(((card_id, nid, m, c.number), same));
                self.sources.push((index, None));
                continue;
            }
            self.copy_run()?;
            let guid = &self.idents[index].guid;
            let number = c.number.to_string();
            let fields = [
                &c.question,
                &c.answer,
                &number,
                &c.topic,
                &c.difficulty,
                &c.see_also,
                &c.id,
            ];
            let flds = join_fields(&fields);
            let tags = format!(" {} ", c.tags.join(" "));
            let sig = note_signature(&flds, &tags);
            let m = carry_mod(self.previous.notes.get(guid), &sig, self.ctx.stamp);
            self.latest = self.latest.max(m);
            self.conn.prepare_cached(INSERT_NOTE)?.execute(params![
                nid,
                guid,
                model,
                m,
                tags,
                flds,
                c.number,
                checksum(&c.question)
            ])?;
            self.cards.push(((card_id, nid, m, c.number), false));
            let facts = super::seal_facts(key, &c.seen);
            if let Some(known) = &mut self.known {
                known.note(guid, sig, m, nid, Some((key, facts.as_deref())));
            }
            self.sources.push((index, Some((key, sig, facts))));
        }
        self.count += cards.len();
        Ok(())
    }

    /// Copies the waiting run of unchanged notes from the previous package
    /// ([`Builder::copy_rows`], by note id: the row there with a kept note's
    /// id is the one its GUID was read from, see [`Previous`]).
    fn copy_run(&mut self) -> rusqlite::Result<()> {
        let run = std::mem::take(&mut self.run);
        self.copy_rows(COPY_NOTES, COUNT_NOTES, &run)
    }

    /// Writes the retired questions' notes whose id is below `nid` (all of
    /// them for `i64::MAX`). Each has the same GUID as the note learners
    /// have, so their re-import turns it into a notice to delete it, tagged
    /// `pyq::retired`; and no card, so a learner who imports the deck for
    /// the first time never sees it.
    fn tombstones_before(&mut self, nid: i64) -> rusqlite::Result<()> {
        while let Some(t) = self.tombstones.next_if(|t| t.nid < nid) {
            self.copy_run()?;
            let m = carry_mod(self.previous.notes.get(&t.guid), &t.sig, self.ctx.stamp);
            self.latest = self.latest.max(m);
            if let Some(known) = &mut self.known {
                known.note(&t.guid, t.sig, m, t.nid, None);
            }
            self.conn.prepare_cached(INSERT_NOTE)?.execute(params![
                t.nid,
                t.guid,
                self.ids.model,
                m,
                t.tags,
                t.flds,
                0,
                t.csum
            ])?;
        }
        Ok(())
    }

    /// Writes what is left: the retired questions' notes with the highest
    /// ids, then the cards and source keys, each in key order.
    pub(crate) fn add_remaining(&mut self) -> rusqlite::Result<()> {
        self.tombstones_before(i64::MAX)?;
        self.copy_run()?;
        self.cards.sort_unstable();
        let cards = std::mem::take(&mut self.cards);
        if let Some(known) = &mut self.known {
            for &((id, nid, m, number), _) in &cards {
                known.card([id, nid, self.ids.deck, m, number]);
            }
        }
        for run in cards.chunk_by(|a, b| a.1 == b.1) {
            if run[0].1 {
                let ids: Vec<i64> = run.iter().map(|((id, ..), _)| *id).collect();
                self.copy_rows(COPY_CARDS, COUNT_CARDS, &ids)?;
                continue;
            }
            let mut card = self.conn.prepare_cached(INSERT_CARD)?;
            for &((id, nid, m, number), _) in run {
                card.execute(params![id, nid, self.ids.deck, m, number])?;
            }
        }
        // In key order (SQLite compares text by its bytes, as `String` does).
        let mut sources = std::mem::take(&mut self.sources);
        let guid = |i: usize| &self.idents[i].guid;
        sources.sort_unstable_by(|a, b| guid(a.0).cmp(guid(b.0)));
        for run in sources.chunk_by(|a, b| a.1.is_none() == b.1.is_none()) {
            if run[0].1.is_none() {
                let guids: Vec<&String> = run.iter().map(|&(i, _)| guid(i)).collect();
                self.copy_rows(COPY_SOURCES, COUNT_SOURCES, &guids)?;
                continue;
            }
            let mut insert = self.conn.prepare_cached(INSERT_SOURCE)?;
            for (i, row) in run {
                if let Some((key, fields, facts)) = row {
                    insert.execute(params![
                        guid(*i),
                        key.to_le_bytes(),
                        fields.to_le_bytes(),
                        facts
                    ])?;
                }
            }
        }
        Ok(())
    }

    /// Copies from the previous package the rows whose keys are `keys` (in
    /// key order): rows this export would write the same (an unchanged
    /// note, its source key row, both checked when they were read, see
    /// [`Previous`], and its card, checked against what it would be). In one
    /// statement
    /// (`copy`, between the first and last key) when the previous package
    /// holds exactly that many rows between them (`count`); else each half
    /// the same way (rows of notes not copied, a retired question's say,
    /// lie between).
    fn copy_rows<K: rusqlite::ToSql>(
        &self,
        copy: &str,
        count: &str,
        keys: &[K],
    ) -> rusqlite::Result<()> {
        let (Some(first), Some(last)) = (keys.first(), keys.last()) else {
            return Ok(());
        };
        if keys.len() > 1 {
            let there: i64 = self
                .conn
                .prepare_cached(count)?
                .query_row(params![first, last], |r| r.get(0))?;
            if usize::try_from(there) != Ok(keys.len()) {
                let (low, high) = keys.split_at(keys.len() / 2);
                return self
                    .copy_rows(copy, count, low)
                    .and_then(|()| self.copy_rows(copy, count, high));
            }
        }
        let copied = self
            .conn
            .prepare_cached(copy)?
            .execute(params![first, last])?;
        if copied == keys.len() {
            Ok(())
        } else {
            Err(rusqlite::Error::StatementChangedRows(copied))
        }
    }

    /// Writes the collection row (note type, deck, options), builds the
    /// indexes and closes the database; what is left of the previous
    /// package is the compressed chunks the package may copy. With what a
    /// re-export reads of the collection, when noted for the cache
    /// ([`super::previous::Known`]).
    pub(crate) fn finish(self) -> rusqlite::Result<(super::package::Reused, Option<Vec<u8>>)> {
        let (ctx, ids, previous) = (self.ctx, &self.ids, &self.previous);
        let model = model_json(ctx, ids);
        let model_mod = carry_mod(previous.model.as_ref(), &model_signature(&model), ctx.stamp);
        let deck = deck_json(ctx, ids);
        let deck_mod = carry_mod(previous.deck.as_ref(), &deck_signature(&deck), ctx.stamp);
        let latest = self.latest.max(model_mod).max(deck_mod);
        let models = json!({ ids.model.to_string(): with_mod(model, model_mod) });
        let decks = json!({ "1": default_deck(), ids.deck.to_string(): with_mod(deck, deck_mod) });
        let (models, decks) = (models.to_string(), decks.to_string());
        let conf = json!({
            "activeDecks": [ids.deck], "curDeck": ids.deck, "curModel": ids.model.to_string(),
            "addToCur": true, "collapseTime": 1200, "dueCounts": true, "estTimes": true,
            "newSpread": 0, "nextPos": self.count + 1, "sortBackwards": false,
            "sortType": "noteFld", "timeLim": 0,
        });
        self.conn.execute(
            "INSERT INTO col VALUES (1, ?1, ?2, ?2, 11, 0, 0, 0, ?3, ?4, ?5, ?6, '{}')",
            params![
                latest - latest.rem_euclid(86_400),
                latest * 1000,
                conf.to_string(),
                models,
                decks,
                dconf().to_string()
            ],
        )?;
        self.conn.execute_batch(INDEXES)?;
        self.conn.execute_batch("COMMIT")?;
        self.conn.close().map_err(|(_, e)| e)?;
        let known = self.known.map(|k| k.finish(&models, &decks));
        let mut previous = self.previous;
        let reused = std::mem::take(&mut previous.reused);
        // Its maps and unpacked collection are not needed any more.
        crate::memory::drop_aside(previous);
        Ok((reused, known))
    }
}

/// The retired questions' notes (see [`Builder::tombstones_before`]).
fn tombstones(ctx: &Context<'_>, ids: &Ids) -> Vec<Tombstone> {
    if ctx.bank.retired.is_empty() {
        return Vec::new();
    }
    let numbers: crate::hash::FastMap<&str, usize> = ctx
        .bank
        .questions
        .iter()
        .enumerate()
        .filter_map(|(i, q)| q.id_str().map(|id| (id, i + 1)))
        .collect();
    let mut hl = crate::render::Highlighter::new();
    let mut out = Vec::new();
    for r in &ctx.bank.retired {
        let Some(id) = r.id_str() else { continue };
        let reason = r.reason.as_ref().map_or("", Spanned::as_str);
        let mut answer = format!("<p>{}</p>", crate::render::to_inline_html(reason, &mut hl));
        let mut see_also = String::new();
        let replacement = r
            .replaced_by
            .as_ref()
            .and_then(|to| numbers.get(to.as_str()).copied());
        if let Some(n) = replacement {
            let q = &ctx.bank.questions[n - 1];
            let text = q.question.as_ref().map_or(Cow::Borrowed(""), Text::value);
            answer.push_str(&format!("<p>It is replaced by question #{n}.</p>"));
            see_also = format!(
                "<ul class=\"pyq-see-also-list\"><li><span class=\"pyq-ref\">#{n}</span> {}</li></ul>",
                crate::render::to_inline_html(&text, &mut hl)
            );
        }
        answer.push_str(RETIRED_HOWTO);
        let question = "This question was retired: delete this note.".to_owned();
        let answer = crate::render::sanitize_owned(answer);
        let see_also = crate::render::sanitize_owned(see_also);
        let (number, topic, difficulty, id_field) = (
            String::new(),
            "Retired".to_owned(),
            String::new(),
            id.to_owned(),
        );
        let fields = [
            &question,
            &answer,
            &number,
            &topic,
            &difficulty,
            &see_also,
            &id_field,
        ];
        let flds = join_fields(&fields);
        let tags = format!(" {RETIRED_TAG} ");
        let sig = note_signature(&flds, &tags);
        out.push(Tombstone {
            nid: identity::object_id(ids.deck, id, "note"),
            guid: identity::guid(ids.deck, id),
            tags,
            csum: checksum(&question),
            flds,
            sig,
        });
    }
    out
}

/// Anki's field separator is U+001F; a field can't contain it.
fn join_fields(fields: &[&String]) -> String {
    let mut flds = String::with_capacity(fields.iter().map(|f| f.len() + 1).sum());
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            flds.push('\u{1f}');
        }
        if f.contains('\u{1f}') {
            flds.push_str(&f.replace('\u{1f}', " "));
        } else {
            flds.push_str(f);
        }
    }
    flds
}

fn with_mod(mut v: Value, m: i64) -> Value {
    v["mod"] = json!(m);
    v
}

/// Anki's note checksum, which its duplicate check uses: the first 8 hex
/// digits of the SHA-1 of the first field with its HTML stripped, as an
/// integer.
fn checksum(first_field: &str) -> i64 {
    let d = Sha1::digest(strip_html(first_field).as_bytes());
    i64::from(u32::from_be_bytes([d[0], d[1], d[2], d[3]]))
}

/// A field's text without tags, with the entities pyq's HTML uses decoded
/// (as Anki's `strip_html` does for the checksum).
fn strip_html(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        rest = rest[open..]
            .find('>')
            .map_or("", |close| &rest[open + close + 1..]);
    }
    text.push_str(rest);
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
        .trim()
        .to_owned()
}

pub(crate) fn model_json(ctx: &Context<'_>, ids: &Ids) -> Value {
    let flds: Vec<Value> = FIELDS
        .iter()
        .enumerate()
        .map(|(ord, name)| json!({"name": name, "ord": ord, "font": "Arial", "size": 20, "media": [], "rtl": false, "sticky": false}))
        .collect();
    json!({
        "id": ids.model,
        "name": super::note_type_name(ctx.bank),
        "type": 0,
        "usn": -1,
        "sortf": SORT_FIELD,
        "did": ids.deck,
        "flds": flds,
        "tmpls": [{"name": TEMPLATE_NAME, "ord": 0, "qfmt": FRONT, "afmt": BACK, "bqfmt": "", "bafmt": "", "did": null}],
        "css": CSS,
        "latexPre": "\\documentclass[12pt]{article}\n\\special{papersize=3in,5in}\n\\usepackage{amssymb,amsmath}\n\\pagestyle{empty}\n\\setlength{\\parindent}{0in}\n\\begin{document}\n",
        "latexPost": "\\end{document}",
        "req": [[0, "any", [0]]],
        "tags": [],
        "vers": [],
    })
}

fn deck_name(ctx: &Context<'_>) -> String {
    ctx.bank
        .deck
        .as_ref()
        .and_then(|d| d.name.as_ref())
        .map_or_else(|| "Deck".to_owned(), |n| n.as_str().to_owned())
}

fn deck_json(ctx: &Context<'_>, ids: &Ids) -> Value {
    let desc = ctx
        .bank
        .deck
        .as_ref()
        .and_then(|d| d.description.as_ref())
        .map(|d| {
            crate::render::sanitize_owned(crate::render::to_html(
                &d.value(),
                &mut crate::render::Highlighter::new(),
            ))
        })
        .unwrap_or_default();
    json!({
        "id": ids.deck, "name": deck_name(ctx), "desc": desc, "conf": 1, "dyn": 0, "usn": -1,
        "collapsed": false, "extendNew": 10, "extendRev": 50,
        "newToday": [0, 0], "revToday": [0, 0], "lrnToday": [0, 0], "timeToday": [0, 0],
    })
}

fn default_deck() -> Value {
    json!({
        "id": 1, "name": "Default", "desc": "", "conf": 1, "dyn": 0, "usn": 0, "mod": 0,
        "collapsed": false, "extendNew": 10, "extendRev": 50,
        "newToday": [0, 0], "revToday": [0, 0], "lrnToday": [0, 0], "timeToday": [0, 0],
    })
}

fn dconf() -> Value {
    json!({"1": {
        "id": 1, "name": "Default", "mod": 0, "usn": 0, "maxTaken": 60, "autoplay": true,
        "timer": 0, "replayq": true, "dyn": false,
        "new": {"bury": true, "delays": [1.0, 10.0], "initialFactor": 2500, "ints": [1, 4, 7], "order": 1, "perDay": 20, "separate": true},
        "lapse": {"delays": [10.0], "leechAction": 0, "leechFails": 8, "minInt": 1, "mult": 0.0},
        "rev": {"bury": true, "ease4": 1.3, "fuzz": 0.05, "ivlFct": 1.0, "maxIvl": 36500, "minSpace": 1, "perDay": 200},
    }})
}
