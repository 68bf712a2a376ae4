// The workspaces of the strategy parts: end goals, SMART goals with their check,
// personas, the core message with its content plan and calendar, and the action points
// with their responsibilities. Each card saves itself whole (an upsert op); the server
// sends the whole strategy back, checked, to everyone.

import { el, fill, initials } from './dom.js';
import { t, lang } from './i18n.js';
import { ops } from './protocol.js';
import { nameOf } from './room-state.js';

/** Builds the workspace of `kind` into `container`; `ctx` gives state and actions. */
export function renderWorkspace(container, kind, ctx) {
  const render = RENDERERS[kind];
  if (!render) return false;
  render(container, ctx);
  return true;
}

export const WORKSPACE_KINDS = ['end_goals', 'smart_goals', 'personas', 'core_message', 'actions'];

const RENDERERS = {
  end_goals: renderEndGoals,
  smart_goals: renderSmartGoals,
  personas: renderPersonas,
  core_message: renderCoreMessage,
  actions: renderActions,
};

// ---- Helpers ------------------------------------------------------------------------------

/**
 * Keeps one card per item in `list`, in order. A card being edited (it holds the focus)
 * keeps its inputs; only its parts marked `data-live` are refreshed, so nobody's typing is
 * overwritten by someone else's save.
 */
function reconcile(list, items, build) {
  const wanted = items.map((item) => String(item.id));
  for (const node of [...list.children]) {
    if (!wanted.includes(node.dataset.key)) node.remove();
  }
  items.forEach((item, index) => {
    const key = String(item.id);
    const fresh = build(item);
    fresh.dataset.key = key;
    const existing = [...list.children].find((node) => node.dataset.key === key);
    if (existing && existing.contains(document.activeElement)) {
      existing.className = fresh.className;
      for (const live of existing.querySelectorAll('[data-live]')) {
        const replacement = fresh.querySelector(`[data-live="${live.dataset.live}"]`);
        if (replacement) live.replaceWith(replacement);
      }
      if (list.children[index] !== existing) list.insertBefore(existing, list.children[index] ?? null);
      return;
    }
    if (existing) existing.replaceWith(fresh);
    if (list.children[index] !== fresh) list.insertBefore(fresh, list.children[index] ?? null);
  });
}

/** A list container that survives re-renders of the workspace. */
function section(container, name, heading, intro) {
  let node = container.querySelector(`section[data-section="${name}"]`);
  if (!node) {
    node = el('section', { class: `ws-section ${name}`, dataset: { section: name } },
      el('h3', {}, heading), intro && el('p', { class: 'hint' }, intro), el('div', { class: 'ws-list' }), el('div', { class: 'ws-add' }));
    container.append(node);
  }
  return { list: node.querySelector('.ws-list'), add: node.querySelector('.ws-add'), node };
}

/** Saves on change at once, and while typing after a short pause. */
function autosave(card, save) {
  let timer;
  card.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(save, 900);
  });
  card.addEventListener('change', () => {
    clearTimeout(timer);
    save();
  });
}

function input(name, value, attrs = {}) {
  return el('input', { name, value: value ?? '', ...attrs });
}

function area(name, value, attrs = {}) {
  return el('textarea', { name, value: value ?? '', rows: '2', ...attrs });
}

function labelled(label, control) {
  return el('label', { class: 'ws-field' }, el('span', {}, label), control);
}

function value(card, name) {
  const node = card.querySelector(`[name="${name}"]`);
  if (!node) return '';
  return node.type === 'checkbox' ? node.checked : node.value;
}

function numberOrNull(text) {
  const trimmed = String(text).trim().replace(',', '.');
  if (trimmed === '') return null;
  const number = Number(trimmed);
  return Number.isFinite(number) ? number : null;
}

function personSelect(name, current, ctx, label) {
  return el('select', { name, 'aria-label': label },
    el('option', { value: '' }, t('ws.nobody')),
    ctx.participants().map((p) => el('option', { value: String(p.id), selected: p.id === current }, p.display_name)));
}

