import type { RowExpander } from "@replaykit/parsers";
import type { StoreLayout, StorePaths } from "./layout.js";

/** What the store's operation modules need of a store object: its files and its settings. */
export interface StoreContext {
  /** The store object itself: the key of its index and journals (index-io.ts `indexOf`). */
  readonly paths: StorePaths;
  readonly layout: StoreLayout;
  /** Section type → expander (a null-prototype record: type names are plain keys). */
  readonly expanders: Readonly<Record<string, RowExpander>>;
  readonly maxFrameBytes: number;
}

/** The expander registered for `sectionType` (own keys only: "constructor" is a type like any other). */
export function expanderOf(ctx: { readonly expanders: Readonly<Record<string, RowExpander | undefined>> }, sectionType: string): RowExpander | undefined {
  return Object.hasOwn(ctx.expanders, sectionType) ? ctx.expanders[sectionType] : undefined;
}
