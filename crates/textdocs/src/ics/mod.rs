//! iCalendar (.ics): each event, to-do or journal entry is a part with its times (time zone
//! shown, all-day dates, UTC), place, people, recurrence in words, reminders and
//! description. Time-zone definitions are not events: only their names are kept.

mod parse;
mod time;

use cowork_docmodel::{
    Block, Chunk, DocError, Document, Format, ListMarker, Part, PartKind, ReadOptions,
};

use crate::encoding::decode_text;
use crate::util::{check_size, paragraphs};
use parse::{Component, Prop, unescape};

/// Components shown as parts.
const ITEMS: [&str; 4] = ["VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY"];

/// Read an iCalendar file.
pub fn read_ics(bytes: &[u8], opts: &ReadOptions) -> Result<Document, DocError> {
    check_size(bytes, Format::Ics, opts)?;
    let decoded = decode_text(bytes);
    let (calendars, bad, capped) = parse::parse(&decoded.text);
    if !calendars.iter().any(|c| c.name == "VCALENDAR") {
        return Err(DocError::corrupt(
            Format::Ics,
            "no BEGIN:VCALENDAR found; this is not an iCalendar file",
        ));
    }
    let mut doc = Document::new(Format::Ics);
    if bad > 0 {
        doc.warn(None, format!("{bad} malformed lines were skipped"));
    }
    if capped {
        doc.warn(
            None,
            format!(
                "components nested deeper than {} levels were skipped",
                parse::MAX_DEPTH
            ),
        );
    }
    // Items in document order, whatever calendar holds them.
    let mut items: Vec<&Component> = Vec::new();
    let mut zones: Vec<String> = Vec::new();
    for cal in &calendars {
        calendar_metadata(cal, &mut doc);
        let mut stack: Vec<&Component> = cal.children.iter().rev().collect();
        while let Some(c) = stack.pop() {
            if ITEMS.contains(&c.name.as_str()) {
                items.push(c);
            } else if c.name == "VTIMEZONE" {
                if let Some(tz) = c.text("TZID") {
                    zones.push(tz);
                }
            } else {
                stack.extend(c.children.iter().rev());
            }
        }
    }
    if !zones.is_empty() {
        doc.metadata.insert("time zones".into(), zones.join(", "));
    }
    doc.total_parts = Some(items.len());
    let mut last_read = 0;
    for (i, item) in items.iter().enumerate() {
        let number = i + 1;
        if !opts.wants_part(number) {
            continue;
        }
        doc.parts.push(item_part(item, number));
        last_read = number;
    }
    if opts.pages.is_none() && last_read < items.len() && last_read >= opts.max_parts {
        doc.next = Some(Chunk::Pages {
            first: last_read + 1,
            last: (last_read + opts.max_parts).min(items.len()),
        });
    } else if let Some(range) = opts.pages
        && range.last < items.len()
    {
        let span = range.last - range.first + 1;
        doc.next = Some(Chunk::Pages {
            first: range.last + 1,
            last: range.last.saturating_add(span).min(items.len()),
        });
    }
    Ok(doc)
}

fn calendar_metadata(cal: &Component, doc: &mut Document) {
    for (prop, key) in [
        ("X-WR-CALNAME", "calendar"),
        ("X-WR-CALDESC", "description"),
        ("X-WR-TIMEZONE", "time zone"),
        ("PRODID", "producer"),
        ("METHOD", "method"),
    ] {
        if let Some(value) = cal.text(prop) {
            doc.metadata.entry(key.to_string()).or_insert(value);
        }
    }
    if doc.title.is_none() {
        doc.title = cal.text("X-WR-CALNAME").or_else(|| cal.text("NAME"));
    }
}

fn field(blocks: &mut Vec<Block>, label: &str, value: impl AsRef<str>) {
    let value = value.as_ref().trim();
    if !value.is_empty() {
        blocks.push(Block::ListItem {
            depth: 0,
            marker: ListMarker::Bullet,
            text: format!("**{label}:** {value}"),
        });
    }
}

