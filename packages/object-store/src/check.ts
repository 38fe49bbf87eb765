import { ObjectStoreArgumentError, PreconditionFailedError, UnsafeEndpointError, describeValue } from "./errors.js";
import { checkKey, type ObjectStore } from "./object-store.js";

/**
 * Checks that `store` enforces conditional writes before anything else is written to it:
 * creates `probeKey`, then a second create of it must fail with a precondition error, and
 * an update with a wrong etag must fail too. The probe is deleted afterwards (also on
 * failure). Use a key no one else writes (add a random suffix). Reads need no such check.
 *
 * @example
 * ```ts
 * await checkConditionalWrites(store, `store/.probe-${crypto.randomUUID()}`);
 * ```
 * @throws {UnsafeEndpointError} the endpoint accepted a write it had to refuse
 * @throws {ObjectStoreError} a request failed (the endpoint's safety is then unknown)
 */
export async function checkConditionalWrites(store: ObjectStore, probeKey: string): Promise<void> {
  if (typeof store !== "object" || store === null || typeof store.put !== "function")
    throw new ObjectStoreArgumentError("store", `expected an ObjectStore, got ${describeValue(store)}`);
  checkKey(probeKey, "probeKey");
  const meta = store as Partial<{ endpoint: string; bucket: string }>;
  const at = {
    endpoint: typeof meta.endpoint === "string" ? meta.endpoint : typeof meta.bucket === "string" ? `(${meta.bucket})` : "(unknown endpoint)",
    bucket: typeof meta.bucket === "string" ? meta.bucket : "(unknown bucket)",
    key: probeKey,
  };
  const body = (n: number) => new TextEncoder().encode(`replaykit conditional-write probe ${n} ${Date.now()}`);
  try {
    await store.put(probeKey, body(1), { kind: "create" }).catch(async (error: unknown) => {
      // A probe left by a crashed check: remove it and start over, once.
      if (!PreconditionFailedError.isInstance(error)) throw error;
      await store.delete(probeKey);
      await store.put(probeKey, body(1), { kind: "create" });
    });
    let accepted = false;
    try {
      await store.put(probeKey, body(2), { kind: "create" });
      accepted = true;
    } catch (error) {
      if (!PreconditionFailedError.isInstance(error)) throw error;
    }
    if (accepted) throw new UnsafeEndpointError({ ...at, condition: "If-None-Match" });
    try {
      await store.put(probeKey, body(3), { kind: "update", etag: '"00000000000000000000000000000000"' });
      accepted = true;
    } catch (error) {
      if (!PreconditionFailedError.isInstance(error)) throw error;
    }
    if (accepted) throw new UnsafeEndpointError({ ...at, condition: "If-Match" });
  } finally {
    await store.delete(probeKey).catch(() => {});
  }
}
