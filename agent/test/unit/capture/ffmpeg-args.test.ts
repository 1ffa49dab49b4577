import { type CameraSource, cameraSourceSchema } from "@homecam/shared";
import { describe, expect, it } from "vitest";
import {
  analysisHeight,
  buildCaptureCommand,
  buildFfmpegArgs,
  CaptureError,
  type CaptureSettings,
  type FfmpegPlan,
  formatCommandLine,
  sourceInput,
  withCredentials,
} from "../../../src/capture/index.js";
import { testSceneGraph } from "../../../src/capture/test-scene.js";

const RING = "/var/lib/homecam/ring/cam";
const SEGMENT_OUT = [
  ...["-f", "segment", "-segment_format", "mpegts", "-segment_time", "2", "-reset_timestamps", "1"],
  ...["-segment_start_number", "7", "-segment_list", "pipe:3", "-segment_list_type", "csv"],
  `${RING}/seg-%09d.ts`,
];
const COPY = ["-c:v", "copy"];
const X264_10 = [
  ...["-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-pix_fmt", "yuv420p"],
  ...["-g", "10", "-keyint_min", "10", "-sc_threshold", "0", "-force_key_frames", "expr:gte(t,n_forced*1)"],
];
const SKIP = ["-skip_loop_filter", "all", "-threads", "1"];
const GLOBAL = ["-hide_banner", "-nostats", "-loglevel", "info", "-y"];
const ANALYSIS = (input = 0) => [
  ...["-map", `${input}:v:0`, "-vf", "fps=5,scale=320:-2:flags=fast_bilinear,format=gray"],
  ...["-f", "rawvideo", "pipe:1"],
];

function settings(source: Record<string, unknown>): CaptureSettings {
  return {
    source: cameraSourceSchema.parse(source),
    motion: { analysisFps: 5, analysisWidth: 320 },
    recording: { segmentSeconds: 2 },
  };
}

function plan(source: Record<string, unknown>, ctx: Record<string, unknown> = {}): FfmpegPlan {
  const built = buildCaptureCommand(settings(source), { ringDir: RING, startNumber: 7, ...ctx });
  if (!built.ok) throw built.error;
  return built.plan;
}

