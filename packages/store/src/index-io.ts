// Every read and write of a store's index files goes through this module. Its interface:
//
//   indexOf(p)                   the StoreIndex of a store object (one per object: it keeps
//                                the open journals, so commits and catch-ups cost what changed)
//   StoreIndex#read()            a reader's index: v2 columns, or index.json's entries
//   StoreIndex#migrate()         writers, first thing: a legacy replaykit index.json → journal
//   StoreIndex#load()/format()   a writer's live entries and the store's format
//   StoreIndex#append/replace    commits (durable when they resolve)
//   StoreIndex#replaceFresh      recover: a new index without reading the old one
//   StoreIndex#downgrade()       replaykit store → dlm store
//   readIndexAt(path, journal)   a compaction's new index (by its temp name)
//   writeIndexFile(path, e, fmt) a fresh index at another path (a compaction's new index)
//   StoreIndex#looksLost()       true when the store's index is gone (see there)
//
// Two formats (see the store README, "Files"):
// - dlm stores keep `index.json` exactly as the reference writes it, rewritten atomically on
//   every commit, plus the `<index>.format` sidecar, present exactly while the index is
//   empty because a writer emptied it (an empty array looks the same in both formats, and
//   an empty index without it, beside a corpus of intact frames, looks lost).
// - replaykit stores keep the journal of @replaykit/index (FORMAT.md there) at
//   `index.rkx` beside `index.json` (layout.ts names it). A commit appends one checksummed
//   record group and fsyncs once.
//
// Which one a store has: the journal exists → replaykit (v2), whatever else is there; else
// index.json decides (its keys, or the sidecar). Every change between the two is ordered so
// that this rule reads a consistent store after a crash at any step:
// - migration (a legacy replaykit index.json, first write): the journal is written whole
//   (atomic rename: its commit point), then index.json is removed. Both present = migrated.
// - downgrade: index.json is written whole first (ignored while the journal exists), then
//   the journal is unlinked (its commit point). Both present = not downgraded yet.
// A writer finding both finishes the migration (removes index.json).
import { fsyncDir, writeFileAtomic } from "@replaykit/corpus";
import {
  downgradeToIndexJson,
  IndexCorruptError,
  IndexJournal,
  IndexReadError,
  indexFormatOf,
  loadIndex,
  salvageJournal,
  saveIndex,
  toDlmEntry,
  writeJournal,
  type IndexEntry,
  type IndexFormat,
  type IndexView,
  type JournalDamage,
  type JournalSalvage,
  type RemoveReasonName,
} from "@replaykit/index";
import { lstatSync, statSync } from "node:fs";
import { readFile, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import { crashPoint } from "./crash.js";
import { StoreArgumentError, StoreIndexLostError, StoreIOError } from "./errors.js";
import { layoutOf, type StoreLayout, type StorePaths } from "./layout.js";

/** A reader's index: columns of a journal, or the entries of an index.json. `release` when done. */
export interface IndexRead {
  readonly columns?: IndexView;
  readonly entries?: IndexEntry[];
  /** True when the store has no index file at all (neither a journal nor an index.json). */
  readonly missing?: boolean;
  /** Damage in the middle of the journal: whole commits follow it (never a torn tail); `recover` brings them back. */
  readonly damage?: JournalDamage | undefined;
  /** The journal's whole commits (a replaykit store). */
  readonly commits?: number;
  /** True when the journal has grown since this read (a writer committed meanwhile). */
  readonly grown?: () => boolean;
  release(): Promise<void>;
}

const isMissing = (error: unknown): boolean =>
  (IndexReadError.isInstance(error) && error.systemCode === "ENOENT") || (error as { code?: unknown } | null)?.code === "ENOENT";

function sizeOfSync(path: string): number {
  try {
    return statSync(path).size;
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return 0;
    throw new StoreIOError(path, "stat", error);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    lstatSync(path); // a few µs; every write asks several times (a thread-pool round trip costs tens)
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return false;
    throw new StoreIOError(path, "stat", error);
  }
}

/** Opens a journal for reading; undefined when the file does not exist. */
async function openJournal(path: string): Promise<IndexJournal | undefined> {
  try {
    return await IndexJournal.open(path);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/**
 * The rows of `columns` whose section id is in `ids`, ascending: looked up in the view's id
 * hash (IndexView#rowsWithId), so k ids cost O(k), not a pass over the index.
 */
export function rowsWithIds(columns: IndexView, ids: ReadonlySet<unknown>): number[] {
  const rows: number[] = [];
  for (const id of ids) if (typeof id === "string") for (const row of columns.rowsWithId(id)) rows.push(row);
  return rows.sort((x, y) => x - y);
}

/** The live entries whose section id is in `ids`, in index order (objects only for the matches). */
export function entriesWithIds(columns: IndexView, ids: ReadonlySet<unknown>): IndexEntry[] {
  return rowsWithIds(columns, ids).map((row) => columns.entry(row));
}

/** True when an entry of `kept` has the (section id, offset) key of one of `removed`. */
function sharesKey(kept: readonly IndexEntry[], removed: readonly IndexEntry[]): boolean {
  const idsAt = new Map<number, Set<string>>();
  for (const e of removed) {
    const ids = idsAt.get(e.byteOffset);
    if (ids === undefined) idsAt.set(e.byteOffset, new Set([e.sectionId]));
    else ids.add(e.sectionId);
  }
  for (const e of kept) if (idsAt.get(e.byteOffset)?.has(e.sectionId) === true) return true;
  return false;
}

/**
 * Entries of a writer's view, as objects: the rows `rows` (default: every row), in that
 * order. Replayed entries carry their exposure (`replayCount`, `lastReplayAt`), as a
 * writer's entries always have: a writer that rewrites the index keeps it.
 */
export function entriesOfRows(view: IndexView, rows?: ArrayLike<number>): IndexEntry[] {
  const n = rows === undefined ? view.size : rows.length;
  const out = new Array<IndexEntry>(n);
  const counts = view.replayCount;
  for (let k = 0; k < n; k++) {
    const i = rows === undefined ? k : rows[k]!;
    const entry = view.entry(i);
    out[k] = counts[i]! > 0 ? { ...entry, ...view.exposure(i) } : entry;
  }
  return out;
}

const stores = new WeakMap<object, StoreIndex>();

// The journals a store object keeps open are closed when the object is collected (a
// FileHandle left to the collector is a warning, and a future error, in Node).
const closer = new FinalizationRegistry<IndexJournal>((journal) => {
  void journal.close().catch(() => undefined);
});

/** The index of a store object (created on first use; one per object, so its journals stay open). */
export function indexOf(p: StorePaths): StoreIndex {
  let index = stores.get(p);
  if (index === undefined) {
    index = new StoreIndex(layoutOf(p), p);
    stores.set(p, index);
  }
  return index;
}

/** The index files of one store, with the journals a store object keeps open. */
export class StoreIndex {
  readonly layout: StoreLayout;
  readonly indexPath: string;
  readonly journalPath: string;
  /** The readers' journal, kept open and caught up between reads while no view holds it. */
  #reader: IndexJournal | undefined;
  #readerHeld = false;
  /** The writers' journal (used with the writer lock held only). */
  #writer: IndexJournal | undefined;
  /**
   * What a write under the lock knows of the index files: set by `migrate` (every write's
   * first step), kept in step by this object's own changes, dropped by `endWrite`. Only
   * writers change these files, so while the lock is held they need no second look.
   */
  #session: { journal: boolean; sidecar?: boolean } | undefined;

  /** The store object whose collection closes the kept journals. */
  readonly #owner: object;

  constructor(layout: StoreLayout, owner: object) {
    this.layout = layout;
    this.indexPath = layout.indexPath;
    this.journalPath = layout.journalPath;
    this.#owner = owner;
  }

  #keep(journal: IndexJournal): IndexJournal {
    closer.register(this.#owner, journal, journal);
    return journal;
  }

  async #let(journal: IndexJournal | undefined): Promise<void> {
    if (journal === undefined) return;
    closer.unregister(journal);
    await journal.close().catch(() => undefined);
  }

  /** Closes the journals this store object keeps open (they reopen on next use). */
  async close(): Promise<void> {
    const reader = this.#readerHeld ? undefined : this.#reader;
    if (reader !== undefined) this.#reader = undefined;
    await this.#let(reader);
    await this.#dropWriter();
  }

  // ------------------------------------------------------------------ readers

  /**
   * The live index for a reader. A journal is read from the kept-open reader journal (only
   * the commits since the last read are read) when no other view holds it, else from a
   * journal opened for this view alone; the columns cannot change until `release`.
   */
  async read(): Promise<IndexRead> {
    // The journal first (it is the index whenever it exists), then index.json. A migration
    // creates the journal before it removes index.json, and a downgrade writes index.json
    // before it unlinks the journal, so seeing neither in this order means a migration or a
    // downgrade ran in between (one of them is there now: look again) or the index is truly
    // gone. A file that vanishes is never read as an empty index.
    for (let attempt = 0; ; attempt++) {
      const journal = await this.#readerJournal();
      if (journal !== undefined) return journal;
      try {
        const entries = await loadIndex(this.indexPath, { missing: "error" });
        return { entries, release: async () => undefined };
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
      // Either file there now: a migration or a downgrade (or both, one after the other) ran
      // between our looks; look again.
      if (attempt < 100 && ((await exists(this.journalPath)) || (await exists(this.indexPath)))) continue;
      return { entries: [], missing: true, release: async () => undefined };
    }
  }

  async #readerJournal(): Promise<IndexRead | undefined> {
    // The kept-open journal, held by this view until it releases it.
    // The journal's size before it is read: one larger later means a commit since.
    const size = sizeOfSync(this.journalPath);
    const held = (journal: IndexJournal): IndexRead => {
      this.#readerHeld = true;
      return {
        columns: journal.view,
        damage: journal.damage,
        commits: journal.commits,
        // A writer committed since this read (its first entries, say): the read is only stale.
        grown: () => sizeOfSync(this.journalPath) > size,
        release: async () => {
          this.#readerHeld = false;
        },
      };
    };
    if (this.#reader !== undefined && !this.#readerHeld) {
      const journal = this.#reader;
      try {
        await journal.catchUp();
        return held(journal);
      } catch (error) {
        this.#reader = undefined;
        await this.#let(journal);
        if (!isMissing(error)) throw error;
        // Gone (a downgrade): look at the files afresh.
      }
    }
    const journal = await openJournal(this.journalPath);
    if (journal === undefined) return undefined;
    // Kept for the next reads, unless another view holds the kept one: then this view's alone.
    if (this.#reader === undefined) {
      this.#reader = this.#keep(journal);
      return held(journal);
    }
    return { columns: journal.view, damage: journal.damage, commits: journal.commits, release: () => journal.close().catch(() => undefined) };
  }

  // ------------------------------------------------------------------ writers (lock held)

  /** True when the store keeps a v2 journal. */
  async isJournal(): Promise<boolean> {
    return this.#session?.journal ?? exists(this.journalPath);
  }

  /** Ends a write: the next one looks at the files again (see `#session`). */
  endWrite(): void {
    this.#session = undefined;
  }

  /** The writer journal, opened (or created, empty) on first use; dropped if the file went away. */
  async #writerJournal(create: boolean): Promise<IndexJournal> {
    this.#writer ??= this.#keep(await IndexJournal.open(this.journalPath, { create }));
    return this.#writer;
  }

  async #dropWriter(): Promise<void> {
    const w = this.#writer;
    this.#writer = undefined;
    await this.#let(w);
  }

  /**
   * Migrates a replaykit store written before the v2 index (one `index.json` with
   * replaykit's keys) to a journal, or finishes a migration a crash interrupted. dlm stores
   * and new stores are left alone; an unreadable index.json too (recover handles it).
   */
  async migrate(): Promise<void> {
    this.#session = undefined;
    const journal = await exists(this.journalPath);
    if (!journal) {
      await this.#dropWriter();
      if (!(await exists(this.indexPath))) return this.#begin(false);
      let entries: IndexEntry[];
      try {
        entries = await loadIndex(this.indexPath);
      } catch {
        return this.#begin(false); // unreadable: reads say why; recover rebuilds it
      }
      if ((await this.format(entries)) !== "replaykit") return this.#begin(false);
      await writeJournal(this.journalPath, entries);
      crashPoint("migrate:journal-written");
    } else if (!(await exists(this.indexPath))) {
      return this.#begin(true);
    }
    await this.#removeJson();
    this.#begin(true);
  }

  #begin(journal: boolean): void {
    this.#session = { journal };
  }

  /** Removes index.json (the journal is the store's index now; the sidecar stays while the index is empty). */
  async #removeJson(): Promise<void> {
    try {
      await unlink(this.indexPath);
    } catch (error) {
      if ((error as { code?: string }).code !== "ENOENT") throw new StoreIOError(this.indexPath, "remove the migrated", error);
    }
    await syncDir(this.indexPath);
  }

  /** Keeps the sidecar in step with a journal that now holds `size` entries (present only while emptied). */
  async #sidecarAfter(size: number): Promise<void> {
    if (size === 0 || this.#session?.sidecar === false) return;
    for (const format of ["replaykit", "dlm"] as const) {
      const sidecar = this.layout.sidecarOf(format);
      if (await exists(sidecar)) await unlink(sidecar).catch(() => undefined);
    }
    if (this.#session !== undefined) this.#session.sidecar = false;
  }

  /** The live entries, for a writer (objects: a writer plans on them). */
  async load(): Promise<IndexEntry[]> {
    if (await exists(this.journalPath)) return entriesOfRows((await this.#current()).view);
    await this.#dropWriter();
    return loadIndex(this.indexPath);
  }

  /**
   * The live entries as the writer journal's columns (caught up), for a writer that plans on
   * columns; undefined when the store has no journal (a dlm store, or one not migrated yet:
   * use `load`). Valid until the next write through this index.
   */
  async writerColumns(): Promise<IndexView | undefined> {
    if (!(await this.isJournal())) {
      await this.#dropWriter();
      return undefined;
    }
    return (await this.#current()).view;
  }

  /**
   * The writer journal, caught up, refused when damage in its middle has whole commits after
   * it: a compaction, downgrade or rewrite built from its view would drop those acknowledged
   * commits (the journal's own commits refuse too). `recover` salvages them.
   * @throws {IndexCorruptError} naming the damage and `recover`.
   */
  async #current(): Promise<IndexJournal> {
    const journal = await this.#writerJournal(false);
    await journal.catchUp();
    const damage = journal.damage;
    if (damage !== undefined) {
      throw new IndexCorruptError(
        `corrupt index ${this.journalPath}: byte ${damage.byteOffset}: ${damage.length} damaged bytes with ${damage.commitsAfter} whole commit(s) after them; ` +
          "nothing is written that would drop those acknowledged commits: run recover",
        { path: this.journalPath, byteOffset: damage.byteOffset },
      );
    }
    return journal;
  }

  /**
   * Every whole commit of the journal, those after damage in its middle too (`salvageJournal`),
   * for `recover`; undefined without a journal or when even its header is unreadable.
   */
  async salvage(): Promise<JournalSalvage | undefined> {
    if (!(await exists(this.journalPath))) return undefined;
    return salvageJournal(this.journalPath).catch(() => undefined);
  }

  /**
   * Takes the rows `rows` of `writerColumns()`'s view out of the live index: one journal
   * commit of removal records naming exactly those entries (by ordinal: an entry sharing a
   * removed one's key stays), whose size is what leaves. Returns the live entries after it,
   * in their order: the writer journal's columns, valid until its next change (`letGo` keeps
   * them from changing).
   */
  async removeRows(rows: ArrayLike<number>, reason: RemoveReasonName): Promise<IndexView> {
    return this.#dropOnError(async () => {
      const journal = await this.#writerJournal(false);
      // The sidecar first, so no crash leaves a deliberately emptied index unmarked.
      if (rows.length > 0 && rows.length >= journal.view.size) await this.#writeSidecar("replaykit");
      await journal.commit({ removeRows: rows, reason });
      const after = journal.view;
      await this.#maybeRewrite(journal);
      await this.#sidecarAfter(journal.view.size);
      return after;
    });
  }

  /**
   * Makes `view` (from `writerColumns` or `removeRows`) safe to keep: if it is the writer
   * journal's own, the store object lets go of that journal (the next write reopens it), so
   * no later write changes it — cheaper than a copy of every column.
   */
  async letGo(view: IndexView): Promise<void> {
    if (this.#writer !== undefined && this.#writer.view === view) await this.#dropWriter();
  }

  /**
   * For a writer planning an append: the live entries of the section ids `ids` (`all`
   * false) from a journal, or every entry of an index.json (`all` true).
   */
  async loadOf(ids: ReadonlySet<unknown>): Promise<{ entries: IndexEntry[]; all: boolean }> {
    // Refused before any frame is written when the journal is damaged (the frames would be dead bytes recover revives).
    if (await this.isJournal()) return { entries: entriesWithIds((await this.#current()).view, ids), all: false };
    await this.#dropWriter();
    return { entries: await loadIndex(this.indexPath), all: true };
  }

  /**
   * Makes the live index `kept` by taking `removed` out (`kept` + `removed` = what `load`
   * gave): on a journal one commit of removal records — its size is what leaves, not what
   * stays — unless a kept entry shares a removed one's key (the same frame indexed twice),
   * where the whole-index `replace` is exact; index.json is replaced whole.
   */
  async removeFrom(kept: readonly IndexEntry[], removed: readonly IndexEntry[], format: IndexFormat, reason: RemoveReasonName): Promise<void> {
    if (removed.length === 0) return;
    if (format === "dlm" || !(await exists(this.journalPath)) || sharesKey(kept, removed)) return this.replace(kept, format, reason);
    await this.#dropOnError(async () => {
      // The sidecar first, so no crash leaves a deliberately emptied index unmarked.
      if (kept.length === 0) await this.#writeSidecar("replaykit");
      const journal = await this.#writerJournal(false);
      await journal.commit({ remove: removed.map((e) => ({ sectionId: e.sectionId, byteOffset: e.byteOffset })), reason });
      await this.#maybeRewrite(journal);
      await this.#sidecarAfter(journal.view.size);
    });
  }

  /** One journal commit: `removed` leave the index (reason superseded), `added` join it. */
  async supersede(removed: readonly IndexEntry[], added: readonly IndexEntry[]): Promise<void> {
    await this.#dropOnError(async () => {
      const journal = await this.#writerJournal(false);
      await journal.commit({ append: added, remove: removed.map((e) => ({ sectionId: e.sectionId, byteOffset: e.byteOffset })), reason: "superseded" });
      await this.#maybeRewrite(journal);
    });
  }

  /**
   * True when the store has no index file at all (no journal, no index.json) while its
   * corpus holds bytes: the index is lost, and no writer may start a fresh one over it (the
   * corpus's frames would all look dead); `recover` rebuilds it. Writers, after `migrate`.
   */
  async isLost(): Promise<boolean> {
    if ((await this.isJournal()) || (await exists(this.indexPath))) return false;
    return sizeOfSync(this.layout.corpusPath) > 0;
  }

  /**
   * Makes sure a replaykit store's journal exists before its first frame is written, so a
   * crash anywhere in a first append leaves an index (its frames are then dead bytes), never
   * a corpus without one. Writers, after `migrate`.
   * @throws {StoreIndexLostError} when the index is lost (see `isLost`).
   */
  async ensureIndex(): Promise<void> {
    if ((await this.isJournal()) || (await exists(this.indexPath))) return;
    if (sizeOfSync(this.layout.corpusPath) > 0) throw new StoreIndexLostError(this.journalPath, this.layout.corpusPath);
    // Written whole with its "emptied on purpose" mark (removed by the first commit): frames
    // written before a crash are then dead bytes, not a lost index.
    await this.#dropOnError(() => this.#createJournal([]));
    crashPoint("append:index-created");
  }

  /** True when a writer emptied a dlm index.json on purpose (its sidecar is there): an empty index is then not a lost one. */
  async emptiedOnPurpose(): Promise<boolean> {
    return (await exists(this.layout.sidecarOf("replaykit"))) || (await exists(this.layout.sidecarOf("dlm")));
  }

  /**
   * The store's format: a journal is replaykit; else from index.json's entries' keys, or —
   * for an empty index — the sidecar that remembers an emptied store's format. Nothing at
   * all: replaykit.
   */
  async format(entries: readonly IndexEntry[]): Promise<IndexFormat> {
    if (await this.isJournal()) return "replaykit";
    const fromKeys = indexFormatOf(entries);
    if (fromKeys !== undefined) return fromKeys;
    try {
      return (await readFile(this.layout.formatPath, "utf8")).trim() === "dlm" ? "dlm" : "replaykit";
    } catch {
      return "replaykit";
    }
  }

  /** Makes `added` live after `live` (what `load` gave). Durable when it resolves; on failure the previous index stays in force. */
  async append(live: readonly IndexEntry[], added: readonly IndexEntry[], format: IndexFormat): Promise<void> {
    return this.#dropOnError(() => this.#append(live, added, format));
  }

  /** On a failed write, the writer journal is reopened next time (it may have been opened read-only, or be behind). */
  async #dropOnError<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      await this.#dropWriter();
      throw error;
    }
  }

  async #append(live: readonly IndexEntry[], added: readonly IndexEntry[], format: IndexFormat): Promise<void> {
    if (format === "dlm") return this.#writeJson([...live, ...added]);
    if (!(await this.isJournal())) return this.#createJournal([...live, ...added]);
    const journal = await this.#writerJournal(false);
    await journal.commit({ append: added });
    await this.#maybeRewrite(journal);
    await this.#sidecarAfter(journal.view.size);
  }

  /**
   * Records a draw's picks as replayed at `now` (issue 15): one journal commit of exposure
   * records setting, per picked (section id, offset), `replayCount` = its current count +
   * the times it was picked, and `lastReplayAt` = `now`. The current counts are read from
   * the writer's journal after it caught up, under the writer lock the caller holds, so
   * concurrent draws add up. Picks no longer live (evicted, or moved by a compaction since
   * the draw's view) are skipped. Returns how many entries it updated. A store without a
   * journal (dlm: index.json has no room for it) records nothing and returns 0.
   */
  async commitExposure(picks: ReadonlyArray<{ readonly sectionId: string; readonly byteOffset: number }>, now: Date): Promise<number> {
    if (picks.length === 0 || !(await exists(this.journalPath))) return 0;
    return this.#dropOnError(async () => {
      const journal = await this.#writerJournal(false);
      await journal.catchUp();
      const times = new Map<string, { sectionId: string; byteOffset: number; times: number; count: number }>();
      for (const { sectionId, byteOffset } of picks) {
        const key = `${sectionId}@${byteOffset}`;
        const seen = times.get(key);
        if (seen === undefined) times.set(key, { sectionId, byteOffset, times: 1, count: -1 });
        else seen.times++;
      }
      // The current counts, from the view's id hash (the cost is the picks', not the index's).
      const view = journal.view;
      for (const item of times.values()) {
        for (const r of view.rowsWithId(item.sectionId)) if (view.byteOffset[r] === item.byteOffset) item.count = Math.max(item.count, view.replayCount[r]!);
      }
      const exposure = [...times.values()]
        .filter((item) => item.count >= 0)
        .map(({ sectionId, byteOffset, times: n, count }) => ({ sectionId, byteOffset, replayCount: Math.min(count + n, 0xffff_ffff), lastReplayAt: now }));
      if (exposure.length === 0) return 0;
      return (await journal.commit({ exposure })).exposed;
    });
  }

  /**
   * Replaces the live index with `entries`: a journal commits the difference (removal
   * records naming `reason`, and the entries not yet live); index.json is replaced whole.
   * Changing format converts the store (see the header comment for the order).
   */
  async replace(entries: readonly IndexEntry[], format: IndexFormat, reason: RemoveReasonName = "removed"): Promise<void> {
    return this.#dropOnError(() => this.#replace(entries, format, reason));
  }

  async #replace(entries: readonly IndexEntry[], format: IndexFormat, reason: RemoveReasonName): Promise<void> {
    if (format === "dlm") {
      await this.#writeJson(entries);
      if (await exists(this.journalPath)) await this.#unlinkJournal();
      return;
    }
    if (!(await exists(this.journalPath))) return this.#createJournal(entries);
    // The sidecar first, so no crash leaves a deliberately emptied index unmarked (it would look lost).
    if (entries.length === 0) await this.#writeSidecar("replaykit");
    const journal = await this.#writerJournal(false);
    await journal.replaceWith(entries, { reason });
    await this.#maybeRewrite(journal);
    await this.#sidecarAfter(journal.view.size);
  }

  /** Replaces the index without reading it (it may be unreadable): `recover`. */
  async replaceFresh(entries: readonly IndexEntry[], format: IndexFormat): Promise<void> {
    await this.#dropWriter();
    if (format === "dlm") return this.replace(entries, format);
    await this.#dropOnError(() => this.#createJournal(entries));
  }

  /** A new journal holding `entries`, written whole (atomic: no torn first commit), then index.json goes. */
  async #createJournal(entries: readonly IndexEntry[]): Promise<void> {
    await this.#dropWriter();
    if (entries.length === 0) await this.#writeSidecar("replaykit");
    const known = this.#session !== undefined;
    this.#session = undefined; // unknown until the journal is in place
    await writeJournal(this.journalPath, entries);
    if (known) this.#begin(true);
    if (await exists(this.indexPath)) await this.#removeJson();
    await this.#sidecarAfter(entries.length);
  }

  /**
   * Turns a replaykit store into a dlm store: index.json as the reference writes it (only
   * dlm's keys, sorted by section id), then the journal is unlinked (the commit point).
   * @returns the number of entries converted (0 for a dlm store).
   */
  async downgrade(): Promise<number> {
    if (!(await exists(this.journalPath))) {
      // No journal: index.json in dlm's shape already, or a legacy one migration could not read.
      const entries = await loadIndex(this.indexPath);
      if ((await this.format(entries)) === "dlm") return 0;
      await this.#writeJson(entries.map(toDlmEntry));
      return entries.length;
    }
    const view = (await this.#current()).view;
    const converted = view.size;
    if (converted === 0) await this.#writeSidecar("dlm");
    await writeText(this.indexPath, downgradeToIndexJson(view));
    crashPoint("downgrade:json-written");
    await this.#unlinkJournal();
    await this.#sidecarAfter(converted);
    return converted;
  }

  async #unlinkJournal(): Promise<void> {
    await this.#dropWriter();
    const known = this.#session !== undefined;
    this.#session = undefined; // unknown until the unlink is done
    try {
      await unlink(this.journalPath);
    } catch (error) {
      if ((error as { code?: string }).code !== "ENOENT") throw new StoreIOError(this.journalPath, "remove", error);
    }
    await syncDir(this.journalPath);
    if (known) this.#begin(false);
  }

  /** A rewrite when the journal says it is due (FORMAT.md, "When to rewrite"). */
  async #maybeRewrite(journal: IndexJournal): Promise<void> {
    if (journal.needsRewrite) {
      await journal.rewrite();
      crashPoint("journal:rewritten");
    }
  }

  async #writeSidecar(format: IndexFormat): Promise<void> {
    const sidecar = this.layout.sidecarOf(format);
    if (this.#session !== undefined) this.#session.sidecar = undefined; // unknown if the write fails midway
    try {
      await writeFileAtomic(sidecar, new TextEncoder().encode(`${format}\n`));
    } catch (error) {
      throw new StoreIOError(sidecar, "write", error);
    }
    if (this.#session !== undefined) this.#session.sidecar = true;
  }

  /** index.json replaced atomically, the sidecar kept in step (present only while the index is empty). */
  async #writeJson(entries: readonly IndexEntry[]): Promise<void> {
    // Written before the empty index, so no crash leaves a deliberately emptied index unmarked.
    if (entries.length === 0) await this.#writeSidecar("dlm");
    await saveIndex(this.indexPath, entries);
    if (entries.length > 0) {
      await unlink(this.layout.sidecarOf("dlm")).catch(() => undefined);
      if (this.#session !== undefined) this.#session.sidecar = false;
    }
  }
}

