import { createSocket, type Socket } from "node:dgram";

// Free UDP ports on loopback for the RTP hops between processes. An ffmpeg READING RTP from an SDP
// binds the port the SDP names AND the next one (RTCP), so it needs a free pair; a port only sent
// to (the capture's tap) needs one. Another program could take a port before it is bound: the
// reader then fails and the capture's next run picks another.

function bind(port: number): Promise<Socket | null> {
  return new Promise((resolve) => {
    const socket = createSocket("udp4");
    socket.once("error", () => {
      socket.close();
      resolve(null);
    });
    socket.bind(port, "127.0.0.1", () => resolve(socket));
  });
}

/** A port `p` with `p` and `p + 1` both free for UDP on 127.0.0.1 (released before returning). */
export async function freeUdpPortPair(attempts = 20): Promise<number> {
  for (let i = 0; i < attempts; i++) {
    const rtp = await bind(0);
    if (!rtp) continue;
    const port = rtp.address().port;
    const rtcp = port < 65_535 ? await bind(port + 1) : null;
    rtp.close();
    rtcp?.close();
    if (rtcp) return port;
  }
  throw new Error("no free pair of UDP ports on 127.0.0.1");
}

/** A UDP port free on 127.0.0.1 right now (released before returning). */
export async function freeUdpPort(): Promise<number> {
  const socket = await bind(0);
  if (!socket) throw new Error("no free UDP port on 127.0.0.1");
  const { port } = socket.address();
  socket.close();
  return port;
}
