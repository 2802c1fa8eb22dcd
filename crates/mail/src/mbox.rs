//! Reading mbox files (mboxo and mboxrd) as a stream of messages, without loading the file.
//!
//! A message starts at a line beginning with `From ` that opens the file or follows an empty
//! line. `>From ` lines (any number of `>`) lose one `>` (mboxrd unquoting).

use std::io::{self, BufRead};

/// Why a file is not a readable mbox.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MboxError {
    /// The file is empty.
    #[error("The file is empty: an mbox file holds at least one message")]
    Empty,
    /// The first line is not a `From ` separator.
    #[error("This is not an mbox file: it must start with a line beginning with \"From \", but it starts with {0:?}")]
    NotMbox(String),
    /// Reading failed.
    #[error("Cannot read the mbox file: {0}")]
    Io(#[from] io::Error),
}

/// Iterator over the messages of an mbox file.
pub struct MboxReader<R> {
    input: R,
    /// The separator line that starts the next message has been consumed.
    started: bool,
    done: bool,
    line: Vec<u8>,
}

impl<R: BufRead> MboxReader<R> {
    /// Checks that `input` starts like an mbox file and returns a reader over its messages.
    pub fn new(mut input: R) -> Result<Self, MboxError> {
        let mut first = Vec::new();
        loop {
            first.clear();
            if input.read_until(b'\n', &mut first)? == 0 {
                return Err(MboxError::Empty);
            }
            // Leading blank lines are tolerated.
            if !trim_eol(&first).is_empty() {
                break;
            }
        }
        if !first.starts_with(b"From ") {
            let shown: String = String::from_utf8_lossy(trim_eol(&first))
                .chars()
                .take(40)
                .collect();
            return Err(MboxError::NotMbox(shown));
        }
        Ok(MboxReader {
            input,
            started: true,
            done: false,
            line: Vec::new(),
        })
    }

    fn next_message(&mut self) -> io::Result<Option<Vec<u8>>> {
        if self.done || !self.started {
            return Ok(None);
        }
        let mut message = Vec::new();
        let mut previous_blank = false;
        loop {
            self.line.clear();
            if self.input.read_until(b'\n', &mut self.line)? == 0 {
                self.done = true;
                break;
            }
            if previous_blank && self.line.starts_with(b"From ") {
                // The blank line before a separator belongs to the separator.
                strip_last_eol(&mut message);
                break;
            }
            previous_blank = trim_eol(&self.line).is_empty();
            let unquoted = unquote_from(&self.line);
            message.extend_from_slice(unquoted);
        }
        if message.iter().all(u8::is_ascii_whitespace) {
            return if self.done {
                Ok(None)
            } else {
                self.next_message()
            };
        }
        Ok(Some(message))
    }
}

impl<R: BufRead> Iterator for MboxReader<R> {
    type Item = io::Result<Vec<u8>>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_message().transpose()
    }
}

fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn strip_last_eol(message: &mut Vec<u8>) {
    if message.ends_with(b"\n") {
        message.pop();
        if message.ends_with(b"\r") {
            message.pop();
        }
    }
}

/// `>From ` → `From `, `>>From ` → `>From ` (mboxrd).
fn unquote_from(line: &[u8]) -> &[u8] {
    let quotes = line.iter().take_while(|&&b| b == b'>').count();
    if quotes > 0 && line[quotes..].starts_with(b"From ") {
        &line[1..]
    } else {
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(data: &str) -> Result<Vec<String>, MboxError> {
        let reader = MboxReader::new(data.as_bytes())?;
        Ok(reader
            .map(|m| String::from_utf8(m.expect("read")).expect("utf8"))
            .collect())
    }

    #[test]
    fn splits_messages_and_unquotes_from_lines() {
        let data = "From a@x Mon Nov  2 09:14:00 2026\nSubject: one\n\nbody\n>From here\n>>From there\n\nFrom b@x Mon Nov  2 09:15:00 2026\r\nSubject: two\r\n\r\ntext\r\nFrom inside a paragraph is not a separator\r\n";
        let messages = read(data).expect("mbox");
        assert_eq!(messages.len(), 2);
        assert_eq!(
            messages[0],
            "Subject: one\n\nbody\nFrom here\n>From there\n"
        );
        assert_eq!(
            messages[1],
            "Subject: two\r\n\r\ntext\r\nFrom inside a paragraph is not a separator\r\n"
        );
    }

    #[test]
    fn rejects_empty_and_non_mbox_input_clearly() {
        assert!(matches!(read(""), Err(MboxError::Empty)));
        assert!(matches!(read("\n\n"), Err(MboxError::Empty)));
        let err = read("\u{0}\u{1}garbage\nFrom x\n").expect_err("not mbox");
        assert!(matches!(err, MboxError::NotMbox(_)));
        assert!(err.to_string().contains("not an mbox file"));
    }

    #[test]
    fn a_lone_separator_yields_nothing() {
        assert!(read("From a@x Mon Nov  2 09:14:00 2026\n")
            .expect("mbox")
            .is_empty());
    }
}
