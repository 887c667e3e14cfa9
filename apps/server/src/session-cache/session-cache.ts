import { type SessionTimes, sessionEnd } from '../stores/session-record.js';
import type { SessionPolicy, SessionUser } from '../stores/user-store.js';

/** A session as read from Redis: whose it is and its two times. */
export interface SessionRead extends SessionTimes {
  user: SessionUser;
}

/** What the cache counts; logged once a minute (plugins/store.ts). */
export interface SessionCacheCounters {
  hits: number;
  misses: number;
  /** Entries evicted because Redis said a key they were read from changed, or because we changed it. */
  invalidations: number;
  /** Times the whole cache was emptied: lost or lagging invalidations, FLUSHALL, a reconnect. */
  flushes: number;
}

/**
 * A read from Redis in flight: it may fill the cache only if nothing happened to its key, and no
 * flush happened, between the moment it was sent and the moment its reply is handled.
 */
export interface ReadTicket {
  readonly key: string;
  readonly epoch: number;
  /** Set when an invalidation for the key arrived while the read was in flight. */
  invalidated: boolean;
}

/** What a hit answers: the session as the store's check would (a live SessionLookup), with its id. */
export interface CachedSession {
  readonly state: 'live';
  readonly id: string;
  readonly user: SessionUser;
  readonly createdAt: number;
  /** When the session idles out unless used: min(last recorded use + idle, absolute deadline). */
  readonly expiresAt: number;
}

interface Entry {
  /** The Redis key the session was read from: an invalidation of it evicts the entry. */
  key: string;
  /** Made once when the entry is filled: a hit allocates nothing. */
  session: CachedSession;
  /**
   * The first moment the cache may not answer: the slide write-back is due (the use is to be
   * recorded, which Redis does), or the session idles out or reaches its absolute deadline.
   * touchOutcome's rule, worked out once.
   */
  freshUntil: number;
  /** Insertion order (see `lookup`). */
  seq: number;
}

export interface SessionCacheOptions {
  /** Most sessions kept; the least recently used goes first. */
  size: number;
  policy: SessionPolicy;
}

/**
 * Session checks kept in process while Redis's own invalidation (CLIENT TRACKING) is live. Entries
 * are sessions by id with the Redis key they were read from; one key backs all of a user's
 * sessions (their hash), so any write to it (a login, a slide, a logout, a logout-all, the cap)
 * evicts every session of that user here.
 *
 * It serves a hit only while `live` says invalidations are flowing (see invalidations.ts: a
 * heartbeat on the invalidation connection renews a lease); without that it is empty and bypassed.
 * A hit never outlives the session: it is judged with the session's own idle timeout and absolute
 * deadline at the time of the hit (touchOutcome), and a hit that is due a slide write-back is a
 * miss, so the write keeps its schedule.
 */
export class SessionCache {
  readonly counters: SessionCacheCounters = { hits: 0, misses: 0, invalidations: 0, flushes: 0 };
  private readonly entries = new Map<string, Entry>();
  private readonly byKey = new Map<string, Set<string>>();
  private readonly inFlight = new Map<string, ReadTicket[]>();
  private epoch = 0;
  private seq = 0;
  /** Epoch ms until which hits may be served; 0 while suspended. */
  private liveUntil = 0;

  constructor(private readonly options: SessionCacheOptions) {}

  get size(): number {
    return this.entries.size;
  }

  /** Whether hits may be served at `now`. */
  isLive(now: number): boolean {
    return now < this.liveUntil;
  }

  /**
   * The live session `id` if the cache may answer for it at `now`; undefined means ask Redis (not
   * cached, suspended, expired, or due its slide write).
   */
  lookup(id: string, now: number): CachedSession | undefined {
    const entry = now < this.liveUntil ? this.entries.get(id) : undefined;
    if (entry === undefined) {
      this.counters.misses++;
      return undefined;
    }
    if (now >= entry.freshUntil) {
      // Redis answers these: SESSION_EXPIRED rather than UNAUTHENTICATED, or the write-back.
      this.remove(id, entry);
      this.counters.misses++;
      return undefined;
    }
    // Least recently used goes first: a Map keeps insertion order, so a used entry moves to the
    // end, but only once it has drifted into the older half; most hits then cost one lookup.
    if (this.seq - entry.seq > this.options.size / 2) {
      this.entries.delete(id);
      this.entries.set(id, entry);
      entry.seq = ++this.seq;
    }
    this.counters.hits++;
    return entry.session;
  }

