// The seeded path's per-entry uniforms, computed the slow, plain way from their definition
// (see src/keyed-uniform.ts): tests compare `sample` against it.
import {
  HEAD_UNITS,
  headLength,
  headUniformOf,
  keyedUniform,
  type Salt,
} from "../src/keyed-uniform.js";

/**
 * The uniform of every entry: `ids[i]` is entry i's section id, or `undefined` for an entry
 * with weight 0 (it gets 0 and is in no group).
 */
export function uniformsByDefinition(ids: ReadonlyArray<string | undefined>, salt: Salt): number[] {
  const groups = new Map<string, number[]>();
  ids.forEach((id, i) => {
    if (id === undefined) return;
    const head = `${headLength(id)}:${id.slice(0, HEAD_UNITS)}`;
    const members = groups.get(head);
    if (members === undefined) groups.set(head, [i]);
    else members.push(i);
  });
  const out = ids.map(() => 0);
  for (const members of groups.values()) {
    const first = ids[members[0] as number] as string;
    if (members.every((i) => ids[i] === first)) {
      // Pure: the r-th member in input order gets headUniform(head, r).
      members.forEach((i, r) => {
        out[i] = headUniformOf(first, r, salt);
      });
    } else {
      // Mixed: keyed by the whole id and the member's rank among the group's entries with that id.
      const seen = new Map<string, number>();
      for (const i of members) {
        const id = ids[i] as string;
        const r = seen.get(id) ?? 0;
        seen.set(id, r + 1);
        out[i] = keyedUniform(id, r, salt.t0, salt.t1, salt.t2);
      }
    }
  }
  return out;
}
