//! HTML sanitizing: the second layer of defence behind the sandboxed, script-less frame the UI
//! renders mail in. Scripts, event handlers, forms, frames, objects and `javascript:` URLs never
//! survive; links get `rel="noopener noreferrer"`. Mail keeps its look: `style` attributes and
//! `<style>` sheets pass through the CSS filter ([`crate::css`]: presentation only, nothing that
//! fetches or covers), and `dir`, `lang` and the table and layout attributes stay. `data:` URLs
//! are allowed in image sources only, and images keep `cid:`, `data:image/`, `http:` and `https:`
//! sources: remote images (tracking pixels, most often) stay in the stored HTML so that the user
//! can choose to load them, and the window blocks them until then (it renders them inert, and the
//! frame's Content-Security-Policy forbids remote loads).

use std::collections::HashSet;

/// Sanitizes mail HTML.
pub fn sanitize_html(html: &str) -> String {
    let presentational: HashSet<&str> = [
        "align",
        "bgcolor",
        "background-color",
        "border",
        "cellpadding",
        "cellspacing",
        "color",
        "height",
        "valign",
        "width",
        "style",
        "dir",
        "lang",
        "class",
        "id",
    ]
    .into_iter()
    .collect();
    let cleaned = ammonia::Builder::default()
        .add_generic_attributes(presentational)
        .add_tags(["center", "font", "style"])
        // Script content goes; so does the document's <title> (not part of the message body);
        // <style> stays for the CSS filter below.
        .clean_content_tags(["script", "title"].into_iter().collect())
        .add_tag_attributes("font", ["face", "size"])
        .add_tag_attributes("table", ["frame", "rules", "summary"])
        .add_tag_attributes("td", ["nowrap", "background-color"])
        .url_schemes(
            ["http", "https", "mailto", "cid", "data"]
                .into_iter()
                .collect(),
        )
        .link_rel(Some("noopener noreferrer"))
        .attribute_filter(|element, attribute, value| {
            if attribute == "style" {
                let kept = crate::css::declarations(value);
                return (!kept.is_empty()).then(|| kept.into());
            }
            // Markup in an attribute stays text, but a `<style` there would be mistaken for the
            // element when the sheets are filtered below: such values go.
            if value.to_ascii_lowercase().contains("style") && value.contains('<') {
                return None;
            }
            let url = value.trim_start().to_ascii_lowercase();
            let keep = match (element, attribute) {
                ("img", "src") => {
                    url.starts_with("cid:")
                        || url.starts_with("data:image/")
                        || url.starts_with("http:")
                        || url.starts_with("https:")
                }
                (_, "src" | "href" | "cite" | "longdesc") => !url.starts_with("data:"),
                _ => true,
            };
            keep.then(|| value.into())
        })
        .clean(html)
        .to_string();
    let sheets = filter_sheets(&cleaned);
    // The document's own direction, language and body style (on <html> or <body>, which a
    // fragment loses) hold for all of it: an Arabic mail stays right to left, a newsletter keeps
    // its background.
    let (dir, lang, style) = document_attributes(html);
    if dir.is_none() && lang.is_none() && style.is_empty() {
        return sheets;
    }
    let mut open = String::from("<div");
    if let Some(dir) = dir {
        open.push_str(&format!(" dir=\"{dir}\""));
    }
    if let Some(lang) = lang {
        open.push_str(&format!(" lang=\"{lang}\""));
    }
    if !style.is_empty() {
        open.push_str(&format!(" style=\"{}\"", style.replace('"', "&quot;")));
    }
    format!("{open}>{sheets}</div>")
}