/// One event, to-do or journal entry.
fn item_part(item: &Component, number: usize) -> Part {
    let mut part = Part::new(PartKind::Event, number);
    part.name = item.text("SUMMARY").map(|s| s.replace('\n', " "));
    let b = &mut part.blocks;
    let kind = match item.name.as_str() {
        "VTODO" => "to-do",
        "VJOURNAL" => "journal entry",
        "VFREEBUSY" => "free/busy",
        _ => "event",
    };
    field(b, "Type", kind);
    if let Some(when) = when(item) {
        field(b, "When", when);
    }
    if let Some(due) = item.prop("DUE") {
        field(b, "Due", time::date_time(due));
    }
    if let Some(d) = item.prop("DURATION").and_then(|p| time::duration(&p.value)) {
        field(b, "Duration", d.0);
    }
    for rule in item.props("RRULE") {
        field(
            b,
            "Repeats",
            format!("{} (RRULE {})", time::rrule(&rule.value), rule.value.trim()),
        );
    }
    for (name, label) in [("RDATE", "Also on"), ("EXDATE", "Except")] {
        let dates: Vec<String> = item
            .props(name)
            .flat_map(|p| {
                p.value.split(',').map(|v| {
                    time::date_time(&Prop {
                        value: v.to_string(),
                        ..p.clone()
                    })
                })
            })
            .collect();
        if !dates.is_empty() {
            field(b, label, dates.join(", "));
        }
    }
    if let Some(loc) = item.text("LOCATION") {
        field(b, "Location", loc.replace('\n', ", "));
    }
    if let Some(org) = item.prop("ORGANIZER") {
        field(b, "Organizer", person(org));
    }
    let attendees: Vec<String> = item.props("ATTENDEE").map(person).collect();
    if !attendees.is_empty() {
        field(b, "Attendees", attendees.join("; "));
    }
    for (name, label) in [
        ("STATUS", "Status"),
        ("PRIORITY", "Priority"),
        ("PERCENT-COMPLETE", "Percent complete"),
        ("COMPLETED", "Completed"),
        ("CATEGORIES", "Categories"),
        ("URL", "URL"),
    ] {
        if let Some(p) = item.prop(name) {
            let value = if name == "COMPLETED" {
                time::date_time(p)
            } else {
                unescape(&p.value)
            };
            // Priority 0 means "undefined".
            if !(name == "PRIORITY" && value.trim() == "0") {
                field(b, label, value);
            }
        }
    }
    for alarm in item.children.iter().filter(|c| c.name == "VALARM") {
        let when = alarm
            .prop("TRIGGER")
            .map(time::trigger)
            .unwrap_or_else(|| "no trigger".into());
        let action = alarm
            .text("ACTION")
            .map(|a| a.to_ascii_lowercase())
            .unwrap_or_else(|| "alarm".into());
        let note = alarm
            .text("DESCRIPTION")
            .or_else(|| alarm.text("SUMMARY"))
            .map(|d| format!(": {}", d.replace('\n', " ")))
            .unwrap_or_default();
        field(b, "Reminder", format!("{when} ({action}{note})"));
    }
    for name in ["DESCRIPTION", "COMMENT"] {
        for p in item.props(name) {
            paragraphs(&unescape(&p.value), b);
        }
    }
    part
}

/// Start and end together: "2025-01-15 10:00 – 11:00 (America/New_York)" when they share a
/// day and zone, else "start – end".
fn when(item: &Component) -> Option<String> {
    let start = item.prop("DTSTART")?;
    let start_text = time::date_time(start);
    let Some(end) = item.prop("DTEND") else {
        return Some(start_text);
    };
    let end_text = time::date_time(end);
    let (s, e) = (
        time::parse_value(start.value.trim()),
        time::parse_value(end.value.trim()),
    );
    if let (Some((sd, Some(_), su)), Some((ed, Some(et), eu))) = (&s, &e)
        && sd == ed
        && su == eu
        && start.param("TZID") == end.param("TZID")
    {
        // Same day and zone: "2025-01-15 10:00 – 11:00 (zone)".
        let zone_at = start_text.find(" (").or_else(|| start_text.find(" UTC"));
        return Some(match zone_at {
            Some(i) => format!("{} – {et}{}", &start_text[..i], &start_text[i..]),
            None => format!("{start_text} – {et}"),
        });
    }
    Some(format!("{start_text} – {end_text}"))
}

/// "Jane Doe <jane@x.org> (chair, accepted)".
fn person(prop: &Prop) -> String {
    let email = prop
        .value
        .trim()
        .trim_start_matches("mailto:")
        .trim_start_matches("MAILTO:");
    let mut out = match prop.param("CN") {
        Some(cn) if !cn.is_empty() => format!("{cn} <{email}>"),
        _ => email.to_string(),
    };
    let notes: Vec<String> = [prop.param("ROLE"), prop.param("PARTSTAT")]
        .into_iter()
        .flatten()
        .map(|s| s.to_ascii_lowercase().replace('-', " "))
        .collect();
    if !notes.is_empty() {
        out.push_str(&format!(" ({})", notes.join(", ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_fields() {
        let ics = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:Standup\nDTSTART;TZID=Europe/Paris:20250106T093000\nDTEND;TZID=Europe/Paris:20250106T094500\nRRULE:FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20250630\nLOCATION:Room 1\\, floor 2\nORGANIZER;CN=Ann:mailto:ann@x.org\nDESCRIPTION:Line one\\nLine two\nBEGIN:VALARM\nTRIGGER:-PT15M\nACTION:DISPLAY\nEND:VALARM\nEND:VEVENT\nEND:VCALENDAR\n";
        let doc = read_ics(ics.as_bytes(), &ReadOptions::default()).unwrap();
        let md = doc.to_markdown();
        assert_eq!(doc.parts[0].name.as_deref(), Some("Standup"));
        assert!(
            md.contains("**When:** 2025-01-06 09:30 – 09:45 (Europe/Paris)"),
            "{md}"
        );
        assert!(
            md.contains("weekly on Monday, Wednesday until 2025-06-30"),
            "{md}"
        );
        assert!(md.contains("**Location:** Room 1, floor 2"), "{md}");
        assert!(md.contains("**Organizer:** Ann <ann@x.org>"), "{md}");
        assert!(
            md.contains("**Reminder:** 15 minutes before the start (display)"),
            "{md}"
        );
        assert!(md.contains("Line one\nLine two"), "{md}");
    }

    #[test]
    fn not_a_calendar() {
        assert!(read_ics(b"hello", &ReadOptions::default()).is_err());
    }
}
