//! WebDAV multistatus responses (RFC 4918 §13) as plain data. Elements are matched by local
//! name: the DAV:, CalDAV and CalendarServer names Satu reads do not collide.

use std::io::BufRead;

use quick_xml::events::Event;
use quick_xml::Reader;

use crate::SyncChanges;

/// One `<response>` of a multistatus, with the properties its 2xx propstats carried.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resource {
    /// Its href (percent-encoded as the server sent it).
    pub href: String,
    /// The response-level status code, when there is one (sync-collection: 404 = removed).
    pub status: Option<u16>,
    /// `current-user-principal`.
    pub principal: Option<String>,
    /// `calendar-home-set`.
    pub home: Option<String>,
    /// `resourcetype` says calendar.
    pub is_calendar: bool,
    /// `displayname`.
    pub name: Option<String>,
    /// `calendar-color`.
    pub color: Option<String>,
    /// `supported-calendar-component-set`.
    pub components: Vec<String>,
    /// `getctag`.
    pub ctag: Option<String>,
    /// `sync-token` (as a property).
    pub sync_token: Option<String>,
    /// `getetag`.
    pub etag: Option<String>,
    /// `calendar-data`.
    pub data: Option<String>,
}

/// A calendar or task list of a calendar home.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    /// Its path.
    pub href: String,
    /// Display name (the last path segment when it has none).
    pub name: String,
    /// Color, e.g. `#3a87adff` ('' when none).
    pub color: String,
    /// `VEVENT`, `VTODO`, … (all of them when the server does not say).
    pub components: Vec<String>,
    /// CalendarServer ctag, when the PROPFIND asked for it and the server has one ('' otherwise;
    /// `Client::calendars` does not ask).
    pub ctag: String,
    /// RFC 6578 sync token, likewise.
    pub sync_token: String,
}

impl Resource {
    /// The calendar this resource is, if it is one.
    pub fn into_calendar(self) -> Option<Calendar> {
        if !self.is_calendar {
            return None;
        }
        let name = self
            .name
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| {
                self.href
                    .trim_end_matches('/')
                    .rsplit('/')
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            });
        Some(Calendar {
            href: self.href,
            name,
            color: self.color.unwrap_or_default(),
            components: if self.components.is_empty() {
                vec!["VEVENT".into(), "VTODO".into()]
            } else {
                self.components
            },
            ctag: self.ctag.unwrap_or_default(),
            sync_token: self.sync_token.unwrap_or_default(),
        })
    }
}

/// Escapes text for an XML element.
pub(crate) fn escape(text: &str) -> String {
    quick_xml::escape::escape(text).into_owned()
}

fn local(name: &[u8]) -> String {
    let name = String::from_utf8_lossy(name);
    name.rsplit(':').next().unwrap_or_default().to_owned()
}

fn status_code(text: &str) -> Option<u16> {
    text.split_whitespace().nth(1).and_then(|c| c.parse().ok())
}

/// The most text one element may hold (a resource's `calendar-data`): a server cannot make a
/// streamed answer hold an unbounded amount in memory.
const MAX_TEXT_BYTES: usize = 64 << 20;

