import type { CameraSource } from "@homecam/shared";
import { maskSecretsInText } from "@homecam/shared";
import type { Logger } from "@homecam/shared/node";
import { type ConnectOnvifOptions, connectOnvif, type OnvifCamera } from "../../onvif/client.js";
import { isOnvifError } from "../../onvif/errors.js";
import { selectProfiles } from "../../onvif/profile-select.js";

/** The `onvif` member of the camera source union (config: `{type: "onvif", host, port, …}`). */
export type OnvifSourceConfig = Extract<CameraSource, { type: "onvif" }>;

/** What capture needs from an ONVIF camera. */
export interface ResolvedOnvifSource {
  /** RTSP URI of the main profile, credentials included (mask it before logging). */
  streamUrl: string;
  /** Low-resolution substream of the same video source, for motion analysis, when there is one. */
  analysisStreamUrl?: string;
  /** JPEG snapshot URI of the main profile, without credentials (fetch it with `camera.snapshot`). */
  snapshotUrl?: string;
  profileToken: string;
  analysisProfileToken?: string;
  /** Video codec of the main profile (`H264` allows stream copy). */
  encoding?: string;
  width?: number;
  height?: number;
  /** The main profile can be moved (PTZ service and a PTZ configuration on the profile). */
  ptz: boolean;
  /** The connected camera, for snapshots and PTZ. */
  camera: OnvifCamera;
  /** Why these profiles were chosen (for `doctor` and logs). */
  reason: string;
}

/** Dependencies of {@link resolveOnvifSource}. */
export interface ResolveOnvifDeps {
  connect?: (opts: ConnectOnvifOptions) => Promise<OnvifCamera>;
  logger?: Logger;
  timeoutMs?: number;
}

/**
 * Connect to the configured camera, pick the main profile (configured token, else the
 * highest-resolution H.264 one) and an analysis substream, and read their URIs.
 * Rejects with an `OnvifError` (HC_ERR_ONVIF_UNREACHABLE, _AUTH, _NO_PROFILE…).
 */
export async function resolveOnvifSource(
  source: OnvifSourceConfig,
  deps: ResolveOnvifDeps = {},
): Promise<ResolvedOnvifSource> {
  const connect = deps.connect ?? connectOnvif;
  const camera = await connect({
    host: source.host,
    port: source.port,
    username: source.username,
    password: source.password,
    ...(deps.timeoutMs !== undefined ? { timeoutMs: deps.timeoutMs } : {}),
    ...(deps.logger ? { logger: deps.logger } : {}),
  });
  const choice = selectProfiles(await camera.profiles(), source.profile);
  const { main, analysis } = choice;
  const streamUrl = await camera.streamUri(main.token, source.transport);
  const resolved: ResolvedOnvifSource = {
    streamUrl,
    profileToken: main.token,
    ptz: main.ptz && camera.ptzCapable(),
    camera,
    reason: choice.reason,
  };
  if (main.encoding) resolved.encoding = main.encoding;
  if (main.width && main.height) {
    resolved.width = main.width;
    resolved.height = main.height;
  }
  if (analysis) {
    resolved.analysisStreamUrl = await camera.streamUri(analysis.token, source.transport);
    resolved.analysisProfileToken = analysis.token;
  }
  try {
    resolved.snapshotUrl = await camera.snapshotUri(main.token);
  } catch (err) {
    // Snapshots are optional in Profile S; a camera without them still records.
    if (!isOnvifError(err, "HC_ERR_ONVIF_FAULT") && !isOnvifError(err, "HC_ERR_ONVIF_PROTOCOL")) throw err;
    deps.logger?.info({ host: source.host, err }, "onvif camera gives no snapshot URI");
  }
  deps.logger?.info(
    {
      host: source.host,
      profile: main.token,
      analysisProfile: analysis?.token,
      stream: maskSecretsInText(streamUrl),
      ptz: resolved.ptz,
    },
    `onvif source resolved: ${choice.reason}`,
  );
  return resolved;
}
