// Public API of capture: one supervised ffmpeg per camera feeding the ring and the analysis frames.
export { CaptureError, type CaptureErrorCode } from "./capture-error.js";
export { type Clock, systemClock, type TimerHandle } from "./clock.js";
export {
  analysisHeight,
  type BuildContext,
  buildCaptureCommand,
  buildFfmpegArgs,
  type CaptureSettings,
  type FfmpegPlan,
  formatCommandLine,
  type OutputSpec,
  type PipePlan,
  SEGMENT_LIST_FD,
} from "./ffmpeg-args.js";
export { classifyFfmpegStderr, type FfmpegFailure } from "./ffmpeg-stderr.js";
export { type AnalysisFrame, FrameReader, type FrameReaderOptions } from "./frame-reader.js";
export {
  DEFAULT_BACKOFF_MS,
  type RestartDecision,
  RestartPolicy,
  type RestartPolicyOptions,
} from "./restart-policy.js";
export {
  type RingFs,
  type RingHold,
  ringKeepMs,
  SegmentRing,
  type SegmentRingOptions,
  selectExpired,
} from "./ring-buffer.js";
export type { Segment } from "./segment.js";
export { parseSegmentListLine, type SegmentListEntry, SegmentTimeline } from "./segment-list.js";
export {
  type ProducerCommand,
  type SourceContext,
  type SourceInput,
  sourceInput,
  withCredentials,
} from "./source-input.js";
export {
  CaptureSession,
  type CaptureSessionOptions,
  type CaptureState,
  type CaptureStatus,
  type OnvifResolver,
} from "./supervisor.js";
export { type TestScene, testSceneGraph } from "./test-scene.js";
