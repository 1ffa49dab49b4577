/** What the agent needs to know about the host it runs on. */
export interface BoardProfile {
  id:
    | "raspberry-pi-zero-2"
    | "raspberry-pi-3"
    | "raspberry-pi-4"
    | "raspberry-pi-5"
    | "termux"
    | "generic-linux";
  name: string;
  /** Analysis frames per second that keep the board cool with one camera. */
  defaultAnalysisFps: number;
  /** Hardware H.264 encoders worth trying first (a one-second test encode decides). */
  preferredEncoders: readonly string[];
  /** Whether rpicam-vid/libcamera-vid may exist. */
  hasPiCamera: boolean;
}

/** Inputs the board is recognised from; all optional, gathered by `readBoardFacts`. */
export interface BoardFacts {
  /** Contents of /proc/device-tree/model (NUL-terminated on real boards). */
  deviceTreeModel?: string | undefined;
  /** `$PREFIX` / `$TERMUX_VERSION` present: running inside Termux on Android. */
  termux?: boolean;
}

/** The chosen profile and the reason, for the start-up log line. */
export interface BoardChoice {
  profile: BoardProfile;
  reason: string;
}

const PI_ENCODERS = ["h264_v4l2m2m"] as const;

const PROFILES: Record<BoardProfile["id"], BoardProfile> = {
  "raspberry-pi-zero-2": {
    id: "raspberry-pi-zero-2",
    name: "Raspberry Pi Zero 2 W",
    defaultAnalysisFps: 3,
    preferredEncoders: PI_ENCODERS,
    hasPiCamera: true,
  },
  "raspberry-pi-3": {
    id: "raspberry-pi-3",
    name: "Raspberry Pi 3",
    defaultAnalysisFps: 4,
    preferredEncoders: PI_ENCODERS,
    hasPiCamera: true,
  },
  "raspberry-pi-4": {
    id: "raspberry-pi-4",
    name: "Raspberry Pi 4",
    defaultAnalysisFps: 5,
    preferredEncoders: PI_ENCODERS,
    hasPiCamera: true,
  },
  // The Pi 5 has no hardware H.264 encoder: libx264 only, which is why stream copy matters there.
  "raspberry-pi-5": {
    id: "raspberry-pi-5",
    name: "Raspberry Pi 5",
    defaultAnalysisFps: 5,
    preferredEncoders: [],
    hasPiCamera: true,
  },
  termux: {
    id: "termux",
    name: "Android (Termux)",
    defaultAnalysisFps: 5,
    preferredEncoders: ["h264_mediacodec"],
    hasPiCamera: false,
  },
  "generic-linux": {
    id: "generic-linux",
    name: "Linux computer",
    defaultAnalysisFps: 5,
    preferredEncoders: ["h264_vaapi", "h264_qsv", "h264_nvenc"],
    hasPiCamera: false,
  },
};

/** Pick the board profile from gathered facts. Pure: tested on captured device-tree strings. */
export function selectBoard(facts: BoardFacts): BoardChoice {
  if (facts.termux) return { profile: PROFILES.termux, reason: "Termux environment detected" };
  const model = facts.deviceTreeModel?.replace(/\0/g, "").trim();
  if (model) {
    const rules: [RegExp, BoardProfile["id"]][] = [
      [/Raspberry Pi Zero 2/i, "raspberry-pi-zero-2"],
      [/Raspberry Pi 3/i, "raspberry-pi-3"],
      [/Raspberry Pi 4|Raspberry Pi Compute Module 4|Raspberry Pi 400/i, "raspberry-pi-4"],
      [/Raspberry Pi 5|Raspberry Pi Compute Module 5|Raspberry Pi 500/i, "raspberry-pi-5"],
    ];
    for (const [re, id] of rules) {
      if (re.test(model)) return { profile: PROFILES[id], reason: `device-tree model "${model}"` };
    }
    return { profile: PROFILES["generic-linux"], reason: `unrecognised device-tree model "${model}"` };
  }
  return { profile: PROFILES["generic-linux"], reason: "no device-tree model (PC or VM)" };
}