function makeActionButton(ctx, title, source) {
  return el('button', {
    type: 'button', class: 'small secondary', 'data-action': 'make-action',
    onclick: () => ctx.send(ops.saveAction({ title: String(title).slice(0, 2000) || t('ws.untitled'), source, partId: ctx.partId() })),
  }, t('ws.make_action'));
}

/** `field_of_work` → `fieldOfWork`: the views' names to the builders'. */
function camel(name) {
  return name.replace(/_([a-z])/g, (_, letter) => letter.toUpperCase());
}

// ---- Catalogues -------------------------------------------------------------------------------

/** The name of `code` in `list`, or the text itself: a team may type its own. */
function shown(list, code) {
  const entry = list.find((e) => e.code === code);
  return entry ? nameOf(entry, lang) : code;
}

/** The code for what someone picked or typed: a name in either language, or a code; anything else as typed. */
function codeFor(list, text) {
  const wanted = String(text).trim().toLocaleLowerCase();
  const entry = list.find((e) => [e.code, e.nl, e.en].some((name) => name.toLocaleLowerCase() === wanted));
  return entry ? entry.code : text;
}

// ---- End goals ------------------------------------------------------------------------------

function horizonControls(horizon) {
  const kind = horizon?.kind ?? '';
  return el('span', { class: 'horizon' },
    el('select', { name: 'horizon_kind', 'aria-label': t('ws.horizon') },
      el('option', { value: '' }, t('ws.horizon_none')),
      el('option', { value: 'by', selected: kind === 'by' }, t('ws.horizon_by')),
      el('option', { value: 'within_months', selected: kind === 'within_months' }, t('ws.horizon_months')),
      el('option', { value: 'within_years', selected: kind === 'within_years' }, t('ws.horizon_years'))),
    input('horizon_date', horizon?.date ?? '', { type: 'date', 'aria-label': t('ws.horizon_by') }),
    input('horizon_count', horizon?.months ?? horizon?.years ?? '', { type: 'number', min: '1', max: '50', 'aria-label': t('ws.horizon_count') }));
}

function readHorizon(card) {
  const kind = value(card, 'horizon_kind');
  const count = Math.max(1, Number(value(card, 'horizon_count')) || 1);
  if (kind === 'by' && value(card, 'horizon_date')) return { kind: 'by', date: value(card, 'horizon_date') };
  if (kind === 'within_months') return { kind: 'within_months', months: count };
  if (kind === 'within_years') return { kind: 'within_years', years: count };
  return null;
}

function renderEndGoals(container, ctx) {
  const goals = ctx.strategy().end_goals;
  const { list, add } = section(container, 'end-goals', t('ws.end_goals'), t('ws.end_goals_intro'));
  reconcile(list, goals, (goal) => {
    const index = goals.indexOf(goal);
    const move = (to) => ctx.send(ops.moveEndGoal({ id: goal.id, toIndex: to }));
    const mine = goal.supporters.includes(ctx.me());
    const card = el('div', { class: 'ws-card end-goal' },
      area('text', goal.text, { 'aria-label': t('ws.end_goal_text'), maxlength: '2000' }),
      horizonControls(goal.horizon),
      el('span', { class: 'card-buttons', 'data-live': 'buttons' },
        el('button', { type: 'button', class: 'small', 'aria-pressed': mine ? 'true' : 'false', 'data-action': 'support',
          'aria-label': t('ws.support'), onclick: () => ctx.send(ops.supportEndGoal({ id: goal.id, support: !mine })) }, `👍 ${goal.supporters.length}`),
        makeActionButton(ctx, goal.text, { kind: 'end_goal', id: goal.id }),
        el('button', { type: 'button', class: 'icon', 'aria-label': t('prepare.move_up'), disabled: index === 0, 'data-action': 'end-goal-up', onclick: () => move(index - 1) }, '↑'),
        el('button', { type: 'button', class: 'icon', 'aria-label': t('prepare.move_down'), disabled: index === goals.length - 1, onclick: () => move(index + 1) }, '↓'),
        el('button', { type: 'button', class: 'icon danger', 'aria-label': t('ws.remove'), onclick: () => ctx.send(ops.removeEndGoal(goal.id)) }, '×')));
    autosave(card, () => ctx.send(ops.saveEndGoal({ id: goal.id, text: value(card, 'text'), horizon: readHorizon(card) })));
    return card;
  });
  if (!add.childElementCount) {
    const form = el('form', { class: 'ws-new' },
      input('text', '', { placeholder: t('ws.new_end_goal'), 'aria-label': t('ws.new_end_goal'), required: true, maxlength: '2000' }),
      el('button', { type: 'submit', 'data-action': 'add-end-goal' }, t('ws.add')));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      ctx.send(ops.saveEndGoal({ text: value(form, 'text') }));
      form.reset();
    });
    add.append(form);
  }
}

