//! VTIMEZONE components (RFC 5545 §3.6.5) for the IANA zones of events made here (from chrono-tz):
//! the zone's offset changes in the event's year, each as a STANDARD or DAYLIGHT rule repeating
//! yearly on the same weekday of the month, so that clients that do not know IANA names (and RFC
//! 5545's rule that every TZID has its VTIMEZONE) read the same local times.

use chrono::{Datelike as _, Duration, NaiveDate, Offset as _, TimeZone as _};
use chrono_tz::OffsetName as _;

use super::ics::{Component, Prop};

fn offset_text(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.abs();
    format!("{sign}{:02}{:02}", s / 3600, (s % 3600) / 60)
}

/// The VTIMEZONE of `tz` for the year of `around`.
pub(crate) fn vtimezone(tz: chrono_tz::Tz, around: NaiveDate) -> Component {
    let offset = |utc: chrono::NaiveDateTime| {
        let o = tz.offset_from_utc_datetime(&utc);
        (
            o.fix().local_minus_utc(),
            o.abbreviation().unwrap_or_default().to_owned(),
        )
    };
    let year = around.year();
    let start = NaiveDate::from_ymd_opt(year, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or_default();
    // (instant in UTC, offset before, offset after, name after)
    let mut transitions = Vec::new();
    let mut day = start;
    let mut before = offset(day);
    while day.year() == year {
        let next = day + Duration::days(1);
        let after = offset(next);
        if after.0 != before.0 {
            let mut hour = day;
            while hour < next {
                let h = hour + Duration::minutes(15);
                if offset(h).0 != before.0 {
                    transitions.push((h, before.0, after.0, after.1.clone()));
                    break;
                }
                hour = h;
            }
        }
        before = after;
        day = next;
    }
    let mut zone = Component::new("VTIMEZONE");
    zone.props.push(Prop::new("TZID", tz.name()));
    if transitions.is_empty() {
        let (o, name) = offset(start);
        let mut standard = Component::new("STANDARD");
        standard.props.push(Prop::new("DTSTART", "19700101T000000"));
        standard
            .props
            .push(Prop::new("TZOFFSETFROM", offset_text(o)));
        standard.props.push(Prop::new("TZOFFSETTO", offset_text(o)));
        if !name.is_empty() {
            standard.props.push(Prop::new("TZNAME", name));
        }
        zone.children.push(standard);
        return zone;
    }
    for (utc, from, to, name) in transitions {
        // The rule's DTSTART is the local time just before the change.
        let local = utc + Duration::seconds(i64::from(from));
        let kind = if to > from { "DAYLIGHT" } else { "STANDARD" };
        let mut c = Component::new(kind);
        c.props.push(Prop::new(
            "DTSTART",
            local.format("%Y%m%dT%H%M%S").to_string(),
        ));
        c.props.push(Prop::new("TZOFFSETFROM", offset_text(from)));
        c.props.push(Prop::new("TZOFFSETTO", offset_text(to)));
        let date = local.date();
        let days_in_month = NaiveDate::from_ymd_opt(
            if date.month() == 12 { year + 1 } else { year },
            if date.month() == 12 {
                1
            } else {
                date.month() + 1
            },
            1,
        )
        .map_or(31, |first| (first - Duration::days(1)).day());
        let nth = if date.day() + 7 > days_in_month {
            -1
        } else {
            i64::from((date.day() - 1) / 7 + 1)
        };
        let weekday = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
            [date.weekday().num_days_from_monday() as usize];
        c.props.push(Prop::new(
            "RRULE",
            format!("FREQ=YEARLY;BYMONTH={};BYDAY={nth}{weekday}", date.month()),
        ));
        if !name.is_empty() {
            c.props.push(Prop::new("TZNAME", name));
        }
        zone.children.push(c);
    }
    zone
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn berlin_has_its_two_changes_on_the_last_sundays() {
        let z = vtimezone(
            chrono_tz::Europe::Berlin,
            NaiveDate::from_ymd_opt(2027, 6, 1).expect("date"),
        );
        let text = z.to_text();
        assert!(text.contains("BEGIN:DAYLIGHT\r\nDTSTART:20270328T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU"), "{text}");
        assert!(text.contains("BEGIN:STANDARD\r\nDTSTART:20271031T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU"), "{text}");
        let kl = vtimezone(
            chrono_tz::Asia::Kuala_Lumpur,
            NaiveDate::from_ymd_opt(2027, 6, 1).expect("date"),
        )
        .to_text();
        assert!(kl.contains("TZOFFSETTO:+0800"), "{kl}");
        let ny = vtimezone(
            chrono_tz::America::New_York,
            NaiveDate::from_ymd_opt(2027, 6, 1).expect("date"),
        )
        .to_text();
        assert!(ny.contains("BYMONTH=3;BYDAY=2SU"), "{ny}");
        assert!(ny.contains("BYMONTH=11;BYDAY=1SU"), "{ny}");
    }
}
