import { LAN_TOKEN_TYP } from "@homecam/shared";
import { createLogger } from "@homecam/shared/node";
import { type CryptoKey, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIngest, type Ingest } from "../../../src/ingest/create-ingest.js";
import { LanTokenVerifier } from "../../../src/lan-auth/lan-token-verifier.js";
import { RevocationStore } from "../../../src/lan-auth/revocations.js";
import { openAgentStore } from "../../../src/store/agent-store.js";
import { tempDir } from "../capture/helpers.js";
import { startLanTestServer } from "../lan-test-server.js";
import { offerer } from "./node-publisher.js";

// WHIP with CLOUD-issued LAN tokens (the real verifier, a key it trusts as it trusts the cached
// JWKS): the device owner's token publishes, a viewer's is refused; the page and script are served
// without a token and hold no inline script.

const DEVICE_ID = "dev-whip-cloud";
const ISSUER = "https://cloud.whip.test";
const KID = "whip-test-key";
const log = createLogger({ name: "test", level: "silent" });

let url = "";
let ingest: Ingest;
let sign: (role: "owner" | "viewer") => Promise<string>;
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  const dir = await tempDir("whip-cloud");
  const store = await openAgentStore(dir.path, { log });
  const { publicKey, privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
  const verifier = new LanTokenVerifier({
    cloud: {
      keys: { key: async (kid) => (kid === KID ? (publicKey as CryptoKey) : undefined) },
      issuer: ISSUER,
    },
    revocations: new RevocationStore(store.db),
    deviceId: DEVICE_ID,
    log,
  });
  sign = (role) =>
    new SignJWT({ role })
      .setProtectedHeader({ alg: "EdDSA", typ: LAN_TOKEN_TYP, kid: KID })
      .setIssuer(ISSUER)
      .setAudience(DEVICE_ID)
      .setSubject(`user-${role}`)
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(privateKey);
  ingest = createIngest({
    stateDir: dir.path,
    cameraSource: (id) =>
      id === "phone" ? { type: "browser", width: 640, height: 480, fps: 15 } : undefined,
    log,
  });
  await ingest.module.start(new AbortController().signal);
  const server = await startLanTestServer({
    verifyToken: verifier.verify,
    log,
    publicRoutes: ingest.publicRoutes,
    routes: ingest.routes,
  });
  url = server.url ?? "";
  cleanups.push(
    () => ingest.module.stop(),
    () => server.stop(),
    () => store.close(),
    () => dir.remove(),
  );
});

afterAll(async () => {
  for (const c of cleanups) await c();
});

describe("WHIP with cloud-issued LAN tokens", () => {
  it("lets the owner publish and read the capture settings; refuses a viewer", async () => {
    const pc = offerer();
    pc.addTransceiver("video", { direction: "sendonly" });
    await pc.setLocalDescription(await pc.createOffer());
    const post = async (token: string) =>
      fetch(`${url}/api/cameras/phone/whip`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/sdp" },
        body: pc.localDescription?.sdp ?? "",
      });
    const viewer = await post(await sign("viewer"));
    expect(viewer.status).toBe(403);
    const owner = await post(await sign("owner"));
    expect(owner.status).toBe(201);
    expect(owner.headers.get("content-type")).toContain("application/sdp");
    expect(await owner.text()).toMatch(/^a=rtpmap:\d+ H264\/90000/m);
    expect(ingest.hub.publisherCount).toBe(1);
    await pc.close();

    const settings = await fetch(`${url}/api/cameras/phone/whip`, {
      headers: { authorization: `Bearer ${await sign("owner")}` },
    });
    expect(await settings.json()).toEqual({ ok: true, data: { width: 640, height: 480, fps: 15 } });
  });

  it("serves /capture and its script without a token, with no inline script", async () => {
    const page = await fetch(`${url}/capture?camera=phone`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<script src="/capture/homecam-capture.js" defer></script>');
    expect(html).not.toMatch(/<script>(?!<\/script>)/);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
    const script = await fetch(`${url}/capture/homecam-capture.js`);
    expect(script.headers.get("content-type")).toContain("text/javascript");
    expect(await script.text()).toContain("getUserMedia");
    // A hostile camera id is not echoed into the page.
    expect(await (await fetch(`${url}/capture?camera=%3Cscript%3E`)).text()).not.toContain("<script>");
  });
});
