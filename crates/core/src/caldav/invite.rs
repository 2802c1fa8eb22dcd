//! Invitations by mail (iMIP, RFC 6047): a mail carrying `text/calendar` with METHOD:REQUEST
//! shows its event with Accept / Tentative / Decline (`invitation` in `satu show`). The answer is
//! an iTIP REPLY (RFC 5546: the event's identity and times and only the user's ATTENDEE line, with
//! its PARTSTAT) mailed to the organizer through the outbox as the `text/calendar; method=REPLY`
//! alternative of a mail, and the event (with the user's answer on their ATTENDEE line, METHOD
//! removed as CalDAV wants) goes to the calendar for events, pushed by the next sync. A declined
//! invitation leaves no event behind.

use super::ics::{self, Component, EventObject, Prop};
use satu_store::Store;

use crate::context::{Context, PUSH_NOW_TIMEOUT};
use crate::dto;
use crate::error::{ApiError, ApiResult};

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
            .or_else(|| answer_in(event))
            .and_then(|answer| dto::InvitationAnswer::parse(&answer)),
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

/// The invitation mail item `id` carries, with its text and the event as kept here.
pub(crate) fn find_in(
    store: &Store,
    id: i64,
    account: i64,
) -> ApiResult<Option<(String, crate::caldav::ics::EventObject, dto::Invitation)>> {
    let raw = store.raw_message(id)?;
    // Cheap test first: most mail has no calendar part.
    let has = |needle: &[u8]| {
        raw.windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
    };
    if !has(b"text/calendar") && !has(b"application/ics") {
        return Ok(None);
    }
    let Some((text, event)) = crate::caldav::invite::find(&satu_mail::calendar_parts(&raw)) else {
        return Ok(None);
    };
    let me = store.account(account)?.email;
    let stored = store.events_by_uid(&event.master.uid)?.into_iter().next();
    let kept = stored
        .as_ref()
        .and_then(|e| crate::caldav::ics::read_event(&e.ics).map(|p| (e.item_id, p)));
    let answered = store.invitation_answer(&event.master.uid)?;
    let invitation = crate::caldav::invite::summary(
        &event,
        &me,
        kept.as_ref().map(|(id, p)| (*id, p)),
        answered.as_deref(),
    );
    Ok(Some((text, event, invitation)))
}