describe("buildCaptureCommand: one table row per source type", () => {
  const rows: Array<{
    name: string;
    source: Record<string, unknown>;
    ctx?: Record<string, unknown>;
    input: string[];
    ring: string[];
    analysisInput?: number;
    height?: number;
  }> = [
    {
      name: "test (paced lavfi scene, encoded)",
      source: { type: "test", width: 640, height: 360, fps: 10 },
      input: [
        "-re",
        "-f",
        "lavfi",
        "-i",
        testSceneGraph({ width: 640, height: 360, fps: 10, scene: "moving-objects" }),
      ],
      ring: X264_10,
      height: 180,
    },
    {
      name: "v4l2 mjpeg (decoded, encoded)",
      source: {
        type: "v4l2",
        device: "/dev/video2",
        inputFormat: "mjpeg",
        width: 1280,
        height: 720,
        fps: 15,
      },
      input: [
        ...["-f", "v4l2", "-input_format", "mjpeg", "-video_size", "1280x720", "-framerate", "15"],
        ...["-i", "/dev/video2"],
      ],
      ring: X264_10.map((a) => (a === "10" ? "15" : a)),
      height: 180,
    },
    {
      name: "v4l2 auto (no -input_format)",
      source: { type: "v4l2", width: 640, height: 480, fps: 10 },
      input: ["-f", "v4l2", "-video_size", "640x480", "-framerate", "10", "-i", "/dev/video0"],
      ring: X264_10,
      height: 240,
    },
    {
      name: "v4l2 h264 (stream copy, cheap analysis decode)",
      source: { type: "v4l2", inputFormat: "h264", width: 1920, height: 1080, fps: 30 },
      input: [
        ...SKIP,
        ...["-f", "v4l2", "-input_format", "h264", "-video_size", "1920x1080", "-framerate", "30"],
        ...["-i", "/dev/video0"],
      ],
      ring: COPY,
      height: 180,
    },
    {
      name: "picam (H.264 from rpicam-vid on stdin)",
      source: { type: "picam", width: 1280, height: 720, fps: 15 },
      input: [...SKIP, "-fflags", "+genpts", "-f", "h264", "-framerate", "15", "-i", "pipe:0"],
      ring: COPY,
      height: 180,
    },
    {
      name: "rtsp tcp with separate credentials",
      source: { type: "rtsp", url: "rtsp://10.0.0.5:554/stream1", username: "admin", password: "p@ss:w/rd" },
      input: [
        ...["-rtsp_transport", "tcp", "-timeout", "5000000", ...SKIP],
        ...["-i", "rtsp://admin:p%40ss%3Aw%2Frd@10.0.0.5:554/stream1"],
      ],
      ring: COPY,
    },
    {
      name: "rtsp udp with a substream for analysis",
      source: {
        type: "rtsp",
        url: "rtsp://u:p@10.0.0.5/main",
        transport: "udp",
        substreamUrl: "rtsp://u:p@10.0.0.5/sub",
      },
      input: [
        ...["-rtsp_transport", "udp", "-timeout", "5000000", "-i", "rtsp://u:p@10.0.0.5/main"],
        ...["-rtsp_transport", "udp", "-timeout", "5000000", ...SKIP, "-i", "rtsp://u:p@10.0.0.5/sub"],
      ],
      ring: COPY,
      analysisInput: 1,
    },
    {
      name: "onvif (through the resolved RTSP URL, credentials added)",
      source: { type: "onvif", host: "10.0.0.9", username: "op", password: "secret" },
      ctx: { onvif: { streamUrl: "rtsp://10.0.0.9/onvif1", snapshotUrl: "http://10.0.0.9/snap.jpg" } },
      input: [
        ...["-rtsp_transport", "tcp", "-timeout", "5000000", ...SKIP],
        ...["-i", "rtsp://op:secret@10.0.0.9/onvif1"],
      ],
      ring: COPY,
    },
    {
      name: "mjpeg over http (wall-clock stamps, reconnect)",
      source: { type: "mjpeg", url: "http://phone.lan:8080/video", fps: 10 },
      input: [
        ...["-use_wallclock_as_timestamps", "1", "-reconnect", "1", "-reconnect_streamed", "1"],
        ...["-reconnect_on_network_error", "1", "-reconnect_delay_max", "5", "-rw_timeout", "10000000"],
        ...["-i", "http://phone.lan:8080/video"],
      ],
      ring: ["-r", "10", ...X264_10],
    },
  ];

  it.each(rows)("$name", ({ source, ctx, input, ring, analysisInput, height }) => {
    const p = plan(source, ctx);
    expect(p.args).toEqual([
      ...GLOBAL,
      ...input,
      ...["-map", "0:v:0", ...ring, ...SEGMENT_OUT],
      ...ANALYSIS(analysisInput),
    ]);
    expect(p.recording).toBe(ring === COPY ? "copy" : "libx264");
    expect(p.args.includes("-r")).toBe(source.type === "mjpeg"); // see SourceInput.outputRate
    expect(p.pipes).toEqual([
      { fd: 3, role: "segment-list" },
      { fd: 1, role: "analysis" },
    ]);
    expect(p.analysis).toEqual(height ? { fps: 5, width: 320, height } : { fps: 5, width: 320 });
  });

  it("returns the picam producer command", () => {
    const p = plan({ type: "picam", width: 1280, height: 720, fps: 15, bitrateKbps: 2000 });
    expect(p.producer).toEqual({
      file: "rpicam-vid",
      args: [
        ...["-t", "0", "-n", "--inline", "--codec", "h264", "--width", "1280", "--height", "720"],
        ...["--framerate", "15", "--bitrate", "2000000", "--intra", "15", "--flush", "-o", "-"],
      ],
    });
    expect(plan({ type: "picam" }, { picamTool: "libcamera-vid" }).producer?.file).toBe("libcamera-vid");
    expect(
      plan({ type: "picam", command: "rpicam-vid" }, { picamTool: "libcamera-vid" }).producer?.file,
    ).toBe("rpicam-vid");
  });

  it("refuses a browser source with a typed, permanent error", () => {
    const built = buildCaptureCommand(settings({ type: "browser" }), { ringDir: RING, startNumber: 0 });
    expect(built.ok).toBe(false);
    const error = !built.ok && built.error;
    expect(error).toBeInstanceOf(CaptureError);
    expect(error).toMatchObject({ code: "HC_ERR_CAPTURE_SOURCE_UNSUPPORTED", permanent: true });
    expect((error as Error).message).toMatch(/browser sources need the live-view module/);
  });

  it("refuses an onvif source whose URL was not resolved, as retryable", () => {
    const r = sourceInput(cameraSourceSchema.parse({ type: "onvif", host: "cam" }));
    expect(r).toMatchObject({ code: "HC_ERR_CAPTURE_ONVIF_UNRESOLVED", permanent: false });
  });
});

