import type { Logger } from "@homecam/shared/node";
import { Cam } from "onvif";
import { classifyOnvifFailure, type OnvifCallKind } from "./classify.js";
import { OnvifError } from "./errors.js";
import { fetchJpeg } from "./snapshot.js";
import {
  type OnvifDeviceInfo,
  type OnvifPreset,
  type OnvifProfile,
  parseDeviceInformation,
  parseMediaUri,
  parsePresets,
  parseProfiles,
  parseSetPresetToken,
} from "./soap-parse.js";
import { injectRtspCredentials } from "./stream-uri.js";
import { escapeXml } from "./xml.js";

export type { OnvifDeviceInfo, OnvifPreset, OnvifProfile } from "./soap-parse.js";

/** Options of {@link connectOnvif}. */
export interface ConnectOnvifOptions {
  host: string;
  /** ONVIF HTTP port; default 80. */
  port?: number;
  username?: string | undefined;
  password?: string | undefined;
  /** Per call (connect as a whole counts as one call); default 10 s. */
  timeoutMs?: number;
  /** Device service path; default `/onvif/device_service`. */
  path?: string;
  logger?: Logger;
}

/** Continuous PTZ velocities, each in -1..1 (ONVIF's generic velocity space). */
export interface PtzVelocity {
  pan: number;
  tilt: number;
  zoom: number;
}

/** RTP transport asked of the camera (`tcp`: RTP interleaved in RTSP; `udp`: RTP over UDP). */
export type RtspTransport = "tcp" | "udp";

/** A connected ONVIF camera. Every method rejects with an {@link OnvifError}. */
export interface OnvifCamera {
  readonly host: string;
  readonly port: number;
  deviceInfo(): Promise<OnvifDeviceInfo>;
  profiles(): Promise<OnvifProfile[]>;
  /** RTSP URI of the profile, with the configured credentials injected when the camera left them out. */
  streamUri(profileToken: string, transport?: RtspTransport): Promise<string>;
  /** HTTP URI of the profile's JPEG snapshot, as the camera gives it (no credentials added). */
  snapshotUri(profileToken: string): Promise<string>;
  /** One JPEG, fetched with Digest or Basic auth as the camera asks. */
  snapshot(profileToken: string): Promise<Buffer>;
  /** The device offers a PTZ service (a profile also needs a PTZ configuration: {@link OnvifProfile.ptz}). */
  ptzCapable(): boolean;
  /** Start moving; the camera stops by itself after `timeoutMs` when it honours the ONVIF timeout. */
  continuousMove(profileToken: string, velocity: PtzVelocity, timeoutMs?: number): Promise<void>;
  stop(profileToken: string): Promise<void>;
  presets(profileToken: string): Promise<OnvifPreset[]>;
  gotoPreset(profileToken: string, presetToken: string): Promise<void>;
  /** Save the current position as a new preset named `name`; returns its token. */
  setPreset(profileToken: string, name: string): Promise<string>;
}

type Callback = (err: Error | null, data?: unknown, xml?: string) => void;

/** Run one onvif-package call; resolve with the raw answer, reject with a classified error. */
function invoke(
  what: string,
  kind: OnvifCallKind,
  timeoutMs: number,
  run: (cb: Callback) => void,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      reject(new OnvifError("HC_ERR_ONVIF_TIMEOUT", `${what}: the camera did not answer in ${timeoutMs} ms`));
    }, timeoutMs);
    const done: Callback = (err, _data, xml) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(classifyOnvifFailure(err, xml, what, kind));
      else resolve(typeof xml === "string" ? xml : "");
    };
    try {
      run(done);
    } catch (err) {
      done(err instanceof Error ? err : new Error(String(err)));
    }
  });
}

function requireToken(value: string, what: string): string {
  if (typeof value !== "string" || value.trim() === "" || value.length > 256) {
    throw new OnvifError("HC_ERR_ONVIF_INVALID_ARGUMENT", `${what} must be a non-empty string`);
  }
  // The onvif package pastes values into the SOAP body unescaped.
  return escapeXml(value);
}

function requireAxis(value: number, axis: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < -1 || value > 1) {
    throw new OnvifError("HC_ERR_ONVIF_INVALID_ARGUMENT", `${axis} velocity must be a number in -1..1`);
  }
  return Math.round(value * 10_000) / 10_000 || 0;
}

class ConnectedCamera implements OnvifCamera {
  readonly host: string;
  readonly port: number;
  // ECMAScript private fields: not enumerable, so logging or serialising a camera never shows the password.
  readonly #cam: Cam;
  readonly #opts: ConnectOnvifOptions & { timeoutMs: number; port: number };

  constructor(cam: Cam, opts: ConnectOnvifOptions & { timeoutMs: number; port: number }) {
    this.#cam = cam;
    this.#opts = opts;
    this.host = opts.host;
    this.port = opts.port;
  }

  #call(what: string, kind: OnvifCallKind, run: (cb: Callback) => void): Promise<string> {
    return invoke(`${what} on ${this.host}:${this.port}`, kind, this.#opts.timeoutMs, run);
  }

  async deviceInfo(): Promise<OnvifDeviceInfo> {
    return parseDeviceInformation(
      await this.#call("GetDeviceInformation", "device", (cb) => this.#cam.getDeviceInformation(cb)),
    );
  }

