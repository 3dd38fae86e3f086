//! The history reader: the shipped `data/unga/` files, window selection, and bad files
//! rejected with file, line and field.

use std::path::Path;

use lobbysim::ideal::history::{History, Window};
use lobbysim::ideal::{Date, IdealError};
use lobbysim::vote::Outcome;

const ROLLCALLS: &str = "record,symbol,date,yes,no,abstain,absent,title
10,A/RES/1,2020-10-01,2,0,1,0,First item
11,A/RES/2,2020-10-01,1,1,0,1,\"Second, with a comma\"
12,A/RES/3,2021-03-05,2,1,0,0,First item
";
const VOTES: &str = "record,iso3,vote
10,FRA,Y
10,USA,Y
10,CHN,A
11,FRA,Y
11,USA,N
11,CHN,X
12,FRA,Y
12,USA,N
12,CHN,Y
";

fn write(rollcalls: &str, votes: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("rollcalls.csv"), rollcalls).expect("write");
    std::fs::write(dir.path().join("votes.csv"), votes).expect("write");
    dir
}

/// Reads the history in `dir` and returns the error's (file name, line, field, message).
fn rejected(rollcalls: &str, votes: &str) -> (String, Option<usize>, String, String) {
    let dir = write(rollcalls, votes);
    match History::read(dir.path(), Window::default()) {
        Err(IdealError::Input { at, message }) => (
            at.file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            at.line,
            at.field,
            message,
        ),
        other => panic!("expected an input error, got {other:?}"),
    }
}

#[test]
fn a_valid_history_is_read_with_states_sorted_and_votes_attached() {
    let dir = write(ROLLCALLS, VOTES);
    let h = History::read(dir.path(), Window::default()).expect("valid");
    let codes: Vec<String> = h.states.iter().map(|s| s.to_string()).collect();
    assert_eq!(codes, ["CHN", "FRA", "USA"]);
    assert_eq!(h.rollcalls.len(), 3);
    assert_eq!(h.rollcalls[1].title, "Second, with a comma");
    assert_eq!(h.rollcalls[1].tally(), [1, 1, 0, 1]);
    assert_eq!(h.rollcalls[1].vote_of(0), Some(Outcome::Absent));
    assert_eq!(h.find("A/RES/3"), Some(2));
    assert_eq!(h.find("11"), Some(1));
    assert_eq!(h.find("A/RES/9"), None);
    let d = h.digest.expect("digest");
    assert_eq!(d.rollcalls_sha256.len(), 64);
    // The window keeps roll calls by date, both ends inclusive.
    let since: Date = "2021-01-01".parse().expect("date");
    let w =
        History::read(dir.path(), Window::new(Some(since), None).expect("window")).expect("valid");
    assert_eq!(w.rollcalls.len(), 1);
    assert_eq!(w.rollcalls[0].symbol, "A/RES/3");
    assert!(Window::new(Some(since), "2020-12-31".parse().ok()).is_err());
}

#[test]
fn unknown_vote_codes_are_rejected_with_line_and_field() {
    let votes = VOTES.replace("11,CHN,X", "11,CHN,y");
    let (file, line, field, msg) = rejected(ROLLCALLS, &votes);
    assert_eq!(
        (file.as_str(), line, field.as_str()),
        ("votes.csv", Some(7), "vote")
    );
    assert!(msg.contains("\"y\""), "{msg}");
}

#[test]
fn malformed_iso_codes_are_rejected() {
    let votes = VOTES.replace("12,USA,N", "12,Us,N");
    let (file, line, field, _) = rejected(ROLLCALLS, &votes);
    assert_eq!(
        (file.as_str(), line, field.as_str()),
        ("votes.csv", Some(9), "iso3")
    );
}

#[test]
fn duplicate_rows_are_rejected_naming_both_lines() {
    let votes = format!("{VOTES}10,USA,N\n");
    let (file, line, field, msg) = rejected(ROLLCALLS, &votes);
    assert_eq!(
        (file.as_str(), line, field.as_str()),
        ("votes.csv", Some(11), "iso3")
    );
    assert!(msg.contains("first at line 3"), "{msg}");
}

#[test]
fn a_roll_call_with_no_votes_is_rejected() {
    let rollcalls = format!("{ROLLCALLS}13,A/RES/4,2021-03-06,0,0,0,0,Empty\n");
    let (file, line, field, msg) = rejected(&rollcalls, VOTES);
    assert_eq!(
        (file.as_str(), line, field.as_str()),
        ("rollcalls.csv", Some(5), "record")
    );
    assert!(msg.contains("no votes"), "{msg}");
}

