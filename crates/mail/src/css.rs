//! CSS from mail, kept for presentation only: what makes a newsletter, a receipt or an Outlook
//! reply look as its sender made it (colours, fonts, tables, spacing, direction) and nothing that
//! could fetch, run or cover the window. An allow-list of properties, values with no `url(`,
//! `expression(`, `image-set(`, escapes or markup, `position` only `static` or `relative`, and of
//! the at-rules only `@media` (with its rules filtered the same way). Everything is rebuilt from
//! checked parts, so what comes out cannot close the `<style>` element it goes in.

/// Most bytes of CSS kept from one mail (style attribute or style sheet).
const MAX_CSS: usize = 128 * 1024;
/// Most bytes of one declaration or selector.
const MAX_PART: usize = 2048;

/// Property families kept (a name equal to one, or starting with it and `-`).
const FAMILIES: &[&str] = &[
    "background",
    "border",
    "margin",
    "padding",
    "font",
    "text",
    "list-style",
    "outline",
    "overflow",
    "column",
];

/// Single properties kept.
const PROPERTIES: &[&str] = &[
    "color",
    "width",
    "height",
    "min-width",
    "max-width",
    "min-height",
    "max-height",
    "line-height",
    "letter-spacing",
    "word-spacing",
    "white-space",
    "word-break",
    "word-wrap",
    "overflow-wrap",
    "hyphens",
    "vertical-align",
    "direction",
    "unicode-bidi",
    "writing-mode",
    "display",
    "visibility",
    "float",
    "clear",
    "table-layout",
    "border-collapse",
    "border-spacing",
    "caption-side",
    "empty-cells",
    "opacity",
    "box-sizing",
    "box-shadow",
    "border-radius",
    "position",
    "top",
    "right",
    "bottom",
    "left",
    "quotes",
    "tab-size",
    "-webkit-text-size-adjust",
    "-ms-text-size-adjust",
];

/// Words that make a value unsafe anywhere (lowercase; escapes and comments are refused before).
const UNSAFE: &[&str] = &[
    "url(",
    "expression",
    "javascript:",
    "vbscript:",
    "image-set(",
    "image(",
    "element(",
    "cross-fade(",
    "src(",
    "attr(",
    "-moz-binding",
    "behavior",
    "@",
    "<",
    ">",
    "{",
    "}",
];

/// Whether a property may be kept.
fn allowed(name: &str) -> bool {
    PROPERTIES.contains(&name)
        || FAMILIES.iter().any(|f| {
            name == *f
                || name
                    .strip_prefix(f)
                    .is_some_and(|rest| rest.starts_with('-'))
        })
}

/// One `name: value` checked; the declaration as kept, or `None`.
fn declaration(text: &str) -> Option<String> {
    if text.len() > MAX_PART || text.contains('\\') {
        return None;
    }
    let (name, value) = text.split_once(':')?;
    let name = name.trim().to_ascii_lowercase();
    let value = value.trim();
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        || !allowed(&name)
        || value.is_empty()
        || value.chars().any(char::is_control)
    {
        return None;
    }
    let lower = value.to_ascii_lowercase();
    if UNSAFE.iter().any(|bad| lower.contains(bad)) {
        return None;
    }
    // Nothing leaves the mail's own place in the window.
    if name == "position" {
        let plain = lower.trim_end_matches("!important").trim();
        if plain != "static" && plain != "relative" {
            return None;
        }
    }
    Some(format!("{name}: {value}"))
}

