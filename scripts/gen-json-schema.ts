// Writes shared/schema/{agent,cloud}.schema.json from the zod schemas (run: npm run schema).
// A test fails when the committed files drift from the schemas.
import { writeFileSync } from "node:fs";
import { configJsonSchema } from "../shared/src/config/json-schema.js";

for (const which of ["agent", "cloud"] as const) {
  const file = new URL(`../shared/schema/${which}.schema.json`, import.meta.url);
  writeFileSync(file, `${JSON.stringify(configJsonSchema(which), null, 2)}\n`);
  console.log(`wrote ${file.pathname}`);
}
