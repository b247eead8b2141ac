import type { Generated } from 'kysely';

/** The central server's tables. JSON columns hold shapes validated by shared/ schemas. */
export interface SettingTable {
  key: string;
  value: string;
}

/** One office (DPMPTSP) on this server (migration 021): its definition is shared/office.ts's officeSchema. */
export interface OfficeTable {
  id: string;
  definition: string;
}

/** Ids are unique across the server; each workflow and permit type belongs to one office. */
export interface WorkflowTable {
  id: string;
  office_id: string;
  definition: string;
}

export interface PermitTypeTable {
  id: string;
  office_id: string;
  definition: string;
}

export interface UserTable {
  id: string;
  /** an official belongs to one office and sees, and changes, nothing of another */
  office_id: string;
  username: string;
  full_name: string;
  nip: string;
  role: string;
  password_hash: string;
  active: number;
}

export interface AuthTokenTable {
  token_hash: string;
  user_id: string;
  expires_at: string;
  /** the sign-in this token belongs to; null for tokens issued before sessions existed */
  session_id: string | null;
}

/** One online sign-in: its key signs the official's commands (HMAC), valid for offline work. */
export interface AuthSessionTable {
  id: string;
  user_id: string;
  /** 32 random bytes; never logged, never sent again after the sign-in answer */
  session_key: Buffer;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
}

export interface ApplicationTable {
  id: string;
  office_id: string;
  registration_number: string;
  permit_type_id: string;
  workflow_id: string;
  stage: string;
  applicant: string;
  checklist: string;
  submitted_at: string;
  complete_at: string | null;
  stage_entered_at: string;
  permit_number: string | null;
  verification_id: string | null;
  version: number;
  change_seq: number;
}

export interface DocumentTable {
  id: string;
  application_id: string;
  kind: string;
  file_name: string;
  mime_type: string;
  size_bytes: number;
  sha256: string;
  content: Buffer;
}

export interface EventTable {
  id: string;
  application_id: string;
  command_id: string | null;
  actor_name: string;
  actor_role: string | null;
  action: string;
  from_stage: string | null;
  to_stage: string;
  reason: string | null;
  at: string;
  evidence: string | null;
  seq: Generated<number>;
}

export interface ReferenceRecordTable {
  nik: string;
  source: string;
  fields: string;
  retrieved_at: string;
}

export interface CommandTable {
  id: string;
  /** the official the command is booked to: its verified author, else whoever pushed it */
  user_id: string;
  /** SHA-256 of its canonical content and author; null on rows from before the check */
  content_hash: string | null;
  /** whose token carried it (another official of the office may deliver an author's decisions) */
  pushed_by_user_id: string | null;
  received_at: string;
  /** 'pending' only inside the transaction that applies it (command-ledger.ts); never committed */
  status: 'accepted' | 'rejected' | 'pending';
  code: string | null;
  message: string | null;
  change_seq: number | null;
}

export interface PermitNumberTable {
  application_id: string;
  office_id: string;
  year: number;
  /** the permit type's number code: the sequence runs per office, year and code */
  code: string;
  sequence: number;
  permit_number: string;
  verification_id: string;
  reserved_at: string;
  voided_at: string | null;
}

export interface IssuedPermitTable {
  application_id: string;
  permit_number: string;
  verification_id: string;
  sha256: string;
  pdf: Buffer;
  /** from the verified signing certificate's subject, never from configuration */
  signer_name: string;
  signer_serial: string | null;
  certificate_sha256: string | null;
  certificate_issuer: string | null;
  pades_level: string | null;
  /** where issued_at came from: the time-stamp token, or the server's own clock */
  time_source: 'time_stamp' | 'server_clock' | null;
  issued_by_user_id: string | null;
  issued_at: string;
  revoked_at: string | null;
}

/** The final permit prepared at the numbering step (migration 022): everything but the CMS. */
export interface PreparedPermitTable {
  application_id: string;
  sha256: string;
  pdf: Buffer;
  /** the registered certificate it names and carries the path of; null when none was registered */
  certificate_sha256: string | null;
  prepared_at: string;
}

export interface ClaimTable {
  application_id: string;
  user_id: string;
  user_name: string;
  claimed_at: string;
}

/** Failed sign-ins per account or address (migration 024): times are epoch ms, lists are JSON arrays. */
export interface LoginThrottleTable {
  /** account and address: failure counters; known: an address the account signed in from (key: account, newline, address) */
  scope: 'account' | 'address' | 'known';
  key: string;
  failures: string;
  in_flight: string;
  lockouts: string;
  locked_until: number;
  updated_at: number;
}

/** Named counters: `change_seq` (SQLite only; a sequence on PostgreSQL, migration 025) and `definitions_version` (migration 023). */
export interface CounterTable {
  name: string;
  value: number;
}

/** The last permit sequence given per office, year and code (migration 021), taken with UPDATE … RETURNING. */
export interface PermitNumberCounterTable {
  office_id: string;
  year: number;
  code: string;
  value: number;
}

/** The Buku Pengaduan (migration 020): one row per complaint. */
export interface ComplaintTable {
  id: string;
  office_id: string;
  received_on: string;
  complainant_name: string;
  complainant_identity: string;
  contact: string;
  channel: string;
  type: string;
  weight: string;
  summary: string;
  application_id: string | null;
  status: string;
  coordination: string | null;
  answer_text: string | null;
  answer_channel: string | null;
  answered_at: string | null;
  answered_by_name: string | null;
  recorded_by_user_id: string;
}

/** The monthly complaints report, one per office and month. */
export interface ComplaintReportTable {
  office_id: string;
  month: string;
  status: string;
  note: string;
  /** JSON: the month's complaints when last drafted */
  entries: string;
}

/** Each action on a complaint or a report, with its official. */
export interface ComplaintHistoryTable {
  seq: Generated<number>;
  office_id: string;
  subject: 'complaint' | 'report';
  subject_id: string;
  command_id: string;
  action: string;
  status: string;
  user_id: string;
  actor_name: string;
  actor_role: string | null;
  note: string | null;
  at: string;
}

export interface ServerDatabase {
  settings: SettingTable;
  offices: OfficeTable;
  workflows: WorkflowTable;
  permit_types: PermitTypeTable;
  users: UserTable;
  auth_tokens: AuthTokenTable;
  auth_sessions: AuthSessionTable;
  applications: ApplicationTable;
  documents: DocumentTable;
  events: EventTable;
  reference_records: ReferenceRecordTable;
  commands: CommandTable;
  permit_numbers: PermitNumberTable;
  counters: CounterTable;
  login_throttle: LoginThrottleTable;
  permit_number_counters: PermitNumberCounterTable;
  issued_permits: IssuedPermitTable;
  prepared_permits: PreparedPermitTable;
  claims: ClaimTable;
  complaints: ComplaintTable;
  complaint_reports: ComplaintReportTable;
  complaint_history: ComplaintHistoryTable;
}