#[test]
fn dates_out_of_order_are_rejected() {
    let rollcalls = ROLLCALLS.replace("12,A/RES/3,2021-03-05", "12,A/RES/3,2020-09-30");
    let (file, line, field, msg) = rejected(&rollcalls, VOTES);
    assert_eq!(
        (file.as_str(), line, field.as_str()),
        ("rollcalls.csv", Some(4), "date")
    );
    assert!(msg.contains("out of order"), "{msg}");
    // Same day: records must increase.
    let swapped = "record,symbol,date,yes,no,abstain,absent,title
11,A/RES/2,2020-10-01,1,1,0,1,\"Second, with a comma\"
10,A/RES/1,2020-10-01,2,0,1,0,First item
12,A/RES/3,2021-03-05,2,1,0,0,First item
";
    let (file, line, field, _) = rejected(swapped, VOTES);
    assert_eq!(
        (file.as_str(), line, field.as_str()),
        ("rollcalls.csv", Some(3), "record")
    );
}

#[test]
fn invalid_dates_and_counts_are_rejected() {
    let (_, line, field, _) = rejected(&ROLLCALLS.replace("2021-03-05", "2021-02-30"), VOTES);
    assert_eq!((line, field.as_str()), (Some(4), "date"));
    let (_, line, field, _) = rejected(&ROLLCALLS.replace("1,1,0,1,", "1,x,0,1,"), VOTES);
    assert_eq!((line, field.as_str()), (Some(3), "no"));
}

#[test]
fn votes_for_unknown_records_are_rejected() {
    let votes = format!("{VOTES}99,FRA,Y\n");
    let (file, line, field, msg) = rejected(ROLLCALLS, &votes);
    assert_eq!(
        (file.as_str(), line, field.as_str()),
        ("votes.csv", Some(11), "record")
    );
    assert!(msg.contains("99"), "{msg}");
}

#[test]
fn tallies_that_disagree_with_the_votes_are_rejected() {
    let rollcalls = ROLLCALLS.replace(
        "10,A/RES/1,2020-10-01,2,0,1,0",
        "10,A/RES/1,2020-10-01,2,0,0,1",
    );
    let (file, line, field, msg) = rejected(&rollcalls, VOTES);
    assert_eq!(
        (file.as_str(), line, field.as_str()),
        ("rollcalls.csv", Some(2), "abstain")
    );
    assert!(msg.contains("has 1"), "{msg}");
}

#[test]
fn duplicate_records_and_symbols_and_bad_headers_are_rejected() {
    let rollcalls = ROLLCALLS.replace("12,A/RES/3", "11,A/RES/3");
    let (_, line, field, _) = rejected(&rollcalls, VOTES);
    assert_eq!((line, field.as_str()), (Some(4), "record"));
    let rollcalls = ROLLCALLS.replace("12,A/RES/3", "12,A/RES/2");
    let (_, line, field, _) = rejected(&rollcalls, VOTES);
    assert_eq!((line, field.as_str()), (Some(4), "symbol"));
    let (file, line, field, _) = rejected(
        ROLLCALLS,
        &VOTES.replace("record,iso3,vote", "rec,iso,vote"),
    );
    assert_eq!(
        (file.as_str(), line, field.as_str()),
        ("votes.csv", Some(1), "header")
    );
    let (_, line, _, msg) = rejected(ROLLCALLS, &VOTES.replace("10,CHN,A", "10,CHN"));
    assert_eq!(line, Some(4));
    assert!(msg.contains("3 fields"), "{msg}");
}

#[test]
fn a_missing_file_is_an_io_error_naming_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("rollcalls.csv"), ROLLCALLS).expect("write");
    match History::read(dir.path(), Window::default()) {
        Err(IdealError::Io { path, .. }) => assert!(path.ends_with("votes.csv")),
        other => panic!("expected an I/O error, got {other:?}"),
    }
}

#[test]
fn the_shipped_history_is_read_completely() {
    let h = History::read(Path::new("data/unga"), Window::default()).expect("data/unga");
    assert_eq!(h.rollcalls.len(), 2417);
    assert_eq!(h.vote_count(), 458_026);
    assert_eq!(h.states.len(), 195);
    let d = h.digest.clone().expect("digest");
    // The digests recorded in data/README.md.
    assert_eq!(
        d.rollcalls_sha256,
        "e249799ee94cac0c2ebe34f616fb44800eb032ba39f9e682ad109e8d07d23059"
    );
    assert_eq!(
        d.votes_sha256,
        "f322fd180e3c39b23869b9c204b84fbce042f1694cb78f25309bd3f671c91593"
    );
    let es = h.find("A/RES/ES-11/1").expect("ES-11/1");
    assert_eq!(h.rollcalls[es].tally(), [141, 5, 35, 12]);
    assert!(
        h.rollcalls
            .iter()
            .all(|r| r.date < "2022-10-12".parse::<Date>().expect("date"))
    );
}
