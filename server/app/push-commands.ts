import type { Kysely } from 'kysely';
import type { CommandResult, TransitionCommand } from '../../shared/sync-protocol';
import type { ServerDatabase, UserTable } from '../db/server-database';
import { applyCommand } from './apply-command';

/**
 * A push's commands, applied one after another in the order sent (each sees the ones before it,
 * so a command id sent twice is applied once), each answered on its own.
 */
export async function applyPushedCommands(db: Kysely<ServerDatabase>, pusher: UserTable, commands: readonly TransitionCommand[]): Promise<{ results: CommandResult[] }> {
  const results: CommandResult[] = [];
  for (const command of commands) results.push(await applyCommand(db, pusher, command));
  return { results };
}
