use super::*;

use reqwest::header::HeaderValue;

fn ev(event: Option<&str>, data: &str) -> SseEvent {
    SseEvent {
        event: event.map(str::to_string),
        data: data.to_string(),
    }
}

fn parse_all(chunks: &[&[u8]]) -> Vec<SseEvent> {
    let mut parser = SseParser::default();
    let mut out = Vec::new();
    for chunk in chunks {
        out.extend(parser.push(chunk).unwrap());
    }
    out.extend(parser.finish());
    out
}

const SAMPLE: &str = "event: message_start\r\ndata: {\"a\":1}  \r\n\r\n: keep-alive comment\n\nevent: ping\ndata: {\"type\": \"ping\"}\n\ndata: line one\ndata:line two\nid: 7\nretry: 100\n\nevent: x\rdata: cr only\r\r";

fn sample_expected() -> Vec<SseEvent> {
    vec![
        ev(Some("message_start"), "{\"a\":1}  "),
        ev(Some("ping"), "{\"type\": \"ping\"}"),
        ev(None, "line one\nline two"),
        ev(Some("x"), "cr only"),
    ]
}

#[test]
fn sse_parses_crlf_comments_multiline_and_lone_cr() {
    assert_eq!(parse_all(&[SAMPLE.as_bytes()]), sample_expected());
}

#[test]
fn sse_gives_the_same_events_for_every_split() {
    let bytes = SAMPLE.as_bytes();
    // Byte by byte, which splits every `\r\n` and every line.
    let singles: Vec<&[u8]> = bytes.chunks(1).collect();
    assert_eq!(parse_all(&singles), sample_expected());
    // Every two-piece split.
    for cut in 0..=bytes.len() {
        let (a, b) = bytes.split_at(cut);
        assert_eq!(parse_all(&[a, b]), sample_expected(), "cut at {cut}");
    }
}

#[test]
fn sse_handles_utf8_split_across_chunks() {
    let text = "data: héllo ✓\n\n".as_bytes();
    let pieces: Vec<&[u8]> = text.chunks(1).collect();
    assert_eq!(parse_all(&pieces), vec![ev(None, "héllo ✓")]);
}

#[test]
fn sse_rejects_invalid_utf8() {
    let mut parser = SseParser::default();
    let err = parser.push(b"data: \xff\xfe\n\n").unwrap_err();
    assert!(err.contains("UTF-8"), "{err}");
}

#[test]
fn sse_event_without_data_is_not_dispatched_and_empty_data_is() {
    assert_eq!(
        parse_all(&[b"event: lonely\n\ndata:\n\n"]),
        vec![ev(None, "")]
    );
}

#[test]
fn sse_at_end_delivers_complete_lines_and_drops_a_cut_line() {
    // Complete data line without the closing blank line: delivered.
    assert_eq!(
        parse_all(&[b"event: a\ndata: {}\n"]),
        vec![ev(Some("a"), "{}")]
    );
    // The last line was cut mid-way: nothing half-parsed comes out.
    assert_eq!(
        parse_all(&[b"data: {}\n\nevent: b\ndata: {\"par"]),
        vec![ev(None, "{}")]
    );
}

#[tokio::test]
async fn sse_stream_times_out_when_idle() {
    let chunks = futures::stream::iter(vec![Ok::<_, std::io::Error>(Bytes::from_static(
        b"data: 1\n\n",
    ))])
    .chain(futures::stream::pending());
    let events: Vec<_> = sse_from_chunks(Box::pin(chunks), Duration::from_millis(50))
        .collect()
        .await;
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].as_ref().unwrap(), &ev(None, "1"));
    let err = events[1].as_ref().unwrap_err();
    assert!(matches!(
        err,
        ModelError::Timeout {
            stage: "between stream chunks",
            ..
        }
    ));
    assert!(err.is_retryable());
}

