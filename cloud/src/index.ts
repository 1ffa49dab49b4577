// Public surface of @homecam/cloud for other packages (the demo, benchmarks, end-to-end tests).

export * from "./db/database-url.js";
export * from "./db/instance-meta.js";
export * from "./db/migrate.js";
export * from "./db/open-database.js";
export * from "./db/portable.js";
export type * from "./db/schema.js";
export * from "./http/create-app.js";
export * from "./main.js";
export * from "./version.js";
