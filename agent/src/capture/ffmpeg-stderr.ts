import { maskSecretsInText } from "@homecam/shared";

/**
 * The last lines ffmpeg wrote to stderr, credentials masked as they arrive, so a status reason or a
 * log line built from them can never leak a camera password.
 */
export class StderrTail {
  readonly #max: number;
  readonly #lines: string[] = [];
  #partial = "";

  constructor(maxLines = 40) {
    this.#max = maxLines;
  }

  /** Add a chunk; returns the complete (masked) lines it finished. */
  push(chunk: string): string[] {
    const parts = (this.#partial + chunk).split(/\r\n|\r|\n/);
    this.#partial = parts.pop() ?? "";
    // Bound a line that never ends (binary garbage) rather than growing forever.
    if (this.#partial.length > 4096) this.#partial = this.#partial.slice(-4096);
    const done = parts.filter((l) => l.trim() !== "").map(maskSecretsInText);
    for (const line of done) {
      this.#lines.push(line);
      if (this.#lines.length > this.#max) this.#lines.shift();
    }
    return done;
  }

  lines(): readonly string[] {
    return this.#lines;
  }

  last(): string | undefined {
    return this.#lines.at(-1);
  }
}

/** Why ffmpeg could not capture, as an operator would say it. */
export interface FfmpegFailure {
  code:
    | "unauthorized"
    | "forbidden"
    | "not-found"
    | "no-device"
    | "device-busy"
    | "permission-denied"
    | "connection-refused"
    | "dns"
    | "unreachable"
    | "timeout"
    | "invalid-data";
  message: string;
}

// Most specific first: a 401 is usually followed by a generic "Invalid data" or exit line.
const RULES: ReadonlyArray<readonly [RegExp, FfmpegFailure]> = [
  [
    /401 Unauthorized|authorization failed/i,
    { code: "unauthorized", message: "401 unauthorized: the camera refused the user name or password" },
  ],
  [/403 Forbidden/i, { code: "forbidden", message: "403 forbidden: this user may not open the stream" }],
  [/404 Not Found/i, { code: "not-found", message: "404 not found: check the stream path in the URL" }],
  [
    /\/dev\/video\d+.*No such file or directory|No such device|Cannot open video device/i,
    { code: "no-device", message: "no such device: is the camera plugged in?" },
  ],
  [
    /Device or resource busy/i,
    { code: "device-busy", message: "device busy: another program is using the camera" },
  ],
  [
    /Permission denied/i,
    { code: "permission-denied", message: "permission denied (is the user in the video group?)" },
  ],
  [
    /Connection refused/i,
    { code: "connection-refused", message: "connection refused: is the camera on and the port right?" },
  ],
  [
    /Name or service not known|Temporary failure in name resolution|Failed to resolve hostname/i,
    { code: "dns", message: "the camera's host name does not resolve" },
  ],
  [
    /No route to host|Network is unreachable|Host is unreachable/i,
    { code: "unreachable", message: "the camera is unreachable on the network" },
  ],
  // Not the `?timeout=5000000` ffmpeg prints inside tcp:// URLs.
  [/timed out|\btimeout(?![=\w])/i, { code: "timeout", message: "timeout: the camera stopped answering" }],
  [
    /Invalid data found when processing input|could not find codec parameters/i,
    { code: "invalid-data", message: "invalid data: the source does not send video ffmpeg understands" },
  ],
];

/** Map ffmpeg's last stderr lines to a known failure, or undefined when none matches. */
export function classifyFfmpegStderr(lines: readonly string[]): FfmpegFailure | undefined {
  const text = lines.join("\n");
  for (const [pattern, failure] of RULES) if (pattern.test(text)) return failure;
  return undefined;
}

/**
 * Watches stderr for the analysis output's header, e.g.
 *   Output #1, rawvideo, to 'pipe:1':
 *     Stream #1:0: Video: rawvideo (Y800 / 0x30303859), gray(pc, progressive), 320x180 [SAR 1:1 DAR 16:9], …
 * which tells the frame size when the source size was not known before ffmpeg probed it.
 */
export class RawvideoSizeProbe {
  #output: string | undefined;

  /** Feed one line; returns the size once the analysis stream's line is seen. */
  feed(line: string): { width: number; height: number } | undefined {
    const out = /^Output #(\d+), rawvideo, to 'pipe:1'/.exec(line);
    if (out) {
      this.#output = out[1];
      return undefined;
    }
    if (this.#output === undefined) return undefined;
    const stream = /Stream #(\d+):\d+.*: Video: rawvideo.*?, (\d+)x(\d+)[\s,[]/.exec(line);
    if (!stream || stream[1] !== this.#output) return undefined;
    this.#output = undefined;
    return { width: Number(stream[2]), height: Number(stream[3]) };
  }
}
