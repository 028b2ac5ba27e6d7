/** The shapes of the rows the SQLite event index reads and writes. */

export interface EventRow {
  id: number;
  event_id: string;
  event_key: number | null;
  time_ms: number;
  account: string;
  region: string;
  layout_id: number;
  caller_id: number;
  change: number;
  read_only: number;
  error_code: string | null;
  detail: string;
  file_id: number | null;
}

export interface CallerDbRow {
  id: number;
  key: string;
  principal: string;
  access_key_id: string | null;
  user_agent: string | null;
  source_ip: string | null;
}

export interface FileRow {
  id: number;
  size: number;
  version: string;
  mode: string;
  events: number;
  errors: number;
  indexed_at: number;
}
