//! HTML sanitizing: the second layer of defence behind the sandboxed, script-less frame the UI
//! renders mail in. Scripts, event handlers, forms, frames, objects and `javascript:` URLs never
//! survive; links get `rel="noopener noreferrer"`.

use std::collections::HashSet;

/// Sanitizes mail HTML.
pub fn sanitize_html(html: &str) -> String {
    let presentational: HashSet<&str> = [
        "align",
        "bgcolor",
        "border",
        "cellpadding",
        "cellspacing",
        "color",
        "height",
        "valign",
        "width",
    ]
    .into_iter()
    .collect();
    ammonia::Builder::default()
        .add_generic_attributes(presentational)
        .add_tags(["center", "font"])
        .add_tag_attributes("font", ["face", "size"])
        .url_schemes(
            ["http", "https", "mailto", "cid", "data"]
                .into_iter()
                .collect(),
        )
        .link_rel(Some("noopener noreferrer"))
        .clean(html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::sanitize_html;

    #[test]
    fn removes_everything_that_runs_or_submits() {
        let hostile = r#"<p onclick="alert(1)">Hi</p><script>window.canary=1</script>
            <a href="javascript:alert(1)">x</a><form action="https://evil.example"><input name=p></form>
            <iframe srcdoc="<script>1</script>"></iframe><object data="x"></object><embed src="y">
            <svg onload="alert(1)"><script>1</script></svg><meta http-equiv="refresh" content="0;url=https://evil.example">
            <base href="https://evil.example/"><img src="x" onerror="alert(1)">"#;
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
}
