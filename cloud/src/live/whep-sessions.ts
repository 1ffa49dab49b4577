/** One relayed WHEP session, as this cloud instance knows it. */
export interface WhepSession {
  sessionId: string;
  deviceId: string;
  /** The camera's cloud id (the one in the session URL). */
  cameraId: string;
  userId: string;
}

/** Sessions one user may hold open at once through one instance; the oldest is ended beyond it. */
export const MAX_SESSIONS_PER_USER = 16;

/**
 * In-memory bookkeeping of relayed WHEP sessions (sessionId → who and where), so `DELETE` reaches
 * the right device and only for the session's own user. Per instance: nothing here outlives a
 * restart, and the device ends peers that disconnect or never connect on its own.
 */
export class WhepSessions {
  // Insertion order = age: the per-user cap evicts from the front.
  private readonly byId = new Map<string, WhepSession>();

  /** Remember `session`; returns sessions of the same user evicted to stay under the cap. */
  add(session: WhepSession): WhepSession[] {
    this.byId.set(session.sessionId, session);
    const mine = [...this.byId.values()].filter((s) => s.userId === session.userId);
    const evicted = mine.slice(0, Math.max(0, mine.length - MAX_SESSIONS_PER_USER));
    for (const s of evicted) this.byId.delete(s.sessionId);
    return evicted;
  }

  /** The session if it belongs to `userId` on `cameraId`; undefined otherwise (answer 404 alike). */
  owned(sessionId: string, userId: string, cameraId: string): WhepSession | undefined {
    const s = this.byId.get(sessionId);
    return s && s.userId === userId && s.cameraId === cameraId ? s : undefined;
  }

  /** Forget a session; only when it is on `deviceId` if given (a device cannot end another's). */
  forget(sessionId: string, deviceId?: string): WhepSession | undefined {
    const s = this.byId.get(sessionId);
    if (!s || (deviceId !== undefined && s.deviceId !== deviceId)) return undefined;
    this.byId.delete(sessionId);
    return s;
  }

  /** Forget and return every session of `userId` on `deviceId` (their grant was revoked). */
  takeUserOnDevice(userId: string, deviceId: string): WhepSession[] {
    const taken = [...this.byId.values()].filter((s) => s.userId === userId && s.deviceId === deviceId);
    for (const s of taken) this.byId.delete(s.sessionId);
    return taken;
  }

  get size(): number {
    return this.byId.size;
  }

  has(sessionId: string): boolean {
    return this.byId.has(sessionId);
  }
}
