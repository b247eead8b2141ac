import type { Kysely } from 'kysely';
import { AppFailure } from '../../shared/result';
import type { User } from '../../shared/sync-protocol';
import type { CacheDatabase } from '../../db/cache-database';
import { checkRememberedCredential, rememberCredential } from './offline-credentials';
import type { ServerClient } from './server-client';

/**
 * Who is at the desk. The server token lives in the client, in memory only. When the server
 * cannot be reached, an official who has signed in on this desk before is let in against a
 * local scrypt verifier: the queue and decisions work, and decisions wait in the outbox until
 * they sign in again with the server reachable.
 */
export class SessionService {
  private user: User | null = null;

  constructor(
    private readonly client: ServerClient,
    private readonly db: Kysely<CacheDatabase>,
  ) {}

  async signIn(username: string, password: string): Promise<User> {
    try {
      const { user } = await this.client.login(username, password);
      await rememberCredential(this.db, username, password, user);
      this.user = user;
      return user;
    } catch (error) {
      if (!(error instanceof AppFailure) || error.code !== 'SERVER_UNREACHABLE') throw error;
      const known = await checkRememberedCredential(this.db, username, password);
      if (known === undefined) throw error;
      if (known === null) throw new AppFailure('BAD_CREDENTIALS', 'wrong password (checked on this desk while the server is unreachable)');
      this.user = known;
      return known;
    }
  }

  signOut(): void {
    this.user = null;
    this.client.forgetToken();
  }

  current(): User | null {
    return this.user;
  }

  requireUser(): User {
    if (!this.user) throw new AppFailure('NOT_SIGNED_IN', 'sign in first');
    return this.user;
  }
}
