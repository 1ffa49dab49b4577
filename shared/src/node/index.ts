export * from "./config-error.js";
export * from "./config-loader.js";
export * from "./config-paths.js";
export * from "./deep-freeze.js";
export * from "./logger.js";
