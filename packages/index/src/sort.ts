// Index order: by section id, stable. Section ids are 16 lowercase hex characters, so a
// stable LSD radix sort over four 16-bit digits beats a comparator sort of 100,000 strings
// by several times (and is stable by construction).

function hexValue(c: number): number {
  return c <= 57 ? c - 48 : c - 87;
}

/** Below this many entries a comparator sort is cheaper than 65,536 buckets. */
const RADIX_MIN = 4096;

/**
 * The permutation that puts the section ids in index order: ascending, ties in input
 * order. `ids` holds the ASCII bytes of n ids (16 lowercase hex characters each, already
 * validated), back to back. `order[k]` is the input position of the k-th entry.
 */
export function sectionIdOrder(ids: Uint8Array, n: number): Uint32Array {
  let order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (isSorted(ids, n)) return order;
  if (n < RADIX_MIN) return order.sort((a, b) => compareIds(ids, a, b) || a - b);

  // Four 16-bit digits per id; least significant pass first.
  const keys = new Uint16Array(n * 4);
  for (let i = 0; i < n; i++) {
    for (let q = 0; q < 4; q++) {
      const j = i * 16 + q * 4;
      keys[i * 4 + q] =
        (hexValue(ids[j]!) << 12) | (hexValue(ids[j + 1]!) << 8) | (hexValue(ids[j + 2]!) << 4) | hexValue(ids[j + 3]!);
    }
  }
  let next = new Uint32Array(n);
  const count = new Uint32Array(65_536);
  for (let q = 3; q >= 0; q--) {
    count.fill(0);
    for (let i = 0; i < n; i++) count[keys[i * 4 + q]!]!++;
    if (count[keys[q]!] === n) continue; // every id has the same digit here
    let sum = 0;
    for (let d = 0; d < 65_536; d++) {
      const c = count[d]!;
      count[d] = sum;
      sum += c;
    }
    for (let k = 0; k < n; k++) {
      const i = order[k]!;
      next[count[keys[i * 4 + q]!]!++] = i;
    }
    const swap = order;
    order = next;
    next = swap;
  }
  return order;
}

/** Sign of id a − id b (byte order is code-point order for ASCII). */
function compareIds(ids: Uint8Array, a: number, b: number): number {
  const x = a * 16;
  const y = b * 16;
  for (let j = 0; j < 16; j++) {
    const d = ids[x + j]! - ids[y + j]!;
    if (d !== 0) return d;
  }
  return 0;
}

function isSorted(ids: Uint8Array, n: number): boolean {
  for (let i = 1; i < n; i++) if (compareIds(ids, i - 1, i) > 0) return false;
  return true;
}
