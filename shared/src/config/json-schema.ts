import { z } from "zod";
import { agentConfigSchema } from "./agent.js";
import { cloudConfigSchema } from "./cloud.js";

/**
 * JSON Schema (draft 2020-12) of a configuration file, for editors (YAML language servers read it
 * through a `# yaml-language-server: $schema=…` comment). Generated from the zod schema, so it
 * cannot drift from what the programs accept.
 */
export function configJsonSchema(which: "agent" | "cloud"): Record<string, unknown> {
  const schema = which === "agent" ? agentConfigSchema : cloudConfigSchema;
  return z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
}