async function writeText(path: string, text: string): Promise<void> {
  try {
    await writeFileAtomic(path, new TextEncoder().encode(text));
  } catch (error) {
    throw new StoreIOError(path, "write", error);
  }
}

async function syncDir(path: string): Promise<void> {
  try {
    await fsyncDir(dirname(path));
  } catch (error) {
    throw new StoreIOError(dirname(path), "sync the directory", error);
  }
}

/**
 * A compaction's new index, read by its temp path (a journal when `journal`, else an
 * index.json). Undefined when the file is not there (already renamed into place).
 */
export async function readIndexAt(path: string, journal: boolean): Promise<IndexRead | undefined> {
  if (journal) {
    const journal = await openJournal(path);
    return journal === undefined ? undefined : { columns: journal.view, commits: journal.commits, release: () => journal.close().catch(() => undefined) };
  }
  if (!(await exists(path))) return undefined;
  const entries = await loadIndex(path);
  return { entries, release: async () => undefined };
}

/**
 * Writes a fresh index file at `path` (a compaction's new index, renamed in later) in
 * `format`'s file format: a journal holding `entries` — objects, or a view such as
 * `withByteOffsets(columns, moved)` — exposure included, in one write (the same live entries
 * give the same bytes); or an index.json of entry objects.
 */
export async function writeIndexFile(path: string, entries: readonly IndexEntry[] | IndexView, format: IndexFormat): Promise<void> {
  // (Entry objects carry no exposure here: they come from an index.json, which has no place for it.)
  if (format === "replaykit") return writeJournal(path, entries);
  if (!Array.isArray(entries)) throw new StoreArgumentError("entries", "must be entry objects for an index.json");
  return saveIndex(path, entries);
}