// ---- SMART goals ----------------------------------------------------------------------------

const LETTERS = ['S', 'M', 'A', 'R', 'T'];

function checkPanel(check) {
  return el('ul', { class: 'smart-check', 'data-live': 'check', 'aria-label': t('ws.smart_check') },
    LETTERS.map((letter) => {
      const result = check[letter];
      return el('li', { class: `letter ${result.verdict}`, dataset: { letter, verdict: result.verdict } },
        el('strong', { class: 'letter-name' }, `${letter} · ${t(`smart.${letter}`)}`),
        el('span', { class: 'verdict' }, t(`smart.${result.verdict}`)),
        el('span', { class: 'reason' }, result.reason),
        result.verdict !== 'holds' && result.suggestion && el('span', { class: 'suggestion' }, `→ ${result.suggestion}`));
    }));
}

function renderSmartGoals(container, ctx) {
  const strategy = ctx.strategy();
  const { list, add } = section(container, 'smart-goals', t('ws.smart_goals'), t('ws.smart_goals_intro'));
  reconcile(list, strategy.smart_goals, (goal) => {
    const mine = goal.agreement.find((a) => a.participant_id === ctx.me());
    const yes = (pick) => goal.agreement.filter((a) => a[pick]).length;
    const no = (pick) => goal.agreement.filter((a) => !a[pick]).length;
    const vote = (acceptable, realistic) => ctx.send(ops.agreeSmartGoal({ id: goal.id, acceptable, realistic }));
    const card = el('div', { class: 'ws-card smart-goal' },
      el('div', { class: 'smart-main' },
        labelled(t('ws.end_goal'), el('select', { name: 'end_goal_id' },
          el('option', { value: '' }, t('ws.none')),
          strategy.end_goals.map((g) => el('option', { value: String(g.id), selected: g.id === goal.end_goal_id }, g.text.slice(0, 80))))),
        area('text', goal.text, { 'aria-label': t('ws.smart_text'), rows: '3', maxlength: '2000' }),
        el('div', { class: 'smart-fields' },
          labelled(t('ws.metric'), input('metric', goal.metric)),
          labelled(t('ws.baseline'), input('baseline', goal.baseline ?? '', { inputmode: 'decimal' })),
          labelled(t('ws.target'), input('target', goal.target ?? '', { inputmode: 'decimal' })),
          labelled(t('ws.deadline'), input('deadline', goal.deadline ?? '', { type: 'date' })),
          labelled(t('ws.owner'), input('owner', goal.owner)),
          labelled(t('ws.means'), input('means', goal.means)),
          labelled(t('ws.reason'), input('reason', goal.reason)))),
      el('div', { class: 'smart-side' },
        checkPanel(goal.check),
        el('div', { class: 'agreement', 'data-live': 'agreement' },
          el('span', {}, t('ws.agreement')),
          el('button', { type: 'button', class: 'small', 'data-action': 'agree-acceptable', 'aria-pressed': mine?.acceptable ? 'true' : 'false',
            onclick: () => vote(!(mine?.acceptable ?? false), mine?.realistic ?? false) }, `${t('smart.A')} ${yes('acceptable')}✓ ${no('acceptable')}✗`),
          el('button', { type: 'button', class: 'small', 'data-action': 'agree-realistic', 'aria-pressed': mine?.realistic ? 'true' : 'false',
            onclick: () => vote(mine?.acceptable ?? false, !(mine?.realistic ?? false)) }, `${t('smart.R')} ${yes('realistic')}✓ ${no('realistic')}✗`)),
        el('span', { class: 'card-buttons', 'data-live': 'buttons' },
          makeActionButton(ctx, goal.text, { kind: 'smart_goal', id: goal.id }),
          el('button', { type: 'button', class: 'icon danger', 'aria-label': t('ws.remove'), onclick: () => ctx.send(ops.removeSmartGoal(goal.id)) }, '×'))));
    autosave(card, () => ctx.send(ops.saveSmartGoal({
      id: goal.id,
      endGoalId: value(card, 'end_goal_id') === '' ? null : Number(value(card, 'end_goal_id')),
      text: value(card, 'text'),
      metric: value(card, 'metric'),
      baseline: numberOrNull(value(card, 'baseline')),
      target: numberOrNull(value(card, 'target')),
      deadline: value(card, 'deadline') || null,
      owner: value(card, 'owner'),
      means: value(card, 'means'),
      reason: value(card, 'reason'),
    })));
    return card;
  });
  if (!add.childElementCount) {
    const form = el('form', { class: 'ws-new' },
      area('text', '', { placeholder: t('ws.new_smart_goal'), 'aria-label': t('ws.new_smart_goal'), required: true, maxlength: '2000' }),
      el('button', { type: 'submit', 'data-action': 'add-smart-goal' }, t('ws.add')));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      ctx.send(ops.saveSmartGoal({ text: value(form, 'text') }));
      form.reset();
    });
    add.append(form);
  }
}

