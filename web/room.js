// The live room: the deck, the board of stickies, the notes, the timer and the people,
// kept in step with everyone else through the live connection (see protocol.js).
// The server decides everything; this file shows state and sends intents. Buttons a
// participant may not use are absent, and the server refuses them anyway.

import { el, fill, initials, clock, timeOf, typingIn } from './dom.js';
import { t, loadLocale, pickLang, switchLang, lang } from './i18n.js';
import { CloseCode, LiveConnection, ops } from './protocol.js';
import { renderWorkspace, WORKSPACE_KINDS } from './workspaces.js';

const root = document.getElementById('app');
const sessionId = root.dataset.session;

/** Everything the room shows, built from the welcome snapshot and the events after it. */
const S = {
  session: null,
  you: null,
  currentPart: null,
  modelsOpen: false,
  modelsForMe: false,
  timer: null,
  actualMs: new Map(),
  stickies: new Map(),
  groups: new Map(),
  vote: null,
  notes: new Map(),
  people: [],
  status: 'connecting',
  replan: null,
  replanDismissed: false,
  breakDismissed: null,
  editNext: false,
  editing: null,
  selected: new Set(),
  strategy: null,
  tab: new Map(),
  reviewStep: 0,
  warning: null,
  ended: false,
  /** The message key once the server shut this person out (close 4003), else null. */
  accessEnded: null,
};

let live;
const COLOURS = ['yellow', 'pink', 'blue', 'green', 'orange', 'purple'];

// ---- Who may do what (mirrors the server's rights; the server has the last word) ----

const isFacilitator = () => Boolean(S.you?.is_facilitator);
const roles = () => S.session?.roles ?? {};
const isTimekeeper = () => isFacilitator() || roles().timekeeper === S.you?.id;
const isNoteTaker = () => isFacilitator() || roles().note_taker === S.you?.id;
const isPresenter = () =>
  isFacilitator() || (roles().presenters ?? []).some((p) => p.part_id === S.currentPart && p.participant_id === S.you?.id);

const parts = () => S.session?.parts ?? [];
const currentPart = () => parts().find((p) => p.id === S.currentPart) ?? parts()[0];
const personName = (id) => S.session?.participants.find((p) => p.id === id)?.display_name ?? '?';

// ---- Applying what the server says --------------------------------------------------

function applySnapshot(snapshot) {
  S.session = snapshot.session;
  S.currentPart = snapshot.current_part;
  S.modelsOpen = snapshot.models_open;
  S.timer = snapshot.timer;
  S.actualMs = new Map(snapshot.actuals.map((a) => [a.part_id, a.actual_ms]));
  if (S.timer?.running_since_ms) {
    // The snapshot counts the run in progress; keep only what is finished.
    const running = live.serverNow() - S.timer.running_since_ms;
    S.actualMs.set(S.timer.part_id, Math.max(0, (S.actualMs.get(S.timer.part_id) ?? 0) - running));
  }
  S.stickies = new Map(snapshot.stickies.map((s) => [s.id, s]));
  S.groups = new Map(snapshot.groups.map((g) => [g.id, g]));
  S.vote = snapshot.vote;
  S.notes = new Map(snapshot.notes.map((n) => [n.part_id, n.text]));
  S.strategy = snapshot.strategy;
}

function closeRun(at) {
  const timer = S.timer;
  if (timer?.running_since_ms) {
    const run = Math.max(0, at - timer.running_since_ms);
    timer.elapsed_before_ms += run;
    timer.running_since_ms = null;
    S.actualMs.set(timer.part_id, (S.actualMs.get(timer.part_id) ?? 0) + run);
  }
}

