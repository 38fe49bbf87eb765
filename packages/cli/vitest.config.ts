import { defineConfig } from "vitest/config";

// Some tests spawn the built command or add a few thousand sections; on a busy machine the
// default 5 s is too tight. No test asserts a duration.
export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
