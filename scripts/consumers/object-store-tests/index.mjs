// Consumer 5 — a team testing its own object-storage code with the memory store (DESIGN §11):
// `npm install @replaykit/object-store`. Exact preconditions, seeded faults, typed errors,
// the conditional-write probe, from the packed tarball.
import assert from "node:assert/strict";
import {
  checkConditionalWrites,
  isReplaykitError,
  memoryObjectStore,
  ObjectStoreAmbiguousError,
  PreconditionFailedError,
  s3ObjectStore,
} from "@replaykit/object-store";

const bytes = (s) => new TextEncoder().encode(s);
const shared = memoryObjectStore();
const racers = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => shared.fork().put("commits/1", bytes(`w${i}`), { kind: "create" })));
assert.equal(racers.filter((r) => r.status === "fulfilled").length, 1, "exactly one creator wins");
for (const r of racers.filter((r) => r.status === "rejected")) assert.ok(PreconditionFailedError.isInstance(r.reason));

const flaky = shared.fork({ faults: { seed: 3, rules: [{ fault: { kind: "timeout-after-write" }, operations: ["put"], times: 1 }] } });
const e = await flaky.put("commits/2", bytes("mine"), { kind: "create" }).catch((x) => x);
assert.ok(ObjectStoreAmbiguousError.isInstance(e) && isReplaykitError(e) && e.kind === "io");
assert.equal(new TextDecoder().decode(await shared.get("commits/2")), "mine", "the write landed");

await checkConditionalWrites(shared, "probe");
// Constructing an S3 store makes no request and needs no credentials yet.
assert.equal(s3ObjectStore({ bucket: "b", endpoint: "http://127.0.0.1:9" }).endpoint, "http://127.0.0.1:9");
const keys = [];
for await (const { key } of shared.list("")) keys.push(key);
assert.deepEqual(keys, ["commits/1", "commits/2"]);
console.log("object-store consumer: ok");