// ---- Personas -------------------------------------------------------------------------------

const PERSONA_FIELDS = [
  ['field_of_work', 'input'], ['residence', 'input'], ['hobbies', 'input'],
  ['pain_points', 'area'], ['current_solutions', 'area'], ['triggers', 'area'], ['trigger_response', 'area'],
  ['desired_results', 'area'], ['channels', 'input'], ['objections', 'area'],
];

function hue(text) {
  let hash = 0;
  for (const char of String(text)) hash = (hash * 31 + char.codePointAt(0)) % 360;
  return hash;
}

function renderPersonas(container, ctx) {
  const strategy = ctx.strategy();
  const { list, add } = section(container, 'personas', t('ws.personas'), t('ws.personas_intro'));
  reconcile(list, strategy.personas, (persona) => {
    const card = el('div', { class: `ws-card persona${persona.primary ? ' primary' : ''}` },
      el('div', { class: 'persona-head', 'data-live': 'head' },
        el('span', { class: 'persona-avatar', 'aria-hidden': 'true', style: { background: `hsl(${hue(persona.name)} 55% 40%)` } }, initials(persona.name || '?')),
        el('span', { class: 'completeness', title: t('ws.completeness') },
          el('progress', { max: String(persona.total), value: String(persona.filled), 'aria-label': t('ws.completeness') }),
          ` ${persona.filled}/${persona.total}`),
        persona.primary && el('span', { class: 'badge' }, t('ws.primary')),
        ctx.isFacilitator() && !persona.primary && el('button', { type: 'button', class: 'small secondary', 'data-action': 'make-primary',
          onclick: () => ctx.send(ops.setPrimaryPersona(persona.id)) }, t('ws.make_primary'))),
      el('div', { class: 'persona-fields' },
        labelled(t('persona.name'), input('name', persona.name, { maxlength: '200' })),
        labelled(t('persona.age'), input('age', persona.age ?? '', { type: 'number', min: String(ctx.bounds().persona_age.min), max: String(ctx.bounds().persona_age.max) })),
        PERSONA_FIELDS.map(([name, kind]) => labelled(t(`persona.${name}`), kind === 'area' ? area(name, persona[name]) : input(name, persona[name])))),
      el('span', { class: 'card-buttons', 'data-live': 'buttons' },
        makeActionButton(ctx, persona.name, { kind: 'persona', id: persona.id }),
        el('button', { type: 'button', class: 'icon danger', 'aria-label': t('ws.remove'), onclick: () => ctx.send(ops.removePersona(persona.id)) }, '×')));
    autosave(card, () => {
      const fields = Object.fromEntries(PERSONA_FIELDS.map(([name]) => [camel(name), value(card, name)]));
      const age = numberOrNull(value(card, 'age'));
      ctx.send(ops.savePersona({ id: persona.id, name: value(card, 'name'), age: age === null ? null : Math.round(age), ...fields }));
    });
    return card;
  });
  if (!add.childElementCount) {
    const form = el('form', { class: 'ws-new' },
      input('name', '', { placeholder: t('ws.new_persona'), 'aria-label': t('ws.new_persona'), required: true, maxlength: '200' }),
      el('button', { type: 'submit', 'data-action': 'add-persona' }, t('ws.add')));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      ctx.send(ops.savePersona({ name: value(form, 'name') }));
      form.reset();
    });
    add.append(form);
  }
}

