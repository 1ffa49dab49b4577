import { connectionEstablishedSchema, errorEnvelopeSchema, sessionSchema } from "@homecam/shared";
import type { z } from "zod";
import { waitFor } from "./processes.js";

/** One HTTP answer: status, headers and the body (JSON when it parses, else the raw bytes). */
export interface Answer {
  status: number;
  headers: Headers;
  json: unknown;
  bytes: Buffer;
}

/** A signed-in user of the cloud. */
export interface TestUser {
  userId: string;
  email: string;
  accessToken: string;
}

/** A thin REST client of a running cloud: real HTTP, the caller's bearer token, nothing mocked. */
export class CloudClient {
  constructor(readonly baseUrl: string) {}

  /** Send a request; never throws on an HTTP error status (the caller asserts it). */
  async call(method: string, path: string, opts: { token?: string; body?: unknown } = {}): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      ...(opts.body !== undefined && { body: JSON.stringify(opts.body) }),
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    let json: unknown;
    try {
      json = JSON.parse(bytes.toString("utf8"));
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, json, bytes };
  }

  /** A successful call's `data`, validated with the shared response schema; throws otherwise. */
  async data<S extends z.ZodType>(
    schema: S,
    method: string,
    path: string,
    opts: { token?: string; body?: unknown } = {},
  ): Promise<z.output<S>> {
    const answer = await this.call(method, path, opts);
    const envelope = answer.json as { ok?: unknown; data?: unknown } | undefined;
    if (answer.status >= 300 || envelope?.ok !== true) {
      throw new Error(`${method} ${path} → ${answer.status} ${JSON.stringify(answer.json)}`);
    }
    const parsed = schema.safeParse(envelope.data);
    if (!parsed.success) {
      throw new Error(
        `${method} ${path}: unexpected data ${JSON.stringify(envelope.data)}: ${parsed.error.message}`,
      );
    }
    return parsed.data as z.output<S>;
  }

  /** Register an account (which signs it in) and keep its access token. */
  async register(name: string): Promise<TestUser> {
    const email = `${name}-${Date.now()}@example.com`;
    const session = await this.data(sessionSchema, "POST", "/api/auth/register", {
      body: {
        email,
        password: "correct horse battery staple",
        name,
        agreeTerms: true,
        agreePrivacy: true,
      },
    });
    return { userId: session.user.id, email, accessToken: session.accessToken };
  }

  /** Claim a pairing session as the user: the answer, and how long the claim took. */
  async claim(user: TestUser, session: { pairingId: string; pin: string }) {
    const started = performance.now();
    const paired = await this.data(connectionEstablishedSchema, "POST", "/api/connection/establish", {
      token: user.accessToken,
      body: { pairingId: session.pairingId, pin: session.pin },
    });
    return { paired, ms: performance.now() - started };
  }

  /**
   * `GET /api/cameras/:id/snapshot` once the camera has video: until ffmpeg wrote its first ring
   * segment the agent answers "no video yet" (503 `E_DEVICE_OFFLINE`), so that answer is polled past.
   */
  snapshotWhenReady(cameraId: string, user: TestUser): Promise<Answer> {
    return waitFor(
      "a snapshot (the camera's first video segment)",
      async () => {
        const answer = await this.call("GET", `/api/cameras/${cameraId}/snapshot`, {
          token: user.accessToken,
        });
        return answer.status === 503 && errorCode(answer) === "E_DEVICE_OFFLINE" ? undefined : answer;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
  }
}

/** The error code of a failed answer (`undefined` when the body is not an error envelope). */
export function errorCode(answer: Answer): string | undefined {
  const parsed = errorEnvelopeSchema.safeParse(answer.json);
  return parsed.success ? parsed.data.error.code : undefined;
}
