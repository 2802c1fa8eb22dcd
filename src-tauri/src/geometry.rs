//! The main window's size and place, kept per data directory (`window.txt`: `x y width height
//! maximized`, logical pixels) and given back at the next start. Written a moment after the
//! window stops moving or resizing (not on every step of a drag), so it is there even when the
//! app is killed rather than closed. A value from another screen layout that no longer makes
//! sense (too small, far off) is ignored.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The window's size and place.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Geometry {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    pub maximized: bool,
}

/// The file it is kept in.
fn file(data_dir: &Path) -> PathBuf {
    data_dir.join("window.txt")
}

/// Reads `text` (`x y width height maximized`), keeping only what makes sense.
pub(crate) fn parse(text: &str) -> Option<Geometry> {
    let parts: Vec<&str> = text.split_whitespace().collect();
    let [x, y, width, height, maximized] = parts.as_slice() else {
        return None;
    };
    let number = |s: &str| s.parse::<f64>().ok().filter(|n| n.is_finite());
    let geometry = Geometry {
        x: number(x)?,
        y: number(y)?,
        width: number(width)?,
        height: number(height)?,
        maximized: *maximized == "1",
    };
    let far = 20_000.0;
    let sane = (720.0..=far).contains(&geometry.width)
        && (480.0..=far).contains(&geometry.height)
        && geometry.x.abs() <= far
        && geometry.y.abs() <= far;
    sane.then_some(geometry)
}

fn format(g: &Geometry) -> String {
    format!(
        "{} {} {} {} {}\n",
        g.x.round(),
        g.y.round(),
        g.width.round(),
        g.height.round(),
        u8::from(g.maximized)
    )
}

/// The kept geometry, if any.
pub(crate) fn load(data_dir: &Path) -> Option<Geometry> {
    parse(&std::fs::read_to_string(file(data_dir)).ok()?)
}

/// Keeps geometries a moment after the last change, in the background.
#[derive(Clone)]
pub(crate) struct Keeper {
    latest: Arc<Mutex<Option<Geometry>>>,
}

impl Keeper {
    /// A keeper writing into `data_dir`.
    pub(crate) fn new(data_dir: PathBuf) -> Keeper {
        let latest: Arc<Mutex<Option<Geometry>>> = Arc::default();
        let pending = latest.clone();
        std::thread::spawn(move || {
            let mut written: Option<Geometry> = None;
            loop {
                std::thread::sleep(Duration::from_millis(400));
                let now = pending.lock().ok().and_then(|g| *g);
                if let Some(geometry) = now.filter(|g| Some(*g) != written) {
                    // Whole or not at all: a crash mid-write leaves the old file.
                    let tmp = data_dir.join("window.txt.tmp");
                    let result = std::fs::write(&tmp, format(&geometry))
                        .and_then(|()| std::fs::rename(&tmp, file(&data_dir)));
                    match result {
                        Ok(()) => written = Some(geometry),
                        Err(e) => {
                            tracing::debug!(error = %e, "The window's size could not be kept.")
                        }
                    }
                }
            }
        });
        Keeper { latest }
    }

    /// The window now has `geometry`.
    pub(crate) fn set(&self, geometry: Geometry) {
        if let Ok(mut latest) = self.latest.lock() {
            *latest = Some(geometry);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_geometry_reads_back_and_nonsense_is_ignored() {
        let g = Geometry {
            x: 40.0,
            y: 60.0,
            width: 1000.0,
            height: 700.0,
            maximized: true,
        };
        assert_eq!(parse(&format(&g)), Some(g));
        for bad in [
            "",
            "1 2 3",
            "0 0 100 100 0",
            "0 0 1000 700",
            "NaN 0 1000 700 0",
            "0 0 99999 700 0",
            "0 -50000 1000 700 0",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
