/** One schema migration: SQL that both PGlite (PostgreSQL 18) and PostgreSQL 15 accept. */
export interface Migration {
  version: number;
  name: string;
  up: string;
  down: string;
}
