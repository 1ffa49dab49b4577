import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { LAN_TOKEN_TYP } from "@homecam/shared";
import { generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probe } from "../../../src/recording/ffprobe.js";
import { waitFor } from "../capture/helpers.js";
import { BROWSER_CAMERA, type BrowserAgent, MJPEG_CAMERA, startBrowserAgent } from "./browser-agent.js";
import { movingBoxSource, type NodePublisher, nodePublisher, offerer } from "./node-publisher.js";

// WHIP into a REAL agent (startAgent, cloud off): a werift publisher sends ffmpeg's H.264 RTP, the
// agent's browser camera goes online, detects the moving box and records a clip; and every refusal.

let fx: BrowserAgent;
let owner: string;
let viewer: string;
let offer: string;
const publishers: NodePublisher[] = [];

beforeAll(async () => {
  fx = await startBrowserAgent();
  const first = await fx.pair();
  const second = await fx.pair();
  expect([first.role, second.role]).toEqual(["owner", "viewer"]);
  owner = first.token;
  viewer = second.token;
  const pc = offerer();
  pc.addTransceiver("video", { direction: "sendonly" });
  await pc.setLocalDescription(await pc.createOffer());
  offer = pc.localDescription?.sdp ?? "";
  await pc.close();
});

afterAll(async () => {
  for (const p of publishers) await p.close();
  await fx?.stop();
});

const whip = (camera = BROWSER_CAMERA) => `${fx.url}/api/cameras/${camera}/whip`;

async function post(opts: { token?: string; camera?: string; type?: string; body?: string }) {
  const headers: Record<string, string> = { "content-type": opts.type ?? "application/sdp" };
  if (opts.token) headers["authorization"] = `Bearer ${opts.token}`;
  const res = await fetch(whip(opts.camera), { method: "POST", headers, body: opts.body ?? offer });
  await res.arrayBuffer();
  return res.status;
}

async function foreignDeviceToken(): Promise<string> {
  const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
  return new SignJWT({ role: "owner" })
    .setProtectedHeader({ alg: "EdDSA", typ: LAN_TOKEN_TYP })
    .setIssuer("device:dev-other")
    .setAudience("dev-other")
    .setSubject("lv_AAAAAAAAAAAAAAAA")
    .setIssuedAt()
    .setExpirationTime("1h")
    .sign(privateKey);
}

describe("WHIP ingest into a real agent", () => {
  it("shows the browser camera as waiting while nobody publishes", () => {
    expect(fx.cameraState(BROWSER_CAMERA)).toMatchObject({
      status: "reconnecting",
      reason: expect.stringContaining("waiting for a browser to publish"),
    });
  });

  it("refuses anonymous, foreign, viewer, non-browser, wrong-type, oversize and unusable offers", async () => {
    expect(await post({})).toBe(401);
    expect(await post({ token: await foreignDeviceToken() })).toBe(401);
    expect(await post({ token: viewer })).toBe(403);
    expect(await post({ token: owner, camera: MJPEG_CAMERA })).toBe(404);
    expect(await post({ token: owner, camera: "nobody" })).toBe(404);
    expect(await post({ token: owner, type: "text/plain" })).toBe(415);
    expect(await post({ token: owner, body: `${offer}a=x:${"y".repeat(70_000)}\r\n` })).toBe(413);
    expect(await post({ token: owner, body: "v=0\r\nnot an offer\r\n" })).toBe(400);
    const vp9Only = offer.replace(/H264\/90000/g, "VP9/90000");
    expect(await post({ token: owner, body: vp9Only })).toBe(400);
    // The preflight a WHIP client on another origin sends carries no token.
    const pre = await fetch(whip(), { method: "OPTIONS" });
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-expose-headers")).toBe("Location");
  });

  it("answers WHEP (live view) of a browser camera with a clear 415: it is not built", async () => {
    const pc = offerer();
    pc.addTransceiver("video", { direction: "recvonly" });
    await pc.setLocalDescription(await pc.createOffer());
    const res = await fetch(`${fx.url}/api/cameras/${BROWSER_CAMERA}/whep`, {
      method: "POST",
      headers: { authorization: `Bearer ${owner}`, "content-type": "application/sdp" },
      body: pc.localDescription?.sdp ?? "",
    });
    await pc.close();
    expect(res.status).toBe(415);
    expect(JSON.stringify(await res.json())).toContain(
      "live view of a browser camera comes from its capture, which has no publisher yet",
    );
  });

  it("records a motion clip from a werift publisher, replaces it with a new one, and lets only its owner end it", async () => {
    const t0 = Date.now();
    const first = await nodePublisher(whip(), owner, movingBoxSource(60));
    publishers.push(first);
    expect(first.status).toBe(201);
    expect(first.location).toMatch(new RegExp(`^/api/cameras/${BROWSER_CAMERA}/whip/[0-9a-f-]{36}$`));
    await waitFor(
      "the browser camera online",
      () => fx.cameraState(BROWSER_CAMERA)?.status === "online",
      10_000,
    );
    const onlineMs = Date.now() - t0;

    // A reload: the new publisher replaces the first, whose session is gone.
    const second = await nodePublisher(whip(), owner, movingBoxSource(5));
    publishers.push(second);
    expect(second.status).toBe(201);
    const del = (path: string | null, token: string) =>
      fetch(fx.url + path, { method: "DELETE", headers: { authorization: `Bearer ${token}` } });
    expect((await del(first.location, owner)).status).toBe(404);
    expect((await del(second.location, viewer)).status).toBe(404);

    // The box moves for 5 s, then stands still: the event ends after its gap and post-roll.
    const [clip] = await fx.waitForClips(BROWSER_CAMERA, 25_000);
    const info = await probe(clip ?? "");
    expect(info.codec).toBe("h264");
    expect(info.durationMs).toBeGreaterThan(1_000);
    expect(second.plis()).toBeGreaterThan(0);
    expect((await del(second.location, owner)).status).toBe(204);
    process.stdout.write(
      `whip-ingest: online ${onlineMs} ms after POST; clip ${info.width}x${info.height} ${info.durationMs} ms; ` +
        `PLIs ${second.plis()}\n`,
    );
  }, 60_000);

  it("records a VP8 publisher by re-encoding: a codec change restarts the capture with a VP8 SDP", async () => {
    const t0 = Date.now();
    const vp8 = await nodePublisher(whip(), owner, movingBoxSource(60), "vp8");
    publishers.push(vp8);
    expect(vp8.status).toBe(201);
    // Its publisher left and another codec arrives: the running H.264 capture starves, its watchdog
    // restarts it, and the restart reads an SDP of VP8 (recorded by re-encoding).
    await waitFor("a capture restart", () => fx.cameraState(BROWSER_CAMERA)?.status !== "online", 15_000);
    await waitFor(
      "the camera online with VP8",
      () => fx.cameraState(BROWSER_CAMERA)?.status === "online",
      10_000,
    );
    const sdp = await readFile(join(fx.stateDir, "ingest", `${BROWSER_CAMERA}.sdp`), "utf8");
    expect(sdp).toContain("VP8/90000");
    process.stdout.write(`whip-ingest: VP8 online ${Date.now() - t0} ms after POST (codec switch)\n`);
  }, 30_000);
});