function applyEvent(frame) {
  const e = frame.event;
  switch (e.type) {
    case 'session_changed':
      S.session = { ...e.session, you: undefined };
      break;
    case 'part_changed':
      S.currentPart = e.part_id;
      S.selected.clear();
      break;
    case 'models_overlay':
      S.modelsOpen = e.open;
      break;
    case 'timer_started':
      closeRun(e.at_ms);
      S.timer = { part_id: e.part_id, duration_ms: e.duration_ms, running_since_ms: e.at_ms, elapsed_before_ms: 0, ended: false };
      S.warning = null;
      break;
    case 'timer_paused':
      closeRun(e.at_ms);
      break;
    case 'timer_resumed':
      if (S.timer) S.timer.running_since_ms = e.at_ms;
      break;
    case 'timer_extended':
      if (S.timer) S.timer.duration_ms += e.by_ms;
      break;
    case 'timer_reset':
      closeRun(e.at_ms);
      S.timer = null;
      S.warning = null;
      break;
    case 'timer_warning':
      S.warning = e.seconds_left;
      if (frame.live) signal(false);
      break;
    case 'timer_ended':
      if (S.timer) S.timer.ended = true;
      if (frame.live) signal(true);
      break;
    case 'sticky_created':
      S.stickies.set(e.sticky.id, e.sticky);
      if (S.editNext && e.sticky.author_id === S.you?.id) {
        S.editNext = false;
        S.editing = e.sticky.id;
      }
      break;
    case 'sticky_edited':
      patchSticky(e.sticky_id, { text: e.text });
      break;
    case 'sticky_moved':
      patchSticky(e.sticky_id, { x: e.x, y: e.y });
      break;
    case 'sticky_recoloured':
      patchSticky(e.sticky_id, { colour: e.colour });
      break;
    case 'sticky_resized':
      patchSticky(e.sticky_id, { width: e.width, height: e.height });
      break;
    case 'stickies_grouped':
      S.groups.set(e.group_id, { id: e.group_id, part_id: e.part_id, label: e.label });
      for (const id of e.sticky_ids) patchSticky(id, { group_id: e.group_id });
      S.selected.clear();
      break;
    case 'ungrouped':
      S.groups.delete(e.group_id);
      for (const sticky of S.stickies.values()) if (sticky.group_id === e.group_id) sticky.group_id = null;
      break;
    case 'sticky_deleted':
      S.stickies.delete(e.sticky_id);
      S.selected.delete(e.sticky_id);
      if (S.vote) S.vote.my_votes = S.vote.my_votes.filter((id) => id !== e.sticky_id);
      break;
    case 'vote_opened':
      S.vote = { part_id: e.part_id, votes_per_person: e.votes_per_person, open: true, my_votes: [], votes_cast: 0, tally: null };
      break;
    case 'vote_cast':
      if (S.vote) {
        S.vote.my_votes.push(e.sticky_id);
        S.vote.votes_cast += 1;
      }
      break;
    case 'vote_removed':
      if (S.vote) {
        const at = S.vote.my_votes.indexOf(e.sticky_id);
        if (at >= 0) S.vote.my_votes.splice(at, 1);
      }
      break;
    case 'vote_recorded':
      break;
    case 'vote_closed':
      if (S.vote) {
        S.vote.open = false;
        S.vote.tally = e.tally;
      }
      break;
    case 'notes_set':
      S.notes.set(e.part_id, e.text);
      break;
    case 'role_assigned':
      applyRole(e);
      break;
    case 'strategy_changed':
      S.strategy = e.strategy;
      break;
    default:
      break;
  }
  if (frame.replan) {
    S.replan = frame.replan;
    S.replanDismissed = false;
  }
}

function patchSticky(id, fields) {
  const sticky = S.stickies.get(id);
  if (sticky) Object.assign(sticky, fields);
}

function applyRole(e) {
  const r = S.session.roles;
  if (e.role === 'presenter') {
    r.presenters = r.presenters.filter((p) => p.part_id !== e.part_id);
    if (e.participant_id !== null) r.presenters.push({ part_id: e.part_id, participant_id: e.participant_id });
  } else {
    r[e.role] = e.participant_id;
  }
}

// ---- Signals ----------------------------------------------------------------------------

let audio;
function signal(end) {
  document.body.classList.add(end ? 'flash-end' : 'flash-warning');
  setTimeout(() => document.body.classList.remove('flash-end', 'flash-warning'), 1500);
  try {
    audio ??= new AudioContext();
    const beeps = end ? 3 : 1;
    for (let i = 0; i < beeps; i += 1) {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.frequency.value = end ? 880 : 660;
      gain.gain.value = 0.15;
      oscillator.connect(gain).connect(audio.destination);
      const at = audio.currentTime + i * 0.35;
      oscillator.start(at);
      oscillator.stop(at + 0.2);
    }
  } catch {
    // No sound available (or not yet allowed by the browser): the flash still shows.
  }
}

// ---- Sending intents --------------------------------------------------------------------

function send(op) {
  live.send(op);
  renderStatus();
}