// ---- Core message ---------------------------------------------------------------------------

/** The core message as the card shows it; a plan line stores the catalogue's code for a channel or form it names. */
function coreMessageOp(card, catalogues) {
  const competitors = [...card.querySelectorAll('.competitor')].map((row) => ({
    name: value(row, 'name'), hasIt: value(row, 'has_it'), couldGetEasily: value(row, 'could_get_easily'),
  })).filter((c) => c.name.trim() !== '');
  const plan = [...card.querySelectorAll('.plan-line')].map((row) => ({
    channel: codeFor(catalogues.channels, value(row, 'channel')),
    form: codeFor(catalogues.forms, value(row, 'form')),
    count: Math.max(1, Math.min(31, Number(value(row, 'count')) || 1)),
    per: value(row, 'per'),
    ownerId: value(row, 'owner_id') === '' ? null : Number(value(row, 'owner_id')),
  })).filter((line) => line.channel.trim() !== '' && line.form.trim() !== '');
  return ops.saveCoreMessage({
    usp: value(card, 'usp'),
    lifeImprovement: value(card, 'life_improvement'),
    answers: value(card, 'answers'),
    competitors,
    plan,
    calendarFrom: value(card, 'calendar_from') || null,
    calendarTo: value(card, 'calendar_to') || null,
  });
}

