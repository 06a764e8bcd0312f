//! Calendar golden tests on corpus files.

mod common;

use common::corpus;
use cowork_docmodel::{PartKind, ReadOptions};
use cowork_textdocs::read_ics;

fn ics(name: &str) -> cowork_docmodel::Document {
    read_ics(&corpus(&format!("ics/{name}")), &ReadOptions::default()).unwrap()
}

#[test]
fn tzid_is_shown_and_timezones_are_not_events() {
    let doc = ics("icalendar__america_new_york.ics");
    assert_eq!(doc.parts.len(), 1, "VTIMEZONE is not an event");
    assert_eq!(doc.parts[0].kind, PartKind::Event);
    assert_eq!(
        doc.parts[0].name.as_deref(),
        Some("an event with a custom tz name")
    );
    let md = doc.to_markdown();
    assert!(
        md.contains("2014-08-29 08:00 – 10:00 (custom_America/New_York)"),
        "{md}"
    );
    assert_eq!(doc.metadata["time zones"], "custom_America/New_York");
}

#[test]
fn utc_times_location_and_escaped_description() {
    let doc = ics("tika__testICalendar.ics");
    let md = doc.to_markdown();
    assert!(
        md.contains("**When:** 2001-07-01 21:30 – 22:30 UTC"),
        "{md}"
    );
    assert!(
        md.contains("**Location:** Banque Nationale Stage ()"),
        "{md}"
    );
    // \n escapes become paragraph breaks; accents survive.
    assert!(
        md.contains("SUSI HYLDGAARD\n\nAs the new millennium opens"),
        "{md}"
    );
    assert!(md.contains("Björk"), "{md}");
}

#[test]
fn events_todos_and_journals_in_order() {
    let doc = ics("icalendar__issue_1050_calendar_with_events_and_todos.ics");
    let names: Vec<_> = doc.parts.iter().map(|p| p.name.clone().unwrap()).collect();
    assert_eq!(
        names,
        vec![
            "Test Event 1",
            "Test Event 2",
            "Test Todo 1",
            "Test Journal 1"
        ]
    );
    assert_eq!(doc.total_parts, Some(4));
    let md = doc.to_markdown();
    assert!(md.contains("**Type:** to-do"), "{md}");
    assert!(md.contains("**Status:** NEEDS-ACTION"), "{md}");
}

#[test]
fn alarms_are_reminders() {
    let doc = ics("icalendar__alarm_google_future.ics");
    let md = doc.to_markdown();
    assert_eq!(doc.title.as_deref(), Some("Nicco Kunzmann"));
    assert!(
        md.contains(
            "**Reminder:** 10 minutes before the start (display: This is an event reminder)"
        ),
        "{md}"
    );
    assert!(md.contains("15 minutes before the start (email"), "{md}");
    let doc = ics("icalendar__alarm_thunderbird_future.ics");
    assert!(doc.to_markdown().contains("45 minutes before the start"));
}