  async profiles(): Promise<OnvifProfile[]> {
    return parseProfiles(await this.#call("GetProfiles", "media", (cb) => this.#cam.getProfiles(cb)));
  }

  async streamUri(profileToken: string, transport: RtspTransport = "tcp"): Promise<string> {
    const token = requireToken(profileToken, "profile token");
    // Media1 StreamSetup: `RTSP` = RTP over the RTSP connection (TCP), `UDP` = RTP/UDP unicast.
    const protocol = transport === "udp" ? "UDP" : "RTSP";
    const xml = await this.#call("GetStreamUri", "media", (cb) =>
      this.#cam.getStreamUri({ protocol, profileToken: token }, cb),
    );
    return injectRtspCredentials(
      parseMediaUri(xml, "GetStreamUri"),
      this.#opts.username,
      this.#opts.password,
    );
  }

  async snapshotUri(profileToken: string): Promise<string> {
    const token = requireToken(profileToken, "profile token");
    const xml = await this.#call("GetSnapshotUri", "media", (cb) =>
      this.#cam.getSnapshotUri({ profileToken: token }, cb),
    );
    return parseMediaUri(xml, "GetSnapshotUri");
  }

  async snapshot(profileToken: string): Promise<Buffer> {
    const uri = await this.snapshotUri(profileToken);
    return fetchJpeg(uri, {
      username: this.#opts.username,
      password: this.#opts.password,
      timeoutMs: this.#opts.timeoutMs,
    });
  }

  ptzCapable(): boolean {
    return Boolean(this.#cam.uri?.ptz ?? this.#cam.uri?.PTZ);
  }

  #requirePtz(): void {
    if (!this.ptzCapable()) {
      throw new OnvifError("HC_ERR_ONVIF_NO_PTZ", `${this.host}:${this.port} has no PTZ service`);
    }
  }

  async continuousMove(profileToken: string, velocity: PtzVelocity, timeoutMs?: number): Promise<void> {
    const token = requireToken(profileToken, "profile token");
    const x = requireAxis(velocity.pan, "pan");
    const y = requireAxis(velocity.tilt, "tilt");
    const zoom = requireAxis(velocity.zoom, "zoom");
    if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && timeoutMs > 0)) {
      throw new OnvifError("HC_ERR_ONVIF_INVALID_ARGUMENT", "move timeout must be a positive integer (ms)");
    }
    this.#requirePtz();
    await this.#call("ContinuousMove", "ptz", (cb) =>
      this.#cam.continuousMove(
        { profileToken: token, x, y, zoom, ...(timeoutMs ? { timeout: timeoutMs } : {}) },
        cb,
      ),
    );
  }

  async stop(profileToken: string): Promise<void> {
    const token = requireToken(profileToken, "profile token");
    this.#requirePtz();
    await this.#call("Stop", "ptz", (cb) =>
      this.#cam.stop({ profileToken: token, panTilt: true, zoom: true }, cb),
    );
  }

  async presets(profileToken: string): Promise<OnvifPreset[]> {
    const token = requireToken(profileToken, "profile token");
    this.#requirePtz();
    return parsePresets(
      await this.#call("GetPresets", "ptz", (cb) => this.#cam.getPresets({ profileToken: token }, cb)),
    );
  }

  async gotoPreset(profileToken: string, presetToken: string): Promise<void> {
    const token = requireToken(profileToken, "profile token");
    const preset = requireToken(presetToken, "preset token");
    this.#requirePtz();
    await this.#call("GotoPreset", "preset", (cb) =>
      this.#cam.gotoPreset({ profileToken: token, preset }, cb),
    );
  }

  async setPreset(profileToken: string, name: string): Promise<string> {
    const token = requireToken(profileToken, "profile token");
    const presetName = requireToken(name, "preset name");
    this.#requirePtz();
    const xml = await this.#call("SetPreset", "ptz", (cb) =>
      this.#cam.setPreset({ profileToken: token, presetName }, cb),
    );
    return parseSetPresetToken(xml);
  }
}

/**
 * Connect to an ONVIF camera: GetSystemDateAndTime (clock offset for WS-Security), GetServices
 * (or GetCapabilities on old devices), GetProfiles and GetVideoSources — all done by the onvif
 * package — then GetDeviceInformation, which needs authentication, so wrong credentials fail
 * here with HC_ERR_ONVIF_AUTH rather than on first use.
 */
export async function connectOnvif(options: ConnectOnvifOptions): Promise<OnvifCamera> {
  const opts = { ...options, port: options.port ?? 80, timeoutMs: options.timeoutMs ?? 10_000 };
  if (opts.username && /[<>&]/.test(opts.username)) {
    // The onvif package writes the user name into the WS-Security header without escaping it.
    throw new OnvifError(
      "HC_ERR_ONVIF_INVALID_ARGUMENT",
      "ONVIF user names containing <, > or & are not supported",
    );
  }
  const cam = new Cam({
    hostname: opts.host,
    port: opts.port,
    ...(opts.username !== undefined ? { username: opts.username } : {}),
    ...(opts.password !== undefined ? { password: opts.password } : {}),
    ...(opts.path !== undefined ? { path: opts.path } : {}),
    timeout: opts.timeoutMs,
    autoconnect: false,
  });
  const log = opts.logger;
  cam.on("warning", (w: unknown) =>
    log?.warn({ host: opts.host, port: opts.port, warning: String(w) }, "onvif warning"),
  );
  await invoke(`connect to ${opts.host}:${opts.port}`, "device", opts.timeoutMs, (cb) => cam.connect(cb));
  const camera = new ConnectedCamera(cam, opts);
  const info = await camera.deviceInfo();
  log?.debug(
    {
      host: opts.host,
      port: opts.port,
      manufacturer: info.manufacturer,
      model: info.model,
      ptz: camera.ptzCapable(),
    },
    "onvif camera connected",
  );
  return camera;
}
