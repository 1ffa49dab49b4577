export * from "./agent.js";
export * from "./camera-source.js";
export * from "./cloud.js";
export * from "./common.js";
export * from "./json-schema.js";
