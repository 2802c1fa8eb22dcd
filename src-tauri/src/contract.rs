//! The contract between the core and the window, generated: `ui/src/backend/contract.ts` holds
//! the TypeScript of every type that crosses (from the core's DTOs, with `ts-rs`) and the table
//! of Tauri commands (from the signatures in `commands.rs`: a command's name is the API
//! method's, its arguments and result the method's). The test below writes nothing unless told
//! (`SATU_BLESS=1`); otherwise it fails when the file is stale, so a change on the Rust side
//! that the window does not know of cannot land.
//!
//! Why `ts-rs` and not `specta`/`tauri-specta`: measured on this tree, `ts-rs` 12 is a stable
//! release that reads the serde attributes already there (`rename`, `tag`, `flatten`,
//! `skip_serializing_if`) and adds one small proc-macro crate to the build; `specta` and
//! `tauri-specta` have been release candidates (2.0.0-rc.27 and rc.26) for long, change their
//! API between candidates, and would wrap every command in their macro. The command table is
//! simple enough to read from `commands.rs` itself, which stays plain Tauri.

#[cfg(test)]
mod tests {
    use satu_core::api::LinkDecision;
    use satu_core::dto::*;
    use satu_core::{ApiError, ErrorCode};
    use ts_rs::{Config, TS};

    /// The generated file, from the repository's root.
    const OUT: &str = "ui/src/backend/contract.ts";

    /// Every type of the contract, as TypeScript declarations, in a stable order.
    fn declarations(cfg: &Config) -> Vec<String> {
        macro_rules! all {
            ($($t:ty),+ $(,)?) => { vec![$(format!("export {}", <$t as TS>::decl(cfg))),+] };
        }
        all![
            ItemKind,
            AccountKind,
            Security,
            ChangeKind,
            TodoStatus,
            OpKind,
            OpState,
            LiveState,
            LiveMode,
            ChatState,
            Membership,
            OutboxState,
            InvitationAnswer,
            DiscoverySource,
            AuthMethod,
            ErrorCode,
            ApiError,
            Person,
            Item,
            Todo,
            EventBrief,
            ChatBrief,
            ChatQuote,
            SettingValue,
            Attachment,
            ItemDetail,
            Authentication,
            DkimCheck,
            SpfCheck,
            DmarcCheck,
            ArcCheck,
            SenderWarning,
            DomainReport,
            Rule,
            RuleRun,
            DomainFinding,
            DeliveryTest,
            Activity,
            Invitation,
            Account,
            ServerSettings,
            CaldavFound,
            DiscoveryStep,
            Discovered,
            Counts,
            SnoozeTime,
            Identity,
            Contact,
            PrintLabels,
            Unsubscribed,
            IdentityInput,
            AccountCounts,
            FolderCount,
            AccountInput,
            TimelineQuery,
            SearchQuery,
            ImportReport,
            IndexReport,
            DownloadProgress,
            Health,
            HealthIndicator,
            AccountHealth,
            FailureCount,
            HealthPoint,
            FolderCoverage,
            SelfDiagnosis,
            BackupCounts,
            BackupReport,
            BackupProgress,
            AccountName,
            RestoreReport,
            BackupInfo,
            BackupSchedule,
            ExportReport,
            AuditRecord,
            AuditQuery,
            AuditCheck,
            ExportedFolder,
            ExportProgress,
            Diagnosis,
            Finding,
            Folder,
            FolderInfo,
            SyncReport,
            TaskSyncCounts,
            ChatSyncCounts,
            ChangeEvent,
            ActionReport,
            PendingOp,
            Progress,
            LiveStatus,
            EventOccurrence,
            Attendee,
            EventDetail,
            EventInput,
            IcsImportReport,
            CaldavInput,
            CalendarInfo,
            SendInput,
            FileData,
            OutboxEntry,
            Draft,
            ChatRoom,
            MatrixInput,
            HistoryReport,
            ViewQuery,
            ViewPage,
            ViewDiffs,
            Diff<Item>,
            LinkDecision,
        ]
    }

    /// A Tauri command as `commands.rs` declares it.
    #[derive(Debug)]
    struct Command {
        name: String,
        /// (argument name as the window sends it, Rust type)
        args: Vec<(String, String)>,
        /// The Rust type of its result (`()` for none), without `Result<…, ApiError>`.
        output: String,
    }

