// Preparing the day: the facilitator orders and times the parts (drag a row, or use
// the arrow buttons), sees the schedule with breaks and warnings recomputed at once,
// sets date and limits, hands out the roles and shares the participant link.

import { el, fill, timeOf } from './dom.js';
import { t, loadLocale, pickLang, switchLang, lang } from './i18n.js';

const root = document.getElementById('app');
const sessionId = root.dataset.session;
let view = null;
let participantLink = null;
const ui = {};

async function api(method, path, body) {
  const response = await fetch(`/api/sessions/${sessionId}${path}?lang=${lang}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    showError(data.message ?? response.statusText);
    throw new Error(data.code ?? 'error');
  }
  showError(null);
  return data;
}

function showError(message) {
  ui.error.hidden = !message;
  ui.error.textContent = message ?? '';
}

async function change(method, path, body) {
  view = await api(method, path, body);
  ui.saved.textContent = t('prepare.saved');
  render();
}

function layout() {
  ui.error = el('div', { class: 'error', role: 'alert', hidden: true });
  ui.saved = el('span', { class: 'status', role: 'status', 'aria-live': 'polite' });
  ui.program = el('ol', { class: 'program-list' });
  ui.addForm = el('form', { class: 'add-part', onsubmit: onAdd });
  ui.schedule = el('section', { class: 'schedule-preview', 'aria-live': 'polite' });
  ui.settings = el('form', { class: 'settings-form', onsubmit: onSettings });
  ui.roles = el('section', { class: 'roles-form' });
  ui.link = el('section', { class: 'link-box' });
  ui.title = el('h1', {});
  fill(root,
    el('header', { class: 'top' },
      el('a', { class: 'brand', href: `/?lang=${lang}` }, 'Heisessie'),
      el('span', {}, ui.saved, ' ', el('button', { type: 'button', class: 'link-button lang', onclick: switchLang }, t('lang.switch')))),
    el('main', { class: 'prepare' },
      ui.title,
      el('p', { class: 'lead' }, t('prepare.intro')),
      ui.error,
      el('div', { class: 'prepare-grid' },
        el('section', { class: 'program' }, el('h2', {}, t('prepare.program')), ui.program, ui.addForm, el('h2', {}, t('prepare.settings')), ui.settings),
        el('div', { class: 'prepare-side' }, ui.schedule, ui.roles, ui.link,
          el('p', {}, el('a', { class: 'button', href: `/s/${sessionId}?lang=${lang}`, 'data-action': 'open-room' }, t('prepare.open_room')))))));
}

function render() {
  ui.title.textContent = `${t('prepare.title')}: ${view.title}`;
  document.title = `${view.title} · Heisessie`;
  renderProgram();
  renderAddForm();
  renderSchedule();
  renderSettings();
  renderRoles();
  renderLink();
}

function cutFor(partId) {
  for (const warning of view.schedule.warnings) {
    const cut = warning.cuts.find((c) => c.part_id === partId);
    if (cut) return cut;
  }
  return null;
}

function renderProgram() {
  const last = view.parts.length - 1;
  fill(ui.program, view.parts.map((part, index) => {
    const minutes = el('input', {
      type: 'number', min: String(view.bounds.part_minutes.min), max: String(view.bounds.part_minutes.max), step: '5',
      value: String(part.minutes), class: 'minutes',
      'aria-label': `${t('prepare.minutes')}: ${part.title}`,
      onchange: (event) => change('PATCH', `/parts/${part.id}`, { minutes: Number(event.target.value) }).catch(() => render()),
    });
    const cut = cutFor(part.id);
    const handle = el('button', { type: 'button', class: 'handle', 'aria-label': `${t('prepare.drag')}: ${part.title}`, title: t('prepare.drag') }, '⠿');
    handle.addEventListener('pointerdown', (event) => startDrag(event, index));
    return el('li', { class: 'program-row', dataset: { part: String(part.id), index: String(index) } },
      handle,
      el('span', { class: 'part-title' }, part.title),
      el('span', { class: `priority ${part.priority}` }, t(`prepare.priority.${part.priority}`)),
      minutes,
      el('span', { class: 'row-buttons' },
        el('button', { type: 'button', class: 'icon', 'aria-label': `${t('prepare.move_up')}: ${part.title}`, disabled: index === 0, onclick: () => change('POST', `/parts/${part.id}/move`, { to_index: index - 1 }) }, '↑'),
        el('button', { type: 'button', class: 'icon', 'aria-label': `${t('prepare.move_down')}: ${part.title}`, disabled: index === last, onclick: () => change('POST', `/parts/${part.id}/move`, { to_index: index + 1 }) }, '↓'),
        el('button', { type: 'button', class: 'icon danger', 'aria-label': `${t('prepare.remove')}: ${part.title}`, onclick: () => change('DELETE', `/parts/${part.id}`) }, '×')),
      cut && el('span', { class: 'cut-hint' }, `✂ ${cut.description}`));
  }));
}

/** Drag a row by its handle: the row follows the pointer; where it is let go, it lands. */
function startDrag(event, from) {
  const row = event.currentTarget.closest('li');
  const rows = [...ui.program.children];
  const startY = event.clientY;
  event.currentTarget.setPointerCapture(event.pointerId);
  row.classList.add('dragging');
  let to = from;
  const onMove = (move) => {
    const dy = move.clientY - startY;
    row.style.transform = `translateY(${dy}px)`;
    to = from;
    rows.forEach((other, index) => {
      if (other === row) return;
      const rect = other.getBoundingClientRect();
      const middle = rect.top + rect.height / 2;
      if (index > from && move.clientY > middle) to = Math.max(to, index);
      if (index < from && move.clientY < middle) to = Math.min(to, index);
    });
  };
  const onUp = () => {
    const handle = row.querySelector('.handle');
    handle.removeEventListener('pointermove', onMove);
    handle.removeEventListener('pointerup', onUp);
    row.classList.remove('dragging');
    row.style.transform = '';
    if (to !== from) change('POST', `/parts/${view.parts[from].id}/move`, { to_index: to });
  };
  event.currentTarget.addEventListener('pointermove', onMove);
  event.currentTarget.addEventListener('pointerup', onUp);
}

function renderAddForm() {
  if (ui.addForm.childElementCount) return;
  fill(ui.addForm,
    el('input', { name: 'title', required: true, maxlength: '120', placeholder: t('prepare.new_title'), 'aria-label': t('prepare.new_title') }),
    el('input', {
      name: 'minutes', type: 'number', min: String(view.bounds.part_minutes.min), max: String(view.bounds.part_minutes.max),
      step: '5', value: '30', 'aria-label': t('prepare.minutes'),
    }),
    el('select', { name: 'priority', 'aria-label': t('prepare.priority') },
      ['must', 'should', 'could'].map((p) => el('option', { value: p, selected: p === 'should' }, t(`prepare.priority.${p}`)))),
    el('button', { type: 'submit' }, t('prepare.add')));
}

async function onAdd(event) {
  event.preventDefault();
  const form = new FormData(ui.addForm);
  await change('POST', '/parts', { title: form.get('title'), minutes: Number(form.get('minutes')), priority: form.get('priority') });
  ui.addForm.reset();
}

function renderSchedule() {
  const days = view.schedule.days;
  fill(ui.schedule,
    el('h2', {}, t('prepare.schedule')),
    view.schedule.warnings.length > 0 && el('div', { class: 'warnings', role: 'status' },
      el('ul', {}, view.schedule.warnings.map((w) => el('li', {}, w.message, w.cuts.length > 0 && el('ul', {}, w.cuts.map((c) => el('li', {}, c.description))))))),
    days.map((day, index) => el('table', { class: 'day' },
      el('caption', {}, t('session.day', { n: index + 1 }), ' · ', day.date),
      el('tbody', {}, day.blocks.map((block) => el('tr', { class: block.kind },
        el('td', {}, `${timeOf(block.start)}–${timeOf(block.end)}`),
        el('td', {}, block.kind === 'break' ? `☕ ${block.title}` : `${block.title}${block.segment ? ` (${block.segment[0]}/${block.segment[1]})` : ''}`),
        el('td', { class: 'num' }, String(block.minutes))))))));
}

function renderSettings() {
  const s = view.settings;
  const field = (name, label, input) => el('label', { class: 'field' }, el('span', {}, label), input);
  fill(ui.settings,
    field('start', t('home.start'), el('input', { name: 'start', type: 'datetime-local', value: s.start, required: true })),
    field('time_zone', t('home.time_zone'), el('input', { name: 'time_zone', value: s.time_zone, required: true })),
    field('max_hours', t('home.max_hours'), el('input', { name: 'max_hours', type: 'number', min: String(view.bounds.max_day_minutes.min / 60), max: String(view.bounds.max_day_minutes.max / 60), step: '0.5', value: String(s.max_day_minutes / 60) })),
    field('days', t('home.days'), el('select', { name: 'days' },
      el('option', { value: '1', selected: s.days === 1 }, t('home.one_day')),
      el('option', { value: '2', selected: s.days === 2 }, t('home.two_days')))),
    field('gap_days', t('home.gap_days'), el('input', { name: 'gap_days', type: 'number', min: String(view.bounds.gap_days.min), max: String(view.bounds.gap_days.max), value: String(s.gap_days) })),
    el('button', { type: 'submit' }, t('prepare.save_settings')));
}

async function onSettings(event) {
  event.preventDefault();
  const form = new FormData(ui.settings);
  await change('PATCH', '', {
    settings: {
      start: form.get('start'),
      time_zone: form.get('time_zone'),
      max_day_minutes: Math.round(Number(form.get('max_hours')) * 60),
      max_work_stretch_minutes: view.settings.max_work_stretch_minutes,
      break_minutes: view.settings.break_minutes,
      days: Number(form.get('days')),
      gap_days: Number(form.get('gap_days')),
    },
  });
}

function roleSelect(label, current, onPick) {
  return el('label', { class: 'field' }, el('span', {}, label),
    el('select', { onchange: (event) => onPick(event.target.value === '' ? null : Number(event.target.value)) },
      el('option', { value: '' }, t('prepare.nobody')),
      view.participants.map((p) => el('option', { value: String(p.id), selected: p.id === current }, p.display_name))));
}

function renderRoles() {
  const roles = view.roles;
  const assign = (role, partId) => (participantId) => change('POST', '/roles', { role, part_id: partId, participant_id: participantId });
  fill(ui.roles,
    el('h2', {}, t('prepare.roles')),
    ['process_facilitator', 'timekeeper', 'note_taker'].map((role) => roleSelect(t(`session.role.${role}`), roles[role], assign(role))),
    view.parts.map((part) => roleSelect(`${t('session.role.presenter')} · ${part.title}`,
      roles.presenters.find((p) => p.part_id === part.id)?.participant_id ?? null, assign('presenter', part.id))));
}

async function showQr(target) {
  const response = await fetch('/api/qr', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: participantLink }) });
  if (!response.ok) return;
  const url = URL.createObjectURL(await response.blob());
  target.replaceChildren(el('img', { class: 'qr', src: url, alt: t('created.qr'), width: '180', height: '180' }));
}

function renderLink() {
  const qr = el('div', { class: 'qr-box' });
  const rotate = el('button', {
    type: 'button', class: 'secondary', 'data-action': 'new-link',
    onclick: async () => {
      if (!window.confirm(t('prepare.new_link_confirm'))) return;
      const rotated = await api('POST', '/links/participant/rotate');
      participantLink = rotated.link;
      sessionStorage.setItem(`heisessie.link.${sessionId}`, participantLink);
      renderLink();
    },
  }, t('prepare.new_link'));
  if (!participantLink) {
    fill(ui.link, el('h2', {}, t('prepare.participant_link')), el('p', { class: 'hint' }, t('prepare.link_hidden')), rotate);
    return;
  }
  const input = el('input', { readonly: true, value: participantLink, 'aria-label': t('prepare.participant_link'), class: 'link-input' });
  const copy = el('button', {
    type: 'button', 'data-action': 'copy-link',
    onclick: async () => {
      input.select();
      try {
        await navigator.clipboard.writeText(participantLink);
      } catch {
        document.execCommand('copy');
      }
      copy.textContent = t('prepare.copied');
    },
  }, t('prepare.copy'));
  fill(ui.link, el('h2', {}, t('prepare.participant_link')), el('div', { class: 'copy-row' }, input, copy), qr, rotate);
  showQr(qr);
}

async function start() {
  await loadLocale(pickLang(root.dataset.lang));
  // The link travels in the fragment (never sent to a server) and is kept for this tab.
  const fragment = new URLSearchParams(location.hash.slice(1)).get('p');
  if (fragment) {
    sessionStorage.setItem(`heisessie.link.${sessionId}`, fragment);
    history.replaceState(null, '', location.pathname + location.search);
  }
  participantLink = sessionStorage.getItem(`heisessie.link.${sessionId}`);
  layout();
  view = await api('GET', '');
  render();
}

start();
