import { CloudApi } from "../../../src/cloud/cloud-api.js";
import { PairingManager } from "../../../src/cloud/pairing-manager.js";
import { ControlServer } from "../../../src/control/control-server.js";
import { controlSocketPath } from "../../../src/control/protocol.js";
import { type DeviceIdentity, loadOrCreateDeviceIdentity } from "../../../src/identity/device-identity.js";
import { silent } from "../cli-helpers.js";
import { FakeCameraControl } from "../control/fake-camera-control.js";

// The running agent's pairing side, wired as main.ts wires it: the device identity from the state
// directory, the real cloud REST client, the pairing manager and the control socket.

export interface PairingAgent {
  identity: DeviceIdentity;
  /** Null when started with the cloud disabled. */
  manager: PairingManager | null;
  server: ControlServer;
  socketPath: string;
}

/** Start the control socket in `stateDir`; `cloudUrl` null means `cloud.enabled: false`. */
export async function startPairingAgent(stateDir: string, cloudUrl: string | null): Promise<PairingAgent> {
  const identity = await loadOrCreateDeviceIdentity(stateDir);
  const manager =
    cloudUrl === null
      ? null
      : new PairingManager({ api: new CloudApi({ baseUrl: cloudUrl, identity }), log: silent });
  const socketPath = controlSocketPath(stateDir);
  const server = new ControlServer({
    socketPath,
    control: new FakeCameraControl(),
    ...(manager ? { pairing: manager } : {}),
    log: silent,
  });
  await server.start(new AbortController().signal);
  return { identity, manager, server, socketPath };
}
