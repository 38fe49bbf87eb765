import { toDlmEntry } from "../entry-for.js";
import { IndexArgumentError } from "../errors.js";
import { serializeIndex } from "../serialize.js";
import { Columns, type IndexView } from "./columns.js";

/**
 * The entries of a journal (index.rkx) in dlm's `index.json` shape (no replaykit-only keys), as the
 * text `saveIndex` would write: the reference's `load_index` (and our `loadIndex`) accept
 * it. Exposure and section types are dropped — dlm has no place for them.
 */
export function downgradeToIndexJson(view: IndexView): string {
  if (!(view instanceof Columns)) throw new IndexArgumentError("downgradeToIndexJson", "view", "an index view", view);
  return serializeIndex(view.toEntries().map(toDlmEntry));
}
