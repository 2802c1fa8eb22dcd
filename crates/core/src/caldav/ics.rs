//! iCalendar (RFC 5545) text as a tree of components and properties, kept as written: what
//! Satu reads from an event (times in their zones, all-day dates, recurrence with exceptions,
//! attendees, alarms) and the edits it makes, which change the properties it edits and leave
//! every other one (X- properties, VTIMEZONEs, alarms, attendees' answers) byte for byte.
//!
//! Parsing never fails on odd input: lines that are not content lines are dropped, unknown
//! components and properties are kept. Only text without any VEVENT/VTODO is refused.
//!
//! Text is read with the `icalendar` crate's parser (a lenient line reader only for text that
//! parser refuses, so bad input still shows what it can) and written back with Satu's own
//! serializer, because edits must leave what Satu does not edit as it was, in its order, which
//! the `icalendar` crate's typed model does not keep.
//!
//! - Times are [`When`]: a date, UTC, zoned by TZID (an IANA name, a path ending in one, or a
//!   common Windows name) or floating; DTEND or DURATION.
//! - Series (RRULE, EXDATE, RDATE, RECURRENCE-ID exceptions) are expanded with the `rrule` crate
//!   in the series' own zone (so 09:00 stays 09:00 across DST), exceptions applied, at most
//!   3000 instances, up to the horizon `events.rs` gives (two years; views further out expand
//!   on the fly).
//! - [`merge`] is the event merge: three-way per property of [`MERGED`] (SUMMARY, DTSTART,
//!   DTEND, DURATION, LOCATION, DESCRIPTION, RRULE, EXDATE, STATUS, ATTENDEE) on the server's
//!   text, so everything else is theirs; a property changed differently on both sides is a
//!   conflict.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, TimeZone as _, Utc};

/// A property: its name (upper case), parameters as written, and its value as written
/// (escaped, see [`unescape`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Prop {
    pub name: String,
    pub params: Vec<(String, String)>,
    pub value: String,
}

impl Prop {
    pub fn new(name: &str, value: impl Into<String>) -> Prop {
        Prop {
            name: name.to_owned(),
            params: Vec::new(),
            value: value.into(),
        }
    }

    /// A TEXT property from plain text (escaped here).
    pub fn text(name: &str, text: &str) -> Prop {
        Prop::new(name, escape(text))
    }

    pub fn with(mut self, key: &str, value: &str) -> Prop {
        self.params.push((key.to_owned(), value.to_owned()));
        self
    }

    /// A parameter's value, unquoted.
    pub fn param(&self, key: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.trim_matches('"'))
    }

    fn write(&self, out: &mut String) {
        let mut line = self.name.clone();
        for (k, v) in &self.params {
            line.push(';');
            line.push_str(k);
            line.push('=');
            // A value with a separator in it is quoted (RFC 5545 §3.2).
            if !v.starts_with('"') && v.contains([':', ';', ',']) {
                line.push('"');
                line.push_str(v);
                line.push('"');
            } else {
                line.push_str(v);
            }
        }
        line.push(':');
        line.push_str(&self.value);
        fold(&line, out);
    }
}

/// A component (VCALENDAR, VEVENT, VALARM, VTIMEZONE, …).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Component {
    pub name: String,
    pub props: Vec<Prop>,
    pub children: Vec<Component>,
}

impl Component {
    pub fn new(name: &str) -> Component {
        Component {
            name: name.to_owned(),
            ..Component::default()
        }
    }

    pub fn prop(&self, name: &str) -> Option<&Prop> {
        self.props.iter().find(|p| p.name == name)
    }

    pub fn props<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Prop> + 'a {
        self.props.iter().filter(move |p| p.name == name)
    }

    /// A TEXT property's value, unescaped ('' when absent).
    pub fn text(&self, name: &str) -> String {
        self.prop(name)
            .map(|p| unescape(&p.value))
            .unwrap_or_default()
    }

    /// Replaces every `name` property with `props` (none: removes them), where the first was.
    pub fn set(&mut self, name: &str, props: Vec<Prop>) {
        let at = self.props.iter().position(|p| p.name == name);
        self.props.retain(|p| p.name != name);
        let at = at.unwrap_or(self.props.len()).min(self.props.len());
        for (i, p) in props.into_iter().enumerate() {
            self.props.insert(at + i, p);
        }
    }

    pub fn to_text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        out.push_str("BEGIN:");
        out.push_str(&self.name);
        out.push_str("\r\n");
        for p in &self.props {
            p.write(out);
        }
        for c in &self.children {
            c.write(out);
        }
        out.push_str("END:");
        out.push_str(&self.name);
        out.push_str("\r\n");
    }
}

/// Folds a content line at 75 octets (RFC 5545 §3.1), on character boundaries.
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

/// Escapes TEXT (RFC 5545 §3.3.11).
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Unescapes TEXT.
pub(crate) fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(c) => out.push(c),
            None => {}
        }
    }
    out
}

