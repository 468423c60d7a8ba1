import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores: keep parallel workers modest so end-to-end tests with fake servers stay stable.
    maxWorkers: 2,
  },
});
