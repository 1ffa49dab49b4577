import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../capture/helpers.js";
import { type LocalAgent, startLocalAgent } from "../lan-pairing/local-agent.js";

// The console opens a local pairing session FOR AN OWNER (what `homecam pair --local --owner` asks
// the agent for): its claim is an owner token even when the device has a local owner already, and
// the URL printed for a camera is its /capture page on localhost (a secure context on the phone).

let agent: LocalAgent;
let remove: () => Promise<void>;

beforeAll(async () => {
  const dir = await tempDir("owner-pair");
  remove = dir.remove;
  agent = await startLocalAgent(dir.path);
});

afterAll(async () => {
  await agent?.stop();
  await remove?.();
});

async function claim(opts: { owner?: boolean; camera?: string } = {}) {
  const session = await agent.control.start(opts);
  const { body } = await agent.post("/api/local/pair", { pin: session.pin });
  return { url: session.url, role: body.data?.role, token: body.data?.token ?? "" };
}

describe("local pairing sessions opened for an owner", () => {
  it("gives the owner role on claim, and only to that session", async () => {
    expect((await claim()).role).toBe("owner"); // the device's first local viewer
    expect((await claim()).role).toBe("viewer");
    const owner = await claim({ owner: true, camera: "phone" });
    expect(owner.role).toBe("owner");
    expect((await agent.whoami(owner.token)).body).toMatchObject({ role: "owner" });
    const port = new URL(agent.url).port;
    expect(owner.url).toBe(`http://localhost:${port}/capture?camera=phone`);
    expect((await claim()).role).toBe("viewer");
  });
});
