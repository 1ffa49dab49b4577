import type {
  CameraControl,
  CameraState,
  HostState,
  ManualRecordingResult,
} from "../../../src/camera/control.js";

// A test double of the camera pipeline for the control channel and CLI tests: the real
// CameraManager is tested by the pipeline's own tests, these only need its interface's behaviour.

/** A tiny but well-formed JPEG (SOI, APP0, EOI) with a payload so sizes differ per camera. */
export function fakeJpeg(tag: string): Buffer {
  return Buffer.concat([
    Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
    Buffer.from("JFIF\0", "latin1"),
    Buffer.from(tag),
    Buffer.from([0xff, 0xd9]),
  ]);
}

/** An error with a stable code, as the camera manager throws for an unknown camera. */
export class FakeCameraError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface RecordCall {
  cameraId: string;
  seconds: number;
  signal: AbortSignal | undefined;
  /** Finish the recording with this result (default: one clip under /clips). */
  finish(result?: ManualRecordingResult): void;
  fail(err: Error): void;
}

export class FakeCameraControl implements CameraControl {
  readonly recordCalls: RecordCall[] = [];
  /** When false, recordNow waits for the test to call `finish()`. */
  autoFinishRecord = true;
  snapshotCalls = 0;
  #waiters: (() => void)[] = [];

  constructor(
    readonly states: CameraState[] = [
      {
        id: "front-door",
        name: "Front door",
        enabled: true,
        status: "online",
        analysisFps: 5,
        eventActive: false,
        lastEventAt: 1_750_000_000_000,
      },
      {
        id: "garage",
        name: "Garage",
        enabled: true,
        status: "reconnecting",
        reason: "connection refused by 192.168.1.21:554",
        analysisFps: 0,
        eventActive: false,
        lastEventAt: null,
      },
    ],
    readonly hostState: HostState = {
      cpuPercent: 12.5,
      temperatureC: 48.25,
      diskFreeMB: 10_240,
      diskTotalMB: 30_720,
      storage: { state: "ok" },
      uptimeS: 3_725,
    },
  ) {}

  cameras(): CameraState[] {
    return this.states;
  }

  async host(): Promise<HostState> {
    return this.hostState;
  }

  async snapshot(cameraId: string): Promise<Buffer> {
    this.snapshotCalls++;
    this.#known(cameraId);
    const state = this.states.find((c) => c.id === cameraId);
    if (state?.status !== "online") {
      throw new FakeCameraError("HC_ERR_CAMERA_OFFLINE", `camera ${cameraId} is ${state?.status}`);
    }
    return fakeJpeg(cameraId);
  }

  recordNow(cameraId: string, seconds: number, signal?: AbortSignal): Promise<ManualRecordingResult> {
    this.#known(cameraId);
    return new Promise((resolve, reject) => {
      const call: RecordCall = {
        cameraId,
        seconds,
        signal,
        finish: (result) =>
          resolve(
            result ?? {
              eventId: `ev-${this.recordCalls.length}`,
              recordings: [
                {
                  id: "rec-1",
                  path: `/clips/${cameraId}/manual-1.mp4`,
                  durationMs: seconds * 1000,
                  sizeBytes: 123_456,
                },
              ],
            },
          ),
        fail: reject,
      };
      signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
      this.recordCalls.push(call);
      for (const w of this.#waiters.splice(0)) w();
      if (this.autoFinishRecord) call.finish();
    });
  }

  /** Resolves once `recordNow` has been called `n` times in total. */
  async waitForRecordCalls(n: number): Promise<RecordCall> {
    while (this.recordCalls.length < n) await new Promise<void>((r) => this.#waiters.push(r));
    return this.recordCalls[n - 1]!;
  }

  #known(cameraId: string): void {
    if (!this.states.some((c) => c.id === cameraId)) {
      throw new FakeCameraError("HC_ERR_CAMERA_NOT_FOUND", `no camera '${cameraId}' in the configuration`);
    }
  }
}
