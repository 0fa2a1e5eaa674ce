// What the token commands ask for and get back.
/** The API's ApiTokenScope values (a test checks them against the schema). */
export const API_TOKEN_SCOPES = ['INTERVIEWS_READ', 'INTERVIEWS_WRITE', 'LIVE', 'ADMIN'] as const;
export type ApiTokenScope = (typeof API_TOKEN_SCOPES)[number];

export interface ApiToken {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiTokenScope[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export const API_TOKEN_FIELDS = 'id name prefix scopes createdAt lastUsedAt revokedAt';
