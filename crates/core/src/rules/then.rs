//! A rule's actions (`satu rule add --do '…'`, one each), and which rules act on a mail. Pure.
//!
//! - `read`, `flag`, `archive`, `delete`, `move:FOLDER` (the folder's name as the server
//!   spells it; quotes for spaces).
//! - `task` with optional `due:+2d` (days from the mail's arrival) and `title:"…"` (`{subject}`
//!   is the mail's subject): the mail becomes a task, linked both ways.
//! - `stop`: later rules do not look at this mail.

use super::when;

/// One action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Action {
    Read,
    Flag,
    Archive,
    Delete,
    Move(String),
    Task {
        due_days: Option<i64>,
        title: Option<String>,
    },
    Stop,
}

impl Action {
    /// The action as `--do` says it (what `satu rule show` prints).
    pub fn text(&self) -> String {
        match self {
            Action::Read => "read".into(),
            Action::Flag => "flag".into(),
            Action::Archive => "archive".into(),
            Action::Delete => "delete".into(),
            Action::Move(folder) if folder.contains(' ') => format!("move:\"{folder}\""),
            Action::Move(folder) => format!("move:{folder}"),
            Action::Task { due_days, title } => {
                let mut text = "task".to_owned();
                if let Some(days) = due_days {
                    text.push_str(&format!(" due:+{days}d"));
                }
                if let Some(title) = title {
                    text.push_str(&format!(" title:\"{title}\""));
                }
                text
            }
            Action::Stop => "stop".into(),
        }
    }
}

/// Actions Satu knows but does not run yet: said so, never accepted silently.
const LATER: [&str; 8] = [
    "copy", "label", "snooze", "notify", "mute", "reply", "forward", "unread",
];

/// One `--do` text.
pub(crate) fn parse(text: &str) -> Result<Action, String> {
    let text = text.trim();
    let (head, rest) = match text.split_once(char::is_whitespace) {
        Some((h, r)) => (h, r.trim()),
        None => (text, ""),
    };
    let (name, value) = match head.split_once(':') {
        Some((n, v)) => (n.to_ascii_lowercase(), Some(v)),
        None => (head.to_ascii_lowercase(), None),
    };
    let plain = |action: Action| {
        if value.is_some() || !rest.is_empty() {
            Err(format!("{name} takes nothing more: {text:?}"))
        } else {
            Ok(action)
        }
    };
    match name.as_str() {
        "read" => plain(Action::Read),
        "flag" => plain(Action::Flag),
        "archive" => plain(Action::Archive),
        "delete" => plain(Action::Delete),
        "stop" => plain(Action::Stop),
        "move" => {
            let folder = format!("{}{}{}", value.unwrap_or(""), if rest.is_empty() { "" } else { " " }, rest);
            let folder = folder.trim().trim_matches('"').trim();
            if folder.is_empty() {
                Err("move: needs a folder (move:Projects)".into())
            } else {
                Ok(Action::Move(folder.to_owned()))
            }
        }
        "task" => {
            if value.is_some() {
                return Err(format!("write task's options after a space: {text:?} (task due:+2d)"));
            }
            let mut due_days = None;
            let mut title = None;
            let mut words = rest;
            while !words.is_empty() {
                let (word, after) = if let Some(t) = words.strip_prefix("title:\"") {
                    let end = t.find('"').ok_or("the task's title: a quote is not closed")?;
                    title = Some(t[..end].to_owned());
                    ("", t[end + 1..].trim_start())
                } else {
                    match words.split_once(char::is_whitespace) {
                        Some((w, a)) => (w, a.trim_start()),
                        None => (words, ""),
                    }
                };
                if let Some(d) = word.strip_prefix("due:") {
                    let days = d.trim_start_matches('+').trim_end_matches('d');
                    due_days = Some(days.parse::<i64>().map_err(|_| {
                        format!("due:{d} is not a number of days from the mail (due:+2d)")
                    })?);
                } else if let Some(t) = word.strip_prefix("title:") {
                    title = Some(t.to_owned());
                } else if !word.is_empty() {
                    return Err(format!("{word:?} is not an option of task (due:+2d, title:\"…\")"));
                }
                words = after;
            }
            Ok(Action::Task { due_days, title })
        }
        other if LATER.contains(&other) => Err(format!(
            "{other} is not something rules can do yet (read, flag, archive, delete, move:FOLDER, task, stop)"
        )),
        other => Err(format!(
            "{other} is not an action (read, flag, archive, delete, move:FOLDER, task, stop)"
        )),
    }
}

