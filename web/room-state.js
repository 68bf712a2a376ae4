// The room's state as the server tells it: built from the welcome's snapshot, moved on
// by each event. Pure functions only: `reduce(state, frame)` returns a new state and
// leaves the old one as it was; nothing here touches the page, the clock or the network.
// What the screen does with a change (a sound, a selection dropped) is the room's business.

import { applyStrategyChanges } from './strategy-changes.js';

/** The state before the first welcome. */
export function emptyRoom() {
  return {
    session: null,
    you: null,
    currentPart: null,
    modelsOpen: false,
    timer: null,
    /** Milliseconds timers ran per part, the run in progress not included. */
    actualMs: new Map(),
    stickies: new Map(),
    groups: new Map(),
    vote: null,
    notes: new Map(),
    strategy: null,
    /** The domain's catalogues with their names: `{channels, forms, colours}`. */
    catalogues: { channels: [], forms: [], colours: [] },
    /** The latest re-plan the server sent with a timer event. */
    replan: null,
    /** Seconds left at the timer's last warning, until the timer starts or resets. */
    warning: null,
  };
}

/**
 * The state of a welcome's snapshot. `serverNowMs` is the server's clock now: the
 * snapshot counts the run in progress, and the state keeps only what is finished.
 */
export function fromSnapshot(state, snapshot, serverNowMs) {
  const actualMs = new Map(snapshot.actuals.map((a) => [a.part_id, a.actual_ms]));
  const timer = snapshot.timer;
  if (timer?.running_since_ms) {
    const running = serverNowMs - timer.running_since_ms;
    actualMs.set(timer.part_id, Math.max(0, (actualMs.get(timer.part_id) ?? 0) - running));
  }
  return {
    ...state,
    session: snapshot.session,
    currentPart: snapshot.current_part,
    modelsOpen: snapshot.models_open,
    timer,
    actualMs,
    stickies: new Map(snapshot.stickies.map((s) => [s.id, s])),
    groups: new Map(snapshot.groups.map((g) => [g.id, g])),
    vote: snapshot.vote,
    notes: new Map(snapshot.notes.map((n) => [n.part_id, n.text])),
    strategy: snapshot.strategy,
    catalogues: snapshot.catalogues,
  };
}

/** The state after one event frame (`{seq, at_ms, event, replan?}`). */
export function reduce(state, frame) {
  const next = applyEvent(state, frame.event);
  return frame.replan ? { ...next, replan: frame.replan } : next;
}

function applyEvent(state, e) {
  switch (e.type) {
    case 'session_changed':
      return { ...state, session: { ...e.session, you: undefined } };
    case 'part_changed':
      return { ...state, currentPart: e.part_id };
    case 'models_overlay':
      return { ...state, modelsOpen: e.open };
    case 'timer_started':
      return {
        ...closeRun(state, e.at_ms),
        timer: { part_id: e.part_id, duration_ms: e.duration_ms, running_since_ms: e.at_ms, elapsed_before_ms: 0, ended: false },
        warning: null,
      };
    case 'timer_paused':
      return closeRun(state, e.at_ms);
    case 'timer_resumed':
      return state.timer ? { ...state, timer: { ...state.timer, running_since_ms: e.at_ms } } : state;
    case 'timer_extended':
      return state.timer ? { ...state, timer: { ...state.timer, duration_ms: state.timer.duration_ms + e.by_ms } } : state;
    case 'timer_reset':
      return { ...closeRun(state, e.at_ms), timer: null, warning: null };
    case 'timer_warning':
      return { ...state, warning: e.seconds_left };
    case 'timer_ended':
      return state.timer ? { ...state, timer: { ...state.timer, ended: true } } : state;
    case 'sticky_created':
      return { ...state, stickies: withEntry(state.stickies, e.sticky.id, e.sticky) };
    case 'sticky_edited':
      return patchSticky(state, e.sticky_id, { text: e.text });
    case 'sticky_moved':
      return patchSticky(state, e.sticky_id, { x: e.x, y: e.y });
    case 'sticky_recoloured':
      return patchSticky(state, e.sticky_id, { colour: e.colour });
    case 'sticky_resized':
      return patchSticky(state, e.sticky_id, { width: e.width, height: e.height });
    case 'stickies_grouped': {
      const grouped = e.sticky_ids.reduce((s, id) => patchSticky(s, id, { group_id: e.group_id }), state);
      return { ...grouped, groups: withEntry(state.groups, e.group_id, { id: e.group_id, part_id: e.part_id, label: e.label }) };
    }
    case 'ungrouped': {
      const groups = new Map(state.groups);
      groups.delete(e.group_id);
      const stickies = new Map(
        [...state.stickies].map(([id, sticky]) => [id, sticky.group_id === e.group_id ? { ...sticky, group_id: null } : sticky]),
      );
      return { ...state, groups, stickies };
    }
    case 'sticky_deleted': {
      const stickies = new Map(state.stickies);
      stickies.delete(e.sticky_id);
      const vote = state.vote && { ...state.vote, my_votes: state.vote.my_votes.filter((id) => id !== e.sticky_id) };
      return { ...state, stickies, vote };
    }
    case 'vote_opened':
      return { ...state, vote: { part_id: e.part_id, votes_per_person: e.votes_per_person, open: true, my_votes: [], votes_cast: 0, tally: null } };
    case 'vote_cast':
      return state.vote
        ? { ...state, vote: { ...state.vote, my_votes: [...state.vote.my_votes, e.sticky_id], votes_cast: state.vote.votes_cast + 1 } }
        : state;
    case 'vote_removed': {
      if (!state.vote) return state;
      const myVotes = [...state.vote.my_votes];
      const at = myVotes.indexOf(e.sticky_id);
      if (at >= 0) myVotes.splice(at, 1);
      return { ...state, vote: { ...state.vote, my_votes: myVotes } };
    }
    case 'vote_recorded':
      return state;
    case 'vote_closed':
      return state.vote ? { ...state, vote: { ...state.vote, open: false, tally: e.tally } } : state;
    case 'notes_set':
      return { ...state, notes: withEntry(state.notes, e.part_id, e.text) };
    case 'role_assigned':
      return { ...state, session: { ...state.session, roles: assignRole(state.session.roles, e) } };
    case 'strategy_changed':
      return { ...state, strategy: applyStrategyChanges(state.strategy, e.changes) };
    default:
      return state;
  }
}

