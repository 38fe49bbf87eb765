import { defineConfig } from "vitest/config";

// Runtime tests, type-checked by tsc in the same run (test/tsconfig.json).
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    typecheck: { enabled: true, include: ["test/**/*.test-d.ts"], tsconfig: "./test/tsconfig.json" },
  },
});
