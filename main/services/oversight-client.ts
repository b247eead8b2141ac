import { z } from 'zod';
import { complaintReportSchema, complaintSchema } from '../../shared/complaint-rules';
import { kartuSourceSchema, monitoringFiguresSchema, type MonitoringPeriod } from '../../shared/monitoring';
import { AppFailure } from '../../shared/result';
import { API_PREFIX } from '../../shared/sync-protocol';
import { REQUEST_DEADLINE_MS, type FetchLike, type ServerClient } from './server-client';

/**
 * The desk's way to the server's oversight routes (server/app/oversight-routes.ts): monitoring
 * figures, the monthly report, the Buku Pengaduan's register and report (its commands go through
 * the outbox and ServerClient.complaint). It borrows the signed-in official's bearer token from
 * the ServerClient; every answer is validated before it is used.
 */
export class OversightClient {
  constructor(
    private readonly client: ServerClient,
    private readonly fetchImpl: FetchLike = fetch,
    private readonly timeoutMs = REQUEST_DEADLINE_MS,
  ) {}

  async monitoring(period: MonitoringPeriod) {
    return this.json('GET', `/oversight/monitoring?from=${period.from}&to=${period.to}`, monitoringFiguresSchema);
  }

  async report(month: string, format: 'pdf' | 'xlsx'): Promise<Buffer> {
    const response = await this.send('GET', `/oversight/report?month=${month}&format=${format}`);
    return Buffer.from(await response.arrayBuffer());
  }

  async complaints() {
    return this.json('GET', '/complaints', z.object({ complaints: z.array(complaintSchema) }));
  }

  async complaintReport(month: string) {
    return this.json('GET', `/complaints/reports/${month}`, z.object({ report: complaintReportSchema.nullable() }));
  }

  async complaintKartu(complaintId: string) {
    return this.json('GET', `/complaints/${encodeURIComponent(complaintId)}/kartu`, kartuSourceSchema);
  }

  private async json<S extends z.ZodType>(method: 'GET' | 'POST', path: string, schema: S, body?: unknown): Promise<z.output<S>> {
    const response = await this.send(method, path, body);
    let parsed: unknown;
    try {
      parsed = await response.json();
    } catch (error) {
      throw new AppFailure('SERVER_ERROR', `unreadable answer from ${path}: ${(error as Error).message}`);
    }
    const checked = schema.safeParse(parsed);
    if (!checked.success) throw new AppFailure('SERVER_ERROR', `malformed answer from ${path}`);
    return checked.data;
  }

  private async send(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Response> {
    const token = this.client.bearerToken;
    if (!token) throw new AppFailure('SESSION_EXPIRED', 'no server session: sign in again');
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.client.baseUrl}${API_PREFIX}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      this.client.noteReachable(false);
      throw new AppFailure('SERVER_UNREACHABLE', `cannot reach ${this.client.baseUrl}: ${(error as Error).message}`);
    }
    this.client.noteReachable(true);
    if (response.ok) return response;
    const detail = (await response.text().catch(() => '')).slice(0, 300);
    if (response.status === 401) throw new AppFailure('SESSION_EXPIRED', 'the server no longer accepts this session');
    if (response.status === 403) throw new AppFailure('FORBIDDEN_ROLE', detail || 'not for this role');
    if (response.status === 404) throw new AppFailure('NOT_FOUND', detail || 'not found');
    throw new AppFailure('SERVER_ERROR', `HTTP ${response.status} from ${path}: ${detail}`);
  }
}