  /**
   * Whether a hit `lookup` gave is still good a moment later (nothing evicted it meanwhile); if not,
   * it is counted as the miss it turned into.
   */
  confirm(session: CachedSession): boolean {
    if (this.liveUntil !== 0 && this.entries.get(session.id)?.session === session) return true;
    this.counters.hits--;
    this.counters.misses++;
    return false;
  }

  /** Call before sending the read of `key`; hand the ticket to `fill` with the reply. */
  beginRead(key: string): ReadTicket {
    const ticket: ReadTicket = { key, epoch: this.epoch, invalidated: false };
    const tickets = this.inFlight.get(key);
    if (tickets === undefined) this.inFlight.set(key, [ticket]);
    else tickets.push(ticket);
    return ticket;
  }

  /**
   * Ends a read; keeps `record` as session `id` only when the read was sent while the cache was
   * live and nothing invalidated its key or flushed the cache since. An invalidation can overtake
   * the reply it concerns (it arrives on another connection), so this is what keeps a value Redis
   * has already replaced out of the cache.
   */
  fill(ticket: ReadTicket, id: string, record: SessionRead | null): void {
    const tickets = this.inFlight.get(ticket.key);
    if (tickets !== undefined) {
      const index = tickets.indexOf(ticket);
      if (index !== -1) tickets.splice(index, 1);
      if (tickets.length === 0) this.inFlight.delete(ticket.key);
    }
    if (record === null || ticket.invalidated || ticket.epoch !== this.epoch || this.liveUntil === 0) return;
    const existing = this.entries.get(id);
    if (existing !== undefined) this.remove(id, existing);
    const { policy } = this.options;
    const expiresAt = sessionEnd(record, policy);
    const session: CachedSession = { state: 'live', id, user: record.user, createdAt: record.createdAt, expiresAt };
    const freshUntil = Math.min(record.lastSeen + policy.slideStepMs, expiresAt);
    this.entries.set(id, { key: ticket.key, session, freshUntil, seq: ++this.seq });
    const ids = this.byKey.get(ticket.key);
    if (ids === undefined) this.byKey.set(ticket.key, new Set([id]));
    else ids.add(id);
    if (this.entries.size > this.options.size) {
      for (const [oldestId, oldest] of this.entries) {
        this.remove(oldestId, oldest);
        break;
      }
    }
  }

  /** Redis (or this instance, writing it) says `key` changed: evict every session read from it. */
  invalidate(key: string): void {
    const tickets = this.inFlight.get(key);
    if (tickets !== undefined) for (const ticket of tickets) ticket.invalidated = true;
    const ids = this.byKey.get(key);
    if (ids === undefined) return;
    this.byKey.delete(key);
    for (const id of ids) {
      if (this.entries.delete(id)) this.counters.invalidations++;
    }
  }

  /**
   * Hits may be served until `until` (epoch ms), renewed by each heartbeat. Going live after a
   * suspension starts a new epoch: reads sent before it cannot fill the cache.
   */
  liveUntilTime(until: number): void {
    if (this.liveUntil === 0) this.epoch++;
    this.liveUntil = until;
  }

  /** Empties the cache and serves no hit (and keeps no read) until `liveUntilTime` is called again. */
  suspend(): void {
    this.flush();
    this.liveUntil = 0;
  }

  /** Empties the cache; reads in flight cannot fill it. */
  flush(): void {
    this.epoch++;
    if (this.entries.size > 0 || this.liveUntil !== 0) this.counters.flushes++;
    this.entries.clear();
    this.byKey.clear();
  }

  private remove(id: string, entry: Entry): void {
    this.entries.delete(id);
    const ids = this.byKey.get(entry.key);
    if (ids === undefined) return;
    ids.delete(id);
    if (ids.size === 0) this.byKey.delete(entry.key);
  }
}
