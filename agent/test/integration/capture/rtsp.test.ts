import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CaptureSession,
  type CaptureStatus,
  type OnvifResolver,
  type Segment,
} from "../../../src/capture/index.js";
import {
  camera,
  capturingLogger,
  ffprobe,
  freePort,
  pidAlive,
  RtspServer,
  tempDir,
  waitFor,
} from "./helpers.js";

// Characters that must be percent-encoded in a URL's user-info: proves the encoding end to end.
const USER = "admin";
const PASSWORD = "p@ss:w/rd%1";

let server: RtspServer;
let port: number;
let authPort: number;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  port = await freePort();
  authPort = await freePort();
  server = new RtspServer(
    ["--port", String(port), "--auth-port", String(authPort)].concat([
      "--user",
      USER,
      "--password",
      PASSWORD,
    ]),
  );
  await server.start();
});

afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await server.stop();
});

async function rtspCamera(source: Record<string, unknown>, resolveOnvif?: OnvifResolver) {
  const dir = await tempDir("rtsp");
  const { log, lines } = capturingLogger();
  const session = new CaptureSession({
    camera: camera({ source: { type: "rtsp", ...source }, recording: { segmentSeconds: 2 } }),
    ringDir: dir.path,
    log,
    ...(resolveOnvif && { resolveOnvif }),
  });
  const segments: Array<Segment & { receivedMs: number }> = [];
  const statuses: Array<CaptureStatus & { at: number }> = [];
  session.on("segment", (s) => segments.push({ ...s, receivedMs: Date.now() }));
  session.on("status", (s) => statuses.push({ ...s, at: Date.now() }));
  cleanups.push(async () => {
    await session.stop();
    await dir.remove();
  });
  await session.start();
  return { session, segments, statuses, lines };
}

describe("CaptureSession with an RTSP camera", () => {
  it("records by stream copy, survives the camera going away, and never logs the password", async () => {
    const cam = await rtspCamera({ url: `rtsp://127.0.0.1:${port}/cam`, transport: "tcp" });
    const secure = await rtspCamera({
      url: `rtsp://127.0.0.1:${authPort}/secure`,
      username: USER,
      password: PASSWORD,
    });
    const wrong = await rtspCamera({ url: `rtsp://${USER}:nope@127.0.0.1:${authPort}/secure` });
    // ONVIF: the stream URI comes from the (injected) resolver, credentials from the config.
    const resolved: string[] = [];
    const onvif = await rtspCamera(
      { type: "onvif", host: "127.0.0.1", username: USER, password: PASSWORD },
      (src) => {
        resolved.push(src.host);
        return Promise.resolve({ streamUrl: `rtsp://127.0.0.1:${authPort}/secure` });
      },
    );

    await waitFor("2 segments from /cam", () => cam.segments.length >= 2, 15_000);
    await waitFor("a segment from /secure", () => secure.segments.length >= 1, 15_000);
    await waitFor("a segment through ONVIF", () => onvif.segments.length >= 1, 15_000);
    expect(resolved).toEqual(["127.0.0.1"]);

    // Stream copy: no re-encode in the command, and the files carry the camera's own H.264.
    for (const c of [cam, secure, onvif]) {
      expect(c.session.plan?.recording).toBe("copy");
      const args = c.session.plan!.args.join(" ");
      expect(args).toContain("-map 0:v:0 -c:v copy -f segment");
      expect(args).not.toContain("libx264");
      expect(args).toContain("-skip_loop_filter all");
    }
    expect(await ffprobe(cam.segments[0]!.path)).toMatchObject({
      format: "mpegts",
      codec: "h264",
      width: 640,
    });
    expect(await ffprobe(secure.segments[0]!.path)).toMatchObject({ codec: "h264", width: 320, height: 180 });

    // Wrong password: reconnecting, and the reason says why.
    const refused = await waitFor("401", () => wrong.statuses.find((s) => s.state !== "starting"), 10_000);
    expect(refused.state).toBe("reconnecting");
    expect(refused.reason).toMatch(/401 unauthorized/);

    // The password appears nowhere: not in logs (raw or percent-encoded), not in the stderr tail.
    const encoded = encodeURIComponent(PASSWORD);
    const logged = [cam, secure, wrong, onvif]
      .flatMap((c) => [...c.lines, ...c.session.stderrTail()])
      .join("\n");
    expect(secure.lines.some((l) => l.includes("starting ffmpeg") && l.includes(`${USER}:***@`))).toBe(true);
    expect(logged).not.toContain(PASSWORD);
    expect(logged).not.toContain(encoded);
    expect(logged).not.toContain("nope");

    // The camera goes away: reconnecting with a reason within ~15 s.
    const oldPid = cam.session.pid!;
    const stoppedAt = Date.now();
    await server.stop();
    const down = await waitFor(
      "reconnecting",
      () => cam.statuses.find((s) => s.state === "reconnecting"),
      15_000,
    );
    console.log(`[capture] rtsp down: "${down.reason}" after ${down.at - stoppedAt} ms`);
    expect(down.reason).toBeTruthy();

    // It comes back on the same port: online and new segments within 10 s.
    await server.start();
    const backAt = Date.now();
    const seen = cam.segments.length;
    await waitFor(
      "online again",
      () => cam.statuses.at(-1)?.state === "online" && cam.session.pid !== oldPid,
      10_000,
    );
    await waitFor("a new segment", () => cam.segments.length > seen, 10_000 - (Date.now() - backAt));
    console.log(
      `[capture] rtsp back: new segment ${cam.segments.at(-1)!.receivedMs - backAt} ms after restart`,
    );
    expect(pidAlive(oldPid)).toBe(false);

    const pids = [cam.session.pid!, secure.session.pid!];
    await Promise.all([cam, secure, wrong, onvif].map((c) => c.session.stop()));
    for (const pid of pids) expect(pidAlive(pid)).toBe(false);
  });

  it("notices a camera that hangs with its connection open", async () => {
    const cam = await rtspCamera({ url: `rtsp://127.0.0.1:${port}/cam` });
    await waitFor("online", () => cam.statuses.some((s) => s.state === "online"), 10_000);
    const frozenAt = Date.now();
    server.signal("SIGSTOP");
    try {
      const down = await waitFor(
        "reconnecting",
        () => cam.statuses.find((s) => s.state === "reconnecting"),
        15_000,
      );
      console.log(`[capture] rtsp frozen: "${down.reason}" after ${down.at - frozenAt} ms`);
      expect(down.reason).toMatch(/timeout|no analysis frame|no new segment/);
    } finally {
      server.signal("SIGCONT");
    }
    await waitFor("online again", () => cam.statuses.at(-1)?.state === "online", 15_000);
  });
});
