/** The desk's local cache: what the office server last said, plus the official's own outbox. */
export interface MetaTable {
  key: string;
  value: string;
}

export interface DefinitionTable {
  id: string;
  definition: string;
}

export interface CachedApplicationTable {
  id: string;
  registration_number: string;
  permit_type_id: string;
  workflow_id: string;
  /** the stage the desk shows: the server's, or where the official's own pending action took it */
  stage: string;
  server_stage: string;
  applicant_name: string;
  nik: string;
  submitted_at: string;
  complete_at: string | null;
  /** YYYY-MM-DD in the office's zone: the last working day the file is on time; '9999-12-31' when none runs */
  deadline_date: string | null;
  /** the Application as the server last sent it (JSON) */
  data: string;
  change_seq: number;
}

export interface CachedDocumentTable {
  id: string;
  application_id: string;
  kind: string;
  file_name: string;
  mime_type: string;
  size_bytes: number;
  sha256: string;
  content: Buffer | null;
}

export interface CachedEventTable {
  id: string;
  application_id: string;
  at: string;
  /** ApplicationEvent JSON */
  data: string;
  /** 1 while it only exists here, waiting for the server to accept the command behind it */
  pending: number;
}

export interface CachedReferenceTable {
  nik: string;
  source: string;
  data: string;
}

export interface OutboxTable {
  id: string;
  application_id: string;
  command: string;
  /** quarantined: too damaged to send, set aside and reported, never retried */
  status: 'pending' | 'delivered' | 'rejected' | 'quarantined';
  attempts: number;
  next_attempt_at: string;
  created_at: string;
  result_code: string | null;
  result_message: string | null;
}

/** Permits this desk signed: the file on disk and its hash, kept as the office's copy. */
export interface SignedPermitTable {
  application_id: string;
  permit_number: string;
  file_path: string;
  sha256: string;
  signed_at: string;
}

export interface CacheDatabase {
  meta: MetaTable;
  workflows: DefinitionTable;
  permit_types: DefinitionTable;
  applications: CachedApplicationTable;
  documents: CachedDocumentTable;
  events: CachedEventTable;
  reference_records: CachedReferenceTable;
  outbox: OutboxTable;
  signed_permits: SignedPermitTable;
}