/// Splits at `separator` outside quotes and parentheses.
fn split_top(text: &str, separator: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut quote, mut start) = (0usize, None::<char>, 0usize);
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => depth = depth.saturating_sub(1),
            (None, c) if c == separator && depth == 0 => {
                parts.push(&text[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// The text without `/* … */` comments (an unclosed one runs to the end).
fn without_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        match rest[start + 2..].find("*/") {
            Some(end) => rest = &rest[start + 2 + end + 2..],
            None => rest = "",
        }
        out.push(' ');
    }
    out.push_str(rest);
    out
}

/// A `style` attribute's declarations, as kept ('' when none is).
pub fn declarations(text: &str) -> String {
    if text.len() > MAX_CSS {
        return String::new();
    }
    let text = without_comments(text);
    split_top(&text, ';')
        .into_iter()
        .filter_map(declaration)
        .collect::<Vec<_>>()
        .join("; ")
}

/// A selector that can be kept: no `<` (nothing can close the element), escapes, at-signs or
/// braces; `>` is the child combinator.
fn selector(text: &str) -> Option<&str> {
    let text = text.trim();
    let ok = !text.is_empty()
        && text.len() <= MAX_PART
        && !text.chars().any(|c| {
            matches!(c, '<' | '@' | '\\' | '{' | '}' | ';') || c.is_control() && !c.is_whitespace()
        })
        && !text.to_ascii_lowercase().contains("url(");
    ok.then_some(text)
}

/// A `@media` prelude that can be kept: media types, features and numbers only.
fn media(text: &str) -> Option<&str> {
    let text = text.trim();
    let ok = text.len() <= MAX_PART
        && text.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(
                    c,
                    ' ' | '(' | ')' | ':' | ',' | '.' | '-' | '\t' | '\n' | '\r'
                )
        });
    ok.then_some(text)
}

/// The end of the block that starts after `open` (the index of its `}`), or `None`.
fn block_end(text: &str, open: usize) -> Option<usize> {
    let (mut depth, mut quote) = (0usize, None::<char>);
    for (i, c) in text[open..].char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '{') => depth += 1,
            (None, '}') => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(open + i);
                }
            }
            _ => {}
        }
    }
    None
}

fn rules(text: &str, nested: bool, out: &mut String) {
    let mut rest = text;
    loop {
        rest = rest.trim_start();
        if rest.is_empty() || out.len() > MAX_CSS {
            return;
        }
        // Stray closing braces (broken sheets) are skipped.
        if let Some(after) = rest.strip_prefix('}') {
            rest = after;
            continue;
        }
        let brace = rest.find('{');
        let semicolon = rest.find(';');
        if rest.starts_with('@') {
            match (brace, semicolon) {
                // A statement (@import, @charset, @namespace): never kept.
                (b, Some(s)) if b.is_none_or(|b| s < b) => {
                    rest = &rest[s + 1..];
                    continue;
                }
                (Some(b), _) => {
                    let Some(end) = block_end(rest, b) else {
                        return;
                    };
                    let prelude = &rest[1..b];
                    let name: String = prelude
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                        .collect::<String>()
                        .to_ascii_lowercase();
                    if name == "media" && !nested {
                        if let Some(query) = media(&prelude[name.len()..]) {
                            let mut inner = String::new();
                            rules(&rest[b + 1..end], true, &mut inner);
                            if !inner.is_empty() {
                                out.push_str(&format!("@media {query} {{\n{inner}}}\n"));
                            }
                        }
                    }
                    // @font-face, @import with a block, @keyframes, @page, …: left out.
                    rest = &rest[end + 1..];
                }
                _ => return,
            }
            continue;
        }
        let Some(b) = brace else { return };
        let Some(end) = block_end(rest, b) else {
            return;
        };
        if let Some(selector) = selector(&rest[..b]) {
            let kept = declarations(&rest[b + 1..end]);
            if !kept.is_empty() {
                out.push_str(&format!("{selector} {{ {kept} }}\n"));
            }
        }
        rest = &rest[end + 1..];
    }
}