/// Answers the invitation mail item `id` carries (`accepted`, `tentative`, `declined`):
/// the REPLY goes to the organizer through the outbox, and the event with the answer goes
/// to the calendar for events (a declined one is taken out). Returns the invitation as it
/// stands now.
pub(crate) async fn answer(ctx: &Context, id: i64, answer: &str) -> ApiResult<dto::Invitation> {
    let partstat = crate::caldav::invite::partstat(answer).ok_or_else(|| {
        ApiError::invalid(
            "answer",
            format!("{answer:?} is not an answer: accepted, tentative or declined"),
        )
    })?;
    let item = ctx.store().item_row(id)?;
    let Some((text, event, _)) = find_in(ctx.store(), id, item.account_id)? else {
        return Err(ApiError::invalid(
            "id",
            format!("Mail {id} carries no invitation"),
        ));
    };
    if event.method != "REQUEST" {
        return Err(ApiError::invalid(
            "id",
            format!(
                "This is not an invitation to answer (METHOD {})",
                event.method
            ),
        ));
    }
    let account = ctx.store().account(item.account_id)?;
    let me = account.email.clone();
    let now = crate::caldav::events::now_ms();
    let stored = crate::caldav::invite::stored_text(&text, &me, partstat).ok_or_else(|| {
        ApiError::invalid(
            "id",
            format!("{me} is not among the invitation's attendees"),
        )
    })?;
    let reply = crate::caldav::invite::reply_text(&text, &me, partstat, now)
        .ok_or_else(|| ApiError::internal("The reply cannot be written"))?;
    let organizer = event
        .master
        .organizer
        .as_ref()
        .map(|(_, a)| a.clone())
        .filter(|a| !a.is_empty())
        .ok_or_else(|| ApiError::invalid("id", "The invitation names no organizer to answer"))?;
    let (subject, body) = crate::caldav::invite::reply_words(partstat, &event.master.summary, &me);
    let built = crate::send::compose::build(&crate::send::compose::Outline {
        from_name: account.name.clone(),
        from_address: me.clone(),
        to: vec![organizer],
        subject: subject.clone(),
        text: body,
        reply: ctx.store().mail_references(id).ok().flatten(),
        calendar: Some(("REPLY".into(), reply)),
        ..Default::default()
    })?;
    let existing = ctx
        .store()
        .events_by_uid(&event.master.uid)?
        .into_iter()
        .next();
    let calendar = crate::caldav::events::pick_calendar(ctx.store(), None).ok();
    let parsed = crate::caldav::ics::read_event(&stored)
        .ok_or_else(|| ApiError::internal("The answered event cannot be read back"))?;
    let record = crate::caldav::events::record(&parsed);
    let outbox = ctx.store().write(|tx| {
        match (&existing, partstat) {
            (Some(e), "DECLINED") => tx.delete_event(e.item_id)?,
            (Some(e), _) => tx.edit_event(e.item_id, &stored, &record)?,
            (None, "DECLINED") => {}
            (None, _) => {
                let (owner, calendar_id) = match &calendar {
                    Some(c) => (c.account_id, Some(c.id)),
                    None => (account.id, None),
                };
                tx.add_event(owner, calendar_id, "", "", &stored, &record, false)?;
            }
        }
        tx.set_invitation_answer(&event.master.uid, partstat)?;
        crate::audit::record(
            tx,
            "event.answer",
            Some(account.id),
            Some(id),
            serde_json::json!({
                "uid": event.master.uid,
                "answer": partstat,
                "message_id": built.message_id,
                "recipients": built.rcpt,
            }),
        )?;
        tx.queue_outgoing(&satu_store::NewOutgoing {
            account_id: account.id,
            message_id: built.message_id.clone(),
            mail_from: built.envelope_from.clone(),
            rcpt: built.rcpt.clone(),
            raw: built.raw.clone(),
            subject: subject.clone(),
            recipients: built.recipients.clone(),
            reply_to_item: Some(id),
            not_before_ms: now,
        })
    })?;
    tracing::info!(
        mail_id = id,
        outbox_id = outbox,
        partstat,
        "Invitation answered."
    );
    ctx.outbox_changed();
    ctx.calendar_changed();
    if let Ok(Err(e)) =
        tokio::time::timeout(PUSH_NOW_TIMEOUT, crate::send::flush(ctx, Some(account.id))).await
    {
        tracing::warn!(error = %format!("{e:#}"), "The answer stays queued.");
    }
    if let Some(c) = &calendar {
        let owner = ctx.store().account(c.account_id)?;
        if let Err(e) = crate::caldav::sync_account(ctx, &owner).await {
            tracing::warn!(error = %format!("{e:#}"), "The answered event goes with the next sync.");
        }
    }
    find_in(ctx.store(), id, item.account_id)?
        .map(|(_, _, invitation)| invitation)
        .ok_or_else(|| ApiError::internal("The invitation is gone"))
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
        assert_eq!(
            (s.answer.map(dto::InvitationAnswer::as_str), s.event),
            (Some("tentative"), Some(9))
        );
        let s = summary(&event, "alice@example.com", None, Some("DECLINED"));
        assert_eq!(
            s.answer.map(dto::InvitationAnswer::as_str),
            Some("declined")
        );
        assert_eq!(partstat("Decline"), Some("DECLINED"));
        assert_eq!(partstat("later"), None);
        assert!(find(&[REQUEST.to_owned()]).is_some());
        assert!(find(&[REQUEST.replace("METHOD:REQUEST\r\n", "")]).is_none());
    }
}
