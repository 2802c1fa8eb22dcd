//! Invitations by mail (iMIP, RFC 6047): a mail carrying `text/calendar` with METHOD:REQUEST
//! shows its event with Accept / Tentative / Decline. The answer is an iTIP REPLY (RFC 5546)
//! mailed to the organizer through the outbox, and the event (with the user's answer on their
//! ATTENDEE line, METHOD removed as CalDAV wants) goes to the calendar for events, pushed by
//! the next sync. A declined invitation leaves no event behind.

use super::ics::{self, Component, EventObject, Prop};
use crate::dto;

/// The answers an attendee gives (PARTSTAT values).
pub(crate) fn partstat(answer: &str) -> Option<&'static str> {
    match answer.trim().to_ascii_lowercase().as_str() {
        "accept" | "accepted" | "yes" => Some("ACCEPTED"),
        "tentative" | "maybe" => Some("TENTATIVE"),
        "decline" | "declined" | "no" => Some("DECLINED"),
        _ => None,
    }
}

/// The invitation in a mail's calendar parts (the first one with a VEVENT and a METHOD).
pub(crate) fn find(parts: &[String]) -> Option<(String, EventObject)> {
    parts.iter().find_map(|text| {
        let event = ics::read_event(text)?;
        (!event.method.is_empty()).then(|| (text.clone(), event))
    })
}

fn is_me(value: &str, me: &str) -> bool {
    let v = value.trim();
    let v = v
        .strip_prefix("mailto:")
        .or_else(|| v.strip_prefix("MAILTO:"))
        .unwrap_or(v);
    v.eq_ignore_ascii_case(me.trim())
}

/// What the window shows of an invitation; `answer`: the user's PARTSTAT (lower case) in
/// `stored` (the event as kept here) or else in the invitation itself.
pub(crate) fn summary(
    event: &EventObject,
    me: &str,
    stored: Option<(i64, &EventObject)>,
    answered: Option<&str>,
) -> dto::Invitation {
    let m = &event.master;
    let answer_in = |e: &EventObject| {
        e.master
            .attendees
            .iter()
            .find(|a| a.email.eq_ignore_ascii_case(me))
            .map(|a| a.partstat.clone())
            .filter(|p| p != "needs-action")
    };
    dto::Invitation {
        uid: m.uid.clone(),
        title: m.summary.clone(),
        start: dto::event_time(m.start.ms(), m.start.is_date()),
        end: dto::event_time(m.end.ms().max(m.start.ms()), m.start.is_date()),
        all_day: m.start.is_date(),
        location: m.location.clone(),
        organizer: m
            .organizer
            .as_ref()
            .map(|(_, a)| a.clone())
            .unwrap_or_default(),
        method: event.method.clone(),
        answer: answered
            .map(str::to_ascii_lowercase)
            .or_else(|| stored.and_then(|(_, e)| answer_in(e)))
            .or_else(|| answer_in(event)),
        event: stored.map(|(id, _)| id),
    }
}

/// Sets `me`'s PARTSTAT on every VEVENT of the calendar (RSVP dropped: answered). `false`
/// when `me` is not an attendee.
fn set_partstat(calendar: &mut Component, me: &str, partstat: &str) -> bool {
    let mut found = false;
    for c in calendar.children.iter_mut().filter(|c| c.name == "VEVENT") {
        for p in c.props.iter_mut().filter(|p| p.name == "ATTENDEE") {
            if is_me(&p.value, me) {
                p.params.retain(|(k, _)| k != "PARTSTAT" && k != "RSVP");
                p.params.push(("PARTSTAT".into(), partstat.into()));
                found = true;
            }
        }
    }
    found
}

/// The event as it goes to the calendar: the invitation with the user's answer, no METHOD.
pub(crate) fn stored_text(invitation: &str, me: &str, partstat: &str) -> Option<String> {
    let mut calendar = ics::parse(invitation)?;
    if !set_partstat(&mut calendar, me, partstat) {
        return None;
    }
    calendar.props.retain(|p| p.name != "METHOD");
    Some(calendar.to_text())
}

