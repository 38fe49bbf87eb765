import type { Sampleable } from "../src/index.js";

export const DAY = 86_400_000;
export const NOW = new Date("2026-04-18T00:00:00Z");

/** A test entry: `tag` tells apart entries that share a section id. */
export interface Entry extends Sampleable {
  readonly tag: string;
}

/** An entry `ageDays` old at NOW, with section id `id`. */
export function entry(id: string, ageDays: number, weight?: number, tag = id): Entry {
  return weight === undefined
    ? { sectionId: id, addedAt: new Date(NOW.getTime() - ageDays * DAY), tag }
    : { sectionId: id, addedAt: new Date(NOW.getTime() - ageDays * DAY), weight, tag };
}

/** 16-hex-digit ids, as replaykit stores write them. */
export const hexId = (i: number): string => i.toString(16).padStart(16, "0");

export const tags = (xs: readonly Entry[]): string[] => xs.map((x) => x.tag);

export { mulberry32 } from "@replaykit/test-support";

/** Fisher–Yates with a seeded source. */
export function shuffle<T>(xs: readonly T[], random: () => number): T[] {
  const out = xs.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/**
 * A random reordering that keeps entries with the same section id in their relative order
 * (the only freedom `sample` leaves to input order): shuffle, then put each id's entries
 * back in their original order within the places that id landed on.
 */
export function reorderKeepingTies<T extends Sampleable>(xs: readonly T[], random: () => number): T[] {
  const shuffled = shuffle(xs, random);
  const queues = new Map<string, T[]>();
  for (const x of xs) {
    const q = queues.get(x.sectionId);
    if (q === undefined) queues.set(x.sectionId, [x]);
    else q.push(x);
  }
  return shuffled.map((x) => (queues.get(x.sectionId) as T[]).shift() as T);
}

/** Sorted by section id (UTF-16 code units), ties in input order (Array.prototype.sort is stable). */
export const bySectionId = <T extends Sampleable>(xs: readonly T[]): T[] =>
  xs.slice().sort((a, b) => (a.sectionId < b.sectionId ? -1 : a.sectionId > b.sectionId ? 1 : 0));