async function api(method, path, body) {
  const response = await fetch(`/api/sessions/${sessionId}${path}?lang=${lang}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) {
    const error = await response.json().catch(() => ({ message: response.statusText }));
    toast(error.message);
    throw new Error(error.code);
  }
  return response.json();
}

// ---- Layout -----------------------------------------------------------------------------

const ui = {};

function layout() {
  ui.title = el('h1', { class: 'room-title' });
  ui.partLabel = el('span', { class: 'part-label', 'aria-live': 'polite' });
  ui.nav = el('span', { class: 'nav' });
  ui.timer = el('span', { class: 'timer', role: 'timer', 'aria-live': 'off' });
  ui.timerControls = el('span', { class: 'timer-controls' });
  ui.status = el('span', { class: 'status', role: 'status', 'aria-live': 'polite' });
  ui.people = el('ul', { class: 'people', 'aria-label': t('room.people') });
  ui.meeting = el('span', { class: 'meeting' });
  ui.langButton = el('button', { class: 'link-button', type: 'button', onclick: switchLang }, t('lang.switch'));
  ui.agenda = el('ol', { class: 'agenda-list' });
  ui.modelButton = el('span', { class: 'model-buttons' });
  ui.slide = el('section', { class: 'slide', 'aria-live': 'polite' });
  ui.boardTools = el('div', { class: 'board-tools', role: 'toolbar', 'aria-label': t('room.board_tools') });
  ui.tabs = el('div', { class: 'tabs', role: 'tablist' });
  ui.workspace = el('div', { class: 'workspace', role: 'tabpanel' });
  ui.board = el('div', { class: 'board', tabindex: '-1', 'aria-label': t('room.board'), ondblclick: onBoardDoubleClick });
  ui.canvas = el('div', { class: 'canvas' });
  ui.board.append(ui.canvas);
  ui.notes = el('section', { class: 'notes-pane' });
  ui.roles = el('section', { class: 'roles-pane' });
  ui.banner = el('div', { class: 'banner', hidden: true, role: 'status' });
  ui.overlay = el('div', { class: 'overlay', hidden: true, role: 'dialog', 'aria-modal': 'true' });
  ui.breakScreen = el('div', { class: 'overlay break-screen', hidden: true, role: 'dialog' });
  ui.toasts = el('div', { class: 'toasts', 'aria-live': 'assertive' });

  fill(
    root,
    el('header', { class: 'topbar' },
      el('div', { class: 'topbar-left' }, el('span', { class: 'brand' }, 'Heisessie'), ui.title),
      el('div', { class: 'topbar-mid' }, ui.nav, ui.partLabel),
      el('div', { class: 'topbar-right' }, ui.timer, ui.timerControls, ui.status, ui.people, ui.meeting, ui.langButton)),
    ui.banner,
    el('div', { class: 'room' },
      el('aside', { class: 'agenda', 'aria-label': t('session.agenda') }, el('h2', {}, t('session.agenda')), ui.agenda, ui.modelButton),
      el('main', { class: 'stage' }, ui.slide, ui.tabs, ui.workspace, ui.boardTools, ui.board),
      el('aside', { class: 'side' }, ui.notes, ui.roles)),
    ui.overlay,
    ui.breakScreen,
    ui.toasts,
  );
}

function render() {
  if (!S.session) return;
  document.title = `${S.session.title} · Heisessie`;
  ui.title.textContent = S.session.title;
  renderNav();
  renderTimer();
  renderStatus();
  renderPeople();
  renderAgenda();
  renderSlide();
  renderTabs();
  renderBoardTools();
  renderBoard();
  renderNotes();
  renderRoles();
  renderBanner();
  renderModels();
  renderBreak();
}

function renderNav() {
  const list = parts();
  const index = Math.max(0, list.findIndex((p) => p.id === currentPart()?.id));
  ui.partLabel.textContent = list.length ? `${index + 1}/${list.length} ${currentPart().title}` : t('room.no_parts');
  const canMove = isPresenter();
  fill(ui.nav,
    canMove && el('button', { type: 'button', class: 'icon', 'data-action': 'previous', 'aria-label': t('room.previous'), disabled: index === 0, onclick: () => send(ops.previousPart()) }, '◀'),
    canMove && el('button', { type: 'button', class: 'icon', 'data-action': 'next', 'aria-label': t('room.next'), disabled: index >= list.length - 1, onclick: () => send(ops.nextPart()) }, '▶'));
  ui.meeting.replaceChildren(el('a', { class: 'link-button', href: `/s/${sessionId}/follow-up?lang=${lang}`, 'data-action': 'follow-up' }, t('room.follow_up')), ' ', downloads());
  if (S.session.meeting_link) {
    ui.meeting.append(el('a', { class: 'button secondary', href: S.session.meeting_link, target: '_blank', rel: 'noopener noreferrer' }, t('room.video_call')));
  }
}

const EXPORTS = [
  ['report.pdf', 'export.report_pdf'], ['report.html', 'export.report_html'], ['report.md', 'export.report_md'],
  ['deck.pdf', 'export.deck_pdf'], ['deck.html', 'export.deck_html'],
  ['session.ics', 'export.session_ics'], ['actions.ics', 'export.actions_ics'], ['content.ics', 'export.content_ics'],
  ['actions.csv', 'export.actions_csv'], ['content.csv', 'export.content_csv'],
];

/** The downloads: for the facilitator always, for participants once the facilitator allows it. */
function downloads() {
  if (!isFacilitator() && !S.session.exports_open) return null;
  return el('details', { class: 'downloads' },
    el('summary', { 'data-action': 'downloads' }, t('export.title')),
    el('ul', {}, EXPORTS.map(([file, key]) => el('li', {}, el('a', { href: `/api/sessions/${sessionId}/exports/${file}`, download: '' }, t(key))))),
    isFacilitator() && el('label', { class: 'exports-open' },
      el('input', { type: 'checkbox', checked: S.session.exports_open, 'data-action': 'exports-open', onchange: (event) => send({ type: 'set_exports_open', open: event.target.checked }) }),
      ' ', t('export.open')));
}

function timerRemaining() {
  const timer = S.timer;
  if (!timer) return null;
  const running = timer.running_since_ms ? live.serverNow() - timer.running_since_ms : 0;
  return timer.duration_ms - timer.elapsed_before_ms - running;
}

function renderTimer() {
  const remaining = timerRemaining();
  ui.timer.classList.remove('amber', 'red', 'paused');
  if (remaining === null) {
    ui.timer.textContent = clock((currentPart()?.minutes ?? 0) * 60000);
    ui.timer.setAttribute('aria-label', t('room.timer_idle'));
  } else {
    ui.timer.textContent = remaining < 0 ? `+${clock(remaining)}` : clock(remaining);
    if (remaining < 0) ui.timer.classList.add('red');
    else if (remaining <= 5 * 60000) ui.timer.classList.add('amber');
    if (!S.timer.running_since_ms) ui.timer.classList.add('paused');
    ui.timer.setAttribute('aria-label', remaining < 0 ? t('room.timer_over', { time: clock(remaining) }) : t('room.timer_left', { time: clock(remaining) }));
  }
  ui.timer.dataset.remaining = remaining === null ? '' : String(Math.round(remaining / 1000));
  if (!isTimekeeper()) {
    ui.timerControls.replaceChildren();
    return;
  }
  const running = Boolean(S.timer?.running_since_ms);
  // Compact symbols keep the top bar on one line; the words are in the labels.
  const wanted = [
    !S.timer || S.timer.part_id !== currentPart()?.id ? ['start', '▶', t('room.timer_start'), () => send(ops.startTimer({ partId: currentPart()?.id }))] : null,
    S.timer && running ? ['pause', '‖', t('room.timer_pause'), () => send(ops.pauseTimer())] : null,
    S.timer && !running ? ['resume', '▶', t('room.timer_resume'), () => send(ops.resumeTimer())] : null,
    S.timer ? ['extend', '+5', t('room.timer_extend'), () => send(ops.extendTimer(300))] : null,
    S.timer ? ['reset', '■', t('room.timer_reset'), () => send(ops.resetTimer())] : null,
  ].filter(Boolean);
  const key = wanted.map((w) => w[0]).join(',');
  if (ui.timerControls.dataset.key === key) return;
  ui.timerControls.dataset.key = key;
  fill(ui.timerControls, wanted.map(([action, symbol, label, run]) =>
    el('button', { type: 'button', class: 'small', 'data-action': `timer-${action}`, title: label, 'aria-label': label, onclick: run }, symbol)));
}

function renderStatus() {
  const status = live?.status ?? S.status;
  const words = {
    connecting: t('room.status_connecting'),
    saved: t('room.status_saved'),
    saving: t('room.status_saving'),
    // Shut out (a rotated link): say why instead of "offline"; reconnecting cannot mend it.
    offline: S.accessEnded ? t(S.accessEnded) : t('room.status_offline'),
    reconnecting: t('room.status_reconnecting'),
  };
  ui.status.textContent = words[status] ?? status;
  ui.status.dataset.status = status;
}

function renderPeople() {
  fill(ui.people, S.people.map((person) => {
    const name = personName(person.participant_id);
    const part = parts().find((p) => p.id === person.part_id);
    const label = part ? t('room.person_on', { name, part: part.title }) : name;
    return el('li', { class: 'avatar', title: label, 'aria-label': label }, initials(name));
  }));
}

function renderModelButtons() {
  fill(ui.modelButton,
    el('button', { type: 'button', class: 'secondary', 'data-action': 'models-me', onclick: () => { S.modelsForMe = true; render(); } }, t('room.models')),
    isFacilitator() && el('button', { type: 'button', class: 'small secondary', 'data-action': 'models-all', onclick: () => send(ops.setModelsOverlay(true)) }, t('room.models_everyone')));
}

function renderAgenda() {
  renderModelButtons();
  const days = S.session.schedule.days;
  const items = [];
  days.forEach((day, index) => {
    if (days.length > 1) items.push(el('li', { class: 'day-row' }, t('session.day', { n: index + 1 }), ' · ', day.date));
    for (const block of day.blocks) {
      if (block.kind === 'break') {
        items.push(el('li', { class: 'break-row' }, `☕ ${timeOf(block.start)} ${block.title}`));
        continue;
      }
      const part = parts().find((p) => p.id === block.part_id);
      const current = block.part_id === currentPart()?.id;
      const actual = Math.round((S.actualMs.get(block.part_id) ?? 0) / 60000);
      const done = parts().findIndex((p) => p.id === block.part_id) < parts().findIndex((p) => p.id === currentPart()?.id);
      const label = `${timeOf(block.start)} ${block.title}${block.segment ? ` (${block.segment[0]}/${block.segment[1]})` : ''}`;
      const planned = t('room.planned_actual', { actual, planned: part?.minutes ?? block.minutes });
      const content = [el('span', { class: 'mark' }, current ? '▶' : done ? '✓' : ''), el('span', { class: 'what' }, label), el('span', { class: 'times' }, planned)];
      items.push(el('li', { class: `part-row${current ? ' current' : ''}`, 'aria-current': current ? 'step' : null },
        isFacilitator()
          ? el('button', { type: 'button', class: 'agenda-button', onclick: () => send(ops.goToPart(block.part_id)) }, content)
          : content));
    }
  });
  fill(ui.agenda, items);
}

function renderSlide() {
  const part = currentPart();
  if (!part) {
    fill(ui.slide, el('h2', {}, t('room.no_parts')));
    return;
  }
  fill(ui.slide,
    el('h2', { class: 'slide-title' }, part.title),
    part.explanation && el('p', { class: 'slide-explanation' }, part.explanation),
    // The questions fold away so the workspace keeps its room; the slide says they are there.
    part.questions.length > 0 && el('details', { class: 'questions-box', open: !WORKSPACE_KINDS.includes(part.workspace) },
      el('summary', {}, t('room.questions', { n: part.questions.length })),
      el('ul', { class: 'questions' }, part.questions.map((q) => el('li', {}, q)))));
}

/** The workspace parts show their form by default and the board on a second tab. */
function showsWorkspace() {
  const part = currentPart();
  return Boolean(part && WORKSPACE_KINDS.includes(part.workspace) && S.tab.get(part.id) !== 'board');
}

const workspaceContext = {
  strategy: () => S.strategy,
  me: () => S.you?.id,
  send: (op) => send(op),
  participants: () => S.session?.participants ?? [],
  name: (id) => personName(id),
  isFacilitator: () => isFacilitator(),
  partId: () => currentPart()?.id ?? null,
  parts: () => parts(),
  stickies: (partId) => [...S.stickies.values()].filter((s) => s.part_id === partId),
  notes: (partId) => S.notes.get(partId) ?? '',
  reviewStep: () => S.reviewStep,
  setReviewStep: (step) => {
    S.reviewStep = step;
    render();
  },
};

function renderTabs() {
  const part = currentPart();
  const hasWorkspace = Boolean(part && WORKSPACE_KINDS.includes(part.workspace));
  ui.tabs.hidden = !hasWorkspace;
  const workspace = showsWorkspace();
  ui.workspace.hidden = !workspace;
  ui.board.hidden = workspace;
  ui.boardTools.hidden = workspace;
  if (!hasWorkspace) return;
  const tab = (name, label, selected) => el('button', {
    type: 'button', role: 'tab', class: 'tab', 'aria-selected': selected ? 'true' : 'false', 'data-tab': name,
    onclick: () => { S.tab.set(part.id, name); render(); },
  }, label);
  fill(ui.tabs, tab('workspace', t(`workspace.${part.workspace}`), workspace), tab('board', t('room.board_tab'), !workspace));
  if (workspace && S.strategy) {
    if (ui.workspace.dataset.kind !== part.workspace) {
      ui.workspace.replaceChildren();
      ui.workspace.dataset.kind = part.workspace;
    }
    renderWorkspace(ui.workspace, part.workspace, workspaceContext);
  }
}

function votesLeft() {
  return S.vote ? S.vote.votes_per_person - S.vote.my_votes.length : 0;
}

function renderBoardTools() {
  const part = currentPart();
  const voting = S.vote?.open && S.vote.part_id === part?.id;
  const tools = [
    el('button', { type: 'button', class: 'small', 'data-action': 'add-sticky', onclick: () => addSticky() }, t('room.add_sticky')),
  ];
  const focused = focusedSticky();
  if (focused) {
    tools.push(el('span', { class: 'palette', role: 'group', 'aria-label': t('room.colour') },
      COLOURS.map((colour) => el('button', {
        type: 'button', class: `swatch ${colour}`, 'aria-label': t(`colour.${colour}`), 'data-colour': colour,
        'aria-pressed': focused.colour === colour ? 'true' : 'false',
        onclick: () => send(ops.colourSticky({ stickyId: focused.id, colour })),
      }))));
  }
  if (focused) {
    tools.push(el('button', { type: 'button', class: 'small secondary', 'data-action': 'sticky-to-action',
      onclick: () => send({ type: 'save_action', title: focused.text || t('ws.untitled'), source: { kind: 'sticky', id: focused.id }, part_id: focused.part_id }) }, t('ws.make_action')));
    tools.push(el('button', { type: 'button', class: 'small secondary', 'data-action': 'sticky-to-idea',
      onclick: () => send({ type: 'add_idea', text: focused.text || t('ws.untitled'), sticky_id: focused.id }) }, t('ws.make_idea')));
  }
  if (S.selected.size >= 2) {
    tools.push(el('button', { type: 'button', class: 'small', 'data-action': 'group', onclick: groupSelection }, t('room.group', { n: S.selected.size })));
  }
  if (voting) {
    tools.push(el('span', { class: 'votes-left', 'data-votes-left': votesLeft() }, t('room.votes_left', { n: votesLeft() })));
  }
  if (isFacilitator() && part) {
    if (voting) {
      tools.push(el('button', { type: 'button', class: 'small', 'data-action': 'close-vote', onclick: () => send(ops.closeVote()) }, t('room.close_vote')));
    } else {
      tools.push(el('button', { type: 'button', class: 'small', 'data-action': 'open-vote', onclick: () => send(ops.openVote({ partId: part.id, votesPerPerson: 3 })) }, t('room.open_vote')));
    }
  }
  tools.push(el('span', { class: 'hint' }, t('room.board_hint')));
  fill(ui.boardTools, tools);
}

function focusedSticky() {
  const id = Number(document.activeElement?.dataset?.sticky);
  return S.stickies.get(id) ?? null;
}

function tallyFor(id) {
  return S.vote?.tally?.find((entry) => entry.sticky_id === id)?.votes ?? 0;
}

function renderBoard() {
  const part = currentPart();
  const shown = [...S.stickies.values()].filter((s) => s.part_id === part?.id);
  const keep = new Set(shown.map((s) => String(s.id)));
  for (const node of [...ui.canvas.children]) {
    if (!keep.has(node.dataset.sticky)) node.remove();
  }
  const voting = S.vote?.open && S.vote.part_id === part?.id;
  for (const sticky of shown) {
    let node = ui.canvas.querySelector(`[data-sticky="${sticky.id}"]`);
    if (!node) {
      node = el('div', { class: 'sticky', tabindex: '0', role: 'group', dataset: { sticky: String(sticky.id) } });
      node.addEventListener('pointerdown', onStickyPointerDown);
      node.addEventListener('keydown', onStickyKey);
      node.addEventListener('dblclick', (event) => { event.stopPropagation(); startEditing(sticky.id); });
      node.addEventListener('click', (event) => onStickyClick(event, sticky.id));
      node.addEventListener('focus', renderBoardTools);
      ui.canvas.append(node);
    }
    if (node.dataset.dragging === 'true') continue;
    node.className = `sticky ${sticky.colour}${S.selected.has(sticky.id) ? ' selected' : ''}`;
    node.style.left = `${sticky.x}px`;
    node.style.top = `${sticky.y}px`;
    node.style.width = `${sticky.width}px`;
    node.style.minHeight = `${sticky.height}px`;
    node.setAttribute('aria-label', t('room.sticky_label', { text: sticky.text || t('room.empty_sticky'), author: personName(sticky.author_id) }));
    if (S.editing === sticky.id) {
      if (!node.querySelector('textarea')) fillEditor(node, sticky);
      continue;
    }
    const group = sticky.group_id ? S.groups.get(sticky.group_id) : null;
    const myDots = S.vote?.part_id === part?.id ? S.vote.my_votes.filter((id) => id === sticky.id).length : 0;
    const tally = S.vote && !S.vote.open && S.vote.part_id === part?.id ? tallyFor(sticky.id) : 0;
    fill(node,
      group && el('span', { class: 'group-label' }, group.label || t('room.group_unnamed'),
        el('button', { type: 'button', class: 'tiny', 'aria-label': t('room.ungroup'), onclick: (e) => { e.stopPropagation(); send(ops.ungroup(group.id)); } }, '×')),
      el('p', { class: 'sticky-text' }, sticky.text),
      el('span', { class: 'author' }, initials(personName(sticky.author_id))),
      (myDots > 0 || tally > 0) && el('span', { class: 'dots', 'aria-label': t('room.votes_on', { n: tally || myDots }) }, '●'.repeat(tally || myDots)),
      voting && el('span', { class: 'vote-buttons' },
        el('button', { type: 'button', class: 'tiny', 'data-action': 'vote', disabled: votesLeft() <= 0, 'aria-label': t('room.vote'), onclick: (e) => { e.stopPropagation(); send(ops.castVote(sticky.id)); } }, '+●'),
        myDots > 0 && el('button', { type: 'button', class: 'tiny', 'data-action': 'unvote', 'aria-label': t('room.unvote'), onclick: (e) => { e.stopPropagation(); send(ops.removeVote(sticky.id)); } }, '−●')));
  }
}

function fillEditor(node, sticky) {
  const editor = el('textarea', { class: 'sticky-editor', 'aria-label': t('room.edit_sticky'), maxlength: '500', value: sticky.text });
  let done = false;
  const finish = (save) => {
    if (done) return;
    done = true;
    S.editing = null;
    if (save && editor.value !== sticky.text) send(ops.editSticky({ stickyId: sticky.id, text: editor.value }));
    renderBoard();
    node.focus();
  };
  editor.addEventListener('keydown', (event) => {
    event.stopPropagation();
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      finish(true);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      finish(false);
    }
  });
  editor.addEventListener('blur', () => finish(true));
  editor.addEventListener('pointerdown', (event) => event.stopPropagation());
  fill(node, editor);
  requestAnimationFrame(() => editor.focus());
}

function startEditing(id) {
  S.editing = id;
  renderBoard();
}

function addSticky(x, y) {
  const part = currentPart();
  if (!part) return;
  const count = [...S.stickies.values()].filter((s) => s.part_id === part.id).length;
  const px = x ?? 24 + (count % 6) * 180;
  const py = y ?? 24 + Math.floor(count / 6) * 180;
  S.editNext = true;
  send(ops.createSticky({ partId: part.id, text: '', x: Math.round(px), y: Math.round(py), colour: 'yellow' }));
}

function onBoardDoubleClick(event) {
  if (event.target !== ui.board && event.target !== ui.canvas) return;
  const rect = ui.canvas.getBoundingClientRect();
  addSticky(event.clientX - rect.left - 80, event.clientY - rect.top - 40);
}

function onStickyClick(event, id) {
  if (!event.shiftKey) return;
  if (S.selected.has(id)) S.selected.delete(id);
  else S.selected.add(id);
  renderBoard();
  renderBoardTools();
}

function groupSelection() {
  const label = window.prompt(t('room.group_prompt'), '') ?? '';
  send(ops.groupStickies({ stickyIds: [...S.selected], label }));
}

function onStickyPointerDown(event) {
  if (event.button !== 0 || event.target.closest('button, textarea')) return;
  const node = event.currentTarget;
  const id = Number(node.dataset.sticky);
  const sticky = S.stickies.get(id);
  if (!sticky) return;
  const start = { x: event.clientX, y: event.clientY, left: sticky.x, top: sticky.y };
  let moved = false;
  node.setPointerCapture(event.pointerId);
  const onMove = (move) => {
    const dx = move.clientX - start.x;
    const dy = move.clientY - start.y;
    if (!moved && Math.abs(dx) + Math.abs(dy) < 4) return;
    moved = true;
    node.dataset.dragging = 'true';
    node.style.left = `${start.left + dx}px`;
    node.style.top = `${start.top + dy}px`;
  };
  const onUp = (up) => {
    node.removeEventListener('pointermove', onMove);
    node.removeEventListener('pointerup', onUp);
    node.removeEventListener('pointercancel', onUp);
    delete node.dataset.dragging;
    if (moved) {
      const x = Math.round(start.left + up.clientX - start.x);
      const y = Math.round(start.top + up.clientY - start.y);
      patchSticky(id, { x, y });
      send(ops.moveSticky({ stickyId: id, x, y }));
    }
  };
  node.addEventListener('pointermove', onMove);
  node.addEventListener('pointerup', onUp);
  node.addEventListener('pointercancel', onUp);
}

function onStickyKey(event) {
  const id = Number(event.currentTarget.dataset.sticky);
  const sticky = S.stickies.get(id);
  if (!sticky || S.editing === id) return;
  const step = event.shiftKey ? 50 : 10;
  const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
  if (moves[event.key]) {
    event.preventDefault();
    const [dx, dy] = moves[event.key];
    patchSticky(id, { x: sticky.x + dx, y: sticky.y + dy });
    renderBoard();
    send(ops.moveSticky({ stickyId: id, x: sticky.x, y: sticky.y }));
  } else if (event.key === 'Enter') {
    event.preventDefault();
    startEditing(id);
  } else if (event.key === 'Delete' || event.key === 'Backspace') {
    event.preventDefault();
    deleteWithUndo(sticky);
  }
}

function deleteWithUndo(sticky) {
  const copy = { ...sticky };
  send(ops.deleteSticky(sticky.id));
  toast(t('room.deleted'), t('room.undo'), () =>
    send(ops.createSticky({ partId: copy.part_id, text: copy.text, x: copy.x, y: copy.y, colour: copy.colour })));
}

let notesTimer;
function renderNotes() {
  const part = currentPart();
  const text = S.notes.get(part?.id) ?? '';
  const heading = el('h2', {}, t('room.notes'));
  if (isNoteTaker() && part) {
    let area = ui.notes.querySelector('textarea');
    if (!area || area.dataset.part !== String(part.id)) {
      area = el('textarea', { class: 'notes-editor', 'aria-label': t('room.notes_for', { part: part.title }), maxlength: '20000', dataset: { part: String(part.id) }, value: text });
      area.addEventListener('input', () => {
        clearTimeout(notesTimer);
        notesTimer = setTimeout(() => send(ops.setNotes({ partId: part.id, text: area.value })), 600);
      });
      fill(ui.notes, heading, area);
    } else if (document.activeElement !== area && area.value !== text) {
      area.value = text;
    }
  } else {
    fill(ui.notes, heading, el('div', { class: 'notes-text', 'aria-live': 'polite' }, text || t('room.no_notes')));
  }
}

function renderRoles() {
  const r = roles();
  const rows = [
    ['process_facilitator', r.process_facilitator],
    ['timekeeper', r.timekeeper],
    ['note_taker', r.note_taker],
  ];
  const presenter = (r.presenters ?? []).find((p) => p.part_id === currentPart()?.id);
  fill(ui.roles,
    el('h2', {}, t('session.roles')),
    el('dl', { class: 'roles' },
      rows.map(([role, holder]) => [el('dt', {}, t(`session.role.${role}`)), el('dd', {}, holder ? personName(holder) : t('session.unassigned'))]),
      el('dt', {}, t('session.role.presenter')), el('dd', {}, presenter ? personName(presenter.participant_id) : t('session.unassigned'))),
    el('p', { class: 'you' }, t('room.you_are', { name: S.you?.display_name ?? '' }), isFacilitator() && el('span', { class: 'badge' }, t('session.facilitator'))));
}

function renderBanner() {
  const replan = S.replan;
  if (!replan || replan.delay_minutes <= 0 || S.replanDismissed) {
    ui.banner.hidden = true;
    return;
  }
  ui.banner.hidden = false;
  const cuts = replan.cuts.map((cut) => cut.description).join('; ');
  fill(ui.banner,
    el('span', {}, t('room.replan', { end: timeOf(replan.projected_end), planned: timeOf(replan.planned_end) }), cuts && ` — ${cuts}?`),
    isFacilitator() && replan.cuts.length > 0 && el('button', { type: 'button', class: 'small', 'data-action': 'accept-replan', onclick: acceptReplan }, t('room.replan_accept')),
    el('button', { type: 'button', class: 'small secondary', onclick: () => { S.replanDismissed = true; renderBanner(); } }, t('room.dismiss')));
}

async function acceptReplan() {
  const cuts = S.replan?.cuts ?? [];
  S.replanDismissed = true;
  renderBanner();
  for (const cut of cuts) {
    if (cut.action === 'drop') await api('DELETE', `/parts/${cut.part_id}`);
    else await api('PATCH', `/parts/${cut.part_id}`, { minutes: cut.to_minutes });
  }
  toast(t('room.replan_done'));
}

function renderModels() {
  const open = S.modelsOpen || S.modelsForMe;
  ui.overlay.hidden = !open;
  if (!open) return;
  const closeForMe = () => { S.modelsForMe = false; if (S.modelsOpen && !isFacilitator()) S.modelsDismissed = true; render(); };
  fill(ui.overlay,
    el('div', { class: 'overlay-card models-card', 'aria-label': t('room.models') },
      el('h2', {}, S.session.model.name),
      S.session.model.credit && el('p', { class: 'credit' }, S.session.model.credit),
      el('ol', { class: 'model-parts' }, parts().map((part) =>
        el('li', { class: part.id === currentPart()?.id ? 'current' : '' }, el('strong', {}, part.title), part.explanation && el('p', {}, part.explanation)))),
      el('div', { class: 'overlay-actions' },
        isFacilitator() && S.modelsOpen && el('button', { type: 'button', 'data-action': 'close-models-all', onclick: () => { S.modelsForMe = false; send(ops.setModelsOverlay(false)); } }, t('room.models_close_everyone')),
        (!S.modelsOpen || !isFacilitator()) && el('button', { type: 'button', 'data-action': 'close-models', onclick: closeForMe }, t('room.close')))));
  if (S.modelsOpen && S.modelsDismissed && !S.modelsForMe) ui.overlay.hidden = true;
}

function currentBreak() {
  const now = live.serverNow();
  for (const day of S.session.schedule.days) {
    for (const block of day.blocks) {
      if (block.kind === 'break' && Date.parse(block.start) <= now && now < Date.parse(block.end)) return block;
    }
  }
  return null;
}

function renderBreak() {
  const block = currentBreak();
  if (!block || S.breakDismissed === block.start) {
    ui.breakScreen.hidden = true;
    return;
  }
  ui.breakScreen.hidden = false;
  const left = Date.parse(block.end) - live.serverNow();
  fill(ui.breakScreen,
    el('div', { class: 'overlay-card break-card' },
      el('h2', {}, `☕ ${block.title}`),
      el('p', { class: 'break-until' }, t('room.break_until', { time: timeOf(block.end) })),
      el('p', { class: 'break-left', role: 'timer' }, clock(left)),
      el('button', { type: 'button', class: 'secondary', onclick: () => { S.breakDismissed = block.start; renderBreak(); } }, t('room.break_skip'))));
}

function toast(message, actionLabel, action) {
  const node = el('div', { class: 'toast', role: 'status' }, message,
    actionLabel && el('button', { type: 'button', class: 'small', onclick: () => { action(); node.remove(); } }, actionLabel));
  ui.toasts.append(node);
  setTimeout(() => node.remove(), 6000);
}

// ---- Keyboard -----------------------------------------------------------------------------

document.addEventListener('keydown', (event) => {
  if (typingIn(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key === 'n' || event.key === 'N') {
    if (document.activeElement?.dataset?.sticky) return;
    event.preventDefault();
    addSticky();
  } else if (event.key === 'Escape' && S.modelsForMe) {
    S.modelsForMe = false;
    render();
  }
});

// ---- Start --------------------------------------------------------------------------------

async function start() {
  await loadLocale(pickLang(root.dataset.lang));
  layout();
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  live = new LiveConnection(`${scheme}://${location.host}/api/sessions/${sessionId}/live?lang=${lang}`);
  live.onStatus = (status, detail) => {
    if (status === 'offline' && detail?.code === CloseCode.ACCESS_ENDED) {
      const why = { link_rotated: 'error.link_rotated', removed: 'error.removed' };
      S.accessEnded = why[detail.reason] ?? 'error.access_ended';
    }
    renderStatus();
  };
  live.onWelcome = (welcome) => {
    S.you = welcome.you;
    if (welcome.snapshot) applySnapshot(welcome.snapshot);
    live.setPresence(currentPart()?.id ?? null);
    render();
  };
  live.onEvent = (frame) => {
    // Sound and flashes only for what happens now, not for events replayed on resume.
    frame.live = live.serverNow() - frame.at_ms < 3000;
    const before = S.currentPart;
    applyEvent(frame);
    if (S.currentPart !== before) live.setPresence(S.currentPart);
    render();
  };
  live.onPresence = (people) => {
    S.people = people;
    renderPeople();
  };
  live.onReject = (reject) => {
    S.editNext = false;
    toast(reject.message);
  };
  live.onAck = () => renderStatus();
  live.connect();
  setInterval(() => {
    if (!S.session) return;
    renderTimer();
    renderBreak();
  }, 250);
}

start();
