import { AppFailure } from '../../shared/result';
import type { User } from '../../shared/sync-protocol';
import type { ServerClient } from './server-client';

/** Who is at the desk. The server token lives in the client, in memory only. */
export class SessionService {
  private user: User | null = null;

  constructor(private readonly client: ServerClient) {}

  async signIn(username: string, password: string): Promise<User> {
    const { user } = await this.client.login(username, password);
    this.user = user;
    return user;
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
