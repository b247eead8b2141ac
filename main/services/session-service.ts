import type { Kysely } from 'kysely';
import { AppFailure } from '../../shared/result';
import type { User } from '../../shared/sync-protocol';
import type { CacheDatabase } from '../../db/cache-database';
import { rememberCredential, unlockRememberedCredential } from './offline-credentials';
import type { DeskIdentity, ServerClient } from './server-client';
import { signOwnPendingCommands } from './outbox';

/**
 * Who is at the desk. The server token and the author session's key live in memory only (the
 * client holds them for the sync). When the server cannot be reached, an official who has
 * signed in on this desk before is let in by decrypting their remembered session with their
 * password (offline-credentials.ts): the queue and decisions work, decisions are signed with
 * that session's key, and they wait in the outbox until they can be delivered.
 */
export class SessionService {
  private user: User | null = null;

  constructor(
    private readonly client: ServerClient,
    private readonly db: Kysely<CacheDatabase>,
  ) {}

  async signIn(username: string, password: string): Promise<User> {
    await this.leave();
    try {
      const login = await this.client.login(username, password);
      const session = login.session ? { id: login.session.id, key: Buffer.from(login.session.key, 'base64url'), expiresAt: login.session.expiresAt } : null;
      await rememberCredential(this.db, username, password, login.user, session);
      this.enter({ user: login.user, session });
      return login.user;
    } catch (error) {
      if (!(error instanceof AppFailure) || error.code !== 'SERVER_UNREACHABLE') throw error;
      const known = await unlockRememberedCredential(this.db, username, password);
      if (known === undefined) throw error;
      if (known === null) throw new AppFailure('BAD_CREDENTIALS', 'wrong password (checked on this desk while the server is unreachable)');
      this.enter(known);
      return known.user;
    }
  }

  /**
   * "Keluar": the official's decisions still waiting are signed with their key (so they can be
   * delivered by a colleague of the same role), the desk lets go of the key, and the server
   * token is revoked.
   */
  async signOut(): Promise<void> {
    try {
      await this.leave();
    } catch {
      // Handled by what stays true without it: the desk has forgotten the official, a command
      // left unsigned waits for its author's next sign-in (never sent as another's), and a token
      // not revoked expires within 12 hours. Never thrown: callers may not await sign-out.
    }
  }

  current(): User | null {
    return this.user;
  }

  requireUser(): User {
    if (!this.user) throw new AppFailure('NOT_SIGNED_IN', 'sign in first');
    return this.user;
  }

  private enter(identity: DeskIdentity): void {
    this.user = identity.user;
    this.client.identity = identity;
  }

  private async leave(): Promise<void> {
    const identity = this.client.identity;
    this.user = null;
    this.client.identity = null;
    const revoked = this.client.logout();
    try {
      if (identity) await signOwnPendingCommands(this.db, identity);
    } finally {
      await revoked;
    }
  }
}
