//! HTML sanitizing: the second layer of defence behind the sandboxed, script-less frame the UI
//! renders mail in. Scripts, event handlers, forms, frames, objects and `javascript:` URLs never
//! survive; links get `rel="noopener noreferrer"`. Styles (which can hold `url(…)`) are dropped,
//! `data:` URLs are allowed in image sources only, and images keep `cid:`, `data:image/`, `http:`
//! and `https:` sources: remote images (tracking pixels, most often) stay in the stored HTML so
//! that the user can choose to load them, and the window blocks them until then (it renders them
//! inert, and the frame's Content-Security-Policy forbids remote loads).

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
        .attribute_filter(|element, attribute, value| {
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
}
