//! Progress from messages: what a reply in a task's conversation says of the work ("50%",
//! "half done", "done", "selesai", "完成"). Pure; only the reply's own first line is read (not
//! the quote of the message it answers), and a word after a negation ("not done", "belum
//! selesai", "还没完成") says nothing.

/// What a message says of the work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Progress {
    /// PERCENT-COMPLETE it names, when it names one.
    pub percent: Option<u8>,
    /// It says the work is done.
    pub done: bool,
}

/// Words that say "done", in the seven languages (lower case; matched as whole words, or as
/// substrings for scripts written without spaces).
const DONE: [&str; 22] = [
    "done",
    "completed",
    "finished", // en
    "selesai",
    "sudah siap", // ms
    "beres",
    "rampung", // id
    "เสร็จ",
    "เสร็จแล้ว",
    "เรียบร้อย", // th
    "xong",
    "hoàn thành",
    "đã xong", // vi
    "完成",
    "已完成",
    "做完",
    "搞定", // zh
    "تم",
    "انتهى",
    "اكتمل",
    "أنجزت",
    "منجز", // ar
];

/// Words that say "half done".
const HALF: [&str; 7] = [
    "half done",
    "halfway",
    "separuh",
    "setengah",
    "ครึ่งหนึ่ง",
    "một nửa",
    "一半",
];

/// Words that negate what follows them.
const NOT: [&str; 14] = [
    "not",
    "isn't",
    "isnt",
    "never",
    "belum",
    "tidak",
    "bukan",
    "ยังไม่",
    "ไม่",
    "chưa",
    "没",
    "未",
    "不",
    "لم",
];

/// Whether the line only quotes or introduces a quote of the message answered.
fn quoting(line: &str) -> bool {
    let l = line.trim();
    l.starts_with('>')
        || (l.ends_with(':')
            && ["wrote", "menulis", "写道", "เขียน", "đã viết", "كتب"]
                .iter()
                .any(|w| l.to_lowercase().contains(w)))
        || l.starts_with("-----Original Message")
        || l.starts_with("From: ")
}

/// The reply's own first line (before any quote), at most 160 characters: "Done." or "50%
/// there" is said first; the same words further down are usually about something else ("what
/// needs to be done").
fn own_text(text: &str) -> String {
    text.lines()
        .take_while(|l| !quoting(l))
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default()
        .chars()
        .take(160)
        .collect::<String>()
        .to_lowercase()
}

/// Whether `word` appears in `text` not negated: as a whole word for scripts with spaces, as a
/// substring for those without (Thai, Chinese); no negation within the few characters before.
fn says(text: &str, word: &str) -> bool {
    let spaced = word.chars().all(|c| {
        c.is_ascii()
            || ('\u{00C0}'..='\u{024F}').contains(&c)
            || ('\u{1E00}'..='\u{1EFF}').contains(&c)
            || ('\u{0600}'..='\u{06FF}').contains(&c)
            || c == ' '
    });
    let mut from = 0;
    while let Some(at) = text[from..].find(word) {
        let start = from + at;
        let end = start + word.len();
        let before = &text[..start];
        let after = &text[end..];
        let bounded = !spaced
            || (before.chars().last().is_none_or(|c| !c.is_alphanumeric())
                && after.chars().next().is_none_or(|c| !c.is_alphanumeric()));
        // The few words (or characters) just before it.
        let near: String = before
            .chars()
            .rev()
            .take(12)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let negated = NOT.iter().any(|n| {
            near.split(|c: char| !c.is_alphanumeric() && c != '\'')
                .any(|w| w == *n)
                || (!n.is_ascii() && near.contains(n))
        });
        if bounded && !negated {
            return true;
        }
        from = end;
    }
    false
}

/// A percentage written in the text ("50%", "50 %", "75 percent").
fn percent(text: &str) -> Option<u8> {
    let bytes: Vec<char> = text.chars().collect();
    for (i, c) in bytes.iter().enumerate() {
        if *c != '%' {
            continue;
        }
        let mut j = i;
        while j > 0 && bytes[j - 1] == ' ' {
            j -= 1;
        }
        let digits: String = bytes[..j]
            .iter()
            .rev()
            .take_while(|c| c.is_ascii_digit())
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        if let Ok(n) = digits.parse::<u16>() {
            if n <= 100 {
                return u8::try_from(n).ok();
            }
        }
    }
    None
}

/// What `text` (a reply's whole text) says of the work, if anything.
pub(crate) fn read(text: &str) -> Option<Progress> {
    let own = own_text(text);
    if own.trim().is_empty() {
        return None;
    }
    // "Half done" says half, not done: its words are taken out before "done" is looked for.
    let half = HALF.iter().find(|w| says(&own, w));
    let rest = match half {
        Some(w) => own.replace(w, " "),
        None => own.clone(),
    };
    let done = DONE.iter().any(|w| says(&rest, w));
    let percent = percent(&own).or_else(|| half.map(|_| 50));
    match (done, percent) {
        (false, None) => None,
        (true, _) => Some(Progress {
            percent: Some(100),
            done: true,
        }),
        (false, Some(100)) => Some(Progress {
            percent: Some(100),
            done: true,
        }),
        (false, p) => Some(Progress {
            percent: p,
            done: false,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(percent: u8) -> Option<Progress> {
        Some(Progress {
            percent: Some(percent),
            done: percent == 100,
        })
    }

    #[test]
    fn percentages_and_half_done() {
        assert_eq!(read("About 50% there, the rest tomorrow."), p(50));
        assert_eq!(read("we are at 75 % now"), p(75));
        assert_eq!(read("Half done, more on Monday."), p(50));
        assert_eq!(read("Sudah separuh."), p(50));
        assert_eq!(read("100%"), p(100));
        assert_eq!(read("150% sure"), None);
    }

    #[test]
    fn done_in_every_language() {
        for text in [
            "Done, see attached.",
            "This is completed.",
            "Selesai, terima kasih.",
            "Sudah beres ya.",
            "งานเสร็จแล้วครับ",
            "Đã xong rồi.",
            "已完成",
            "تم الانتهاء",
        ] {
            assert_eq!(read(text), p(100), "{text}");
        }
    }

    #[test]
    fn negations_questions_about_others_and_quotes_say_nothing() {
        for text in [
            "Not done yet, sorry.",
            "Belum selesai.",
            "还没完成",
            "Chưa xong.",
            "Thanks for the update.",
            "Thanks!\n\nOn Mon, 7 Dec 2026, Bob wrote:\n> Done, see attached.",
            "> 50% done\n",
        ] {
            assert_eq!(read(text), None, "{text}");
        }
        // "done" inside another word is not the word; below the first line it is not news.
        assert_eq!(read("The abandoned car."), None);
        assert_eq!(read("Thanks.\nHere is what needs to be done next."), None);
    }
}
