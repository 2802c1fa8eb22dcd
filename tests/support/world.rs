//! The outside world of discovery and trust tests (tests/servers/discovery.sh): a DNS server
//! answering from a zone and an HTTPS server answering from files, on 127.0.0.1.

use std::collections::BTreeMap;
use std::process::{Command, Output};

use super::{repo, Dovecot, Satu};

/// The discovery servers, stopped on drop.
pub struct World {
    pub dir: tempfile::TempDir,
    vars: BTreeMap<String, String>,
}

impl World {
    /// Starts the world with `zone`, the web `files` (`HOST/PATH`, text), a certificate for
    /// `sans` (space-separated names) signed by `dovecot`'s CA.
    pub fn start(dovecot: &Dovecot, sans: &str, zone: &str, files: &[(&str, &str)]) -> World {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("zone.txt"), zone).expect("zone");
        for (path, text) in files {
            let path = dir.path().join("web").join(path);
            std::fs::create_dir_all(path.parent().expect("a folder")).expect("mkdir");
            std::fs::write(path, text).expect("web file");
        }
        let out = Command::new("bash")
            .arg(repo().join("tests/servers/discovery.sh"))
            .arg("start")
            .arg(dir.path())
            .env("CA_FROM", dovecot.dir.path())
            .env("SANS", sans)
            .output()
            .expect("run tests/servers/discovery.sh");
        assert!(
            out.status.success(),
            "the discovery servers did not start: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(dir.path().join("server.log")).unwrap_or_default()
        );
        let vars = super::key_values(&String::from_utf8_lossy(&out.stdout));
        World { dir, vars }
    }

    pub fn var(&self, name: &str) -> &str {
        &self.vars[name]
    }

    /// `satu ARGS` pointed at this world: its DNS, its HTTPS port, its ISPDB.
    pub fn satu(
        &self,
        satu: &Satu,
        args: &[&str],
        env: &[(&str, String)],
        stdin: Option<&str>,
    ) -> Output {
        let mut command = satu.command();
        command
            .args(args)
            .env(
                "SATU_DNS_SERVER",
                format!("127.0.0.1:{}", self.var("DNS_PORT")),
            )
            .env("SATU_DISCOVERY_PORT", self.var("HTTPS_PORT"))
            .env(
                "SATU_ISPDB_URL",
                format!("https://ispdb.test:{}/v1.1/", self.var("HTTPS_PORT")),
            )
            .env(
                "SATU_AUTODISCOVER_URL",
                format!(
                    "https://autodiscover.test:{}/autodiscover/autodiscover.json/v1.0/",
                    self.var("HTTPS_PORT")
                ),
            )
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())));
        match stdin {
            Some(text) => super::output_with_stdin(command, text),
            None => command.output().expect("run satu"),
        }
    }

    pub fn requests(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("requests.log")).unwrap_or_default()
    }
}

impl Drop for World {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(repo().join("tests/servers/discovery.sh"))
            .arg("stop")
            .arg(self.dir.path())
            .output();
    }
}
