//! Server-sent events, as the widget reads a trade's stream: bytes arrive in chunks
//! of any size, and complete events are split off as they close (a blank line).
//! Only what the widget needs: `event:` and `data:` fields; comments and other
//! fields are skipped.

/// The event a trade's stream sends each time the trade changes, its data the
/// trade's JSON (`GET /api/trades/{id}/events`): the server writes it, the widget
/// reads it.
pub const TRADE_STATUS_EVENT: &str = "status";

/// One complete event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// The `event:` name; `message` when none was given.
    pub name: String,
    /// The `data:` lines, joined with `\n`.
    pub data: String,
}

/// Bytes received so far that do not yet make a complete event.
#[derive(Debug, Default)]
pub struct EventBuffer {
    pending: Vec<u8>,
}

impl EventBuffer {
    /// Adds a chunk and returns the events it completed, in order.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<Event> {
        self.pending.extend(chunk.iter().filter(|b| **b != b'\r'));
        let mut events = Vec::new();
        while let Some(end) = self.pending.windows(2).position(|w| w == b"\n\n") {
            let block: Vec<u8> = self.pending.drain(..end + 2).collect();
            if let Some(event) = parse_block(&String::from_utf8_lossy(&block)) {
                events.push(event);
            }
        }
        events
    }
}

/// One block (the lines of one event) → the event, if it carries data.
fn parse_block(block: &str) -> Option<Event> {
    let mut name = None;
    let mut data: Option<String> = None;
    for line in block.lines() {
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line, ""),
        };
        match field {
            "event" => name = Some(value.to_owned()),
            "data" => match &mut data {
                Some(d) => {
                    d.push('\n');
                    d.push_str(value);
                }
                None => data = Some(value.to_owned()),
            },
            _ => {}
        }
    }
    Some(Event { name: name.unwrap_or_else(|| "message".into()), data: data? })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const STREAM: &str = ": keep-alive\n\nevent: status\ndata: {\"status\":\"reserved\"}\n\nevent: status\r\ndata: {\"status\":\r\ndata: \"settled\"}\r\n\r\ndata:plain\nid: 7\n\nevent: empty\n\n";

    fn expected() -> Vec<Event> {
        vec![
            Event { name: "status".into(), data: "{\"status\":\"reserved\"}".into() },
            Event { name: "status".into(), data: "{\"status\":\n\"settled\"}".into() },
            Event { name: "message".into(), data: "plain".into() },
        ]
    }

    #[test]
    fn events_comments_crlf_and_multi_line_data() {
        assert_eq!(EventBuffer::default().push(STREAM.as_bytes()), expected());
    }

    #[test]
    fn an_unfinished_event_waits_for_its_blank_line() {
        let mut buffer = EventBuffer::default();
        assert!(buffer.push(b"event: status\ndata: {}\n").is_empty());
        assert_eq!(buffer.push(b"\n").len(), 1);
    }

    proptest! {
        /// However the bytes are cut into chunks, the same events come out.
        #[test]
        fn chunking_never_changes_the_events(cuts in proptest::collection::vec(0usize..STREAM.len(), 0..12)) {
            let mut cuts = cuts;
            cuts.sort_unstable();
            let bytes = STREAM.as_bytes();
            let mut buffer = EventBuffer::default();
            let mut events = Vec::new();
            let mut from = 0;
            for cut in cuts.into_iter().chain([bytes.len()]) {
                events.extend(buffer.push(&bytes[from..cut.max(from)]));
                from = cut.max(from);
            }
            prop_assert_eq!(events, expected());
        }
    }
}