/// One unfolded content line → a property (`None` when it is not one).
fn parse_line(line: &str) -> Option<Prop> {
    // The name and parameters end at the first ':' outside double quotes.
    let mut in_quotes = false;
    let mut colon = None;
    for (i, c) in line.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            ':' if !in_quotes => {
                colon = Some(i);
                break;
            }
            _ => {}
        }
    }
    let colon = colon?;
    let (head, value) = (&line[..colon], &line[colon + 1..]);
    let mut parts = Vec::new();
    let mut start = 0;
    in_quotes = false;
    for (i, c) in head.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            ';' if !in_quotes => {
                parts.push(&head[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&head[start..]);
    let name = parts.first()?.trim().to_ascii_uppercase();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return None;
    }
    let params = parts[1..]
        .iter()
        .filter_map(|p| {
            let (k, v) = p.split_once('=')?;
            Some((k.trim().to_ascii_uppercase(), v.to_owned()))
        })
        .collect();
    Some(Prop {
        name,
        params,
        value: value.to_owned(),
    })
}

fn from_library(c: &icalendar::parser::Component<'_>) -> Component {
    Component {
        name: c.name.as_str().to_ascii_uppercase(),
        props: c
            .properties
            .iter()
            .map(|p| Prop {
                name: p.name.as_str().to_ascii_uppercase(),
                params: p
                    .params
                    .iter()
                    .map(|k| {
                        (
                            k.key.as_str().to_ascii_uppercase(),
                            k.val
                                .as_ref()
                                .map(|v| v.as_str().to_owned())
                                .unwrap_or_default(),
                        )
                    })
                    .collect(),
                value: p.val.as_str().to_owned(),
            })
            .collect(),
        children: c.components.iter().map(from_library).collect(),
    }
}

/// Parses iCalendar text into its top component (VCALENDAR) with the `icalendar` crate's
/// parser; text it refuses (a stray line, an unclosed component) is read line by line instead,
/// keeping what can be read. Text with components but no VCALENDAR around them is wrapped in
/// one; text without any VEVENT/VTODO is `None`.
pub(crate) fn parse(text: &str) -> Option<Component> {
    let unfolded = icalendar::parser::unfold(text);
    let calendar = match icalendar::parser::read_calendar(&unfolded) {
        Ok(parsed) => {
            let mut calendar = Component::new("VCALENDAR");
            calendar.props = from_library(&icalendar::parser::Component {
                name: "VCALENDAR".into(),
                properties: parsed.properties,
                components: Vec::new(),
            })
            .props;
            calendar.children = parsed.components.iter().map(from_library).collect();
            // A text of several VCALENDARs: their components together.
            if calendar.children.iter().any(|c| c.name == "VCALENDAR") {
                let nested: Vec<Component> = std::mem::take(&mut calendar.children);
                for c in nested {
                    if c.name == "VCALENDAR" {
                        if calendar.props.is_empty() {
                            calendar.props = c.props;
                        }
                        calendar.children.extend(c.children);
                    } else {
                        calendar.children.push(c);
                    }
                }
            }
            Some(calendar)
        }
        Err(e) => {
            tracing::debug!(error = %e.lines().next().unwrap_or_default(), "iCalendar text read leniently.");
            parse_lenient(text)
        }
    }?;
    calendar
        .children
        .iter()
        .any(|c| c.name == "VEVENT" || c.name == "VTODO")
        .then_some(calendar)
}

/// The line-by-line reader for text the strict parser refuses.
fn parse_lenient(text: &str) -> Option<Component> {
    let mut lines: Vec<String> = Vec::new();
    for raw in text.split('\n') {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(rest) = raw.strip_prefix([' ', '\t']) {
            if let Some(last) = lines.last_mut() {
                last.push_str(rest);
                continue;
            }
        }
        if !raw.trim().is_empty() {
            lines.push(raw.to_owned());
        }
    }
    let mut stack: Vec<Component> = vec![Component::new("ROOT")];
    for line in &lines {
        let Some(prop) = parse_line(line) else {
            continue;
        };
        match prop.name.as_str() {
            "BEGIN" => stack.push(Component::new(&prop.value.trim().to_ascii_uppercase())),
            "END" => {
                if stack.len() > 1 {
                    let done = stack.pop()?;
                    stack.last_mut()?.children.push(done);
                }
            }
            _ => stack.last_mut()?.props.push(prop),
        }
    }
    // Unclosed components: closed at the end.
    while stack.len() > 1 {
        let done = stack.pop()?;
        stack.last_mut()?.children.push(done);
    }
    let mut root = stack.pop()?;
    Some(
        match root.children.iter().position(|c| c.name == "VCALENDAR") {
            Some(i) => root.children.swap_remove(i),
            None => {
                let mut c = Component::new("VCALENDAR");
                c.children = root.children;
                c
            }
        },
    )
}

/// A DATE or DATE-TIME value with its zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum When {
    /// An all-day date.
    Date(NaiveDate),
    /// A UTC time (`…Z`).
    Utc(DateTime<Utc>),
    /// A local time in a known zone.
    Zoned(NaiveDateTime, chrono_tz::Tz),
    /// A floating time (the user's local time, wherever they are).
    Floating(NaiveDateTime),
}

