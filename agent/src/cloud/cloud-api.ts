import { isErrorCode } from "@homecam/shared";
import type { DeviceIdentity } from "../identity/device-identity.js";

/** Audience of device tokens (the cloud's DEFAULT_DEVICE_AUDIENCE). */
export const CLOUD_DEVICE_AUDIENCE = "homecam-cloud";

/** A refused or failed cloud call. `code` is the cloud's catalogue code, or a transport code. */
export class CloudApiError extends Error {
  override readonly name = "CloudApiError";
  constructor(
    /** An `E_*` code from the cloud, or `HC_ERR_CLOUD_UNREACHABLE` / `HC_ERR_CLOUD_PROTOCOL`. */
    readonly code: string,
    message: string,
    /** HTTP status; 0 when the cloud could not be reached. */
    readonly status: number,
  ) {
    super(message);
  }
}

export interface CloudApiOptions {
  /** The cloud's REST base URL (`cloud.url`). */
  baseUrl: string;
  identity: DeviceIdentity;
  /** Per-request timeout. Default 10 s. */
  timeoutMs?: number;
  /** Injected by tests. */
  fetch?: typeof fetch;
}

/**
 * The agent's REST client of the cloud. Every request carries a fresh device token (a short JWT
 * the agent signs with its own key); the cloud's `{ok, data}` envelope is unwrapped and an error
 * envelope becomes a {@link CloudApiError} with the cloud's code.
 */
export class CloudApi {
  private readonly fetch: typeof fetch;

  constructor(private readonly opts: CloudApiOptions) {
    this.fetch = opts.fetch ?? globalThis.fetch;
  }

  get baseUrl(): string {
    return this.opts.baseUrl.replace(/\/+$/, "");
  }

  /** `method path` with an optional JSON body; resolves with the envelope's `data`. */
  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const token = await this.opts.identity.signDeviceToken({ aud: CLOUD_DEVICE_AUDIENCE, ttlSeconds: 60 });
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers["content-type"] = "application/json";
    let res: Response;
    try {
      res = await this.fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
      });
    } catch (err) {
      // fetch() says only "fetch failed"; the cause's code (ECONNREFUSED, ENOTFOUND…) says why.
      const cause = (err as { cause?: { code?: unknown } }).cause?.code;
      const why = typeof cause === "string" ? cause : err instanceof Error ? err.message : String(err);
      throw new CloudApiError("HC_ERR_CLOUD_UNREACHABLE", `cloud ${this.baseUrl} unreachable: ${why}`, 0);
    }
    let envelope: { ok?: boolean; data?: unknown; error?: { code?: unknown; message?: unknown } };
    try {
      envelope = (await res.json()) as typeof envelope;
    } catch {
      throw new CloudApiError(
        "HC_ERR_CLOUD_PROTOCOL",
        `cloud answered ${res.status} without JSON`,
        res.status,
      );
    }
    if (res.ok && envelope.ok === true) return envelope.data as T;
    const code = isErrorCode(envelope.error?.code) ? envelope.error.code : "HC_ERR_CLOUD_PROTOCOL";
    const message =
      typeof envelope.error?.message === "string" ? envelope.error.message : `HTTP ${res.status}`;
    throw new CloudApiError(code, message, res.status);
  }
}