/// Reads a multistatus from `input` as it comes, handing each response to `each` once its end
/// tag is read (so that a large answer need not be held whole); returns the top-level
/// sync-token if any.
pub(crate) fn read_multistatus<R: BufRead>(
    input: R,
    mut each: impl FnMut(Resource) -> Result<(), String>,
) -> Result<Option<String>, String> {
    let mut reader = Reader::from_reader(input);
    reader.config_mut().trim_text(true);
    let mut buf = Vec::new();
    let mut path: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut current = Resource::default();
    // The properties of the propstat being read, kept once its status says 2xx.
    let mut props = Resource::default();
    let mut propstat_ok = true;
    let mut top_token = None;
    loop {
        buf.clear();
        match reader
            .read_event_into(&mut buf)
            .map_err(|e| e.to_string())?
        {
            Event::Start(e) => {
                let name = local(e.name().as_ref());
                if name == "response" {
                    current = Resource::default();
                } else if name == "propstat" {
                    props = Resource::default();
                    propstat_ok = true;
                }
                path.push(name);
                text.clear();
            }
            Event::Empty(e) => {
                let name = local(e.name().as_ref());
                let parent = path.last().map(String::as_str).unwrap_or_default();
                if name == "calendar" && parent == "resourcetype" {
                    props.is_calendar = true;
                } else if name == "comp" && parent == "supported-calendar-component-set" {
                    for attr in e.attributes().flatten() {
                        if local(attr.key.as_ref()) == "name" {
                            props
                                .components
                                .push(String::from_utf8_lossy(&attr.value).to_uppercase());
                        }
                    }
                }
            }
            Event::Text(t) => {
                text.push_str(&t.unescape().map_err(|e| e.to_string())?);
            }
            Event::CData(t) => {
                text.push_str(&String::from_utf8_lossy(&t));
            }
            Event::End(_) => {
                let Some(name) = path.pop() else {
                    return Err("unbalanced XML".into());
                };
                let parent = path.last().map(String::as_str).unwrap_or_default();
                let value = std::mem::take(&mut text);
                match (name.as_str(), parent) {
                    ("href", "response") => current.href = value.trim().to_owned(),
                    ("status", "response") => current.status = status_code(&value),
                    ("status", "propstat") => {
                        propstat_ok = status_code(&value).is_some_and(|c| (200..300).contains(&c))
                    }
                    ("href", "current-user-principal") => props.principal = Some(value),
                    ("href", "calendar-home-set") => props.home = Some(value),
                    ("displayname", "prop") => props.name = Some(value),
                    ("calendar-color", "prop") => props.color = Some(value),
                    ("getctag", "prop") => props.ctag = Some(value),
                    ("sync-token", "prop") => props.sync_token = Some(value),
                    ("getetag", "prop") => props.etag = Some(value),
                    ("calendar-data", "prop") => props.data = Some(value),
                    ("sync-token", "multistatus") => top_token = Some(value),
                    ("propstat", _) if propstat_ok => {
                        merge(&mut current, std::mem::take(&mut props));
                    }
                    ("response", _) => each(std::mem::take(&mut current))?,
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
        if text.len() > MAX_TEXT_BYTES {
            return Err(format!(
                "an element holds more than {} MiB of text",
                MAX_TEXT_BYTES >> 20
            ));
        }
    }
    if !path.is_empty() {
        return Err(format!("the answer ends inside <{}>", path.join("><")));
    }
    Ok(top_token)
}

/// Parses a multistatus body into its responses, and the top-level sync-token if any.
fn parse(body: &str) -> Result<(Vec<Resource>, Option<String>), String> {
    let mut resources = Vec::new();
    let token = read_multistatus(body.as_bytes(), |r| {
        resources.push(r);
        Ok(())
    })?;
    Ok((resources, token))
}

fn merge(into: &mut Resource, from: Resource) {
    into.principal = into.principal.take().or(from.principal);
    into.home = into.home.take().or(from.home);
    into.is_calendar |= from.is_calendar;
    into.name = into.name.take().or(from.name);
    into.color = into.color.take().or(from.color);
    into.components.extend(from.components);
    into.ctag = into.ctag.take().or(from.ctag);
    into.sync_token = into.sync_token.take().or(from.sync_token);
    into.etag = into.etag.take().or(from.etag);
    into.data = into.data.take().or(from.data);
}

/// The responses of a multistatus.
pub(crate) fn multistatus(body: &str) -> Result<Vec<Resource>, String> {
    parse(body).map(|(resources, _)| resources)
}

/// A sync-collection answer: the new token, what changed and what went (the collection's own
/// response left out).
#[cfg(test)]
pub(crate) fn sync_changes(body: &str, collection: &str) -> Result<SyncChanges, String> {
    let (resources, token) = parse(body)?;
    let token = token.ok_or("no sync-token in the answer")?;
    let mut changes = SyncChanges {
        token,
        ..SyncChanges::default()
    };
    for r in resources {
        sort_change(r, collection, &mut changes);
    }
    Ok(changes)
}

/// Puts one response of a sync-collection answer where it belongs in `changes`: removed (404),
/// fetched (with its data) or changed (its etag only); the collection itself and
/// sub-collections are left out.
pub(crate) fn sort_change(r: Resource, collection: &str, changes: &mut SyncChanges) {
    let own = collection.trim_end_matches('/');
    if r.href.trim_end_matches('/') == own || r.href.ends_with('/') {
        return;
    }
    if r.status == Some(404) {
        changes.removed.push(r.href);
    } else if let Some(etag) = r.etag {
        match r.data {
            Some(data) => changes.fetched.push((r.href, etag, data)),
            None => changes.changed.push((r.href, etag)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_discovery_calendars_and_sync_answers() {
        let principal = r#"<?xml version="1.0"?><multistatus xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
            <response><href>/</href><propstat><prop><current-user-principal><href>/alice/</href></current-user-principal></prop>
            <status>HTTP/1.1 200 OK</status></propstat>
            <propstat><prop><C:calendar-home-set/></prop><status>HTTP/1.1 404 Not Found</status></propstat></response></multistatus>"#;
        let r = multistatus(principal).expect("parse");
        assert_eq!(r[0].principal.as_deref(), Some("/alice/"));
        assert_eq!(r[0].home, None);

        let list = r#"<d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/">
          <d:response><d:href>/alice/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/></d:resourcetype></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
          <d:response><d:href>/alice/tasks/</d:href><d:propstat><d:prop><d:resourcetype><d:collection/><c:calendar/></d:resourcetype>
            <d:displayname>Tasks &amp; more</d:displayname><c:supported-calendar-component-set><c:comp name="VTODO"/></c:supported-calendar-component-set>
            <cs:getctag>"c1"</cs:getctag><d:sync-token>http://radicale.org/ns/sync/abc</d:sync-token></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
        </d:multistatus>"#;
        let calendars: Vec<Calendar> = multistatus(list)
            .expect("parse")
            .into_iter()
            .filter_map(Resource::into_calendar)
            .collect();
        assert_eq!(calendars.len(), 1);
        assert_eq!(calendars[0].href, "/alice/tasks/");
        assert_eq!(calendars[0].name, "Tasks & more");
        assert_eq!(calendars[0].components, vec!["VTODO"]);
        assert_eq!(calendars[0].sync_token, "http://radicale.org/ns/sync/abc");

        let sync = r#"<multistatus xmlns="DAV:"><response><href>/alice/tasks/a.ics</href><propstat><prop><getetag>"e1"</getetag></prop><status>HTTP/1.1 200 OK</status></propstat></response>
          <response><href>/alice/tasks/b.ics</href><status>HTTP/1.1 404 Not Found</status></response>
          <sync-token>t2</sync-token></multistatus>"#;
        let changes = sync_changes(sync, "/alice/tasks/").expect("parse");
        assert_eq!(changes.token, "t2");
        assert_eq!(
            changes.changed,
            vec![("/alice/tasks/a.ics".into(), "\"e1\"".into())]
        );
        assert_eq!(changes.removed, vec!["/alice/tasks/b.ics".to_owned()]);
        assert!(changes.fetched.is_empty());

        // Asked with calendar-data: what came with its data is fetched, the rest is to fetch.
        let with_data = r#"<d:multistatus xmlns:d="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
          <d:response><d:href>/alice/tasks/a.ics</d:href><d:propstat><d:prop><d:getetag>"e1"</d:getetag><C:calendar-data>BEGIN:VCALENDAR&#13;
END:VCALENDAR&#13;
</C:calendar-data></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
          <d:response><d:href>/alice/tasks/c.ics</d:href><d:propstat><d:prop><d:getetag>"e3"</d:getetag></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>
            <d:propstat><d:prop><C:calendar-data/></d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat></d:response>
          <d:sync-token>t3</d:sync-token></d:multistatus>"#;
        let changes = sync_changes(with_data, "/alice/tasks/").expect("parse");
        assert_eq!(
            changes.fetched,
            vec![(
                "/alice/tasks/a.ics".into(),
                "\"e1\"".into(),
                // Text is trimmed of white space (the newline), as in multigets.
                "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r".into()
            )]
        );
        assert_eq!(
            changes.changed,
            vec![("/alice/tasks/c.ics".into(), "\"e3\"".into())]
        );
        assert!(sync_changes("<multistatus xmlns=\"DAV:\"/>", "/x/").is_err());
        assert!(multistatus("<a><b></a>").is_err());
    }
}
