//! What changed in the strategy, for the `strategy_changed` event: only the sections
//! and the items that differ from what the connections already have, never the whole
//! strategy again (with 200 personas that would be megabytes for a one-click op).
//!
//! The diff works on the view's JSON, so derived parts (SMART checks, suggestions, the
//! workload, the content calendar) are covered without naming them: a section that is a
//! list of items with an `id` is sent as the items that were added or changed, the ids
//! that went, and the new order when it is not the one the client arrives at itself; any
//! other section is sent whole when it changed. `web/strategy-changes.js` applies it.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The change of one section of the strategy view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum SectionChange {
    /// The section's new value, whole.
    Set {
        #[schema(value_type = Object)]
        set: Value,
    },
    /// A list of items with ids: the new and changed items, the ids that are gone, and
    /// the order of all ids when the client cannot infer it (kept order, removed ones
    /// left out, new ones at the end).
    Items {
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        #[schema(value_type = Vec<Object>)]
        upsert: Vec<Value>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        #[schema(value_type = Vec<Object>)]
        remove: Vec<Value>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(value_type = Option<Vec<Object>>)]
        order: Option<Vec<Value>>,
    },
}

/// Section name → its change; sections that did not change are absent.
pub type StrategyChanges = BTreeMap<String, SectionChange>;

/// Every section, whole: for a client whose strategy is out of date by an unknown amount.
pub fn everything(view: &Value) -> StrategyChanges {
    match view {
        Value::Object(sections) => {
            sections.iter().map(|(key, value)| (key.clone(), SectionChange::Set { set: value.clone() })).collect()
        }
        _ => StrategyChanges::new(),
    }
}

/// The changes that turn `before` into `after` (both the JSON of a strategy view).
pub fn diff(before: &Value, after: &Value) -> StrategyChanges {
    let (Value::Object(old), Value::Object(new)) = (before, after) else {
        return everything(after);
    };
    let mut changes = StrategyChanges::new();
    for (key, value) in new {
        let Some(previous) = old.get(key) else {
            changes.insert(key.clone(), SectionChange::Set { set: value.clone() });
            continue;
        };
        if previous == value {
            continue;
        }
        let change = match (items(previous), items(value)) {
            (Some(old_items), Some(new_items)) => diff_items(&old_items, &new_items),
            _ => SectionChange::Set { set: value.clone() },
        };
        changes.insert(key.clone(), change);
    }
    changes
}

/// The items of a list whose every element is an object with a unique scalar `id`.
fn items(value: &Value) -> Option<Vec<(String, &Value)>> {
    let list = value.as_array()?;
    let mut seen = HashSet::new();
    let mut items = Vec::with_capacity(list.len());
    for item in list {
        let id = item.as_object()?.get("id")?;
        if !(id.is_u64() || id.is_string() || id.is_i64()) {
            return None;
        }
        let key = id.to_string();
        if !seen.insert(key.clone()) {
            return None;
        }
        items.push((key, item));
    }
    Some(items)
}

fn diff_items(old: &[(String, &Value)], new: &[(String, &Value)]) -> SectionChange {
    let old_by_id: HashMap<&str, &Value> = old.iter().map(|(id, item)| (id.as_str(), *item)).collect();
    let new_ids: HashSet<&str> = new.iter().map(|(id, _)| id.as_str()).collect();
    let upsert: Vec<Value> = new
        .iter()
        .filter(|(id, item)| old_by_id.get(id.as_str()) != Some(item))
        .map(|(_, item)| (*item).clone())
        .collect();
    let remove: Vec<Value> =
        old.iter().filter(|(id, _)| !new_ids.contains(id.as_str())).map(|(_, item)| item["id"].clone()).collect();
    // The order the client arrives at: the old order without the removed, then the new.
    let inferred = old
        .iter()
        .map(|(id, _)| id.as_str())
        .filter(|id| new_ids.contains(id))
        .chain(new.iter().map(|(id, _)| id.as_str()).filter(|id| !old_by_id.contains_key(id)));
    let order = if inferred.eq(new.iter().map(|(id, _)| id.as_str())) {
        None
    } else {
        Some(new.iter().map(|(_, item)| item["id"].clone()).collect())
    };
    SectionChange::Items { upsert, remove, order }
}

