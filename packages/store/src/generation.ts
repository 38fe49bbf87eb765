// The store's generation file `<index>.generation`, like LevelDB's CURRENT: it names which
// (corpus, index) pair is live. A compaction is the only operation that replaces the
// corpus file, and it moves the store through three states, each published by an atomic
// replace of this file:
//
//   { generation: g }                              files at the live paths are generation g
//   { generation: g+1, pending: { corpus, index } } committed: the new pair is complete under
//                                                   those temp names (or already renamed in)
//   { generation: g+1 }                            rolled forward: the live paths are g+1
//
// Readers never roll forward and never take a lock: they read this file, open the pair it
// names, and read it again afterwards (a seqlock); if the text changed, they start over.
// The generation only grows, so "the same text twice" means "no swap in between". A store
// without the file (every store written before it existed, and dlm's) is generation 0.
import { writeFileAtomic } from "@replaykit/corpus";
import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { unlink } from "node:fs/promises";
import { basename } from "node:path";
import { StoreIOError } from "./errors.js";
import { layoutOf, type StorePaths } from "./layout.js";

export type { StorePaths } from "./layout.js";

/** What the generation file says. `pending` names temp files by base name (beside the live ones). */
export interface GenerationState {
  generation: number;
  pending?: { corpus: string; index: string };
}

/** The state and the exact text it was read from (readers compare texts). */
export interface GenerationRead {
  text: string;
  state: GenerationState;
}

export const generationPath = (p: StorePaths): string => layoutOf(p).generationPath;

/** The generation file's state is one short JSON line; anything longer is not ours (and is not read whole). */
const GENERATION_MAX_BYTES = 4096;

/**
 * The text of a file of at most GENERATION_MAX_BYTES, read synchronously (every write and
 * every view reads it; a thread-pool round trip would cost more than the read).
 */
function readSmallFile(path: string): string {
  // O_NONBLOCK: a FIFO planted at the path must not hang the open (it is then refused below).
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!fstatSync(fd).isFile()) throw new Error("not a regular file");
    const buffer = Buffer.allocUnsafe(GENERATION_MAX_BYTES + 1);
    let got = 0;
    for (let n = -1; n !== 0 && got < buffer.length; got += n) n = readSync(fd, buffer, got, buffer.length - got, got);
    if (got > GENERATION_MAX_BYTES) throw new Error(`longer than ${GENERATION_MAX_BYTES} bytes: not a generation file`);
    return buffer.toString("utf8", 0, got);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads the generation file. Missing: generation 0, nothing pending.
 * @throws {StoreIOError} when it cannot be read or is not ours (it is only ever replaced by rename, so never partial).
 */
export async function readGeneration(p: StorePaths): Promise<GenerationRead> {
  const layout = layoutOf(p);
  let path = layout.generationPath;
  let text: string | undefined;
  // The new name, else the name stores used before this layout (the next writer moves it).
  for (const candidate of [layout.generationPath, layout.legacy.generationPath]) {
    path = candidate;
    try {
      text = readSmallFile(candidate);
      break;
    } catch (error) {
      if ((error as { code?: string }).code === "ENOENT") continue;
      throw new StoreIOError(candidate, "read the generation file", error);
    }
  }
  if (text === undefined) return { text: "", state: { generation: 0 } };
  try {
    const parsed = JSON.parse(text) as GenerationState;
    const pending = parsed.pending;
    if (
      Number.isSafeInteger(parsed.generation) &&
      parsed.generation >= 0 &&
      (pending === undefined || (isBaseName(pending.corpus) && isBaseName(pending.index)))
    ) {
      return {
        text,
        state:
          pending === undefined
            ? { generation: parsed.generation }
            : { generation: parsed.generation, pending: { corpus: pending.corpus, index: pending.index } },
      };
    }
  } catch {
    // fall through to the error below
  }
  throw new StoreIOError(path, "parse the generation file", new Error(`unexpected content ${JSON.stringify(text.slice(0, 80))}`));
}

// A pending name must stay beside the live file: no directory parts, no "..".
const isBaseName = (name: unknown): name is string => typeof name === "string" && name !== "" && name === basename(name) && name !== "..";

/** Publishes a state (atomic replace, fsynced, never through a symlink). Writers only, with the lock held. */
export async function writeGeneration(p: StorePaths, state: GenerationState): Promise<void> {
  await writeGenerationText(p, `${JSON.stringify(state)}\n`);
}

async function writeGenerationText(p: StorePaths, text: string): Promise<void> {
  const layout = layoutOf(p);
  try {
    await writeFileAtomic(layout.generationPath, new TextEncoder().encode(text));
  } catch (error) {
    throw new StoreIOError(layout.generationPath, "write the generation file", error);
  }
  // The old name goes once the new one holds the state (readers prefer the new name).
  await unlink(layout.legacy.generationPath).catch(() => undefined);
}

/**
 * Moves a generation file of the old name (`index.json.generation`) to the new one with the
 * same text, so readers comparing texts see no change. Writers only, with the lock held.
 */
export async function migrateGeneration(p: StorePaths): Promise<void> {
  const layout = layoutOf(p);
  let legacy: string;
  try {
    legacy = readSmallFile(layout.legacy.generationPath);
  } catch {
    return;
  }
  try {
    readSmallFile(layout.generationPath);
    await unlink(layout.legacy.generationPath).catch(() => undefined); // both: the new one is the truth
  } catch {
    await writeGenerationText(p, legacy);
  }
}
