import { tempDirs } from "@replaykit/test-support";
export { VECTORS } from "@replaykit/test-support";

/** A fresh temp dir, removed after the test. */
export const tempDir = tempDirs("corpus");
