import type { Kysely } from 'kysely';
import { readFile } from 'node:fs/promises';
import { COMMAND_LIMITS, type CommandResult, type IssueRequest, type TransitionCommand } from '../../shared/sync-protocol';
import { ISSUE_BATCH_LIMITS } from '../../shared/issue-batch-protocol';
import type { CacheDatabase } from '../../db/cache-database';
import { wireComplaint, wireIssue, wireTransition, type StoredCommand } from './outbox-command';
import { pendingPage, readStoredOrQuarantine, recordFailedAttempt, recordResults, signOwnPendingCommands, type PushOutcome, type Sendable } from './outbox';
import type { DeskIdentity, ServerClient } from './server-client';

/** a signed permit's fields besides its PDF, generously, in a bulk request's JSON */
const ISSUE_FIELDS_BYTES = 2048;
/** one bulk request of signed permits stays under the server's body limit */
const ISSUE_BATCH_BODY_BUDGET = ISSUE_BATCH_LIMITS.bodyBytes - 64 * 1024;
/** outbox rows looked at per round */
const OUTBOX_PAGE = 200;
/** one push request stays well under the server's body limit */
const PUSH_BODY_BUDGET = COMMAND_LIMITS.pushBodyBytes / 2;

/**
 * Sends the outbox to the office server, each command once by its id (the server ignores
 * repeats). Each decision goes out under the name of the official who made it: the signed-in
 * official's own, signed with their session key, and a colleague's only when they share the
 * role and the colleague's signature is still valid. Any other waits for its author to sign in
 * again.
 */
export class OutboxPush {
  /** whether the server has POST /permits/issue-batch; learnt at the first 404 */
  private bulkIssue = true;

  constructor(
    private readonly db: Kysely<CacheDatabase>,
    private readonly client: ServerClient,
    private readonly now: () => Date,
  ) {}

  /**
   * Sends pending commands in the order they were made, those the signed-in official may
   * deliver (deliverableBy); the others wait. `force` ignores the backoff (the official pressed
   * "sync" or just decided); the timer respects it.
   */
  async push(force: boolean): Promise<Map<string, PushOutcome>> {
    const outcomes = new Map<string, PushOutcome>();
    const identity = this.client.identity;
    if (identity) await signOwnPendingCommands(this.db, identity);
    let after: { createdAt: string; id: string } | null = null;
    for (;;) {
      const rows = await pendingPage(this.db, { after, dueBy: force ? null : this.now().toISOString(), limit: OUTBOX_PAGE });
      if (rows.length === 0) return outcomes;
      after = { createdAt: rows.at(-1)!.created_at, id: rows.at(-1)!.id };
      const sendable: Sendable[] = [];
      for (const row of rows) {
        const command = await readStoredOrQuarantine(this.db, row);
        if (!command) continue;
        if (identity && deliverableBy(command, identity, this.now())) sendable.push({ row, command });
        else outcomes.set(row.id, { status: 'pending' });
      }
      await this.deliver(sendable, outcomes);
      if (rows.length < OUTBOX_PAGE) return outcomes;
    }
  }

  private async deliver(items: Sendable[], outcomes: Map<string, PushOutcome>): Promise<void> {
    const transitions = items.filter((i) => i.command.type === 'transition');
    for (const batch of pushBatches(transitions)) {
      await this.send(batch.map((b) => b.item), async () => (await this.client.push(batch.map((b) => b.wire))).results, outcomes);
    }
    await this.deliverIssues(items.filter((i) => i.command.type === 'issue'), outcomes);
    for (const item of items.filter((i) => i.command.type === 'complaint')) {
      await this.send([item], async () => [await this.client.complaint(wireComplaint(item.command as Extract<StoredCommand, { type: 'complaint' }>))], outcomes);
    }
  }

  private async send(items: Sendable[], call: () => Promise<CommandResult[]>, outcomes: Map<string, PushOutcome>): Promise<void> {
    let results: CommandResult[];
    try {
      results = await call();
    } catch (error) {
      await recordFailedAttempt(
        this.db,
        items.map((i) => i.row),
        this.now(),
      );
      throw error;
    }
    for (const [id, outcome] of await recordResults(this.db, items, results)) outcomes.set(id, outcome);
  }

  /**
   * Signed permits, several to a request (ISSUE_BATCH_LIMITS: a count and a byte budget), each
   * PDF read from disk when its request is packed. Each request's answers are recorded before the
   * next request goes: a push cut off mid-way keeps what the server answered, and what it did not
   * answer is sent again, which the server answers from its ledger for any id it already applied.
   * A server without the bulk route gets them one request each.
   */
  private async deliverIssues(items: Sendable[], outcomes: Map<string, PushOutcome>): Promise<void> {
    let packed: Array<{ item: Sendable; wire: IssueRequest }> = [];
    let bytes = 0;
    const sendPacked = async () => {
      const requests = packed;
      packed = [];
      bytes = 0;
      if (requests.length > 0) await this.send(requests.map((r) => r.item), () => this.issueAll(requests.map((r) => r.wire)), outcomes);
    };
    for (const item of items) {
      const command = item.command as Extract<StoredCommand, { type: 'issue' }>;
      let pdf: Buffer;
      try {
        pdf = await readFile(command.filePath);
      } catch {
        const missing: CommandResult = { id: command.id, status: 'rejected', code: 'NOT_FOUND', message: `signed file ${command.filePath} is missing on this computer` };
        for (const [id, outcome] of await recordResults(this.db, [item], [missing])) outcomes.set(id, outcome);
        continue;
      }
      const wire = wireIssue(command, pdf);
      const size = wire.pdfBase64.length + ISSUE_FIELDS_BYTES;
      if (packed.length > 0 && (packed.length >= ISSUE_BATCH_LIMITS.permitsPerRequest || bytes + size > ISSUE_BATCH_BODY_BUDGET)) await sendPacked();
      packed.push({ item, wire });
      bytes += size;
    }
    await sendPacked();
  }

  private async issueAll(requests: IssueRequest[]): Promise<CommandResult[]> {
    if (this.bulkIssue) {
      const answer = await this.client.issueBatch(requests);
      if (answer) return answer.results;
      this.bulkIssue = false;
    }
    const results: CommandResult[] = [];
    for (const request of requests) results.push(await this.client.issue(request));
    return results;
  }
}

/**
 * Whether the signed-in official may send this command: their own always (signed with their
 * session, or unsigned to a server before authorship); a colleague's only when they share the
 * role and the colleague's signature is valid by what the desk knows of their session.
 */
export function deliverableBy(command: StoredCommand, identity: DeskIdentity, now: Date): boolean {
  const by = command.decidedBy;
  if (!by) return false;
  if (by.userId === identity.user.id) return true;
  // a complaint command is booked to whoever delivers it: only its author does
  if (command.type === 'complaint') return false;
  return by.role === identity.user.role && command.signature !== null && command.signature.expiresAt > now.toISOString();
}

function* pushBatches(items: Sendable[]): Generator<Array<{ item: Sendable; wire: TransitionCommand }>> {
  let batch: Array<{ item: Sendable; wire: TransitionCommand }> = [];
  let bytes = 0;
  for (const item of items) {
    const wire = wireTransition(item.command as Extract<StoredCommand, { type: 'transition' }>);
    const size = Buffer.byteLength(JSON.stringify(wire));
    if (batch.length > 0 && (batch.length >= COMMAND_LIMITS.commandsPerPush || bytes + size > PUSH_BODY_BUDGET)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push({ item, wire });
    bytes += size;
  }
  if (batch.length > 0) yield batch;
}
