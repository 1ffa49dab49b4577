import { entityIdSchema } from "@homecam/shared";
import type { Logger } from "@homecam/shared/node";
import { z } from "zod";
import type { CameraSettings } from "../camera/camera-settings.js";
import type { CloudApi } from "./cloud-api.js";

/** `POST /api/cameras` answer to a device: the cloud id of each camera it registered. */
const registeredSchema = z.array(
  z.object({ id: entityIdSchema, localId: entityIdSchema, removed: z.boolean() }),
);

/** One camera as the cloud knows it. */
export interface RegisteredCamera {
  /** The cloud's camera id. */
  id: string;
  /** The camera's id on this agent. */
  localId: string;
  /** The owner removed it in the cloud: the cloud ignores it. */
  removed: boolean;
}

export interface CameraRegistrationOptions {
  api: Pick<CloudApi, "call">;
  /** The agent's cameras now. */
  cameras: () => readonly Pick<CameraSettings, "id" | "name" | "sourceKind">[];
  log: Pick<Logger, "info" | "warn">;
}

/**
 * Registers the agent's cameras with the cloud (`POST /api/cameras`) and keeps the mapping from
 * local to cloud ids. Registration is idempotent on the cloud's side, so it runs on every MQTT
 * connect and whenever the camera list changes; a failure is logged and retried next time.
 */
export class CameraRegistration {
  readonly #o: CameraRegistrationOptions;
  #mapping: RegisteredCamera[] = [];
  /** The body of the last attempt, successful or not. */
  #attempted: string | undefined;
  #inFlight: Promise<boolean> | undefined;

  constructor(opts: CameraRegistrationOptions) {
    this.#o = opts;
  }

  /** The mapping from the last successful registration. */
  get cameras(): readonly RegisteredCamera[] {
    return this.#mapping;
  }

  /**
   * True when the camera list changed since the last attempt. A failed attempt is not retried for
   * that reason (that waits for the next connect), so a refusing cloud is not called every poll.
   */
  changed(): boolean {
    return JSON.stringify(this.#body()) !== this.#attempted;
  }

  /** The cloud id of a camera of this agent the cloud still knows (for the HTTP heartbeat). */
  heartbeatTarget(): string | undefined {
    return this.#mapping.find((c) => !c.removed)?.id;
  }

  /** Register now; resolves true on success. Never throws. Concurrent calls share one request. */
  register(): Promise<boolean> {
    this.#inFlight ??= this.#register().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async #register(): Promise<boolean> {
    const body = this.#body();
    this.#attempted = JSON.stringify(body);
    try {
      const answer = registeredSchema.safeParse(await this.#o.api.call("POST", "/api/cameras", body));
      if (!answer.success) {
        this.#o.log.warn({ issues: answer.error.issues.slice(0, 3) }, "camera registration: bad answer");
        return false;
      }
      this.#mapping = answer.data;
      this.#o.log.info({ cameras: answer.data.length }, "cameras registered with the cloud");
      return true;
    } catch (err) {
      this.#o.log.warn({ err }, "camera registration failed; retried at the next connect");
      return false;
    }
  }

  #body(): { cameras: { localId: string; name: string; sourceKind: string }[] } {
    return {
      cameras: this.#o
        .cameras()
        .map((c) => ({ localId: c.id, name: c.name.trim(), sourceKind: c.sourceKind })),
    };
  }
}
