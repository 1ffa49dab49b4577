// Browser-safe contracts shared by agent, cloud and viewer. Node-only helpers live in
// `@homecam/shared/node`, never here.

export * from "./api/accounts.js";
export * from "./api/admin.js";
export * from "./api/api-keys.js";
export * from "./api/commands.js";
export * from "./api/devices.js";
export * from "./api/pairing.js";
export * from "./api/settings.js";
export * from "./api/tickets.js";
export * from "./api/viewer-events.js";
export * from "./coded-error.js";
export * from "./config/index.js";
export * from "./envelope.js";
export * from "./errors.js";
export * from "./mqtt/bodies/command.js";
export * from "./mqtt/bodies/common.js";
export * from "./mqtt/bodies/device.js";
export * from "./mqtt/bodies/events.js";
export * from "./mqtt/bodies/rtc.js";
export * from "./mqtt/message-id.js";
export * from "./mqtt/messages.js";
export * from "./mqtt/topic-messages.js";
export * from "./mqtt/topics.js";
export * from "./pairing.js";
export * from "./redact.js";
