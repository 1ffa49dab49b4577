import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withControlClient } from "../../../src/control/control-client.js";
import { controlSocketPath } from "../../../src/control/protocol.js";
import { waitFor } from "../capture/helpers.js";
import { BROWSER_CAMERA, type BrowserAgent, startBrowserAgent } from "../ingest/browser-agent.js";
import { movingBoxSource, type NodePublisher, nodePublisher } from "../ingest/node-publisher.js";
import { boxTypes, openViewer } from "./live-fixture.js";
import { nodeViewer } from "./whep-fixture.js";

// Live view of a camera one process holds (here a phone publishing by WHIP; a USB or Pi camera is
// the same case): a REAL agent serves WebRTC and the fMP4 fallback from its capture's tap — the one
// capture ffmpeg, no second reader of the camera.

const execFileP = promisify(execFile);

/** Command lines of the ffmpeg children of this process (the in-process agent's and the publisher's). */
async function ffmpegChildren(): Promise<string[]> {
  const { stdout } = await execFileP("ps", ["-o", "args=", "--ppid", String(process.pid)]).catch(() => ({
    stdout: "",
  }));
  return stdout.split("\n").filter((c) => c.startsWith("ffmpeg "));
}

/** The ffmpegs reading the phone's stream: its capture (from the ingest) and tap remuxers. */
async function phoneReaders(): Promise<{ captures: number; remuxers: number }> {
  const all = await ffmpegChildren();
  return {
    captures: all.filter((c) => c.includes(`${BROWSER_CAMERA}.sdp`)).length,
    remuxers: all.filter((c) => c.includes("data:application/sdp")).length,
  };
}

describe("live view from a capture's tap (a browser camera in a real agent)", () => {
  let fx: BrowserAgent;
  let publisher: NodePublisher;
  let token: string;

  beforeAll(async () => {
    fx = await startBrowserAgent();
    token = (await fx.pair()).token;
    publisher = await nodePublisher(
      `${fx.url}/api/cameras/${BROWSER_CAMERA}/whip`,
      token,
      movingBoxSource(60),
    );
    await waitFor(
      "the browser camera online",
      () => fx.cameraState(BROWSER_CAMERA)?.status === "online",
      30_000,
    );
  }, 60_000);
  afterAll(async () => {
    await publisher?.close();
    await fx?.stop();
  });

  it("plays over WebRTC and over the fMP4 socket with the capture's ffmpeg as the only one", async () => {
    expect(await phoneReaders()).toEqual({ captures: 1, remuxers: 0 });

    const viewer = await nodeViewer();
    const res = await fetch(`${fx.url}/api/cameras/${BROWSER_CAMERA}/whep`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/sdp" },
      body: viewer.offer,
    });
    expect(res.status).toBe(201);
    await viewer.pc.setRemoteDescription({ type: "answer", sdp: await res.text() });
    await waitFor("RTP at the WebRTC viewer", () => viewer.packets() > 20, 15_000);
    // A browser camera has no other reader than its capture: without the tap WHEP answers 415.
    expect(await phoneReaders()).toEqual({ captures: 1, remuxers: 0 });

    const socket = openViewer(
      `${fx.url.replace("http", "ws")}/api/cameras/${BROWSER_CAMERA}/live`,
      JSON.stringify({ type: "auth", token }),
    );
    await waitFor("fMP4 fragments", () => socket.binaries.length > 5, 20_000);
    expect(boxTypes(socket.binaries[0] as Buffer)).toEqual(["ftyp", "moov"]);
    // The fallback remuxes the tap (stream copy): one more ffmpeg, and still no second camera reader.
    expect(await phoneReaders()).toEqual({ captures: 1, remuxers: 1 });
    socket.socket.close(1000);
    await socket.closed;
    await viewer.pc.close();
  }, 60_000);

  it("lists the device's cameras to a token holder, without their sources, and to no one else", async () => {
    const res = await fetch(`${fx.url}/api/cameras`, { headers: { Authorization: `Bearer ${token}` } });
    const body = (await res.json()) as { ok: boolean; data: Array<Record<string, unknown>> };
    expect(body.data.map((c) => [c["id"], c["name"]])).toEqual([
      ["phone", "Phone"],
      ["door", "Door"],
    ]);
    expect(body.data[0]).toMatchObject({ status: "online", eventActive: expect.any(Boolean) });
    expect(JSON.stringify(body)).not.toMatch(/source|127\.0\.0\.1:9|mjpeg/);
    expect((await fetch(`${fx.url}/api/cameras`)).status).toBe(401);
  });

  it("revoking the local owner cuts their live view and their publishing at once", async () => {
    const socket = openViewer(
      `${fx.url.replace("http", "ws")}/api/cameras/${BROWSER_CAMERA}/live`,
      JSON.stringify({ type: "auth", token }),
    );
    await waitFor("fMP4 fragments", () => socket.binaries.length > 3, 20_000);
    const viewerId = JSON.parse(Buffer.from(token.split(".")[1] as string, "base64url").toString())
      .sub as string;
    await withControlClient(controlSocketPath(fx.stateDir), (c) => c.call("viewers.revoke", { viewerId }));
    expect((await socket.closed).code).toBe(1011);
    expect(socket.texts.at(-1)).toMatchObject({
      type: "error",
      message: expect.stringMatching(/access revoked/),
    });
    // The phone's publishing session is gone too: the camera falls back to waiting for a publisher.
    await waitFor(
      "the browser camera waiting again",
      () => fx.cameraState(BROWSER_CAMERA)?.status === "reconnecting",
      20_000,
    );
    const again = await fetch(`${fx.url}/api/cameras/${BROWSER_CAMERA}/whip`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/sdp" },
      body: "v=0",
    });
    expect(again.status).toBe(401);
  }, 60_000);
});
