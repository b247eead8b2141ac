import { z } from 'zod';
import { AppFailure } from '../../shared/result';
import {
  API_PREFIX,
  commandResultSchema,
  claimResponseSchema,
  type ClaimResponse,
  verificationResponseSchema,
  type IssueRequest,
  type VerificationResponse,
  loginResponseSchema,
  pullResponseSchema,
  pushResponseSchema,
  refreshResponseSchema,
  type LoginResponse,
  type PullResponse,
  type PushRequest,
  type User,
} from '../../shared/sync-protocol';
import type { ComplaintCommand } from '../../shared/complaint-rules';
import type { IssueBatchRequest } from '../../shared/issue-batch-protocol';
import type { SigningSession } from './outbox-command';

export type FetchLike = typeof fetch;

const healthResponseSchema = z.object({ ok: z.literal(true) });

/**
 * Who is signed in at this desk and the key their decisions are signed with. Set by the session
 * (online or offline sign-in), read by the sync; in memory only, never logged.
 */
export interface DeskIdentity {
  user: User;
  session: SigningSession | null;
}

/** Every request, body included, ends within this: a server that trickles its answer is as good as unreachable. */
export const REQUEST_DEADLINE_MS = 15_000;
/** A token with less than this left is exchanged for a fresh one at the next sync. */
const REFRESH_WHEN_LEFT_MS = 6 * 60 * 60 * 1000;

type Auth = 'session' | 'none' | { token: string };

/**
 * The desk's only way to the office server. Every answer is validated before it is used:
 * a malformed response is a SERVER_ERROR, never half-applied data; no answer within the
 * deadline (or a connection that breaks mid-answer) is SERVER_UNREACHABLE.
 */
export class ServerClient {
  private token: string | null = null;
  private tokenExpiresAt: string | null = null;
  identity: DeskIdentity | null = null;
  /** told after every request whether the server answered at all (sync-scheduler.ts keeps the desk's online status by it) */
  private reachabilityListeners: Array<(reachable: boolean) => void> = [];

  constructor(
    readonly baseUrl: string,
    private readonly fetchImpl: FetchLike = fetch,
    private readonly timeoutMs = REQUEST_DEADLINE_MS,
  ) {}

  get signedIn(): boolean {
    return this.token !== null;
  }

  /** The bearer token of this sign-in, for the desk's other server modules (oversight-client.ts); null when signed out. */
  get bearerToken(): string | null {
    return this.token;
  }

  onReachability(listener: (reachable: boolean) => void): void {
    this.reachabilityListeners.push(listener);
  }

  /** whether the server answered a request made outside this client (oversight-client.ts) */
  noteReachable(reachable: boolean): void {
    for (const listener of this.reachabilityListeners) listener(reachable);
  }

  forgetToken(): void {
    this.token = null;
    this.tokenExpiresAt = null;
  }

  /** Whether the server answers at all, completely and within the deadline; needs no session. */
  async health(): Promise<void> {
    await this.parse(await this.request('GET', '/health', undefined, 'none'), healthResponseSchema);
  }

  async login(username: string, password: string): Promise<LoginResponse> {
    const response = await this.request('POST', '/auth/login', { username, password }, 'none');
    if (response.status === 401) {
      await this.discard(response);
      throw new AppFailure('BAD_CREDENTIALS', 'unknown user or wrong password');
    }
    if (response.status === 429) {
      await this.discard(response);
      throw new AppFailure('SIGN_IN_THROTTLED', `too many failed sign-ins; the server asks to wait ${response.headers.get('retry-after') ?? 'a while'} s`);
    }
    const body = await this.parse(response, loginResponseSchema);
    this.token = body.token;
    this.tokenExpiresAt = body.expiresAt;
    return body;
  }

  /**
   * Ends the server session: the token is forgotten here at once and revoked on the server
   * (best effort: unreachable, it expires on its own within 12 hours).
   */
  async logout(): Promise<void> {
    const token = this.token;
    this.forgetToken();
    if (!token) return;
    try {
      await this.discard(await this.request('POST', '/auth/logout', undefined, { token }));
    } catch (error) {
      if (!(error instanceof AppFailure) || error.code !== 'SERVER_UNREACHABLE') throw error;
    }
  }

  /** Whether the token should be exchanged for a fresh one before it runs out. */
  tokenDueForRefresh(now: Date): boolean {
    return this.token !== null && this.tokenExpiresAt !== null && Date.parse(this.tokenExpiresAt) - now.getTime() < REFRESH_WHEN_LEFT_MS;
  }

  /** A fresh token for the same sign-in; the server revokes the old one. */
  async refresh(): Promise<void> {
    const body = await this.parse(await this.request('POST', '/auth/refresh'), refreshResponseSchema);
    this.token = body.token;
    this.tokenExpiresAt = body.expiresAt;
  }

  async pull(since: number, limit = 500): Promise<PullResponse> {
    return this.parse(await this.request('GET', `/sync/pull?since=${since}&limit=${limit}`), pullResponseSchema);
  }

  async push(commands: PushRequest['commands']) {
    return this.parse(await this.request('POST', '/sync/push', { commands }), pushResponseSchema);
  }

  async issue(request: IssueRequest) {
    return this.parse(await this.request('POST', '/permits/issue', request), commandResultSchema);
  }

