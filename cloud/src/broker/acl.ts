import { DEVICE_ID_RE, direction, EVENT_KIND_RE, parseTopic, TOKEN_ID_RE, TOPIC_ROOT } from "@homecam/shared";

// The broker's authorization rules, pure (no aedes, no I/O) so they can be table- and
// property-tested. Everything not explicitly allowed is refused: `#`, `+` in the device-id level,
// `$SYS` and every other `$` topic, other roots, other devices' subtrees, the wrong direction.

/** Who is connected: a device (authenticated by its key) or the cloud's own service identity. */
export type BrokerPrincipal = { kind: "device"; deviceId: string } | { kind: "service" };

/** Longest topic or filter considered at all (parseTopic's own limit). */
const MAX_FILTER_LENGTH = 256;

/** May `principal` publish to the concrete `topic`? */
export function mayPublish(principal: BrokerPrincipal, topic: string): boolean {
  const parsed = parseTopic(topic);
  if (!parsed) return false;
  if (principal.kind === "service") return direction(parsed) === "down";
  return parsed.deviceId === principal.deviceId && direction(parsed) === "up";
}

/** May `principal` subscribe to `filter` (an MQTT topic filter, wildcards allowed where stated)? */
export function maySubscribe(principal: BrokerPrincipal, filter: string): boolean {
  if (typeof filter !== "string" || filter.length === 0 || filter.length > MAX_FILTER_LENGTH) return false;
  const levels = filter.split("/");
  const [hc, v1, dev, id, section, a, b, ...rest] = levels;
  if (`${hc}/${v1}/${dev}` !== TOPIC_ROOT || id === undefined || rest.length > 0) return false;
  const isId = (s: string | undefined): boolean => s !== undefined && TOKEN_ID_RE.test(s);
  const isIdOrPlus = (s: string | undefined): boolean => s === "+" || isId(s);
  if (principal.kind === "device") {
    // Its own down filters only: req/+ | req/{id} | rtc/+/in | rtc/{sid}/in.
    if (id !== principal.deviceId || !DEVICE_ID_RE.test(id)) return false;
    if (section === "req") return isIdOrPlus(a) && b === undefined;
    if (section === "rtc") return isIdOrPlus(a) && b === "in";
    return false;
  }
  // Service: any device (`+` or a concrete id), up-direction filters only.
  if (id !== "+" && !DEVICE_ID_RE.test(id)) return false;
  switch (section) {
    case "status":
    case "telemetry":
      return a === undefined;
    case "evt":
      return (a === "+" || (a !== undefined && EVENT_KIND_RE.test(a))) && b === undefined;
    case "res":
      return isIdOrPlus(a) && b === undefined;
    case "rtc":
      return isIdOrPlus(a) && b === "out";
    default:
      return false;
  }
}
