import { describe, expectTypeOf, test } from "vitest";
import {
  entryFor,
  type EntryFields,
  type IndexArgumentError,
  IndexCorruptError,
  type IndexEntryInvalidError,
  type IndexReadError,
  IndexWriteError,
  indexFormatOf,
  loadIndex,
  parseIndex,
  saveIndex,
  serializeIndex,
  type IndexEntry,
  type IndexFormat,
  autoMinedOf,
  encodeIndexV2,
  encodeJournal,
  hasCrc,
  type IndexJournal,
  type JournalDamage,
  type JournalSalvage,
  salvageJournal,
  writeIndexV2,
  writeJournal,
} from "../src/index.js";

describe("public types (API.md contract)", () => {
  test("IndexEntry", () => {
    expectTypeOf<IndexEntry>().toEqualTypeOf<{
      readonly sectionId: string;
      readonly byteOffset: number;
      readonly length: number;
      readonly addedAt: Date;
      readonly weight: number;
      readonly sectionType?: string;
      readonly autoMined?: boolean;
      readonly crc32?: number;
      readonly replayCount?: number;
      readonly lastReplayAt?: Date;
    }>();
  });

  test("functions", () => {
    expectTypeOf(loadIndex).toEqualTypeOf<(indexPath: string, options?: { readonly missing?: "empty" | "error" }) => Promise<IndexEntry[]>>();
    expectTypeOf(saveIndex).toEqualTypeOf<(indexPath: string, entries: readonly IndexEntry[]) => Promise<void>>();
    expectTypeOf(parseIndex).toEqualTypeOf<(text: string, source?: string) => IndexEntry[]>();
    expectTypeOf(serializeIndex).toEqualTypeOf<(entries: readonly IndexEntry[]) => string>();
    expectTypeOf(indexFormatOf).returns.toEqualTypeOf<IndexFormat | undefined>();
    expectTypeOf<IndexFormat>().toEqualTypeOf<"dlm" | "replaykit">();
  });

  test("errors", () => {
    expectTypeOf<IndexCorruptError["code"]>().toEqualTypeOf<"INDEX_CORRUPT">();
    expectTypeOf<IndexCorruptError["path"]>().toEqualTypeOf<string | undefined>();
    expectTypeOf<IndexCorruptError["entry"]>().toEqualTypeOf<number | undefined>();
    expectTypeOf<IndexCorruptError["field"]>().toEqualTypeOf<string | undefined>();
    expectTypeOf<IndexCorruptError["byteOffset"]>().toEqualTypeOf<number | undefined>();
    expectTypeOf<IndexReadError["code"]>().toEqualTypeOf<"INDEX_READ">();
    expectTypeOf<IndexReadError["path"]>().toEqualTypeOf<string>();
    expectTypeOf<IndexWriteError["code"]>().toEqualTypeOf<"INDEX_WRITE">();
    expectTypeOf<IndexWriteError["step"]>().toEqualTypeOf<"open" | "write" | "fsync" | "close" | "rename" | "fsync-dir">();
    expectTypeOf<IndexEntryInvalidError["code"]>().toEqualTypeOf<"INDEX_ENTRY_INVALID">();
    expectTypeOf(IndexCorruptError.isInstance).guards.toEqualTypeOf<IndexCorruptError>();
    expectTypeOf(IndexWriteError.isInstance).guards.toEqualTypeOf<IndexWriteError>();
    expectTypeOf<IndexCorruptError>().toMatchTypeOf<Error>();
  });

  test("entryFor and IndexArgumentError", () => {
    expectTypeOf(entryFor).parameters.toEqualTypeOf<[IndexFormat, EntryFields]>();
    expectTypeOf(entryFor).returns.toEqualTypeOf<IndexEntry>();
    expectTypeOf<IndexArgumentError["code"]>().toEqualTypeOf<"INDEX_ARGUMENT">();
    expectTypeOf<IndexArgumentError["argument"]>().toEqualTypeOf<string>();
  });

  test("the journal: damage, flags, old names", () => {
    expectTypeOf<IndexJournal["damage"]>().toEqualTypeOf<JournalDamage | undefined>();
    expectTypeOf<IndexJournal["needsRewrite"]>().toEqualTypeOf<boolean>();
    expectTypeOf(hasCrc).toEqualTypeOf<(flags: number) => boolean>();
    expectTypeOf(autoMinedOf).returns.toEqualTypeOf<boolean | undefined>();
    expectTypeOf(salvageJournal).returns.toEqualTypeOf<Promise<JournalSalvage>>();
    expectTypeOf(writeIndexV2).toEqualTypeOf(writeJournal);
    expectTypeOf(encodeIndexV2).toEqualTypeOf(encodeJournal);
  });
});
