// The board of the current part: its stickies with their groups and dots, and the tools
// above it. It draws from the room's state and sends intents; what is only the board's
// own (which sticky is being edited, which are selected) it keeps itself.

import { el, fill, initials } from './dom.js';
import { t, lang } from './i18n.js';
import { ops } from './protocol.js';
import { currentPart, isFacilitator, nameOf, personName, votesLeft } from './room-state.js';

/**
 * Makes the board. `ctx` gives `state()` (the room's state now), `send(op)`,
 * `moveLocally(stickyId, x, y)` (shows a move before the server confirms it) and
 * `toast(message, actionLabel?, action?)`. The room places `board.tools` and
 * `board.element` and calls `render()` after every change.
 */
export function createBoard(ctx) {
  /** The sticky whose text is being edited, if any. */
  let editing = null;
  /** The next sticky I create opens its editor (the server gives it its id). */
  let editNext = false;
  const selected = new Set();

  const tools = el('div', { class: 'board-tools', role: 'toolbar', 'aria-label': t('room.board_tools') });
  const canvas = el('div', { class: 'canvas' });
  const element = el('div', { class: 'board', tabindex: '-1', 'aria-label': t('room.board'), ondblclick: onBoardDoubleClick }, canvas);

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
        node.addEventListener('focus', renderTools);
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
    editing = id;
    render();
  }

  /** A new sticky on the current part, at (x, y) or in the next free place; its editor opens. */
  function addSticky(x, y) {
    const state = ctx.state();
    const part = currentPart(state);
    if (!part) return;
    const count = [...state.stickies.values()].filter((s) => s.part_id === part.id).length;
    const px = x ?? 24 + (count % 6) * 180;
    const py = y ?? 24 + Math.floor(count / 6) * 180;
    editNext = true;
    ctx.send(ops.createSticky({ partId: part.id, text: '', x: Math.round(px), y: Math.round(py), colour: 'yellow' }));
  }

  function onBoardDoubleClick(event) {
    if (event.target !== element && event.target !== canvas) return;
    const rect = canvas.getBoundingClientRect();
    addSticky(event.clientX - rect.left - 80, event.clientY - rect.top - 40);
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
    if (event.button !== 0 || event.target.closest('button, textarea')) return;
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

  return { element, tools, render, renderTools, addSticky, afterEvent, rejected };
}
