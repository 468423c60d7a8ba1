import { defineConfig } from "drizzle-kit";

/**
 * drizzle-kit reads this to generate SQL migrations from src/store/schema.ts.
 * Generated files in db/migrations are committed and applied at start-up by
 * openDatabase (src/store/client.ts). Run: `npm run db:generate`.
 */
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/store/schema.ts",
  out: "./db/migrations",
  strict: true,
  verbose: true,
});
