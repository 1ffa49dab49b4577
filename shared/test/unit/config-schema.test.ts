import { describe, expect, it } from "vitest";
import {
  agentConfigSchema,
  cameraSettingsPatchSchema,
  cloudConfigSchema,
  configJsonSchema,
} from "../../src/config/index.js";

describe("agent config schema", () => {
  it("accepts the design document's example and fills defaults", () => {
    const cfg = agentConfigSchema.parse({
      stateDir: "/var/lib/homecam",
      http: { port: 4080 },
      cloud: { enabled: true, url: "http://127.0.0.1:4001", mqttUrl: "mqtt://127.0.0.1:1883" },
      cameras: [
        {
          id: "front-door",
          name: "Front door",
          source: { type: "rtsp", url: "rtsp://user:pass@192.168.1.20/stream1", transport: "tcp" },
          motion: { sensitivity: 60, eventGapSeconds: 5, zones: [] },
          recording: { preRollSeconds: 5, postRollSeconds: 10, maxSeconds: 60 },
        },
      ],
      storage: { days: 30, maxDiskMB: 4096, minFreeMB: 512 },
    });
    expect(cfg.cameras[0]?.motion.analysisFps).toBe(5);
    expect(cfg.cameras[0]?.recording.segmentSeconds).toBe(2);
    expect(cfg.http.host).toBe("0.0.0.0");
    expect(cfg.log.level).toBe("info");
  });

  it("rejects unknown keys at every level", () => {
    const r = agentConfigSchema.safeParse({ http: { port: 1, colour: "red" } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.code).toBe("unrecognized_keys");
  });

  it("rejects duplicate camera ids and bad ids", () => {
    const cam = { id: "a", name: "A", source: { type: "test" } };
    expect(agentConfigSchema.safeParse({ cameras: [cam, cam] }).success).toBe(false);
    expect(agentConfigSchema.safeParse({ cameras: [{ ...cam, id: "Front_Door" }] }).success).toBe(false);
  });

  it("validates each source type by its discriminator", () => {
    const bad = { id: "a", name: "A", source: { type: "rtsp", url: "http://not-rtsp" } };
    expect(agentConfigSchema.safeParse({ cameras: [bad] }).success).toBe(false);
    const v4l2 = {
      id: "a",
      name: "A",
      source: { type: "v4l2", device: "/dev/video2", inputFormat: "mjpeg" },
    };
    expect(agentConfigSchema.parse({ cameras: [v4l2] }).cameras[0]?.source).toMatchObject({ width: 640 });
  });

  it("settings patches keep only what was sent (no defaults smuggled in)", () => {
    expect(cameraSettingsPatchSchema.parse({ motion: { sensitivity: 10 } })).toEqual({
      motion: { sensitivity: 10 },
    });
    expect(cameraSettingsPatchSchema.safeParse({ motion: { sensitivity: 101 } }).success).toBe(false);
    expect(cameraSettingsPatchSchema.safeParse({ source: { type: "test" } }).success).toBe(false);
  });
});

describe("cloud config schema", () => {
  it("defaults to SQLite in the state directory on port 4001", () => {
    const cfg = cloudConfigSchema.parse({});
    expect(cfg.database.url).toBe("sqlite:cloud.db");
    expect(cfg.http.port).toBe(4001);
    expect(cfg.mqtt.maxPacketBytes).toBe(262144);
  });
});

describe("JSON Schema for editors", () => {
  it.each(["agent", "cloud"] as const)("%s: every leaf setting carries a description", (which) => {
    const schema = configJsonSchema(which);
    const missing: string[] = [];
    const walk = (node: Record<string, unknown>, path: string) => {
      const props = node.properties as Record<string, Record<string, unknown>> | undefined;
      if (props) for (const [k, v] of Object.entries(props)) walk(v, path ? `${path}.${k}` : k);
      else if (path && !node.description && !node.anyOf && !node.oneOf && !node.items) missing.push(path);
    };
    walk(schema, "");
    expect(missing).toEqual([]);
    expect(schema.additionalProperties).toBe(false);
  });
});

describe("committed JSON Schema files", () => {
  it.each(["agent", "cloud"] as const)(
    "%s.schema.json matches the zod schema (run npm run schema)",
    async (which) => {
      const { readFileSync } = await import("node:fs");
      const committed = JSON.parse(
        readFileSync(new URL(`../../schema/${which}.schema.json`, import.meta.url), "utf8"),
      );
      expect(committed).toEqual(configJsonSchema(which));
    },
  );
});
