import type { z } from 'zod';
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
  type LoginResponse,
  type PullResponse,
  type PushRequest,
} from '../../shared/sync-protocol';

export type FetchLike = typeof fetch;

/**
 * The desk's only way to the office server. Every answer is validated before it is used:
 * a malformed response is a SERVER_ERROR, never half-applied data.
 */
export class ServerClient {
  private token: string | null = null;

  constructor(
    readonly baseUrl: string,
    private readonly fetchImpl: FetchLike = fetch,
    private readonly timeoutMs = 10_000,
  ) {}

  get signedIn(): boolean {
    return this.token !== null;
  }

  forgetToken(): void {
    this.token = null;
  }

  /** Whether the server answers at all; needs no session. */
  async health(): Promise<void> {
    this.assertOk(await this.request('GET', '/health', undefined, false));
  }

  async login(username: string, password: string): Promise<LoginResponse> {
    const response = await this.request('POST', '/auth/login', { username, password }, false);
    if (response.status === 401) throw new AppFailure('BAD_CREDENTIALS', 'unknown user or wrong password');
    const body = await this.parse(response, loginResponseSchema);
    this.token = body.token;
    return body;
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

  async verifyFile(sha256: string): Promise<VerificationResponse> {
    return this.parse(await this.request('GET', `/verify-file/${sha256}`, undefined, false), verificationResponseSchema);
  }

  /** Takes a file ("Ambil") or gives it back; the server decides who has it. */
  async claim(applicationId: string, take: boolean): Promise<ClaimResponse> {
    const response = take
      ? await this.request('POST', '/claims', { applicationId })
      : await this.request('DELETE', `/claims/${encodeURIComponent(applicationId)}`);
    if (response.status === 409) {
      const body = (await response.json().catch(() => ({}))) as { message?: string };
      throw new AppFailure('CLAIMED_BY_OTHER', body.message ?? 'claimed by another officer');
    }
    if (response.status === 403) throw new AppFailure('FORBIDDEN_ROLE', 'your role does not act on this file now');
    if (response.status === 404) throw new AppFailure('NOT_FOUND', 'application not on the server');
    return this.parse(response, claimResponseSchema);
  }

  async document(documentId: string): Promise<Buffer> {
    const response = await this.request('GET', `/documents/${encodeURIComponent(documentId)}`);
    if (response.status === 404) throw new AppFailure('NOT_FOUND', `document ${documentId} not on the server`);
    this.assertOk(response);
    return Buffer.from(await response.arrayBuffer());
  }

  private async request(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, authenticated = true): Promise<Response> {
    if (authenticated && !this.token) throw new AppFailure('SESSION_EXPIRED', 'no server session: sign in again');
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (authenticated && this.token) headers.authorization = `Bearer ${this.token}`;
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.baseUrl}${API_PREFIX}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new AppFailure('SERVER_UNREACHABLE', `cannot reach ${this.baseUrl}: ${(error as Error).message}`);
    }
    if (response.status === 401 && authenticated) {
      this.token = null;
      throw new AppFailure('SESSION_EXPIRED', 'the server no longer accepts this session');
    }
    return response;
  }

  private assertOk(response: Response): void {
    if (!response.ok) throw new AppFailure('SERVER_ERROR', `server answered HTTP ${response.status}`);
  }

  private async parse<S extends z.ZodType>(response: Response, schema: S): Promise<z.output<S>> {
    this.assertOk(response);
    let json: unknown;
    try {
      json = await response.json();
    } catch {
      throw new AppFailure('SERVER_ERROR', 'server sent a response that is not JSON');
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new AppFailure('SERVER_ERROR', `server sent a malformed response: ${parsed.error.issues[0]?.message ?? ''}`);
    return parsed.data;
  }
}
