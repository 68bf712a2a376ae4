// The board of the current part: its stickies with their groups and dots, and the tools
// above it. It draws from the room's state and sends intents; what is only the board's
// own (which sticky is being edited, which are selected, where this person looks) it keeps
// itself.
//
// The board is an endless canvas. Stickies keep board coordinates (their `left`/`top` on the
// inner `.canvas` layer); the view — a pan and a zoom, shown as one CSS transform on that
// layer — belongs to this screen alone and is never sent.

import { el, fill, initials, typingIn } from './dom.js';
import { t, lang } from './i18n.js';
import { ops } from './protocol.js';
import { currentPart, isFacilitator, nameOf, personName, votesLeft } from './room-state.js';

/**
 * Makes the board. `ctx` gives `state()` (the room's state now), `send(op)`,
 * `moveLocally(stickyId, x, y)` (shows a move before the server confirms it) and
 * `toast(message, actionLabel?, action?)`. The room places `board.tools` and
 * `board.element` and calls `render()` after every change.
 */
const MIN_ZOOM = 0.25;
const MAX_ZOOM = 3;
/** The stops of the + and − buttons and keys; the wheel and a pinch zoom freely in between. */
const ZOOM_STOPS = [0.25, 0.33, 0.5, 0.67, 0.75, 1, 1.25, 1.5, 2, 2.5, 3];

