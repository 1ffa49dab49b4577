import type { CloudConfig, IceServer, IceServersResponse } from "@homecam/shared";
import type { Clock } from "../security/clock.js";
import { mintTurnCredential } from "./turn-credentials.js";

/**
 * The ICE servers one peer should use: the deployment's static STUN/TURN servers as configured,
 * plus the TURN server with a credential minted for this subject (a user id for a viewer,
 * `device:<id>` for the agent's end of a relayed session), so the TURN server's logs say whose
 * relay it is and a credential leaked by one peer names that peer.
 */
export class IceServerIssuer {
  constructor(
    private readonly rtc: CloudConfig["rtc"],
    /** Required when `rtc.turn` is set (see loadTurnSecret). */
    private readonly turnSecret: string | undefined,
    private readonly clock: Clock,
  ) {
    if (rtc.turn && !turnSecret) throw new Error("rtc.turn is configured without a secret");
  }

  forSubject(subject: string): IceServersResponse {
    const iceServers: IceServer[] = this.rtc.iceServers.map((s) => ({ ...s }));
    const turn = this.rtc.turn;
    if (!turn || !this.turnSecret) return { iceServers };
    const minted = mintTurnCredential(this.turnSecret, subject, this.clock.now(), turn.ttlS);
    iceServers.push({ urls: [...turn.urls], username: minted.username, credential: minted.credential });
    return { iceServers, expiresAt: minted.expiresAt };
  }

  forUser(userId: string): IceServersResponse {
    return this.forSubject(userId);
  }

  forDevice(deviceId: string): IceServersResponse {
    return this.forSubject(`device:${deviceId}`);
  }
}

/**
 * WHEP's ICE server `Link` header values (draft-ietf-wish-whep §4.4, RFC 8288): one per URL,
 * `<turn:host?transport=udp>; rel="ice-server"; username="…"; credential="…"; credential-type="password"`.
 */
export function iceServerLinks(servers: readonly IceServer[]): string[] {
  return servers.flatMap((server) =>
    (Array.isArray(server.urls) ? server.urls : [server.urls]).map((url) => {
      let link = `<${linkTarget(url)}>; rel="ice-server"`;
      if (server.username !== undefined) link += `; username=${quoted(server.username)}`;
      if (server.credential !== undefined) {
        link += `; credential=${quoted(server.credential)}; credential-type="password"`;
      }
      return link;
    }),
  );
}

// The URL schema forbids whitespace only; `<` and `>` would end the target early.
function linkTarget(url: string): string {
  return url.replace(/</g, "%3C").replace(/>/g, "%3E");
}

// RFC 9110 §5.6.4 quoted-string: backslash-escape `"` and `\`; control characters (which Node
// would refuse in a header, failing the whole answer) cannot appear in one and are dropped.
function quoted(value: string): string {
  const clean = value.replace(/[\u0000-\u001f\u007f]/g, "");
  return `"${clean.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}