/// Applies `changes` to a strategy view's JSON, as the browser does
/// (`web/strategy-changes.js`); for tests and for checking that a diff is complete.
pub fn apply(view: &mut Value, changes: &StrategyChanges) {
    let Value::Object(sections) = view else { return };
    for (key, change) in changes {
        match change {
            SectionChange::Set { set } => {
                sections.insert(key.clone(), set.clone());
            }
            SectionChange::Items { upsert, remove, order } => {
                let current = sections.remove(key).and_then(|v| v.as_array().cloned()).unwrap_or_default();
                let mut list: Vec<Value> = current.into_iter().filter(|item| !remove.contains(&item["id"])).collect();
                for item in upsert {
                    match list.iter_mut().find(|existing| existing["id"] == item["id"]) {
                        Some(existing) => *existing = item.clone(),
                        None => list.push(item.clone()),
                    }
                }
                if let Some(order) = order {
                    list = order.iter().filter_map(|id| list.iter().find(|item| &item["id"] == id).cloned()).collect();
                }
                sections.insert(key.clone(), Value::Array(list));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    #[test]
    fn an_unchanged_strategy_has_no_changes() {
        let view = json!({"personas": [{"id": 1, "name": "Anna"}], "core_message": {"usp": "Vers"}});
        assert!(diff(&view, &view).is_empty());
    }

    #[test]
    fn a_changed_item_is_sent_alone() {
        let before = json!({"personas": [{"id": 1, "name": "Anna"}, {"id": 2, "name": "Bert"}], "workload": []});
        let after = json!({"personas": [{"id": 1, "name": "Anna"}, {"id": 2, "name": "Bart"}], "workload": []});
        let changes = diff(&before, &after);
        assert_eq!(
            serde_json::to_value(&changes).unwrap(),
            json!({"personas": {"upsert": [{"id": 2, "name": "Bart"}]}})
        );
    }

    #[test]
    fn a_move_sends_the_order_and_nothing_else() {
        let before = json!({"end_goals": [{"id": 1}, {"id": 2}, {"id": 3}]});
        let after = json!({"end_goals": [{"id": 3}, {"id": 1}, {"id": 2}]});
        assert_eq!(serde_json::to_value(diff(&before, &after)).unwrap(), json!({"end_goals": {"order": [3, 1, 2]}}));
    }

    #[test]
    fn a_section_that_is_not_a_list_of_items_is_sent_whole() {
        let before = json!({"core_message": {"usp": "Vers"}, "primary_persona_id": null});
        let after = json!({"core_message": {"usp": "Verser"}, "primary_persona_id": 4});
        assert_eq!(
            serde_json::to_value(diff(&before, &after)).unwrap(),
            json!({"core_message": {"set": {"usp": "Verser"}}, "primary_persona_id": {"set": 4}})
        );
    }

    fn list() -> impl Strategy<Value = Vec<(u8, u8)>> {
        // (id, content); ids made unique below.
        proptest::collection::vec((0u8..20, 0u8..4), 0..12)
    }

    fn view(items: &[(u8, u8)], extra: u8) -> Value {
        let mut seen = HashSet::new();
        let items: Vec<Value> = items
            .iter()
            .filter(|(id, _)| seen.insert(*id))
            .map(|(id, content)| json!({"id": id, "text": content}))
            .collect();
        json!({"ideas": items, "core_message": {"usp": extra}})
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        /// Whatever changed, applying the diff to the old view gives the new one.
        #[test]
        fn applying_the_diff_gives_the_new_view(a in list(), b in list(), x in 0u8..3, y in 0u8..3) {
            let (before, after) = (view(&a, x), view(&b, y));
            let mut patched = before.clone();
            apply(&mut patched, &diff(&before, &after));
            prop_assert_eq!(patched, after.clone());
            let mut fresh = json!({});
            apply(&mut fresh, &everything(&after));
            prop_assert_eq!(fresh, after);
        }
    }
}
