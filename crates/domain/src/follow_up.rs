//! The follow-up session (SOSTAC's Control step): a short session that starts with the
//! goals' progress. It is made like any other session, a new state and then ops decided
//! by [`crate::session::apply`], so its log tells how it came to be and nothing is written
//! into its state behind the rules' back.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;

use crate::catalog;
use crate::language::Lang;
use crate::planner::{PlannerSettings, SettingsError};
use crate::session::{Actor, Op, ParticipantId, SessionDetails, SessionState, StrategyOp, default_facilitator_name};
use crate::strategy::ItemId;
use crate::text::{DisplayName, Title};

/// A new session before anyone joined, and the ops, in order and each by its actor, that
/// make it what it should be.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub state: SessionState,
    pub ops: Vec<(Actor, Op)>,
}

impl SessionState {
    /// The follow-up of this session, starting at `start` (local time) for one day with
    /// the same day limits, led by `facilitator` under the name they had here (or the
    /// default name when they left). The end goals and SMART goals come along with
    /// their measurements, in their order, under new ids; votes, personas, the core
    /// message and the actions stay with the day.
    pub fn follow_up(&self, start: NaiveDateTime, facilitator: ParticipantId) -> Result<NewSession, SettingsError> {
        let lang = self.details.language;
        let prefix = match lang {
            Lang::Nl => "Vervolg: ",
            Lang::En => "Follow-up: ",
        };
        let title: String = format!("{prefix}{}", self.details.title.as_str()).chars().take(Title::MAX_CHARS).collect();
        // The previous title was valid, so only the prefix is new; should the result be
        // refused anyway, the previous title still names the session well.
        let title = Title::parse("title", &title).unwrap_or_else(|_| self.details.title.clone());
        let details = SessionDetails { title, ..self.details.clone() };
        let settings = PlannerSettings::new(
            start,
            self.settings.time_zone(),
            self.settings.max_day_minutes(),
            self.settings.max_work_stretch_minutes(),
            self.settings.break_minutes(),
            1,
            self.settings.gap_days(),
        )?;
        let state = SessionState::new(details, &catalog::follow_up_model(), settings);

        let display_name = self.participant(facilitator).map_or_else(
            || {
                DisplayName::parse("display_name", default_facilitator_name(lang))
                    .expect("the default facilitator names are valid display names")
            },
            |p| p.display_name.clone(),
        );
        // The facilitator joins first and so is participant 1 of the new session.
        let leader = Actor::Participant(ParticipantId(1));
        let mut ops = vec![(Actor::Newcomer { facilitator: true }, Op::Join { display_name })];

        // Items get ids in the order they are made, from 1: end goals first, then the
        // SMART goals pointing at their end goal's new id.
        let mut next_id = 1;
        let mut new_ids: BTreeMap<ItemId, ItemId> = BTreeMap::new();
        for goal in &self.strategy.end_goals {
            new_ids.insert(goal.id, ItemId(next_id));
            next_id += 1;
            ops.push((
                leader,
                Op::Strategy(StrategyOp::SaveEndGoal { id: None, text: goal.text.clone(), horizon: goal.horizon }),
            ));
        }
        for goal in &self.strategy.smart_goals {
            let new_id = ItemId(next_id);
            next_id += 1;
            ops.push((
                leader,
                Op::Strategy(StrategyOp::SaveSmartGoal {
                    id: None,
                    end_goal: goal.end_goal.and_then(|old| new_ids.get(&old).copied()),
                    text: goal.text.clone(),
                    fields: goal.fields.clone(),
                }),
            ));
            for measurement in self.strategy.measurements.get(&goal.id).into_iter().flatten() {
                let op = Op::Strategy(StrategyOp::RecordMeasurement {
                    goal: new_id,
                    date: measurement.date,
                    value: measurement.value,
                });
                ops.push((leader, op));
            }
        }
        Ok(NewSession { state, ops })
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::session::{self, Event};
    use crate::strategy::{FieldText, Horizon, SmartFields};

    fn day_session(lang: Lang) -> SessionState {
        let start = NaiveDate::from_ymd_opt(2026, 3, 2).and_then(|d| d.and_hms_opt(9, 0, 0)).expect("a date");
        let settings = PlannerSettings::with_defaults(start, chrono_tz::Europe::Amsterdam, 1).expect("settings");
        let details = SessionDetails {
            title: Title::parse("title", "Strategiedag").expect("a title"),
            organisation: crate::text::Organisation::parse("organisation", "").expect("an organisation"),
            language: lang,
            meeting_link: None,
        };
        let model = catalog::builtin_model("heidag").expect("the heidag model");
        let mut state = SessionState::new(details, &model, settings);
        let text = |t: &str| FieldText::parse("text", t).expect("a text");
        let fields = SmartFields {
            metric: text("omzet"),
            baseline: Some(100.0),
            target: Some(150.0),
            deadline: NaiveDate::from_ymd_opt(2026, 12, 31),
            ..SmartFields::default()
        };
        let me = Actor::Participant(ParticipantId(1));
        let ops = [
            (
                Actor::Newcomer { facilitator: true },
                Op::Join { display_name: DisplayName::parse("n", "Fay").expect("a name") },
            ),
            (me, Op::Strategy(StrategyOp::AddIdea { text: text("een idee"), from_sticky: None })),
            (
                me,
                Op::Strategy(StrategyOp::SaveEndGoal {
                    id: None,
                    text: text("Nummer 1"),
                    horizon: Some(Horizon::WithinYears { years: 3 }),
                }),
            ),
            (me, Op::Strategy(StrategyOp::SaveEndGoal { id: None, text: text("Loyaal"), horizon: None })),
            (me, Op::Strategy(StrategyOp::SupportEndGoal { id: ItemId(2), support: true })),
            (
                me,
                Op::Strategy(StrategyOp::SaveSmartGoal {
                    id: None,
                    end_goal: Some(ItemId(2)),
                    text: text("Meer omzet"),
                    fields,
                }),
            ),
            (me, Op::Strategy(StrategyOp::AgreeSmartGoal { id: ItemId(4), acceptable: true, realistic: true })),
            (
                me,
                Op::Strategy(StrategyOp::RecordMeasurement {
                    goal: ItemId(4),
                    date: NaiveDate::from_ymd_opt(2026, 4, 1).expect("a date"),
                    value: 110.0,
                }),
            ),
            (
                me,
                Op::Strategy(StrategyOp::RecordMeasurement {
                    goal: ItemId(4),
                    date: NaiveDate::from_ymd_opt(2026, 3, 9).expect("a date"),
                    value: 104.0,
                }),
            ),
        ];
        for (actor, op) in ops {
            for event in session::apply(&state, actor, op, 0).expect("an accepted op") {
                state.apply_event(&event);
            }
        }
        state
    }

    fn run(new: NewSession) -> SessionState {
        let mut state = new.state;
        for (actor, op) in new.ops {
            let events: Vec<Event> = session::apply(&state, actor, op, 0).expect("the domain accepts every op");
            for event in events {
                state.apply_event(&event);
            }
        }
        state
    }

    #[test]
    fn the_follow_up_brings_the_goals_and_their_measurements_and_nothing_else() {
        let day = day_session(Lang::Nl);
        let start = NaiveDate::from_ymd_opt(2026, 6, 1).and_then(|d| d.and_hms_opt(10, 0, 0)).expect("a date");
        let follow_up = run(day.follow_up(start, ParticipantId(1)).expect("a follow-up"));

        assert_eq!(follow_up.details.title.as_str(), "Vervolg: Strategiedag");
        assert_eq!(follow_up.settings.start(), start);
        assert_eq!(follow_up.model.id, "follow_up");
        assert_eq!(follow_up.participants.len(), 1);
        assert!(follow_up.participants[0].is_facilitator);
        assert_eq!(follow_up.participants[0].display_name.as_str(), "Fay");

        let strategy = &follow_up.strategy;
        let texts: Vec<&str> = strategy.end_goals.iter().map(|g| g.text.as_str()).collect();
        assert_eq!(texts, ["Nummer 1", "Loyaal"]);
        assert!(strategy.end_goals.iter().all(|g| g.supporters.is_empty()), "votes stay with the day");
        assert_eq!(strategy.end_goals[0].horizon, Some(Horizon::WithinYears { years: 3 }));
        let goal = &strategy.smart_goals[0];
        assert_eq!(goal.end_goal, Some(strategy.end_goals[0].id), "still serves its end goal under the new id");
        assert_eq!(goal.fields, day.strategy.smart_goals[0].fields);
        assert!(goal.agreement.is_empty());
        let values: Vec<f64> = strategy.measurements[&goal.id].iter().map(|m| m.value).collect();
        assert_eq!(values, [104.0, 110.0], "oldest first, as on the day");
        assert!(strategy.ideas.is_empty() && strategy.actions.is_empty() && strategy.personas.is_empty());
    }

    #[test]
    fn a_facilitator_who_left_gets_the_default_name_in_the_sessions_language() {
        for (lang, name) in [(Lang::Nl, "Begeleider"), (Lang::En, "Facilitator")] {
            let day = day_session(lang);
            let follow_up = run(day.follow_up(day.settings.start(), ParticipantId(9)).expect("a follow-up"));
            assert_eq!(follow_up.participants[0].display_name.as_str(), name);
        }
    }

    #[test]
    fn a_long_title_is_cut_to_fit_after_its_prefix() {
        let mut day = day_session(Lang::En);
        let long = "x".repeat(Title::MAX_CHARS);
        day.details.title = Title::parse("title", &long).expect("a title of the longest length");
        let follow_up = day.follow_up(day.settings.start(), ParticipantId(1)).expect("a follow-up");
        let title = follow_up.state.details.title.as_str();
        assert!(title.starts_with("Follow-up: x"));
        assert_eq!(title.chars().count(), Title::MAX_CHARS);
    }
}
