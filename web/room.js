// The live room's screen: the top bar, the agenda, the slide, the workspaces or the
// board, the notes and the roles, and the overlays (models, breaks, re-plan). It keeps
// the room's state (room-state.js) in step with the live connection (protocol.js) and
// draws it; the board (board.js) and the strategy workspaces (workspaces.js) draw their
// own parts. The server decides everything; this file shows state and sends intents.
// Buttons a participant may not use are absent, and the server refuses them anyway.

import { el, fill, initials, clock, timeOf, typingIn } from './dom.js';
import { t, loadLocale, pickLang, switchLang, lang } from './i18n.js';
import { CloseCode, LiveConnection, liveUrl, ops } from './protocol.js';
import { createBoard } from './board.js';
import {
  currentPart, emptyRoom, fromSnapshot, isFacilitator, isNoteTaker, isPresenter, isTimekeeper, parts, patchSticky,
  personName, reduce, roles, timerRemaining,
} from './room-state.js';
import { renderWorkspace, WORKSPACE_KINDS } from './workspaces.js';

const root = document.getElementById('app');
const sessionId = root.dataset.session;

/** The room as the server tells it (see room-state.js); replaced, never changed in place. */
let room = emptyRoom();

/** What only this screen keeps: who is here, and what this person opened or dismissed. */
const view = {
  people: [],
  modelsForMe: false,
  modelsDismissed: false,
  replanDismissed: false,
  breakDismissed: null,
  /** Per part with a workspace: 'workspace' or 'board'. */
  tab: new Map(),
  /** On a narrow screen the one pane shown: 'slide', 'board', 'workspace' or 'notes'. */
  pane: 'slide',
  reviewStep: 0,
  /** The message key once the server shut this person out (close 4003), else null. */
  accessEnded: null,
};

let live;
let board;

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
  ui.tabs = el('div', { class: 'tabs', role: 'tablist' });
  ui.panes = el('nav', { class: 'phone-tabs', role: 'tablist', 'aria-label': t('room.panes') });
  ui.workspace = el('div', { class: 'workspace', role: 'tabpanel' });
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
    ui.panes,
    ui.room = el('div', { class: 'room', 'data-pane': view.pane },
      el('aside', { class: 'agenda', 'aria-label': t('session.agenda') }, el('h2', {}, t('session.agenda')), ui.agenda, ui.modelButton),
      el('main', { class: 'stage' }, ui.slide, ui.tabs, ui.workspace, board.tools, board.element),
      el('aside', { class: 'side' }, ui.notes, ui.roles)),
    ui.overlay,
    ui.breakScreen,
    ui.toasts,
  );
}

function render() {
  if (!room.session) return;
  document.title = `${room.session.title} · Heisessie`;
  ui.title.textContent = room.session.title;
  renderNav();
  renderTimer();
  renderStatus();
  renderPeople();
  renderAgenda();
  renderSlide();
  renderTabs();
  renderPanes();
  board.renderTools();
  board.render();
  renderNotes();
  renderRoles();
  renderBanner();
  renderModels();
  renderBreak();
}

