// Applies a `strategy_changed` event to the strategy the client holds. The server sends
// only what changed (crates/server/src/strategy_diff.rs): per section either
// `{set: value}` (the section whole) or `{upsert, remove, order}` for a list of items
// with ids. Pure: returns a new strategy, leaves the old one as it was.

const key = (id) => JSON.stringify(id);

/** The strategy after `changes`. */
export function applyStrategyChanges(strategy, changes) {
  const next = { ...(strategy || {}) };
  for (const [section, change] of Object.entries(changes || {})) {
    if ('set' in change) {
      next[section] = change.set;
      continue;
    }
    const items = new Map((next[section] || []).map((item) => [key(item.id), item]));
    for (const id of change.remove || []) items.delete(key(id));
    // A known id keeps its place; a new one goes to the end, as on the server.
    for (const item of change.upsert || []) items.set(key(item.id), item);
    const order = change.order ? change.order.map(key) : [...items.keys()];
    next[section] = order.map((id) => items.get(id)).filter((item) => item !== undefined);
  }
  return next;
}
