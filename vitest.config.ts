import { defineConfig } from "vitest/config";

// One vitest run over every package and example (each folder is a project).
export default defineConfig({
  test: {
    projects: ["packages/*", "examples/*"],
  },
});