function renderCoreMessage(container, ctx) {
  const strategy = ctx.strategy();
  const message = strategy.core_message;
  const primary = strategy.personas.find((p) => p.primary);
  const { list, add } = section(container, 'core-message', t('ws.core_message'), t('ws.core_message_intro'));
  const catalogues = ctx.catalogues();
  const save = (card) => ctx.send(coreMessageOp(card, catalogues));
  reconcile(list, [{ id: 'message' }], () => {
    const card = el('div', { class: 'ws-card core-message-card' },
      labelled(t('ws.usp'), area('usp', message.usp, { rows: '3' })),
      el('div', { class: `uniqueness ${message.unique ? 'ok' : 'warn'}`, 'data-live': 'uniqueness', role: 'status' },
        message.unique ? t('ws.unique') : t('ws.not_unique', { names: message.not_unique_because.join(', ') })),
      el('h4', {}, t('ws.competitors')),
      el('div', { class: 'competitors' },
        [...message.competitors, { name: '', has_it: false, could_get_easily: false }].map((c) => el('div', { class: 'competitor' },
          input('name', c.name, { placeholder: t('ws.competitor_name'), 'aria-label': t('ws.competitor_name') }),
          labelled(t('ws.has_it'), el('input', { type: 'checkbox', name: 'has_it', checked: c.has_it })),
          labelled(t('ws.could_get'), el('input', { type: 'checkbox', name: 'could_get_easily', checked: c.could_get_easily }))))),
      labelled(t('ws.life_improvement'), area('life_improvement', message.life_improvement)),
      primary && el('p', { class: 'hint' }, t('ws.persona_reminder', { name: primary.name, pains: primary.pain_points || '—', results: primary.desired_results || '—' })),
      labelled(t('ws.answers'), area('answers', message.answers)),
      el('h4', {}, t('ws.plan')),
      el('datalist', { id: 'channels-list' }, catalogues.channels.map((c) => el('option', { value: nameOf(c, lang) }))),
      el('datalist', { id: 'forms-list' }, catalogues.forms.map((f) => el('option', { value: nameOf(f, lang) }))),
      el('div', { class: 'plan' },
        [...message.plan, { channel: '', form: '', count: 1, per: 'week', owner_id: null }].map((line) => el('div', { class: 'plan-line' },
          input('channel', shown(catalogues.channels, line.channel), { list: 'channels-list', placeholder: t('ws.channel'), 'aria-label': t('ws.channel') }),
          input('form', shown(catalogues.forms, line.form), { list: 'forms-list', placeholder: t('ws.form'), 'aria-label': t('ws.form') }),
          input('count', line.count, { type: 'number', min: String(ctx.bounds().plan_count.min), max: String(ctx.bounds().plan_count.max), 'aria-label': t('ws.count') }),
          el('select', { name: 'per', 'aria-label': t('ws.per') }, ['day', 'week', 'month'].map((p) => el('option', { value: p, selected: line.per === p }, t(`ws.per_${p}`)))),
          personSelect('owner_id', line.owner_id, ctx, t('ws.owner'))))),
      el('div', { class: 'calendar-period' },
        labelled(t('ws.calendar_from'), input('calendar_from', message.calendar_from ?? '', { type: 'date' })),
        labelled(t('ws.calendar_to'), input('calendar_to', message.calendar_to ?? '', { type: 'date' }))),
      el('div', { class: 'calendar', 'data-live': 'calendar' },
        message.calendar_problem && el('p', { class: 'error' }, message.calendar_problem),
        message.calendar.length > 0 && el('table', { class: 'calendar-table' },
          el('caption', {}, t('ws.calendar', { n: message.calendar.length })),
          el('tbody', {}, message.calendar.slice(0, 200).map((item) => el('tr', {},
            el('td', {}, item.date), el('td', {}, shown(catalogues.channels, item.channel)), el('td', {}, shown(catalogues.forms, item.form)), el('td', {}, item.owner_id ? ctx.name(item.owner_id) : '—')))))));
    autosave(card, () => save(card));
    return card;
  });
  renderIdeas(container, ctx);
  add.replaceChildren();
}

function renderIdeas(container, ctx) {
  const { list, add } = section(container, 'ideas', t('ws.ideas'), t('ws.ideas_intro'));
  reconcile(list, ctx.strategy().ideas, (idea) => el('div', { class: 'ws-card idea' },
    el('span', {}, idea.text), idea.sticky_id && el('span', { class: 'hint' }, ` (${t('ws.from_sticky')})`),
    el('span', { class: 'card-buttons' },
      makeActionButton(ctx, idea.text, { kind: 'idea', id: idea.id }),
      el('button', { type: 'button', class: 'icon danger', 'aria-label': t('ws.remove'), onclick: () => ctx.send(ops.removeIdea(idea.id)) }, '×'))));
  if (!add.childElementCount) {
    const form = el('form', { class: 'ws-new' },
      input('text', '', { placeholder: t('ws.new_idea'), 'aria-label': t('ws.new_idea'), required: true }),
      el('button', { type: 'submit', 'data-action': 'add-idea' }, t('ws.add')));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      ctx.send(ops.addIdea({ text: value(form, 'text') }));
      form.reset();
    });
    add.append(form);
  }
}

