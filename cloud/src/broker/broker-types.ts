import type { Logger } from "@homecam/shared/node";
import type { DeviceRegistry } from "../devices/device-registry.js";

// The embedded broker's public shapes (broker.ts builds them).

export interface StartBrokerOptions {
  registry: DeviceRegistry;
  log: Logger;
  host: string;
  /** 0 = any free port (tests). */
  port: number;
  maxPacketBytes: number;
  tlsCertFile?: string;
  tlsKeyFile?: string;
}

/** Credentials of the in-process service identity. Never logged, never sent anywhere but the broker. */
export interface ServiceCredentials {
  username: string;
  password: string;
  /** A client id the service may use (`homecam-cloud:<suffix>`). */
  clientId(suffix: string): string;
}

/** Receives the messages of an in-process subscription. Must not throw (a throw is logged). */
export type ServiceMessageHandler = (topic: string, payload: Buffer) => void;

/** Told when a device's MQTT connection to this broker opens (`true`) or closes (`false`). */
export type DeviceConnectionListener = (deviceId: string, connected: boolean) => void;

export interface RunningBroker {
  readonly port: number;
  readonly host: string;
  readonly tls: boolean;
  /** For in-process MQTT clients of the cloud (tests, a separate worker in the same process). */
  readonly service: ServiceCredentials;
  /** Publish a down-direction message as the service; refused (throws) for any other topic. */
  publish(topic: string, payload: string | Buffer, opts?: { qos?: 0 | 1 }): Promise<void>;
  /**
   * Subscribe in process, as the service identity (only filters the ACL allows the service: the
   * up-direction topics). Validated device payloads only; retained messages are not replayed.
   * Resolves with the function that ends the subscription.
   */
  subscribe(filter: string, handler: ServiceMessageHandler): Promise<() => Promise<void>>;
  /**
   * Listen to device connections to this broker (from aedes' `client` / `clientDisconnect`, so a
   * takeover reports the old connection closed before the new one opens). Returns the remover.
   */
  onDeviceConnection(listener: DeviceConnectionListener): () => void;
  /** Number of connected, authenticated clients. */
  connectedClients(): number;
  /** Stop listening, disconnect every client, close aedes. Idempotent. */
  close(): Promise<void>;
}