/// The IANA zone named by a TZID: an IANA name, a path ending in one
/// (`/mozilla.org/20050126_1/Europe/Berlin`), or a common Windows name.
pub(crate) fn zone(tzid: &str) -> Option<chrono_tz::Tz> {
    let tzid = tzid.trim().trim_matches('"');
    if let Ok(tz) = tzid.parse() {
        return Some(tz);
    }
    let parts: Vec<&str> = tzid.split('/').filter(|p| !p.is_empty()).collect();
    for n in [3, 2] {
        if parts.len() >= n {
            if let Ok(tz) = parts[parts.len() - n..].join("/").parse() {
                return Some(tz);
            }
        }
    }
    let windows = [
        ("W. Europe Standard Time", "Europe/Berlin"),
        ("Romance Standard Time", "Europe/Paris"),
        ("Central Europe Standard Time", "Europe/Budapest"),
        ("Central European Standard Time", "Europe/Warsaw"),
        ("GMT Standard Time", "Europe/London"),
        ("E. Europe Standard Time", "Europe/Chisinau"),
        ("FLE Standard Time", "Europe/Kiev"),
        ("Russian Standard Time", "Europe/Moscow"),
        ("Eastern Standard Time", "America/New_York"),
        ("Central Standard Time", "America/Chicago"),
        ("Mountain Standard Time", "America/Denver"),
        ("Pacific Standard Time", "America/Los_Angeles"),
        ("China Standard Time", "Asia/Shanghai"),
        ("Singapore Standard Time", "Asia/Singapore"),
        ("Malay Peninsula Standard Time", "Asia/Kuala_Lumpur"),
        ("Tokyo Standard Time", "Asia/Tokyo"),
        ("Korea Standard Time", "Asia/Seoul"),
        ("India Standard Time", "Asia/Kolkata"),
        ("SE Asia Standard Time", "Asia/Bangkok"),
        ("AUS Eastern Standard Time", "Australia/Sydney"),
        ("New Zealand Standard Time", "Pacific/Auckland"),
        ("UTC", "UTC"),
        ("Coordinated Universal Time", "UTC"),
    ];
    windows
        .iter()
        .find(|(w, _)| w.eq_ignore_ascii_case(tzid))
        .and_then(|(_, iana)| iana.parse().ok())
}

fn local_ms(naive: NaiveDateTime) -> i64 {
    chrono::Local
        .from_local_datetime(&naive)
        .earliest()
        // A local time skipped by a DST change: an hour later exists.
        .or_else(|| {
            chrono::Local
                .from_local_datetime(&(naive + Duration::hours(1)))
                .earliest()
        })
        .map_or_else(
            || naive.and_utc().timestamp_millis(),
            |t| t.timestamp_millis(),
        )
}

fn zoned_ms(naive: NaiveDateTime, tz: chrono_tz::Tz) -> i64 {
    tz.from_local_datetime(&naive)
        .earliest()
        .or_else(|| {
            tz.from_local_datetime(&(naive + Duration::hours(1)))
                .earliest()
        })
        .map_or_else(
            || naive.and_utc().timestamp_millis(),
            |t| t.timestamp_millis(),
        )
}

impl When {
    /// Parses a value with the property's `TZID` / `VALUE=DATE`.
    pub fn of(prop: &Prop) -> Option<When> {
        When::parse(prop.value.trim(), prop.param("TZID"), prop.param("VALUE"))
    }

    pub fn parse(value: &str, tzid: Option<&str>, kind: Option<&str>) -> Option<When> {
        let value = value.trim();
        if kind.is_some_and(|k| k.eq_ignore_ascii_case("DATE")) || value.len() == 8 {
            return NaiveDate::parse_from_str(value, "%Y%m%d")
                .ok()
                .map(When::Date);
        }
        if let Some(utc) = value.strip_suffix('Z') {
            let naive = NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S").ok()?;
            return Some(When::Utc(naive.and_utc()));
        }
        let naive = NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%S").ok()?;
        Some(match tzid.and_then(zone) {
            Some(tz) => When::Zoned(naive, tz),
            None => {
                if let Some(tzid) = tzid {
                    tracing::debug!(tzid, "Unknown time zone: read as local time.");
                }
                When::Floating(naive)
            }
        })
    }

    /// Unix milliseconds (dates and floating times in this machine's zone).
    pub fn ms(&self) -> i64 {
        match *self {
            When::Date(d) => local_ms(d.and_hms_opt(0, 0, 0).unwrap_or_default()),
            When::Utc(t) => t.timestamp_millis(),
            When::Zoned(naive, tz) => zoned_ms(naive, tz),
            When::Floating(naive) => local_ms(naive),
        }
    }

    pub fn is_date(&self) -> bool {
        matches!(self, When::Date(_))
    }

    /// The IANA zone name ('' when none).
    pub fn zone_name(&self) -> String {
        match self {
            When::Zoned(_, tz) => tz.name().to_owned(),
            _ => String::new(),
        }
    }

    /// As a property `name` (with TZID / VALUE=DATE).
    pub fn prop(&self, name: &str) -> Prop {
        match self {
            When::Date(d) => Prop::new(name, d.format("%Y%m%d").to_string()).with("VALUE", "DATE"),
            When::Utc(t) => Prop::new(name, t.format("%Y%m%dT%H%M%SZ").to_string()),
            When::Zoned(naive, tz) => {
                Prop::new(name, naive.format("%Y%m%dT%H%M%S").to_string()).with("TZID", tz.name())
            }
            When::Floating(naive) => Prop::new(name, naive.format("%Y%m%dT%H%M%S").to_string()),
        }
    }