/// At most the first `max` bytes of `text`, ending on a character boundary (mail in Chinese or
/// Thai has many three-byte characters; a cut inside one would panic).
fn prefix(text: &str, max: usize) -> &str {
    let mut end = max.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// `dir` (ltr, rtl or auto) and `lang` (a language tag) of the first `<html>` or `<body>` tag
/// that has them, and the body's style (its `style` through the CSS filter, its `bgcolor`), from
/// the raw HTML (before the sanitizer drops those tags).
fn document_attributes(html: &str) -> (Option<&'static str>, Option<String>, String) {
    let (mut dir, mut lang, mut style) = (None, None, Vec::new());
    for tag in ["<html", "<body"] {
        let Some(at) = find_ci(prefix(html, 64 * 1024), tag) else {
            continue;
        };
        let rest = &html[at + tag.len()..];
        let attrs = prefix(rest, rest.find('>').unwrap_or(rest.len()).min(4096));
        if dir.is_none() {
            dir = attribute(attrs, "dir").and_then(|v| match v.to_ascii_lowercase().as_str() {
                "rtl" => Some("rtl"),
                "ltr" => Some("ltr"),
                "auto" => Some("auto"),
                _ => None,
            });
        }
        if lang.is_none() {
            lang = attribute(attrs, "lang")
                .filter(|v| {
                    !v.is_empty()
                        && v.len() <= 35
                        && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                })
                .map(str::to_owned);
        }
        if tag == "<body" {
            if let Some(color) = attribute(attrs, "bgcolor").filter(|c| {
                !c.is_empty()
                    && c.len() <= 32
                    && c.chars().all(|c| c.is_ascii_alphanumeric() || c == '#')
            }) {
                style.push(format!("background-color: {color}"));
            }
            if let Some(css) = attribute(attrs, "style") {
                let kept = crate::css::declarations(css);
                if !kept.is_empty() {
                    style.push(kept);
                }
            }
        }
    }
    (dir, lang, style.join("; "))
}

/// The value of attribute `name` in a tag's attribute text (quoted or not).
fn attribute<'a>(attrs: &'a str, name: &str) -> Option<&'a str> {
    let lower = attrs.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find(name).map(|i| from + i) {
        from = i + name.len();
        let before_ok = i == 0 || lower.as_bytes()[i - 1].is_ascii_whitespace();
        let after = lower[from..].trim_start();
        if !before_ok || !after.starts_with('=') {
            continue;
        }
        let value_at = attrs.len() - after.len() + 1;
        let value = attrs[value_at..].trim_start();
        return Some(match value.chars().next() {
            Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or(""),
            _ => value
                .split(|c: char| c.is_whitespace() || c == '/')
                .next()
                .unwrap_or(""),
        });
    }
    None
}

/// The sanitized HTML with each `<style>` element's sheet passed through the CSS filter. The
/// serializer wrote the element's text raw, then `</style>`; attribute values cannot hold
/// `<style` (filtered above) and text elsewhere is escaped, so every `<style` here is an element.
/// Its text cannot hold `</style>` (the parser would have ended the element there) but can hold
/// look-alikes such as `</style.`: only the exact `</style>` ends it.
fn filter_sheets(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    loop {
        let Some(start) = find_ci(rest, "<style") else {
            out.push_str(rest);
            return out;
        };
        let Some(open_end) = rest[start..].find('>').map(|i| start + i + 1) else {
            out.push_str(&rest[..start]);
            return out;
        };
        let close = find_ci(&rest[open_end..], "</style>").map(|i| open_end + i);
        let sheet = crate::css::stylesheet(&rest[open_end..close.unwrap_or(rest.len())]);
        out.push_str(&rest[..start]);
        if !sheet.is_empty() {
            out.push_str("<style>");
            out.push_str(&sheet);
            out.push_str("</style>");
        }
        let Some(close) = close else { return out };
        rest = &rest[close + "</style>".len()..];
    }
}

