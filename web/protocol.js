/**
 * The live room's wire protocol, version 1, for the browser.
 *
 * The names the server uses, builders for every message a client sends, and
 * `LiveConnection`, which keeps one session's WebSocket alive: it resumes after drops,
 * checks that events arrive without gaps, resends unanswered ops safely, and keeps the
 * server's clock. Mirrors `crates/server/src/protocol.rs` (a test,
 * `crates/cli/tests/it/freshness.rs`, fails when the op and event lists here differ from
 * the server's); `docs/protocol.md` explains every message.
 *
 * A plain ES module: no build step, no dependencies, nothing that touches the page.
 * Builders take camelCase and give the wire's snake_case, so the rest of the client
 * never spells a wire name itself.
 *
 * @module protocol
 */

/** The protocol this client speaks; the server closes with 4001 on any other. */
const PROTOCOL_VERSION = 1;

/**
 * The largest message the server takes (its default). A larger one closes the
 * connection with 1008, so `LiveConnection.send` refuses it up front: resent after
 * the reconnect, it would close the connection again, forever.
 */
const MAX_MESSAGE_BYTES = 64 * 1024;

/** A `client_op_id` holds 1 to this many visible ASCII characters. */
const MAX_OP_ID_CHARS = 64;

/**
 * WebSocket close codes. The 4000s are the server's own (`close` in protocol.rs);
 * 1000, 1001, 1006 and 1008 are the standard ones a client meets.
 */
export const CloseCode = Object.freeze({
  /** Closed on purpose (by this client). */
  NORMAL: 1000,
  /** The server is shutting down: reconnect shortly. */
  GOING_AWAY: 1001,
  /** Never sent: the network dropped, or the upgrade was refused (401, 403, 404, 429). */
  ABNORMAL: 1006,
  /** A message over 64 KiB or a broken frame. */
  POLICY: 1008,
  /** This client fell behind and the room let go: reconnect and resume from the last seq. */
  RESYNC: 4000,
  /** The client speaks another protocol version: reload, do not reconnect. */
  PROTOCOL_VERSION: 4001,
  /** The session has as many connections as it takes: try again later. */
  SESSION_FULL: 4002,
  /** The room does not admit this credential any more: do not reconnect. */
  ACCESS_ENDED: 4003,
});

/** What follows a welcome: nothing, the missed events, or the whole room in `snapshot`. */
const CatchUp = Object.freeze({ NONE: 'none', EVENTS: 'events', SNAPSHOT: 'snapshot' });

/** Every op type, as `op.type`; `LiveConnection.send` refuses any other. */
const OP_TYPES = Object.freeze([
  'go_to_part',
  'next_part',
  'previous_part',
  'set_models_overlay',
  'start_timer',
  'pause_timer',
  'resume_timer',
  'extend_timer',
  'reset_timer',
  'create_sticky',
  'edit_sticky',
  'move_sticky',
  'colour_sticky',
  'resize_sticky',
  'group_stickies',
  'ungroup',
  'delete_sticky',
  'open_vote',
  'cast_vote',
  'remove_vote',
  'close_vote',
  'set_notes',
  'assign_role',
  'save_end_goal',
  'remove_end_goal',
  'move_end_goal',
  'support_end_goal',
  'save_smart_goal',
  'remove_smart_goal',
  'agree_smart_goal',
  'save_persona',
  'remove_persona',
  'set_primary_persona',
  'save_core_message',
  'add_idea',
  'remove_idea',
  'save_action',
  'remove_action',
  'set_responsibilities',
  'set_exports_open',
  'record_measurement',
  'remove_measurement',
]);

/**
 * Every event type, as `frame.event.type`. An event of another type (from a newer
 * server) still counts for the seq but is not handed on: not ours to understand.
 */
const EVENT_TYPES = Object.freeze([
  'session_changed',
  'part_changed',
  'models_overlay',
  'timer_started',
  'timer_paused',
  'timer_resumed',
  'timer_extended',
  'timer_reset',
  'timer_warning',
  'timer_ended',
  'sticky_created',
  'sticky_edited',
  'sticky_moved',
  'sticky_recoloured',
  'sticky_resized',
  'stickies_grouped',
  'ungrouped',
  'sticky_deleted',
  'vote_opened',
  'vote_cast',
  'vote_removed',
  'vote_recorded',
  'vote_closed',
  'notes_set',
  'role_assigned',
  'strategy_changed',
]);

// ---- Client messages --------------------------------------------------------------

/**
 * The first message on every connection.
 * @param {number | null} [lastSeq] the seq of the last event applied; leave it out when
 *   the client has nothing yet (it then gets a snapshot).
 */
function hello(lastSeq) {
  const message = { type: 'hello', protocol: PROTOCOL_VERSION };
  if (lastSeq !== undefined && lastSeq !== null) message.last_seq = lastSeq;
  return message;
}