    /// The same kind of value moved by `delta` (dates by whole days).
    fn plus(&self, delta: Duration) -> When {
        match *self {
            When::Date(d) => When::Date(d + Duration::days(delta.num_days())),
            When::Utc(t) => When::Utc(t + delta),
            When::Zoned(naive, tz) => {
                // An exact duration: add it to the instant, then read the local time again.
                let start = zoned_ms(naive, tz);
                let end = DateTime::from_timestamp_millis(start + delta.num_milliseconds())
                    .unwrap_or_default()
                    .with_timezone(&tz)
                    .naive_local();
                When::Zoned(end, tz)
            }
            When::Floating(naive) => When::Floating(naive + delta),
        }
    }

    /// For the recurrence library: the same instant in the same zone.
    fn rrule_start(&self) -> DateTime<rrule::Tz> {
        let local = |naive: NaiveDateTime| {
            rrule::Tz::LOCAL
                .from_local_datetime(&naive)
                .earliest()
                .unwrap_or_else(|| rrule::Tz::UTC.from_utc_datetime(&naive))
        };
        match *self {
            When::Date(d) => local(d.and_hms_opt(0, 0, 0).unwrap_or_default()),
            When::Utc(t) => t.with_timezone(&rrule::Tz::UTC),
            When::Zoned(naive, tz) => rrule::Tz::Tz(tz)
                .from_local_datetime(&naive)
                .earliest()
                .unwrap_or_else(|| rrule::Tz::Tz(tz).from_utc_datetime(&naive)),
            When::Floating(naive) => local(naive),
        }
    }
}

/// A DURATION value (`P1D`, `PT1H30M`, `-PT15M`, `P1W`).
pub(crate) fn duration(value: &str) -> Option<Duration> {
    let value = value.trim();
    let (negative, rest) = match value.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, value.strip_prefix('+').unwrap_or(value)),
    };
    let rest = rest.strip_prefix('P')?;
    let mut total = Duration::zero();
    let mut number = String::new();
    let mut in_time = false;
    for c in rest.chars() {
        match c {
            'T' => in_time = true,
            '0'..='9' => number.push(c),
            unit => {
                let n: i64 = number.parse().ok()?;
                number.clear();
                total += match (unit, in_time) {
                    ('W', _) => Duration::weeks(n),
                    ('D', _) => Duration::days(n),
                    ('H', true) => Duration::hours(n),
                    ('M', true) => Duration::minutes(n),
                    ('S', true) => Duration::seconds(n),
                    _ => return None,
                };
            }
        }
    }
    Some(if negative { -total } else { total })
}

/// An attendee of an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Attendee {
    pub email: String,
    pub name: String,
    /// Lower case: needs-action, accepted, tentative, declined, delegated.
    pub partstat: String,
}

fn address(value: &str) -> String {
    let v = value.trim();
    v.strip_prefix("mailto:")
        .or_else(|| v.strip_prefix("MAILTO:"))
        .unwrap_or(v)
        .to_owned()
}

/// One VEVENT read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VEvent {
    pub uid: String,
    pub summary: String,
    pub description: String,
    pub location: String,
    pub status: String,
    pub start: When,
    pub end: When,
    pub rrule: String,
    pub exdates: Vec<i64>,
    pub rdates: Vec<When>,
    /// This instance's RECURRENCE-ID (exceptions only), Unix ms.
    pub recurrence_ms: Option<i64>,
    pub organizer: Option<(String, String)>,
    pub attendees: Vec<Attendee>,
    /// Minutes before the start of each alarm relative to it.
    pub alarms: Vec<i64>,
    pub sequence: i64,
}

impl VEvent {
    fn read(c: &Component) -> Option<VEvent> {
        let start = When::of(c.prop("DTSTART")?)?;
        let end = c
            .prop("DTEND")
            .and_then(When::of)
            .or_else(|| {
                c.prop("DURATION")
                    .and_then(|d| duration(&d.value))
                    .map(|d| start.plus(d))
            })
            .unwrap_or_else(|| {
                if start.is_date() {
                    start.plus(Duration::days(1))
                } else {
                    start
                }
            });
        let times = |name: &str| -> Vec<When> {
            c.props(name)
                .flat_map(|p| {
                    p.value
                        .split(',')
                        .filter_map(|v| When::parse(v, p.param("TZID"), p.param("VALUE")))
                        .collect::<Vec<_>>()
                })
                .collect()
        };
        Some(VEvent {
            uid: c.text("UID"),
            summary: c.text("SUMMARY"),
            description: c.text("DESCRIPTION"),
            location: c.text("LOCATION"),
            status: match c.text("STATUS").to_ascii_lowercase() {
                s if s.is_empty() => "confirmed".to_owned(),
                s => s,
            },
            start,
            end,
            rrule: c
                .prop("RRULE")
                .map(|p| p.value.trim().to_owned())
                .unwrap_or_default(),
            exdates: times("EXDATE").iter().map(When::ms).collect(),
            rdates: times("RDATE"),
            recurrence_ms: c.prop("RECURRENCE-ID").and_then(When::of).map(|w| w.ms()),
            organizer: c.prop("ORGANIZER").map(|p| {
                (
                    p.param("CN").unwrap_or_default().to_owned(),
                    address(&p.value),
                )
            }),
            attendees: c
                .props("ATTENDEE")
                .map(|p| Attendee {
                    email: address(&p.value),
                    name: p.param("CN").unwrap_or_default().to_owned(),
                    partstat: p
                        .param("PARTSTAT")
                        .unwrap_or("NEEDS-ACTION")
                        .to_ascii_lowercase(),
                })
                .collect(),
            alarms: c
                .children
                .iter()
                .filter(|a| a.name == "VALARM")
                .filter_map(|a| {
                    let trigger = a.prop("TRIGGER")?;
                    duration(&trigger.value).map(|d| -d.num_minutes())
                })
                .collect(),
            sequence: c.text("SEQUENCE").trim().parse().unwrap_or(0),
        })
    }
}