/// A rule as the plan reads it.
#[derive(Debug, Clone)]
pub(crate) struct Rule {
    pub id: i64,
    pub when: Vec<when::Cond>,
    pub then: Vec<Action>,
}

/// What each rule does to a mail with `facts`, in the rules' order, up to a rule that stops.
/// A later `move`/`archive`/`delete` replaces an earlier one (the mail ends in one place), and
/// each other action is done once.
pub(crate) fn plan(rules: &[Rule], facts: &when::Facts) -> Vec<(i64, Vec<Action>)> {
    let mut out: Vec<(i64, Vec<Action>)> = Vec::new();
    let mut placed = false;
    for rule in rules {
        if !when::matches(&rule.when, facts) {
            continue;
        }
        let mut actions = Vec::new();
        let mut stop = false;
        for action in &rule.then {
            match action {
                Action::Stop => stop = true,
                Action::Move(_) | Action::Archive | Action::Delete => {
                    if placed {
                        for (_, earlier) in &mut out {
                            earlier.retain(|a| {
                                !matches!(a, Action::Move(_) | Action::Archive | Action::Delete)
                            });
                        }
                        actions.retain(|a| {
                            !matches!(a, Action::Move(_) | Action::Archive | Action::Delete)
                        });
                    }
                    placed = true;
                    actions.push(action.clone());
                }
                other => {
                    let done =
                        out.iter().any(|(_, a)| a.contains(other)) || actions.contains(other);
                    if !done {
                        actions.push(other.clone());
                    }
                }
            }
        }
        out.push((rule.id, actions));
        if stop {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_action_reads_and_says_itself_back() {
        for text in [
            "read",
            "flag",
            "archive",
            "delete",
            "stop",
            "move:Projects",
            "move:\"Client work\"",
            "task",
            "task due:+2d",
            "task due:+3d title:\"Pay {subject}\"",
        ] {
            let action = parse(text).expect(text);
            assert_eq!(parse(&action.text()).expect("again"), action, "{text}");
        }
        assert_eq!(
            parse("move: Client work").expect("move"),
            Action::Move("Client work".into())
        );
        assert_eq!(
            parse("task due:2").expect("task"),
            Action::Task {
                due_days: Some(2),
                title: None
            }
        );
    }

    #[test]
    fn what_is_not_an_action_or_not_yet_one_is_said() {
        assert!(parse("explode")
            .expect_err("an error")
            .contains("not an action"));
        assert!(parse("forward:boss@example.com")
            .expect_err("an error")
            .contains("not something rules can do yet"));
        assert!(parse("flag now")
            .expect_err("an error")
            .contains("takes nothing more"));
        assert!(parse("move:")
            .expect_err("an error")
            .contains("needs a folder"));
        assert!(parse("task due:soon")
            .expect_err("an error")
            .contains("number of days"));
        assert!(parse("task:x")
            .expect_err("an error")
            .contains("after a space"));
    }

    fn rule(id: i64, when: &str, then: &[&str]) -> Rule {
        Rule {
            id,
            when: when::parse(when).expect("when"),
            then: then.iter().map(|t| parse(t).expect("then")).collect(),
        }
    }

    fn facts() -> when::Facts {
        when::Facts {
            from: "ceo@example.com".into(),
            subject: "Board pack".into(),
            attachments: vec![("pack.pdf".into(), "application/pdf".into())],
            ..when::Facts::default()
        }
    }

    #[test]
    fn rules_act_in_order_and_stop_stops() {
        let rules = [
            rule(1, "from:example.com", &["flag", "task due:+2d"]),
            rule(2, "has:attachment", &["flag", "move:Board", "stop"]),
            rule(3, "board", &["delete"]),
        ];
        assert_eq!(
            plan(&rules, &facts()),
            [
                (
                    1,
                    vec![
                        Action::Flag,
                        Action::Task {
                            due_days: Some(2),
                            title: None
                        }
                    ]
                ),
                (2, vec![Action::Move("Board".into())]),
            ]
        );
    }

    #[test]
    fn the_last_place_wins_and_rules_that_do_not_match_do_nothing() {
        let rules = [
            rule(1, "from:example.com", &["archive"]),
            rule(2, "from:other.test", &["delete"]),
            rule(3, "board", &["move:Board"]),
        ];
        assert_eq!(
            plan(&rules, &facts()),
            [(1, vec![]), (3, vec![Action::Move("Board".into())])]
        );
        assert!(plan(&rules, &when::Facts::default()).is_empty());
    }
}