// ---- Actions and responsibilities -----------------------------------------------------------

function actionOp(card, action) {
  return ops.saveAction({
    id: action.id,
    title: value(card, 'title'),
    ownerId: value(card, 'owner_id') === '' ? null : Number(value(card, 'owner_id')),
    deadline: value(card, 'deadline') || null,
    partId: action.part_id,
    source: action.source,
    status: value(card, 'status') || action.status,
  });
}

function renderActions(container, ctx) {
  const strategy = ctx.strategy();
  renderReview(container, ctx);
  const { list, add } = section(container, 'actions', t('ws.actions'), t('ws.actions_intro'));
  reconcile(list, strategy.actions, (action) => {
    const part = ctx.parts().find((p) => p.id === action.part_id);
    const card = el('div', { class: `ws-card action ${action.status}` },
      input('title', action.title, { 'aria-label': t('ws.action_title'), maxlength: '2000' }),
      personSelect('owner_id', action.owner_id, ctx, t('ws.owner')),
      input('deadline', action.deadline ?? '', { type: 'date', 'aria-label': t('ws.deadline') }),
      el('select', { name: 'status', 'aria-label': t('ws.status') }, ['open', 'doing', 'done'].map((s) => el('option', { value: s, selected: action.status === s }, t(`ws.status_${s}`)))),
      el('span', { class: 'hint' }, part ? part.title : ''),
      el('button', { type: 'button', class: 'icon danger', 'aria-label': t('ws.remove'), onclick: () => ctx.send(ops.removeAction(action.id)) }, '×'));
    autosave(card, () => ctx.send(actionOp(card, action)));
    return card;
  });
  if (!add.childElementCount) {
    const form = el('form', { class: 'ws-new' },
      input('title', '', { placeholder: t('ws.new_action'), 'aria-label': t('ws.new_action'), required: true }),
      el('button', { type: 'submit', 'data-action': 'add-action' }, t('ws.add')));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      ctx.send(ops.saveAction({ title: value(form, 'title'), partId: ctx.partId() }));
      form.reset();
    });
    add.append(form);
  }
  renderResponsibilities(container, ctx);
}

/** The seed's "go over all slides again": one part at a time, with what it produced. */
function renderReview(container, ctx) {
  const { list } = section(container, 'review', t('ws.review'), t('ws.review_intro'));
  const parts = ctx.parts();
  const step = Math.min(ctx.reviewStep(), Math.max(0, parts.length - 1));
  const part = parts[step];
  if (!part) return;
  const strategy = ctx.strategy();
  const items = [
    ...ctx.stickies(part.id).map((s) => [s.text, { kind: 'sticky', id: s.id }]),
    ...(ctx.notes(part.id) ? [[ctx.notes(part.id), { kind: 'notes', id: part.id }]] : []),
    ...(part.workspace === 'end_goals' ? strategy.end_goals.map((g) => [g.text, { kind: 'end_goal', id: g.id }]) : []),
    ...(part.workspace === 'smart_goals' ? strategy.smart_goals.map((g) => [g.text, { kind: 'smart_goal', id: g.id }]) : []),
    ...(part.workspace === 'personas' ? strategy.personas.map((p) => [p.name, { kind: 'persona', id: p.id }]) : []),
    ...(part.workspace === 'core_message' ? strategy.ideas.map((i) => [i.text, { kind: 'idea', id: i.id }]) : []),
  ].filter(([text]) => String(text).trim() !== '');
  const derived = new Set(strategy.actions.map((a) => JSON.stringify(a.source)));
  fill(list,
    el('div', { class: 'review-nav' },
      el('button', { type: 'button', class: 'icon', 'aria-label': t('room.previous'), disabled: step === 0, onclick: () => ctx.setReviewStep(step - 1) }, '◀'),
      el('strong', { 'data-review-part': String(part.id) }, `${step + 1}/${parts.length} ${part.title}`),
      el('button', { type: 'button', class: 'icon', 'aria-label': t('room.next'), 'data-action': 'review-next', disabled: step >= parts.length - 1, onclick: () => ctx.setReviewStep(step + 1) }, '▶')),
    items.length === 0 && el('p', { class: 'hint' }, t('ws.review_empty')),
    el('ul', { class: 'review-items' }, items.map(([text, source]) => el('li', {},
      el('span', {}, String(text).slice(0, 160)),
      derived.has(JSON.stringify(source))
        ? el('span', { class: 'badge' }, t('ws.already_action'))
        : el('button', { type: 'button', class: 'small secondary', 'data-action': 'review-make-action',
          onclick: () => ctx.send(ops.saveAction({ title: String(text).slice(0, 2000), source, partId: part.id })) }, t('ws.make_action'))))));
}

