export * from "./board.js";
export * from "./host.js";
export * from "./sensors.js";