/**
 * An op to apply. Resending the same `clientOpId` with the same op is safe: the server
 * answers with the original ack and applies nothing twice.
 * @param {string} clientOpId 1–64 visible ASCII characters, unique per participant
 * @param {object} body one of the `ops` builders' results
 */
function op(clientOpId, body) {
  return { type: 'op', client_op_id: clientOpId, op: body };
}

/**
 * Which part I am looking at; `null` for none in particular. Ephemeral: the server
 * forgets it with the connection.
 * @param {number | null} [partId]
 */
function presence(partId) {
  return { type: 'presence', part_id: partId ?? null };
}

/**
 * Asks for the server's clock; the pong echoes `t`.
 * @param {number} [t] any number; a monotonic timestamp lets the caller measure the round trip
 */
function ping(t) {
  return t === undefined || t === null ? { type: 'ping' } : { type: 'ping', t };
}

/** Board coordinates are whole points on the wire; a drag gives fractions. */
const whole = (n) => Math.round(n);

/** An op with one field takes it bare (`castVote(7)`) or named (`castVote({stickyId: 7})`). */
const one = (arg, name) => (arg !== null && typeof arg === 'object' ? arg[name] : arg);

/**
 * `fields` without those that are `undefined` or `null`: the server reads a missing
 * optional field as empty, so the two mean the same.
 */
const present = (fields) => Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined && value !== null));

/** The op `type` with its `fields` that are present. */
const build = (type, fields) => ({ type, ...present(fields) });

/** A persona's fields, camelCase here and snake_case on the wire. */
const PERSONA_FIELDS = Object.freeze({
  name: 'name',
  age: 'age',
  fieldOfWork: 'field_of_work',
  residence: 'residence',
  hobbies: 'hobbies',
  painPoints: 'pain_points',
  currentSolutions: 'current_solutions',
  triggers: 'triggers',
  triggerResponse: 'trigger_response',
  desiredResults: 'desired_results',
  channels: 'channels',
  objections: 'objections',
});

/**
 * Builders for every op. Each takes one object of camelCase fields (or nothing) and
 * returns the op as the wire has it; an op with a single field also takes it bare.
 * Optional fields that are `undefined` or `null` are left out, so the server applies
 * its default.
 */