/** A copy of `map` with `key` set to `value`. */
function withEntry(map, key, value) {
  const copy = new Map(map);
  copy.set(key, value);
  return copy;
}

/** The state with a sticky's `fields` changed (the same state when the sticky is gone). */
export function patchSticky(state, id, fields) {
  const sticky = state.stickies.get(id);
  return sticky ? { ...state, stickies: withEntry(state.stickies, id, { ...sticky, ...fields }) } : state;
}

/** Ends the timer's run in progress at `at`, adding it to the part's actual time. */
function closeRun(state, at) {
  const timer = state.timer;
  if (!timer?.running_since_ms) return state;
  const run = Math.max(0, at - timer.running_since_ms);
  return {
    ...state,
    timer: { ...timer, elapsed_before_ms: timer.elapsed_before_ms + run, running_since_ms: null },
    actualMs: withEntry(state.actualMs, timer.part_id, (state.actualMs.get(timer.part_id) ?? 0) + run),
  };
}

function assignRole(roles, e) {
  if (e.role !== 'presenter') return { ...roles, [e.role]: e.participant_id };
  const presenters = roles.presenters.filter((p) => p.part_id !== e.part_id);
  if (e.participant_id !== null) presenters.push({ part_id: e.part_id, participant_id: e.participant_id });
  return { ...roles, presenters };
}

// ---- Reading the state ---------------------------------------------------------------
// Who may do what mirrors the server's rights; the server has the last word.

export const isFacilitator = (state) => Boolean(state.you?.is_facilitator);
export const roles = (state) => state.session?.roles ?? {};
export const isTimekeeper = (state) => isFacilitator(state) || roles(state).timekeeper === state.you?.id;
export const isNoteTaker = (state) => isFacilitator(state) || roles(state).note_taker === state.you?.id;
export const isPresenter = (state) =>
  isFacilitator(state) ||
  (roles(state).presenters ?? []).some((p) => p.part_id === state.currentPart && p.participant_id === state.you?.id);

export const parts = (state) => state.session?.parts ?? [];
export const currentPart = (state) => parts(state).find((p) => p.id === state.currentPart) ?? parts(state)[0];
export const personName = (state, id) => state.session?.participants.find((p) => p.id === id)?.display_name ?? '?';

/** Milliseconds left on the timer at server time `serverNowMs` (negative: over), or null without a timer. */
export function timerRemaining(state, serverNowMs) {
  const timer = state.timer;
  if (!timer) return null;
  const running = timer.running_since_ms ? serverNowMs - timer.running_since_ms : 0;
  return timer.duration_ms - timer.elapsed_before_ms - running;
}

/** My dots left in the open round. */
export function votesLeft(state) {
  return state.vote ? state.vote.votes_per_person - state.vote.my_votes.length : 0;
}

/** A catalogue entry's name in `lang` (`nl` or `en`). */
export function nameOf(entry, lang) {
  return entry[lang] ?? entry.en;
}
