import { describe, expect, it } from "vitest";
import { refusalError } from "../../../src/live/rtc-relay.js";
import { MAX_SESSIONS_PER_USER, WhepSessions } from "../../../src/live/whep-sessions.js";

const session = (n: number, userId = "u1", deviceId = "d1") => ({
  sessionId: `s${n}`,
  deviceId,
  cameraId: `cam-${deviceId}`,
  userId,
});

describe("WhepSessions", () => {
  it("answers a session only to its own user on its own camera", () => {
    const sessions = new WhepSessions();
    sessions.add(session(1));
    expect(sessions.owned("s1", "u1", "cam-d1")?.deviceId).toBe("d1");
    expect(sessions.owned("s1", "u2", "cam-d1")).toBeUndefined();
    expect(sessions.owned("s1", "u1", "cam-other")).toBeUndefined();
    expect(sessions.owned("s2", "u1", "cam-d1")).toBeUndefined();
  });

  it("lets only the session's device forget it", () => {
    const sessions = new WhepSessions();
    sessions.add(session(1));
    expect(sessions.forget("s1", "d2")).toBeUndefined();
    expect(sessions.has("s1")).toBe(true);
    expect(sessions.forget("s1", "d1")?.sessionId).toBe("s1");
    expect(sessions.has("s1")).toBe(false);
  });

  it("evicts a user's oldest sessions beyond the cap, never another user's", () => {
    const sessions = new WhepSessions();
    sessions.add(session(0, "u2"));
    for (let n = 1; n <= MAX_SESSIONS_PER_USER; n++) expect(sessions.add(session(n))).toEqual([]);
    expect(sessions.add(session(99))).toEqual([session(1)]);
    expect(sessions.size).toBe(MAX_SESSIONS_PER_USER + 1);
    expect(sessions.has("s0")).toBe(true);
  });

  it("takes every session of a revoked user on that device only", () => {
    const sessions = new WhepSessions();
    sessions.add(session(1));
    sessions.add(session(2));
    sessions.add(session(3, "u1", "d2"));
    sessions.add(session(4, "u2"));
    expect(sessions.takeUserOnDevice("u1", "d1").map((s) => s.sessionId)).toEqual(["s1", "s2"]);
    expect([..."34"].every((n) => sessions.has(`s${n}`))).toBe(true);
    expect(sessions.size).toBe(2);
  });
});

describe("refusalError", () => {
  it("takes a leading catalogue code, remaps the viewer's own auth codes, else E_INTERNAL", () => {
    expect(refusalError("E_NOT_FOUND: camera is private")).toMatchObject({
      code: "E_NOT_FOUND",
      message: "camera is private",
    });
    expect(refusalError("E_TOKEN_EXPIRED: x").code).toBe("E_INTERNAL");
    expect(refusalError("E_NO_SUCH_CODE: x").code).toBe("E_INTERNAL");
    expect(refusalError(undefined).code).toBe("E_INTERNAL");
    expect(refusalError("peer failed")).toMatchObject({
      code: "E_INTERNAL",
      message: "the device refused: peer failed",
    });
  });
});
