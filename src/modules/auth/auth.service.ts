import { Problems, UnauthenticatedError } from '../../errors/errors';
import { generateKey, isWellFormedToken, KEY_LENGTH, parseToken, secretMatches } from './auth.keys';
import type { AuthRepository } from './auth.repository';
import { ApiRole, SYSTEM, type Caller } from './auth.types';

export interface AuthOptions {
  /** The local demo's convenience: a request without credentials acts as admin. */
  anonymousAdmin: boolean;
  /** How long a verified key is trusted without asking the database again (0: never); also how long a revocation may take. */
  cacheMs: number;
}

export interface KeyInfo {
  id: string;
  role: ApiRole;
  projects: string[];
  description: string | null;
  createdAt: Date;
  revokedAt: Date | null;
}

/**
 * The API key an Authorization header sends, or an error that says what is wrong with the header
 * (never echoing it: it may hold a secret).
 */
function tokenOf(authorization: string): string {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!bearer) {
    const hint = /^mql_/.test(authorization.trim()) ? ': it holds a key without the word Bearer' : '';
    throw new UnauthenticatedError(`The Authorization header must be "Bearer <API key>"${hint}`);
  }
  const token = bearer[1];
  if (!isWellFormedToken(token)) {
    throw new UnauthenticatedError(
      `The API key is malformed: a key is mql_<12 hex digits>_<43 characters>, ${KEY_LENGTH} characters in all, as npm run keys -- create ` +
        `prints it; this one has ${token.length}${token.length < KEY_LENGTH ? ' (cut short when copied?)' : ''}`,
    );
  }
  return token;
}

export class AuthService {
  private readonly verified = new Map<string, { caller: Caller; secretHash: Uint8Array; until: number }>();

  constructor(
    private readonly repository: AuthRepository,
    private readonly options: AuthOptions,
  ) {}

  /**
   * The caller named by an Authorization header, or null when there is none (and no anonymous
   * access). A header that names no valid key is refused outright: a typo must not fall back
   * to anonymous access.
   */
  async authenticate(authorization: string | undefined): Promise<Caller | null> {
    if (authorization === undefined || authorization === '') {
      return this.options.anonymousAdmin ? SYSTEM : null;
    }
    const parsed = parseToken(tokenOf(authorization))!;
    const cached = this.verified.get(parsed.id);
    if (cached && cached.until > Date.now() && secretMatches(parsed.secret, cached.secretHash)) return cached.caller;
    const key = await this.repository.findActive(parsed.id);
    if (!key || !secretMatches(parsed.secret, key.secretHash)) throw new UnauthenticatedError('The API key is not valid');
    const caller: Caller = { role: key.role, projects: key.projects.length > 0 ? key.projects : null, keyId: key.id };
    if (this.options.cacheMs > 0)
      this.verified.set(key.id, { caller, secretHash: key.secretHash, until: Date.now() + this.options.cacheMs });
    return caller;
  }

  /** Creates a key; its token is returned once, here, and never stored. */
  async createKey(input: { role: string; projects: string[]; description?: string | null }): Promise<{ token: string; key: KeyInfo }> {
    const problems = new Problems();
    const role = input.role.toUpperCase();
    if (!Object.values(ApiRole).includes(role as ApiRole)) problems.add(['role'], 'must be admin, reporter or reader');
    if (role === ApiRole.ADMIN && input.projects.length > 0) problems.add(['projects'], 'an admin key is not limited to projects');
    input.projects.forEach((p, i) => {
      if (p.trim() === '') problems.add(['projects', i], 'must not be blank');
    });
    problems.throwIfAny();
    const generated = generateKey();
    const stored = await this.repository.create({
      id: generated.id,
      secretHash: generated.secretHash,
      role: role as ApiRole,
      projects: [...new Set(input.projects)],
      description: input.description ?? null,
    });
    const { secretHash: _secret, ...key } = stored;
    return { token: generated.token, key };
  }

  /** Whether any key can be used: without one, a server that requires keys answers nobody. */
  hasActiveKeys(): Promise<boolean> {
    return this.repository.anyActive();
  }

  listKeys(): Promise<KeyInfo[]> {
    return this.repository.list();
  }

  revokeKey(id: string): Promise<boolean> {
    this.verified.delete(id);
    return this.repository.revoke(id);
  }
}