    /// The commands of `commands.rs`, in order. The file is formatted by rustfmt, so a command
    /// is `#[tauri::command]`, then `pub [async] fn name(args) [-> T] {`.
    fn commands(source: &str) -> Vec<Command> {
        let mut out = Vec::new();
        for chunk in source.split("#[tauri::command]").skip(1) {
            let after_fn = chunk
                .split_once("fn ")
                .map(|(_, rest)| rest)
                .expect("a command is a fn");
            let (name, rest) = after_fn.split_once('(').expect("arguments");
            let name = name.split('<').next().unwrap_or(name).trim().to_owned();
            // The arguments run to the matching parenthesis.
            let mut depth = 1;
            let mut end = 0;
            for (i, c) in rest.char_indices() {
                match c {
                    '(' | '<' => depth += 1,
                    ')' | '>' => depth -= 1,
                    _ => {}
                }
                if depth == 0 {
                    end = i;
                    break;
                }
            }
            let args_text = &rest[..end];
            let signature_rest = &rest[end + 1..];
            let output = match signature_rest.split_once('{') {
                Some((head, _)) => head.trim().trim_start_matches("->").trim().to_owned(),
                None => String::new(),
            };
            let output = output
                .strip_prefix("Result<")
                .and_then(|o| o.strip_suffix(", ApiError>"))
                .map(str::to_owned)
                .unwrap_or(if output.is_empty() {
                    "()".to_owned()
                } else {
                    output
                });
            let mut args = Vec::new();
            for arg in split_top_level(args_text) {
                let Some((arg_name, ty)) = arg.split_once(':') else {
                    continue;
                };
                let ty = ty.trim();
                if ty.starts_with("State<")
                    || ty.starts_with("AppHandle")
                    || ty.starts_with("tauri::")
                {
                    continue;
                }
                args.push((camel(arg_name.trim()), ty.to_owned()));
            }
            out.push(Command { name, args, output });
        }
        out
    }

