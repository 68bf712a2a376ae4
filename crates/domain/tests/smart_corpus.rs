//! The SMART check against a corpus of goals labelled by hand (`smart_corpus.tsv`): the
//! agreement per letter is printed and must not fall below the floors measured when the
//! rules were written (see docs/smart-check.md).

use chrono::NaiveDate;
use heisessie_domain::Lang;
use heisessie_domain::smart::{Agreement, GoalFields, check_goal};

const CORPUS: &str = include_str!("smart_corpus.tsv");
/// The lowest agreement per letter (S, M, A, R, T) this test accepts, in percent.
const FLOORS: [f64; 5] = [95.0, 95.0, 97.0, 97.0, 95.0];

#[test]
fn the_smart_check_agrees_with_the_hand_labelled_corpus() {
    let today = NaiveDate::from_ymd_opt(2026, 3, 1).expect("a date");
    let mut agree = [0usize; 5];
    let mut total = 0usize;
    let mut per_language = [(0usize, 0usize); 2];
    let mut misses = Vec::new();
    for line in CORPUS.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let mut columns = line.splitn(3, '\t');
        let (Some(lang), Some(labels), Some(goal)) = (columns.next(), columns.next(), columns.next()) else {
            panic!("a corpus line has three columns: {line}");
        };
        let lang = Lang::parse(lang).expect("nl or en");
        let got = check_goal(goal, lang, &GoalFields::default(), &Agreement::default(), today).code();
        total += 1;
        let index = usize::from(lang == Lang::En);
        per_language[index].1 += 1;
        if got == labels {
            per_language[index].0 += 1;
        }
        for (letter, (want, have)) in labels.chars().zip(got.chars()).enumerate() {
            if want == have {
                agree[letter] += 1;
            } else {
                misses.push(format!("{} want {want} got {have}: {goal}", ['S', 'M', 'A', 'R', 'T'][letter]));
            }
        }
    }
    assert!(total >= 60, "the corpus holds at least 60 goals, got {total}");
    println!("SMART check vs {total} labelled goals:");
    for (letter, count) in ['S', 'M', 'A', 'R', 'T'].iter().zip(agree) {
        println!("  {letter}: {count}/{total} = {:.1}%", 100.0 * count as f64 / total as f64);
    }
    for (name, (exact, of)) in ["nl", "en"].iter().zip(per_language) {
        println!("  all five letters right ({name}): {exact}/{of}");
    }
    for miss in &misses {
        println!("  miss: {miss}");
    }
    for ((letter, count), floor) in ['S', 'M', 'A', 'R', 'T'].iter().zip(agree).zip(FLOORS) {
        let percent = 100.0 * count as f64 / total as f64;
        assert!(percent >= floor, "{letter}: {percent:.1}% is below the floor of {floor}%");
    }
}
