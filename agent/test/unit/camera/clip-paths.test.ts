import { describe, expect, it } from "vitest";
import {
  clipFile,
  clipsDir,
  dayOf,
  isTempClipFile,
  ringDir,
  thumbnailFile,
} from "../../../src/camera/clip-paths.js";
import { tempPathFor } from "../../../src/recording/atomic-file.js";

describe("clip paths", () => {
  const started = Date.UTC(2025, 0, 31, 23, 59, 59, 999);

  it("puts clips under clips/<camera>/<UTC day>/<event>-<index>.mp4 and the thumbnail beside them", () => {
    const clips = clipsDir("/var/lib/homecam");
    expect(clips).toBe("/var/lib/homecam/clips");
    expect(clipFile(clips, "front", started, "abc_-1", 0)).toBe(
      "/var/lib/homecam/clips/front/2025-01-31/abc_-1-0.mp4",
    );
    expect(clipFile(clips, "front", started + 1, "abc", 2)).toBe(
      "/var/lib/homecam/clips/front/2025-02-01/abc-2.mp4",
    );
    expect(thumbnailFile(clips, "front", started, "abc")).toBe(
      "/var/lib/homecam/clips/front/2025-01-31/abc.jpg",
    );
    expect(ringDir("/s", "front")).toBe("/s/ring/front");
  });

  it("uses the UTC day whatever the host's zone", () => {
    expect(dayOf(Date.UTC(2024, 1, 29, 0, 0, 0))).toBe("2024-02-29");
    expect(dayOf(0)).toBe("1970-01-01");
  });

  it.each([
    [".abc-0.mp4.0a1b2c3d.tmp", true],
    [".abc-0.mp4.0a1b2c3d.tmp.ffconcat", true],
    [".abc.jpg.deadbeef.tmp", true],
    ["abc-0.mp4", false],
    ["abc.jpg", false],
    ["tmp", false],
    ["abc.tmp.mp4", false],
  ])("%s is a temporary file: %s", (name, temp) => {
    expect(isTempClipFile(name)).toBe(temp);
  });

  it("recognises the writers' own temporary names", () => {
    const tmp = tempPathFor("/c/front/2025-01-31/abc-0.mp4");
    expect(isTempClipFile(tmp)).toBe(true);
    expect(isTempClipFile(`${tmp}.ffconcat`)).toBe(true);
  });
});