/// The iTIP REPLY for the organizer: the event's identity and times, and only the user's
/// ATTENDEE line with the answer.
pub(crate) fn reply_text(
    invitation: &str,
    me: &str,
    partstat: &str,
    now_ms: i64,
) -> Option<String> {
    let source = ics::parse(invitation)?;
    let master = ics::master(&source)?;
    let mine = master
        .props("ATTENDEE")
        .find(|p| is_me(&p.value, me))?
        .clone();
    let mut attendee = mine;
    attendee
        .params
        .retain(|(k, _)| k != "PARTSTAT" && k != "RSVP");
    attendee.params.push(("PARTSTAT".into(), partstat.into()));
    let mut event = Component::new("VEVENT");
    for name in [
        "UID",
        "SEQUENCE",
        "RECURRENCE-ID",
        "DTSTART",
        "DTEND",
        "DURATION",
        "SUMMARY",
        "ORGANIZER",
    ] {
        event.props.extend(master.props(name).cloned());
    }
    event.props.push(Prop::new("DTSTAMP", ics::stamp(now_ms)));
    event.props.push(attendee);
    let mut calendar = Component::new("VCALENDAR");
    calendar.props.push(Prop::new("VERSION", "2.0"));
    calendar
        .props
        .push(Prop::new("PRODID", "-//Satu//Satu//EN"));
    calendar.props.push(Prop::new("METHOD", "REPLY"));
    let used: Vec<String> = event
        .props
        .iter()
        .filter_map(|p| p.param("TZID").map(str::to_owned))
        .collect();
    calendar.children.extend(
        source
            .children
            .iter()
            .filter(|c| c.name == "VTIMEZONE" && used.contains(&c.text("TZID")))
            .cloned(),
    );
    calendar.children.push(event);
    Some(calendar.to_text())
}

/// The reply mail's subject and text.
pub(crate) fn reply_words(partstat: &str, title: &str, me: &str) -> (String, String) {
    let (verb, word) = match partstat {
        "ACCEPTED" => ("Accepted", "accepted"),
        "TENTATIVE" => ("Tentative", "tentatively accepted"),
        _ => ("Declined", "declined"),
    };
    (
        format!("{verb}: {title}"),
        format!("{me} has {word} the invitation \"{title}\".\n"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const REQUEST: &str =
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Other//EN\r\nMETHOD:REQUEST\r\n\
BEGIN:VEVENT\r\nUID:plan@example.org\r\nSEQUENCE:2\r\nDTSTAMP:20270101T000000Z\r\n\
DTSTART:20270110T090000Z\r\nDTEND:20270110T100000Z\r\nSUMMARY:Planning\r\n\
ORGANIZER;CN=Bob:mailto:bob@example.org\r\n\
ATTENDEE;CN=Alice;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:Alice@Example.com\r\n\
ATTENDEE;CN=Carol;PARTSTAT=ACCEPTED:mailto:carol@example.org\r\n\
BEGIN:VALARM\r\nTRIGGER:-PT5M\r\nACTION:DISPLAY\r\nEND:VALARM\r\n\
END:VEVENT\r\nEND:VCALENDAR\r\n";

    #[test]
    fn a_reply_names_only_me_with_my_answer() {
        let reply = reply_text(REQUEST, "alice@example.com", "ACCEPTED", 0).expect("reply");
        assert!(reply.contains("METHOD:REPLY"), "{reply}");
        assert!(
            reply.contains("ATTENDEE;CN=Alice;PARTSTAT=ACCEPTED:mailto:Alice@Example.com"),
            "{reply}"
        );
        assert!(!reply.contains("carol"), "{reply}");
        assert!(
            reply.contains("SEQUENCE:2") && reply.contains("UID:plan@example.org"),
            "{reply}"
        );
        assert!(reply_text(REQUEST, "mallory@example.com", "ACCEPTED", 0).is_none());
    }

    #[test]
    fn the_stored_event_has_my_answer_and_no_method() {
        let stored = stored_text(REQUEST, "alice@example.com", "TENTATIVE").expect("stored");
        assert!(!stored.contains("METHOD"), "{stored}");
        assert!(
            stored.contains("PARTSTAT=TENTATIVE:mailto:Alice@Example.com"),
            "{stored}"
        );
        assert!(stored.contains("TRIGGER:-PT5M"), "{stored}");
        let event = ics::read_event(REQUEST).expect("event");
        let s = summary(&event, "alice@example.com", None, None);
        assert_eq!(s.method, "REQUEST");
        assert_eq!(s.answer, None);
        let kept = ics::read_event(&stored).expect("event");
        let s = summary(&event, "alice@example.com", Some((9, &kept)), None);
        assert_eq!((s.answer.as_deref(), s.event), (Some("tentative"), Some(9)));
        let s = summary(&event, "alice@example.com", None, Some("DECLINED"));
        assert_eq!(s.answer.as_deref(), Some("declined"));
        assert_eq!(partstat("Decline"), Some("DECLINED"));
        assert_eq!(partstat("later"), None);
        assert!(find(&[REQUEST.to_owned()]).is_some());
        assert!(find(&[REQUEST.replace("METHOD:REQUEST\r\n", "")]).is_none());
    }
}
