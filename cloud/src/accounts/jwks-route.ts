import type { Router } from "express";
import type { TokenService } from "../auth/token-service.js";

/**
 * `GET /.well-known/jwks.json`: the public key(s) access tokens are signed with, so other services
 * (the MQTT broker, a camera's LAN endpoint) can verify them. A bare JWK Set (RFC 7517 §5) rather
 * than the API envelope, because JOSE clients fetch it as such; hence a plain route, outside the
 * /api registry.
 */
export function jwksRoute(tokens: TokenService) {
  return (router: Router): void => {
    router.get("/.well-known/jwks.json", (_req, res) => {
      res.setHeader("Cache-Control", "public, max-age=300");
      res.json(tokens.jwks());
    });
  };
}