export function createBoard(ctx) {
  /** The sticky whose text is being edited, if any. */
  let editing = null;
  /** The next sticky I create opens its editor (the server gives it its id). */
  let editNext = false;
  const selected = new Set();
  /** Where this person looks: screen = board × scale + (x, y), in CSS pixels of the board. */
  const view = { x: 0, y: 0, scale: 1 };
  /** The space bar is held: a drag anywhere pans. */
  let spaceHeld = false;

  const tools = el('div', { class: 'board-tools', role: 'toolbar', 'aria-label': t('room.board_tools') });
  const canvas = el('div', { class: 'canvas' });
  const zoomLevel = el('button', { type: 'button', class: 'small secondary zoom-level', 'data-action': 'zoom-reset',
    title: t('room.zoom_reset'), onclick: () => zoomTo(1, centre()) }, '100%');
  const zoomBar = el('div', { class: 'zoom-bar', role: 'group', 'aria-label': t('room.zoom') },
    el('button', { type: 'button', class: 'small secondary', 'data-action': 'zoom-out', 'aria-label': t('room.zoom_out'), title: `${t('room.zoom_out')} (−)`,
      onclick: () => zoomStep(-1) }, '−'),
    zoomLevel,
    el('button', { type: 'button', class: 'small secondary', 'data-action': 'zoom-in', 'aria-label': t('room.zoom_in'), title: `${t('room.zoom_in')} (+)`,
      onclick: () => zoomStep(1) }, '+'),
    el('button', { type: 'button', class: 'small secondary', 'data-action': 'zoom-fit', title: `${t('room.zoom_fit')} (0)`,
      onclick: fitEverything }, t('room.zoom_fit')));
  const element = el('div', { class: 'board', tabindex: '-1', 'aria-label': t('room.board'), ondblclick: onBoardDoubleClick }, canvas, zoomBar);
  element.addEventListener('pointerdown', onBoardPointerDown);
  element.addEventListener('wheel', onWheel, { passive: false });
  document.addEventListener('keydown', onViewKey);
  document.addEventListener('keyup', (event) => { if (event.key === ' ') setSpace(false); });
  window.addEventListener('blur', () => setSpace(false));
  applyView();

  function renderTools() {
    const state = ctx.state();
    const part = currentPart(state);
    const voting = state.vote?.open && state.vote.part_id === part?.id;
    const items = [
      el('button', { type: 'button', class: 'small', 'data-action': 'add-sticky', onclick: () => addSticky() }, t('room.add_sticky')),
    ];
    const focused = focusedSticky();
    if (focused) {
      items.push(el('span', { class: 'palette', role: 'group', 'aria-label': t('room.colour') },
        state.catalogues.colours.map((colour) => el('button', {
          type: 'button', class: `swatch ${colour.code}`, 'aria-label': nameOf(colour, lang), 'data-colour': colour.code,
          'aria-pressed': focused.colour === colour.code ? 'true' : 'false',
          onclick: () => ctx.send(ops.colourSticky({ stickyId: focused.id, colour: colour.code })),
        }))));
      items.push(el('button', { type: 'button', class: 'small secondary', 'data-action': 'sticky-to-action',
        onclick: () => ctx.send(ops.saveAction({ title: focused.text || t('ws.untitled'), source: { kind: 'sticky', id: focused.id }, partId: focused.part_id })) }, t('ws.make_action')));
      items.push(el('button', { type: 'button', class: 'small secondary', 'data-action': 'sticky-to-idea',
        onclick: () => ctx.send(ops.addIdea({ text: focused.text || t('ws.untitled'), stickyId: focused.id })) }, t('ws.make_idea')));
    }
    if (selected.size >= 2) {
      items.push(el('button', { type: 'button', class: 'small', 'data-action': 'group', onclick: groupSelection }, t('room.group', { n: selected.size })));
    }
    if (voting) {
      items.push(el('span', { class: 'votes-left', 'data-votes-left': votesLeft(state) }, t('room.votes_left', { n: votesLeft(state) })));
    }
    if (isFacilitator(state) && part) {
      if (voting) {
        items.push(el('button', { type: 'button', class: 'small', 'data-action': 'close-vote', onclick: () => ctx.send(ops.closeVote()) }, t('room.close_vote')));
      } else {
        items.push(el('button', { type: 'button', class: 'small', 'data-action': 'open-vote', onclick: () => ctx.send(ops.openVote({ partId: part.id, votesPerPerson: 3 })) }, t('room.open_vote')));
      }
    }
    items.push(el('span', { class: 'hint' }, t('room.board_hint')));
    fill(tools, items);
  }

  function focusedSticky() {
    const id = Number(document.activeElement?.dataset?.sticky);
    return ctx.state().stickies.get(id) ?? null;
  }

  function tallyFor(id) {
    return ctx.state().vote?.tally?.find((entry) => entry.sticky_id === id)?.votes ?? 0;
  }

  function render() {
    const state = ctx.state();
    const part = currentPart(state);
    const shown = [...state.stickies.values()].filter((s) => s.part_id === part?.id);
    const keep = new Set(shown.map((s) => String(s.id)));
    for (const node of [...canvas.children]) {
      if (!keep.has(node.dataset.sticky)) node.remove();
    }
    const voting = state.vote?.open && state.vote.part_id === part?.id;
    for (const sticky of shown) {
      let node = canvas.querySelector(`[data-sticky="${sticky.id}"]`);
      if (!node) {
        node = el('div', { class: 'sticky', tabindex: '0', role: 'group', dataset: { sticky: String(sticky.id) } });
        node.addEventListener('pointerdown', onStickyPointerDown);
        node.addEventListener('keydown', onStickyKey);
        node.addEventListener('dblclick', (event) => { event.stopPropagation(); startEditing(sticky.id); });
        node.addEventListener('click', (event) => onStickyClick(event, sticky.id));
        node.addEventListener('focus', () => { renderTools(); bringIntoView(node); });
        canvas.append(node);
      }
      if (node.dataset.dragging === 'true') continue;
      node.className = `sticky ${sticky.colour}${selected.has(sticky.id) ? ' selected' : ''}`;
      node.style.left = `${sticky.x}px`;
      node.style.top = `${sticky.y}px`;
      node.style.width = `${sticky.width}px`;
      node.style.minHeight = `${sticky.height}px`;
      node.setAttribute('aria-label', t('room.sticky_label', { text: sticky.text || t('room.empty_sticky'), author: personName(state, sticky.author_id) }));
      if (editing === sticky.id) {
        if (!node.querySelector('textarea')) fillEditor(node, sticky);
        continue;
      }
      const group = sticky.group_id ? state.groups.get(sticky.group_id) : null;
      const myDots = state.vote?.part_id === part?.id ? state.vote.my_votes.filter((id) => id === sticky.id).length : 0;
      const tally = state.vote && !state.vote.open && state.vote.part_id === part?.id ? tallyFor(sticky.id) : 0;
      fill(node,
        group && el('span', { class: 'group-label' }, group.label || t('room.group_unnamed'),
          el('button', { type: 'button', class: 'tiny', 'aria-label': t('room.ungroup'), onclick: (e) => { e.stopPropagation(); ctx.send(ops.ungroup(group.id)); } }, '×')),
        el('p', { class: 'sticky-text' }, sticky.text),
        el('span', { class: 'author' }, initials(personName(state, sticky.author_id))),
        (myDots > 0 || tally > 0) && el('span', { class: 'dots', 'aria-label': t('room.votes_on', { n: tally || myDots }) }, '●'.repeat(tally || myDots)),
        voting && el('span', { class: 'vote-buttons' },
          el('button', { type: 'button', class: 'tiny', 'data-action': 'vote', disabled: votesLeft(state) <= 0, 'aria-label': t('room.vote'), onclick: (e) => { e.stopPropagation(); ctx.send(ops.castVote(sticky.id)); } }, '+●'),
          myDots > 0 && el('button', { type: 'button', class: 'tiny', 'data-action': 'unvote', 'aria-label': t('room.unvote'), onclick: (e) => { e.stopPropagation(); ctx.send(ops.removeVote(sticky.id)); } }, '−●')));
    }
  }

  function fillEditor(node, sticky) {
    const editor = el('textarea', { class: 'sticky-editor', 'aria-label': t('room.edit_sticky'), maxlength: '500', value: sticky.text });
    let done = false;
    const finish = (save) => {
      if (done) return;
      done = true;
      editing = null;
      if (save && editor.value !== sticky.text) ctx.send(ops.editSticky({ stickyId: sticky.id, text: editor.value }));
      render();
      node.focus({ preventScroll: true });
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
    requestAnimationFrame(() => editor.focus({ preventScroll: true }));
  }

  function startEditing(id) {
    editing = id;
    render();
  }

  /** A new sticky on the current part, at (x, y) or in the next free place; its editor opens. */
  function addSticky(x, y) {
    const state = ctx.state();
    const part = currentPart(state);
    if (!part) return;
    // Without a place: the middle of what this person sees, a step further for each sticky
    // already there, so a row of new ones does not hide under one another.
    const count = [...state.stickies.values()].filter((s) => s.part_id === part.id).length;
    const middle = toBoard(...centre());
    const step = (count % 8) * 24;
    const px = x ?? middle.x - 80 + step;
    const py = y ?? middle.y - 40 + step;
    editNext = true;
    ctx.send(ops.createSticky({ partId: part.id, text: '', x: Math.round(px), y: Math.round(py), colour: 'yellow' }));
  }

  function onBoardDoubleClick(event) {
    if (event.target !== element && event.target !== canvas) return;
    const at = toBoard(event.clientX, event.clientY);
    addSticky(at.x - 80, at.y - 40);
  }

  function onStickyClick(event, id) {
    if (!event.shiftKey) return;
    if (selected.has(id)) selected.delete(id);
    else selected.add(id);
    render();
    renderTools();
  }

  function groupSelection() {
    const label = window.prompt(t('room.group_prompt'), '') ?? '';
    ctx.send(ops.groupStickies({ stickyIds: [...selected], label }));
  }

  function onStickyPointerDown(event) {
    if (spaceHeld || event.button !== 0 || event.target.closest('button, textarea')) return;
    const node = event.currentTarget;
    const id = Number(node.dataset.sticky);
    const sticky = ctx.state().stickies.get(id);
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
      // Screen pixels become board units: at 200% a 100 px drag moves the sticky 50.
      node.style.left = `${start.left + dx / view.scale}px`;
      node.style.top = `${start.top + dy / view.scale}px`;
    };
    const onUp = (up) => {
      node.removeEventListener('pointermove', onMove);
      node.removeEventListener('pointerup', onUp);
      node.removeEventListener('pointercancel', onUp);
      delete node.dataset.dragging;
      if (moved) {
        const x = Math.round(start.left + (up.clientX - start.x) / view.scale);
        const y = Math.round(start.top + (up.clientY - start.y) / view.scale);
        ctx.moveLocally(id, x, y);
        ctx.send(ops.moveSticky({ stickyId: id, x, y }));
      }
    };
    node.addEventListener('pointermove', onMove);
    node.addEventListener('pointerup', onUp);
    node.addEventListener('pointercancel', onUp);
  }

  function onStickyKey(event) {
    const id = Number(event.currentTarget.dataset.sticky);
    const sticky = ctx.state().stickies.get(id);
    if (!sticky || editing === id) return;
    const step = event.shiftKey ? 50 : 10;
    const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    if (moves[event.key]) {
      event.preventDefault();
      const [dx, dy] = moves[event.key];
      const x = sticky.x + dx;
      const y = sticky.y + dy;
      ctx.moveLocally(id, x, y);
      render();
      bringIntoView(event.currentTarget);
      ctx.send(ops.moveSticky({ stickyId: id, x, y }));
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
    ctx.send(ops.deleteSticky(sticky.id));
    ctx.toast(t('room.deleted'), t('room.undo'), () =>
      ctx.send(ops.createSticky({ partId: copy.part_id, text: copy.text, x: copy.x, y: copy.y, colour: copy.colour })));
  }

  /** What an event means for the board's own state; call it after the room's state moved on. */
  function afterEvent(frame, state) {
    const e = frame.event;
    if (e.type === 'part_changed' || e.type === 'stickies_grouped') selected.clear();
    if (e.type === 'sticky_deleted') selected.delete(e.sticky_id);
    if (e.type === 'sticky_created' && editNext && e.sticky.author_id === state.you?.id) {
      editNext = false;
      editing = e.sticky.id;
    }
  }

  /** An op was refused: the sticky I asked for will not come, so no editor waits for it. */
  function rejected() {
    editNext = false;
  }

  // ---- The view: pan and zoom, this screen's own ----------------------------------------

  function applyView() {
    canvas.style.transform = `translate(${view.x}px, ${view.y}px) scale(${view.scale})`;
    // The dotted paper moves and grows with the stickies.
    const grid = 24 * view.scale;
    element.style.backgroundSize = `${grid}px ${grid}px`;
    element.style.backgroundPosition = `${view.x}px ${view.y}px`;
    const percent = `${Math.round(view.scale * 100)}%`;
    zoomLevel.textContent = percent;
    element.dataset.zoom = percent;
  }

  /** A point on the screen (client coordinates) in board coordinates. */
  function toBoard(clientX, clientY) {
    const rect = element.getBoundingClientRect();
    return { x: (clientX - rect.left - view.x) / view.scale, y: (clientY - rect.top - view.y) / view.scale };
  }

  /** The middle of the visible board in client coordinates; a hidden board counts as 800×500. */
  function centre() {
    const rect = element.getBoundingClientRect();
    const width = rect.width || 800;
    const height = rect.height || 500;
    return [rect.left + width / 2, rect.top + height / 2];
  }

  /** Zooms to `scale` (clamped) keeping the board point under client point `at` in place. */
  function zoomTo(scale, at) {
    const next = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, scale));
    const rect = element.getBoundingClientRect();
    const px = at[0] - rect.left;
    const py = at[1] - rect.top;
    view.x = px - ((px - view.x) / view.scale) * next;
    view.y = py - ((py - view.y) / view.scale) * next;
    view.scale = next;
    applyView();
  }

  /** A sticky reached by Tab or moved with the arrows that lies out of sight is panned into the middle. */
  function bringIntoView(node) {
    const board = element.getBoundingClientRect();
    const box = node.getBoundingClientRect();
    if (board.width === 0) return;
    const inside = box.right > board.left && box.left < board.right && box.bottom > board.top && box.top < board.bottom;
    if (inside) return;
    panBy(board.left + board.width / 2 - (box.left + box.width / 2), board.top + board.height / 2 - (box.top + box.height / 2));
  }

  function zoomBy(factor, at) {
    zoomTo(view.scale * factor, at);
  }

  /** To the next stop up (`direction` 1) or down (-1), around the middle of the view. */
  function zoomStep(direction) {
    const next = direction > 0
      ? ZOOM_STOPS.find((stop) => stop > view.scale * 1.001) ?? MAX_ZOOM
      : [...ZOOM_STOPS].reverse().find((stop) => stop < view.scale / 1.001) ?? MIN_ZOOM;
    zoomTo(next, centre());
  }

  function panBy(dx, dy) {
    view.x += dx;
    view.y += dy;
    applyView();
  }

  /** Every sticky of this part in view, at 100% at most; an empty board goes back to the start. */
  function fitEverything() {
    const nodes = [...canvas.querySelectorAll('.sticky')];
    const rect = element.getBoundingClientRect();
    if (nodes.length === 0 || rect.width === 0) {
      Object.assign(view, { x: 0, y: 0, scale: 1 });
      applyView();
      return;
    }
    let left = Infinity, top = Infinity, right = -Infinity, bottom = -Infinity;
    for (const node of nodes) {
      const x = parseFloat(node.style.left) || 0;
      const y = parseFloat(node.style.top) || 0;
      left = Math.min(left, x);
      top = Math.min(top, y);
      right = Math.max(right, x + node.offsetWidth);
      bottom = Math.max(bottom, y + node.offsetHeight);
    }
    const margin = 32;
    const room = [Math.max(rect.width - 2 * margin, 1), Math.max(rect.height - 2 * margin - zoomBar.offsetHeight, 1)];
    const scale = Math.min(1, MAX_ZOOM, Math.max(MIN_ZOOM, Math.min(room[0] / (right - left), room[1] / (bottom - top))));
    view.scale = scale;
    view.x = (rect.width - (right - left) * scale) / 2 - left * scale;
    view.y = (rect.height - zoomBar.offsetHeight - (bottom - top) * scale) / 2 - top * scale;
    applyView();
  }

  /** The scroll wheel pans; with Ctrl or ⌘ (and a trackpad pinch) it zooms at the pointer. */
  function onWheel(event) {
    if (element.hidden) return;
    event.preventDefault();
    const unit = event.deltaMode === 1 ? 16 : event.deltaMode === 2 ? element.clientHeight : 1;
    if (event.ctrlKey || event.metaKey) {
      zoomBy(Math.exp(-event.deltaY * unit * 0.002), [event.clientX, event.clientY]);
    } else if (event.shiftKey && event.deltaX === 0) {
      panBy(-event.deltaY * unit, 0);
    } else {
      panBy(-event.deltaX * unit, -event.deltaY * unit);
    }
  }

  /**
   * A drag on empty board (or anywhere with the space bar held, or with the middle button)
   * pans; two fingers pan and pinch.
   */
  const touching = new Map();
  function onBoardPointerDown(event) {
    if (event.target.closest('button, textarea, .zoom-bar')) return;
    if (event.target.closest('.sticky') && !spaceHeld) return;
    if (event.button !== 0 && event.button !== 1) return;
    if (event.button === 1) event.preventDefault();
    touching.set(event.pointerId, { x: event.clientX, y: event.clientY });
    element.setPointerCapture(event.pointerId);
    element.dataset.panning = 'true';
  }
  element.addEventListener('pointermove', (event) => {
    const last = touching.get(event.pointerId);
    if (!last) return;
    if (touching.size === 1) {
      panBy(event.clientX - last.x, event.clientY - last.y);
      touching.set(event.pointerId, { x: event.clientX, y: event.clientY });
      return;
    }
    // Two (or more) fingers: the first two pan by their midpoint and zoom by their spread.
    const [a, b] = [...touching.entries()].slice(0, 2);
    if (event.pointerId !== a[0] && event.pointerId !== b[0]) return;
    const before = [a[1], b[1]];
    touching.set(event.pointerId, { x: event.clientX, y: event.clientY });
    const after = [touching.get(a[0]), touching.get(b[0])];
    const mid = (p) => [(p[0].x + p[1].x) / 2, (p[0].y + p[1].y) / 2];
    const spread = (p) => Math.hypot(p[0].x - p[1].x, p[0].y - p[1].y) || 1;
    const [m0, m1] = [mid(before), mid(after)];
    panBy(m1[0] - m0[0], m1[1] - m0[1]);
    zoomBy(spread(after) / spread(before), m1);
  });
  const endPan = (event) => {
    touching.delete(event.pointerId);
    if (touching.size === 0) delete element.dataset.panning;
  };
  element.addEventListener('pointerup', endPan);
  element.addEventListener('pointercancel', endPan);

  function setSpace(held) {
    spaceHeld = held;
    if (held) element.dataset.space = 'true';
    else delete element.dataset.space;
  }

  /** + and − zoom, 0 fits everything, 1 is 100%, space held pans: never while typing. */
  function onViewKey(event) {
    if (element.getClientRects().length === 0 || typingIn(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === ' ') {
      if (event.target.closest?.('button, a, summary, select')) return;
      event.preventDefault();
      setSpace(true);
      return;
    }
    const actions = {
      '+': () => zoomStep(1),
      '=': () => zoomStep(1),
      '-': () => zoomStep(-1),
      '_': () => zoomStep(-1),
      '0': fitEverything,
      '1': () => zoomTo(1, centre()),
    };
    if (actions[event.key]) {
      event.preventDefault();
      actions[event.key]();
    }
  }

  return { element, tools, render, renderTools, addSticky, afterEvent, rejected };
}