/// A calendar object resource holding events: the series (or single event) and its
/// exceptions.
#[derive(Debug, Clone)]
pub(crate) struct EventObject {
    pub calendar: Component,
    pub master: VEvent,
    pub exceptions: Vec<VEvent>,
    /// METHOD of the object (iMIP: REQUEST, REPLY, CANCEL), '' when none.
    pub method: String,
}

/// The events in iCalendar text (`None` when it holds no readable VEVENT).
pub(crate) fn read_event(text: &str) -> Option<EventObject> {
    let calendar = parse(text)?;
    let mut events: Vec<VEvent> = calendar
        .children
        .iter()
        .filter(|c| c.name == "VEVENT")
        .filter_map(VEvent::read)
        .collect();
    let master = match events.iter().position(|e| e.recurrence_ms.is_none()) {
        Some(i) => events.remove(i),
        // Only instances (an invitation to one occurrence): the first stands for the rest.
        None if !events.is_empty() => events.remove(0),
        None => return None,
    };
    let method = calendar.text("METHOD").to_ascii_uppercase();
    Some(EventObject {
        calendar,
        master,
        exceptions: events,
        method,
    })
}

/// An instance of an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Instance {
    pub start_ms: i64,
    pub end_ms: i64,
    pub recurrence_ms: Option<i64>,
    pub title: String,
    pub location: String,
    pub status: String,
    pub all_day: bool,
}

/// At most this many instances of one series are stored.
const MAX_INSTANCES: u16 = 3000;

impl EventObject {
    pub fn repeats(&self) -> bool {
        !self.master.rrule.is_empty() || !self.master.rdates.is_empty()
    }

    fn instance_of(e: &VEvent, recurrence_ms: Option<i64>) -> Instance {
        Instance {
            start_ms: e.start.ms(),
            end_ms: e.end.ms().max(e.start.ms()),
            recurrence_ms,
            title: e.summary.clone(),
            location: e.location.clone(),
            status: e.status.clone(),
            all_day: e.start.is_date(),
        }
    }

    /// The instances starting before `until_ms` (at most [`MAX_INSTANCES`] of a series, from
    /// its start), exceptions applied. The second value: instances may continue after the last
    /// one returned (the series goes on).
    pub fn instances(&self, until_ms: i64) -> (Vec<Instance>, bool) {
        let m = &self.master;
        if !self.repeats() {
            return (vec![Self::instance_of(m, None)], false);
        }
        let by_recurrence: BTreeMap<i64, &VEvent> = self
            .exceptions
            .iter()
            .filter_map(|e| e.recurrence_ms.map(|r| (r, e)))
            .collect();
        let dt_start = m.start.rrule_start();
        let mut starts: Vec<DateTime<rrule::Tz>> = Vec::new();
        let mut more = false;
        if !m.rrule.is_empty() {
            match m
                .rrule
                .parse::<rrule::RRule<rrule::Unvalidated>>()
                .and_then(|r| r.validate(dt_start))
            {
                Ok(rule) => {
                    let open = rule.get_count().is_none() && rule.get_until().is_none();
                    let before = rrule::Tz::UTC
                        .timestamp_millis_opt(until_ms)
                        .single()
                        .unwrap_or(dt_start)
                        .with_timezone(&dt_start.timezone());
                    let result = rrule::RRuleSet::new(dt_start)
                        .rrule(rule)
                        .before(before)
                        .all(MAX_INSTANCES);
                    more = open || result.limited;
                    starts = result.dates;
                }
                Err(e) => {
                    tracing::warn!(uid = %m.uid, rrule = %m.rrule, error = %e, "Unreadable RRULE: shown once.");
                    starts.push(dt_start);
                }
            }
        } else {
            starts.push(dt_start);
        }
        let length = m.end.ms() - m.start.ms();
        let days = match (m.start, m.end) {
            (When::Date(a), When::Date(b)) => Some((b - a).num_days().max(1)),
            _ => None,
        };
        let mut all: Vec<i64> = starts.iter().map(|s| s.timestamp_millis()).collect();
        all.extend(m.rdates.iter().map(When::ms));
        all.sort_unstable();
        all.dedup();
        let mut out = Vec::with_capacity(all.len());
        for start in all {
            if m.exdates.contains(&start) {
                continue;
            }
            if let Some(e) = by_recurrence.get(&start) {
                if e.status != "cancelled" {
                    out.push(Self::instance_of(e, Some(start)));
                }
                continue;
            }
            let end = match days {
                Some(days) => {
                    let date = DateTime::from_timestamp_millis(start)
                        .unwrap_or_default()
                        .with_timezone(&chrono::Local)
                        .date_naive();
                    When::Date(date + Duration::days(days)).ms()
                }
                None => start + length,
            };
            out.push(Instance {
                start_ms: start,
                end_ms: end.max(start),
                recurrence_ms: Some(start),
                title: m.summary.clone(),
                location: m.location.clone(),
                status: m.status.clone(),
                all_day: m.start.is_date(),
            });
        }
        // Exceptions moved in from an instance the rule no longer makes (or made by RDATE
        // beyond the horizon): they stand on their own.
        for e in &self.exceptions {
            let Some(r) = e.recurrence_ms else { continue };
            let applied = out.iter().any(|i| i.recurrence_ms == Some(r));
            if !applied
                && e.status != "cancelled"
                && e.start.ms() < until_ms
                && !m.exdates.contains(&r)
            {
                out.push(Self::instance_of(e, Some(r)));
            }
        }
        out.sort_by_key(|i| i.start_ms);
        (out, more)
    }
}

