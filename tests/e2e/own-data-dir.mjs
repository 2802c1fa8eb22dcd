// An app on a data directory of its own, with alice's account on a test Dovecot added by the
// CLI (`satu account add`): for the tests whose mail must not land in the store the other test
// files share. tauri-driver starts the binary it is given with this process's environment, so
// the app is started through a small wrapper that sets SATU_DATA_DIR.

import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Makes the data directory, adds alice@localhost on 127.0.0.1:`imapPort` (plain, loopback) and
 * returns `{ dataDir, application }`: the `application` to give `Session.start`.
 */
export function ownDataDir(name, imapPort) {
  const work = mkdtempSync(path.join(tmpdir(), `satu-e2e-${name}-`));
  const dataDir = path.join(work, 'data');
  mkdirSync(dataDir);
  const cli = path.join(path.dirname(process.env.SATU_APP_BIN), 'satu');
  execFileSync(
    cli,
    ['--data-dir', dataDir, '--json', 'account', 'add', '--email', 'alice@localhost', '--username', 'alice',
      '--imap', `127.0.0.1:${imapPort}`, '--smtp', `127.0.0.1:${imapPort}`, '--security', 'plain',
      '--password-stdin'],
    { input: 'alice-pass\n', stdio: ['pipe', 'ignore', 'inherit'] },
  );
  const application = path.join(work, 'satu-app');
  writeFileSync(application, `#!/bin/sh\nSATU_DATA_DIR='${dataDir}' exec '${process.env.SATU_APP_BIN}' "$@"\n`);
  chmodSync(application, 0o755);
  return { dataDir, application };
}
