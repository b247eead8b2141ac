import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { openServerDb } from '../db/open-server-db';
import { serverDbLocation } from '../db/server-engine';
import { UserAdminError, addUser, disableUser, resetPassword } from '../app/user-admin';

const USAGE = `Usage:
  npm run server:user -- add --db FILE|postgres://… --username NAME --full-name "NAME" --nip NIP --role ROLE [--office ID]
  npm run server:user -- disable --db FILE --username NAME
  npm run server:user -- reset-password --db FILE --username NAME

The password is read from standard input (asked twice, without echo, on a terminal; the first
line when piped), never from the command line, where other users of the computer can see it.
A new password has at least 12 characters of at least two kinds, does not contain the username
and is not a common or demo password. Disabling or resetting ends every session of the account.
--office names the official's office; it may be left out on a server that holds one office.`;

/** A line typed without echo, on a terminal; the first line of stdin otherwise. */
async function readPassword(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    let text = '';
    for await (const chunk of stdin) text += String(chunk);
    return text.split(/\r?\n/)[0] ?? '';
  }
  process.stdout.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let typed = '';
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') {
          stdin.off('data', onData);
          stdin.setRawMode(false);
          stdin.pause();
          process.stdout.write('\n');
          resolve(typed);
          return;
        }
        if (ch === '\u0003') {
          stdin.setRawMode(false);
          reject(new UserAdminError('cancelled'));
          return;
        }
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    stdin.on('data', onData);
  });
}

async function newPassword(): Promise<string> {
  const first = await readPassword('New password: ');
  if (process.stdin.isTTY && (await readPassword('Again: ')) !== first) throw new UserAdminError('the two passwords differ');
  return first;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      db: { type: 'string' },
      username: { type: 'string' },
      'full-name': { type: 'string' },
      nip: { type: 'string', default: '' },
      role: { type: 'string' },
      office: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  const command = positionals[0];
  if (values.help || !command || !['add', 'disable', 'reset-password'].includes(command) || !values.db || !values.username) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  // --db names a SQLite file or a postgres:// URL
  if (serverDbLocation(values.db).engine === 'sqlite' && !existsSync(values.db)) throw new UserAdminError(`no server database at ${values.db}`);
  const { db, close } = await openServerDb(values.db);
  try {
    if (command === 'add') {
      if (!values['full-name'] || !values.role) throw new UserAdminError('add needs --full-name and --role');
      const id = await addUser(db, { username: values.username, fullName: values['full-name'], nip: values.nip!, role: values.role, officeId: values.office, password: await newPassword() });
      console.log(`Added ${values.username} (${values.role}), id ${id}.`);
    } else if (command === 'disable') {
      await disableUser(db, values.username);
      console.log(`Disabled ${values.username}; every session of the account has ended.`);
    } else {
      await resetPassword(db, values.username, await newPassword());
      console.log(`New password set for ${values.username}; every session of the account has ended.`);
    }
    return 0;
  } finally {
    await close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof UserAdminError ? error.message : error);
    process.exit(1);
  },
);