function renderNav() {
  const list = parts(room);
  const index = Math.max(0, list.findIndex((p) => p.id === currentPart(room)?.id));
  ui.partLabel.textContent = list.length ? `${index + 1}/${list.length} ${currentPart(room).title}` : t('room.no_parts');
  const canMove = isPresenter(room);
  fill(ui.nav,
    canMove && el('button', { type: 'button', class: 'icon', 'data-action': 'previous', 'aria-label': t('room.previous'), disabled: index === 0, onclick: () => send(ops.previousPart()) }, '◀'),
    canMove && el('button', { type: 'button', class: 'icon', 'data-action': 'next', 'aria-label': t('room.next'), disabled: index >= list.length - 1, onclick: () => send(ops.nextPart()) }, '▶'));
  ui.meeting.replaceChildren(el('a', { class: 'link-button', href: `/s/${sessionId}/follow-up?lang=${lang}`, 'data-action': 'follow-up' }, t('room.follow_up')), ' ', downloads() ?? '');
  if (room.session.meeting_link) {
    ui.meeting.append(el('a', { class: 'button secondary', href: room.session.meeting_link, target: '_blank', rel: 'noopener noreferrer' }, t('room.video_call')));
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
  if (!isFacilitator(room) && !room.session.exports_open) return null;
  return el('details', { class: 'downloads' },
    el('summary', { 'data-action': 'downloads' }, t('export.title')),
    el('ul', {}, EXPORTS.map(([file, key]) => el('li', {}, el('a', { href: `/api/sessions/${sessionId}/exports/${file}`, download: '' }, t(key))))),
    isFacilitator(room) && el('label', { class: 'exports-open' },
      el('input', { type: 'checkbox', checked: room.session.exports_open, 'data-action': 'exports-open', onchange: (event) => send(ops.setExportsOpen(event.target.checked)) }),
      ' ', t('export.open')));
}

function renderTimer() {
  const remaining = timerRemaining(room, live.serverNow());
  ui.timer.classList.remove('amber', 'red', 'paused');
  if (remaining === null) {
    ui.timer.textContent = clock((currentPart(room)?.minutes ?? 0) * 60000);
    ui.timer.setAttribute('aria-label', t('room.timer_idle'));
  } else {
    ui.timer.textContent = remaining < 0 ? `+${clock(remaining)}` : clock(remaining);
    if (remaining < 0) ui.timer.classList.add('red');
    else if (remaining <= 5 * 60000) ui.timer.classList.add('amber');
    if (!room.timer.running_since_ms) ui.timer.classList.add('paused');
    ui.timer.setAttribute('aria-label', remaining < 0 ? t('room.timer_over', { time: clock(remaining) }) : t('room.timer_left', { time: clock(remaining) }));
  }
  ui.timer.dataset.remaining = remaining === null ? '' : String(Math.round(remaining / 1000));
  if (!isTimekeeper(room)) {
    ui.timerControls.replaceChildren();
    return;
  }
  const running = Boolean(room.timer?.running_since_ms);
  // Compact symbols keep the top bar on one line; the words are in the labels.
  const wanted = [
    !room.timer || room.timer.part_id !== currentPart(room)?.id ? ['start', '▶', t('room.timer_start'), () => send(ops.startTimer({ partId: currentPart(room)?.id }))] : null,
    room.timer && running ? ['pause', '‖', t('room.timer_pause'), () => send(ops.pauseTimer())] : null,
    room.timer && !running ? ['resume', '▶', t('room.timer_resume'), () => send(ops.resumeTimer())] : null,
    room.timer ? ['extend', '+5', t('room.timer_extend'), () => send(ops.extendTimer(300))] : null,
    room.timer ? ['reset', '■', t('room.timer_reset'), () => send(ops.resetTimer())] : null,
  ].filter(Boolean);
  const key = wanted.map((w) => w[0]).join(',');
  if (ui.timerControls.dataset.key === key) return;
  ui.timerControls.dataset.key = key;
  fill(ui.timerControls, wanted.map(([action, symbol, label, run]) =>
    el('button', { type: 'button', class: 'small', 'data-action': `timer-${action}`, title: label, 'aria-label': label, onclick: run }, symbol)));
}

function renderStatus() {
  const status = live?.status ?? 'connecting';
  const words = {
    connecting: t('room.status_connecting'),
    saved: t('room.status_saved'),
    saving: t('room.status_saving'),
    // Shut out (a rotated link): say why instead of "offline"; reconnecting cannot mend it.
    offline: view.accessEnded ? t(view.accessEnded) : t('room.status_offline'),
    reconnecting: t('room.status_reconnecting'),
  };
  ui.status.textContent = words[status] ?? status;
  ui.status.dataset.status = status;
}

function renderPeople() {
  fill(ui.people, view.people.map((person) => {
    const name = personName(room, person.participant_id);
    const part = parts(room).find((p) => p.id === person.part_id);
    const label = part ? t('room.person_on', { name, part: part.title }) : name;
    return el('li', { class: 'avatar', title: label, 'aria-label': label }, initials(name));
  }));
}

function renderModelButtons() {
  fill(ui.modelButton,
    el('button', { type: 'button', class: 'secondary', 'data-action': 'models-me', onclick: () => { view.modelsForMe = true; render(); } }, t('room.models')),
    isFacilitator(room) && el('button', { type: 'button', class: 'small secondary', 'data-action': 'models-all', onclick: () => send(ops.setModelsOverlay(true)) }, t('room.models_everyone')));
}

function renderAgenda() {
  renderModelButtons();
  const days = room.session.schedule.days;
  const items = [];
  days.forEach((day, index) => {
    if (days.length > 1) items.push(el('li', { class: 'day-row' }, t('session.day', { n: index + 1 }), ' · ', day.date));
    for (const block of day.blocks) {
      if (block.kind === 'break') {
        items.push(el('li', { class: 'break-row' }, `☕ ${timeOf(block.start)} ${block.title}`));
        continue;
      }
      const part = parts(room).find((p) => p.id === block.part_id);
      const current = block.part_id === currentPart(room)?.id;
      const actual = Math.round((room.actualMs.get(block.part_id) ?? 0) / 60000);
      const done = parts(room).findIndex((p) => p.id === block.part_id) < parts(room).findIndex((p) => p.id === currentPart(room)?.id);
      const label = `${timeOf(block.start)} ${block.title}${block.segment ? ` (${block.segment[0]}/${block.segment[1]})` : ''}`;
      const planned = t('room.planned_actual', { actual, planned: part?.minutes ?? block.minutes });
      const content = [el('span', { class: 'mark' }, current ? '▶' : done ? '✓' : ''), el('span', { class: 'what' }, label), el('span', { class: 'times' }, planned)];
      items.push(el('li', { class: `part-row${current ? ' current' : ''}`, 'aria-current': current ? 'step' : null },
        isFacilitator(room)
          ? el('button', { type: 'button', class: 'agenda-button', onclick: () => send(ops.goToPart(block.part_id)) }, content)
          : content));
    }
  });
  fill(ui.agenda, items);
}

function renderSlide() {
  const part = currentPart(room);
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
  const part = currentPart(room);
  return Boolean(part && WORKSPACE_KINDS.includes(part.workspace) && view.tab.get(part.id) !== 'board');
}

const workspaceContext = {
  strategy: () => room.strategy,
  me: () => room.you?.id,
  send: (op) => send(op),
  participants: () => room.session?.participants ?? [],
  name: (id) => personName(room, id),
  isFacilitator: () => isFacilitator(room),
  partId: () => currentPart(room)?.id ?? null,
  parts: () => parts(room),
  stickies: (partId) => [...room.stickies.values()].filter((s) => s.part_id === partId),
  notes: (partId) => room.notes.get(partId) ?? '',
  catalogues: () => room.catalogues,
  bounds: () => room.session.bounds,
  reviewStep: () => view.reviewStep,
  setReviewStep: (step) => {
    view.reviewStep = step;
    render();
  },
};

function renderTabs() {
  const part = currentPart(room);
  const hasWorkspace = Boolean(part && WORKSPACE_KINDS.includes(part.workspace));
  ui.tabs.hidden = !hasWorkspace;
  const workspace = showsWorkspace();
  ui.workspace.hidden = !workspace;
  board.element.hidden = workspace;
  board.tools.hidden = workspace;
  if (!hasWorkspace) return;
  const tab = (name, label, selected) => el('button', {
    type: 'button', role: 'tab', class: 'tab', 'aria-selected': selected ? 'true' : 'false', 'data-tab': name,
    onclick: () => { view.tab.set(part.id, name); render(); },
  }, label);
  fill(ui.tabs, tab('workspace', t(`workspace.${part.workspace}`), workspace), tab('board', t('room.board_tab'), !workspace));
  if (workspace && room.strategy) {
    if (ui.workspace.dataset.kind !== part.workspace) {
      ui.workspace.replaceChildren();
      ui.workspace.dataset.kind = part.workspace;
    }
    renderWorkspace(ui.workspace, part.workspace, workspaceContext);
  }
}

const PANES = ['slide', 'board', 'workspace', 'notes'];

/** The pane tabs of a narrow screen (CSS shows them below 900 px); Board and Workspace follow the part's own tabs. */
function renderPanes() {
  const part = currentPart(room);
  const hasWorkspace = Boolean(part && WORKSPACE_KINDS.includes(part.workspace));
  let pane = view.pane;
  if (pane === 'board' || pane === 'workspace') pane = showsWorkspace() ? 'workspace' : 'board';
  ui.room.dataset.pane = pane;
  fill(ui.panes, PANES.map((name) => (name !== 'workspace' || hasWorkspace) && el('button', {
    type: 'button', role: 'tab', class: 'phone-tab', 'data-pane': name, 'aria-selected': name === pane ? 'true' : 'false',
    onclick: () => choosePane(name),
  }, t(`room.pane_${name}`))));
}

function choosePane(name) {
  view.pane = name;
  const part = currentPart(room);
  if (part && (name === 'board' || name === 'workspace') && WORKSPACE_KINDS.includes(part.workspace)) view.tab.set(part.id, name);
  render();
}

let notesTimer;
function renderNotes() {
  const part = currentPart(room);
  const text = room.notes.get(part?.id) ?? '';
  const heading = el('h2', {}, t('room.notes'));
  if (isNoteTaker(room) && part) {
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
  const r = roles(room);
  const rows = [
    ['process_facilitator', r.process_facilitator],
    ['timekeeper', r.timekeeper],
    ['note_taker', r.note_taker],
  ];
  const presenter = (r.presenters ?? []).find((p) => p.part_id === currentPart(room)?.id);
  fill(ui.roles,
    el('h2', {}, t('session.roles')),
    el('dl', { class: 'roles' },
      rows.map(([role, holder]) => [el('dt', {}, t(`session.role.${role}`)), el('dd', {}, holder ? personName(room, holder) : t('session.unassigned'))]),
      el('dt', {}, t('session.role.presenter')), el('dd', {}, presenter ? personName(room, presenter.participant_id) : t('session.unassigned'))),
    el('p', { class: 'you' }, t('room.you_are', { name: room.you?.display_name ?? '' }), isFacilitator(room) && el('span', { class: 'badge' }, t('session.facilitator'))));
}

function renderBanner() {
  const replan = room.replan;
  if (!replan || replan.delay_minutes <= 0 || view.replanDismissed) {
    ui.banner.hidden = true;
    return;
  }
  ui.banner.hidden = false;
  const cuts = replan.cuts.map((cut) => cut.description).join('; ');
  fill(ui.banner,
    el('span', {}, t('room.replan', { end: timeOf(replan.projected_end), planned: timeOf(replan.planned_end) }), cuts && ` — ${cuts}?`),
    isFacilitator(room) && replan.cuts.length > 0 && el('button', { type: 'button', class: 'small', 'data-action': 'accept-replan', onclick: acceptReplan }, t('room.replan_accept')),
    el('button', { type: 'button', class: 'small secondary', onclick: () => { view.replanDismissed = true; renderBanner(); } }, t('room.dismiss')));
}

async function acceptReplan() {
  const cuts = room.replan?.cuts ?? [];
  view.replanDismissed = true;
  renderBanner();
  for (const cut of cuts) {
    if (cut.action === 'drop') await api('DELETE', `/parts/${cut.part_id}`);
    else await api('PATCH', `/parts/${cut.part_id}`, { minutes: cut.to_minutes });
  }
  toast(t('room.replan_done'));
}

function renderModels() {
  const open = room.modelsOpen || view.modelsForMe;
  ui.overlay.hidden = !open;
  if (!open) return;
  const closeForMe = () => { view.modelsForMe = false; if (room.modelsOpen && !isFacilitator(room)) view.modelsDismissed = true; render(); };
  fill(ui.overlay,
    el('div', { class: 'overlay-card models-card', 'aria-label': t('room.models') },
      el('h2', {}, room.session.model.name),
      room.session.model.credit && el('p', { class: 'credit' }, room.session.model.credit),
      el('ol', { class: 'model-parts' }, parts(room).map((part) =>
        el('li', { class: part.id === currentPart(room)?.id ? 'current' : '' }, el('strong', {}, part.title), part.explanation && el('p', {}, part.explanation)))),
      el('div', { class: 'overlay-actions' },
        isFacilitator(room) && room.modelsOpen && el('button', { type: 'button', 'data-action': 'close-models-all', onclick: () => { view.modelsForMe = false; send(ops.setModelsOverlay(false)); } }, t('room.models_close_everyone')),
        (!room.modelsOpen || !isFacilitator(room)) && el('button', { type: 'button', 'data-action': 'close-models', onclick: closeForMe }, t('room.close')))));
  if (room.modelsOpen && view.modelsDismissed && !view.modelsForMe) ui.overlay.hidden = true;
}

function currentBreak() {
  const now = live.serverNow();
  for (const day of room.session.schedule.days) {
    for (const block of day.blocks) {
      if (block.kind === 'break' && Date.parse(block.start) <= now && now < Date.parse(block.end)) return block;
    }
  }
  return null;
}

function renderBreak() {
  const block = currentBreak();
  if (!block || view.breakDismissed === block.start) {
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
      el('button', { type: 'button', class: 'secondary', onclick: () => { view.breakDismissed = block.start; renderBreak(); } }, t('room.break_skip'))));
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
    board.addSticky();
  } else if (event.key === 'Escape' && view.modelsForMe) {
    view.modelsForMe = false;
    render();
  }
});

