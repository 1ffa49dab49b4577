import { EventEmitter } from "node:events";
import {
  ApiError,
  type CommandArgs,
  cameraConfigSchema,
  cameraSettingsPatchSchema,
  type MessageBody,
  type MessageBodyInput,
} from "@homecam/shared";
import type { Logger } from "@homecam/shared/node";
import type { z } from "zod";
import type { CameraRuntimeControl } from "../camera/control.js";
import { createPtzController, type PtzController } from "../onvif/ptz.js";
import { commandFailure, wireMessage } from "./command-errors.js";
import type { EventDeletion } from "./event-deletion.js";
import { fitJpeg } from "./jpeg-fit.js";
import { RequestCache, type RequestCacheOptions } from "./request-cache.js";

/** A validated `command` body. */
export type Command = MessageBody<"command">;
/** A `command.result` body. */
export type CommandResult = MessageBodyInput<"command.result">;

export interface CommandHandlerOptions {
  control: CameraRuntimeControl;
  log: Logger;
  /** Default: a controller over `control.ptzTarget`. */
  ptz?: PtzController;
  ffmpegPath?: string;
  /**
   * Deletes an event's local clips for `event.delete`, one clip for `recording.delete` (absent:
   * neither command is implemented).
   */
  events?: Pick<EventDeletion, "delete" | "deleteRecording">;
  /** De-duplication of request ids (default: answers kept 10 min, at most 500). */
  cache?: RequestCacheOptions;
}

type HandlerEvents = {
  /** The cloud revoked `userId`'s grant: end their live sessions and LAN tokens. */
  grantsRevoked: [{ userId: string }];
};

/**
 * Executes the cloud's remote commands against the cameras and answers each with a
 * `command.result` body. Requests are at-least-once: a request id is executed once, a repeat gets
 * the same answer (waiting for it while it runs). Never throws: every failure is an answer with a
 * catalogue code.
 */
export class CommandHandler extends EventEmitter<HandlerEvents> {
  readonly #o: CommandHandlerOptions;
  readonly #ptz: PtzController;
  readonly #cache: RequestCache<CommandResult>;

  constructor(opts: CommandHandlerOptions) {
    super();
    this.#o = opts;
    this.#ptz =
      opts.ptz ?? createPtzController({ lookup: (id) => opts.control.ptzTarget(id), logger: opts.log });
    this.#cache = new RequestCache(opts.cache);
  }

  /** The answer to request `requestId` (executed at most once per id). */
  handle(requestId: string, command: Command): Promise<CommandResult> {
    const { answer, repeated } = this.#cache.run(requestId, () => this.#answer(requestId, command));
    if (repeated) this.#o.log.info({ requestId, command: command.name }, "repeated request: same answer");
    return answer;
  }

  /** Cancel pending PTZ automatic stops (agent shutdown). */
  dispose(): void {
    this.#ptz.dispose();
  }

  async #answer(requestId: string, command: Command): Promise<CommandResult> {
    try {
      const data = await this.#execute(command);
      this.#o.log.info({ requestId, command: command.name }, "command done");
      return data === undefined ? { ok: true } : { ok: true, data };
    } catch (err) {
      const error = commandFailure(err);
      const level = error.code === "E_INTERNAL" ? "error" : "info";
      this.#o.log[level]({ requestId, command: command.name, code: error.code, err }, "command failed");
      return { ok: false, error };
    }
  }

  #execute(command: Command): Promise<unknown> {
    const { control } = this.#o;
    switch (command.name) {
      case "snapshot":
        return this.#snapshot(command.args.cameraId);
      case "settings.get": {
        const { cameraId } = command.args;
        return Promise.resolve(cameraId ? control.settings(cameraId) : { cameras: control.allSettings() });
      }
      case "settings.set":
        return this.#settingsSet(command.args);
      case "ptz.move":
        return this.#ptz.move(command.args);
      case "ptz.stop":
        return this.#ptz.stop(command.args).then(() => ({ stopped: true }));
      case "ptz.preset":
        return this.#ptz.preset(command.args);
      case "record.now":
        return this.#recordNow(command.args);
      case "arm":
      case "disarm": {
        const armed = command.name === "arm";
        return control.setArmed(command.args.cameraId, armed).then((cameras) => ({ armed, cameras }));
      }
      case "camera.restart":
        return control.restart(command.args.cameraId).then(() => ({ cameraId: command.args.cameraId }));
      case "camera.add": {
        // Shaped by the message schema already; checked again here, this agent's schema is the law.
        const camera = validated(cameraConfigSchema, command.args.camera, "camera");
        return control.addCamera(camera);
      }
      case "event.delete":
        if (!this.#o.events) {
          return Promise.reject(new ApiError("E_NOT_IMPLEMENTED", "event.delete is not supported here"));
        }
        return this.#o.events.delete(command.args.eventId);
      case "recording.delete":
        if (!this.#o.events) {
          return Promise.reject(new ApiError("E_NOT_IMPLEMENTED", "recording.delete is not supported here"));
        }
        return this.#o.events.deleteRecording(command.args.recordingId);
      case "grants.revoked":
        this.emit("grantsRevoked", { userId: command.args.userId });
        return Promise.resolve({ userId: command.args.userId });
    }
  }

  async #snapshot(cameraId: string): Promise<{ contentType: "image/jpeg"; dataBase64: string }> {
    const jpeg = await this.#o.control.snapshot(cameraId);
    const fitted = await fitJpeg(jpeg, { ...(this.#o.ffmpegPath && { ffmpegPath: this.#o.ffmpegPath }) });
    return { contentType: "image/jpeg", dataBase64: fitted.toString("base64") };
  }

  async #settingsSet(args: CommandArgs<"settings.set">): Promise<unknown> {
    if (args.cameraId === undefined) {
      throw new ApiError("E_NOT_IMPLEMENTED", "this agent has no device-wide settings; give a cameraId");
    }
    // Unknown camera first: E_NOT_FOUND says more than a validation error about a camera that is not there.
    this.#o.control.settings(args.cameraId);
    const patch = validated(cameraSettingsPatchSchema, args.patch, "patch");
    return this.#o.control.updateSettings(args.cameraId, patch);
  }

  async #recordNow(args: CommandArgs<"record.now">): Promise<unknown> {
    const done = await this.#o.control.recordNow(args.cameraId, args.seconds);
    return {
      eventId: done.eventId,
      recordings: done.recordings.map((r) => ({
        id: r.id,
        durationMs: r.durationMs,
        sizeBytes: r.sizeBytes,
      })),
    };
  }
}

/** `value` parsed with `schema`, or `E_VALIDATION` naming the first issues. */
function validated<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues
    .slice(0, 5)
    .map((i) => `${[what, ...i.path.map(String)].join(".")}: ${i.message}`)
    .join("; ");
  throw new ApiError("E_VALIDATION", wireMessage(`invalid ${what}: ${issues}`));
}
