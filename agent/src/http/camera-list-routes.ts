import { ok } from "@homecam/shared";
import { Router } from "express";
import type { CameraState } from "../camera/control.js";

// `GET /api/cameras` on the LAN server (behind the token gate): what a LAN viewer may open — each
// camera's id, name and state — so the pair form and the viewer list cameras instead of asking for
// an id. Sources (URLs, device paths, credentials) are not part of it.

export interface LanCamera {
  id: string;
  name: string;
  status: CameraState["status"];
  reason?: string;
  eventActive: boolean;
  lastEventAt: number | null;
}

export function cameraListRoutes(cameras: { cameras(): CameraState[] }): Router {
  return Router().get("/api/cameras", (_req, res) => {
    const list: LanCamera[] = cameras.cameras().map((c) => ({
      id: c.id,
      name: c.name,
      status: c.status,
      ...(c.reason !== undefined && { reason: c.reason }),
      eventActive: c.eventActive,
      lastEventAt: c.lastEventAt,
    }));
    res.json(ok(list));
  });
}