// ---- Start --------------------------------------------------------------------------------

/** What an event means for this screen besides the state: sounds, flashes, a fresh re-plan. */
function onEvent(frame) {
  // Sound and flashes only for what happens now, not for events replayed on resume.
  const now = live.serverNow() - frame.at_ms < 3000;
  const before = room.currentPart;
  room = reduce(room, frame);
  board.afterEvent(frame, room);
  if (frame.replan) view.replanDismissed = false;
  if (now && frame.event.type === 'timer_warning') signal(false);
  if (now && frame.event.type === 'timer_ended') signal(true);
  if (room.currentPart !== before) live.setPresence(room.currentPart);
  render();
}

async function start() {
  await loadLocale(pickLang(root.dataset.lang));
  board = createBoard({
    state: () => room,
    send,
    moveLocally: (stickyId, x, y) => {
      room = patchSticky(room, stickyId, { x, y });
    },
    toast,
  });
  layout();
  live = new LiveConnection(liveUrl(sessionId, { lang }));
  live.onStatus = (status, detail) => {
    if (status === 'offline' && detail?.code === CloseCode.ACCESS_ENDED) {
      const why = { link_rotated: 'error.link_rotated', removed: 'error.removed' };
      view.accessEnded = why[detail.reason] ?? 'error.access_ended';
    }
    renderStatus();
  };
  live.onWelcome = (welcome) => {
    room = { ...room, you: welcome.you };
    if (welcome.snapshot) room = fromSnapshot(room, welcome.snapshot, live.serverNow());
    live.setPresence(currentPart(room)?.id ?? null);
    render();
  };
  live.onEvent = onEvent;
  live.onPresence = (people) => {
    view.people = people;
    renderPeople();
  };
  live.onReject = (reject) => {
    board.rejected();
    toast(reject.message);
  };
  live.onAck = () => renderStatus();
  live.connect();
  setInterval(() => {
    if (!room.session) return;
    renderTimer();
    renderBreak();
  }, 250);
}

start();
