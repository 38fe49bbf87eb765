/**
 * Keeps the `capacity` best (key, item) pairs seen so far in a bounded binary min-heap:
 * O(log k) per accepted pair, O(1) per rejected one, O(k) memory. Larger keys are better;
 * on equal keys `before(a, b)` says whether item `a` ranks ahead of item `b`, which makes
 * the order total, so the pairs kept do not depend on the order they are offered in.
 *
 * @internal
 * @module
 */
/**
 * Whether a pair (u, w) has a key ln(u) / w below `floor` by the cheap test of
 * {@link TopK.consider}. A hot loop tests it before calling `consider`: the many pairs
 * turned away then never pass their doubles to a call (which boxes them when not inlined).
 */
export function belowFloor(floor: number, u: number, w: number): boolean {
  return floor < 0 && u - 1 <= floor * w * (1 + 1e-9);
}

export class TopK {
  readonly capacity: number;
  size = 0;
  /**
   * The key a new pair must beat once the heap is full (-Infinity until then). Hot loops read
   * it to skip `offer` for the many pairs that cannot get in; only the heap writes it.
   */
  floor = Number.NEGATIVE_INFINITY;
  private readonly keys: Float64Array;
  private readonly items: Int32Array;
  private readonly before: (a: number, b: number) => boolean;

  constructor(capacity: number, before: (a: number, b: number) => boolean) {
    this.capacity = capacity;
    this.keys = new Float64Array(capacity);
    this.items = new Int32Array(capacity);
    this.before = before;
  }

  /**
   * Offers `item` with the Efraimidis–Spirakis key ln(u) / w, for u in (0, 1) and w > 0.
   * Since ln(u) < u − 1, an item with u − 1 ≤ floor·w (with a margin far above rounding
   * error) has a key below the floor, so most items are turned away without a logarithm.
   * The test only ever turns away items the heap would turn away, so what is kept does not
   * depend on the order items arrive in.
   */
  consider(u: number, w: number, item: number): void {
    const floor = this.floor;
    if (belowFloor(floor, u, w)) return;
    const key = Math.log(u) / w;
    if (key >= floor) this.offer(key, item);
  }

  /**
   * Offers one pair; keeps it if it is among the best `capacity` so far. (Pair (ka, a) ranks
   * behind pair (kb, b) when ka < kb, or ka = kb and `before(b, a)`; keys are compared first
   * and `before` is only called on equal keys, which are rare.)
   */
  offer(key: number, item: number): void {
    const keys = this.keys;
    const items = this.items;
    const before = this.before;
    if (this.size < this.capacity) {
      // Sift up from the new leaf while the new pair ranks behind its parent.
      let at = this.size++;
      while (at > 0) {
        const parent = (at - 1) >> 1;
        const parentKey = keys[parent] as number;
        if (!(key < parentKey || (key === parentKey && before(items[parent] as number, item)))) break;
        keys[at] = parentKey;
        items[at] = items[parent] as number;
        at = parent;
      }
      keys[at] = key;
      items[at] = item;
      if (this.size === this.capacity) this.floor = keys[0] as number;
      return;
    }
    if (this.capacity === 0) return;
    // Keep the new pair only if the root (the worst kept pair) ranks behind it.
    const rootKey = keys[0] as number;
    if (!(rootKey < key || (rootKey === key && before(item, items[0] as number)))) return;
    this.siftDown(this.size, key, item);
    this.floor = keys[0] as number;
  }

  /** Puts (key, item) at the root of the first `size` slots and sifts it down into place. */
  private siftDown(size: number, key: number, item: number): void {
    const keys = this.keys;
    const items = this.items;
    const before = this.before;
    let at = 0;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= size) break;
      // The child that ranks behind the other.
      let child = left;
      let childKey = keys[left] as number;
      const right = left + 1;
      if (right < size) {
        const rightKey = keys[right] as number;
        if (rightKey < childKey || (rightKey === childKey && before(items[left] as number, items[right] as number))) {
          child = right;
          childKey = rightKey;
        }
      }
      if (!(childKey < key || (childKey === key && before(item, items[child] as number)))) break;
      keys[at] = childKey;
      items[at] = items[child] as number;
      at = child;
    }
    keys[at] = key;
    items[at] = item;
  }

  /** The kept items, best first. Empties the heap. */
  drain(): number[] {
    this.floor = Number.NEGATIVE_INFINITY;
    const out = new Array<number>(this.size);
    const keys = this.keys;
    const items = this.items;
    while (this.size > 0) {
      const last = --this.size;
      out[last] = items[0] as number;
      this.siftDown(last, keys[last] as number, items[last] as number);
    }
    return out;
  }
}
