import { createHmac } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cloudConfigSchema } from "@homecam/shared";
import { afterEach, describe, expect, it } from "vitest";
import { IceServerIssuer, iceServerLinks } from "../../../src/live/ice-servers.js";
import { loadTurnSecret, mintTurnCredential, turnPassword } from "../../../src/live/turn-credentials.js";

const rtcConfig = (rtc: unknown) => cloudConfigSchema.parse({ rtc }).rtc;

describe("TURN REST API credentials", () => {
  it("matches a known vector (computed with python's hmac and `openssl dgst -sha1 -hmac`)", () => {
    expect(turnPassword("north", "1700000000:alice")).toBe("Cd/49soE35ICqcJF/bCTn8Z4OyE=");
  });

  it("mints `<expiry>:<subject>` with base64(HMAC-SHA1(secret, username)) and the expiry in ms", () => {
    const secret = "a-long-enough-shared-secret";
    const minted = mintTurnCredential(secret, "device:dev1", 1_700_000_000_999, 600);
    expect(minted.username).toBe("1700000600:device:dev1");
    const independent = createHmac("sha1", Buffer.from(secret, "utf8"))
      .update(Buffer.from(minted.username, "utf8"))
      .digest("base64");
    expect(minted.credential).toBe(independent);
    expect(minted.expiresAt).toBe(1_700_000_600_000);
  });
});

describe("loadTurnSecret", () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });
  const turn = { urls: ["turn:turn.example.org:3478?transport=udp"] };

  it("is undefined without TURN, the config's secret first, else $CREDENTIALS_DIRECTORY/turn-secret", async () => {
    expect(await loadTurnSecret(rtcConfig({}), {})).toBeUndefined();
    const inline = rtcConfig({ turn: { ...turn, secret: "0123456789abcdef-inline" } });
    expect(await loadTurnSecret(inline, {})).toBe("0123456789abcdef-inline");
    dir = await mkdtemp(join(tmpdir(), "homecam-turn-"));
    await writeFile(join(dir, "turn-secret"), "0123456789abcdef-file\n");
    expect(await loadTurnSecret(rtcConfig({ turn }), { CREDENTIALS_DIRECTORY: dir })).toBe(
      "0123456789abcdef-file",
    );
  });

  it("fails clearly when TURN is configured without a secret, or with a short one", async () => {
    await expect(loadTurnSecret(rtcConfig({ turn }), {})).rejects.toThrow(
      /rtc\.turn is configured without a secret/,
    );
    dir = await mkdtemp(join(tmpdir(), "homecam-turn-"));
    await writeFile(join(dir, "turn-secret"), "short\n");
    await expect(loadTurnSecret(rtcConfig({ turn }), { CREDENTIALS_DIRECTORY: dir })).rejects.toThrow(
      /shorter than 16/,
    );
  });
});

describe("IceServerIssuer and WHEP Link headers", () => {
  const clock = { now: () => 1_700_000_000_000 };

  it("hands out the static servers as they are, with no expiry, without TURN", () => {
    const issuer = new IceServerIssuer(
      rtcConfig({ iceServers: [{ urls: "stun:stun.example.org" }] }),
      undefined,
      clock,
    );
    expect(issuer.forUser("alice")).toEqual({ iceServers: [{ urls: "stun:stun.example.org" }] });
  });

  it("adds the TURN server with a credential per subject, and renders RFC 8288 links", () => {
    const rtc = rtcConfig({
      iceServers: [{ urls: "stun:stun.example.org" }],
      turn: { urls: ["turn:turn.example.org:3478?transport=udp"], secret: "north-north-north", ttlS: 120 },
    });
    const issuer = new IceServerIssuer(rtc, "north-north-north", clock);
    const user = issuer.forUser("alice");
    expect(user.expiresAt).toBe(1_700_000_120_000);
    expect(user.iceServers[1]).toEqual({
      urls: ["turn:turn.example.org:3478?transport=udp"],
      username: "1700000120:alice",
      credential: turnPassword("north-north-north", "1700000120:alice"),
    });
    expect(issuer.forDevice("dev1").iceServers[1]?.username).toBe("1700000120:device:dev1");
    expect(iceServerLinks(user.iceServers)).toEqual([
      '<stun:stun.example.org>; rel="ice-server"',
      `<turn:turn.example.org:3478?transport=udp>; rel="ice-server"; username="1700000120:alice"; credential="${turnPassword("north-north-north", "1700000120:alice")}"; credential-type="password"`,
    ]);
    expect(iceServerLinks([{ urls: "turn:x", username: 'a"b\\c', credential: "p\r\nq" }])).toEqual([
      '<turn:x>; rel="ice-server"; username="a\\"b\\\\c"; credential="pq"; credential-type="password"',
    ]);
  });

  it("refuses to be built with TURN and no secret", () => {
    const rtc = rtcConfig({ turn: { urls: ["turn:turn.example.org"] } });
    expect(() => new IceServerIssuer(rtc, undefined, clock)).toThrow(/without a secret/);
  });
});
