import { ok } from "@homecam/shared";
import type { RequestHandler } from "express";

export interface HealthDeps {
  version: string;
  /** Seconds since the agent started. */
  uptimeS: () => number;
}

/** `GET /health`: unauthenticated liveness for load balancers, systemd probes and the viewer. */
export function healthRoute(deps: HealthDeps): RequestHandler {
  return (_req, res) => {
    res.setHeader("Cache-Control", "no-store");
    res.json(ok({ status: "ok", version: deps.version, uptimeS: deps.uptimeS() }));
  };
}
