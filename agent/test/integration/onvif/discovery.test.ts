import { spawn, spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { discoverOnvif } from "../../../src/onvif/discovery.js";
import { type DiscoveryResponder, startDiscoveryResponder } from "../../fixtures/onvif/simulator.js";
import { inPrivateNetworkNamespace } from "../../fixtures/onvif/ws-discovery-responder.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "../../../..");
const netnsScript = path.resolve(here, "../../fixtures/onvif/discovery-netns.ts");

/** `unshare -n` works here (root, or user namespaces allowed) and `ip` exists. */
function canUnshare(): boolean {
  const r = spawnSync("unshare", ["-n", "sh", "-c", "ip link set lo up"], { stdio: "ignore", timeout: 5000 });
  return r.status === 0;
}

function runInPrivateNetns(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // Multicast only ever leaves a socket inside this fresh namespace, whose only interface is lo.
  const setup = "ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo";
  const child = spawn(
    "unshare",
    [
      "-n",
      "sh",
      "-c",
      `${setup} && exec "$0" --conditions=source --import tsx "$1"`,
      process.execPath,
      netnsScript,
    ],
    { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c));
  child.stderr.on("data", (c: Buffer) => (stderr += c));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

const opened: DiscoveryResponder[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((r) => r.close()));
});

describe("WS-Discovery probe", () => {
  it("unicast to a loopback responder: finds the camera once, ignores junk", async () => {
    const r = await startDiscoveryResponder({
      xaddrs: ["http://127.0.0.1:8080/onvif/device_service", "http://[::1]:8080/onvif/device_service"],
      scopes: ["onvif://www.onvif.org/name/Loop%20Cam", "onvif://www.onvif.org/hardware/LC-1"],
      junkFirst: true,
    });
    opened.push(r);
    const found = await discoverOnvif({ target: { address: r.address, port: r.port }, timeoutMs: 500 });
    expect(found).toEqual([
      expect.objectContaining({
        address: "127.0.0.1",
        port: 8080,
        xaddr: "http://127.0.0.1:8080/onvif/device_service",
        urn: r.urn,
        name: "Loop Cam",
        hardware: "LC-1",
        types: ["dn:NetworkVideoTransmitter", "tds:Device"],
      }),
    ]);
    // Two probe types, each sent twice: the responder drops repeated MessageIDs.
    expect(r.answered).toHaveLength(2);
  });

  it("nothing listening → an empty list after the timeout", async () => {
    const r = await startDiscoveryResponder({ xaddrs: ["http://127.0.0.1/x"] });
    const port = r.port;
    await r.close();
    await expect(discoverOnvif({ target: { address: "127.0.0.1", port }, timeoutMs: 200 })).resolves.toEqual(
      [],
    );
  });

  it.skipIf(inPrivateNetworkNamespace())(
    "refuses to join multicast outside a private network namespace",
    async () => {
      await expect(
        startDiscoveryResponder({ xaddrs: ["http://127.0.0.1/x"], multicast: true }),
      ).rejects.toThrow(/private network namespace/);
    },
  );

  // Developers without unshare privileges skip it; CI always runs it (a missing unshare fails there).
  it.skipIf(!canUnshare() && !process.env.CI)(
    "multicast 239.255.255.250:3702 inside a private network namespace: cameras discover finds both cameras",
    async () => {
      const { code, stdout, stderr } = await runInPrivateNetns();
      expect(code, stderr).toBe(0);
      const out = JSON.parse(stdout) as {
        cameras: Array<Record<string, unknown>>;
        table: string;
        info: { model: string };
        answered: number[];
        portA: number;
        portB: number;
      };
      expect(out.cameras).toEqual([
        expect.objectContaining({
          address: "127.0.0.1",
          port: Math.min(out.portA, out.portB),
        }),
        expect.objectContaining({ address: "127.0.0.1" }),
      ]);
      const byUrn = Object.fromEntries(out.cameras.map((c) => [c["urn"], c]));
      expect(byUrn["urn:uuid:cam-a"]).toMatchObject({
        port: out.portA,
        name: "Porch Cam",
        hardware: "SIM-PTZ-1",
        xaddr: `http://127.0.0.1:${out.portA}/onvif/device_service`,
      });
      // cam-b only claims tds:Device: found by the second probe type.
      expect(byUrn["urn:uuid:cam-b"]).toMatchObject({
        port: out.portB,
        name: "Garage",
        types: ["tds:Device"],
      });
      expect(out.table).toMatch(/Porch Cam\s+SIM-PTZ-1/);
      expect(out.info.model).toBe("SimCam PTZ");
      // cam-a answers both probe types in each of the two runs; cam-b only the tds:Device ones.
      expect(out.answered).toEqual([4, 2]);
    },
  );
});