/// Where `needle` (ASCII, lowercase) first occurs in `haystack`, in any case.
fn find_ci(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .as_bytes()
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::sanitize_html;

    #[test]
    fn a_long_mail_in_chinese_or_thai_is_read_whole_whatever_falls_at_64_kib() {
        // The 64 KiB look for <html>/<body> and the 4 KiB of a tag's attributes cut inside
        // three-byte characters at every offset.
        for pad in 0..3 {
            let text = format!(
                "<html lang=\"zh\"><body><p>{}{}</p></body></html>",
                "x".repeat(pad),
                "表".repeat(30_000)
            );
            let clean = sanitize_html(&text);
            assert!(clean.contains("表表表"), "{pad}");
            let open = format!("<body style=\"color:red\" {}", "移".repeat(2_000));
            let _ = sanitize_html(&open);
        }
        assert_eq!(super::prefix("a表", 2), "a");
        assert_eq!(super::prefix("a表", 4), "a表");
        assert_eq!(super::prefix("", 4), "");
    }

    #[test]
    fn removes_everything_that_runs_or_submits() {
        let hostile = r#"<p onclick="alert(1)">Hi</p><script>window.canary=1</script>
            <a href="javascript:alert(1)">x</a><form action="https://evil.example"><input name=p></form>
            <iframe srcdoc="<script>1</script>"></iframe><object data="x"></object><embed src="y">
            <svg onload="alert(1)"><script>1</script></svg><meta http-equiv="refresh" content="0;url=https://evil.example">
            <base href="https://evil.example/"><img src="x" onerror="alert(1)">
            <a href="data:text/html,x">d</a>
            <p style="background: url(https://tracker.example/bg)">s</p>"#;
        let clean = sanitize_html(hostile).to_lowercase();
        for bad in [
            "<script",
            "onclick",
            "onerror",
            "onload",
            "javascript:",
            "<form",
            "<input",
            "<iframe",
            "<object",
            "<embed",
            "<svg",
            "<meta",
            "<base",
            "tracker.example",
            "data:text",
            "url(",
        ] {
            assert!(!clean.contains(bad), "{bad} survived: {clean}");
        }
        assert!(clean.contains("hi"));
    }

    #[test]
    fn keeps_ordinary_formatting_and_marks_links() {
        let clean = sanitize_html(
            r#"<table width="100%"><tr><td align="center"><b>Bold</b> <a href="https://example.com">link</a></td></tr></table>"#,
        );
        assert!(clean.contains("<b>Bold</b>"));
        assert!(clean.contains(r#"width="100%""#));
        assert!(clean.contains(r#"rel="noopener noreferrer""#));
    }

    #[test]
    fn keeps_remote_image_sources_for_the_window_to_block_or_load() {
        let clean = sanitize_html(
            r#"<img src="https://tracker.example/p.gif" width="1"><img src="ftp://x/y.png"><img src="//cdn.example/z.png">"#,
        );
        assert!(
            clean.contains(r#"src="https://tracker.example/p.gif""#),
            "{clean}"
        );
        assert!(!clean.contains("ftp:"), "{clean}");
        assert!(!clean.contains("cdn.example"), "{clean}");
    }

    #[test]
    fn keeps_inline_and_embedded_images() {
        let clean = sanitize_html(
            r#"<img src="cid:logo@x" alt="logo"><img src="data:image/png;base64,iVBO">"#,
        );
        assert!(clean.contains(r#"src="cid:logo@x""#), "{clean}");
        assert!(
            clean.contains(r#"src="data:image/png;base64,iVBO""#),
            "{clean}"
        );
    }

    #[test]
    fn mail_keeps_its_look_its_direction_and_its_style_sheet() {
        let clean = sanitize_html(
            r##"<html><head><title>Newsletter 12</title><style type="text/css">
                .btn { background-color: #0b57d0; color: #fff; padding: 10px 16px }
                @import url(https://tracker.example/x.css);
                @media (max-width: 600px) { .col { width: 100% !important } }
            </style></head>
            <body dir="rtl" lang="ar" bgcolor="#f4f4f4" style="margin:0;background-image:url(https://tracker.example/b)"><table class="col" style="width:600px;border-collapse:collapse;background:url(https://tracker.example/bg.png)">
            <tr><td dir="rtl" style="font-size:18px;color:#222;position:fixed">مرحبا</td></tr></table>
            <a class="btn" href="https://example.com" style="display:inline-block">Go</a></body></html>"##,
        );
        for kept in [
            ".btn { background-color: #0b57d0; color: #fff; padding: 10px 16px }",
            "@media (max-width: 600px) {",
            r#"style="width: 600px; border-collapse: collapse""#,
            r#"style="font-size: 18px; color: #222""#,
            r#"dir="rtl""#,
            r#"<div dir="rtl" lang="ar" style="background-color: #f4f4f4; margin: 0">"#,
            r#"class="btn""#,
            r#"style="display: inline-block""#,
        ] {
            assert!(clean.contains(kept), "{kept} is gone: {clean}");
        }
        for gone in [
            "tracker.example",
            "@import",
            "fixed",
            "url(",
            "Newsletter 12",
        ] {
            assert!(!clean.contains(gone), "{gone} survived: {clean}");
        }
    }

    #[test]
    fn no_style_sheet_trick_leaves_markup_behind() {
        for hostile in [
            r#"<style>p { color: red }</style><p title="<style>">x</p></style><script>alert(1)</script>"#,
            r#"<style>p { color: red } </style ><img src=x onerror=alert(1)>"#,
            r#"<style><!-- p { color: red } --></style><style></style><style>"#,
            r#"<p title="</style><script>alert(1)</script>">x</p><style>p{color:red}</style>"#,
            r#"<svg><style>p{color:red}</style></svg><math><style>a{}</style></math>"#,
            r#"<style>@media screen { </style><script>alert(1)</script> }</style>"#,
            // Found by the fuzzer: a closing tag that is not one leaves the rest of the document
            // inside the element, a script look-alike included.
            "<style>p { color: red }</style.\n<link href=x><script>document.cookie</script></body></html>",
            "<style>a{}</style\t<script>x</script>",
        ] {
            let clean = sanitize_html(hostile).to_ascii_lowercase();
            for bad in ["<script", "onerror", "alert(1)</"] {
                assert!(!clean.contains(bad), "{hostile}: {bad} survived in {clean}");
            }
            // Every sheet that is left is one the CSS filter made.
            let mut rest = clean.as_str();
            while let Some(at) = rest.find("<style>") {
                let end = rest[at..].find("</style>").expect("closed") + at;
                assert!(!rest[at + 7..end].contains('<'), "{clean}");
                rest = &rest[end + 8..];
            }
        }
    }
}