export const ops = Object.freeze({
  /** Everyone follows this part. Facilitator. `goToPart(3)` or `goToPart({partId: 3})`. */
  goToPart(partId) {
    return { type: 'go_to_part', part_id: one(partId, 'partId') };
  },
  /** To the next part. The presenter of the current part, or a facilitator. */
  nextPart() {
    return { type: 'next_part' };
  },
  /** To the previous part. The presenter of the current part, or a facilitator. */
  previousPart() {
    return { type: 'previous_part' };
  },
  /** Opens or closes the models slide for everyone. Facilitator. `(true)` or `({open: true})`. */
  setModelsOverlay(open) {
    return { type: 'set_models_overlay', open: Boolean(one(open, 'open')) };
  },
  /**
   * Starts (or restarts) the timer. Timekeeper.
   * @param {{partId?: number, seconds?: number}} [fields] default: the current part, its timebox
   */
  startTimer({ partId, seconds } = {}) {
    return build('start_timer', { part_id: partId, seconds });
  },
  /** Timekeeper. */
  pauseTimer() {
    return { type: 'pause_timer' };
  },
  /** Timekeeper. */
  resumeTimer() {
    return { type: 'resume_timer' };
  },
  /** Adds (or, negative, takes off) up to 7,200 seconds. Timekeeper. `(300)` or `({seconds: 300})`. */
  extendTimer(seconds) {
    return { type: 'extend_timer', seconds: one(seconds, 'seconds') };
  },
  /** Removes the timer. Timekeeper. */
  resetTimer() {
    return { type: 'reset_timer' };
  },
  /** A new sticky, 160 × 160, at (x, y), in one of the catalogue's colours. Anyone. */
  createSticky({ partId, text = '', x, y, colour }) {
    return build('create_sticky', { part_id: partId, text, x: whole(x), y: whole(y), colour });
  },
  /** Replaces the text (at most 500 characters). Anyone. */
  editSticky({ stickyId, text }) {
    return { type: 'edit_sticky', sticky_id: stickyId, text };
  },
  /** Anyone. */
  moveSticky({ stickyId, x, y }) {
    return { type: 'move_sticky', sticky_id: stickyId, x: whole(x), y: whole(y) };
  },
  /** A colour code of the snapshot's `catalogues.colours`. Anyone. */
  colourSticky({ stickyId, colour }) {
    return { type: 'colour_sticky', sticky_id: stickyId, colour };
  },
  /** 40 to 1,000 points each way. Anyone. */
  resizeSticky({ stickyId, width, height }) {
    return { type: 'resize_sticky', sticky_id: stickyId, width: whole(width), height: whole(height) };
  },
  /** Groups stickies of one part under a label. Anyone. */
  groupStickies({ stickyIds, label = '' }) {
    return { type: 'group_stickies', sticky_ids: [...stickyIds], label };
  },
  /** Dissolves a group; its stickies stay. Anyone. `(id)` or `({groupId})`. */
  ungroup(groupId) {
    return { type: 'ungroup', group_id: one(groupId, 'groupId') };
  },
  /** Anyone. `(id)` or `({stickyId})`. */
  deleteSticky(stickyId) {
    return { type: 'delete_sticky', sticky_id: one(stickyId, 'stickyId') };
  },
  /** A dot-voting round on one part's stickies, 1–20 dots each. Facilitator. */
  openVote({ partId, votesPerPerson }) {
    return { type: 'open_vote', part_id: partId, votes_per_person: votesPerPerson };
  },
  /** Puts one of my dots on a sticky. Anyone. `(id)` or `({stickyId})`. */
  castVote(stickyId) {
    return { type: 'cast_vote', sticky_id: one(stickyId, 'stickyId') };
  },
  /** Takes one of my dots off a sticky. Anyone. `(id)` or `({stickyId})`. */
  removeVote(stickyId) {
    return { type: 'remove_vote', sticky_id: one(stickyId, 'stickyId') };
  },
  /** Ends the round and reveals the tally. Facilitator. */
  closeVote() {
    return { type: 'close_vote' };
  },
  /** Replaces a part's notes (at most 20,000 characters). Note taker. */
  setNotes({ partId, text }) {
    return { type: 'set_notes', part_id: partId, text };
  },
  /**
   * Gives a role to a participant, or to nobody (`participantId` null). Facilitator.
   * @param {{role: string, partId?: number, participantId?: number | null}} fields
   *   `partId` only for `presenter`
   */
  assignRole({ role, partId, participantId }) {
    const body = { type: 'assign_role', role, participant_id: participantId ?? null };
    if (partId !== undefined && partId !== null) body.part_id = partId;
    return body;
  },

  // The strategy. Every one of these is answered by one `strategy_changed` event.

  /**
   * Adds an end goal (no `id`) or replaces one. Anyone.
   * @param {{id?: number, text: string, horizon?: {kind: 'by', date: string} |
   *   {kind: 'within_months', months: number} | {kind: 'within_years', years: number} | null}} fields
   */
  saveEndGoal({ id, text, horizon }) {
    return build('save_end_goal', { id, text, horizon });
  },
  /** Anyone. `(id)` or `({id})`. */
  removeEndGoal(id) {
    return { type: 'remove_end_goal', id: one(id, 'id') };
  },
  /** Puts an end goal at `toIndex` (0 is the most important). Anyone. */
  moveEndGoal({ id, toIndex }) {
    return { type: 'move_end_goal', id, to_index: toIndex };
  },
  /** My thumbs-up on an end goal, given or taken back. Anyone. */
  supportEndGoal({ id, support }) {
    return { type: 'support_end_goal', id, support: Boolean(support) };
  },
  /**
   * Adds a SMART goal (no `id`) or replaces one; the server checks it. Anyone.
   * @param {{id?: number, endGoalId?: number | null, text: string, metric?: string,
   *   baseline?: number | null, target?: number | null, deadline?: string | null,
   *   owner?: string, means?: string, reason?: string}} fields `deadline` as YYYY-MM-DD
   */
  saveSmartGoal({ id, endGoalId, text, metric, baseline, target, deadline, owner, means, reason }) {
    return build('save_smart_goal', { id, end_goal_id: endGoalId, text, metric, baseline, target, deadline, owner, means, reason });
  },
  /** Anyone. `(id)` or `({id})`. */
  removeSmartGoal(id) {
    return { type: 'remove_smart_goal', id: one(id, 'id') };
  },
  /** My verdict on the goal's A (acceptable) and R (realistic). Anyone. */
  agreeSmartGoal({ id, acceptable, realistic }) {
    return { type: 'agree_smart_goal', id, acceptable: Boolean(acceptable), realistic: Boolean(realistic) };
  },
  /**
   * Adds a persona (no `id`) or replaces one. Anyone.
   * @param {{id?: number, name?: string, age?: number | null, fieldOfWork?: string,
   *   residence?: string, hobbies?: string, painPoints?: string, currentSolutions?: string,
   *   triggers?: string, triggerResponse?: string, desiredResults?: string,
   *   channels?: string, objections?: string}} fields
   */
  savePersona({ id, ...fields }) {
    const wire = { id };
    for (const [name, wireName] of Object.entries(PERSONA_FIELDS)) wire[wireName] = fields[name];
    return build('save_persona', wire);
  },
  /** Anyone. `(id)` or `({id})`. */
  removePersona(id) {
    return { type: 'remove_persona', id: one(id, 'id') };
  },
  /** The persona the core message is written for, or none (`null`). Facilitator. */
  setPrimaryPersona(id) {
    return { type: 'set_primary_persona', id: one(id, 'id') ?? null };
  },
  /**
   * Replaces the core message with its content plan. Anyone.
   * @param {{usp?: string, lifeImprovement?: string, answers?: string,
   *   competitors?: {name: string, hasIt?: boolean, couldGetEasily?: boolean}[],
   *   plan?: {channel: string, form: string, count: number, per: 'day' | 'week' | 'month',
   *   ownerId?: number | null}[], calendarFrom?: string | null, calendarTo?: string | null}} fields
   *   a plan line's `channel` and `form` are catalogue codes where the team picked one
   */
  saveCoreMessage({ usp, lifeImprovement, answers, competitors = [], plan = [], calendarFrom, calendarTo }) {
    return build('save_core_message', {
      usp,
      life_improvement: lifeImprovement,
      answers,
      competitors: competitors.map((c) => ({ name: c.name, has_it: Boolean(c.hasIt), could_get_easily: Boolean(c.couldGetEasily) })),
      plan: plan.map((line) => present({ channel: line.channel, form: line.form, count: line.count, per: line.per, owner_id: line.ownerId })),
      calendar_from: calendarFrom,
      calendar_to: calendarTo,
    });
  },
  /** A content idea, perhaps from a sticky. Anyone. */
  addIdea({ text, stickyId }) {
    return build('add_idea', { text, sticky_id: stickyId });
  },
  /** Anyone. `(id)` or `({id})`. */
  removeIdea(id) {
    return { type: 'remove_idea', id: one(id, 'id') };
  },
  /**
   * Adds an action point (no `id`) or replaces one. Anyone.
   * @param {{id?: number, title: string, ownerId?: number | null, deadline?: string | null,
   *   partId?: number | null, source?: {kind: string, id: number} | null,
   *   status?: 'open' | 'doing' | 'done'}} fields
   */
  saveAction({ id, title, ownerId, deadline, partId, source, status }) {
    return build('save_action', { id, title, owner_id: ownerId, deadline, part_id: partId, source, status });
  },
  /** Anyone. `(id)` or `({id})`. */
  removeAction(id) {
    return { type: 'remove_action', id: one(id, 'id') };
  },
  /**
   * Replaces the bundles of actions and who carries each. Facilitator.
   * @param {{name: string, ownerId?: number | null, actionIds: number[]}[]} responsibilities
   */
  setResponsibilities(responsibilities) {
    return {
      type: 'set_responsibilities',
      responsibilities: responsibilities.map((r) => ({ name: r.name, owner_id: r.ownerId ?? null, action_ids: [...r.actionIds] })),
    };
  },
  /** Lets participants download the exports, or not. Facilitator. `(true)` or `({open: true})`. */
  setExportsOpen(open) {
    return { type: 'set_exports_open', open: Boolean(one(open, 'open')) };
  },
  /** A SMART goal's measured value on a day (YYYY-MM-DD); replaces that day's. Anyone. */
  recordMeasurement({ goalId, date, value }) {
    return { type: 'record_measurement', goal_id: goalId, date, value };
  },
  /** Removes a SMART goal's measurement of a day. Anyone. */
  removeMeasurement({ goalId, date }) {
    return { type: 'remove_measurement', goal_id: goalId, date };
  },
});