/** Sends the bundles with one of them changed (or, with `null`, dropped). */
function setBundles(ctx, index, change) {
  const bundles = ctx.strategy().responsibilities
    .map((r, i) => (i === index ? (change === null ? null : { ...r, ...change }) : r))
    .filter(Boolean)
    .map((r) => ({ name: r.name, ownerId: r.owner_id, actionIds: r.action_ids }));
  ctx.send(ops.setResponsibilities(bundles));
}

function renderResponsibilities(container, ctx) {
  const strategy = ctx.strategy();
  const { list } = section(container, 'responsibilities', t('ws.responsibilities'), t('ws.responsibilities_intro'));
  const title = (id) => strategy.actions.find((a) => a.id === id)?.title ?? '?';
  fill(list,
    strategy.suggestions.length > 0 && el('div', { class: 'suggestions' },
      el('h4', {}, t('ws.suggested')),
      el('ul', {}, strategy.suggestions.map((s) => el('li', {}, s.explanation))),
      ctx.isFacilitator() && el('button', { type: 'button', 'data-action': 'accept-bundles', onclick: () => ctx.send(ops.setResponsibilities(
        strategy.suggestions.map((s) => ({ name: s.name, ownerId: s.owner_id, actionIds: s.action_ids })),
      )) }, t('ws.accept_bundles'))),
    strategy.responsibilities.length > 0 && el('ul', { class: 'bundles' }, strategy.responsibilities.map((r, index) => el('li', { class: 'bundle' },
      el('strong', {}, r.name), ' · ',
      // The facilitator changes who carries a bundle, or drops it; the team sees it at once.
      ctx.isFacilitator()
        ? el('select', { 'aria-label': `${t('ws.owner')}: ${r.name}`, 'data-action': 'bundle-owner', onchange: (event) => setBundles(ctx, index, { owner_id: event.target.value === '' ? null : Number(event.target.value) }) },
          el('option', { value: '' }, t('ws.nobody')),
          ctx.participants().map((p) => el('option', { value: String(p.id), selected: p.id === r.owner_id }, p.display_name)))
        : (r.owner_id ? ctx.name(r.owner_id) : t('ws.nobody')),
      ': ', r.action_ids.map(title).join(', '),
      ctx.isFacilitator() && el('button', { type: 'button', class: 'icon danger', 'aria-label': t('ws.remove'), onclick: () => setBundles(ctx, index, null) }, '×')))),
    el('h4', {}, t('ws.workload')),
    el('ul', { class: 'workload' }, strategy.workload.map((w) => el('li', { class: w.flag ? 'flag' : '', dataset: { flag: w.flag ?? '' } },
      `${ctx.name(w.participant_id)}: ${t('ws.load', { responsibilities: w.responsibilities, actions: w.actions })}`,
      w.flag && el('span', { class: 'badge warn' }, t(`ws.flag_${w.flag}`))))));
}
