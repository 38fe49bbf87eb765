import { defineConfig } from "vitest/config";

// Runtime tests, plus the type tests (test/*.test-d.ts); tsc checks every test file in the
// same run (test/tsconfig.json), so a type error in a test fails it.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    typecheck: { enabled: true, include: ["test/**/*.test-d.ts"], tsconfig: "./test/tsconfig.json" },
  },
});