    /// `a: A, b: Option<(B, C)>` split at the commas outside brackets.
    fn split_top_level(text: &str) -> Vec<String> {
        let mut parts = Vec::new();
        let (mut depth, mut current) = (0, String::new());
        for c in text.chars() {
            match c {
                '<' | '(' | '[' => depth += 1,
                '>' | ')' | ']' => depth -= 1,
                ',' if depth == 0 => {
                    parts.push(std::mem::take(&mut current));
                    continue;
                }
                _ => {}
            }
            current.push(c);
        }
        parts.push(current);
        parts
            .into_iter()
            .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|p| !p.is_empty())
            .collect()
    }

    /// Tauri's name for an argument in the window: camelCase.
    fn camel(name: &str) -> String {
        let mut out = String::new();
        let mut upper = false;
        for c in name.chars() {
            if c == '_' {
                upper = true;
            } else if upper {
                out.extend(c.to_uppercase());
                upper = false;
            } else {
                out.push(c);
            }
        }
        out
    }

    /// The TypeScript of a Rust type as it crosses in JSON.
    fn typescript(rust: &str) -> String {
        let rust = rust.trim();
        if let Some(inner) = rust
            .strip_prefix("Option<")
            .and_then(|r| r.strip_suffix('>'))
        {
            return format!("{} | null", typescript(inner));
        }
        if let Some(inner) = rust.strip_prefix("Vec<").and_then(|r| r.strip_suffix('>')) {
            let inner = typescript(inner);
            return if inner.contains(' ') {
                format!("Array<{inner}>")
            } else {
                format!("{inner}[]")
            };
        }
        match rust {
            "i64" | "i32" | "u64" | "u32" | "u16" | "usize" | "f64" => "number".into(),
            "String" | "&str" | "PathBuf" => "string".into(),
            "bool" => "boolean".into(),
            "()" => "null".into(),
            other => other.to_owned(),
        }
    }

    fn render(commands: &[Command]) -> String {
        let cfg = Config::new().with_large_int("number");
        let mut out = String::from(
            "// Generated by src-tauri/src/contract.rs from the core's types and src-tauri/src/commands.rs.\n\
             // Do not edit: change the Rust side, then `SATU_BLESS=1 cargo test -p satu-app contract`.\n\n",
        );
        for declaration in declarations(&cfg) {
            out.push_str(&declaration);
            out.push_str("\n\n");
        }
        out.push_str(
            "/** Calls a Tauri command (the window's backend gives `invoke`). */\n\
             export type Invoke = <T>(command: string, args?: Record<string, unknown>) => Promise<T>;\n\n\
             /** Every command of the window, by its API name, typed. */\n\
             export function commands(invoke: Invoke) {\n  return {\n",
        );
        for command in commands {
            let params: Vec<String> = command
                .args
                .iter()
                .map(|(name, ty)| format!("{name}: {}", typescript(ty)))
                .collect();
            let names: Vec<&str> = command.args.iter().map(|(n, _)| n.as_str()).collect();
            let args = if names.is_empty() {
                String::new()
            } else {
                format!(", {{ {} }}", names.join(", "))
            };
            out.push_str(&format!(
                "    {}: ({}) => invoke<{}>('{}'{}),\n",
                command.name,
                params.join(", "),
                typescript(&command.output),
                command.name,
                args
            ));
        }
        out.push_str("  };\n}\n\n/** The commands' names. */\nexport type CommandName = keyof ReturnType<typeof commands>;\n");
        out
    }

    #[test]
    fn the_generated_contract_is_fresh() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let source = std::fs::read_to_string(root.join("src-tauri/src/commands.rs"))
            .expect("read commands.rs");
        let commands = commands(&source);
        assert!(commands.len() > 50, "{} commands read", commands.len());
        let fresh = render(&commands);
        let path = root.join(OUT);
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if std::env::var_os("SATU_BLESS").is_some() {
            std::fs::write(&path, &fresh).expect("write the contract");
            return;
        }
        assert!(
            current == fresh,
            "{OUT} is stale: the Rust side of the contract changed. Run \
             `SATU_BLESS=1 cargo test -p satu-app contract` and commit the file"
        );
    }

    /// The commands of `satu serve --dev`'s table (`crates/cli/src/serve.rs`): an entry starts a
    /// line with four spaces and `name(arguments) =>`.
    fn served(source: &str) -> Vec<(String, Vec<(String, String)>)> {
        let table = source
            .split_once("commands! {\n    satu;\n")
            .map(|(_, rest)| rest)
            .expect("serve.rs has the table");
        let mut out = Vec::new();
        for line in table.lines() {
            let Some(entry) = line.strip_prefix("    ") else {
                continue;
            };
            let Some((name, rest)) = entry.split_once('(') else {
                continue;
            };
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                continue;
            }
            let Some((args, _)) = rest.split_once(") =>") else {
                continue;
            };
            let args = split_top_level(args)
                .into_iter()
                .filter_map(|arg| {
                    let (name, ty) = arg.split_once(':')?;
                    Some((camel(name.trim()), ty.trim().to_owned()))
                })
                .collect();
            out.push((name.to_owned(), args));
        }
        out
    }

    /// The browser's dev server (`satu serve --dev`) has exactly the window's commands, with the
    /// same arguments, so the UI in a browser runs against the real core as in the app.
    #[test]
    fn the_dev_server_serves_every_command_of_the_window() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let read = |path: &str| std::fs::read_to_string(root.join(path)).expect(path);
        let mut window: Vec<(String, Vec<(String, String)>)> =
            commands(&read("src-tauri/src/commands.rs"))
                .into_iter()
                .map(|c| (c.name, c.args))
                .collect();
        let mut served = served(&read("crates/cli/src/serve.rs"));
        assert!(served.len() > 50, "{} served commands read", served.len());
        window.sort();
        served.sort();
        assert_eq!(window, served);
    }

    /// The window may call exactly its commands (one `allow-COMMAND` each in the capability)
    /// and listen to events; nothing else is granted (no emitting, no window or path commands).
    #[test]
    fn the_window_is_granted_exactly_its_commands() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let source = std::fs::read_to_string(root.join("src-tauri/src/commands.rs"))
            .expect("read commands.rs");
        let capability: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(root.join("src-tauri/capabilities/default.json"))
                .expect("read the capability"),
        )
        .expect("JSON");
        let mut granted: Vec<String> = capability["permissions"]
            .as_array()
            .expect("permissions")
            .iter()
            .map(|p| p.as_str().expect("a name").to_owned())
            .collect();
        let mut wanted: Vec<String> = commands(&source)
            .into_iter()
            .map(|c| format!("allow-{}", c.name.replace('_', "-")))
            .chain([
                "core:event:allow-listen".into(),
                "core:event:allow-unlisten".into(),
            ])
            .collect();
        granted.sort();
        wanted.sort();
        assert_eq!(granted, wanted);
        assert_eq!(capability["windows"], serde_json::json!(["main"]));
    }

    #[test]
    fn commands_are_read_with_their_arguments_and_results() {
        let source = "#[tauri::command]\npub async fn mark(\n    satu: State<'_, Satu>,\n    id: i64,\n    keep_here: Option<bool>,\n) -> Result<ActionReport, ApiError> {\n}\n#[tauri::command]\npub fn painted() {\n}\n#[tauri::command]\npub fn live_status(satu: State<'_, Satu>) -> Vec<LiveStatus> {\n}\n";
        let read = commands(source);
        assert_eq!(read.len(), 3);
        assert_eq!(read[0].name, "mark");
        assert_eq!(
            read[0].args,
            [
                ("id".to_owned(), "i64".to_owned()),
                ("keepHere".to_owned(), "Option<bool>".to_owned())
            ]
        );
        assert_eq!(read[0].output, "ActionReport");
        assert_eq!(
            (read[1].name.as_str(), read[1].output.as_str()),
            ("painted", "()")
        );
        assert_eq!(read[2].output, "Vec<LiveStatus>");
        assert_eq!(typescript("Option<Vec<Item>>"), "Item[] | null");
        assert_eq!(typescript("Vec<Option<i64>>"), "Array<number | null>");
    }
}