/// A `<style>` element's sheet, as kept ('' when nothing is).
pub fn stylesheet(text: &str) -> String {
    if text.len() > MAX_CSS {
        return String::new();
    }
    let text = without_comments(text)
        // `<!-- -->` around old sheets.
        .replace("<!--", " ")
        .replace("-->", " ");
    let mut out = String::new();
    rules(&text, false, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presentation_is_kept() {
        assert_eq!(
            declarations("color:#333; BACKGROUND-COLOR: #fafafa;font-family:'Segoe UI', Arial; font-size:14px;direction:rtl;text-align:right"),
            "color: #333; background-color: #fafafa; font-family: 'Segoe UI', Arial; font-size: 14px; direction: rtl; text-align: right"
        );
        assert_eq!(
            declarations("border-collapse:collapse; border:1px solid #ddd !important; padding:8px 12px; width:600px; max-width:100%; position: relative"),
            "border-collapse: collapse; border: 1px solid #ddd !important; padding: 8px 12px; width: 600px; max-width: 100%; position: relative"
        );
        assert_eq!(
            declarations("background: linear-gradient(#fff, #eee); mso-line-height-rule: exactly; line-height: 1.4"),
            "background: linear-gradient(#fff, #eee); line-height: 1.4"
        );
    }

    #[test]
    fn nothing_that_fetches_runs_or_covers_survives() {
        for hostile in [
            "background: url(https://tracker.example/p.gif)",
            "background-image:URL( 'https://t.example/x' )",
            "background: u\\72l(https://t.example/x)",
            "width: expression(alert(1))",
            "behavior: url(x.htc)",
            "-moz-binding: url(x.xml#b)",
            "background: image-set('x.png' 1x)",
            "list-style: url(x)",
            "position: fixed; top: 0",
            "position: absolute",
            "position:FIXED!important",
            "content: 'x'",
            "cursor: url(x), auto",
            "z-index: 9999",
            "font-family: a</style><script>",
            "color: red\u{0}",
            "transform: scale(10)",
            "filter: blur(0)",
            "src: url(x)",
        ] {
            let kept = declarations(hostile);
            for bad in [
                "url",
                "expression",
                "fixed",
                "absolute",
                "content",
                "<",
                "z-index",
                "transform",
                "binding",
            ] {
                assert!(
                    !kept.to_ascii_lowercase().contains(bad),
                    "{hostile:?} kept {kept:?}"
                );
            }
        }
        // The safe part of a mixed attribute stays.
        assert_eq!(
            declarations("color: red; background: url(x); /* a comment */ font-weight: bold"),
            "color: red; font-weight: bold"
        );
        // Quotes and parentheses do not split declarations.
        assert_eq!(
            declarations("font-family: \"A;B\", serif; color: rgb(1, 2, 3)"),
            "font-family: \"A;B\", serif; color: rgb(1, 2, 3)"
        );
    }

    #[test]
    fn a_style_sheet_keeps_its_rules_and_media_queries_and_nothing_else() {
        let sheet = stylesheet(
            r#"<!--
            @import url("https://t.example/x.css");
            @charset "utf-8";
            @font-face { font-family: X; src: url(https://t.example/f.woff) }
            body, .wrapper { background-color: #f4f4f4; margin: 0 }
            td.header > a:hover { color: #0b57d0; background: url(https://t.example/p) }
            .evil { position: fixed; top: 0; left: 0; width: 100% }
            @media only screen and (max-width: 600px) { .col { width: 100% !important } @media print { p { color: red } } }
            @keyframes spin { from { color: red } }
            p { color: red } } }
            -->"#,
        );
        assert_eq!(
            sheet,
            "body, .wrapper { background-color: #f4f4f4; margin: 0 }\n\
             td.header > a:hover { color: #0b57d0 }\n\
             .evil { top: 0; left: 0; width: 100% }\n\
             @media only screen and (max-width: 600px) {\n.col { width: 100% !important }\n}\n\
             p { color: red }\n"
        );
    }

    #[test]
    fn what_comes_out_never_closes_its_element() {
        for hostile in [
            "p { color: red } </style><script>alert(1)</script>",
            "p[title='</style>'] { color: red }",
            "@media screen { </style> p { color: red } }",
            "p { font-family: '</style>' }",
            "a { color: red",
            "{{{{",
            "}}}}",
            "@media",
            "@media screen { p { color: red }",
        ] {
            let kept = stylesheet(hostile).to_ascii_lowercase();
            assert!(!kept.contains('<'), "{hostile:?} kept {kept:?}");
        }
    }

    #[test]
    fn huge_or_deep_input_is_bounded() {
        let deep = "@media screen {".repeat(10_000);
        assert_eq!(stylesheet(&deep), "");
        let long = "p { color: red }\n".repeat(20_000);
        assert!(stylesheet(&long).len() <= MAX_CSS + MAX_PART);
        assert_eq!(declarations(&"color: red;".repeat(100_000)), "");
    }
}