  /**
   * Delivers several signed permits in one request (shared/issue-batch-protocol.ts); the answer
   * has one result per permit. Null from a server without the route (HTTP 404, an older one):
   * the caller delivers them one by one instead.
   */
  async issueBatch(permits: IssueRequest[]) {
    const response = await this.request('POST', '/permits/issue-batch', { permits } satisfies IssueBatchRequest);
    if (response.status === 404) {
      await this.discard(response);
      return null;
    }
    return this.parse(response, pushResponseSchema);
  }

  /**
   * Delivers one Buku Pengaduan command (POST /complaints/commands; applied once per id). A
   * refusal of the command itself (403: the role may not keep the register; 400: outside the
   * protocol) is its answer, rejected, not a reason to send it again.
   */
  async complaint(command: ComplaintCommand) {
    const response = await this.request('POST', '/complaints/commands', command);
    if (response.status === 403 || response.status === 400) {
      const detail = (await this.readText(response)).slice(0, 300);
      return { id: command.id, status: 'rejected' as const, code: response.status === 403 ? ('FORBIDDEN_ROLE' as const) : ('TRANSITION_NOT_ALLOWED' as const), message: detail || `HTTP ${response.status}` };
    }
    return this.parse(response, commandResultSchema);
  }

  async verifyFile(sha256: string): Promise<VerificationResponse> {
    return this.parse(await this.request('GET', `/verify-file/${sha256}`, undefined, 'none'), verificationResponseSchema);
  }

  /** Takes a file ("Ambil") or gives it back; the server decides who has it. */
  async claim(applicationId: string, take: boolean): Promise<ClaimResponse> {
    const response = take
      ? await this.request('POST', '/claims', { applicationId })
      : await this.request('DELETE', `/claims/${encodeURIComponent(applicationId)}`);
    if (response.status === 409) {
      const text = await this.readText(response);
      const message = (() => {
        try {
          return (JSON.parse(text) as { message?: string }).message;
        } catch {
          return undefined;
        }
      })();
      throw new AppFailure('CLAIMED_BY_OTHER', message ?? 'claimed by another officer');
    }
    if (response.status === 403 || response.status === 404) await this.discard(response);
    if (response.status === 403) throw new AppFailure('FORBIDDEN_ROLE', 'your role does not act on this file now');
    if (response.status === 404) throw new AppFailure('NOT_FOUND', 'application not on the server');
    return this.parse(response, claimResponseSchema);
  }

  async document(documentId: string): Promise<Buffer> {
    const response = await this.request('GET', `/documents/${encodeURIComponent(documentId)}`);
    if (response.status === 404) {
      await this.discard(response);
      throw new AppFailure('NOT_FOUND', `document ${documentId} not on the server`);
    }
    this.assertOk(response);
    try {
      return Buffer.from(await response.arrayBuffer());
    } catch (error) {
      throw this.unreachable(error);
    }
  }

  /** The final permit as the server prepared it at the numbering step; the caller checks its hash against the pulled one. */
  async preparedPermit(applicationId: string): Promise<Buffer> {
    const response = await this.request('GET', `/applications/${encodeURIComponent(applicationId)}/prepared-permit`);
    if (response.status === 403 || response.status === 404) {
      await this.discard(response);
      throw new AppFailure(response.status === 403 ? 'FORBIDDEN_ROLE' : 'PDF_NOT_PREPARED', `no prepared permit of ${applicationId} for this official (HTTP ${response.status})`);
    }
    this.assertOk(response);
    try {
      return Buffer.from(await response.arrayBuffer());
    } catch (error) {
      throw this.unreachable(error);
    }
  }

  private async request(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, auth: Auth = 'session'): Promise<Response> {
    const token = auth === 'session' ? this.token : auth === 'none' ? null : auth.token;
    if (auth === 'session' && !token) throw new AppFailure('SESSION_EXPIRED', 'no server session: sign in again');
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.baseUrl}${API_PREFIX}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        // one deadline for the whole exchange: undici aborts the body stream with it as well
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw this.unreachable(error);
    }
    this.noteReachable(true);
    if (response.status === 401 && auth === 'session') {
      await this.discard(response);
      this.forgetToken();
      throw new AppFailure('SESSION_EXPIRED', 'the server no longer accepts this session');
    }
    return response;
  }

  private unreachable(error: unknown): AppFailure {
    this.noteReachable(false);
    const reason = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError') ? `no complete answer within ${this.timeoutMs / 1000} s` : (error as Error).message;
    return new AppFailure('SERVER_UNREACHABLE', `cannot reach ${this.baseUrl}: ${reason}`);
  }

  /** The whole body, within the request's deadline; a stalled or broken answer is unreachable, not an error. */
  private async readText(response: Response): Promise<string> {
    try {
      return await response.text();
    } catch (error) {
      throw this.unreachable(error);
    }
  }

  /** Lets go of a body that is not needed, so the connection is freed. */
  private async discard(response: Response): Promise<void> {
    await response.body?.cancel().catch(() => undefined);
  }

  private assertOk(response: Response): void {
    if (!response.ok) {
      void this.discard(response);
      throw new AppFailure('SERVER_ERROR', `server answered HTTP ${response.status}`);
    }
  }

  private async parse<S extends z.ZodType>(response: Response, schema: S): Promise<z.output<S>> {
    this.assertOk(response);
    const text = await this.readText(response);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new AppFailure('SERVER_ERROR', 'server sent a response that is not JSON');
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new AppFailure('SERVER_ERROR', `server sent a malformed response: ${parsed.error.issues[0]?.message ?? ''}`);
    return parsed.data;
  }
}