/// The master VEVENT of a parsed calendar.
pub(crate) fn master(calendar: &Component) -> Option<&Component> {
    calendar
        .children
        .iter()
        .find(|c| c.name == "VEVENT" && c.prop("RECURRENCE-ID").is_none())
        .or_else(|| calendar.children.iter().find(|c| c.name == "VEVENT"))
}

pub(crate) fn master_of(calendar: &mut Component) -> Option<&mut Component> {
    let i = calendar
        .children
        .iter()
        .position(|c| c.name == "VEVENT" && c.prop("RECURRENCE-ID").is_none())
        .or_else(|| calendar.children.iter().position(|c| c.name == "VEVENT"))?;
    calendar.children.get_mut(i)
}

/// A UTC stamp for DTSTAMP / LAST-MODIFIED.
pub(crate) fn stamp(now_ms: i64) -> String {
    DateTime::from_timestamp_millis(now_ms)
        .unwrap_or_default()
        .format("%Y%m%dT%H%M%SZ")
        .to_string()
}

/// The properties of an event's master a merge compares, each as its text (all of a name
/// together). Everything else (attendees' answers, alarms, exceptions) is the server's.
pub(crate) const MERGED: [&str; 10] = [
    "SUMMARY",
    "DTSTART",
    "DTEND",
    "DURATION",
    "LOCATION",
    "DESCRIPTION",
    "RRULE",
    "EXDATE",
    "STATUS",
    "ATTENDEE",
];

/// The merged properties of the master of `text`, by name.
pub(crate) fn merged_fields(text: &str) -> Option<BTreeMap<&'static str, Vec<Prop>>> {
    let calendar = parse(text)?;
    let m = master(&calendar)?;
    Some(
        MERGED
            .iter()
            .map(|name| (*name, m.props(name).cloned().collect()))
            .collect(),
    )
}

/// The outcome of merging an event changed here and on the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum EventMerge {
    /// The server's text with these local changes applied; `local_left`: some of them are
    /// changes the server lacks.
    Clean { text: String, local_left: bool },
    /// Both changed these properties differently.
    Conflict(Vec<&'static str>),
}

/// Three-way merge of an event's text: for each merged property, changed on one side only
/// takes that side's; changed on both alike is no conflict; differently is one. The result
/// is the server's text (its exceptions, alarms, …) with the local side's changes.
pub(crate) fn merge(base: &str, local: &str, remote: &str, now_ms: i64) -> EventMerge {
    let (Some(l), Some(r)) = (merged_fields(local), merged_fields(remote)) else {
        return EventMerge::Conflict(vec!["SUMMARY"]);
    };
    let b = merged_fields(base);
    let mut conflicts = Vec::new();
    let mut take_local: Vec<&'static str> = Vec::new();
    for name in MERGED {
        let (lv, rv) = (&l[name], &r[name]);
        if lv == rv {
            continue;
        }
        match b.as_ref().map(|b| &b[name]) {
            Some(bv) if bv == lv => {}
            Some(bv) if bv == rv => take_local.push(name),
            _ => conflicts.push(name),
        }
    }
    if !conflicts.is_empty() {
        return EventMerge::Conflict(conflicts);
    }
    if take_local.is_empty() {
        return EventMerge::Clean {
            text: remote.to_owned(),
            local_left: false,
        };
    }
    let Some(mut calendar) = parse(remote) else {
        return EventMerge::Conflict(vec!["SUMMARY"]);
    };
    if let Some(m) = master_of(&mut calendar) {
        for name in &take_local {
            m.set(name, l[name].clone());
        }
        bump(m, now_ms);
    }
    EventMerge::Clean {
        text: calendar.to_text(),
        local_left: true,
    }
}

/// Marks a VEVENT as changed now (SEQUENCE + 1, DTSTAMP, LAST-MODIFIED).
pub(crate) fn bump(event: &mut Component, now_ms: i64) {
    let sequence: i64 = event.text("SEQUENCE").trim().parse().unwrap_or(0);
    event.set(
        "SEQUENCE",
        vec![Prop::new("SEQUENCE", (sequence + 1).to_string())],
    );
    event.set("DTSTAMP", vec![Prop::new("DTSTAMP", stamp(now_ms))]);
    event.set(
        "LAST-MODIFIED",
        vec![Prop::new("LAST-MODIFIED", stamp(now_ms))],
    );
}

