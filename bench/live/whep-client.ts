// The agent's WHEP endpoint as a viewer uses it: POST the SDP offer with the LAN token, keep the
// session's Location, DELETE it at the end.

import { type AgentUnderTest, BENCH_CAMERA } from "./agent-process.js";
import type { Answerer } from "./viewers.js";

export interface WhepClient {
  answer: Answerer;
  /** DELETE every session opened (the viewers' peers may already have gone). */
  endAll(): Promise<void>;
}

export function whepClient(agent: AgentUnderTest): WhepClient {
  const sessions: string[] = [];
  const auth = { authorization: `Bearer ${agent.token}` };
  return {
    answer: async (offer) => {
      const res = await fetch(`${agent.url}/api/cameras/${BENCH_CAMERA}/whep`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/sdp" },
        body: offer,
      });
      const body = await res.text();
      if (res.status !== 201) throw new Error(`WHEP answered ${res.status}: ${body.slice(0, 200)}`);
      const location = res.headers.get("location");
      if (location) sessions.push(new URL(location, agent.url).href);
      return body;
    },
    endAll: async () => {
      await Promise.allSettled(sessions.map((url) => fetch(url, { method: "DELETE", headers: auth })));
      sessions.length = 0;
    },
  };
}
