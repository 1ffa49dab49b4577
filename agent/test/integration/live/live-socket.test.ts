import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isKeyFragment } from "../../../src/live/mp4-boxes.js";
import { pidAlive, waitFor } from "../capture/helpers.js";
import { boxTypes, CAMERA_ID, type LiveFixture, openViewer, startLiveFixture } from "./live-fixture.js";

// The live WebSocket end to end: real LAN server, real LAN-token checks, real ffmpeg of the
// synthetic camera. Refusals first (they need no stream), then what a good viewer receives.

const auth = (token: string) => JSON.stringify({ type: "auth", token });

describe("GET /api/cameras/:id/live (WebSocket)", () => {
  let fx: LiveFixture;
  beforeAll(async () => {
    fx = await startLiveFixture({ stopDelayMs: 500 });
  });
  afterAll(async () => {
    await fx?.close();
  });

  it("closes 4401 without an auth message, with a malformed one, and with a token for another device", async () => {
    const silent = openViewer(fx.wsUrl(CAMERA_ID));
    const notJson = openViewer(fx.wsUrl(CAMERA_ID), "hello");
    const otherDevice = openViewer(fx.wsUrl(CAMERA_ID), auth(await fx.token({ aud: "dev-someone-else" })));
    const garbage = openViewer(fx.wsUrl(CAMERA_ID), auth("not.a.jwt"));
    for (const v of [silent, notJson, otherDevice, garbage]) {
      expect((await v.closed).code).toBe(4401);
      expect(v.binaries).toHaveLength(0);
      expect(v.texts).toEqual([expect.objectContaining({ type: "error", code: "E_UNAUTHORIZED" })]);
    }
    expect(fx.started).toHaveLength(0);
  });

  it("closes 4401 for a revoked viewer's token", async () => {
    const token = await fx.token({ sub: "revoked-user" });
    await fx.revoke("revoked-user");
    const v = openViewer(fx.wsUrl(CAMERA_ID), auth(token));
    expect((await v.closed).code).toBe(4401);
    expect(v.binaries).toHaveLength(0);
  });

  it("closes 4404 for an unknown camera, and refuses a token in the URL path it does not serve", async () => {
    const v = openViewer(fx.wsUrl("no-such-camera"), auth(await fx.token()));
    expect((await v.closed).code).toBe(4404);
    const res = await fetch(`${fx.url}/api/cameras/${CAMERA_ID}/live`);
    expect(res.status).toBe(401); // a plain GET is behind the gate like every other route
    expect(fx.started).toHaveLength(0);
  });

  it("sends the init segment then key-frame-first fragments; two viewers share one ffmpeg that stops after both leave", async () => {
    const token = await fx.token();
    const first = openViewer(fx.wsUrl(CAMERA_ID), auth(token));
    await waitFor("first viewer's fragments", () => first.binaries.length >= 6, 15_000);
    const second = openViewer(fx.wsUrl(CAMERA_ID), auth(token));
    await waitFor("second viewer's fragments", () => second.binaries.length >= 4, 15_000);

    for (const v of [first, second]) {
      expect(v.texts[0]).toEqual({
        type: "stream",
        mimeType: expect.stringMatching(/^video\/mp4; codecs="avc1\.[0-9a-f]{6}"$/),
      });
      expect(boxTypes(v.binaries[0] as Buffer)).toEqual(["ftyp", "moov"]);
      const fragments = v.binaries.slice(1);
      for (const f of fragments) expect(boxTypes(f)).toEqual(["moof", "mdat"]);
      // A joiner starts at a key frame (the hub's last GOP), so its first picture decodes at once.
      expect(isKeyFragment(fragments[0] as Buffer)).toBe(true);
    }
    // The second viewer joined mid-stream and still got its first fragments at once from the cached GOP.
    expect(fx.started).toHaveLength(1);
    expect(fx.hub.sourceCount).toBe(1);
    const pid = fx.started[0]?.pid as number;
    expect(pidAlive(pid)).toBe(true);

    first.socket.close(1000);
    await first.closed;
    const before = second.binaries.length;
    await waitFor("the second viewer keeps receiving", () => second.binaries.length > before + 2, 5_000);
    expect(fx.hub.sourceCount).toBe(1);

    second.socket.close(1000);
    await second.closed;
    await waitFor("the source to stop after the last viewer left", () => fx.hub.sourceCount === 0, 5_000);
    await waitFor("the live ffmpeg to exit", () => !pidAlive(pid), 5_000);
  });

  it("cuts the viewers and the ffmpeg of a camera put in privacy mode while watched", async () => {
    const viewer = openViewer(fx.wsUrl(CAMERA_ID), auth(await fx.token()));
    await waitFor("fragments", () => viewer.binaries.length >= 3, 15_000);
    const pid = fx.started.at(-1)?.pid as number;
    fx.setArmed(false);
    try {
      expect((await viewer.closed).code).toBe(1011);
      await waitFor("the live ffmpeg to exit", () => !pidAlive(pid), 5_000);
      expect(fx.hub.sourceCount).toBe(0);
    } finally {
      fx.setArmed(true);
    }
  });

  it("cuts the live views of a user whose access is revoked while watching, and only theirs", async () => {
    const leaving = openViewer(fx.wsUrl(CAMERA_ID), auth(await fx.token({ sub: "leaving-user" })));
    const staying = openViewer(fx.wsUrl(CAMERA_ID), auth(await fx.token({ sub: "staying-user" })));
    await waitFor(
      "both viewers' fragments",
      () => leaving.binaries.length >= 3 && staying.binaries.length >= 3,
      15_000,
    );
    expect(fx.hub.endUser("leaving-user")).toBe(1);
    const closed = await leaving.closed;
    expect(closed.code).toBe(1011);
    expect(leaving.texts.at(-1)).toMatchObject({
      type: "error",
      message: expect.stringMatching(/access revoked/),
    });
    const before = staying.binaries.length;
    await waitFor("the other viewer keeps receiving", () => staying.binaries.length > before + 2, 5_000);
    staying.socket.close(1000);
    await staying.closed;
  });
});