/**
 * A fresh `client_op_id`. `crypto.randomUUID` exists only in secure contexts (https,
 * localhost); a session served over plain http on a local network still has
 * `getRandomValues`.
 */
function newClientOpId() {
  const crypto = globalThis.crypto;
  if (typeof crypto?.randomUUID === 'function') return crypto.randomUUID().slice(0, MAX_OP_ID_CHARS);
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The live room's address for a session, on the host the page came from.
 * @param {string} sessionId
 * @param {{lang?: string, base?: string | Location}} [options] `lang` (`nl` or `en`) picks
 *   the language of messages; `base` defaults to the page's location.
 */
export function liveUrl(sessionId, { lang, base = globalThis.location } = {}) {
  const url = new URL(`/api/sessions/${encodeURIComponent(sessionId)}/live`, String(base));
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  if (lang) url.searchParams.set('lang', lang);
  return url.href;
}

// ---- Server messages (for editors; nothing here checks them) ----------------------

/**
 * @typedef {{id: number, display_name: string, is_facilitator: boolean}} Participant
 * @typedef {{type: 'welcome', protocol: number, server_time_ms: number, you: Participant,
 *   seq: number, catch_up: 'none' | 'events' | 'snapshot', snapshot?: object}} Welcome
 * @typedef {{type: 'event', seq: number, at_ms: number, event: {type: string},
 *   replan?: object}} EventFrame
 * @typedef {{type: 'ack', client_op_id: string, seq: number}} Ack
 * @typedef {{type: 'reject', client_op_id: string, code: string, message: string,
 *   field?: string}} Reject
 * @typedef {{type: 'presence', people: {participant_id: number, part_id: number | null,
 *   connections: number}[]}} Presence
 * @typedef {{type: 'error', code: string, message: string}} ErrorFrame
 * @typedef {'connecting' | 'saved' | 'saving' | 'offline' | 'reconnecting'} LiveStatus
 * @typedef {{code?: number, reason?: string, attempt?: number, retryInMs?: number}} StatusDetail
 */

/** The statuses `LiveConnection.onStatus` reports. */
const Status = Object.freeze({
  /** The first connection, before its welcome. */
  CONNECTING: 'connecting',
  /** Connected, and every op sent has its answer. */
  SAVED: 'saved',
  /** Connected, with ops waiting for their answer. */
  SAVING: 'saving',
  /** Stopped: by `close()`, or by a close that reconnecting cannot mend (4001, 4003). */
  OFFLINE: 'offline',
  /** Lost the connection; trying again (ops wait and are resent). */
  RECONNECTING: 'reconnecting',
});

// ---- LiveConnection ---------------------------------------------------------------

/** A ping every 20 seconds keeps the clock fresh and finds a dead connection. */
const PING_INTERVAL_MS = 20_000;
/** Reconnecting waits 0.5 s, doubling up to 10 s. */
const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 10_000;
/**
 * Ops go out a little slower than the server's limit (20 a second, bursts of 40), so
 * that a queue flushed after a reconnect is paced instead of rate-limited.
 */
const SEND_OPS_PER_SECOND = 15;
const SEND_OPS_BURST = 30;
/** After a `rate_limited` reject, wait this long before sending again. */
const RATE_LIMITED_PAUSE_MS = 1_000;
/** Clock samples kept; the one with the shortest round trip wins. */
const CLOCK_SAMPLES = 8;
/** `WebSocket.OPEN`, spelled out so a stand-in WebSocket needs no constants. */
const OPEN = 1;

const encoder = new TextEncoder();

/** A clock that never jumps, for round trips and pacing. */
const monotonicNow = () => globalThis.performance?.now() ?? Date.now();

/**
 * One session's live connection, kept alive.
 *
 * ```js
 * const live = new LiveConnection(liveUrl(sessionId), {
 *   onWelcome(welcome) { ... }, onEvent(frame) { ... }, onStatus(status) { ... },
 * });
 * live.connect();
 * live.send(ops.createSticky({ partId: 2, text: 'Klantloyaliteit', x: 120, y: 40 }));
 * ```
 *
 * Callbacks are plain properties (set them in the options or later), called with the
 * server's message as it came:
 *
 * - `onWelcome(welcome)`: after every (re)connect. With `catch_up: 'snapshot'` throw
 *   away what you had and draw `welcome.snapshot`; with `'events'` the missed events
 *   follow through `onEvent`; with `'none'` you are current.
 * - `onEvent(frame)`: every event of a type in `EVENT_TYPES`, exactly once, in seq
 *   order (gaps and repeats are handled here).
 * - `onPresence(people, presence)`: who is connected and which part each looks at
 *   (`presence.people`, and the message itself).
 * - `onAck(ack, op)` and `onReject(reject, op)`: the answer to an op sent with `send`,
 *   with that op. A `rate_limited` reject is not reported: the op is sent again.
 * - `onError(error)`: an `error` message (a bug in the client, as a rule).
 * - `onStatus(status, detail)`: `'connecting' | 'saved' | 'saving' | 'offline' |
 *   'reconnecting'`, on every change and on every reconnect attempt; `detail` holds
 *   the close `code` and `reason`, the `attempt` and `retryInMs` where they apply.
 *
 * A browser cannot see why an upgrade was refused (an expired link looks like a dropped
 * network: close 1006), so the connection keeps trying. After a few attempts without a
 * welcome, ask `GET /api/sessions/{id}` and tell the person what it says.
 */
export class LiveConnection {
  /**
   * @param {string} url the live address, e.g. `liveUrl(sessionId)`
   * @param {object} [options]
   * @param {(welcome: Welcome) => void} [options.onWelcome]
   * @param {(frame: EventFrame) => void} [options.onEvent]
   * @param {(people: Presence['people'], presence: Presence) => void} [options.onPresence]
   * @param {(ack: Ack, op: object | undefined) => void} [options.onAck]
   * @param {(reject: Reject, op: object | undefined) => void} [options.onReject]
   * @param {(error: ErrorFrame) => void} [options.onError]
   * @param {(status: LiveStatus, detail: StatusDetail) => void} [options.onStatus]
   * @param {typeof WebSocket} [options.WebSocket] a stand-in, for tests
   * @param {number} [options.pingIntervalMs]
   */
  constructor(url, options = {}) {
    this.url = url;
    this.onWelcome = options.onWelcome ?? null;
    this.onEvent = options.onEvent ?? null;
    this.onPresence = options.onPresence ?? null;
    this.onAck = options.onAck ?? null;
    this.onReject = options.onReject ?? null;
    this.onError = options.onError ?? null;
    this.onStatus = options.onStatus ?? null;
    this._WebSocket = options.WebSocket ?? globalThis.WebSocket;
    this._pingIntervalMs = options.pingIntervalMs ?? PING_INTERVAL_MS;

    /** @type {WebSocket | null} */
    this._socket = null;
    this._stopped = true;
    this._welcomed = false;
    this._everWelcomed = false;
    /** @type {LiveStatus | null} */
    this._status = null;
    /** The seq of the last event handed to `onEvent` (or in the snapshot). */
    this._lastSeq = null;
    /** Ops without an answer, in the order they were sent: {clientOpId, op, text, sent}. */
    this._pending = [];
    /** The part last given to `setPresence`; `undefined` until then. */
    this._presence = undefined;

    this._attempt = 0;
    this._retryTimer = null;
    this._pingTimer = null;
    this._flushTimer = null;
    /** The `t` of the ping waiting for its pong, or null. */
    this._pingOut = null;

    this._tokens = SEND_OPS_BURST;
    this._tokensAt = monotonicNow();

    this._clockSamples = [];
    this._offsetMs = 0;
    this._roundTripMs = null;

    // Coming back online is a better moment to retry than whatever the backoff says.
    this._onOnline = () => {
      if (this._retryTimer === null) return;
      clearTimeout(this._retryTimer);
      this._retryTimer = null;
      this._open();
    };
  }

  /** The seq of the last event applied, or null before the first welcome. */
  get lastSeq() {
    return this._lastSeq;
  }

  /** The current status, or null before `connect()`. */
  get status() {
    return this._status;
  }

  /** Ops still waiting for an answer, oldest first: `{clientOpId, op}`. */
  get pendingOps() {
    return this._pending.map(({ clientOpId, op: body }) => ({ clientOpId, op: body }));
  }

  /** Server time minus local time, in milliseconds (best estimate so far). */
  get clockOffsetMs() {
    return this._offsetMs;
  }

  /** The round trip of the best clock sample, or null before the first pong. */
  get roundTripMs() {
    return this._roundTripMs;
  }

  /**
   * The server's clock now, in milliseconds since the epoch. Countdowns use this with
   * the timer events' `at_ms`, so every screen shows the same time left whatever its
   * own clock says.
   */
  serverNow() {
    return Date.now() + this._offsetMs;
  }

  /** Opens the connection (again, after `close()` or a stop). */
  connect() {
    if (!this._stopped) return this;
    this._stopped = false;
    this._attempt = 0;
    globalThis.addEventListener?.('online', this._onOnline);
    this._setStatus(this._everWelcomed ? Status.RECONNECTING : Status.CONNECTING, {});
    this._open();
    return this;
  }

  /**
   * Sends an op, now or as soon as the room has welcomed us, and keeps it until its
   * answer: after a reconnect it goes again with the same id (and the very same text,
   * so the server recognises it and applies it once).
   * @param {object} body an op, e.g. `ops.moveSticky({stickyId: 1, x: 10, y: 20})`
   * @returns {string} its `client_op_id`, as the ack or reject will name it
   * @throws {TypeError} when `body` is not an op (its type is not in `OP_TYPES`)
   * @throws {RangeError} when the message would be over 64 KiB (the server would close)
   */
  send(body) {
    if (!OP_TYPES.includes(body?.type)) throw new TypeError(`not an op: ${body?.type}; build ops with \`ops\``);
    const clientOpId = newClientOpId();
    const text = JSON.stringify(op(clientOpId, body));
    const bytes = encoder.encode(text).length;
    if (bytes > MAX_MESSAGE_BYTES) {
      throw new RangeError(`the op is ${bytes} bytes; a message holds at most ${MAX_MESSAGE_BYTES}`);
    }
    this._pending.push({ clientOpId, op: body, text, sent: false });
    this._flush();
    this._showSaving();
    return clientOpId;
  }

  /**
   * Tells the others which part I look at (`null`: none in particular). Remembered and
   * sent again after every reconnect, since the server forgets it with the connection.
   * @param {number | null} partId
   */
  setPresence(partId) {
    this._presence = partId ?? null;
    if (this._welcomed) this._sendText(JSON.stringify(presence(this._presence)));
  }

  /** Closes for good (until `connect()`); unanswered ops stay in `pendingOps`. */
  close() {
    this._abandonSocket('closed');
    this._stop({ code: CloseCode.NORMAL, reason: 'closed' });
  }

  // ---- the socket ----

  _open() {
    this._retryTimer = null;
    if (this._stopped) return;
    let socket;
    try {
      socket = new this._WebSocket(this.url);
    } catch (error) {
      // A malformed address: no retry mends that.
      report(error);
      this._stop({ reason: String(error) });
      return;
    }
    this._socket = socket;
    this._welcomed = false;
    this._pingOut = null;
    socket.onopen = () => {
      this._sendText(JSON.stringify(hello(this._lastSeq)));
      this._startPinging();
    };
    socket.onmessage = (message) => this._receive(message.data);
    socket.onclose = (close) => this._closed(close.code, close.reason);
    // A browser follows every error with a close, but some WebSockets (Node's, for
    // one) leave a refused connection hanging without one: act on the error itself.
    socket.onerror = () => {
      if (this._socket !== socket) return;
      this._abandonSocket('error');
      this._reconnect({ code: CloseCode.ABNORMAL, reason: 'error' });
    };
  }

  _sendText(text) {
    const socket = this._socket;
    if (!socket || socket.readyState !== OPEN) return false;
    socket.send(text);
    return true;
  }

  _receive(data) {
    // The server sends text only.
    if (typeof data !== 'string') return;
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      return;
    }
    switch (message?.type) {
      case 'welcome':
        return this._welcome(message);
      case 'event':
        return this._event(message);
      case 'ack':
        return this._answer(message, true);
      case 'reject':
        return this._answer(message, false);
      case 'presence':
        return this._emit('onPresence', message.people ?? [], message);
      case 'pong':
        return this._pong(message);
      case 'error':
        return this._emit('onError', message);
      default:
        // Something a newer server added: not ours to understand.
        return undefined;
    }
  }

  _welcome(welcome) {
    this._welcomed = true;
    this._everWelcomed = true;
    this._attempt = 0;
    if (this._clockSamples.length === 0) {
      // A first guess, off by the one-way delay; the pong of the first ping refines it.
      this._offsetMs = welcome.server_time_ms - Date.now();
    }
    // With 'events' the missed events follow and bring lastSeq up to welcome.seq.
    if (welcome.catch_up !== CatchUp.EVENTS) this._lastSeq = welcome.seq;
    this._emit('onWelcome', welcome);
    if (this._presence !== undefined) this._sendText(JSON.stringify(presence(this._presence)));
    this._flush();
    this._showSaving();
  }

  _event(frame) {
    if (!this._welcomed) return;
    const expected = (this._lastSeq ?? 0) + 1;
    // Already applied (it came with the catch-up, say).
    if (frame.seq < expected) return;
    if (frame.seq > expected) {
      // Missed one. The server resends everything after lastSeq on a new connection.
      this._abandonSocket('gap');
      this._reconnect({ code: CloseCode.NORMAL, reason: 'gap' });
      return;
    }
    this._lastSeq = frame.seq;
    if (EVENT_TYPES.includes(frame.event?.type)) this._emit('onEvent', frame);
  }

  _answer(answer, ok) {
    const index = this._pending.findIndex((entry) => entry.clientOpId === answer.client_op_id);
    const entry = index >= 0 ? this._pending[index] : undefined;
    if (!ok && answer.code === 'rate_limited' && entry) {
      // Not applied: send it again after a pause, same id.
      entry.sent = false;
      this._tokens = 0;
      this._scheduleFlush(RATE_LIMITED_PAUSE_MS);
      return;
    }
    if (index >= 0) this._pending.splice(index, 1);
    this._emit(ok ? 'onAck' : 'onReject', answer, entry?.op);
    this._showSaving();
  }

  _closed(code, reason) {
    this._socket = null;
    this._welcomed = false;
    this._stopPinging();
    this._unsendAll();
    if (this._stopped) return;
    if (code === CloseCode.PROTOCOL_VERSION || code === CloseCode.ACCESS_ENDED) {
      // Trying again gives the same answer: an outdated page, or a person shut out.
      this._stop({ code, reason });
      return;
    }
    this._reconnect({ code, reason });
  }

  /** Lets go of the socket without waiting for it: a dead one may never finish closing. */
  _abandonSocket(reason) {
    const socket = this._socket;
    if (!socket) return;
    socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
    try {
      socket.close(CloseCode.NORMAL, reason);
    } catch {
      // Closing a socket that is still connecting may throw in old browsers; it is gone either way.
    }
    this._socket = null;
    this._welcomed = false;
    this._stopPinging();
    this._unsendAll();
  }

  /**
   * Waits, then opens again: 0.5 s doubling up to 10 s, each wait a random point in its
   * upper half, so that a room full of browsers does not come back in one burst after
   * a server restart. A welcome resets the wait.
   */
  _reconnect(detail) {
    if (this._stopped || this._retryTimer !== null) return;
    const base = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** this._attempt);
    const wait = Math.round(base / 2 + (Math.random() * base) / 2);
    this._attempt += 1;
    this._setStatus(Status.RECONNECTING, { ...detail, attempt: this._attempt, retryInMs: wait });
    this._retryTimer = setTimeout(() => this._open(), wait);
  }

  _stop(detail) {
    this._stopped = true;
    if (this._retryTimer !== null) clearTimeout(this._retryTimer);
    if (this._flushTimer !== null) clearTimeout(this._flushTimer);
    this._retryTimer = null;
    this._flushTimer = null;
    this._stopPinging();
    globalThis.removeEventListener?.('online', this._onOnline);
    this._setStatus(Status.OFFLINE, detail);
  }

  // ---- ops ----

  /** Every op goes again on the next connection. */
  _unsendAll() {
    for (const entry of this._pending) entry.sent = false;
    if (this._flushTimer !== null) clearTimeout(this._flushTimer);
    this._flushTimer = null;
  }

  /** Sends waiting ops in their order, as fast as the pacing allows. */
  _flush() {
    if (!this._welcomed || this._flushTimer !== null) return;
    for (const entry of this._pending) {
      if (entry.sent) continue;
      if (!this._takeToken()) {
        this._scheduleFlush(Math.ceil(((1 - this._tokens) / SEND_OPS_PER_SECOND) * 1000));
        return;
      }
      if (!this._sendText(entry.text)) return;
      entry.sent = true;
    }
  }

  _scheduleFlush(wait) {
    if (this._flushTimer !== null) clearTimeout(this._flushTimer);
    this._flushTimer = setTimeout(() => {
      this._flushTimer = null;
      this._flush();
    }, wait);
  }

  _takeToken() {
    const now = monotonicNow();
    this._tokens = Math.min(SEND_OPS_BURST, this._tokens + ((now - this._tokensAt) / 1000) * SEND_OPS_PER_SECOND);
    this._tokensAt = now;
    if (this._tokens < 1) return false;
    this._tokens -= 1;
    return true;
  }

  _showSaving() {
    if (this._welcomed) this._setStatus(this._pending.length > 0 ? Status.SAVING : Status.SAVED, {});
  }

  // ---- the clock ----

  _startPinging() {
    this._stopPinging();
    this._pingTimer = setInterval(() => {
      if (this._pingOut !== null) {
        // No pong in a whole interval: the connection is dead, whatever TCP thinks.
        this._abandonSocket('no_pong');
        this._reconnect({ code: CloseCode.NORMAL, reason: 'no_pong' });
        return;
      }
      this._ping();
    }, this._pingIntervalMs);
    // At once as well: the welcome's clock is only a first guess.
    this._ping();
  }

  _stopPinging() {
    if (this._pingTimer !== null) clearInterval(this._pingTimer);
    this._pingTimer = null;
    this._pingOut = null;
  }

  _ping() {
    const t = monotonicNow();
    if (this._sendText(JSON.stringify(ping(t)))) this._pingOut = t;
  }

  /**
   * The server read its clock about half a round trip before the pong arrived. Of the
   * last few samples, the one with the shortest round trip has the smallest error.
   */
  _pong(pong) {
    if (this._pingOut === null || pong.t !== this._pingOut) return;
    const roundTrip = monotonicNow() - pong.t;
    this._pingOut = null;
    this._clockSamples.push({ offset: pong.server_time_ms + roundTrip / 2 - Date.now(), roundTrip });
    if (this._clockSamples.length > CLOCK_SAMPLES) this._clockSamples.shift();
    const best = this._clockSamples.reduce((a, b) => (b.roundTrip < a.roundTrip ? b : a));
    this._offsetMs = best.offset;
    this._roundTripMs = best.roundTrip;
  }

  // ---- callbacks ----

  _setStatus(status, detail) {
    // Every reconnect attempt is reported, so a page can show when the next one comes.
    if (status === this._status && status !== Status.RECONNECTING) return;
    this._status = status;
    this._emit('onStatus', status, detail);
  }

  /** A bug in drawing must not stop the connection from keeping count. */
  _emit(name, ...args) {
    const callback = this[name];
    if (typeof callback !== 'function') return;
    try {
      callback.apply(this, args);
    } catch (error) {
      report(error);
    }
  }
}

function report(error) {
  if (typeof globalThis.reportError === 'function') globalThis.reportError(error);
  else console.error(error);
}