describe("extra outputs (live view, later)", () => {
  it("are mapped from the chosen input and get pipes from fd 4 on", () => {
    const input = sourceInput(
      cameraSourceSchema.parse({ type: "rtsp", url: "rtsp://h/m", substreamUrl: "rtsp://h/s" }),
    );
    if (input instanceof CaptureError) throw input;
    const p = buildFfmpegArgs(input, [
      {
        kind: "extra",
        name: "rtp",
        args: ["-c:v", "copy", "-f", "rtp", "rtp://127.0.0.1:5004"],
        pipe: false,
      },
      { kind: "extra", name: "fmp4", args: ["-c:v", "copy", "-f", "mp4"], pipe: true },
      { kind: "extra", name: "sub", args: ["-c:v", "copy", "-f", "mpegts"], pipe: true, from: "analysis" },
    ]);
    expect(p.args.slice(-17)).toEqual(
      [
        ...["-map", "0:v:0", "-c:v", "copy", "-f", "rtp", "rtp://127.0.0.1:5004"],
        ...["-map", "0:v:0", "-c:v", "copy", "-f", "mp4", "pipe:4"],
        ...["-map", "1:v:0", "-c:v", "copy", "-f", "mpegts", "pipe:5"],
      ].slice(-17),
    );
    expect(p.pipes).toEqual([
      { fd: 4, role: "extra:fmp4" },
      { fd: 5, role: "extra:sub" },
    ]);
  });
});

describe("test scene", () => {
  const graph = (scene: "moving-objects" | "static" | "noise") =>
    testSceneGraph({ width: 640, height: 360, fps: 10, scene });
  it.each([
    ["moving-objects", { overlays: 3, counter: true, noise: false }],
    ["static", { overlays: 0, counter: false, noise: false }],
    ["noise", { overlays: 0, counter: true, noise: true }],
  ] as const)("%s", (scene, want) => {
    const g = graph(scene);
    expect(g.match(/overlay=/g)?.length ?? 0).toBe(want.overlays);
    expect(g.includes("floor(n/2048)")).toBe(want.counter);
    expect(g.includes("noise=")).toBe(want.noise);
    expect(g.endsWith("format=yuv420p[out0]")).toBe(true);
  });
  it("objects appear and leave on their own schedules", () => {
    expect(graph("moving-objects")).toContain("enable='lt(mod(t,20),8)'");
    expect(graph("moving-objects")).toContain("enable='between(mod(t,30),10,14)'");
  });
});

describe("analysisHeight matches ffmpeg's scale=W:-2 rounding", () => {
  it.each([
    [{ width: 640, height: 360 }, 320, 180],
    [{ width: 1920, height: 1080 }, 320, 180],
    [{ width: 640, height: 480 }, 320, 240],
    [{ width: 1280, height: 720 }, 250, 140], // 140.625 → 70.3 → 70 × 2
    [{ width: 2592, height: 1944 }, 300, 226], // 225 → 112.5 rounds up → 113 × 2
    [{ width: 720, height: 576 }, 100, 80],
    [{ width: 1280, height: 720 }, 333, 188], // odd widths are fine for gray
  ])("%o at width %i → %i", (src, w, h) => {
    expect(analysisHeight(src, w)).toBe(h);
  });
});

describe("credentials", () => {
  it.each([
    ["rtsp://h/s", { username: "u", password: "p" }, "rtsp://u:p@h/s"],
    ["rtsp://old:x@h/s", { username: "new", password: "y" }, "rtsp://new:y@h/s"],
    ["rtsp://old:x@h/s", {}, "rtsp://old:x@h/s"],
    [
      "http://h:8080/video",
      { username: "a b", password: "p@:/%#?" },
      "http://a%20b:p%40%3A%2F%25%23%3F@h:8080/video",
    ],
    ["rtsps://h/s", { username: "u" }, "rtsps://u@h/s"],
  ])("%s + %o → %s", (url, creds, want) => {
    expect(withCredentials(url, creds)).toBe(want);
  });

  it("the printed command line masks passwords, however they were given", () => {
    const sources: CameraSource[] = [
      cameraSourceSchema.parse({ type: "rtsp", url: "rtsp://h/s", username: "admin", password: "p@ss:w/rd" }),
      cameraSourceSchema.parse({ type: "rtsp", url: "rtsp://admin:hunter2@h/s" }),
      cameraSourceSchema.parse({ type: "mjpeg", url: "http://h/v", username: "admin", password: "hunter2" }),
    ];
    for (const source of sources) {
      const p = plan(source);
      const printed = formatCommandLine(p.file, p.args);
      expect(printed).toContain("admin:***@");
      expect(printed).not.toMatch(/hunter2|p%40ss|p@ss/);
    }
  });

  it("quotes arguments a shell would split", () => {
    expect(formatCommandLine("ffmpeg", ["-vf", "fps=5,scale=320:-2", "-i", "it's here"])).toBe(
      "ffmpeg -vf fps=5,scale=320:-2 -i 'it'\\''s here'",
    );
  });
});