#[tokio::test]
async fn sse_stream_reports_a_broken_connection() {
    let chunks = futures::stream::iter(vec![
        Ok(Bytes::from_static(b"data: 1\n\n")),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "reset",
        )),
    ]);
    let events: Vec<_> = sse_from_chunks(Box::pin(chunks), Duration::from_secs(5))
        .collect()
        .await;
    assert_eq!(events.len(), 2);
    let err = events[1].as_ref().unwrap_err();
    assert!(err.to_string().contains("reset"), "{err}");
    assert!(err.is_retryable());
}

fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.insert(*name, HeaderValue::from_str(value).unwrap());
    }
    map
}

#[test]
fn retry_after_seconds_ms_and_dates() {
    assert_eq!(
        parse_retry_after(&headers(&[("retry-after", "7")])),
        Some(Duration::from_secs(7))
    );
    assert_eq!(
        parse_retry_after(&headers(&[("retry-after", " 1.5 ")])),
        Some(Duration::from_millis(1500))
    );
    // Azure sends both; the precise one wins.
    assert_eq!(
        parse_retry_after(&headers(&[
            ("retry-after", "2"),
            ("retry-after-ms", "1250")
        ])),
        Some(Duration::from_millis(1250))
    );
    let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(30));
    let wait = parse_retry_after(&headers(&[("retry-after", &later)])).unwrap();
    assert!(
        wait > Duration::from_secs(25) && wait <= Duration::from_secs(30),
        "{wait:?}"
    );
    assert_eq!(
        parse_retry_after(&headers(&[(
            "retry-after",
            "Wed, 21 Oct 2015 07:28:00 GMT"
        )])),
        Some(Duration::ZERO)
    );
    assert_eq!(
        parse_retry_after(&headers(&[("retry-after", "soon")])),
        None
    );
    assert_eq!(parse_retry_after(&headers(&[("retry-after", "-3")])), None);
    assert_eq!(parse_retry_after(&HeaderMap::new()), None);
}

#[test]
fn backoff_grows_with_jitter_and_is_capped() {
    let base = Duration::from_millis(100);
    for _ in 0..50 {
        let first = backoff(base, 1);
        assert!(
            first >= Duration::from_millis(50) && first <= base,
            "{first:?}"
        );
        let third = backoff(base, 3);
        assert!(third >= Duration::from_millis(200) && third <= Duration::from_millis(400));
        assert!(backoff(base, 40) <= MAX_BACKOFF);
    }
}

#[test]
fn errors_say_what_to_do() {
    let anthropic_401 =
        r#"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}"#;
    let err = describe_error("anthropic", 401, anthropic_401, None);
    let text = err.to_string();
    assert!(text.contains("HTTP 401 from anthropic"), "{text}");
    assert!(text.contains("invalid x-api-key"), "{text}");
    assert!(text.contains("set ANTHROPIC_API_KEY"), "{text}");
    assert!(!err.is_retryable());

    let openai_400 = r#"{"error":{"message":"This model's maximum context length is 8192 tokens","type":"invalid_request_error","code":"context_length_exceeded"}}"#;
    let text = describe_error("openai", 400, openai_400, None).to_string();
    assert!(text.contains("context is too large"), "{text}");

    let ollama_404 = r#"{"error":"model 'nope' not found"}"#;
    let text = describe_error("ollama", 404, ollama_404, None).to_string();
    assert!(text.contains("model 'nope' not found") && text.contains("unknown model name"));

    let overloaded = describe_error(
        "anthropic",
        529,
        "<html>busy</html>",
        Some(Duration::from_secs(2)),
    );
    assert!(overloaded.is_retryable());
    assert!(overloaded.to_string().contains("<html>busy</html>"));
    assert!(matches!(
        overloaded,
        ModelError::Http { retry_after: Some(d), .. } if d == Duration::from_secs(2)
    ));
    assert_eq!(api_key_env("openai"), "OPENAI_API_KEY");
}
