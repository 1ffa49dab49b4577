import { type Logger, moduleLogger } from "@homecam/shared/node";
import type { RunningBroker } from "../broker/broker.js";
import type { ApiModule } from "../http/create-app.js";
import type { RendezvousContext } from "../rendezvous/context.js";
import { iceServerRoutes } from "./ice-server-routes.js";
import { IceServerIssuer } from "./ice-servers.js";
import { livePageRoutes } from "./live-page-routes.js";
import { RtcRelay } from "./rtc-relay.js";
import { whepRoutes } from "./whep-routes.js";
import { WhepSessions } from "./whep-sessions.js";

export interface LiveModuleDeps {
  ctx: RendezvousContext;
  presence: { isOnline(deviceId: string): boolean };
  /** The in-process revocation hook (ViewerHub.onRevoked): a revoked viewer's sessions end. */
  onRevoked?: (listener: (userId: string, deviceId: string) => void) => () => void;
  /** The TURN shared secret (loadTurnSecret); required when `rtc.turn` is configured. */
  turnSecret: string | undefined;
}

/** Live view through the cloud: WHEP relayed to devices, ICE servers, the live page. */
export interface LiveModule {
  apiModule: ApiModule;
  relay: RtcRelay;
  sessions: WhepSessions;
  /** Subscribe to the devices' `rtc/+/out` (after the broker started). */
  start(broker: Pick<RunningBroker, "subscribe" | "publish">): Promise<void>;
  close(): Promise<void>;
}

/**
 * Build the live module. Throws (at startup, before anything listens) when `rtc.turn` is
 * configured without a secret.
 */
export function liveModule(deps: LiveModuleDeps): LiveModule {
  const { ctx } = deps;
  const log: Logger = moduleLogger(ctx.log, "live");
  const ice = new IceServerIssuer(ctx.config.rtc, deps.turnSecret, ctx.clock);
  const relay = new RtcRelay({ config: ctx.config, log, clock: ctx.clock, presence: deps.presence });
  const sessions = new WhepSessions();
  const stopListening = [
    relay.onDeviceClosed((deviceId, sessionId, reason) => {
      if (sessions.forget(sessionId, deviceId))
        log.debug({ deviceId, sessionId, reason }, "device ended session");
    }),
    deps.onRevoked?.((userId, deviceId) => {
      for (const s of sessions.takeUserOnDevice(userId, deviceId)) {
        void relay.close(s.deviceId, s.sessionId, "E_FORBIDDEN: the viewer's access was revoked");
      }
    }),
  ];
  const routes = [whepRoutes({ ctx, relay, sessions, ice }), iceServerRoutes({ ice }), livePageRoutes()];
  return {
    apiModule: (registry, router) => {
      for (const mount of routes) mount(registry, router);
    },
    relay,
    sessions,
    start: (broker) => relay.start(broker),
    async close() {
      for (const stop of stopListening) stop?.();
      await relay.stop();
    },
  };
}