/// When an iCalendar object was last changed (Unix ms): its first `LAST-MODIFIED`, else its
/// first `DTSTAMP` (for an object not used in scheduling, the time it was last changed), when
/// given in UTC as RFC 5545 asks.
pub(crate) fn changed_ms(text: &str) -> Option<i64> {
    let value = |name: &str| {
        text.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            let key = key.split(';').next()?.trim();
            key.eq_ignore_ascii_case(name).then(|| value.trim())
        })
    };
    let stamp = value("LAST-MODIFIED").or_else(|| value("DTSTAMP"))?;
    chrono::NaiveDateTime::parse_from_str(stamp, "%Y%m%dT%H%M%SZ")
        .ok()
        .map(|t| t.and_utc().timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SERIES: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n\
BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nEND:VTIMEZONE\r\n\
BEGIN:VEVENT\r\nUID:standup@example.com\r\nDTSTAMP:20270101T000000Z\r\n\
DTSTART;TZID=Europe/Berlin:20270315T090000\r\nDTEND;TZID=Europe/Berlin:20270315T091500\r\n\
SUMMARY:Stand-up\\, daily\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\n\
EXDATE;TZID=Europe/Berlin:20270322T090000\r\n\
ATTENDEE;CN=\"Bob, B.\";PARTSTAT=ACCEPTED:mailto:bob@example.com\r\n\
X-CUSTOM;X-P=1:kept\r\n\
BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT10M\r\nDESCRIPTION:Soon\r\nEND:VALARM\r\n\
END:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:standup@example.com\r\nRECURRENCE-ID;TZID=Europe/Berlin:20270405T090000\r\n\
DTSTART;TZID=Europe/Berlin:20270405T100000\r\nDTEND;TZID=Europe/Berlin:20270405T101500\r\n\
SUMMARY:Stand-up (moved)\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

    fn utc(s: &str) -> i64 {
        DateTime::parse_from_rfc3339(s)
            .expect("time")
            .timestamp_millis()
    }

    #[test]
    fn a_weekly_series_keeps_its_local_time_across_dst_with_exdate_and_a_moved_instance() {
        let event = read_event(SERIES).expect("event");
        assert_eq!(event.master.summary, "Stand-up, daily");
        assert_eq!(event.master.alarms, vec![10]);
        assert_eq!(event.master.attendees[0].name, "Bob, B.");
        assert_eq!(event.master.attendees[0].partstat, "accepted");
        let (instances, more) = event.instances(utc("2028-01-01T00:00:00Z"));
        assert!(!more);
        let starts: Vec<i64> = instances.iter().map(|i| i.start_ms).collect();
        // Berlin moves to summer time on 28 March 2027: 09:00 is 08:00Z before, 07:00Z after.
        assert_eq!(
            starts,
            vec![
                utc("2027-03-15T08:00:00Z"),
                // 22 March: EXDATE.
                utc("2027-03-29T07:00:00Z"),
                // 5 April: moved to 10:00.
                utc("2027-04-05T08:00:00Z"),
            ]
        );
        assert_eq!(instances[2].title, "Stand-up (moved)");
        assert_eq!(
            instances[2].recurrence_ms,
            Some(utc("2027-04-05T07:00:00Z"))
        );
        assert_eq!(instances[1].end_ms - instances[1].start_ms, 15 * 60 * 1000);
    }

    #[test]
    fn an_endless_series_stops_at_the_horizon_and_says_so() {
        let text = SERIES.replace("RRULE:FREQ=WEEKLY;COUNT=4", "RRULE:FREQ=DAILY");
        let event = read_event(&text).expect("event");
        let (instances, more) = event.instances(utc("2027-03-20T00:00:00Z"));
        assert!(more);
        assert_eq!(instances.len(), 5);
    }

    #[test]
    fn all_day_and_utc_and_duration_values_read() {
        let text = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nDTSTART;VALUE=DATE:20270105\nDTEND;VALUE=DATE:20270107\nSUMMARY:Trip\nEND:VEVENT\nEND:VCALENDAR\n";
        let e = read_event(text).expect("event");
        assert!(e.master.start.is_date());
        assert_eq!(
            e.master.end,
            When::Date(NaiveDate::from_ymd_opt(2027, 1, 7).expect("date"))
        );
        let text = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:b\nDTSTART:20270105T100000Z\nDURATION:PT1H30M\nEND:VEVENT\nEND:VCALENDAR\n";
        let e = read_event(text).expect("event");
        assert_eq!(e.master.end.ms() - e.master.start.ms(), 90 * 60 * 1000);
        assert_eq!(duration("-PT15M"), Some(Duration::minutes(-15)));
        assert_eq!(duration("P1W"), Some(Duration::weeks(1)));
        assert_eq!(
            zone("/mozilla.org/20050126_1/Europe/Berlin"),
            Some(chrono_tz::Europe::Berlin)
        );
        assert_eq!(
            zone("W. Europe Standard Time"),
            Some(chrono_tz::Europe::Berlin)
        );
        assert!(read_event("garbage").is_none());
        assert!(read_event("BEGIN:VCALENDAR\nEND:VCALENDAR\n").is_none());
    }

    /// Mutated calendars (bytes flipped, lines cut, dropped and repeated, seeded): reading,
    /// expanding, merging and writing never panic, and what is written reads again.
    #[test]
    fn mangled_text_never_panics() {
        let mut rng = fastrand::Rng::with_seed(6);
        let seeds = [
            SERIES.to_owned(),
            SERIES.replace("COUNT=4", "INTERVAL=0"),
            SERIES.replace("FREQ=WEEKLY;COUNT=4", "FREQ=SECONDLY;BYSETPOS=-1"),
        ];
        let pieces = [
            "\r\n",
            ":",
            ";",
            "=",
            "\"",
            ",",
            "\\",
            "BEGIN:VEVENT\r\n",
            "END:VEVENT\r\n",
            "RRULE:FREQ=DAILY;UNTIL=1\r\n",
            "DTSTART;TZID=Nowhere/City:20270101T000000\r\n",
            "EXDATE:garbage\r\n",
            " ",
            "\u{fffd}",
            "99999999T999999Z",
        ];
        for round in 0..3000 {
            let mut text = seeds[round % seeds.len()].clone();
            for _ in 0..rng.usize(1..6) {
                let at = rng.usize(0..=text.len());
                let at = (0..=at)
                    .rev()
                    .find(|i| text.is_char_boundary(*i))
                    .unwrap_or(0);
                match rng.u8(0..3) {
                    0 => text.insert_str(at, pieces[rng.usize(0..pieces.len())]),
                    1 => {
                        let end = (at + rng.usize(0..40)).min(text.len());
                        let end = (end..=text.len())
                            .find(|i| text.is_char_boundary(*i))
                            .unwrap_or(text.len());
                        text.replace_range(at..end, "");
                    }
                    _ => {
                        let end = (at + rng.usize(0..80)).min(text.len());
                        let end = (end..=text.len())
                            .find(|i| text.is_char_boundary(*i))
                            .unwrap_or(text.len());
                        let copy = text[at..end].to_owned();
                        text.insert_str(at, &copy);
                    }
                }
            }
            if let Some(event) = read_event(&text) {
                let (instances, _) = event.instances(utc("2029-01-01T00:00:00Z"));
                assert!(
                    instances.len()
                        <= usize::from(MAX_INSTANCES)
                            + event.exceptions.len()
                            + event.master.rdates.len()
                );
                let written = event.calendar.to_text();
                assert!(
                    parse(&written).is_some(),
                    "written text reads again: {written}"
                );
                let _ = merge(SERIES, &text, SERIES, 0);
            }
        }
    }

    #[test]
    fn text_the_strict_parser_refuses_is_still_read() {
        let broken = "BEGIN:VCALENDAR\nthis is not a content line\nBEGIN:VEVENT\nUID:x\nDTSTART:20270105T100000Z\nSUMMARY:Kept\nEND:VEVENT\n";
        let e = read_event(broken).expect("event");
        assert_eq!(e.master.summary, "Kept");
    }

    #[test]
    fn text_round_trips_and_folds_long_lines() {
        let cal = parse(SERIES).expect("parse");
        let again = parse(&cal.to_text()).expect("parse again");
        assert_eq!(cal, again);
        let long = "x".repeat(200);
        let mut c = Component::new("VEVENT");
        c.props
            .push(Prop::text("DESCRIPTION", &format!("{long}\né, ü; done")));
        let text = c.to_text();
        assert!(text.lines().all(|l| l.len() <= 75), "{text}");
        let back = parse(&format!("BEGIN:VCALENDAR\r\n{text}END:VCALENDAR\r\n")).expect("parse");
        assert_eq!(
            back.children[0].text("DESCRIPTION"),
            format!("{long}\né, ü; done")
        );
    }

    #[test]
    fn merges_different_properties_and_refuses_the_same_one() {
        let base = SERIES.to_owned();
        let local = base.replace("SUMMARY:Stand-up\\, daily", "SUMMARY:Daily sync");
        let remote = base
            .replace("PARTSTAT=ACCEPTED", "PARTSTAT=DECLINED")
            .replace("X-CUSTOM;X-P=1:kept", "X-CUSTOM;X-P=1:theirs");
        match merge(&base, &local, &remote, 0) {
            EventMerge::Clean { text, local_left } => {
                assert!(local_left);
                assert!(text.contains("SUMMARY:Daily sync"), "{text}");
                assert!(text.contains("PARTSTAT=DECLINED"), "{text}");
                assert!(text.contains("X-CUSTOM;X-P=1:theirs"), "{text}");
                assert!(text.contains("TRIGGER:-PT10M"), "{text}");
                assert!(text.contains("SEQUENCE:1"), "{text}");
            }
            other => panic!("{other:?}"),
        }
        let remote2 = base.replace("SUMMARY:Stand-up\\, daily", "SUMMARY:Their name");
        assert_eq!(
            merge(&base, &local, &remote2, 0),
            EventMerge::Conflict(vec!["SUMMARY"])
        );
        // Only the server changed: its text as it is.
        assert_eq!(
            merge(&base, &base, &remote, 0),
            EventMerge::Clean {
                text: remote.clone(),
                local_left: false
            }
        );
    }

    #[test]
    fn an_objects_change_time_is_its_last_modified_else_its_dtstamp() {
        let both = "BEGIN:VEVENT\r\nDTSTAMP:20270101T000000Z\r\nLAST-MODIFIED:20270102T030405Z\r\nEND:VEVENT\r\n";
        assert_eq!(changed_ms(both), Some(1_798_859_045_000));
        let stamp = "BEGIN:VEVENT\nDTSTAMP:20270101T000000Z\nEND:VEVENT\n";
        assert_eq!(changed_ms(stamp), Some(1_798_761_600_000));
        assert_eq!(
            changed_ms("BEGIN:VEVENT\nDTSTAMP:20270101T000000\nEND:VEVENT"),
            None
        );
        assert_eq!(changed_ms("BEGIN:VTODO\nEND:VTODO"), None);
    }
}
