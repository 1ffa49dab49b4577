import { describe, expect, it } from "vitest";
import { lostClipNotice, motionNotice, offlineNotice } from "../../../src/notifications/notices.js";
import { notificationMail } from "../../../src/notifications/notification-mail.js";
import { notificationView } from "../../../src/notifications/notification-views.js";

const AT = Date.UTC(2025, 0, 2, 3, 4, 5);
const event = {
  id: "ev1",
  deviceId: "dev1",
  cameraId: "cam1",
  type: "motion" as const,
  startedAt: new Date(AT).toISOString(),
  endedAt: null,
  durationMs: null,
  score: 0.5,
  boxes: [],
  thumbnailKey: null,
  isPinned: false,
  acknowledged: false,
  createdAt: new Date(AT).toISOString(),
  updatedAt: new Date(AT).toISOString(),
};

describe("notices", () => {
  it("name the camera or device, in UTC, with the ids a viewer links to", () => {
    expect(motionNotice("dev1", event, "Porch")).toMatchObject({
      type: "motion",
      priority: "medium",
      title: "Motion at Porch",
      message: "Movement was detected by Porch at 2025-01-02 03:04:05 UTC.",
      metadata: { eventId: "ev1", cameraId: "cam1", deviceId: "dev1" },
      dedupeKey: "motion:ev1",
    });
    expect(offlineNotice("dev1", "Garage Pi", AT)).toMatchObject({
      type: "system",
      priority: "high",
      title: "Garage Pi is offline",
    });
    const lost = lostClipNotice("dev1", "r1", "disk-budget", {
      recordingId: null,
      cameraId: null,
      cameraName: null,
      startedAt: null,
      durationMs: null,
    });
    expect(lost).toMatchObject({
      type: "security",
      priority: "high",
      title: "A clip was lost before upload",
    });
    expect(lost.dedupeKey).toBe("clip:dev1:r1");
  });

  it("make a plain-text e-mail whose subject is the title", () => {
    const view = notificationView({
      id: "n1",
      user_id: "u1",
      type: "motion",
      priority: "medium",
      title: "Motion at Porch",
      message: "Movement was detected by Porch.",
      metadata_json: null,
      device_id: null,
      camera_id: null,
      event_id: null,
      dedupe_key: null,
      is_read: 0,
      read_at: null,
      created_at: AT,
    });
    const mail = notificationMail("a@example.test", view, "https://cam.example.test/app");
    expect(mail.subject).toBe("homecam: Motion at Porch");
    expect(mail.text).toContain("Movement was detected by Porch.");
    expect(mail.text).toContain("When: 2025-01-02 03:04:05 UTC");
    expect(mail.text).toContain("https://cam.example.test/");
  });
});
