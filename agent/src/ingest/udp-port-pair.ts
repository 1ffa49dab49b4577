import { createSocket, type Socket } from "node:dgram";

// The capture ffmpeg binds the RTP port its SDP names AND the next one (RTCP), so the ingest picks
// a pair that is free on loopback right now: the OS chooses the first, the second is tried.

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
