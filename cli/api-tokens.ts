// What the token commands ask for and get back.
export interface ApiToken {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export const API_TOKEN_FIELDS = 'id name prefix createdAt lastUsedAt revokedAt';
